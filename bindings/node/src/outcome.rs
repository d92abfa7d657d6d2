//! How a Rust future becomes a JS promise: panics caught, cancellation honoured, and failures
//! turned into `Error` objects whose properties are the data of `kontext_management::ErrorDetails`. The
//! future runs on napi's tokio runtime; napi settles its promise on the JS thread.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::{AbortRegistration, Abortable};
use napi::bindgen_prelude::{Object, PromiseRaw, ToNapiValue};
use napi::{Env, JsValue, Status};
use serde_json::Value;

/// Why a call did not produce a result.
pub(crate) enum Failure {
    /// The SDK's own error, already summarised as plain data.
    Kontext(Box<kontext_management::ErrorDetails>),
    /// The caller's `AbortSignal` fired and the Rust future was dropped.
    Aborted,
    /// A bug: the future panicked. Reported, never allowed to take Node down.
    Panic(String),
}

impl From<kontext_management::Error> for Failure {
    fn from(error: kontext_management::Error) -> Self {
        Self::Kontext(Box::new(error.details()))
    }
}

/// Runs `future` on napi's tokio runtime and returns its promise.
///
/// With a `registration`, aborting its handle drops the future (and with it the HTTP request)
/// and rejects with an `AbortError`. The failure crosses as data and becomes an `Error` object
/// on the JS thread, in napi's settle callback: a plain `#[napi] async fn` could only reject
/// with a generic error.
pub(crate) fn spawn<'env, T, F>(
    env: &'env Env,
    registration: Option<AbortRegistration>,
    future: F,
) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
{
    // A call's future is ~10 KB; boxed once here, the wrappers below and the runtime move a
    // pointer instead of copying it at each layer.
    let future = Box::pin(future);
    let guarded = async move {
        let caught = AssertUnwindSafe(future).catch_unwind();
        let outcome = match registration {
            Some(registration) => match Abortable::new(caught, registration).await {
                Ok(outcome) => outcome,
                Err(_aborted) => return Ok(Err(Failure::Aborted)),
            },
            None => caught.await,
        };
        Ok::<_, napi::Error>(outcome.unwrap_or_else(|payload| Err(Failure::Panic(panic_message(&*payload)))))
    };
    env.spawn_future_with_callback(guarded, |env, outcome| outcome.map_err(|failure| failure.into_js(env)))
}

impl Failure {
    /// A JS `Error` carrying the failure as properties, wrapped so napi rejects (or throws) with
    /// that very object.
    pub(crate) fn into_js(self, env: &Env) -> napi::Error {
        match self.into_object(env) {
            Ok(error) => napi::Error::from(error.to_unknown()),
            Err(error) => error,
        }
    }

    /// The JS `Error` carrying the failure as properties.
    fn into_object(self, env: &Env) -> napi::Result<Object<'_>> {
        let fields = match self {
            Self::Kontext(details) => serde_json::to_value(*details).unwrap_or(Value::Null),
            Self::Aborted => serde_json::json!({
                "name": "AbortError",
                "kind": "aborted",
                "code": "kontext_aborted",
                "message": "the request was aborted",
            }),
            Self::Panic(message) => serde_json::json!({
                "kind": "internal",
                "code": "kontext_internal_error",
                "message": format!("internal error in the Kontext engine (please report it): {message}"),
            }),
        };
        let message = fields.get("message").and_then(Value::as_str).unwrap_or("unknown error");
        let mut error = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
        error.set("name", "KontextError")?;
        if let Value::Object(map) = &fields {
            for (key, value) in map {
                set_json(&mut error, key, value)?;
            }
        }
        Ok(error)
    }
}

/// Copies one `ErrorDetails` field onto the error: scalars, string lists (`missingScopes`) and the
/// server's `diagnostics` as received (a list of objects for a 422), converted as JSON values.
fn set_json(object: &mut Object<'_>, key: &str, value: &Value) -> napi::Result<()> {
    match value {
        Value::Null => Ok(()),
        other => object.set(key, other.clone()),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
