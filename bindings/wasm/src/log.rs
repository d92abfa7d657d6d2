//! The `logger` option of the JS clients on the wasm engine: each client's log records go to its
//! own JS function (see `packages/npm/src/logging.js`), called directly and synchronously.

use js_sys::Function;
use kontext_management::log::Logger;
use wasm_bindgen::JsValue;

/// The client's logger: `None` without a sink or at level `off` (then the client does no
/// logging work at all).
pub(crate) fn logger(level: Option<String>, sink: Option<Function>) -> Option<Logger> {
    let sink = JsSink(sink?);
    Logger::for_client(level.as_deref(), move |record| {
        let _ = sink.0.call1(&JsValue::UNDEFINED, &JsValue::from_str(&record.to_json()));
    })
}

/// `kontext_management::log` keeps loggers in `Send + Sync` places (a global default, thread-locals of a
/// multi-threaded runtime); a JS function is neither.
struct JsSink(Function);

// SAFETY: wasm32-unknown-unknown without the `atomics` feature has exactly one thread, so the
// function is only ever touched by the thread that created it. (The native build of this crate,
// for clippy and unit tests, never creates one.)
#[cfg(not(target_feature = "atomics"))]
unsafe impl Send for JsSink {}
#[cfg(not(target_feature = "atomics"))]
unsafe impl Sync for JsSink {}
