//! WASM binding (wasm-bindgen): the engine interface of `bindings/ENGINE.md` over the `kontext-management`
//! core, built for `wasm32-unknown-unknown`, where the core calls the runtime's own `fetch`.
//!
//! No API knowledge lives here: `call`/`listAll`/`oauthCall` forward method names and JSON text
//! to `kontext_management::dispatch`. What this file adds is the JS side of the contract:
//!
//! - results cross as JSON text (`"null"` for no content), pages as the JSON text of an array;
//! - errors cross as data: a JS `Error` (name `KontextError`) carrying every field of
//!   `kontext_management::ErrorDetails` as a property (`kind`, `code`, `status`, `requestId`, …);
//! - an `AbortSignal` drops the Rust future (which aborts the `fetch`) and rejects with a
//!   `DOMException` named `AbortError` (`cause`: the signal's reason);
//! - a Rust panic rejects that call's promise with an `internal` error (the engine is built with
//!   `panic = "unwind"`, so the instance stays usable); a panic in a synchronous export throws
//!   wasm-bindgen's `PanicError`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{Pin, pin};
use std::rc::Rc;

use futures_util::FutureExt;
use futures_util::future::{Either, select};
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

mod log;

/// This engine's part of the user agent (`kontext-management-rust/… kontext-management-wasm/… <runtime> <user>`).
const ENGINE_USER_AGENT: &str = concat!("kontext-management-wasm/", env!("CARGO_PKG_VERSION"));

/// A client of the Kontext Management API (one per set of options; cheap to share).
#[wasm_bindgen]
pub struct Engine {
    // AssertUnwindSafe: exports take `&self` across wasm-bindgen's unwind boundary (with
    // `panic = "unwind"`); a panic never leaves the client half-updated (its token cache is
    // poison-tolerant), and the futures that use it are caught whole in `spawn`.
    client: AssertUnwindSafe<kontext_management::Client>,
    /// The client's own logger: the events of its calls go there (see `log.rs`).
    log: AssertUnwindSafe<Option<kontext_management::log::Logger>>,
}

#[wasm_bindgen]
impl Engine {
    /// `optionsJson`: the JSON text of `kontext_management::ClientOptions` (the official client's config
    /// shape). `runtime` names the JS runtime for the user agent (`node/v20.11.0`, `deno/2.1.4`,
    /// `browser`), placed before the user's own `userAgent` option. `logSink` is called with the
    /// JSON of each log record at `logLevel` or above. Throws a `config` error for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options_json: &str,
        runtime: Option<String>,
        log_level: Option<String>,
        log_sink: Option<Function>,
    ) -> Result<Engine, JsValue> {
        let mut options = kontext_management::ClientOptions::from_json(options_json).map_err(|e| js_error(&e))?;
        options.identify_engine(&format!("{ENGINE_USER_AGENT} {}", runtime.unwrap_or_default()));
        let client = kontext_management::Client::from_options(options).map_err(|e| js_error(&e))?;
        let log = AssertUnwindSafe(log::logger(log_level, log_sink));
        Ok(Engine { client: AssertUnwindSafe(client), log })
    }

    /// Calls `method` (`applications.create`, …) with the JSON text of its positional arguments;
    /// resolves with the JSON text of the result (`"null"` for no content).
    pub fn call(
        &self,
        method: String,
        args_json: String,
        request_options_json: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Promise {
        let client = (*self.client).clone();
        let call = async move {
            let args = kontext_management::dispatch::parse_args(&args_json)?;
            let options = kontext_management::RequestOptions::from_optional_json(request_options_json.as_deref())?;
            let json = kontext_management::dispatch::call_json(&client, &method, args, options).await?;
            Ok(JsValue::from_str(&json))
        };
        spawn(signal, kontext_management::log::scoped((*self.log).clone(), call))
    }

    /// Starts a `*.listAll` iteration; nothing is fetched until the first `nextPage()`. Throws
    /// `invalid_input` for an unknown method or bad arguments.
    #[wasm_bindgen(js_name = listAll)]
    pub fn list_all(
        &self,
        method: &str,
        args_json: &str,
        request_options_json: Option<String>,
    ) -> Result<Paginator, JsValue> {
        let start = || -> kontext_management::Result<kontext_management::dispatch::Paginator> {
            let args = kontext_management::dispatch::parse_args(args_json)?;
            let options = kontext_management::RequestOptions::from_optional_json(request_options_json.as_deref())?;
            kontext_management::dispatch::list_all(&self.client, method, args, options)
        };
        let pages = start().map_err(|e| js_error(&e))?;
        let state = PaginatorState {
            pages: async_lock::Mutex::new(Some(pages)),
            closed: Cell::new(false),
            log: (*self.log).clone(),
        };
        Ok(Paginator { state: AssertUnwindSafe(Rc::new(state)) })
    }

    /// The user agent this engine identifies itself with (sent as `x-kontext-client`, and as
    /// `User-Agent` outside browsers).
    #[wasm_bindgen(js_name = userAgent)]
    pub fn user_agent(&self) -> String {
        self.client.user_agent().to_owned()
    }
}

/// The pages of one `*.listAll` call, fetched lazily.
#[wasm_bindgen]
pub struct Paginator {
    state: AssertUnwindSafe<Rc<PaginatorState>>,
}

struct PaginatorState {
    /// `None` once closed.
    pages: async_lock::Mutex<Option<kontext_management::dispatch::Paginator>>,
    closed: Cell<bool>,
    log: Option<kontext_management::log::Logger>,
}

#[wasm_bindgen]
impl Paginator {
    /// Resolves with the next page as the JSON text of an array of items, or `null` after the
    /// last page. Concurrent calls are served one after the other.
    #[wasm_bindgen(js_name = nextPage)]
    pub fn next_page(&self, signal: Option<AbortSignal>) -> Promise {
        let state = (*self.state).clone();
        let log = state.log.clone();
        let page = async move {
            let mut pages = state.pages.lock().await;
            if state.closed.get() {
                *pages = None;
            }
            let page = match pages.as_mut() {
                Some(pages) => pages.next_page_json().await?,
                None => None,
            };
            Ok(page.map_or(JsValue::NULL, |json| JsValue::from_str(&json)))
        };
        spawn(signal, kontext_management::log::scoped(log, page))
    }

    /// Stops the iteration early (a `break` out of `for await`): drops the page stream; later
    /// `nextPage()` calls resolve with `null`. (A page being fetched right now is cancelled
    /// through that call's own signal.)
    pub fn close(&self) {
        self.state.closed.set(true);
        if let Some(mut pages) = self.state.pages.try_lock() {
            *pages = None;
        }
    }
}

/// The `oauth.*` calls (PKCE helpers, code exchange, refresh), which need no client.
#[wasm_bindgen(js_name = oauthCall)]
pub fn oauth_call(method: String, args_json: String, signal: Option<AbortSignal>) -> Promise {
    spawn(signal, async move {
        if !method.starts_with("oauth.") {
            return Err(kontext_management::Error::InvalidInput {
                argument: "method".into(),
                reason: format!("oauthCall only serves oauth.* methods, not {method:?}"),
            });
        }
        let args = kontext_management::dispatch::parse_args(&args_json)?;
        let json = kontext_management::dispatch::call_json(&oauth_client()?, &method, args, None).await?;
        Ok(JsValue::from_str(&json))
    })
}

/// Test hook: a promise whose Rust future panics, to check that a panic rejects (kind
/// `internal`) instead of leaving the promise pending. Not re-exported by the package.
#[doc(hidden)]
#[wasm_bindgen(js_name = __panicForTests)]
pub fn panic_for_tests() -> Promise {
    spawn(None, async {
        let requested = true;
        if requested {
            panic!("panic requested by a test");
        }
        Ok(JsValue::NULL)
    })
}

/// A client that is never used to send anything: `kontext_management::dispatch` serves `oauth.*` through
/// it only to share one name table with the other calls.
fn oauth_client() -> kontext_management::Result<kontext_management::Client> {
    thread_local!(static CLIENT: RefCell<Option<kontext_management::Client>> = const { RefCell::new(None) });
    CLIENT.with(|slot| {
        if let Some(client) = slot.borrow().as_ref() {
            return Ok(client.clone());
        }
        let mut options = kontext_management::ClientOptions::new("http://127.0.0.1");
        options.access_token = Some(kontext_management::Secret::new("unused"));
        let client = kontext_management::Client::from_options(options)?;
        *slot.borrow_mut() = Some(client.clone());
        Ok(client)
    })
}

/// Runs `work` as a JS promise: resolved with its value, rejected with the error object, or
/// with an `AbortError` as soon as `signal` aborts (dropping `work`, which aborts its `fetch`).
fn spawn<F>(signal: Option<AbortSignal>, work: F) -> Promise
where
    F: Future<Output = kontext_management::Result<JsValue>> + 'static,
{
    // Boxed once here: a call's future is kilobytes (the dispatch state of every method), and
    // the wrappers below and the executor's task would otherwise each move it by value. As a
    // trait object, the promise plumbing below exists once in the .wasm instead of once per kind
    // of call (~5 KB of code; one indirect call per poll).
    spawn_boxed(signal, Box::pin(work))
}

fn spawn_boxed(
    signal: Option<AbortSignal>,
    work: Pin<Box<dyn Future<Output = kontext_management::Result<JsValue>>>>,
) -> Promise {
    let mut settle = None;
    // The executor runs synchronously; AssertUnwindSafe only satisfies `panic = "unwind"` builds.
    let mut slot = AssertUnwindSafe(&mut settle);
    let promise = Promise::new(&mut move |resolve, reject| **slot = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        unreachable!("a Promise executor runs synchronously");
    };
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = abortable(signal, catch_panics(async { work.await.map_err(|e| js_error(&e)) })).await;
        let _ = match outcome {
            Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
            Err(error) => reject.call1(&JsValue::UNDEFINED, &error),
        };
    });
    promise
}

/// A panic inside `work` becomes an `internal` error. The engine is built with `panic = "unwind"`
/// (wasm exception handling, see wasm.just), so the panic's destructors ran (its `fetch` was
/// aborted) and the instance stays usable. (Built with `panic = "abort"` instead, a panic would
/// trap and leave this promise pending.)
async fn catch_panics<F>(work: F) -> Result<JsValue, JsValue>
where
    F: Future<Output = Result<JsValue, JsValue>>,
{
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(internal_error(&format!("internal error: {}", panic_message(&*payload)))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match payload.downcast_ref::<&str>() {
        Some(text) => (*text).to_owned(),
        None => payload.downcast_ref::<String>().cloned().unwrap_or_else(|| "panic".to_owned()),
    }
}

async fn abortable<F>(signal: Option<AbortSignal>, work: F) -> Result<JsValue, JsValue>
where
    F: Future<Output = Result<JsValue, JsValue>>,
{
    let Some(signal) = signal.filter(|s| !s.is_undefined() && !s.is_null()) else {
        return work.await;
    };
    if signal.aborted() {
        return Err(abort_error(&signal));
    }
    let mut on_abort = None;
    let mut slot = AssertUnwindSafe(&mut on_abort);
    let aborted = Promise::new(&mut move |_resolve, reject| **slot = Some(reject));
    let Some(on_abort) = on_abort else {
        unreachable!("a Promise executor runs synchronously");
    };
    let listener = Closure::<dyn FnMut()>::new(move || {
        let _ = on_abort.call0(&JsValue::UNDEFINED);
    });
    let listener_fn: &Function = listener.as_ref().unchecked_ref();
    let _ = signal.add_event_listener_with_callback("abort", listener_fn);
    let work = pin!(work);
    let outcome = match select(work, JsFuture::from(aborted)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(abort_error(&signal)),
    };
    let _ = signal.remove_event_listener_with_callback("abort", listener_fn);
    outcome
}

/// A JS `Error` named `KontextError` with the fields of `kontext_management::ErrorDetails` as properties.
fn js_error(error: &kontext_management::Error) -> JsValue {
    let details = error.details();
    let object = js_sys::Error::new(&details.message);
    object.set_name("KontextError");
    if let Ok(json) = serde_json::to_string(&details)
        && let Ok(fields) = js_sys::JSON::parse(&json)
    {
        Object::assign(&object, fields.unchecked_ref());
    }
    object.into()
}

/// What `fetch` rejects with on abort: a `DOMException` named `AbortError` (an `Error` of that
/// name where `DOMException` does not exist), with the signal's reason as `cause`.
fn abort_error(signal: &AbortSignal) -> JsValue {
    const MESSAGE: &str = "The operation was aborted";
    let constructed = Reflect::get(&js_sys::global(), &"DOMException".into())
        .ok()
        .and_then(|ctor| ctor.dyn_into::<Function>().ok())
        .and_then(|ctor| Reflect::construct(&ctor, &Array::of2(&MESSAGE.into(), &"AbortError".into())).ok());
    let error = constructed.unwrap_or_else(|| {
        let error = js_sys::Error::new(MESSAGE);
        error.set_name("AbortError");
        error.into()
    });
    let _ = Reflect::set(&error, &"cause".into(), &signal.reason());
    error
}

/// An `internal` error (a panic in Rust), shaped like the others.
fn internal_error(message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("KontextError");
    for (key, value) in [
        ("kind", "internal"),
        ("code", "kontext_internal_error"),
        ("docsUrl", "https://docs.kontext.security/errors/kontext_internal_error"),
    ] {
        let _ = Reflect::set(&error, &key.into(), &value.into());
    }
    error.into()
}
