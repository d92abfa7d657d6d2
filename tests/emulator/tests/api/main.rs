//! The management API over HTTP: every resource's happy path and main failures.

#[path = "../common/mod.rs"]
mod common;

mod applications;
mod integrations;
mod observability;
mod policy;
mod service_accounts;
