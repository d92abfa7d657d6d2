//! Install tokens (spec-2 §7): what the install script reads as `KONTEXT_INSTALL_TOKEN` and the
//! endpoint daemon then sends as its bearer. Minting answers a [`crate::models::MintedToken`];
//! lists show only the fingerprint. Field names are inferred (DECISIONS V14, V15).

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An install token as lists show it: never the token itself, only its SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct InstallToken {
    /// Lowercase hex SHA-256 of the token: its id in `…/install-tokens/{sha256}/revoke`.
    pub sha256: String,
    /// The label given when it was minted (e.g. `ci`).
    pub label: String,
    /// When it was minted (ISO 8601).
    pub created_at: String,
    /// When an endpoint last used it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// When it was revoked (ISO 8601); absent while it works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Query of `GET /organizations/current/install-tokens`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListInstallTokensParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
