//! The one tokio runtime every call runs on, and the async way in: a spawned task whose handle
//! aborts it when dropped (the blocking way in is `pending.rs`).
//!
//! Spawning (rather than polling the request inside uniffi's executor) keeps all I/O on this
//! runtime's threads, so nothing runs on the asyncio event loop's thread, and a client created by
//! sync code shares its connections with async code. A panic in a task becomes an `internal`
//! error instead of unwinding into uniffi.

use std::any::Any;
use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::error::KontextFfiError;

pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        // Requests are I/O bound; a few workers serve many concurrent calls.
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("kontext-python")
            .enable_all()
            .build()
            .expect("the Kontext SDK could not start its I/O runtime")
    })
}

/// Runs `future` as a task on the shared runtime; dropping the returned future aborts the task.
pub(crate) async fn spawn<T: Send + 'static>(
    future: impl Future<Output = kontext::Result<T>> + Send + 'static,
) -> Result<T, KontextFfiError> {
    let mut task = AbortOnDrop(runtime().spawn(future));
    match (&mut task.0).await {
        Ok(result) => result.map_err(KontextFfiError::from),
        Err(e) if e.is_panic() => Err(KontextFfiError::internal(&panic_message(&*e.into_panic()))),
        Err(e) => Err(KontextFfiError::internal(&format!("the request task ended early: {e}"))),
    }
}

struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => format!("panic: {s}"),
        (_, Some(s)) => format!("panic: {s}"),
        _ => "panic".to_owned(),
    }
}
