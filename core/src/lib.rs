//! # kontext-management
//!
//! A client for the [Kontext](https://kontext.security) Management API — applications and their
//! OAuth clients, integrations, service accounts, agent sessions, traces, events and Cedar
//! policies — with what the official client lacks: retries with backoff, `Retry-After`,
//! timeouts, single-flight token refresh, automatic pagination, typed errors and user tokens
//! through Authorization Code + PKCE. The same crate runs natively (tokio) and in browsers and
//! edge runtimes (wasm32 + `fetch`), and backs the Python and JavaScript packages.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use kontext_management::models::{CreateApplication, CreateApplicationOAuth};
//!
//! # async fn demo() -> kontext_management::Result<()> {
//! let client = kontext_management::Client::builder()
//!     .base_url("https://api.kontext.security")
//!     .client_credentials("sa_…", "secret")
//!     .build()?;
//!
//! let created = client
//!     .applications()
//!     .create(CreateApplication::new("Support copilot").with_oauth(CreateApplicationOAuth::new(["https://app.example/callback"])))
//!     .await?;
//! println!("client secret, shown once: {}", created.oauth.client_secret.as_ref().map_or("", |s| s.expose()));
//!
//! let mut apps = client.applications().list_all(Default::default());
//! while let Some(app) = apps.try_next().await? {
//!     println!("{}", app.name);
//! }
//! # Ok(()) }
//! ```
//!
//! Errors are one [`Error`] type; match on [`Error::kind`]. Every result carries the request id
//! in [`Response::meta`].

#![warn(missing_docs)]

#[cfg(feature = "describe")]
pub mod api;
mod args;
mod auth;
mod client;
mod config;
mod decimal;
#[cfg(feature = "describe")]
pub mod describe;
pub mod dispatch;
mod error;
mod http;
mod http_date;
mod json_scan;
pub mod log;
pub mod models;
pub mod oauth;
mod pagination;
mod pending;
pub mod resources;
mod retry;
mod runtime;
mod secret;
#[cfg(test)]
mod test_support;
mod validate;
mod weburl;
mod wire;

pub use client::{Client, ClientBuilder};
pub use config::{
    ClientOptions, Credentials, DEFAULT_API_VERSION, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_SCOPE,
    DEFAULT_TIMEOUT, USER_AGENT, normalize_base_url,
};
pub use error::{ApiError, Error, ErrorDetails, ErrorKind, OAuthError, Result};
pub use http::{RequestOptions, Response, ResponseMeta};
pub use pagination::{ItemStream, Page, PageStream};
pub use pending::Pending;
pub use secret::Secret;

/// Entry points for `cargo fuzz` (built only with `--cfg fuzzing`).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    /// Decodes a response body into every model shape the client reads.
    pub fn decode_response(body: &[u8]) {
        use crate::models::*;
        let raw = |b: &[u8]| crate::http::RawResponse {
            status: 200,
            meta: Default::default(),
            retry_after: None,
            body: b.to_vec(),
        };
        let _ = raw(body).decode::<crate::Page<Application>>();
        let _ = raw(body).decode::<CreatedApplication>();
        let _ = raw(body).decode::<crate::Page<Integration>>();
        let _ = raw(body).decode::<crate::Page<AgentSession>>();
        let _ = raw(body).decode::<TraceDetail>();
        let _ = raw(body).decode::<TraceStats>();
        let _ = raw(body).decode::<PolicyResponse>();
        let _ = raw(body).decode::<crate::Page<Decision>>();
        if let Ok(r) = raw(body).decode::<serde_json::Value>() {
            let _ = serde_json::to_string(&*r);
        }
    }

    /// Checks text with the SDK's JSON scanner: it must judge every text as serde_json does (up
    /// to its nesting limit), and take pages apart as the typed `Page` does.
    pub fn json_scan(text: &str) {
        use serde::de::IgnoredAny;
        let too_deep = |problem: &String| problem == "recursion limit exceeded";
        let ours = crate::json_scan::check(text);
        let serde = serde_json::from_str::<IgnoredAny>(text);
        assert!(ours.is_ok() == serde.is_ok() || ours.as_ref().is_err_and(too_deep), "{ours:?} vs {serde:?}");
        let typed = serde_json::from_str::<crate::Page<IgnoredAny>>(text);
        match (crate::json_scan::page(text), typed) {
            (Ok(parts), Ok(typed)) => {
                assert_eq!(parts.count, typed.items.len());
                assert_eq!(parts.next_cursor, typed.next_cursor);
            }
            (Err(_), Err(_)) => {}
            // serde's derived structs also read the fields from an array (`[[], "c"]`), which no
            // server sends: refusing it is the one place the scanner is stricter.
            (Err(problem), Ok(_)) => assert!(too_deep(&problem) || text.trim_start().starts_with('['), "{problem}"),
            (Ok(parts), Err(typed)) => panic!("{parts:?} vs {typed}"),
        }
    }

    /// Parses an error body for any status.
    pub fn error_body(status: u16, body: &[u8]) {
        let e = crate::Error::from_api_response(status, body, None, None);
        let _ = e.to_string();
        let _ = serde_json::to_string(&e.details());
    }

    /// Parses `Retry-After` / `retry-after-ms` values.
    pub fn retry_after(value: &str, ms: &str) {
        let now = web_time::SystemTime::now();
        if let Some(d) = crate::retry::parse_retry_after(Some(value), Some(ms), now) {
            assert!(d <= crate::retry::MAX_RETRY_AFTER);
        }
        let _ = crate::retry::backoff(value.len() as u32, 0.5);
    }

    /// Normalises a base URL and resolves options around it.
    pub fn base_url(input: &str, allow_insecure: bool) {
        if let Ok(origin) = crate::normalize_base_url(input, "v1", allow_insecure) {
            assert!(!origin.ends_with('/'), "{origin}");
            // The suffix is judged on the path: `https://api/v1` is host `api`, path `/v1`.
            let path = url::Url::parse(&origin).map(|u| u.path().to_owned()).unwrap_or_default();
            assert!(!path.ends_with("/api/v1"), "{origin}");
            // Normalising is idempotent.
            assert_eq!(crate::normalize_base_url(&origin, "v1", allow_insecure).ok().as_deref(), Some(origin.as_str()));
        }
    }
}
