//! Serde types of the Kontext Management API: resources, request bodies, query parameters and
//! the wrapper objects the API (and the official client) answer with.
//!
//! Everything is re-exported flat, so `kontext_management::models::Application` works without knowing which
//! file a type lives in. On the wire every object is camel case (except
//! [`AuthServerMetadata`], which follows RFC 8414's snake case); in Rust every field is
//! snake case.
//!
//! Two rules make the SDK keep working against a newer server:
//! - response objects keep fields they do not know in an `extra` map, which is written back
//!   unchanged when the object is serialized again;
//! - enums are "open": a value this version does not know decodes to `Unknown(String)`.
//!
//! Secrets (client secrets, tokens, API keys, PKCE verifiers) are [`crate::Secret`], whose
//! `Debug` and `Display` print `[redacted]`.

pub(crate) mod open_enum;

mod applications;
mod decisions;
mod integrations;
mod oauth;
mod policy;
mod policy_actions;
mod policy_history;
mod service_accounts;
mod sessions;
mod traces;
// Issue 23, admin surface: directory/SCIM, install tokens, releases, agent access.
mod directory;
mod install_tokens;
mod organization;
mod releases;

pub use applications::*;
pub use decisions::*;
pub use directory::*;
pub use install_tokens::*;
pub use integrations::*;
pub use oauth::*;
pub use organization::*;
pub use policy::*;
pub use policy_actions::*;
pub use policy_history::*;
pub use releases::*;
pub use service_accounts::*;
pub use sessions::*;
pub use traces::*;
