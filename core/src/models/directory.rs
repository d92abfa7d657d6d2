//! Directory / SCIM (spec-2 §5): the SCIM tokens an identity provider uses to push users and
//! groups, the sync status, the synced groups and how managed endpoints resolve against the
//! directory. Every field name here is inferred (DECISIONS V14, V15); unknown fields are kept.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use crate::Secret;

open_enum! {
    /// How a managed endpoint resolves against the directory.
    pub enum ReconciliationState {
        /// The endpoint's user was found in the directory.
        Matched => "matched",
        /// The endpoint reports no email address.
        NoEmail => "no_email",
        /// No directory user has the endpoint's email.
        Unmatched => "unmatched",
        /// Several directory users match.
        Ambiguous => "ambiguous",
    }
}

/// A SCIM token as lists show it: never the token itself, only its SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ScimToken {
    /// Lowercase hex SHA-256 of the token: its id in `…/scim-tokens/{sha256}/revoke`.
    pub sha256: String,
    /// The label given when it was minted (e.g. `entra-prod`).
    pub label: String,
    /// When it was minted (ISO 8601).
    pub created_at: String,
    /// When the identity provider last used it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// When it was revoked (ISO 8601); absent while it works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// A token just minted (SCIM or install token): the secret is in this answer **only**. Store it
/// at once; it is redacted in every representation of this object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct MintedToken {
    /// The token itself, shown once.
    pub token: Secret,
    /// Lowercase hex SHA-256 of `token`: how lists and revoke name it.
    pub sha256: String,
    /// The label it was minted with.
    pub label: String,
    /// When it was minted (ISO 8601).
    pub created_at: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Body of a token mint (`POST …/scim-tokens`, `POST …/install-tokens`): `{label}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    /// A name for the token (required), e.g. `entra-prod` or `ci`; reconcile matches on it.
    pub label: String,
}

impl CreateToken {
    /// A mint request with this label.
    #[must_use]
    pub fn new(label: impl Into<String>) -> Self {
        Self { label: label.into() }
    }
}

/// Query of the directory lists (SCIM tokens, groups, reconciliation): `limit` + `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListDirectoryParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `GET /organizations/current/directory/status`. User and group counts appear after
/// the first sync cycle (Entra's first can take about 40 minutes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DirectoryStatus {
    /// Users synced from the identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_count: Option<u64>,
    /// Groups synced from the identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_count: Option<u64>,
    /// When the last sync ended (ISO 8601); absent before the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<String>,
    /// SCIM tokens that still work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_token_count: Option<u64>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// A group synced from the identity provider (SCIM Group, RFC 7643 §4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DirectoryGroup {
    /// Group id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Number of members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u64>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// How one managed endpoint resolves against the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReconciliationRow {
    /// The endpoint's installation id (`ins_…`).
    pub installation_id: String,
    /// `matched`, `no_email`, `unmatched` or `ambiguous`.
    pub state: ReconciliationState,
    /// The email the endpoint reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The directory user it matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minted_tokens_are_redacted_and_round_trip() {
        let value = json!({"token": "scim_VERYSECRET", "sha256": "ab", "label": "entra-prod",
            "createdAt": "2026-12-01T00:00:00Z", "future": 1});
        let minted: MintedToken = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(minted.token.expose(), "scim_VERYSECRET");
        assert!(!format!("{minted:?}").contains("VERYSECRET"));
        assert_eq!(serde_json::to_value(&minted).unwrap(), value);
    }

    #[test]
    fn list_rows_keep_unknown_fields_and_open_states() {
        let row: ReconciliationRow =
            serde_json::from_value(json!({"installationId": "ins_1", "state": "pending_review"})).unwrap();
        assert_eq!(row.state, ReconciliationState::Unknown("pending_review".into()));
        let token: ScimToken =
            serde_json::from_value(json!({"sha256": "ab", "label": "l", "createdAt": "c", "revokedAt": "r", "x": 1}))
                .unwrap();
        assert_eq!(token.revoked_at.as_deref(), Some("r"));
        assert_eq!(token.extra["x"], 1);
    }
}
