//! The shared tokio runtime, and how a panic is reported.
//!
//! Calls do not run here: blocking calls run on the caller's thread (`lane.rs`), async calls on
//! their event loop's thread (`completions.rs`). The runtime keeps what those need off their
//! thread: the timers of timeouts and backoff, and blocking name lookups. One worker, which
//! sleeps unless one of those needs it.

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
