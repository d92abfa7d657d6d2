//! A call the blocking client waits on in slices.
//!
//! A single blocking FFI call cannot be interrupted: CPython runs signal handlers only between
//! bytecodes, so Ctrl-C would wait out the request's whole timeout and retries. Instead Python
//! waits for the call in short slices; between slices it handles signals, and an interrupted wait
//! drops the call (and with it the request). The call's future is polled on the waiting thread
//! itself (`block_on`), so a call that finishes within the first slice costs no thread handoff.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::KontextFfiError;
use crate::runtime;

type CallFuture = Pin<Box<dyn Future<Output = kontext::Result<String>> + Send>>;

/// A started call; its result is the JSON text of the answer.
#[derive(uniffi::Object)]
pub struct PendingCall {
    future: Mutex<Option<CallFuture>>,
}

impl PendingCall {
    /// Wraps `future`; nothing runs until the first [`wait`](Self::wait).
    pub(crate) fn start(future: impl Future<Output = kontext::Result<String>> + Send + 'static) -> Arc<Self> {
        Arc::new(Self { future: Mutex::new(Some(Box::pin(future))) })
    }
}

#[uniffi::export]
impl PendingCall {
    /// Runs the call for up to `timeout_ms` on this thread; its JSON result, or `None` while it
    /// is still running.
    pub fn wait(&self, timeout_ms: u32) -> Result<Option<String>, KontextFfiError> {
        let mut slot = self.future.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(future) = slot.as_mut() else {
            return Err(KontextFfiError::internal("the call was cancelled or its result was already taken"));
        };
        let slice = Duration::from_millis(timeout_ms.into());
        let polled = catch_unwind(AssertUnwindSafe(|| {
            runtime::runtime().block_on(async { tokio::time::timeout(slice, future).await.ok() })
        }));
        match polled {
            Ok(None) => Ok(None),
            Ok(Some(result)) => {
                *slot = None;
                result.map(Some).map_err(KontextFfiError::from)
            }
            Err(panic) => {
                *slot = None;
                Err(KontextFfiError::internal(&runtime::panic_message(&*panic)))
            }
        }
    }

    /// Drops the call: its request is cancelled and no result will come.
    pub fn cancel(&self) {
        self.future.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}
