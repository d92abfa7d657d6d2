//! The control API as methods of a running [`Emulator`], for tests written in Rust: the same
//! operations as `/_emulator/*` (and as the Python and JS helpers), without HTTP.
//!
//! ```no_run
//! use std::time::Duration;
//! use kontext_management_emulator::{Emulator, Fault};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let emu = Emulator::start().await?;
//! emu.fault(Fault::status(503).path("/api/v1/applications").times(1)).expect("a valid rule");
//! emu.advance_clock(Duration::from_secs(3601)).expect("within 100 years");
//! for r in emu.requests() {
//!     println!("{} {} -> {:?}", r.method, r.path, r.status);
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::control;
use crate::errors::ApiError;
use crate::server::Emulator;

/// A control call the emulator refused, with the message `/_emulator/*` would have answered
/// (e.g. `status must be an HTTP status between 100 and 599`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlError {
    pub message: String,
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the emulator refused the control call: {}", self.message)
    }
}

impl std::error::Error for ControlError {}

impl From<ApiError> for ControlError {
    fn from(e: ApiError) -> Self {
        ControlError { message: e.message }
    }
}

/// A fault rule (`POST /_emulator/faults`): which requests it answers and how. Rules are checked
/// in the order they were added; each answers `times` matching requests (default 1), then is gone.
///
/// `Fault::status(429).header("retry-after", "1")`, `Fault::drop_connection().method("POST")`.
#[derive(Debug, Clone, Default)]
pub struct Fault {
    rule: Map<String, Value>,
}

impl Fault {
    /// Answers with this status (and an error body `{message, statusCode}` unless [`Fault::body`]).
    pub fn status(status: u16) -> Fault {
        Fault::default().set("status", json!(status))
    }

    /// Waits `delay`, then lets the request through.
    pub fn delay(delay: Duration) -> Fault {
        Fault::default().set("action", json!("delay")).delay_ms(delay)
    }

    /// Breaks the connection mid-response.
    pub fn drop_connection() -> Fault {
        Fault::default().set("action", json!("drop"))
    }

    /// 200 announcing more bytes than it sends, then closes.
    pub fn truncate() -> Fault {
        Fault::default().set("action", json!("truncate"))
    }

    /// 200 `application/json` whose body is not JSON.
    pub fn malformed() -> Fault {
        Fault::default().set("action", json!("malformed"))
    }

    /// Only this HTTP method (any when not set).
    pub fn method(self, method: &str) -> Fault {
        self.set("method", json!(method))
    }

    /// Only paths matching this glob (`*` matches anything, `/` included; the query is not part
    /// of the path). Any path when not set.
    pub fn path(self, glob: &str) -> Fault {
        self.set("path", json!(glob))
    }

    /// How many matching requests the rule answers (default 1).
    pub fn times(self, n: u64) -> Fault {
        self.set("times", json!(n))
    }

    /// Lets the first `n` matching requests through first.
    pub fn skip(self, n: u64) -> Fault {
        self.set("skip", json!(n))
    }

    /// A response header (e.g. `retry-after`).
    pub fn header(mut self, name: &str, value: &str) -> Fault {
        let headers = self.rule.entry("headers").or_insert_with(|| json!({}));
        if let Value::Object(map) = headers {
            map.insert(name.to_owned(), json!(value));
        }
        self
    }

    /// The response body: JSON, or a string sent as-is.
    pub fn body(self, body: Value) -> Fault {
        self.set("body", body)
    }

    /// Waits this long before answering (or, for [`Fault::delay`], before handling).
    pub fn delay_ms(self, delay: Duration) -> Fault {
        self.set("delayMs", json!(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)))
    }

    fn set(mut self, key: &str, value: Value) -> Fault {
        self.rule.insert(key.to_owned(), value);
        self
    }
}

/// How many records `POST /_emulator/seed` adds, per kind (all 0 unless set; at most 1000 each).
#[derive(Debug, Clone, Default)]
pub struct Seed {
    pub applications: u64,
    pub integrations: u64,
    pub service_accounts: u64,
    pub sessions: u64,
    pub traces: u64,
    pub decisions: u64,
    /// The application the sessions belong to (default: the first seeded or existing one).
    pub application_id: Option<String>,
}

/// The ids of the records [`Emulator::seed`] added.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Seeded {
    pub application_ids: Vec<String>,
    pub integration_ids: Vec<String>,
    pub service_account_ids: Vec<String>,
    pub session_ids: Vec<String>,
    pub trace_ids: Vec<String>,
    pub decision_ids: Vec<String>,
}

/// One entry of the request log (`GET /_emulator/requests`): every request but the control API's,
/// in arrival order. Header names are lower-case and credentials redacted (`Bearer [redacted]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    /// `None` when the connection was dropped (or the client went away) before an answer.
    pub status: Option<u16>,
    /// Arrival time on the emulator's clock (RFC 3339).
    pub at: String,
    /// The id of the fault rule that answered it, if one did.
    pub fault: Option<String>,
}

impl Emulator {
    /// A fresh organization (only the bootstrap account), the start options' settings, no fault
    /// rules, an empty request log and the clock back to wall time.
    pub fn reset(&self) -> Result<(), ControlError> {
        Ok(self.state.reset(None)?)
    }

    /// Adds deterministic, believable records to the organization.
    pub fn seed(&self, seed: Seed) -> Result<Seeded, ControlError> {
        let mut body = Map::new();
        for (key, n) in [
            ("applications", seed.applications),
            ("integrations", seed.integrations),
            ("serviceAccounts", seed.service_accounts),
            ("sessions", seed.sessions),
            ("traces", seed.traces),
            ("decisions", seed.decisions),
        ] {
            body.insert(key.into(), json!(n));
        }
        if let Some(id) = seed.application_id {
            body.insert("applicationId".into(), json!(id));
        }
        let seeded = control::seed_from(&self.state, &body)?;
        serde_json::from_value(seeded.to_json()).map_err(|e| ControlError { message: e.to_string() })
    }

    /// Adds a fault rule; returns its id (`fault_1`, ...).
    pub fn fault(&self, fault: Fault) -> Result<String, ControlError> {
        Ok(self.state.faults.add(&fault.rule)?)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Moves the emulator's clock forward (token, code and session expiry; the rate-limit
    /// window); whole seconds, at most 100 years.
    pub fn advance_clock(&self, by: Duration) -> Result<(), ControlError> {
        control::advance(&self.state, by.as_secs())?;
        Ok(())
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let log = self.state.log.to_json();
        serde_json::from_value(log["items"].clone()).unwrap_or_default()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }

    /// Every access token issued so far stops working (the next call with one gets a 401);
    /// returns how many were revoked.
    pub fn revoke_tokens(&self) -> Result<usize, ControlError> {
        Ok(control::revoke_access_tokens(&self.state)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_rules_are_the_control_apis_json() {
        let f = Fault::status(429).path("/api/v1/*").times(2).header("retry-after", "1").method("GET");
        assert_eq!(
            Value::Object(f.rule),
            json!({"status": 429, "path": "/api/v1/*", "times": 2, "headers": {"retry-after": "1"}, "method": "GET"})
        );
        let f = Fault::delay(Duration::from_millis(250)).skip(1);
        assert_eq!(Value::Object(f.rule), json!({"action": "delay", "delayMs": 250, "skip": 1}));
    }
}
