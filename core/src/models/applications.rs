//! Applications: the OAuth clients AI agents connect through, their OAuth settings, their
//! attached integrations and the organization's access graph.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use crate::Secret;

open_enum! {
    /// OAuth client type of an application.
    pub enum OAuthClientType {
        /// No client secret; the app proves itself with PKCE only (CLIs, desktop and browser apps).
        Public => "public",
        /// Has a client secret (server-side apps). The server's default when no type is given.
        Confidential => "confidential",
    }
}

open_enum! {
    /// Kind of node in the [`AccessGraph`].
    pub enum AccessGraphNodeType {
        /// An application.
        Application => "application",
        /// An integration.
        Integration => "integration",
    }
}

/// An application: an OAuth client through which AI agents reach the organization's
/// integrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Resource id (UUID); use it in `/applications/:id` paths.
    pub id: String,
    /// Display name, unique among the organization's non-archived applications.
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// OAuth client id (`app_<uuid>`), mirroring `oauth.clientId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last modification time (ISO 8601).
    pub updated_at: String,
    /// When the application was archived (ISO 8601); absent while it is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// Counts of the application's agent sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<ApplicationSessionCounts>,
    /// "Bring your own auth" settings (partner-issued JWTs accepted for this application).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_auth: Option<ExternalAuth>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Agent-session counts of an application (`Application.sessions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSessionCounts {
    /// Sessions connected and recently active.
    #[serde(default)]
    pub active: u64,
    /// Sessions connected but quiet.
    #[serde(default)]
    pub idle: u64,
    /// Sessions still connected (active + idle).
    #[serde(default)]
    pub live: u64,
    /// All sessions, including expired and disconnected ones.
    #[serde(default)]
    pub total: u64,
}

/// OAuth settings of an application (`GET /applications/:id/oauth`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationOAuth {
    /// Public or confidential client.
    pub r#type: OAuthClientType,
    /// OAuth client id (`app_<uuid>`).
    pub client_id: String,
    /// The client secret. Only present in the answers of create and rotate-secret, and only for
    /// confidential applications: store it at once, it is never shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// Whether the authorization-code flow must use PKCE.
    #[serde(default)]
    pub pkce_required: bool,
    /// Scopes the application may request.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Allowed redirect URIs of the authorization-code flow.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Resource indicators (RFC 8707) the application may request tokens for.
    #[serde(default)]
    pub allowed_resources: Vec<String>,
    /// Authorization endpoint to send users to.
    #[serde(default)]
    pub authorization_url: String,
    /// Token endpoint.
    #[serde(default)]
    pub token_url: String,
    /// URL of the MCP gateway the application's agents connect to.
    #[serde(default)]
    pub gateway_url: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// "Bring your own auth": lets a partner's own JWTs identify users of a confidential
/// application. Read back on [`Application::external_auth`], written with
/// [`UpdateApplication::external_auth`]; every field is optional so a write can be partial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ExternalAuth {
    /// Whether partner tokens are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Expected `iss` of partner tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Where the partner's signing keys are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    /// Expected `aud` of partner tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Accepted JWS algorithms, e.g. `["RS256"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_algorithms: Option<Vec<String>>,
    /// Claims (name → required value) every partner token must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_claims: Option<Map<String, Value>>,
    /// URLs users may be sent back to after connecting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_return_urls: Option<Vec<String>>,
    /// Oldest accepted partner token, in seconds since its `iat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_token_age_seconds: Option<u64>,
    /// Write-only: the partner API key. The server never returns it; see
    /// [`partner_api_key_configured`](Self::partner_api_key_configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_api_key: Option<Secret>,
    /// Read-only: whether a partner API key is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_api_key_configured: Option<bool>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Body of `POST /applications`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreateApplication {
    /// Display name (required, unique among non-archived applications).
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// OAuth settings of the new client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<CreateApplicationOAuth>,
}

impl CreateApplication {
    /// A new application with this name and the server's OAuth defaults.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the OAuth settings.
    #[must_use]
    pub fn with_oauth(mut self, oauth: CreateApplicationOAuth) -> Self {
        self.oauth = Some(oauth);
        self
    }
}

/// OAuth part of [`CreateApplication`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreateApplicationOAuth {
    /// Client type; the server defaults to confidential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<OAuthClientType>,
    /// Allowed redirect URIs (required by the API; may be empty for machine-only clients).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Whether PKCE is required; the server defaults to `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce_required: Option<bool>,
    /// Scopes the application may request, e.g. `["mcp:invoke"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Resource indicators the application may request, e.g. `["mcp-gateway"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_resources: Option<Vec<String>>,
}

impl CreateApplicationOAuth {
    /// OAuth settings with these redirect URIs and server defaults for everything else.
    #[must_use]
    pub fn new<I, S>(redirect_uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { redirect_uris: redirect_uris.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Sets the client type.
    #[must_use]
    pub fn with_type(mut self, kind: OAuthClientType) -> Self {
        self.r#type = Some(kind);
        self
    }

    /// Sets the scopes.
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the allowed resource indicators.
    #[must_use]
    pub fn with_allowed_resources<I, S>(mut self, resources: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_resources = Some(resources.into_iter().map(Into::into).collect());
        self
    }

    /// Sets whether PKCE is required.
    #[must_use]
    pub fn with_pkce_required(mut self, required: bool) -> Self {
        self.pkce_required = Some(required);
        self
    }
}

/// Body of `PATCH /applications/:id`: only the fields given are changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdateApplication {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New "bring your own auth" settings (confidential applications only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_auth: Option<ExternalAuth>,
}

/// Body of `PATCH /applications/:id/oauth`: only the fields given are changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdateApplicationOAuth {
    /// New client type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<OAuthClientType>,
    /// Whether PKCE is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce_required: Option<bool>,
    /// Replaces the scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Replaces the redirect URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    /// Replaces the allowed resource indicators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_resources: Option<Vec<String>>,
}

/// Body of `PUT /applications/:id/integrations`: the complete new set of attached integrations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SetIntegrations {
    /// Integration ids (UUIDs); replaces the current set (an empty list detaches every one).
    pub integration_ids: Vec<String>,
}

impl SetIntegrations {
    /// The set of integrations to attach (every other one is detached).
    #[must_use]
    pub fn new<I, S>(integration_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { integration_ids: integration_ids.into_iter().map(Into::into).collect() }
    }
}

/// Query of `GET /applications`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListApplicationsParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Whole organization instead of the caller's own applications (admins and owners; service
    /// accounts always see the whole organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
}

/// Query of `GET /applications/access-graph`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AccessGraphParams {
    /// Add policy overlays to the graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_policy: Option<bool>,
}

/// Answer of `GET /applications/:id` and `PATCH /applications/:id`: `{application}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationResponse {
    /// The application.
    pub application: Application,
}

/// Answer of `POST /applications`: `{application, oauth}`. `oauth.clientSecret` (confidential
/// applications) is shown only here and on rotate: store it at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CreatedApplication {
    /// The new application.
    pub application: Application,
    /// Its OAuth settings, with the client secret.
    pub oauth: ApplicationOAuth,
}

/// Answer of `GET`/`PATCH /applications/:id/oauth` and `POST /applications/:id/rotate-secret`:
/// `{oauth}`. After a rotation `oauth.clientSecret` holds the new secret; the old one stops
/// working at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct OAuthResponse {
    /// The OAuth settings.
    pub oauth: ApplicationOAuth,
}

/// Answer of `GET`/`PUT /applications/:id/integrations`: `{integrationIds}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IntegrationIds {
    /// Ids of the attached integrations.
    #[serde(default)]
    pub integration_ids: Vec<String>,
}

/// Answer of `DELETE /applications/:id/sessions`: `{success, disconnectedCount}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct RevokedSessions {
    /// Whether the revocation went through.
    #[serde(default)]
    pub success: bool,
    /// How many sessions were disconnected.
    #[serde(default)]
    pub disconnected_count: u64,
}

/// Answer of `GET /applications/access-graph`: applications and integrations as nodes,
/// attachments as edges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AccessGraph {
    /// Applications and integrations.
    #[serde(default)]
    pub nodes: Vec<AccessGraphNode>,
    /// Links between nodes (an application → an attached integration).
    #[serde(default)]
    pub edges: Vec<AccessGraphEdge>,
}

/// A node of the [`AccessGraph`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AccessGraphNode {
    /// Id of the application or integration.
    pub id: String,
    /// What the node is.
    pub r#type: AccessGraphNodeType,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Further fields (e.g. policy overlays with `includePolicy=true`).
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// An edge of the [`AccessGraph`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AccessGraphEdge {
    /// Id of the node the edge starts at (usually an application).
    pub source: String,
    /// Id of the node the edge ends at (usually an integration).
    pub target: String,
    /// Kind of link, e.g. `attached`.
    #[serde(default)]
    pub r#type: String,
    /// Further fields (e.g. policy overlays with `includePolicy=true`).
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app_json() -> Value {
        json!({
            "id": "6f1c2a9e-1b2c-4d5e-8f90-1234567890ab",
            "name": "Support bot",
            "description": "Answers tickets",
            "clientId": "app_6f1c2a9e-1b2c-4d5e-8f90-1234567890ab",
            "createdAt": "2026-11-28T10:00:00.000Z",
            "updatedAt": "2026-11-28T10:05:00.000Z",
            "sessions": {"active": 1, "idle": 2, "live": 3, "total": 7},
            "externalAuth": {
                "enabled": true,
                "issuer": "https://partner.example",
                "jwksUrl": "https://partner.example/.well-known/jwks.json",
                "audience": "kontext",
                "allowedAlgorithms": ["RS256"],
                "requiredClaims": {"tenant": "acme"},
                "allowedReturnUrls": ["https://partner.example/done"],
                "maxTokenAgeSeconds": 600,
                "partnerApiKeyConfigured": true
            },
            "ownerTeam": "platform"
        })
    }

    #[test]
    fn application_decodes_and_keeps_unknown_fields() {
        let value = app_json();
        let app: Application = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(app.name, "Support bot");
        assert_eq!(app.client_id.as_deref(), Some("app_6f1c2a9e-1b2c-4d5e-8f90-1234567890ab"));
        assert_eq!(app.archived_at, None);
        assert_eq!(app.sessions.as_ref().unwrap().total, 7);
        let ext = app.external_auth.as_ref().unwrap();
        assert_eq!(ext.max_token_age_seconds, Some(600));
        assert_eq!(ext.partner_api_key_configured, Some(true));
        assert_eq!(app.extra["ownerTeam"], "platform");
        assert_eq!(serde_json::to_value(&app).unwrap(), value);
    }

    #[test]
    fn created_application_keeps_unknown_enum_and_redacts_secret() {
        let value = json!({
            "application": app_json(),
            "oauth": {
                "type": "first_party",
                "clientId": "app_6f1c2a9e-1b2c-4d5e-8f90-1234567890ab",
                "clientSecret": "app_secret_TOPSECRET",
                "pkceRequired": true,
                "scopes": ["mcp:invoke"],
                "redirectUris": ["https://app.example/callback"],
                "allowedResources": ["mcp-gateway"],
                "authorizationUrl": "https://api.kontext.security/oauth2/auth",
                "tokenUrl": "https://api.kontext.security/oauth2/token",
                "gatewayUrl": "https://gateway.kontext.security/mcp",
                "rotatedBy": "sa_1"
            }
        });
        let created: CreatedApplication = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(created.oauth.r#type, OAuthClientType::Unknown("first_party".into()));
        assert_eq!(created.oauth.client_secret.as_ref().unwrap().expose(), "app_secret_TOPSECRET");
        assert_eq!(serde_json::to_value(&created).unwrap(), value);
        let dump = format!("{created:?}");
        assert!(!dump.contains("TOPSECRET"), "{dump}");
        assert!(dump.contains("[redacted]"));
    }

    #[test]
    fn public_oauth_without_secret_decodes() {
        let oauth: OAuthResponse = serde_json::from_value(json!({"oauth": {
            "type": "public", "clientId": "app_x", "pkceRequired": true, "scopes": [],
            "redirectUris": ["http://127.0.0.1:8976/callback"], "allowedResources": [],
            "authorizationUrl": "a", "tokenUrl": "t", "gatewayUrl": "g"
        }}))
        .unwrap();
        assert_eq!(oauth.oauth.r#type, OAuthClientType::Public);
        assert!(oauth.oauth.client_secret.is_none());
        assert!(!serde_json::to_value(&oauth).unwrap()["oauth"].as_object().unwrap().contains_key("clientSecret"));
    }

    #[test]
    fn create_application_serializes_camel_case_and_omits_absent_fields() {
        let minimal = CreateApplication::new("bot");
        assert_eq!(serde_json::to_value(&minimal).unwrap(), json!({"name": "bot"}));

        let full = CreateApplication::new("bot").with_description("d").with_oauth(
            CreateApplicationOAuth::new(["https://app.example/cb"])
                .with_type(OAuthClientType::Confidential)
                .with_pkce_required(true)
                .with_scopes(["mcp:invoke"])
                .with_allowed_resources(["mcp-gateway"]),
        );
        assert_eq!(
            serde_json::to_value(&full).unwrap(),
            json!({"name": "bot", "description": "d", "oauth": {
                "type": "confidential", "redirectUris": ["https://app.example/cb"],
                "pkceRequired": true, "scopes": ["mcp:invoke"], "allowedResources": ["mcp-gateway"]
            }})
        );
        let back: CreateApplication = serde_json::from_value(serde_json::to_value(&full).unwrap()).unwrap();
        assert_eq!(back, full);

        let oauth_only = CreateApplicationOAuth::new(Vec::<String>::new());
        assert_eq!(serde_json::to_value(&oauth_only).unwrap(), json!({"redirectUris": []}));
    }

    #[test]
    fn update_bodies_send_only_given_fields_and_keep_partner_key_secret() {
        assert_eq!(serde_json::to_value(UpdateApplication::default()).unwrap(), json!({}));
        let update = UpdateApplication {
            name: Some("renamed".into()),
            external_auth: Some(ExternalAuth {
                enabled: Some(true),
                partner_api_key: Some(Secret::new("pk_live_SECRET")),
                ..ExternalAuth::default()
            }),
            ..UpdateApplication::default()
        };
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"name": "renamed", "externalAuth": {"enabled": true, "partnerApiKey": "pk_live_SECRET"}})
        );
        assert!(!format!("{update:?}").contains("pk_live_SECRET"));

        let oauth = UpdateApplicationOAuth { scopes: Some(vec!["a".into()]), ..Default::default() };
        assert_eq!(serde_json::to_value(&oauth).unwrap(), json!({"scopes": ["a"]}));
    }

    #[test]
    fn integration_ids_and_params() {
        let body = SetIntegrations::new(["i1", "i2"]);
        assert_eq!(serde_json::to_value(&body).unwrap(), json!({"integrationIds": ["i1", "i2"]}));
        let ids: IntegrationIds = serde_json::from_value(json!({"integrationIds": ["i2"]})).unwrap();
        assert_eq!(ids.integration_ids, ["i2"]);

        let params = ListApplicationsParams { limit: Some(200), all: Some(true), ..Default::default() };
        assert_eq!(serde_json::to_value(&params).unwrap(), json!({"limit": 200, "all": true}));
        let graph = AccessGraphParams { include_policy: Some(false) };
        assert_eq!(serde_json::to_value(&graph).unwrap(), json!({"includePolicy": false}));
        let parsed: ListApplicationsParams = serde_json::from_value(json!({"cursor": "abc"})).unwrap();
        assert_eq!(parsed.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn revoked_sessions_and_access_graph() {
        let revoked: RevokedSessions =
            serde_json::from_value(json!({"success": true, "disconnectedCount": 3})).unwrap();
        assert!(revoked.success);
        assert_eq!(revoked.disconnected_count, 3);

        let value = json!({
            "nodes": [
                {"id": "a1", "type": "application", "name": "App"},
                {"id": "i1", "type": "integration", "name": "GitHub", "authMode": "oauth"},
                {"id": "u1", "type": "user", "name": "Ada"}
            ],
            "edges": [{"source": "a1", "target": "i1", "type": "attached", "policy": {"effect": "allow"}}]
        });
        let graph: AccessGraph = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(graph.nodes[0].r#type, AccessGraphNodeType::Application);
        assert_eq!(graph.nodes[2].r#type, AccessGraphNodeType::Unknown("user".into()));
        assert_eq!(graph.nodes[1].extra["authMode"], "oauth");
        assert_eq!(graph.edges[0].extra["policy"]["effect"], "allow");
        assert_eq!(serde_json::to_value(&graph).unwrap(), value);
    }
}
