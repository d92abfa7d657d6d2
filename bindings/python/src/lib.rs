//! The Python engine of the Kontext SDK: `kontext::dispatch` exported through uniffi, as
//! `bindings/ENGINE.md` describes. No API knowledge lives here: arguments and results cross as
//! JSON text, errors as `kontext::ErrorDetails`, and the Python layer in `packages/python` turns
//! them into keyword arguments, typed models and exception classes.
//!
//! Every call has an async export (for `kontext.AsyncManagementClient`) and a blocking one (for
//! `kontext.ManagementClient`): `start_*` returns a [`PendingCall`] that Python waits on in short
//! slices, so Ctrl-C interrupts a blocking call between slices (and cancels its request). Both
//! run on one shared tokio runtime, so a client's connection pool and token cache serve sync and
//! async callers alike.

use std::sync::Arc;

use kontext::dispatch;

mod error;
mod pending;
mod runtime;

pub use error::KontextFfiError;
pub use pending::PendingCall;

uniffi::setup_scaffolding!();

type Result<T> = std::result::Result<T, KontextFfiError>;

/// One configured client of the Management API.
#[derive(uniffi::Object)]
pub struct Engine {
    client: kontext::Client,
}

#[uniffi::export]
impl Engine {
    /// Builds a client from the JSON of `kontext::ClientOptions`; `user_agent` names the binding
    /// and interpreter (`kontext-python/0.1.0 CPython/3.11`) and is appended to the core's.
    #[uniffi::constructor]
    pub fn new(options_json: String, user_agent: String) -> Result<Arc<Self>> {
        let mut options = kontext::ClientOptions::from_json(&options_json)?;
        options.identify_engine(&user_agent);
        Ok(Arc::new(Self { client: kontext::Client::from_options(options)? }))
    }

    /// `method` with the JSON array `args_json`, for the blocking client: it runs while Python
    /// waits on the returned call, whose result is the answer's JSON.
    pub fn start_call(
        &self,
        method: String,
        args_json: String,
        options_json: Option<String>,
    ) -> Result<Arc<PendingCall>> {
        let (args, options) = parse_call(&args_json, options_json.as_deref())?;
        let client = self.client.clone();
        Ok(PendingCall::start(async move { dispatch::call_json(&client, &method, args, options).await }))
    }

    /// `method` with the JSON array `args_json`; the result's JSON. Dropping the future (a
    /// cancelled asyncio task) cancels the request.
    pub async fn call(&self, method: String, args_json: String, options_json: Option<String>) -> Result<String> {
        let (args, options) = parse_call(&args_json, options_json.as_deref())?;
        let client = self.client.clone();
        runtime::spawn(async move { dispatch::call_json(&client, &method, args, options).await }).await
    }

    /// Starts a `*.listAll` iteration; nothing is fetched until the first page is asked for.
    pub fn list_all(&self, method: String, args_json: String, options_json: Option<String>) -> Result<Arc<Paginator>> {
        let (args, options) = parse_call(&args_json, options_json.as_deref())?;
        let pages = dispatch::list_all(&self.client, &method, args, options)?;
        Ok(Arc::new(Paginator { pages: Arc::new(tokio::sync::Mutex::new(pages)) }))
    }

    /// The user agent requests carry (for tests).
    pub fn user_agent(&self) -> String {
        self.client.user_agent().to_owned()
    }
}

/// Pages of a `*.listAll` call. Each page crosses as the JSON text of an array of items.
#[derive(uniffi::Object)]
pub struct Paginator {
    // An async mutex: a page fetch holds the stream across awaits, and a second caller must wait
    // for it rather than fail.
    pages: Arc<tokio::sync::Mutex<dispatch::Paginator>>,
}

#[uniffi::export]
impl Paginator {
    /// The next page, for the blocking client: wait on the returned call for the page's JSON,
    /// which is `null` after the last page.
    pub fn start_next_page(&self) -> Arc<PendingCall> {
        let pages = self.pages.clone();
        PendingCall::start(async move {
            Ok(pages.lock().await.next_page_json().await?.unwrap_or_else(|| "null".to_owned()))
        })
    }

    /// The next page; `None` after the last page.
    pub async fn next_page(&self) -> Result<Option<String>> {
        let pages = self.pages.clone();
        runtime::spawn(async move { pages.lock().await.next_page_json().await }).await
    }
}

/// An `oauth.*` call (PKCE helpers, authorize URL, code exchange, refresh) for blocking code:
/// wait on the returned call for the result's JSON.
#[uniffi::export]
pub fn start_oauth_call(method: String, args_json: String) -> Result<Arc<PendingCall>> {
    let args = dispatch::parse_args(&args_json)?;
    Ok(PendingCall::start(async move { dispatch::call_oauth_json(&method, args).await }))
}

/// An `oauth.*` call (PKCE helpers, authorize URL, code exchange, refresh).
#[uniffi::export]
pub async fn oauth_call(method: String, args_json: String) -> Result<String> {
    let args = dispatch::parse_args(&args_json)?;
    runtime::spawn(async move { dispatch::call_oauth_json(&method, args).await }).await
}

/// Panics inside the same guard every blocking call runs in, so the tests can prove a Rust panic
/// reaches Python as an exception. It only ever raises; the Python layer does not re-export it.
#[uniffi::export]
pub fn start_panic_for_tests() -> Arc<PendingCall> {
    PendingCall::start(async { panic!("panic requested by a test") })
}

/// Like [`start_panic_for_tests`], inside the guard of every async call.
#[uniffi::export]
pub async fn panic_for_tests() -> Result<String> {
    runtime::spawn(async { panic!("panic requested by a test") }).await
}

fn parse_call(
    args_json: &str,
    options_json: Option<&str>,
) -> Result<(Vec<serde_json::Value>, Option<kontext::RequestOptions>)> {
    let args = dispatch::parse_args(args_json)?;
    let options = match options_json {
        None => None,
        Some(text) => Some(kontext::RequestOptions::from_json(text)?),
    };
    Ok((args, options))
}
