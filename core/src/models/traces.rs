//! Traces of agent activity, the MCP events inside them, and their statistics.

use std::collections::BTreeMap;

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;

open_enum! {
    /// Outcome of one MCP event.
    pub enum EventStatus {
        /// Succeeded.
        Ok => "ok",
        /// Succeeded with a warning.
        Warn => "warn",
        /// The remote MCP server failed.
        ErrorRemote => "error_remote",
        /// The Kontext gateway failed.
        ErrorProxy => "error_proxy",
        /// Authentication or authorization failed.
        ErrorAuth => "error_auth",
    }
}

open_enum! {
    /// Time window of [`TraceStats`].
    pub enum StatsPeriod {
        /// The last day.
        OneDay => "1d",
        /// The last 7 days.
        SevenDays => "7d",
        /// The last 30 days.
        ThirtyDays => "30d",
        /// Alias the server accepts for `1d`.
        Hours24 => "24h",
    }
}

/// A trace: one agent session's run of MCP events, with per-status counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Trace id.
    pub trace_id: String,
    /// Session the trace belongs to.
    pub session_id: String,
    /// First event (ISO 8601).
    pub started_at: String,
    /// Last event (ISO 8601); `null` while the trace is still running (always serialized).
    #[serde(default)]
    pub ended_at: Option<String>,
    /// Number of events.
    #[serde(default)]
    pub event_count: u64,
    /// Events with status `ok`.
    #[serde(default)]
    pub ok_count: u64,
    /// Events with status `warn`.
    #[serde(default)]
    pub warn_count: u64,
    /// Events with an `error_*` status.
    #[serde(default)]
    pub error_count: u64,
    /// Application (agent) id.
    pub agent_id: String,
    /// Application (agent) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// User the session ran for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_user_id: Option<String>,
    /// E-mail of that user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_email: Option<String>,
    /// Agent session id, where it differs from `sessionId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_session_id: Option<String>,
    /// Agent session name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_session_name: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// One MCP event (a tool call, a listing, an auth step) of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TraceEvent {
    /// Event id.
    pub id: String,
    /// When the event happened (ISO 8601).
    pub created_at: String,
    /// Session the event belongs to.
    pub session_id: String,
    /// Application (agent) id.
    pub agent_id: String,
    /// Trace the event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// API key that made the call, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_id: Option<String>,
    /// Kind of event, e.g. `tools/call`.
    pub event_type: String,
    /// Outcome.
    pub status: EventStatus,
    /// Duration in milliseconds (may be fractional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Integration that served the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<String>,
    /// Tool that was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    /// Error text for `warn`/`error_*` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Request size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_in: Option<u64>,
    /// Response size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_out: Option<u64>,
    /// The request payload, when payload capture is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_json: Option<Value>,
    /// The response payload, when payload capture is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_json: Option<Value>,
    /// Enclosing event, for nested events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_event_id: Option<String>,
    /// Agent session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_session_id: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Result of `traces.get` (`GET /traces/:traceId`): `{trace, events}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TraceDetail {
    /// The trace.
    pub trace: Trace,
    /// Its events, oldest first.
    #[serde(default)]
    pub events: Vec<TraceEvent>,
}

/// Activity statistics over a period (`GET /traces/stats`). All zeros on an idle organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TraceStats {
    /// Number of traces.
    #[serde(default)]
    pub total_traces: u64,
    /// Number of events.
    #[serde(default)]
    pub total_events: u64,
    /// Events per status (`ok`, `warn`, `error_remote`, …).
    #[serde(default)]
    pub event_counts: BTreeMap<String, u64>,
    /// Share of events with an error status, in percent (0–100).
    #[serde(default)]
    pub error_rate: f64,
    /// Event-duration percentiles.
    #[serde(default)]
    pub latency: LatencyPercentiles,
    /// Payload bytes moved.
    #[serde(default)]
    pub bytes_transferred: BytesTransferred,
    /// Error counts per error type, most frequent first.
    #[serde(default)]
    pub errors_by_type: Vec<ErrorTypeCount>,
    /// Most called tools, most frequent first.
    #[serde(default)]
    pub top_tools: Vec<ToolCount>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Event-duration percentiles, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct LatencyPercentiles {
    /// Median, ms.
    #[serde(default)]
    pub p50: f64,
    /// 95th percentile, ms.
    #[serde(default)]
    pub p95: f64,
    /// 99th percentile, ms.
    #[serde(default)]
    pub p99: f64,
}

/// Payload bytes moved through the gateway.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct BytesTransferred {
    /// Bytes sent to MCP servers (requests).
    #[serde(default)]
    pub r#in: u64,
    /// Bytes received from MCP servers (responses).
    #[serde(default)]
    pub out: u64,
}

/// One entry of [`TraceStats::errors_by_type`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ErrorTypeCount {
    /// Error type (an error status such as `error_remote`).
    pub r#type: String,
    /// Number of events.
    #[serde(default)]
    pub count: u64,
}

/// One entry of [`TraceStats::top_tools`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ToolCount {
    /// Tool name.
    pub tool_name: String,
    /// Number of calls.
    #[serde(default)]
    pub count: u64,
}

/// Result of `traces.stats`: `{stats}` (the REST endpoint `GET /traces/stats` returns the
/// stats object bare; the SDK wraps it like the official client does).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TraceStatsResponse {
    /// The statistics.
    pub stats: TraceStats,
}

/// Query of `GET /traces` (offset pagination: the last page is the first one shorter than
/// `limit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListTracesParams {
    /// Only traces of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Only traces of this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Only traces of this application (agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Alias of `agentId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Number of traces to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Query of `GET /traces/:traceId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct GetTraceParams {
    /// The user whose trace it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Query of `GET /traces/stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TraceStatsParams {
    /// Time window; when absent the server uses its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<StatsPeriod>,
    /// Only this user's activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Query of `GET /mcp-events` (the calling user's most recent MCP events).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListEventsParams {
    /// Maximum number of events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trace_json() -> Value {
        json!({
            "traceId": "tr_1", "sessionId": "s_1", "startedAt": "2026-11-28T10:00:00Z",
            "endedAt": null, "eventCount": 3, "okCount": 1, "warnCount": 1, "errorCount": 1,
            "agentId": "a_1", "agentName": "Support bot", "ownerUserId": "u_1",
            "ownerEmail": "ada@example.com", "agentSessionId": "as_1", "agentSessionName": "desk",
            "sampled": true
        })
    }

    #[test]
    fn trace_keeps_null_end_and_unknown_fields() {
        let value = trace_json();
        let t: Trace = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(t.ended_at, None);
        assert_eq!(t.error_count, 1);
        assert_eq!(t.extra["sampled"], true);
        assert_eq!(serde_json::to_value(&t).unwrap(), value);
    }

    #[test]
    fn trace_detail_with_events() {
        let value = json!({
            "trace": trace_json(),
            "events": [
                {"id": "e1", "createdAt": "2026-11-28T10:00:01Z", "sessionId": "s_1", "agentId": "a_1",
                 "traceId": "tr_1", "eventType": "tools/call", "status": "ok", "durationMs": 12.5,
                 "integrationId": "i_1", "toolName": "search", "bytesIn": 120, "bytesOut": 2048,
                 "requestJson": {"q": "x"}, "responseJson": [1, 2]},
                {"id": "e2", "createdAt": "2026-11-28T10:00:02Z", "sessionId": "s_1", "agentId": "a_1",
                 "eventType": "tools/call", "status": "error_timeout", "errorMessage": "slow",
                 "parentEventId": "e1", "agentSessionId": "as_1", "retryOf": "e0"}
            ]
        });
        let d: TraceDetail = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(d.events[0].status, EventStatus::Ok);
        assert_eq!(d.events[0].duration_ms, Some(12.5));
        assert_eq!(d.events[0].request_json, Some(json!({"q": "x"})));
        assert_eq!(d.events[1].status, EventStatus::Unknown("error_timeout".into()));
        assert_eq!(d.events[1].extra["retryOf"], "e0");
        assert_eq!(serde_json::to_value(&d).unwrap(), value);
    }

    #[test]
    fn stats_decode_and_round_trip() {
        let value = json!({"stats": {
            "totalTraces": 250, "totalEvents": 1000,
            "eventCounts": {"ok": 900, "warn": 50, "error_remote": 30, "error_proxy": 10, "error_auth": 10},
            "errorRate": 5.0,
            "latency": {"p50": 12.0, "p95": 80.5, "p99": 140.25},
            "bytesTransferred": {"in": 1024, "out": 4096},
            "errorsByType": [{"type": "error_remote", "count": 30}],
            "topTools": [{"toolName": "search", "count": 400}],
            "period": "7d"
        }});
        let s: TraceStatsResponse = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(s.stats.total_traces, 250);
        assert_eq!(s.stats.event_counts["error_remote"], 30);
        assert_eq!(s.stats.latency.p95, 80.5);
        assert_eq!(s.stats.bytes_transferred.r#in, 1024);
        assert_eq!(s.stats.errors_by_type[0].r#type, "error_remote");
        assert_eq!(s.stats.top_tools[0].tool_name, "search");
        assert_eq!(s.stats.extra["period"], "7d");
        assert_eq!(serde_json::to_value(&s).unwrap(), value);
    }

    #[test]
    fn empty_stats_decode_to_zeros() {
        let s: TraceStats = serde_json::from_value(json!({"totalTraces": 0, "topTools": []})).unwrap();
        assert_eq!(s, TraceStats::default());
    }

    #[test]
    fn params_and_periods() {
        assert_eq!(StatsPeriod::OneDay.as_str(), "1d");
        assert_eq!("24h".parse::<StatsPeriod>().unwrap(), StatsPeriod::Hours24);
        assert_eq!("90d".parse::<StatsPeriod>().unwrap(), StatsPeriod::Unknown("90d".into()));
        let p = TraceStatsParams { period: Some(StatsPeriod::SevenDays), user_id: None };
        assert_eq!(serde_json::to_value(&p).unwrap(), json!({"period": "7d"}));
        let l = ListTracesParams {
            application_id: Some("a".into()),
            limit: Some(200),
            offset: Some(400),
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&l).unwrap(), json!({"applicationId": "a", "limit": 200, "offset": 400}));
        assert_eq!(serde_json::to_value(GetTraceParams { user_id: Some("u".into()) }).unwrap(), json!({"userId": "u"}));
        assert_eq!(serde_json::to_value(ListEventsParams::default()).unwrap(), json!({}));
    }
}
