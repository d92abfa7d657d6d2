//! `/organizations/current/agent-access` (spec-2 §4, DECISIONS V17): what agents connected
//! through browser approval may do. Read-only by default; only the dashboard changes it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{ok, ts};
use crate::errors::ApiError;
use crate::state::AppState;

const AREAS: [&str; 5] = ["policies", "directory", "settings", "logs", "deployments"];

/// `{areas, updatedAt}` (the shape is inferred): every area `read`, as a new organization has it.
pub async fn get_agent_access(State(st): State<AppState>) -> Response {
    let created = st.read(|d| d.org.created_at);
    let areas: serde_json::Map<_, _> = AREAS.iter().map(|a| ((*a).to_owned(), json!("read"))).collect();
    ok(json!({ "areas": areas, "updatedAt": ts(created) }))
}

/// The "other" 403 of spec-2 §2.1: no API token may change it, whatever its scopes, so the body
/// has no `missingScopes` (the gateway does not check a scope for this write either).
pub async fn patch_agent_access() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "Changing agent access requires an admin dashboard session")
}
