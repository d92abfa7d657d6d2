//! Integrations: the MCP servers (tools) applications may use, their credentials and the
//! calling user's connection to them.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use crate::Secret;

open_enum! {
    /// How an integration authenticates its users to the MCP server. Changing it on an existing
    /// integration clears every stored per-user connection.
    pub enum AuthMode {
        /// Each user consents through OAuth; Kontext refreshes and revokes the tokens.
        Oauth => "oauth",
        /// Each user stores a personal access token or API key ([`AddConnection`]).
        UserToken => "user_token",
        /// One organization-wide token, usable at once by every user of attached applications.
        ServerToken => "server_token",
        /// Nothing to exchange. The server's default.
        None => "none",
    }
}

open_enum! {
    /// Where an integration's MCP server runs.
    pub enum IntegrationCategory {
        /// A remote MCP server reached through the Kontext gateway. The server's default.
        GatewayRemoteMcp => "gateway_remote_mcp",
        /// An internal MCP server that only fetches credentials from Kontext.
        InternalMcpCredentials => "internal_mcp_credentials",
    }
}

open_enum! {
    /// Result of the last connectivity check of an integration.
    pub enum ValidationStatus {
        /// The MCP endpoint answered.
        Ok => "ok",
        /// The MCP endpoint could not be reached or refused.
        Failed => "failed",
    }
}

open_enum! {
    /// Whether the calling user has a stored connection (token) for an integration.
    pub enum ConnectionStatus {
        /// A token is stored.
        Connected => "connected",
        /// No token is stored (never connected, or revoked).
        Disconnected => "disconnected",
    }
}

/// An integration: an MCP server that applications can be given access to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    /// Resource id (UUID).
    pub id: String,
    /// Display name, unique among the organization's non-archived integrations.
    pub name: String,
    /// URL of the MCP endpoint.
    pub url: String,
    /// How users authenticate to the MCP server.
    pub auth_mode: AuthMode,
    /// Where the MCP server runs.
    pub category: IntegrationCategory,
    /// What the server offers (`{tools?, resources?, prompts?}`); shape is server-defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    /// OAuth provider details (for `authMode = oauth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<IntegrationOAuth>,
    /// JSON schema of the credentials users enter (for credential integrations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_schema: Option<Value>,
    /// Result of the last validation; absent (or null) until validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_status: Option<ValidationStatus>,
    /// Whether an organization-wide server token is stored (the token itself is never returned).
    #[serde(default)]
    pub server_token_configured: bool,
    /// When the integration was archived (ISO 8601); absent while it is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last modification time (ISO 8601).
    pub updated_at: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// OAuth provider details of an integration (`Integration.oauth`, and in create/update bodies).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationOAuth {
    /// Provider name, e.g. `github`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// OAuth issuer URL of the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Scopes requested from the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Body of `POST /integrations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreateIntegration {
    /// Display name (required).
    pub name: String,
    /// URL of the MCP endpoint (required).
    pub url: String,
    /// Where the server runs; server default `gateway_remote_mcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<IntegrationCategory>,
    /// How users authenticate; server default `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<AuthMode>,
    /// OAuth provider details (only with `authMode = oauth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<IntegrationOAuth>,
    /// What the server offers (`{tools?, resources?, prompts?}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    /// JSON schema of the credentials users enter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_schema: Option<Value>,
    /// The organization-wide token; required exactly when `authMode = server_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_token: Option<Secret>,
    /// Set to `true` to re-create (unarchive) an archived integration of the same name;
    /// without it that case is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_unarchive: Option<bool>,
}

impl CreateIntegration {
    /// A new integration with this name and MCP endpoint URL, server defaults elsewhere.
    #[must_use]
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self { name: name.into(), url: url.into(), ..Self::default() }
    }

    /// Sets the authentication mode.
    #[must_use]
    pub fn with_auth_mode(mut self, auth_mode: AuthMode) -> Self {
        self.auth_mode = Some(auth_mode);
        self
    }

    /// Sets the category.
    #[must_use]
    pub fn with_category(mut self, category: IntegrationCategory) -> Self {
        self.category = Some(category);
        self
    }

    /// Sets the OAuth provider details.
    #[must_use]
    pub fn with_oauth(mut self, oauth: IntegrationOAuth) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// Sets the organization-wide server token (use with [`AuthMode::ServerToken`]).
    #[must_use]
    pub fn with_server_token(mut self, token: impl Into<Secret>) -> Self {
        self.server_token = Some(token.into());
        self
    }
}

/// Body of `PATCH /integrations/:id`: only the fields given are changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdateIntegration {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New MCP endpoint URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New authentication mode; switching clears every stored per-user connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<AuthMode>,
    /// New OAuth provider details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<IntegrationOAuth>,
    /// New capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    /// New credential schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_schema: Option<Value>,
    /// New organization-wide server token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_token: Option<Secret>,
    /// Allow the update to unarchive an archived integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_unarchive: Option<bool>,
}

/// Query of `GET /integrations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListIntegrationsParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `POST /integrations`, `GET`/`PATCH /integrations/:id`: `{integration}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponse {
    /// The integration.
    pub integration: Integration,
}

/// Answer of `POST /integrations/:id/validate`, a connectivity check of the integration's MCP
/// endpoint (DECISIONS V2): `{status, message?, checkedAt, integration}` at the top level, which
/// is what the vendor's programs read. The decoder also takes the older `{validation: {status,
/// message?, checkedAt}}` and a bare `{integration}` (then `status` is the integration's
/// `validationStatus`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase", try_from = "ValidationWire")]
pub struct ValidationResponse {
    /// Outcome (`ok`, `failed`, or a value this SDK does not know); also stored as the
    /// integration's `validationStatus`.
    pub status: ValidationStatus,
    /// Human-readable detail, mostly on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the check ran (ISO 8601), when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// The integration after the check, when the server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<Integration>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// The validate answer in any of its three shapes, before [`ValidationResponse`] picks the
/// status from the right place.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidationWire {
    #[serde(default)]
    status: Option<ValidationStatus>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    checked_at: Option<String>,
    #[serde(default)]
    integration: Option<Integration>,
    /// The older wrapper: `{validation: {status, message?, checkedAt}}`.
    #[serde(default)]
    validation: Option<ValidationWrapped>,
    #[serde(flatten, default)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidationWrapped {
    #[serde(default)]
    status: Option<ValidationStatus>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    checked_at: Option<String>,
    #[serde(flatten, default)]
    extra: Map<String, Value>,
}

const NO_STATUS: &str = "the validate answer has no status (neither at the top level, in `validation`, nor as the integration's \
     `validationStatus`)";

impl ValidationResponse {
    /// The JSON text of any of the three shapes, rewritten as this model's one shape (what the
    /// bindings hand over, so every language reads `status` at the top level). Works on the JSON
    /// tree, the same rules as the typed decoder below, so that the WebAssembly engine carries no
    /// decoder of the integration model.
    pub(crate) fn normalize_json(text: &str) -> Result<String, String> {
        let mut answer: Map<String, Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(wrapped) = answer.remove("validation") {
            for (key, value) in wrapped.as_object().into_iter().flatten() {
                answer.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        if !answer.get("status").is_some_and(Value::is_string) {
            let stored = answer.get("integration").and_then(|i| i.get("validationStatus")).filter(|s| s.is_string());
            let stored = stored.cloned().ok_or(NO_STATUS)?;
            answer.insert("status".into(), stored);
        }
        Ok(crate::json_scan::text(&Value::Object(answer)))
    }
}

impl TryFrom<ValidationWire> for ValidationResponse {
    type Error = String;

    fn try_from(wire: ValidationWire) -> Result<Self, String> {
        let ValidationWire { status, message, checked_at, integration, validation, mut extra } = wire;
        // Top level first (V2), then the wrapper, then the integration's stored status.
        let (wrapped_status, wrapped_message, wrapped_checked_at) = match validation {
            Some(w) => {
                for (key, value) in w.extra {
                    extra.entry(key).or_insert(value);
                }
                (w.status, w.message, w.checked_at)
            }
            None => (None, None, None),
        };
        let status = status
            .or(wrapped_status)
            .or_else(|| integration.as_ref().and_then(|i| i.validation_status.clone()))
            .ok_or(NO_STATUS)?;
        Ok(ValidationResponse {
            status,
            message: message.or(wrapped_message),
            checked_at: checked_at.or(wrapped_checked_at),
            integration,
            extra,
        })
    }
}

/// An integration's own OAuth app (overrides the platform-managed one). The client secret is
/// never returned, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationOAuthConfig {
    /// Client id at the provider.
    pub client_id: String,
    /// Whether a client secret is stored.
    #[serde(default)]
    pub client_secret_configured: bool,
    /// The provider's authorization endpoint.
    pub authorization_url: String,
    /// The provider's token endpoint.
    pub token_url: String,
    /// Scopes requested from the provider.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Answer of `GET`/`PUT /integrations/:id/oauth`: `{oauth}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationOAuthConfigResponse {
    /// The integration's OAuth app.
    pub oauth: IntegrationOAuthConfig,
}

/// Body of `PUT /integrations/:id/oauth`: replaces the integration's own OAuth app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SetIntegrationOAuthConfig {
    /// Client id at the provider.
    pub client_id: String,
    /// Client secret at the provider.
    pub client_secret: Secret,
    /// The provider's authorization endpoint.
    pub authorization_url: String,
    /// The provider's token endpoint.
    pub token_url: String,
    /// Scopes to request from the provider.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl SetIntegrationOAuthConfig {
    /// An OAuth app with these client credentials and provider endpoints, and no scopes.
    #[must_use]
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        authorization_url: impl Into<String>,
        token_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authorization_url: authorization_url.into(),
            token_url: token_url.into(),
            scopes: Vec::new(),
        }
    }

    /// Sets the scopes.
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

/// Body of `POST /integrations/:id/connection`: stores the calling user's token
/// (`user_token` integrations).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AddConnection {
    /// The personal access token or API key.
    pub token: Secret,
    /// Label shown for the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// When the token expires (ISO 8601), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl AddConnection {
    /// A connection with this token.
    #[must_use]
    pub fn new(token: impl Into<Secret>) -> Self {
        Self { token: token.into(), ..Self::default() }
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the expiry (ISO 8601).
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: impl Into<String>) -> Self {
        self.expires_at = Some(expires_at.into());
        self
    }
}

/// The calling user's connection to an integration. The token itself is never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Whether a token is stored.
    pub status: ConnectionStatus,
    /// Label of the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// When the stored token expires (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// When the token was stored (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Answer of `POST`/`GET /integrations/:id/connection`: `{connection}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionResponse {
    /// The connection.
    pub connection: Connection,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integration_decodes_keeps_unknowns_and_round_trips() {
        let value = json!({"integration": {
            "id": "0b6c8f7e-0000-4000-8000-000000000001",
            "name": "GitHub",
            "url": "https://mcp.github.example/mcp",
            "authMode": "oauth",
            "category": "gateway_remote_mcp",
            "capabilities": {"tools": [], "resources": []},
            "oauth": {"provider": "github", "scopes": ["repo"], "pkce": true},
            "validationStatus": "degraded",
            "serverTokenConfigured": false,
            "createdAt": "2026-11-28T10:00:00Z",
            "updatedAt": "2026-11-28T10:00:00Z",
            "iconUrl": "https://cdn.example/gh.png"
        }});
        let resp: IntegrationResponse = serde_json::from_value(value.clone()).unwrap();
        let it = &resp.integration;
        assert_eq!(it.auth_mode, AuthMode::Oauth);
        assert_eq!(it.category, IntegrationCategory::GatewayRemoteMcp);
        assert_eq!(it.validation_status, Some(ValidationStatus::Unknown("degraded".into())));
        assert_eq!(it.oauth.as_ref().unwrap().extra["pkce"], true);
        assert_eq!(it.extra["iconUrl"], "https://cdn.example/gh.png");
        assert_eq!(serde_json::to_value(&resp).unwrap(), value);
    }

    #[test]
    fn integration_with_null_validation_and_no_server_token_flag_decodes() {
        let it: Integration = serde_json::from_value(json!({
            "id": "i", "name": "n", "url": "u", "authMode": "mcp_native", "category": "internal_mcp_credentials",
            "validationStatus": null, "createdAt": "c", "updatedAt": "u"
        }))
        .unwrap();
        assert_eq!(it.validation_status, None);
        assert!(!it.server_token_configured);
        assert_eq!(it.auth_mode, AuthMode::Unknown("mcp_native".into()));
        assert_eq!(it.category, IntegrationCategory::InternalMcpCredentials);
    }

    #[test]
    fn create_and_update_bodies() {
        assert_eq!(
            serde_json::to_value(CreateIntegration::new("Jira", "https://jira.example/mcp")).unwrap(),
            json!({"name": "Jira", "url": "https://jira.example/mcp"})
        );
        let body = CreateIntegration::new("Jira", "https://jira.example/mcp")
            .with_auth_mode(AuthMode::ServerToken)
            .with_category(IntegrationCategory::GatewayRemoteMcp)
            .with_server_token("srv_TOKEN_SECRET");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"name": "Jira", "url": "https://jira.example/mcp", "category": "gateway_remote_mcp",
                   "authMode": "server_token", "serverToken": "srv_TOKEN_SECRET"})
        );
        assert!(!format!("{body:?}").contains("srv_TOKEN_SECRET"));

        let update = UpdateIntegration {
            auth_mode: Some(AuthMode::UserToken),
            confirm_unarchive: Some(true),
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&update).unwrap(), json!({"authMode": "user_token", "confirmUnarchive": true}));
        let parsed: UpdateIntegration = serde_json::from_value(json!({"serverToken": "x"})).unwrap();
        assert_eq!(parsed.server_token.unwrap().expose(), "x");
        assert_eq!(
            serde_json::to_value(ListIntegrationsParams { limit: Some(5), cursor: None }).unwrap(),
            json!({"limit": 5})
        );
    }

    #[test]
    fn validation_answer_at_the_top_level() {
        // V2: what the emulator sends and the vendor's programs read.
        let value = json!({"status": "failed", "message": "connection refused", "checkedAt": "2026-11-28T10:00:00Z",
            "integration": integration_json("failed"), "latencyMs": 12});
        let v: ValidationResponse = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(v.status, ValidationStatus::Failed);
        assert_eq!(v.message.as_deref(), Some("connection refused"));
        assert_eq!(v.checked_at.as_deref(), Some("2026-11-28T10:00:00Z"));
        assert_eq!(v.integration.as_ref().unwrap().validation_status, Some(ValidationStatus::Failed));
        assert_eq!(v.extra["latencyMs"], 12);
        assert_eq!(serde_json::to_value(&v).unwrap(), value);
        // An open enum: a status this SDK does not know survives.
        let v: ValidationResponse = serde_json::from_value(json!({"status": "degraded"})).unwrap();
        assert_eq!(v.status, ValidationStatus::Unknown("degraded".into()));
    }

    #[test]
    fn validation_answer_in_the_old_wrapper() {
        let value = json!({"validation": {"status": "ok", "checkedAt": "2026-11-28T10:00:00Z", "latencyMs": 3}});
        let v: ValidationResponse = serde_json::from_value(value).unwrap();
        assert_eq!(v.status, ValidationStatus::Ok);
        assert_eq!(v.message, None);
        assert_eq!(v.checked_at.as_deref(), Some("2026-11-28T10:00:00Z"));
        assert_eq!(v.integration, None);
        assert_eq!(v.extra["latencyMs"], 3);
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"status": "ok", "checkedAt": "2026-11-28T10:00:00Z", "latencyMs": 3})
        );
    }

    #[test]
    fn validation_answer_as_a_bare_integration() {
        // The vendor's Rust port decodes `{integration}` (spec-2 §8.1).
        let v: ValidationResponse = serde_json::from_value(json!({"integration": integration_json("failed")})).unwrap();
        assert_eq!(v.status, ValidationStatus::Failed);
        assert_eq!((v.message, v.checked_at), (None, None));
        assert_eq!(v.integration.unwrap().name, "github");
        // Nothing to read a status from: a decode error, not a made-up status.
        let e =
            serde_json::from_value::<ValidationResponse>(json!({"integration": integration_json_null()})).unwrap_err();
        assert!(e.to_string().contains("no status"), "{e}");
        assert!(serde_json::from_value::<ValidationResponse>(json!({})).is_err());
    }

    /// The JSON-text path (bindings) and the typed path agree on every shape.
    #[test]
    fn every_shape_is_handed_over_as_the_top_level_one() {
        let shapes = [
            json!({"status": "ok", "checkedAt": "t", "integration": integration_json("ok")}),
            json!({"validation": {"status": "failed", "message": "m", "checkedAt": "t", "latencyMs": 3}}),
            json!({"integration": integration_json("failed")}),
            json!({"status": "degraded", "validation": {"status": "ok", "message": "older"}}),
        ];
        for shape in shapes {
            let text = ValidationResponse::normalize_json(&shape.to_string()).unwrap();
            let normalized: Value = serde_json::from_str(&text).unwrap();
            assert!(normalized.get("validation").is_none() && normalized["status"].is_string(), "{normalized}");
            let typed: ValidationResponse = serde_json::from_value(shape.clone()).unwrap();
            assert_eq!(serde_json::to_value(&typed).unwrap(), normalized, "{shape}");
        }
        for bad in [json!({}), json!({"status": null}), json!({"integration": integration_json_null()})] {
            let e = ValidationResponse::normalize_json(&bad.to_string()).unwrap_err();
            assert!(e.contains("no status"), "{bad}: {e}");
            assert!(serde_json::from_value::<ValidationResponse>(bad).is_err());
        }
    }

    fn integration_json(status: &str) -> Value {
        let mut v = integration_json_null();
        v["validationStatus"] = json!(status);
        v
    }

    fn integration_json_null() -> Value {
        json!({"id": "6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11", "name": "github", "url": "https://mcp.example/mcp",
               "authMode": "oauth", "category": "remote", "serverTokenConfigured": false,
               "createdAt": "c", "updatedAt": "u"})
    }

    #[test]
    fn oauth_config_set_and_get() {
        let body = SetIntegrationOAuthConfig::new("cid", "csecret_SECRET", "https://p/auth", "https://p/token")
            .with_scopes(["read", "write"]);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"clientId": "cid", "clientSecret": "csecret_SECRET", "authorizationUrl": "https://p/auth",
                   "tokenUrl": "https://p/token", "scopes": ["read", "write"]})
        );
        assert!(!format!("{body:?}").contains("csecret_SECRET"));

        let value = json!({"oauth": {"clientId": "cid", "clientSecretConfigured": true,
            "authorizationUrl": "https://p/auth", "tokenUrl": "https://p/token", "scopes": ["read"],
            "source": "integration"}});
        let got: IntegrationOAuthConfigResponse = serde_json::from_value(value.clone()).unwrap();
        assert!(got.oauth.client_secret_configured);
        assert_eq!(got.oauth.extra["source"], "integration");
        assert_eq!(serde_json::to_value(&got).unwrap(), value);
    }

    #[test]
    fn connections() {
        let add = AddConnection::new("ghp_PAT_SECRET").with_display_name("work");
        assert_eq!(serde_json::to_value(&add).unwrap(), json!({"token": "ghp_PAT_SECRET", "displayName": "work"}));
        assert!(!format!("{add:?}").contains("ghp_PAT_SECRET"));

        let value = json!({"connection": {"status": "connected", "displayName": "work",
            "expiresAt": "2027-01-01T00:00:00Z", "connectedAt": "2026-11-28T10:00:00Z", "scopes": ["repo"]}});
        let c: ConnectionResponse = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(c.connection.status, ConnectionStatus::Connected);
        assert_eq!(serde_json::to_value(&c).unwrap(), value);

        let c: Connection = serde_json::from_value(json!({"status": "pending"})).unwrap();
        assert_eq!(c.status, ConnectionStatus::Unknown("pending".into()));
        assert_eq!(serde_json::to_value(&c).unwrap(), json!({"status": "pending"}));
    }
}
