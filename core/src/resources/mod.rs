//! One handle per API resource, with the official client's method names in snake_case.
//!
//! Every method validates its arguments before sending anything, and returns the decoded
//! result wrapped in a [`crate::Response`] that also carries the request id.

mod agent_sessions;
mod applications;
mod decisions;
mod events;
mod integrations;
mod policy;
mod policy_actions;
mod service_accounts;
mod traces;
// Issue 23, admin surface.
mod compose;
mod directory;
mod install_tokens;
mod organization;
mod releases;

pub use agent_sessions::AgentSessions;
pub use applications::Applications;
pub use compose::Composite;
pub use decisions::Decisions;
pub use directory::{Directory, DirectoryGroups, DirectoryReconciliation, ScimTokens};
pub use events::Events;
pub use install_tokens::InstallTokens;
pub use integrations::Integrations;
pub use organization::Organization;
pub use policy::Policy;
pub use releases::Releases;
pub use service_accounts::ServiceAccounts;
pub use traces::Traces;
