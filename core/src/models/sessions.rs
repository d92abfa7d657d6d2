//! Agent sessions: an agent's connection through an application.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;

open_enum! {
    /// Stored state of an agent session's transport.
    pub enum SessionStatus {
        /// The transport is open.
        Active => "active",
        /// The transport was closed or the session revoked.
        Disconnected => "disconnected",
    }
}

open_enum! {
    /// What a session is doing now, derived by the server from its status, activity and token.
    pub enum DerivedSessionStatus {
        /// Connected and recently active.
        Active => "active",
        /// Connected but quiet.
        Idle => "idle",
        /// Its access token expired.
        Expired => "expired",
        /// The transport is closed.
        Disconnected => "disconnected",
    }
}

open_enum! {
    /// Which sessions `GET /applications/:id/sessions` returns.
    pub enum SessionStatusFilter {
        /// Only live sessions (the default).
        Active => "active",
        /// Only expired or disconnected sessions.
        Inactive => "inactive",
        /// Every session.
        All => "all",
    }
}

/// An agent session of an application (`Session` in the API reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    /// Session id (UUID).
    pub id: String,
    /// Display name of the session (usually the agent's).
    #[serde(default)]
    pub name: String,
    /// Stored transport state.
    pub status: SessionStatus,
    /// What the session is doing now.
    pub derived_status: DerivedSessionStatus,
    /// When the session's access token expires (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<String>,
    /// Last activity (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<String>,
    /// When the transport opened (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
    /// When the transport closed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnected_at: Option<String>,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// The application (agent) the session belongs to.
    pub agent_id: String,
    /// The organization.
    pub organization_id: String,
    /// Host the agent runs on, when it said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `User-Agent` of the agent's client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// MCP `clientInfo` the agent sent (`{name, version, …}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<Value>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Query of `GET /applications/:id/sessions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListSessionsParams {
    /// Which sessions (server default `active`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatusFilter>,
    /// Maximum number of sessions (server default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Also return expired and disconnected sessions (server default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_inactive: Option<bool>,
}

/// Answer of `GET /applications/:id/sessions/:sessionId`: `{session}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    /// The session.
    pub session: AgentSession,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_decodes_keeps_unknowns_and_round_trips() {
        let value = json!({"session": {
            "id": "9d7e6f5a-0000-4000-8000-000000000003",
            "name": "claude-desktop",
            "status": "active",
            "derivedStatus": "suspended",
            "tokenExpiresAt": "2026-11-28T11:00:00Z",
            "lastActiveAt": "2026-11-28T10:30:00Z",
            "connectedAt": "2026-11-28T10:00:00Z",
            "createdAt": "2026-11-28T10:00:00Z",
            "agentId": "6f1c2a9e-1b2c-4d5e-8f90-1234567890ab",
            "organizationId": "org_1",
            "hostname": "laptop.local",
            "userAgent": "claude-desktop/1.2",
            "clientInfo": {"name": "claude", "version": "1.2"},
            "region": "eu"
        }});
        let resp: SessionResponse = serde_json::from_value(value.clone()).unwrap();
        let s = &resp.session;
        assert_eq!(s.status, SessionStatus::Active);
        assert_eq!(s.derived_status, DerivedSessionStatus::Unknown("suspended".into()));
        assert_eq!(s.client_info.as_ref().unwrap()["name"], "claude");
        assert_eq!(s.extra["region"], "eu");
        assert_eq!(serde_json::to_value(&resp).unwrap(), value);
    }

    #[test]
    fn nullable_fields_decode_as_none() {
        let s: AgentSession = serde_json::from_value(json!({
            "id": "s", "name": "n", "status": "disconnected", "derivedStatus": "expired",
            "createdAt": "c", "agentId": "a", "organizationId": "o",
            "hostname": null, "userAgent": null, "clientInfo": null, "disconnectedAt": "d"
        }))
        .unwrap();
        assert_eq!(s.hostname, None);
        assert_eq!(s.user_agent, None);
        assert_eq!(s.client_info, None);
        assert_eq!(s.derived_status, DerivedSessionStatus::Expired);
    }

    #[test]
    fn list_params() {
        assert_eq!(serde_json::to_value(ListSessionsParams::default()).unwrap(), json!({}));
        let p = ListSessionsParams {
            status: Some(SessionStatusFilter::All),
            limit: Some(10),
            include_inactive: Some(true),
        };
        assert_eq!(serde_json::to_value(&p).unwrap(), json!({"status": "all", "limit": 10, "includeInactive": true}));
        let back: ListSessionsParams = serde_json::from_value(json!({"status": "inactive"})).unwrap();
        assert_eq!(back.status, Some(SessionStatusFilter::Inactive));
    }
}
