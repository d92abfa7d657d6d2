//! Blocking calls, run on the calling thread in slices.
//!
//! A single blocking FFI call cannot be interrupted: CPython runs signal handlers only between
//! bytecodes, so Ctrl-C would wait out the request's whole timeout and retries. Instead a call
//! runs for one slice ([`run`]); if it has not finished by then it is *parked* on the calling
//! thread under a token the caller chose, and the caller resumes it slice by slice ([`resume`]),
//! handling signals in between, or drops it ([`cancel`], which cancels its request). A call that
//! finishes within its first slice — nearly all of them — costs one FFI crossing and no thread
//! handoff: the request, its I/O included, runs on the caller's own current-thread runtime
//! (see `lane.rs`).
//!
//! The Python side (`kontext._engine`) always resumes or cancels on the thread that started the
//! call, so parked calls live in a thread-local list. Tokens, not a stack discipline, identify
//! them: a signal handler may make calls of its own between two slices of another.

use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::KontextFfiError;
use crate::lane::{Driver, retire};
use crate::runtime::panic_message;

pub(crate) type CallFuture = Pin<Box<dyn Future<Output = kontext::Result<String>> + Send>>;

/// What a blocking export returns while its call is still running (a result is never empty:
/// it is JSON text, `null` for none).
pub(crate) const STILL_RUNNING: String = String::new();

struct Parked {
    token: u64,
    driver: Arc<Driver>,
    future: CallFuture,
}

struct ParkedCalls(RefCell<Vec<Parked>>);

impl Drop for ParkedCalls {
    fn drop(&mut self) {
        // The thread is exiting with calls its caller never finished: drop them elsewhere (a
        // driver's runtime must not shut down inside a TLS destructor).
        for parked in self.0.get_mut().drain(..) {
            retire(Box::new(parked));
        }
    }
}

thread_local! {
    static PARKED: ParkedCalls = const { ParkedCalls(RefCell::new(Vec::new())) };
}

/// Runs `future` on `driver` for up to `slice`: its JSON result, or [`STILL_RUNNING`] after
/// parking it under `token` on this thread.
pub(crate) fn run(
    driver: Arc<Driver>,
    future: impl Future<Output = kontext::Result<String>> + Send + 'static,
    slice: Duration,
    token: u64,
) -> Result<String, KontextFfiError> {
    let mut future: CallFuture = Box::pin(future);
    match poll_for(&driver, &mut future, slice) {
        Some(outcome) => outcome,
        None => {
            PARKED.with(|parked| parked.0.borrow_mut().push(Parked { token, driver, future }));
            Ok(STILL_RUNNING)
        }
    }
}

/// Runs the call parked under `token` for up to `slice` more: its result, or
/// [`STILL_RUNNING`].
pub(crate) fn resume(token: u64, slice: Duration) -> Result<String, KontextFfiError> {
    let Some(Parked { token, driver, mut future }) = take(token) else {
        return Err(KontextFfiError::internal("no call is waiting under this token on this thread"));
    };
    match poll_for(&driver, &mut future, slice) {
        Some(outcome) => outcome,
        None => {
            PARKED.with(|parked| parked.0.borrow_mut().push(Parked { token, driver, future }));
            Ok(STILL_RUNNING)
        }
    }
}

/// Drops the call parked under `token`, if any (its request is cancelled).
pub(crate) fn cancel(token: u64) {
    drop(take(token));
}

fn take(token: u64) -> Option<Parked> {
    PARKED.with(|parked| {
        let mut parked = parked.0.borrow_mut();
        let index = parked.iter().rposition(|p| p.token == token)?;
        Some(parked.swap_remove(index))
    })
}

/// `None` while the call is still running; a panic inside it becomes an `internal` error.
fn poll_for(driver: &Driver, future: &mut CallFuture, slice: Duration) -> Option<Result<String, KontextFfiError>> {
    match catch_unwind(AssertUnwindSafe(|| driver.run_for(slice, future.as_mut()))) {
        Ok(None) => None,
        Ok(Some(result)) => Some(result.map_err(KontextFfiError::from)),
        Err(panic) => Some(Err(KontextFfiError::internal(&panic_message(&*panic)))),
    }
}
