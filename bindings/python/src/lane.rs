//! Where blocking calls run: on the calling thread, on a current-thread runtime of its own.
//!
//! A blocking call used to be polled on the caller's thread while its I/O ran on the shared
//! runtime's workers, so every request crossed threads twice (caller → the worker owning the
//! pooled connection → caller); on a small machine that cost as much as the request itself. Now
//! each OS thread that makes blocking calls on an engine gets a [`Lane`]: a current-thread tokio
//! runtime that only runs while that thread waits in a call, and a handle of the engine's client
//! with connections of its own (a pooled connection is a task on the runtime that opened it, so
//! connections cannot be shared with another runtime). Settings, options and the token cache
//! stay shared ([`kontext::Client::with_own_connections`]), so every thread still uses one token.
//!
//! Lanes belong to their engine: dropping the engine drops its runtimes, and with them every
//! connection. A thread that exits gives its lanes back to their engines, and the next new thread
//! takes one over (runtime, connections and all), so threads that come and go cost nothing
//! extra. The first lane of an engine that only ever makes blocking calls uses the engine's own
//! client, so a single-threaded program builds no second HTTP client.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

/// A current-thread runtime that any thread may drive (one at a time; tokio hands the driver
/// over between threads that `block_on` it concurrently).
pub(crate) struct Driver {
    runtime: Option<Runtime>,
    /// When it last ran, in µs since the first driver was made.
    last_run: AtomicU64,
}

/// After this long without running, a driver first lets its idle connections see what happened
/// to them meanwhile (see [`Driver::run_for`]). Back-to-back calls skip that.
const SETTLE_AFTER_US: u64 = 1_000;

impl Driver {
    pub(crate) fn new() -> kontext::Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| kontext::Error::Config(format!("could not start an I/O runtime: {e}")))?;
        Ok(Arc::new(Self { runtime: Some(runtime), last_run: AtomicU64::new(now_us()) }))
    }

    /// Runs `future` on this thread for up to `slice`; `None` if it has not finished by then.
    pub(crate) fn run_for<F: Future>(&self, slice: Duration, future: F) -> Option<F::Output> {
        let runtime = self.runtime.as_ref().expect("a driver's runtime lives as long as the driver");
        // Nothing polls a lane's pooled connections between calls, so a connection the server
        // closed meanwhile still looks reusable, and a request written to it would fail
        // ("connection closed before message completed"; fatal for a POST). After an idle spell,
        // first yield twice: the first lets the runtime poll its I/O driver (yielded tasks resume
        // only after it), the second lets the connection tasks woken by it run and retire their
        // closed connections before the request picks one. A few µs, and only after a pause.
        let settle = now_us().saturating_sub(self.last_run.load(Ordering::Relaxed)) >= SETTLE_AFTER_US;
        let output = runtime.block_on(async {
            if settle {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            }
            tokio::time::timeout(slice, future).await.ok()
        });
        self.last_run.store(now_us(), Ordering::Relaxed);
        output
    }
}

fn now_us() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Never blocks, and is allowed inside another runtime's context (plain drop is not).
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One thread's way to make blocking calls on one engine.
#[derive(Clone)]
pub(crate) struct Lane {
    pub(crate) driver: Arc<Driver>,
    pub(crate) client: kontext::Client,
}

/// The lanes of one engine, by thread.
pub(crate) struct Lanes {
    shared: Arc<Shared>,
}

struct Shared {
    client: kontext::Client,
    state: Mutex<State>,
}

struct State {
    by_thread: HashMap<ThreadId, Lane>,
    /// Lanes of threads that exited, connections and all, for the next new thread.
    spare: Vec<Lane>,
    /// Whether the engine's own client (its connections) is still free to become a lane.
    base_free: bool,
}

impl Lanes {
    /// `give_base`: the first lane may use `client` itself — only when nothing else will open
    /// connections with it (an engine used by blocking calls alone), since its connections then
    /// live on that lane's runtime.
    pub(crate) fn new(client: kontext::Client, give_base: bool) -> Self {
        let state = State { by_thread: HashMap::new(), spare: Vec::new(), base_free: give_base };
        Self { shared: Arc::new(Shared { client, state: Mutex::new(state) }) }
    }

    /// The calling thread's lane, found on its first blocking call: a lane a finished thread
    /// left, else the engine's own client, else a new handle with connections of its own (which
    /// costs a few ms: it builds an HTTP client, TLS roots included).
    pub(crate) fn current(&self) -> kontext::Result<Lane> {
        drop_retired();
        let thread = std::thread::current().id();
        let reused = {
            let mut state = self.shared.state();
            if let Some(lane) = state.by_thread.get(&thread) {
                return Ok(lane.clone());
            }
            state.spare.pop()
        };
        let lane = match reused {
            Some(lane) => lane,
            None => {
                let base = std::mem::take(&mut self.shared.state().base_free);
                let client =
                    if base { self.shared.client.clone() } else { self.shared.client.with_own_connections()? };
                Lane { driver: Driver::new()?, client }
            }
        };
        self.shared.state().by_thread.insert(thread, lane.clone());
        let _ = EXITING.try_with(|exiting| {
            let mut engines = exiting.engines.borrow_mut();
            engines.retain(|engine| engine.strong_count() > 0);
            engines.push(Arc::downgrade(&self.shared));
        });
        Ok(lane)
    }
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What exiting threads gave back (their lanes, and possibly the last reference to an engine's
/// lanes), dropped by the next caller rather than inside a TLS destructor.
static RETIRED: Mutex<Vec<Box<dyn Send>>> = Mutex::new(Vec::new());
static ANY_RETIRED: AtomicBool = AtomicBool::new(false);

pub(crate) fn retire(thing: Box<dyn Send>) {
    RETIRED.lock().unwrap_or_else(PoisonError::into_inner).push(thing);
    ANY_RETIRED.store(true, Ordering::Release);
}

fn drop_retired() {
    if !ANY_RETIRED.load(Ordering::Acquire) {
        return;
    }
    let retired = {
        let mut retired = RETIRED.lock().unwrap_or_else(PoisonError::into_inner);
        ANY_RETIRED.store(false, Ordering::Release);
        std::mem::take(&mut *retired)
    };
    drop(retired);
}

/// Removes the thread's lanes from their engines when the thread exits.
struct Exiting {
    thread: ThreadId,
    engines: RefCell<Vec<Weak<Shared>>>,
}

thread_local! {
    static EXITING: Exiting = Exiting { thread: std::thread::current().id(), engines: RefCell::new(Vec::new()) };
}

impl Drop for Exiting {
    fn drop(&mut self) {
        for engine in self.engines.get_mut().drain(..) {
            if let Some(engine) = engine.upgrade() {
                {
                    let mut state = engine.state();
                    if let Some(lane) = state.by_thread.remove(&self.thread) {
                        state.spare.push(lane);
                    }
                }
                // Possibly the last reference: dropping it drops runtimes, not here.
                retire(Box::new(engine));
            }
        }
    }
}
