//! `kontext-management-emulator`: a stateful local emulator of the Kontext Management API, as a
//! binary (`cargo install kontext-management-emulator`) and as a library for tests: an
//! in-process server on the test's tokio runtime, stopped when dropped, with the control API
//! (faults, clock, request log, seed, reset) as methods.
//!
//! ```no_run
//! use kontext_management_emulator::{Emulator, Fault};
//!
//! #[tokio::test]
//! async fn retries_a_503() {
//!     let emu = Emulator::start().await.expect("emulator");
//!     emu.fault(Fault::status(503).path("/api/v1/applications")).expect("fault");
//!     // ... call the code under test with emu.base_url(), emu.client_id(), emu.client_secret()
//!     let statuses: Vec<_> = emu.requests().iter().filter_map(|r| r.status).collect();
//!     assert!(statuses.contains(&503));
//! }
//! ```

mod api;
mod auth;
mod authorize;
mod cedar;
pub mod cli;
mod clock;
mod console;
mod control;
mod device;
mod errors;
mod extract;
mod faults;
/// Entry points for `cargo fuzz` (`tests/emulator/fuzz`; built only with `--cfg fuzzing`, and
/// for the unit tests that replay the committed seeds).
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;
mod gateway;
mod oauth;
mod origins;
mod pagination;
mod reqlog;
mod routes;
mod seed;
mod server;
mod state;
mod store;
mod testing;
mod util;

use std::path::PathBuf;

pub use server::Emulator;
pub use testing::{ControlError, Fault, LoggedRequest, Seed, Seeded};

/// How to run an emulator. `Default` is what tests want: loopback, a free port, in memory,
/// the bootstrap account `sa_local_dev` / `local-dev-secret`, tokens for an hour, 120
/// requests per minute per credential.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    /// SQLite file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Seed the organization at startup (amounts scale with N); ignored when `db` already
    /// holds data.
    pub seed: Option<u64>,
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl_seconds: u64,
    /// 0 turns the rate limit off.
    pub rate_limit_per_minute: u32,
    /// Serve this folder's static files at `/console/` (the admin console, `packages/console`);
    /// `None` (the default) serves nothing there.
    pub console_dir: Option<PathBuf>,
    /// Serve the device authorization grant (RFC 8628); hosted deployments do not.
    pub device_grant: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".into(),
            port: 0,
            db: None,
            seed: None,
            client_id: "sa_local_dev".into(),
            client_secret: "local-dev-secret".into(),
            token_ttl_seconds: 3600,
            rate_limit_per_minute: 120,
            console_dir: None,
            device_grant: true,
        }
    }
}
