//! # kontext
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
//! use kontext::models::{CreateApplication, CreateApplicationOAuth};
//!
//! # async fn demo() -> kontext::Result<()> {
//! let client = kontext::Client::builder()
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

mod auth;
mod client;
mod config;
pub mod dispatch;
mod error;
mod http;
pub mod models;
pub mod oauth;
mod pagination;
pub mod resources;
mod retry;
mod runtime;
mod secret;
mod validate;

pub use client::{Client, ClientBuilder};
pub use config::{
    ClientOptions, Credentials, DEFAULT_API_VERSION, DEFAULT_MAX_RETRIES, DEFAULT_SCOPE, DEFAULT_TIMEOUT, USER_AGENT,
    normalize_base_url,
};
pub use error::{ApiError, Error, ErrorDetails, ErrorKind, OAuthError, Result};
pub use http::{RequestOptions, Response, ResponseMeta};
pub use pagination::{ItemStream, Page, PageStream};
pub use secret::Secret;
