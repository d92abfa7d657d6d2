//! Where an engine's calls run: one tokio runtime per engine (per Python client), which drives
//! every request of that client and owns its connection pool, whichever Python thread or event
//! loop made the call. A client is either blocking (`ManagementClient`) or async
//! (`AsyncManagementClient`), and the two want different runtimes, so the first call picks it:
//!
//! - Async calls ([`Runner::run`]) are spawned on a multi-thread runtime with one worker and
//!   awaited through uniffi's futures; dropping the awaiting future (a cancelled asyncio task)
//!   aborts the task. A runtime without a worker cannot run them: they fail there (the Python
//!   layer never mixes the kinds on a client's engine).
//! - Blocking calls ([`Runner::block`]) run in `Runtime::block_on` on the calling thread (GIL
//!   released). On a blocking client's current-thread runtime the request, its connection's task
//!   and the socket's readiness all stay on that thread: a worker would cost two thread hand-offs
//!   per call and its own sleeps, measured at a fifth of the blocking client's CPU per call
//!   (BENCHMARKS.md). Threads sharing a client take turns driving the runtime (tokio polls each
//!   thread's own call on that thread). On a runtime with a worker (the `oauth` functions' engine,
//!   which serves both kinds) the same code runs, with the connections on the worker.
//! - A blocking call waits at most [`SLICE`] at a time. CPython runs signal handlers only between
//!   bytecodes, so a call still running after a slice is *parked* under a token the caller chose
//!   and returns [`STILL_RUNNING`]; the caller resumes it slice by slice ([`Runner::resume`]) and,
//!   on Ctrl-C, drops it ([`Runner::cancel`]), which aborts the request.
//!
//! Fork: the runtime's worker does not exist in a forked child, so the child must not use, nor
//! even drop, what the parent's runtime owns (a drop could wait on that worker, or on a lock it
//! held at the fork). A runner remembers the process that made it: in any other process its
//! calls fail cleanly and its drop leaks the runtime instead. The Python layer gives the child's
//! clients new engines (`Engine::forked`).
//!
//! Interpreter exit: a runtime still alive while CPython finalizes can wake an asyncio future
//! from its worker, and a thread that enters Python then is ended by `pthread_exit`, whose forced
//! unwind through the worker's frames aborts the process ("FATAL: exception not rethrown", seen
//! in `just demo`). So every runtime is registered here, and the Python layer stops them all
//! from an `atexit` hook ([`shutdown_all`]), while the interpreter is still whole.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::error::KontextFfiError;

pub(crate) type Outcome = Result<String, KontextFfiError>;

/// A blocking call's future, boxed so that it can be parked between slices.
type Call = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// The longest a blocking export waits before it returns [`STILL_RUNNING`]: how late Ctrl-C can
/// be handled.
const SLICE: Duration = Duration::from_millis(100);

/// What a blocking export returns while its call is still running (a result is JSON text, never
/// empty).
pub(crate) const STILL_RUNNING: String = String::new();

pub(crate) struct Runner {
    shared: Arc<Shared>,
    /// Blocking calls still running, by the caller's token.
    parked: Mutex<HashMap<u64, Call>>,
}

/// A runtime and the process that made it (see the module docs on fork).
struct Shared {
    state: Mutex<State>,
    pid: u32,
}

enum State {
    /// No call yet: the first one picks the kind of runtime.
    Unstarted,
    /// `Arc`: a blocking call drives the runtime through `&Runtime` without holding the lock, and
    /// may outlive a stop (it then drops the last reference).
    Running { runtime: Arc<Runtime>, kind: Kind },
    /// Dropped, or stopped by [`shutdown_all`].
    Stopped,
}

/// Which runtime: a multi-thread one with one worker, or a current-thread one its callers drive.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Async,
    Blocking,
}

impl Shared {
    fn forked(&self) -> bool {
        std::process::id() != self.pid
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The runtime and its kind, started now (of the kind `first` wants) if no call came before.
    fn runtime(&self, first: Kind) -> Result<(Arc<Runtime>, Kind), KontextFfiError> {
        let mut state = self.lock();
        if let State::Unstarted = *state {
            *state = State::Running { runtime: Arc::new(build(first)?), kind: first };
        }
        match &*state {
            State::Running { runtime, kind } => Ok((runtime.clone(), *kind)),
            _ => Err(dropped()),
        }
    }

    fn take(&self) -> Option<Arc<Runtime>> {
        match std::mem::replace(&mut *self.lock(), State::Stopped) {
            State::Running { runtime, .. } => Some(runtime),
            _ => None,
        }
    }
}

fn build(kind: Kind) -> kontext_management::Result<Runtime> {
    let mut builder = match kind {
        Kind::Async => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(1).thread_name("kontext-management-python");
            builder
        }
        Kind::Blocking => tokio::runtime::Builder::new_current_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| kontext_management::Error::Config(format!("could not start an I/O runtime: {e}")))
}

/// Every runtime this process made (see the module docs on interpreter exit).
static RUNTIMES: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

/// Stops every runtime of this process, waiting a moment for their workers; later calls fail as
/// on a closed client. Called by the Python layer at interpreter exit (`atexit`).
#[uniffi::export]
pub fn shutdown_all() {
    let all = std::mem::take(&mut *RUNTIMES.lock().unwrap_or_else(PoisonError::into_inner));
    for shared in all.iter().filter_map(Weak::upgrade) {
        if let Some(runtime) = shared.take() {
            if shared.forked() {
                std::mem::forget(runtime);
            } else if let Ok(runtime) = Arc::try_unwrap(runtime) {
                runtime.shutdown_timeout(Duration::from_secs(1));
            }
            // Otherwise a blocking call is driving it right now, and drops it when it returns.
        }
    }
}

impl Runner {
    /// A runner whose first call picks its runtime (a client's engine: blocking or async).
    pub(crate) fn new() -> Self {
        Self::with_state(State::Unstarted)
    }

    /// A runner for calls of both kinds (the `oauth` functions' engine, shared by `oauth` and
    /// `async_oauth`): its runtime has a worker from the start.
    pub(crate) fn for_both_kinds() -> kontext_management::Result<Self> {
        Ok(Self::with_state(State::Running { runtime: Arc::new(build(Kind::Async)?), kind: Kind::Async }))
    }

    fn with_state(state: State) -> Self {
        let shared = Arc::new(Shared { state: Mutex::new(state), pid: std::process::id() });
        let mut all = RUNTIMES.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|weak| weak.strong_count() > 0);
        all.push(Arc::downgrade(&shared));
        Self { shared, parked: Mutex::default() }
    }

    /// The runtime (see [`Shared::runtime`]), unless this process is a fork of its maker's.
    fn runtime(&self, first: Kind) -> Result<(Arc<Runtime>, Kind), KontextFfiError> {
        if self.forked() {
            return Err(KontextFfiError::from(kontext_management::Error::connection(
                "this object was made before the process forked and cannot be used in the child; \
                 make it again (clients are renewed automatically)",
                true,
            )));
        }
        self.shared.runtime(first)
    }

    /// Whether this process is a fork of the one that made the runtime.
    pub(crate) fn forked(&self) -> bool {
        self.shared.forked()
    }

    /// Runs `future` on the runtime's worker; dropping the returned future aborts it.
    pub(crate) fn run(
        &self,
        future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        let spawned = self.runtime(Kind::Async).and_then(|(runtime, kind)| match kind {
            Kind::Async => Ok(Aborting(runtime.spawn(guarded(future)))),
            Kind::Blocking => Err(KontextFfiError::internal("an async call on the engine of a blocking client")),
        });
        async move { spawned?.await }
    }

    /// Runs `future` on this thread for up to a slice: its outcome, or [`STILL_RUNNING`] with the
    /// call parked under `token`.
    pub(crate) fn block(
        &self,
        token: u64,
        future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
    ) -> Outcome {
        let (runtime, _) = self.runtime(Kind::Blocking)?;
        self.drive(token, &runtime, Box::pin(guarded(future)), true)
    }

    /// Runs the call parked under `token` for up to another slice.
    pub(crate) fn resume(&self, token: u64) -> Outcome {
        // Taken out first: a guard in the `let` would be held across the wait.
        let call = self.parked().remove(&token);
        let call = call.ok_or_else(|| KontextFfiError::internal("no call is waiting under this token"))?;
        let (runtime, _) = self.runtime(Kind::Blocking)?;
        self.drive(token, &runtime, call, false)
    }

    /// Drops the call parked under `token`, if any, aborting its request.
    pub(crate) fn cancel(&self, token: u64) {
        let call = self.parked().remove(&token);
        if call.is_some() {
            drop(call);
            if let Ok((runtime, Kind::Blocking)) = self.runtime(Kind::Blocking) {
                // The connection's task must run to see its request dropped and close the
                // connection (a worker would run it by itself).
                runtime.block_on(settle());
            }
        }
    }

    /// Drives `call` on this thread for up to a slice; `first`: its first slice.
    fn drive(&self, token: u64, runtime: &Runtime, mut call: Call, first: bool) -> Outcome {
        // The timer is made inside `block_on`: it needs the runtime's context.
        let sliced = runtime.block_on(async {
            if first {
                // Nothing polls the connections of a runtime its callers drive between calls: let
                // them see what happened since (a server closing an idle one) before the call
                // picks one from the pool, which it would otherwise write its request to.
                settle().await;
            }
            tokio::time::timeout(SLICE, &mut call).await
        });
        sliced.unwrap_or_else(|_elapsed| {
            self.parked().insert(token, call);
            Ok(STILL_RUNNING)
        })
    }

    fn parked(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Call>> {
        self.parked.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Lets the runtime's tasks run and its I/O events arrive: in `block_on` on a current-thread
/// runtime, the first yield turns the driver (without waiting) and schedules the tasks it woke,
/// the second runs them, before the caller's future is polled again.
async fn settle() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

impl Drop for Runner {
    fn drop(&mut self) {
        let runtime = self.shared.take();
        let parked = std::mem::take(self.parked.get_mut().unwrap_or_else(PoisonError::into_inner));
        if self.shared.forked() {
            // The parent's worker is not here to finish or acknowledge anything: leak it all.
            std::mem::forget((runtime, parked));
        } else if let Some(runtime) = runtime {
            // Parked calls first: they hold tasks and timers of the runtime.
            drop(parked);
            if let Ok(runtime) = Arc::try_unwrap(runtime) {
                // Never blocks the Python thread that dropped the client; allowed inside a runtime.
                runtime.shutdown_background();
            }
            // Otherwise a call is driving it right now, and drops it when it returns.
        }
    }
}

/// A spawned call, aborted when this handle is dropped.
struct Aborting(JoinHandle<Outcome>);

impl Drop for Aborting {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Future for Aborting {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        // A join error means the task was dropped unfinished (its panics are caught inside it).
        Pin::new(&mut self.0).poll(cx).map(|joined| joined.unwrap_or_else(|_| Err(dropped())))
    }
}

/// `future`'s outcome; a panic inside it becomes an `internal` error.
async fn guarded(future: impl Future<Output = kontext_management::Result<String>>) -> Outcome {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result.map_err(KontextFfiError::from),
        Err(panic) => {
            let text = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
            Err(KontextFfiError::internal(&format!("panic: {}", text.unwrap_or("(no message)"))))
        }
    }
}

/// A call whose task was dropped before it finished: its client's runtime shut down under it.
fn dropped() -> KontextFfiError {
    let message = "the client was closed during the call".to_owned();
    KontextFfiError::from(kontext_management::Error::connection(message, false))
}
