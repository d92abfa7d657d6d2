//! Agent sessions of an application: list (active by default), get, revoke all.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::applications::find;
use super::{ok, ts, ts_opt};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{PathIds, Query};
use crate::pagination;
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::Session;

pub fn session_view(d: &Data, s: &Session, now: i64) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "status": if s.disconnected_at.is_some() { "disconnected" } else { s.status.as_str() },
        "derivedStatus": s.derived_status(now),
        "tokenExpiresAt": ts_opt(s.token_expires_at),
        "lastActiveAt": ts_opt(s.last_active_at),
        "connectedAt": ts_opt(s.connected_at),
        "disconnectedAt": ts_opt(s.disconnected_at),
        "createdAt": ts(s.created_at),
        "agentId": s.app_id,
        "applicationId": s.app_id,
        "organizationId": d.org.id,
        "hostname": s.hostname,
        "userAgent": s.user_agent,
        "clientInfo": s.client_info,
    })
}

/// Marks every not-yet-disconnected session of the application disconnected; returns how
/// many changed.
pub fn disconnect_all(d: &mut Data, app_id: &Uuid, now: i64) -> u64 {
    let ids = d.sessions_by_app.get(app_id).cloned().unwrap_or_default();
    let mut count = 0;
    for sid in ids {
        if let Some(s) = d.sessions.get_mut(&sid)
            && s.disconnected_at.is_none()
        {
            s.disconnected_at = Some(now);
            s.status = "disconnected".into();
            d.changes.put(s);
            count += 1;
        }
    }
    count
}

pub async fn list(State(st): State<AppState>, ids: PathIds, q: Query) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let limit = pagination::limit(&q, 100)?;
    let status = match q.filter("status") {
        None => "active",
        Some(s @ ("active" | "inactive" | "all")) => s,
        Some(_) => return Err(ApiError::bad_request("status must be one of active, inactive, all")),
    };
    let include_inactive = q.bool("includeInactive")?.unwrap_or(false);
    let now = st.now();
    st.read(|d| {
        find(d, &id)?;
        let wanted = |derived: &str| {
            let live = matches!(derived, "active" | "idle");
            match status {
                "inactive" => !live,
                "all" => true,
                _ => live || include_inactive,
            }
        };
        // Newest first.
        let items: Vec<Value> = d
            .sessions_by_app
            .get(&id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .rev()
            .filter_map(|sid| d.sessions.get(sid))
            .filter(|s| wanted(s.derived_status(now)))
            .take(limit)
            .map(|s| session_view(d, s, now))
            .collect();
        Ok(ok(json!({ "items": items })))
    })
}

pub async fn get(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let sid = ids.uuid("sessionId")?;
    let now = st.now();
    st.read(|d| {
        find(d, &id)?;
        let s =
            d.sessions.get(&sid).filter(|s| s.app_id == id).ok_or_else(|| ApiError::not_found("Session not found"))?;
        Ok(ok(json!({ "session": session_view(d, s, now) })))
    })
}

pub async fn revoke_all(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        find(d, &id)?;
        let n = disconnect_all(d, &id, now);
        Ok(ok(json!({ "success": true, "disconnectedCount": n })))
    })
}
