//! The organization's settings that only the dashboard may change (spec-2 §4, DECISIONS V17).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Answer of `GET /organizations/current/agent-access`: the permissions of agents connected
/// through browser approval (read-only by default; a change applies from the next request).
/// The shape is inferred, so this is an open object: whatever the server sends is kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AgentAccess {
    /// Access per area (`policies`, `directory`, `settings`, `logs`, `deployments`): `none`,
    /// `read` or `write`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<BTreeMap<String, String>>,
    /// When an admin last changed it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Everything else the server sends; kept so it survives a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}
