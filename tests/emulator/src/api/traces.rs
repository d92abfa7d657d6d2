//! Traces (offset-paginated), a trace with its events, stats computed from stored events, and
//! the recent-events feed (`/mcp-events`).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::{ok, ts, ts_opt};
use crate::clock::DAY;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{PathIds, Query, parse_uuid};
use crate::pagination;
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::{EVENT_STATUSES, Trace, TraceEvent};

pub fn trace_view(t: &Trace) -> Value {
    json!({
        "traceId": t.id,
        "sessionId": t.session_id,
        "startedAt": ts(t.started_at),
        "endedAt": ts_opt(t.ended_at),
        "eventCount": t.event_count,
        "okCount": t.ok_count,
        "warnCount": t.warn_count,
        "errorCount": t.error_count,
        "agentId": t.agent_id,
        "agentName": t.agent_name,
        "ownerUserId": t.owner_user_id,
        "ownerEmail": t.owner_email,
        "agentSessionId": t.agent_session_id,
        "agentSessionName": t.agent_session_name,
    })
}

pub fn event_view(e: &TraceEvent) -> Value {
    json!({
        "id": e.id,
        "createdAt": ts(e.created_at),
        "sessionId": e.session_id,
        "agentId": e.agent_id,
        "traceId": e.trace_id,
        "apiKeyId": e.api_key_id,
        "eventType": e.event_type,
        "status": e.status,
        "durationMs": e.duration_ms,
        "integrationId": e.integration_id,
        "toolName": e.tool_name,
        "errorMessage": e.error_message,
        "bytesIn": e.bytes_in,
        "bytesOut": e.bytes_out,
        "requestJson": e.request_json,
        "responseJson": e.response_json,
        "parentEventId": e.parent_event_id,
        "agentSessionId": e.agent_session_id,
    })
}

fn events_of<'a>(d: &'a Data, t: &Trace) -> impl Iterator<Item = &'a TraceEvent> {
    d.events_by_trace.get(&t.id).map(Vec::as_slice).unwrap_or(&[]).iter().filter_map(|id| d.events.get(id))
}

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let limit = pagination::limit(&q, pagination::DEFAULT_LIMIT)?;
    let offset = q.int("offset", 0, 1_000_000_000)?.unwrap_or(0) as usize;
    let user = q.filter("userId");
    let session = q.filter("sessionId");
    // `applicationId` is the SDK's name for `agentId`.
    let agent = q.filter("agentId");
    let application = q.filter("applicationId");
    Ok(ok(st.read(|d| {
        let items: Vec<Value> = d
            .traces
            .iter()
            .rev()
            .filter(|t| user.is_none_or(|u| t.owner_user_id == u))
            .filter(|t| {
                session.is_none_or(|s| {
                    t.session_id.to_string() == s || t.agent_session_id.is_some_and(|a| a.to_string() == s)
                })
            })
            .filter(|t| agent.is_none_or(|a| t.agent_id.to_string() == a))
            .filter(|t| application.is_none_or(|a| t.agent_id.to_string() == a))
            .skip(offset)
            .take(limit)
            .map(trace_view)
            .collect();
        json!({ "items": items })
    })))
}

pub async fn get(State(st): State<AppState>, ids: PathIds, q: Query) -> ApiResult<Response> {
    // An opaque id (DECISIONS V12): a value that is no trace here is unknown (404), not malformed.
    let id = parse_uuid(ids.raw("traceId")).ok_or_else(|| ApiError::not_found("Trace not found"))?;
    let user = q.filter("userId");
    st.read(|d| {
        let t = d
            .traces
            .get(&id)
            .filter(|t| user.is_none_or(|u| t.owner_user_id == u))
            .ok_or_else(|| ApiError::not_found("Trace not found"))?;
        let events: Vec<Value> = events_of(d, t).map(event_view).collect();
        Ok(ok(json!({ "trace": trace_view(t), "events": events })))
    })
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub async fn stats(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let days = match q.filter("period") {
        None | Some("7d") => 7,
        Some("1d" | "24h") => 1,
        Some("30d") => 30,
        Some(_) => return Err(ApiError::bad_request("period must be one of 1d, 7d, 30d")),
    };
    let user = q.filter("userId");
    let since = st.now() - days * DAY;
    Ok(ok(st.read(|d| {
        let traces: Vec<&Trace> =
            d.traces.iter().filter(|t| t.started_at >= since && user.is_none_or(|u| t.owner_user_id == u)).collect();
        let mut counts: HashMap<&str, u64> = EVENT_STATUSES.iter().map(|s| (*s, 0)).collect();
        let mut tools: HashMap<&str, u64> = HashMap::new();
        let (mut durations, mut bytes_in, mut bytes_out, mut total) = (Vec::new(), 0u64, 0u64, 0u64);
        for t in &traces {
            for e in events_of(d, t) {
                total += 1;
                *counts.entry(e.status.as_str()).or_default() += 1;
                if let Some(ms) = e.duration_ms {
                    durations.push(ms);
                }
                bytes_in += e.bytes_in.unwrap_or(0);
                bytes_out += e.bytes_out.unwrap_or(0);
                if let Some(tool) = &e.tool_name {
                    *tools.entry(tool.as_str()).or_default() += 1;
                }
            }
        }
        durations.sort_unstable();
        let errors: u64 = counts.iter().filter(|(k, _)| k.starts_with("error")).map(|(_, v)| *v).sum();
        let error_rate = if total == 0 { 0.0 } else { (errors as f64 * 10_000.0 / total as f64).round() / 100.0 };
        let mut by_type: Vec<(&str, u64)> =
            counts.iter().filter(|(k, v)| k.starts_with("error") && **v > 0).map(|(k, v)| (*k, *v)).collect();
        by_type.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut top: Vec<(&str, u64)> = tools.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        top.truncate(10);
        let event_counts: serde_json::Map<String, Value> =
            EVENT_STATUSES.iter().map(|s| (s.to_string(), json!(counts.get(s).copied().unwrap_or(0)))).collect();
        json!({
            "period": format!("{days}d"),
            "totalTraces": traces.len(),
            "totalEvents": total,
            "eventCounts": event_counts,
            "errorRate": error_rate,
            "latency": {
                "p50": percentile(&durations, 50.0),
                "p95": percentile(&durations, 95.0),
                "p99": percentile(&durations, 99.0),
            },
            "bytesTransferred": {"in": bytes_in, "out": bytes_out},
            "errorsByType": by_type.iter().map(|(t, c)| json!({"type": t, "count": c})).collect::<Vec<_>>(),
            "topTools": top.iter().map(|(t, c)| json!({"toolName": t, "count": c})).collect::<Vec<_>>(),
            // The vendor's Rust client (0.2.1) decodes these older fields.
            "okEvents": counts.get("ok").copied().unwrap_or(0),
            "warnEvents": counts.get("warn").copied().unwrap_or(0),
            "errorEvents": errors,
        })
    })))
}

pub async fn events(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let limit = pagination::limit(&q, pagination::DEFAULT_LIMIT)?;
    Ok(ok(st.read(|d| {
        let items: Vec<Value> = d.events.iter().rev().take(limit).map(event_view).collect();
        json!({ "items": items })
    })))
}
