//! The seam between native (tokio) and wasm32 (JS timers) for time; HTTP is in `wire`.
//!
//! Everything above this file is target-independent: the retry loop, backoff sleeps and timeouts
//! behave the same in a browser as on a server.

use std::time::Duration;

/// Waits without blocking the executor.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Waits without blocking the executor (a JS `setTimeout`).
#[cfg(target_arch = "wasm32")]
pub(crate) async fn sleep(duration: Duration) {
    // setTimeout takes a signed 32-bit delay (longer ones fire at once); ~24.8 days is "forever".
    let millis = duration.as_millis().min(i32::MAX as u128) as i32;
    timer::Timer::new(millis).await;
}

/// `setTimeout` as a future, through the global functions every JS runtime has (browsers,
/// workers, Node, Deno). Dropping it clears the timer, so a cancelled backoff wait never keeps a
/// Node process alive. (Written here rather than taken from gloo-timers, which does not
/// build with `panic = "unwind"` on wasm-bindgen 0.2.130.)
#[cfg(target_arch = "wasm32")]
mod timer {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use js_sys::wasm_bindgen::{JsCast, JsValue};
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen_futures::JsFuture;

    pub(crate) struct Timer {
        id: JsValue,
        fired: JsFuture,
    }

    fn global_function(name: &str) -> Option<Function> {
        Reflect::get(&js_sys::global(), &name.into()).ok()?.dyn_into().ok()
    }

    impl Timer {
        pub(crate) fn new(millis: i32) -> Self {
            let mut id = JsValue::UNDEFINED;
            // The executor runs synchronously, inside `new`; the wrapper only satisfies the
            // unwind-safety bound `panic = "unwind"` builds put on it.
            let mut slot = std::panic::AssertUnwindSafe(&mut id);
            let fired = Promise::new(&mut move |resolve, _reject| {
                if let Some(set_timeout) = global_function("setTimeout") {
                    **slot =
                        set_timeout.call2(&JsValue::UNDEFINED, &resolve, &millis.into()).unwrap_or(JsValue::UNDEFINED);
                }
            });
            Self { id, fired: JsFuture::from(fired) }
        }
    }

    impl Future for Timer {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            Pin::new(&mut self.fired).poll(cx).map(|_| ())
        }
    }

    impl Drop for Timer {
        fn drop(&mut self) {
            if !self.id.is_undefined()
                && let Some(clear_timeout) = global_function("clearTimeout")
            {
                let _ = clear_timeout.call1(&JsValue::UNDEFINED, &self.id);
            }
        }
    }
}

/// A uniform random number in `[0, 1)` for jitter.
pub(crate) fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}
