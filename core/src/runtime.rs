//! The seam between native (tokio + reqwest/hyper) and wasm32 (fetch + JS timers).
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
/// workers, Node, Deno). Dropping it clears the timer, so the losing side of a timeout race never
/// keeps a Node process alive. (Written here rather than taken from gloo-timers, which does not
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

/// Bounds one attempt (send, and read the whole body) by `timeout`.
///
/// Native: reqwest enforces the timeout itself (it is set on every request), so this only awaits.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn bounded<T>(
    _timeout: Duration,
    attempt: impl std::future::Future<Output = crate::Result<T>>,
) -> crate::Result<T> {
    attempt.await
}

/// Bounds one attempt (send, and read the whole body) by `timeout`.
///
/// wasm32: reqwest's own per-request timeout only covers the wait for the response headers (a
/// body that stalls afterwards is reported as a generic error), so the attempt races a JS timer
/// instead. Losing the race drops the attempt, and with it reqwest's guard, which aborts the
/// `fetch`.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn bounded<T>(
    timeout: Duration,
    attempt: impl std::future::Future<Output = crate::Result<T>>,
) -> crate::Result<T> {
    use futures_util::future::{Either, select};
    let attempt = std::pin::pin!(attempt);
    let timer = std::pin::pin!(sleep(timeout));
    match select(attempt, timer).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => Err(crate::Error::Timeout { timeout }),
    }
}

/// Builds the HTTP transport.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn http_client(user_agent: &str) -> crate::Result<reqwest::Client> {
    // reqwest is built without a bundled crypto provider (`rustls-no-provider`): ring keeps cold
    // builds fast and binaries small. We install it as the process default unless the host app
    // chose one already. Note for Rust users: another reqwest client built in the same process
    // *before* ours, with no TLS feature of its own, would find no provider; enable reqwest's
    // `rustls` feature there or call `rustls::crypto::ring::default_provider().install_default()`.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| crate::Error::config(format!("could not build the HTTP client: {}", crate::http::error_chain(&e))))
}

/// Builds the HTTP transport (the platform `fetch`).
#[cfg(target_arch = "wasm32")]
pub(crate) fn http_client(user_agent: &str) -> crate::Result<reqwest::Client> {
    // Browsers keep their own User-Agent (Chromium drops the header, and elsewhere it would only
    // add to the CORS preflight); every engine also identifies itself with `x-kontext-client`
    // (see http.rs). Server-side runtimes (Node, Deno, Bun, edge workers) send it like native.
    let mut builder = reqwest::Client::builder();
    if !in_browser() {
        builder = builder.user_agent(user_agent);
    }
    builder.build().map_err(|e| crate::Error::config(format!("could not build the HTTP client: {e}")))
}

/// Whether this runs in a browser (a page or a web worker): their `navigator.userAgent` starts
/// with `Mozilla/`; Node 21+, Deno, Bun and Cloudflare Workers name themselves, Node 20 has none.
#[cfg(target_arch = "wasm32")]
fn in_browser() -> bool {
    let get = |target: &js_sys::wasm_bindgen::JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).ok();
    get(&js_sys::global(), "navigator")
        .filter(|navigator| navigator.is_object())
        .and_then(|navigator| get(&navigator, "userAgent"))
        .and_then(|agent| agent.as_string())
        .is_some_and(|agent| agent.starts_with("Mozilla/"))
}

/// The message of a transport failure, with its whole source chain.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn transport_message(error: &reqwest::Error) -> String {
    crate::http::error_chain(error)
}

/// The message of a transport failure. reqwest renders the JS exception of `fetch` with its
/// stack (`JsValue(TypeError: fetch failed\nTypeError: fetch failed\n    at …)`): keep the first
/// line of it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn transport_message(error: &reqwest::Error) -> String {
    let chain = crate::http::error_chain(error);
    match chain.split_once("JsValue(") {
        Some((before, js)) => {
            let mut lines = js.lines();
            let first = lines.next().unwrap_or_default();
            let first = if lines.next().is_none() { first.strip_suffix(')').unwrap_or(first) } else { first };
            format!("{before}{first}")
        }
        None => chain,
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
