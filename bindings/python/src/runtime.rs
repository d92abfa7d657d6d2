//! The shared tokio runtime async calls run on (blocking calls run on the caller's own thread,
//! see `lane.rs`), and how a panic is reported.
//!
//! Async calls are spawned here rather than polled on the asyncio event loop's thread, so nothing
//! blocks the loop; their outcomes come back through `completions.rs`. One worker: a call's task
//! and its pooled connection's task then share a thread (with more workers a request often
//! crossed between them), and no idle worker burns CPU looking for work; one thread easily
//! drives thousands of concurrent requests.

use std::any::Any;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kontext-python")
            .enable_all()
            .build()
            .expect("the Kontext SDK could not start its I/O runtime")
    })
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => format!("panic: {s}"),
        (_, Some(s)) => format!("panic: {s}"),
        _ => "panic".to_owned(),
    }
}
