//! Stored records. They serialize as-is into the SQLite key-value table, so they hold internal
//! fields (secret hashes, insertion sequence); the API's JSON views live in `crate::api`.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use uuid::Uuid;

pub trait Record: Clone + Serialize + DeserializeOwned {
    const KIND: &'static str;
    fn id(&self) -> Uuid;
    /// Monotonic insertion sequence: the sort key of cursor pagination.
    fn seq(&self) -> u64;
}

macro_rules! record {
    ($ty:ty, $kind:literal) => {
        impl Record for $ty {
            const KIND: &'static str = $kind;
            fn id(&self) -> Uuid {
                self.id
            }
            fn seq(&self) -> u64 {
                self.seq
            }
        }
    };
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Application {
    pub id: Uuid,
    pub seq: u64,
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
    /// Stored without the write-only `partnerApiKey`.
    pub external_auth: Option<Map<String, Value>>,
    pub oauth: AppOAuth,
    /// Attached integrations in attach order.
    pub integration_ids: Vec<Uuid>,
}
record!(Application, "application");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppOAuth {
    pub client_type: String,
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub pkce_required: bool,
    pub scopes: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_resources: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Integration {
    pub id: Uuid,
    pub seq: u64,
    pub name: String,
    pub url: String,
    pub category: String,
    pub auth_mode: String,
    pub oauth: Option<Map<String, Value>>,
    pub capabilities: Value,
    pub credential_schema: Option<Value>,
    pub server_token_hash: Option<String>,
    pub validation_status: Option<String>,
    pub validation_message: Option<String>,
    pub validated_at: Option<i64>,
    pub oauth_override: Option<OAuthOverride>,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
}
record!(Integration, "integration");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OAuthOverride {
    pub client_id: String,
    pub client_secret_hash: Option<String>,
    pub authorization_url: String,
    pub token_url: String,
    pub scopes: Vec<String>,
    pub updated_at: i64,
}

/// A per-user credential stored on an integration; keyed by (integration, subject).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub integration_id: Uuid,
    pub subject: String,
    pub display_name: Option<String>,
    pub expires_at: Option<i64>,
    pub connected_at: i64,
    pub token_hash: String,
}

impl Connection {
    pub const KIND: &'static str = "connection";

    pub fn key(&self) -> String {
        format!("{}:{}", self.integration_id, self.subject)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub id: Uuid,
    pub seq: u64,
    pub name: String,
    pub description: Option<String>,
    pub client_id: String,
    pub secret_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
    #[serde(default)]
    pub bootstrap: bool,
}
record!(ServiceAccount, "service_account");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: Uuid,
    pub seq: u64,
    pub app_id: Uuid,
    pub name: String,
    pub status: String,
    pub token_expires_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub connected_at: Option<i64>,
    pub disconnected_at: Option<i64>,
    pub created_at: i64,
    pub hostname: Option<String>,
    pub user_agent: Option<String>,
    pub client_info: Option<Value>,
}
record!(Session, "session");

/// Idle after this long without activity.
pub const IDLE_AFTER_MS: i64 = 5 * 60_000;

impl Session {
    pub fn derived_status(&self, now: i64) -> &'static str {
        if self.disconnected_at.is_some() || self.status == "disconnected" {
            "disconnected"
        } else if self.token_expires_at.is_some_and(|t| t < now) {
            "expired"
        } else if self.last_active_at.is_none_or(|t| now - t > IDLE_AFTER_MS) {
            "idle"
        } else {
            "active"
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trace {
    pub id: Uuid,
    pub seq: u64,
    pub session_id: Uuid,
    pub agent_id: Uuid,
    pub agent_name: String,
    pub owner_user_id: String,
    pub owner_email: String,
    pub agent_session_id: Option<Uuid>,
    pub agent_session_name: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub event_count: u64,
    pub ok_count: u64,
    pub warn_count: u64,
    pub error_count: u64,
}
record!(Trace, "trace");

pub const EVENT_STATUSES: [&str; 5] = ["ok", "warn", "error_remote", "error_proxy", "error_auth"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceEvent {
    pub id: Uuid,
    pub seq: u64,
    pub trace_id: Uuid,
    pub created_at: i64,
    pub session_id: Uuid,
    pub agent_id: Uuid,
    pub owner_user_id: String,
    pub api_key_id: Option<String>,
    pub event_type: String,
    pub status: String,
    pub duration_ms: Option<u64>,
    pub integration_id: Option<Uuid>,
    pub tool_name: Option<String>,
    pub error_message: Option<String>,
    pub bytes_in: Option<u64>,
    pub bytes_out: Option<u64>,
    pub request_json: Option<Value>,
    pub response_json: Option<Value>,
    pub parent_event_id: Option<Uuid>,
    pub agent_session_id: Option<Uuid>,
}
record!(TraceEvent, "event");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Decision {
    pub id: Uuid,
    pub seq: u64,
    pub occurred_at: i64,
    pub tool_name: String,
    pub session_id: Option<String>,
    pub installation_id: String,
    pub decision_result: String,
    pub decision_category: String,
    pub reason_code: String,
    pub provider: String,
    pub operation: String,
    pub risk_level: String,
    pub policy_version_id: Option<Uuid>,
    pub rollout_mode: Option<String>,
    pub application_id: Option<Uuid>,
}
record!(Decision, "decision");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: Uuid,
    pub seq: u64,
    pub text: String,
    pub text_hash: String,
    pub created_at: i64,
    /// What first produced this text (`policy_text` for `PUT /policy`, else the action kind).
    #[serde(default)]
    pub origin: String,
}
record!(PolicyVersion, "policy_version");

/// Organization-wide singletons, stored as one row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Org {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_email: String,
    pub created_at: i64,
    pub policy: Option<PolicyHead>,
    pub deployment: Deployment,
    pub settings: Settings,
    /// Bumped on every accepted write of the policy or the deployment; part of their ETags.
    pub revision: u64,
    /// The named policies of the two-slot deployment (`POST /policy/actions`), in the order
    /// they were added: every one observes, those marked `enforced` also enforce.
    #[serde(default)]
    pub policies: Vec<NamedPolicy>,
}

/// One `@id` policy of the two-slot deployment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedPolicy {
    pub id: String,
    /// Its whole statement, annotations included.
    pub source: String,
    pub enforced: bool,
    /// The template it came from, if any.
    pub template_id: Option<String>,
}

impl Org {
    pub const KIND: &'static str = "org";
    pub const KEY: &'static str = "current";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyHead {
    pub version_id: Uuid,
    pub updated_at: i64,
    pub revision: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    pub policy_version_id: Option<Uuid>,
    /// The observing slot (DECISIONS V5); `PUT /policy/deployment` leaves it as it is.
    #[serde(default)]
    pub observing_version_id: Option<Uuid>,
    pub rollout_mode: String,
    pub updated_at: i64,
    pub revision: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub policy_enabled: bool,
    pub payload_capture_mode: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    ServiceAccount(Uuid),
    User { user_id: Uuid, app_id: Uuid },
}

impl Subject {
    /// Stable key for per-user data such as integration connections.
    pub fn key(&self) -> String {
        match self {
            Subject::ServiceAccount(id) => format!("sa:{id}"),
            Subject::User { user_id, .. } => format!("user:{user_id}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub kind: TokenKind,
    pub client_id: String,
    pub subject: Subject,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

impl Token {
    pub const KIND: &'static str = "token";
}

/// An authorization code (memory only: it lives 60 seconds).
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub app_id: Uuid,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: i64,
}
