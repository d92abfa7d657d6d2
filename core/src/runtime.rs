//! The seam between native (tokio + reqwest/hyper) and wasm32 (fetch + JS timers).
//!
//! Everything above this file is target-independent: the retry loop, backoff sleeps and timeouts
//! behave the same in a browser as on a server.

use std::time::Duration;

/// Waits without blocking the executor.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Waits without blocking the executor.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn sleep(duration: Duration) {
    gloo_timers::future::sleep(duration).await;
}

/// Builds the HTTP transport.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn http_client(user_agent: &str) -> crate::Result<reqwest::Client> {
    // reqwest is built without a bundled crypto provider (`rustls-no-provider`); ring keeps
    // builds fast and portable. Installing fails harmlessly if the host app chose one already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| crate::Error::config(format!("could not build the HTTP client: {}", crate::http::error_chain(&e))))
}

/// Builds the HTTP transport (the platform `fetch`).
#[cfg(target_arch = "wasm32")]
pub(crate) fn http_client(_user_agent: &str) -> crate::Result<reqwest::Client> {
    // Browsers forbid setting User-Agent from script; the binding identifies itself with
    // `x-kontext-client` instead (see http.rs).
    reqwest::Client::builder()
        .build()
        .map_err(|e| crate::Error::config(format!("could not build the HTTP client: {e}")))
}

/// A uniform random number in `[0, 1)` for jitter.
pub(crate) fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}
