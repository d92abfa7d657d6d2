//! The `logger` option of the JS clients on the native engine: each client's log records go to
//! its own JS function (see `packages/npm/src/logging.js`), through a threadsafe function.
//!
//! Records are emitted while a call runs on napi's tokio runtime, so the function is queued to
//! the JS thread: a logger that calls the client again cannot re-enter the call, and a slow one
//! never stalls a request. It is weak (unref'd: a logger never keeps Node alive). A record may
//! therefore arrive just after the call it reports on settles.

use kontext_management::log::Logger;
use napi::Status;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue};

/// `(recordJson: string) => void`, callable from any thread, weak.
pub type LogSink = ThreadsafeFunction<String, UnknownReturnValue, String, Status, false, true>;

/// The client's logger: `None` without a sink or at level `off` (then the client does no
/// logging work at all).
pub(crate) fn logger(level: Option<String>, sink: Option<LogSink>) -> Option<Logger> {
    let sink = sink?;
    Logger::for_client(level.as_deref(), move |record| {
        let _ = sink.call(record.to_json(), ThreadsafeFunctionCallMode::NonBlocking);
    })
}
