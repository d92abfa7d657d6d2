//! Service accounts: machine credentials (client-credentials grant) that act for the
//! organization.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Secret;

/// A service account. Lists and gets never include its credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Resource id (UUID); use it in `/service-accounts/:id` paths (not the `sa_…` client id).
    pub id: String,
    /// Display name, unique among non-archived service accounts.
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// The user the account acts as, where the server records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user_id: Option<String>,
    /// When the account was revoked (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Client credentials of a service account, shown only on create and rotate: store them at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountCredentials {
    /// OAuth client id (`sa_<uuid>`).
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Secret,
}

/// Body of `POST /service-accounts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceAccount {
    /// Display name (required).
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CreateServiceAccount {
    /// A new service account with this name.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), description: None }
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Query of `GET /service-accounts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListServiceAccountsParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `GET /service-accounts/:id`: `{serviceAccount}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountResponse {
    /// The service account.
    pub service_account: ServiceAccount,
}

/// Answer of `POST /service-accounts`: `{serviceAccount, credentials}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreatedServiceAccount {
    /// The new service account.
    pub service_account: ServiceAccount,
    /// Its credentials; the secret is never shown again.
    pub credentials: ServiceAccountCredentials,
}

/// Answer of `POST /service-accounts/:id/rotate-secret`: `{credentials}`. The old secret stops
/// working at once; tokens already minted with it stay valid until they expire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CredentialsResponse {
    /// The new credentials.
    pub credentials: ServiceAccountCredentials,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_service_account_round_trips_and_redacts() {
        let value = json!({
            "serviceAccount": {
                "id": "5a0e8c1d-0000-4000-8000-000000000002",
                "name": "ci",
                "description": "CI pipeline",
                "createdAt": "2026-11-28T10:00:00Z",
                "actingUserId": "user_1",
                "lastUsedAt": "2026-11-28T11:00:00Z"
            },
            "credentials": {"clientId": "sa_5a0e8c1d", "clientSecret": "sa_secret_VERYSECRET"}
        });
        let created: CreatedServiceAccount = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(created.service_account.name, "ci");
        assert_eq!(created.service_account.extra["lastUsedAt"], "2026-11-28T11:00:00Z");
        assert_eq!(created.credentials.client_secret.expose(), "sa_secret_VERYSECRET");
        assert_eq!(serde_json::to_value(&created).unwrap(), value);
        let dump = format!("{created:?}");
        assert!(!dump.contains("VERYSECRET"), "{dump}");

        let rotated: CredentialsResponse =
            serde_json::from_value(json!({"credentials": {"clientId": "sa_1", "clientSecret": "NEWSECRET"}})).unwrap();
        assert!(!format!("{rotated:?}").contains("NEWSECRET"));
    }

    #[test]
    fn get_and_list_shapes() {
        let resp: ServiceAccountResponse = serde_json::from_value(json!({"serviceAccount": {
            "id": "x", "name": "n", "createdAt": "c", "archivedAt": "2026-11-29T00:00:00Z"}}))
        .unwrap();
        assert_eq!(resp.service_account.archived_at.as_deref(), Some("2026-11-29T00:00:00Z"));
        assert_eq!(resp.service_account.description, None);
        assert_eq!(
            serde_json::to_value(&resp).unwrap(),
            json!({"serviceAccount": {"id": "x", "name": "n", "createdAt": "c", "archivedAt": "2026-11-29T00:00:00Z"}})
        );
        assert_eq!(
            serde_json::to_value(ListServiceAccountsParams { limit: None, cursor: Some("c1".into()) }).unwrap(),
            json!({"cursor": "c1"})
        );
    }

    #[test]
    fn create_body() {
        assert_eq!(serde_json::to_value(CreateServiceAccount::new("ci")).unwrap(), json!({"name": "ci"}));
        assert_eq!(
            serde_json::to_value(CreateServiceAccount::new("ci").with_description("d")).unwrap(),
            json!({"name": "ci", "description": "d"})
        );
    }
}
