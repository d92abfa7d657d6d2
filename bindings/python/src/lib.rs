//! The Python engine of the Kontext SDK: `kontext_management::dispatch` exported through uniffi, as
//! `bindings/ENGINE.md` describes. No API knowledge lives here: arguments and results cross as
//! JSON text, errors as `kontext_management::ErrorDetails`, and the Python layer in `packages/python` turns
//! them into keyword arguments, typed models and exception classes.
//!
//! Every call runs on its engine's runtime (`run.rs`): one per client, shared by all the threads
//! and event loops that use it, with one connection pool. Each call has two exports: an async one
//! for `kontext_management.AsyncManagementClient` (a uniffi future) and a blocking one for
//! `kontext_management.ManagementClient` (GIL released; it returns `""` while the call is still running so
//! that Python can handle Ctrl-C between waits, see `run.rs`). Arguments arrive as UTF-8 bytes;
//! empty `options_json` means no per-request options.

use std::future::Future;
use std::sync::Arc;

use kontext_management::dispatch;

mod error;
mod log;
mod run;

pub use error::KontextFfiError;
use run::Runner;

uniffi::setup_scaffolding!();

type Result<T> = std::result::Result<T, KontextFfiError>;

/// One configured client of the Management API, or the engine of the `oauth` functions.
#[derive(uniffi::Object)]
pub struct Engine {
    /// `None` for the `oauth` functions' engine: they need no client.
    client: Option<kontext_management::Client>,
    runner: Runner,
}

#[uniffi::export]
impl Engine {
    /// Builds a client from the JSON of `kontext_management::ClientOptions`; `user_agent` names the binding
    /// and interpreter (`kontext-management-python/0.1.0 CPython/3.11`) and is appended to the core's.
    #[uniffi::constructor]
    pub fn new(options_json: String, user_agent: String) -> Result<Arc<Self>> {
        let mut options = kontext_management::ClientOptions::from_json(&options_json)?;
        options.identify_engine(&user_agent);
        let client = kontext_management::Client::from_options(options)?;
        Ok(Arc::new(Self { client: Some(client), runner: Runner::new() }))
    }

    /// An engine without a client, for the `oauth.*` calls (which its `call` exports run).
    #[uniffi::constructor]
    pub fn for_oauth() -> Result<Arc<Self>> {
        Ok(Arc::new(Self { client: None, runner: Runner::for_both_kinds()? }))
    }

    /// For a forked child (Python calls it from `os.register_at_fork`): this engine again, on a
    /// runtime and a connection pool of its own. Settings, options and the cached token stay
    /// shared; nothing of the parent's runtime or connections is touched.
    pub fn forked(&self) -> Result<Arc<Self>> {
        let client = self.client.as_ref().map(kontext_management::Client::with_own_connections).transpose()?;
        let runner = if client.is_some() { Runner::new() } else { Runner::for_both_kinds()? };
        Ok(Arc::new(Self { client, runner }))
    }

    /// `method` with the JSON array `args_json`, blocking: the result's JSON text, or `""` while
    /// it is still running, parked under `token` (see [`Engine::resume_blocking`]).
    pub fn call_blocking(&self, method: &[u8], args_json: &[u8], options_json: &[u8], token: u64) -> Result<String> {
        self.runner.block(token, self.call_json(method, args_json, options_json)?)
    }

    /// Waits some more for the blocking call parked under `token`: its result, or `""` again.
    pub fn resume_blocking(&self, token: u64) -> Result<String> {
        self.runner.resume(token)
    }

    /// Drops the blocking call parked under `token`, cancelling its request.
    pub fn cancel_blocking(&self, token: u64) {
        self.runner.cancel(token);
    }

    /// `method` for asyncio: the result's JSON text.
    pub async fn call(&self, method: Vec<u8>, args_json: Vec<u8>, options_json: Vec<u8>) -> Result<String> {
        self.runner.run(self.call_json(&method, &args_json, &options_json)?).await
    }

    /// Starts a `*.listAll` iteration (its arguments are checked now; nothing is fetched yet).
    pub fn list_all(self: Arc<Self>, method: &[u8], args_json: &[u8], options_json: &[u8]) -> Result<Arc<Paginator>> {
        let (method, args, options) = parse_call(method, args_json, options_json)?;
        let client = self.client.as_ref().ok_or_else(|| KontextFfiError::internal("this engine has no client"))?;
        let pages = dispatch::list_all(client, &method, args, options)?;
        Ok(Arc::new(Paginator { engine: self, pages: Arc::new(tokio::sync::Mutex::new(pages)) }))
    }

    /// The user agent requests carry (for tests).
    pub fn user_agent(&self) -> String {
        self.client.as_ref().map(|c| c.user_agent().to_owned()).unwrap_or_default()
    }

    /// Panics inside the guard every blocking call runs in, so the tests can prove a Rust panic
    /// reaches Python as an exception. The Python layer does not re-export it.
    pub fn panic_blocking_for_tests(&self, token: u64) -> Result<String> {
        self.runner.block(token, async { panic!("panic requested by a test") })
    }

    /// Like [`Engine::panic_blocking_for_tests`], inside the guard of every async call.
    pub async fn panic_for_tests(&self) -> Result<String> {
        self.runner.run(async { panic!("panic requested by a test") }).await
    }
}

impl Engine {
    fn call_json(
        &self,
        method: &[u8],
        args_json: &[u8],
        options_json: &[u8],
    ) -> Result<impl Future<Output = kontext_management::Result<String>> + Send + 'static + use<>> {
        let (method, args, options) = parse_call(method, args_json, options_json)?;
        let client = self.client.clone();
        Ok(async move {
            match client {
                Some(client) => dispatch::call_json(&client, &method, args, options).await,
                // The `oauth` functions' engine: its calls need no client.
                None => dispatch::call_oauth_json(&method, args).await,
            }
        })
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.runner.forked() {
            // Its pool's connections are tasks of the parent's runtime: never drop them here.
            std::mem::forget(self.client.take());
        }
    }
}

/// Pages of a `*.listAll` call, each crossing as the JSON text of an array of items (`null`
/// after the last page).
#[derive(uniffi::Object)]
pub struct Paginator {
    engine: Arc<Engine>,
    // An async mutex: a page fetch holds it across awaits; a second caller waits for it.
    pages: Arc<tokio::sync::Mutex<dispatch::Paginator>>,
}

impl Paginator {
    fn next_page(&self) -> impl Future<Output = kontext_management::Result<String>> + Send + 'static + use<> {
        let pages = self.pages.clone();
        async move { Ok(pages.lock().await.next_page_json().await?.unwrap_or_else(|| "null".to_owned())) }
    }
}

#[uniffi::export]
impl Paginator {
    /// The next page, blocking (like [`Engine::call_blocking`], resumed through the engine that
    /// started the iteration).
    pub fn next_page_blocking(&self, token: u64) -> Result<String> {
        self.engine.runner.block(token, self.next_page())
    }

    /// The next page for asyncio.
    pub async fn next_page_async(&self) -> Result<String> {
        self.engine.runner.run(self.next_page()).await
    }
}

impl Drop for Paginator {
    fn drop(&mut self) {
        if self.engine.runner.forked() {
            // Like `Engine::drop`: it holds a handle of the parent's pool.
            std::mem::forget(self.pages.clone());
        }
    }
}

fn parse_call(
    method: &[u8],
    args_json: &[u8],
    options_json: &[u8],
) -> Result<(String, Vec<serde_json::Value>, Option<kontext_management::RequestOptions>)> {
    let method = text(method, "method")?.to_owned();
    let args = dispatch::parse_args(text(args_json, "args")?)?;
    let options = kontext_management::RequestOptions::from_optional_json(Some(text(options_json, "options")?))?;
    Ok((method, args, options))
}

fn text<'a>(bytes: &'a [u8], what: &str) -> std::result::Result<&'a str, kontext_management::Error> {
    std::str::from_utf8(bytes).map_err(|_| kontext_management::Error::InvalidInput {
        argument: what.to_owned(),
        reason: "is not valid UTF-8".to_owned(),
    })
}
