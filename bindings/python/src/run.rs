//! Where an engine's calls run: one tokio runtime per engine (per Python client), whose worker
//! drives every request of that client and owns its connection pool, whichever Python thread or
//! event loop made the call.
//!
//! - Async calls ([`Runner::run`]) are spawned on the runtime and awaited through uniffi's
//!   futures; dropping the awaiting future (a cancelled asyncio task) aborts the task.
//! - Blocking calls ([`Runner::block`]) are spawned the same way, and the calling thread (GIL
//!   released) waits for the outcome for at most [`SLICE`]. CPython runs signal handlers only
//!   between bytecodes, so a call still running after a slice is *parked* under a token the
//!   caller chose and returns [`STILL_RUNNING`]; the caller resumes it slice by slice
//!   ([`Runner::resume`]) and, on Ctrl-C, drops it ([`Runner::cancel`]), which aborts the request.
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
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::error::KontextFfiError;

pub(crate) type Outcome = Result<String, KontextFfiError>;

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
    /// `None` once dropped or stopped by [`shutdown_all`].
    runtime: Mutex<Option<Runtime>>,
    pid: u32,
}

impl Shared {
    fn forked(&self) -> bool {
        std::process::id() != self.pid
    }

    fn take(&self) -> Option<Runtime> {
        self.runtime.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
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
            } else {
                runtime.shutdown_timeout(Duration::from_secs(1));
            }
        }
    }
}

struct Parked {
    outcome: Receiver<Outcome>,
    _task: Aborting<()>,
}

impl Runner {
    pub(crate) fn new() -> kontext_management::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kontext-management-python")
            .enable_all()
            .build()
            .map_err(|e| kontext_management::Error::Config(format!("could not start an I/O runtime: {e}")))?;
        let shared = Arc::new(Shared { runtime: Mutex::new(Some(runtime)), pid: std::process::id() });
        let mut all = RUNTIMES.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|weak| weak.strong_count() > 0);
        all.push(Arc::downgrade(&shared));
        Ok(Self { shared, parked: Mutex::default() })
    }

    fn spawn<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Result<Aborting<T>, KontextFfiError> {
        if self.forked() {
            return Err(KontextFfiError::from(kontext_management::Error::connection(
                "this object was made before the process forked and cannot be used in the child; \
                 make it again (clients are renewed automatically)",
                true,
            )));
        }
        match self.shared.runtime.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
            Some(runtime) => Ok(Aborting(runtime.spawn(future))),
            None => Err(dropped()),
        }
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
        let task = self.spawn(guarded(future));
        async move { task?.await }
    }

    /// Runs `future` on the runtime and waits up to a slice for it: its outcome, or
    /// [`STILL_RUNNING`] with the call parked under `token`.
    pub(crate) fn block(
        &self,
        token: u64,
        future: impl Future<Output = kontext_management::Result<String>> + Send + 'static,
    ) -> Outcome {
        let (sender, outcome) = sync_channel(1);
        let task = self.spawn(async move {
            // The receiver is gone only when the call was cancelled.
            let _ = sender.send(guarded(future).await);
        })?;
        self.wait(token, Parked { outcome, _task: task })
    }

    /// Waits up to another slice for the call parked under `token`.
    pub(crate) fn resume(&self, token: u64) -> Outcome {
        // Taken out first: a guard in the `match` scrutinee would be held across `wait`.
        let parked = self.parked().remove(&token);
        match parked {
            Some(parked) => self.wait(token, parked),
            None => Err(KontextFfiError::internal("no call is waiting under this token")),
        }
    }

    /// Drops the call parked under `token`, if any, aborting its request.
    pub(crate) fn cancel(&self, token: u64) {
        let parked = self.parked().remove(&token);
        drop(parked);
    }

    fn wait(&self, token: u64, parked: Parked) -> Outcome {
        match parked.outcome.recv_timeout(SLICE) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => {
                self.parked().insert(token, parked);
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

impl Drop for Runner {
    fn drop(&mut self) {
        let runtime = self.shared.take();
        if self.shared.forked() {
            // The parent's worker is not here to finish or acknowledge anything: leak it all.
            std::mem::forget(runtime);
            std::mem::forget(std::mem::take(self.parked.get_mut().unwrap_or_else(PoisonError::into_inner)));
        } else if let Some(runtime) = runtime {
            // Never blocks the Python thread that dropped the client; allowed inside a runtime.
            runtime.shutdown_background();
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
