//! The Python engine of the Kontext SDK: `kontext::dispatch` exported through uniffi, as
//! `bindings/ENGINE.md` describes. No API knowledge lives here: arguments and results cross as
//! JSON text, errors as `kontext::ErrorDetails`, and the Python layer in `packages/python` turns
//! them into keyword arguments, typed models and exception classes.
//!
//! Every call has two ways in, both built for the fewest FFI crossings (a uniffi call costs
//! 8–15 µs of ctypes work in Python) and no thread handoff where avoidable:
//! - blocking (`kontext.ManagementClient`): the request runs on the calling thread (GIL
//!   released) on that thread's own runtime and connections (`lane.rs`), in slices so that
//!   Ctrl-C interrupts it (`pending.rs`);
//! - async (`kontext.AsyncManagementClient`): the request runs on the event loop's thread, on
//!   sockets the loop watches through its port, and the outcome comes back through that port
//!   (`completions.rs`).
//!
//! The per-request calls are plain C functions (`direct.rs`) that Python calls through ctypes;
//! the rest is uniffi. Arguments arrive as borrowed UTF-8 bytes (`&[u8]`, which uniffi passes
//! without copying); an empty `options_json` means no per-request options.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use kontext::dispatch;

mod completions;
mod direct;
mod error;
mod lane;
mod log;
mod pending;
mod runtime;

pub use error::KontextFfiError;

uniffi::setup_scaffolding!();

type Result<T> = std::result::Result<T, KontextFfiError>;

/// One configured client of the Management API.
#[derive(uniffi::Object)]
pub struct Engine {
    core: Arc<Core>,
    /// Its id for the direct calls (`direct.rs`).
    id: u64,
}

/// What an engine is; the direct calls reach it through its id.
pub(crate) struct Core {
    client: kontext::Client,
    /// Where blocking calls run (`lane.rs`).
    lanes: lane::Lanes,
    /// Whether `client`'s connections belong to the first lane rather than the shared runtime.
    blocking: bool,
    /// For checking the arguments of `*.listAll` iterations from asyncio on a blocking engine
    /// (the iteration itself runs on its loop's client): a handle with connections of its own.
    async_client: std::sync::OnceLock<kontext::Client>,
    /// For async calls: a handle per event loop, on that loop's sockets (`completions.rs`).
    port_clients: std::sync::Mutex<HashMap<u64, (Weak<completions::Port>, kontext::Client)>>,
}

#[uniffi::export]
impl Engine {
    /// Builds a client from the JSON of `kontext::ClientOptions`; `user_agent` names the binding
    /// and interpreter (`kontext-python/0.1.0 CPython/3.11`) and is appended to the core's.
    ///
    /// `blocking`: the engine of a blocking client (`kontext.ManagementClient`), whose calls
    /// run on the calling threads; otherwise of an asyncio client. Either kind can make both
    /// kinds of call, but each is built for its own.
    #[uniffi::constructor]
    pub fn new(options_json: String, user_agent: String, blocking: bool) -> Result<Arc<Self>> {
        let mut options = kontext::ClientOptions::from_json(&options_json)?;
        options.identify_engine(&user_agent);
        let client = kontext::Client::from_options(options)?;
        let lanes = lane::Lanes::new(client.clone(), blocking);
        let core = Arc::new(Core {
            client,
            lanes,
            blocking,
            async_client: std::sync::OnceLock::new(),
            port_clients: std::sync::Mutex::default(),
        });
        let id = direct::ENGINES.insert(&core);
        Ok(Arc::new(Self { core, id }))
    }

    /// The id the direct calls (`kontext_py_call_blocking`, `kontext_py_submit`) take; valid
    /// while this engine lives.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Starts a `*.listAll` iteration for asyncio; nothing is fetched until the first page is
    /// asked for.
    pub fn list_all(&self, method: &[u8], args_json: &[u8], options_json: &[u8]) -> Result<Arc<Paginator>> {
        let (method, args, options) = parse_call(method, args_json, options_json)?;
        // Checked now, so that bad arguments fail here; the iteration that runs is made again on
        // the first page's event loop (see `submit_next_page`).
        let pages = dispatch::list_all(self.core.async_client()?, &method, args.clone(), options.clone())?;
        let home = Home::Unbound(OnLoop { core: self.core.clone(), method, args, options });
        Ok(Arc::new(Paginator { pages: Arc::new(tokio::sync::Mutex::new(pages)), home: std::sync::Mutex::new(home) }))
    }

    /// Starts a `*.listAll` iteration for blocking code, on this thread's connections.
    pub fn list_all_blocking(&self, method: &[u8], args_json: &[u8], options_json: &[u8]) -> Result<Arc<Paginator>> {
        let (method, args, options) = parse_call(method, args_json, options_json)?;
        let lane = self.core.lanes.current()?;
        let pages = dispatch::list_all(&lane.client, &method, args, options)?;
        let home = Home::Lane(lane.driver);
        Ok(Arc::new(Paginator { pages: Arc::new(tokio::sync::Mutex::new(pages)), home: std::sync::Mutex::new(home) }))
    }

    /// The user agent requests carry (for tests).
    pub fn user_agent(&self) -> String {
        self.core.client.user_agent().to_owned()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        direct::ENGINES.remove(self.id);
    }
}

impl Core {
    /// `method` with the JSON array `args_json` (options: JSON, or empty for none), blocking:
    /// runs it on this thread for up to `slice` and returns the result's JSON text, or `""`
    /// when it is still running — then parked under `token`, to be continued with
    /// [`resume_blocking`] or dropped with [`cancel_blocking`] on this thread.
    pub(crate) fn call_blocking(
        &self,
        method: &[u8],
        args_json: &[u8],
        options_json: &[u8],
        slice: Duration,
        token: u64,
    ) -> Result<String> {
        let (method, args, options) = parse_call(method, args_json, options_json)?;
        let lane = self.lanes.current()?;
        let client = lane.client;
        let call = async move { dispatch::call_json(&client, &method, args, options).await };
        pending::run(lane.driver, call, slice, token)
    }

    /// `method` for asyncio: spawns the request and returns at once; its outcome arrives at
    /// `port` under `token`.
    pub(crate) fn submit(
        &self,
        port: &Arc<completions::Port>,
        token: u64,
        method: &[u8],
        args_json: &[u8],
        options_json: &[u8],
    ) {
        match parse_call(method, args_json, options_json).and_then(|call| Ok((call, self.port_client(port)?))) {
            Ok(((method, args, options), client)) => {
                port.spawn(token, async move { dispatch::call_json(&client, &method, args, options).await });
            }
            Err(error) => port.complete(token, Err(error)),
        }
    }

    /// The handle async calls on `port` use: connections on that event loop's own sockets.
    fn port_client(&self, port: &Arc<completions::Port>) -> Result<kontext::Client> {
        let mut clients = self.port_clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, client)) = clients.get(&port.id) {
            return Ok(client.clone());
        }
        // A loop that is gone takes its handle (and its pool) with it.
        clients.retain(|_, (port, _)| port.strong_count() > 0);
        let host = Arc::new(completions::PortHost(Arc::downgrade(port)));
        let client = self.client.with_host(host)?;
        clients.insert(port.id, (Arc::downgrade(port), client.clone()));
        Ok(client)
    }

    /// The client async calls use: the engine's own, unless its connections belong to a lane.
    fn async_client(&self) -> Result<&kontext::Client> {
        if !self.blocking {
            return Ok(&self.client);
        }
        if let Some(client) = self.async_client.get() {
            return Ok(client);
        }
        let client = self.client.with_own_connections()?;
        Ok(self.async_client.get_or_init(|| client))
    }
}

/// Pages of a `*.listAll` call. Each page crosses as the JSON text of an array of items.
#[derive(uniffi::Object)]
pub struct Paginator {
    // An async mutex: a page fetch holds the stream across awaits, and a second caller must wait
    // for it rather than fail.
    pages: Arc<tokio::sync::Mutex<dispatch::Paginator>>,
    home: std::sync::Mutex<Home>,
}

/// Where an iteration's connections live.
enum Home {
    /// A blocking iteration: on the lane runtime that owns them.
    Lane(Arc<lane::Driver>),
    /// An asyncio iteration before its first page: what it takes to make it again on the
    /// connections of the event loop that asks for that page.
    Unbound(OnLoop),
    /// An asyncio iteration from its first page on: on the sockets of this port (event loop).
    Port(u64),
}

struct OnLoop {
    core: Arc<Core>,
    method: String,
    args: Vec<serde_json::Value>,
    options: Option<kontext::RequestOptions>,
}

impl Paginator {
    /// The next page as JSON text, `null` after the last one.
    fn next_page(&self) -> impl std::future::Future<Output = kontext::Result<String>> + Send + 'static {
        let pages = self.pages.clone();
        async move { Ok(pages.lock().await.next_page_json().await?.unwrap_or_else(|| "null".to_owned())) }
    }

    fn home(&self) -> std::sync::MutexGuard<'_, Home> {
        self.home.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Paginator {
    /// The next page, blocking (like [`Core::call_blocking`]): its JSON text, `null` after the
    /// last page, or `""` while it is still running.
    pub fn next_page_blocking(&self, slice_ms: u32, token: u64) -> Result<String> {
        let driver = match &*self.home() {
            Home::Lane(driver) => driver.clone(),
            Home::Unbound(_) | Home::Port(_) => lane::Driver::new()?,
        };
        pending::run(driver, self.next_page(), slice(slice_ms), token)
    }

    /// The next page for asyncio: its JSON text (`null` after the last page) arrives at the port
    /// `port` (an id from `kontext_py_port_open`) under `token`.
    pub fn submit_next_page(&self, port: u64, token: u64) -> Result<()> {
        let port = direct::port(port)?;
        let mut home = self.home();
        match &*home {
            Home::Lane(_) => {
                // Its connections live on a blocking lane, which runs only inside blocking calls.
                let error = KontextFfiError::internal("a blocking iteration cannot be continued from asyncio");
                port.complete(token, Err(error));
                return Ok(());
            }
            Home::Port(bound) if *bound != port.id => {
                // Its connections answer to the first loop's sockets: another loop would wait forever.
                let error = kontext::Error::InvalidInput {
                    argument: "iterator".to_owned(),
                    reason: "an async iteration cannot move to another event loop".to_owned(),
                };
                port.complete(token, Err(error.into()));
                return Ok(());
            }
            Home::Port(_) => {}
            Home::Unbound(_) => {
                let Home::Unbound(OnLoop { core, method, args, options }) =
                    std::mem::replace(&mut *home, Home::Port(port.id))
                else {
                    unreachable!("matched above");
                };
                // The first page: the iteration moves to this loop's own sockets, so its pages
                // never cross to the shared runtime's thread. Nothing was fetched yet, so nothing
                // is lost.
                let on_port =
                    core.port_client(&port).and_then(|client| Ok(dispatch::list_all(&client, &method, args, options)?));
                if let (Ok(pages), Ok(mut current)) = (on_port, self.pages.try_lock()) {
                    *current = pages;
                }
            }
        }
        drop(home);
        port.spawn(token, self.next_page());
        Ok(())
    }
}

/// Continues the blocking call parked under `token` on this thread for up to `slice_ms`: its
/// result, or `""` while it is still running.
#[uniffi::export]
pub fn resume_blocking(token: u64, slice_ms: u32) -> Result<String> {
    pending::resume(token, slice(slice_ms))
}

/// Drops the blocking call parked under `token` on this thread, cancelling its request.
#[uniffi::export]
pub fn cancel_blocking(token: u64) {
    pending::cancel(token);
}

/// An `oauth.*` call (PKCE helpers, authorize URL, code exchange, refresh), blocking (like
/// [`Core::call_blocking`]).
#[uniffi::export]
pub fn oauth_call_blocking(method: &[u8], args_json: &[u8], slice_ms: u32, token: u64) -> Result<String> {
    let (method, args, _) = parse_call(method, args_json, b"")?;
    let call = async move { dispatch::call_oauth_json(&method, args).await };
    pending::run(lane::Driver::new()?, call, slice(slice_ms), token)
}

/// An `oauth.*` call for asyncio; its outcome arrives at the port `port` under `token`.
#[uniffi::export]
pub fn submit_oauth_call(port: u64, token: u64, method: &[u8], args_json: &[u8]) -> Result<()> {
    let port = direct::port(port)?;
    match parse_call(method, args_json, b"") {
        Ok((method, args, _)) => port.spawn(token, async move { dispatch::call_oauth_json(&method, args).await }),
        Err(error) => port.complete(token, Err(error)),
    }
    Ok(())
}

/// Panics inside the same guard every blocking call runs in, so the tests can prove a Rust panic
/// reaches Python as an exception. It only ever raises; the Python layer does not re-export it.
#[uniffi::export]
pub fn panic_blocking_for_tests(slice_ms: u32, token: u64) -> Result<String> {
    pending::run(lane::Driver::new()?, async { panic!("panic requested by a test") }, slice(slice_ms), token)
}

/// Like [`panic_blocking_for_tests`], inside the guard of every async call.
#[uniffi::export]
pub fn submit_panic_for_tests(port: u64, token: u64) -> Result<()> {
    direct::port(port)?.spawn(token, async { panic!("panic requested by a test") });
    Ok(())
}

pub(crate) fn slice(millis: u32) -> Duration {
    Duration::from_millis(millis.max(1).into())
}

fn parse_call(
    method: &[u8],
    args_json: &[u8],
    options_json: &[u8],
) -> Result<(String, Vec<serde_json::Value>, Option<kontext::RequestOptions>)> {
    let method = text(method, "method")?.to_owned();
    let args = dispatch::parse_args(text(args_json, "args")?)?;
    let options = kontext::RequestOptions::from_optional_json(Some(text(options_json, "options")?))?;
    Ok((method, args, options))
}

fn text<'a>(bytes: &'a [u8], what: &str) -> std::result::Result<&'a str, kontext::Error> {
    std::str::from_utf8(bytes).map_err(|_| kontext::Error::InvalidInput {
        argument: what.to_owned(),
        reason: "is not valid UTF-8".to_owned(),
    })
}
