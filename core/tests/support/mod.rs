//! What the core's integration tests share: an in-process emulator with known credentials, and
//! its control API.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use kontext_management_emulator::{Emulator, Options};
use serde_json::Value;

/// An emulator on 127.0.0.1 that accepts exactly these credentials, without rate limiting.
/// Also installs the TLS provider the core uses: reqwest is built without one (see
/// core/src/runtime.rs), and the tests' own reqwest control client needs it too.
pub async fn emulator(client_id: &str, client_secret: &str) -> Emulator {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Emulator::start_with(Options {
        client_id: client_id.into(),
        client_secret: client_secret.into(),
        rate_limit_per_minute: 0,
        ..Options::default()
    })
    .await
    .expect("start the emulator")
}

/// The emulator's `/_emulator/*` API.
pub struct Control {
    pub http: reqwest::Client,
    base: String,
}

impl Control {
    pub fn new(base: &str) -> Self {
        Self { http: reqwest::Client::new(), base: base.to_owned() }
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let r = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.expect("control call");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    pub async fn get(&self, path: &str) -> Value {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.expect("control call");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.expect("control JSON")
    }

    /// Adds a fault rule (`{"method", "path", "status", "times", …}`).
    pub async fn fault(&self, rule: Value) {
        self.post("/_emulator/faults", rule).await;
    }
}
