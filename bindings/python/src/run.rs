//! Where an engine's calls run: one tokio runtime per engine (per Python client), which drives
//! every request of that client and owns its connection pool, whichever Python thread or event
//! loop made the call. Its kind follows the first call, because a client is either blocking
//! (`ManagementClient`) or async (`AsyncManagementClient`), and the two want different runtimes:
//!
//! - Async calls ([`Runner::run`]) are spawned on a multi-thread runtime with one worker and
//!   awaited through uniffi's futures; dropping the awaiting future (a cancelled asyncio task)
//!   aborts the task.
//! - Blocking calls ([`Runner::block`]) run on a current-thread runtime, driven by the calling
//!   thread itself (GIL released) in `Runtime::block_on`: the request, its connection's task and
//!   the socket's readiness all stay on that thread. A worker thread would cost two thread
//!   hand-offs per call (the spawn wakes the worker, the outcome wakes the caller) and the worker's
//!   own sleeps: measured, the worker's context switches were a fifth of the blocking client's CPU
//!   per call (BENCHMARKS.md). Several threads may share one blocking client: tokio lets one of
//!   them drive the runtime at a time, and polls each thread's own call on that thread.
//! - Either way a blocking call waits at most [`SLICE`] at a time. CPython runs signal handlers
//!   only between bytecodes, so a call still running after a slice is *parked* under a token the
//!   caller chose and returns [`STILL_RUNNING`]; the caller resumes it slice by slice
//!   ([`Runner::resume`]) and, on Ctrl-C, drops it ([`Runner::cancel`]), which aborts the request.
//! - A call of the other kind still works, only slower: a blocking call on an async engine is
//!   spawned on its worker and waited for; an async call on a blocking engine is driven by a
//!   thread of its own (the `oauth` functions' engine serves both kinds, and tests mix them).
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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;
use std::time::Instant;

use futures_util::FutureExt;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::error::KontextFfiError;

pub(crate) type Outcome = Result<String, KontextFfiError>;

/// A call's future, boxed so that it can be parked between slices.
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
    parked: Mutex<HashMap<u64, Parked>>,
}

/// A runtime and the process that made it (see the module docs on fork).
struct Shared {
    state: Mutex<State>,
    pid: u32,
}

enum State {
    /// No call yet: the first one picks the kind of runtime.
    Unstarted,
    /// `Arc`: a blocking call drives a current-thread runtime through `&Runtime` without holding
    /// the lock, and may outlive a stop (it then drops the last reference).
    Running { runtime: Arc<Runtime>, driven_by_callers: bool },
    /// Dropped, or stopped by [`shutdown_all`].
    Stopped,
}

/// Which runtime a call would like when it is the first.
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

    /// The runtime, started now (of the kind `first` wants) if no call came before; with whether
    /// callers drive it (current-thread) or its worker does.
    fn runtime(&self, first: Kind) -> Result<(Arc<Runtime>, bool), KontextFfiError> {
        let mut state = self.lock();
        if let State::Unstarted = *state {
            let runtime = build(first).map_err(KontextFfiError::from)?;
            *state = State::Running { runtime: Arc::new(runtime), driven_by_callers: first == Kind::Blocking };
        }
        match &*state {
            State::Running { runtime, driven_by_callers } => Ok((runtime.clone(), *driven_by_callers)),
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

/// Helper threads still running (see [`on_own_thread`]): like a worker, one may wake an asyncio
/// future, so [`shutdown_all`] waits for them too.
static HELPERS: AtomicUsize = AtomicUsize::new(0);

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
    let deadline = Instant::now() + Duration::from_secs(1);
    while HELPERS.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

enum Parked {
    /// A call on a worker (an async engine's), sending its outcome when done.
    OnWorker { outcome: Receiver<Outcome>, _task: Aborting<()> },
    /// A call its callers drive, slice by slice.
    Driven(Call),
}

impl Runner {
    /// A runner whose first call picks its runtime (a client's engine: blocking or async).
    pub(crate) fn new() -> kontext_management::Result<Self> {
        Ok(Self::with_state(State::Unstarted))
    }

    /// A runner for calls of both kinds (the `oauth` functions' engine, shared by `oauth` and
    /// `async_oauth`): on a worker, where both kinds run without a helper thread.
    pub(crate) fn for_both_kinds() -> kontext_management::Result<Self> {
        let runtime = build(Kind::Async)?;
        Ok(Self::with_state(State::Running { runtime: Arc::new(runtime), driven_by_callers: false }))
    }

    fn with_state(state: State) -> Self {
        let shared = Arc::new(Shared { state: Mutex::new(state), pid: std::process::id() });
        let mut all = RUNTIMES.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|weak| weak.strong_count() > 0);
        all.push(Arc::downgrade(&shared));
        Self { shared, parked: Mutex::default() }
    }

    fn check_process(&self) -> Result<(), KontextFfiError> {
        if self.forked() {
            return Err(KontextFfiError::from(kontext_management::Error::connection(
                "this object was made before the process forked and cannot be used in the child; \
                 make it again (clients are renewed automatically)",
                true,
            )));
        }
        Ok(())
    }

    /// Whether this process is a fork of the one that made the runtime.
    pub(crate) fn forked(&self) -> bool {
        self.shared.forked()
    }

    /// Runs `future` on the runtime; dropping the returned future aborts it.
    pub(crate) fn run(
        &self,
        future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        let started =
            self.check_process().and_then(|()| self.shared.runtime(Kind::Async)).map(|(runtime, driven_by_callers)| {
                if driven_by_callers { on_own_thread(runtime, guarded(future)) } else { on_worker(&runtime, future) }
            });
        async move { started?.await }
    }

    /// Runs `future` and waits up to a slice for it: its outcome, or [`STILL_RUNNING`] with the
    /// call parked under `token`.
    pub(crate) fn block(
        &self,
        token: u64,
        future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
    ) -> Outcome {
        self.check_process()?;
        let (runtime, driven_by_callers) = self.shared.runtime(Kind::Blocking)?;
        if driven_by_callers {
            return self.drive(token, &runtime, Box::pin(guarded(future)), true);
        }
        let (sender, outcome) = sync_channel(1);
        let task = Aborting(runtime.spawn(async move {
            // The receiver is gone only when the call was cancelled.
            let _ = sender.send(guarded(future).await);
        }));
        self.wait(token, outcome, task)
    }

    /// Waits up to another slice for the call parked under `token`.
    pub(crate) fn resume(&self, token: u64) -> Outcome {
        // Taken out first: a guard in the `match` scrutinee would be held across the wait.
        let parked = self.parked().remove(&token);
        match parked {
            Some(Parked::OnWorker { outcome, _task }) => self.wait(token, outcome, _task),
            Some(Parked::Driven(call)) => {
                self.check_process()?;
                let (runtime, _) = self.shared.runtime(Kind::Blocking)?;
                self.drive(token, &runtime, call, false)
            }
            None => Err(KontextFfiError::internal("no call is waiting under this token")),
        }
    }

    /// Drops the call parked under `token`, if any, aborting its request.
    pub(crate) fn cancel(&self, token: u64) {
        let parked = self.parked().remove(&token);
        let driven = matches!(parked, Some(Parked::Driven(_)));
        drop(parked);
        if driven
            && !self.forked()
            && let Ok((runtime, _)) = self.shared.runtime(Kind::Blocking)
        {
            // The connection's task must run to see its request dropped and close the connection
            // (on a worker it would run by itself).
            runtime.block_on(settle());
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
        match sliced {
            Ok(outcome) => outcome,
            Err(_elapsed) => {
                self.parked().insert(token, Parked::Driven(call));
                Ok(STILL_RUNNING)
            }
        }
    }

    fn wait(&self, token: u64, outcome: Receiver<Outcome>, task: Aborting<()>) -> Outcome {
        match outcome.recv_timeout(SLICE) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => {
                self.parked().insert(token, Parked::OnWorker { outcome, _task: task });
                Ok(STILL_RUNNING)
            }
            // The task was dropped unfinished: the runtime is shutting down.
            Err(RecvTimeoutError::Disconnected) => Err(dropped()),
        }
    }

    fn parked(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Parked>> {
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

/// `future` spawned on the runtime's worker; dropping the returned future aborts it.
fn on_worker(
    runtime: &Runtime,
    future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
) -> Call {
    Box::pin(Aborting(runtime.spawn(guarded(future))))
}

/// `call` driven by a thread of its own on a runtime its callers drive (an async call on a
/// blocking engine); dropping the returned future stops it.
fn on_own_thread(runtime: Arc<Runtime>, call: impl Future<Output = Outcome> + Send + 'static) -> Call {
    let (sender, outcome) = tokio::sync::oneshot::channel();
    HELPERS.fetch_add(1, Ordering::AcqRel);
    let thread = std::thread::Builder::new().name("kontext-management-python".to_owned()).spawn(move || {
        /// Counts the thread out however it ends.
        struct Helper;
        impl Drop for Helper {
            fn drop(&mut self) {
                HELPERS.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _helper = Helper;
        let mut sender = sender;
        let call = std::pin::pin!(call);
        let outcome = runtime.block_on(async {
            let closed = std::pin::pin!(sender.closed());
            match futures_util::future::select(call, closed).await {
                futures_util::future::Either::Left((outcome, _)) => Some(outcome),
                futures_util::future::Either::Right(_) => None,
            }
        });
        if let Some(outcome) = outcome {
            let _ = sender.send(outcome);
        }
    });
    if thread.is_err() {
        HELPERS.fetch_sub(1, Ordering::AcqRel);
    }
    Box::pin(async move {
        thread.map_err(|e| KontextFfiError::internal(&format!("could not start a thread: {e}")))?;
        outcome.await.unwrap_or_else(|_| Err(dropped()))
    })
}

impl Drop for Runner {
    fn drop(&mut self) {
        let runtime = self.shared.take();
        if self.shared.forked() {
            // The parent's worker is not here to finish or acknowledge anything: leak it all.
            std::mem::forget(runtime);
            std::mem::forget(std::mem::take(self.parked.get_mut().unwrap_or_else(PoisonError::into_inner)));
        } else if let Some(runtime) = runtime {
            // Parked calls first: they hold tasks and timers of the runtime.
            self.parked.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
            if let Ok(runtime) = Arc::try_unwrap(runtime) {
                // Never blocks the Python thread that dropped the client; allowed inside a runtime.
                runtime.shutdown_background();
            }
            // Otherwise a call is driving it right now, and drops it when it returns.
        }
    }
}

/// A spawned task, aborted when this handle is dropped.
pub(crate) struct Aborting<T>(JoinHandle<T>);

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Future for Aborting<Outcome> {
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
            let message = match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
                (Some(s), _) => format!("panic: {s}"),
                (_, Some(s)) => format!("panic: {s}"),
                _ => "panic".to_owned(),
            };
            Err(KontextFfiError::internal(&message))
        }
    }
}

/// A call whose task was dropped before it finished: its client's runtime shut down under it.
fn dropped() -> KontextFfiError {
    let message = "the client was closed during the call".to_owned();
    KontextFfiError::from(kontext_management::Error::connection(message, false))
}
