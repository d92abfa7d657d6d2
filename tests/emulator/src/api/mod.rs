//! `/api/v1`: the management API. Authentication, rate limiting and scopes are enforced by
//! `crate::gateway` before these handlers run.

pub mod applications;
pub mod decisions;
pub mod integrations;
pub mod policy;
pub mod policy_actions;
pub mod policy_history;
pub mod service_accounts;
pub mod sessions;
pub mod traces;
// Issue 23, admin surface.
#[cfg(test)]
mod admin_tests;
pub mod directory;
pub mod install_tokens;
pub mod organization;
pub mod releases;
pub mod tokens;

use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::auth::Principal;
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    use applications as app;
    use integrations as int;
    use service_accounts as sa;
    Router::new()
        .route("/applications", get(app::list).post(app::create))
        .route("/applications/access-graph", get(app::access_graph))
        .route("/applications/{id}", get(app::get).patch(app::update).delete(app::archive))
        .route("/applications/{id}/rotate-secret", post(app::rotate_secret))
        .route("/applications/{id}/oauth", get(app::get_oauth).patch(app::patch_oauth).put(app::put_oauth))
        .route("/applications/{id}/integrations", get(app::list_integrations).put(app::set_integrations))
        .route("/applications/{id}/integrations/{integrationId}", post(app::attach).delete(app::detach))
        .route("/applications/{id}/sessions", get(sessions::list).delete(sessions::revoke_all))
        .route("/applications/{id}/sessions/{sessionId}", get(sessions::get))
        .route("/integrations", get(int::list).post(int::create))
        .route("/integrations/{id}", get(int::get).patch(int::update).delete(int::archive))
        .route("/integrations/{id}/validate", post(int::validate))
        .route("/integrations/{id}/oauth", get(int::get_oauth).put(int::put_oauth).delete(int::delete_oauth))
        .route(
            "/integrations/{id}/connection",
            get(int::get_connection).post(int::add_connection).delete(int::revoke_connection),
        )
        .route("/service-accounts", get(sa::list).post(sa::create))
        .route("/service-accounts/{id}", get(sa::get).delete(sa::revoke))
        .route("/service-accounts/{id}/rotate-secret", post(sa::rotate_secret))
        .route("/traces", get(traces::list))
        .route("/traces/stats", get(traces::stats))
        .route("/traces/{traceId}", get(traces::get))
        .route("/mcp-events", get(traces::events))
        .route("/policy", get(policy::get_policy).put(policy::put_policy))
        .route("/policy/validations", post(policy::validate))
        .route("/policy/deployment", get(policy::get_deployment).put(policy::put_deployment))
        .route("/policy/settings", get(policy::get_settings).patch(policy::patch_settings))
        .route("/policy/versions", get(policy_history::list_versions))
        .route("/policy/versions/{id}", get(policy_history::get_version))
        .route("/policy/rule-templates", get(policy_history::rule_templates))
        .route("/policy/actions", post(policy_actions::apply_action))
        .route("/policy/replay", post(policy_history::replay))
        .route("/policy/blocked", get(policy_history::blocked))
        .route("/decisions", get(decisions::list))
        .route("/decisions/{id}", get(decisions::get))
        .merge(admin_router())
}

/// Issue 23's admin surface: directory/SCIM, install tokens, releases, agent access.
fn admin_router() -> Router<AppState> {
    const DIRECTORY: &str = "/organizations/current/directory";
    Router::new()
        .route(&format!("{DIRECTORY}/scim-tokens"), get(directory::list_tokens).post(directory::create_token))
        .route(&format!("{DIRECTORY}/scim-tokens/{{sha256}}/revoke"), post(directory::revoke_token))
        .route(&format!("{DIRECTORY}/status"), get(directory::status))
        .route(&format!("{DIRECTORY}/groups"), get(directory::groups))
        .route(&format!("{DIRECTORY}/reconciliation"), get(directory::reconciliation))
        .route("/organizations/current/install-tokens", get(install_tokens::list).post(install_tokens::create))
        .route("/organizations/current/install-tokens/{sha256}/revoke", post(install_tokens::revoke))
        .route(
            "/organizations/current/agent-access",
            get(organization::get_agent_access).patch(organization::patch_agent_access),
        )
        .route("/deployments/releases", get(releases::list))
        .route("/deployments/releases/latest", get(releases::latest))
        .route("/deployments/releases/{version}/artifacts/{kind}/download-url", post(releases::download_url))
}

/// The authenticated caller, put in the request by the gateway.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(Caller).ok_or_else(ApiError::unauthorized)
    }
}

pub fn ok(body: Value) -> Response {
    Json(body).into_response()
}

pub fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn ts(ms: i64) -> Value {
    Value::String(clock::fmt(ms))
}

pub fn ts_opt(ms: Option<i64>) -> Value {
    ms.map(ts).unwrap_or(Value::Null)
}
