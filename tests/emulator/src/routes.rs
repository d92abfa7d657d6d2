//! The whole HTTP surface and its fallbacks, wrapped in the gateway middleware.

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::{api, authorize, control, device, gateway, oauth};

pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(control::router())
        .route("/.well-known/oauth-authorization-server", get(oauth::discovery))
        .route("/.well-known/openid-configuration", get(oauth::discovery))
        .route("/.well-known/jwks.json", get(oauth::jwks))
        .route("/oauth2/token", axum::routing::post(oauth::token))
        // Pre-signed release artifacts (issue 23): outside `/api/v1`, no `Authorization`.
        .route("/downloads/releases/{version}/{kind}", get(api::releases::artifact))
        .route("/oauth2/device/auth", axum::routing::post(device::authorize))
        .route("/oauth2/auth", get(authorize::page).post(authorize::submit))
        .route("/oauth2/authorize", get(authorize::page).post(authorize::submit))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), gateway::gateway))
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    ApiError::not_found(format!("No route for {}", uri.path())).into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response()
}
