//! The `Engine` class (one `kontext_management::Client`), its list `Paginator`, and the `CancelToken` the JS
//! side trips when an `AbortSignal` fires. Every promise comes from `outcome::spawn`.

use std::sync::{Arc, Mutex};

use futures_util::future::{AbortHandle, AbortRegistration, Abortable};
use futures_util::lock::Mutex as AsyncMutex;
use napi::bindgen_prelude::{PromiseRaw, within_runtime_if_available};
use napi::{Env, Result};
use napi_derive::napi;

use crate::log::LogSink;
use crate::outcome::{Failure, spawn};

/// One client: configuration, token cache and connection pool live here, in Rust, so secrets
/// never sit in a JS object.
#[napi]
pub struct Engine {
    client: kontext_management::Client,
    log: Option<kontext_management::log::Logger>,
}

#[napi]
impl Engine {
    /// `optionsJson`: the client options (`ClientOptions`, camelCase). `runtime` names the JS
    /// runtime for the user agent, e.g. `node/v20.11.0`. `logSink` receives the JSON of each log
    /// record at `logLevel` or above (see `log.rs`).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        options_json: String,
        runtime: Option<String>,
        log_level: Option<String>,
        #[napi(ts_arg_type = "(recordJson: string) => void")] log_sink: Option<LogSink>,
    ) -> Result<Self> {
        let client = client(&options_json, runtime.as_deref()).map_err(|failure| failure.into_js(&env))?;
        Ok(Self { client, log: crate::log::logger(log_level, log_sink) })
    }

    /// The user agent this engine sends.
    #[napi(catch_unwind)]
    pub fn user_agent(&self) -> String {
        self.client.user_agent().to_owned()
    }

    /// Calls `method` with the JSON array `argsJson`; resolves with the result's JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        method: String,
        args_json: String,
        options_json: Option<String>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, String>> {
        let registration = token.map(CancelToken::registration).transpose()?;
        let client = self.client.clone();
        let call = async move {
            let args = kontext_management::dispatch::parse_args(&args_json)?;
            let options = kontext_management::RequestOptions::from_optional_json(options_json.as_deref())?;
            Ok(kontext_management::dispatch::call_json(&client, &method, args, options).await?)
        };
        spawn(env, registration, kontext_management::log::scoped(self.log.clone(), call))
    }

    /// Starts a `*.listAll` iteration; nothing is fetched until `nextPage`.
    #[napi(catch_unwind)]
    pub fn list_all(
        &self,
        env: Env,
        method: String,
        args_json: String,
        options_json: Option<String>,
    ) -> Result<Paginator> {
        let start = || -> std::result::Result<_, Failure> {
            let args = kontext_management::dispatch::parse_args(&args_json)?;
            let options = kontext_management::RequestOptions::from_optional_json(options_json.as_deref())?;
            Ok(kontext_management::dispatch::list_all(&self.client, &method, args, options)?)
        };
        match start() {
            Ok(pages) => Ok(Paginator { pages: Arc::new(AsyncMutex::new(Some(pages))), log: self.log.clone() }),
            Err(failure) => Err(failure.into_js(&env)),
        }
    }
}

/// The client for `optionsJson`, built inside napi's tokio runtime, where all its calls run: the
/// HTTP stack binds its connection pool and timers to the runtime it is built in.
fn client(options_json: &str, runtime: Option<&str>) -> std::result::Result<kontext_management::Client, Failure> {
    let mut options = kontext_management::ClientOptions::from_json(options_json)?;
    options.identify_engine(&format!(
        "kontext-management-node/{} {}",
        env!("CARGO_PKG_VERSION"),
        runtime.unwrap_or("node")
    ));
    Ok(within_runtime_if_available(|| kontext_management::Client::from_options(options))?)
}

/// The pages of one `listAll`, fetched one at a time.
#[napi]
pub struct Paginator {
    /// `None` once closed or aborted: the stream (and any request in flight) is dropped.
    pages: Arc<AsyncMutex<Option<kontext_management::dispatch::Paginator>>>,
    log: Option<kontext_management::log::Logger>,
}

#[napi]
impl Paginator {
    /// The next page as the JSON text of an array, or `null` after the last page.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next_page<'env>(
        &self,
        env: &'env Env,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, Option<String>>> {
        let registration = token.map(CancelToken::registration).transpose()?;
        let pages = self.pages.clone();
        let page = async move {
            let mut guard = pages.lock().await;
            let Some(stream) = guard.as_mut() else { return Ok(None) };
            let Some(registration) = registration else { return Ok(stream.next_page_json().await?) };
            match Abortable::new(stream.next_page_json(), registration).await {
                Ok(page) => Ok(page?),
                Err(_aborted) => {
                    // The stream still holds the half-done request; drop it so it stops now.
                    *guard = None;
                    Err(Failure::Aborted)
                }
            }
        };
        spawn(env, None, kontext_management::log::scoped(self.log.clone(), page))
    }

    /// Stops the iteration early (a `break` out of `for await`), dropping any request in flight.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        if let Some(mut guard) = self.pages.try_lock() {
            *guard = None;
        }
    }
}

/// The Rust end of an `AbortSignal`: `cancel()` drops the future of the call it was passed to.
#[napi]
pub struct CancelToken {
    handle: AbortHandle,
    registration: Mutex<Option<AbortRegistration>>,
}

#[napi]
impl CancelToken {
    #[napi(constructor, catch_unwind)]
    pub fn new() -> Self {
        let (handle, registration) = AbortHandle::new_pair();
        Self { handle, registration: Mutex::new(Some(registration)) }
    }

    /// Cancels the call this token was given to (before or while it runs).
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        self.handle.abort();
    }

    /// A token guards exactly one call.
    pub(crate) fn registration(&self) -> Result<AbortRegistration> {
        self.registration
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or_else(|| napi::Error::from_reason("a CancelToken can be used for one call only"))
    }
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}
