//! Policy decisions log: cursor-paginated, newest first, with exact-match filters and a time
//! window.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::{ok, ts};
use crate::clock;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{PathIds, Query};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::model::Decision;

pub fn decision_view(x: &Decision) -> Value {
    json!({
        "id": x.id,
        "occurredAt": ts(x.occurred_at),
        "toolName": x.tool_name,
        "sessionId": x.session_id,
        "installationId": x.installation_id,
        "decisionResult": x.decision_result,
        "decisionCategory": x.decision_category,
        "reasonCode": x.reason_code,
        "provider": x.provider,
        "operation": x.operation,
        "riskLevel": x.risk_level,
        "policyVersionId": x.policy_version_id,
        "rolloutMode": x.rollout_mode,
        "applicationId": x.application_id,
    })
}

fn time_param(q: &Query, key: &str) -> ApiResult<Option<i64>> {
    match q.filter(key) {
        None => Ok(None),
        Some(s) => clock::parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("{key} must be an ISO 8601 timestamp"))),
    }
}

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "decisions")?;
    let from = time_param(&q, "from")?;
    let to = time_param(&q, "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad_request("from must not be after to"));
    }
    let eq = |key: &str| q.filter(key).map(str::to_owned);
    let (provider, result, category, reason, risk, installation, session) = (
        eq("provider"),
        eq("decisionResult"),
        eq("decisionCategory"),
        eq("reasonCode"),
        eq("riskLevel"),
        eq("installationId"),
        eq("sessionId"),
    );
    let matches = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    Ok(ok(st.read(|d| {
        let (items, next) = page.descending(&d.decisions, |x| {
            matches(&provider, &x.provider)
                && matches(&result, &x.decision_result)
                && matches(&category, &x.decision_category)
                && matches(&reason, &x.reason_code)
                && matches(&risk, &x.risk_level)
                && matches(&installation, &x.installation_id)
                && matches(&session, x.session_id.as_deref().unwrap_or(""))
                && from.is_none_or(|f| x.occurred_at >= f)
                && to.is_none_or(|t| x.occurred_at < t)
        });
        list_body(items.into_iter().map(decision_view).collect(), next)
    })))
}

pub async fn get(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    // An opaque id (DECISIONS V12): whatever is not a decision here is unknown, not malformed.
    let id = crate::extract::parse_uuid(ids.raw("id"));
    st.read(|d| {
        let x = id.and_then(|id| d.decisions.get(&id)).ok_or_else(|| ApiError::not_found("Decision not found"))?;
        Ok(ok(json!({ "decision": decision_view(x) })))
    })
}
