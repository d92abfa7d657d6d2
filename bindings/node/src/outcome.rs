//! How a Rust future becomes a JS promise: panics caught, cancellation honoured, and failures
//! turned into `Error` objects whose properties are the data of `kontext::ErrorDetails`. The
//! future runs on the JS thread's executor and its promise is settled through `settle.rs`.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::{AbortRegistration, Abortable};
use napi::bindgen_prelude::{Object, PromiseRaw, ToNapiValue};
use napi::{Env, JsValue, Status};
use serde_json::Value;

use crate::settle;

/// Why a call did not produce a result.
pub(crate) enum Failure {
    /// The SDK's own error, already summarised (`ErrorDetails` is `Send`; `kontext::Error` need
    /// not be).
    Kontext(Box<kontext::ErrorDetails>),
    /// The caller's `AbortSignal` fired and the Rust future was dropped.
    Aborted,
    /// A bug: the future panicked. Reported, never allowed to take Node down.
    Panic(String),
}

impl From<kontext::Error> for Failure {
    fn from(error: kontext::Error) -> Self {
        Self::Kontext(Box::new(error.details()))
    }
}

/// Starts `future` on the JS thread's executor and returns its promise.
///
/// With a `registration`, aborting its handle drops the future (and with it the HTTP request)
/// and rejects with an `AbortError`.
pub(crate) fn spawn<'env, T, F>(
    env: &'env Env,
    registration: Option<AbortRegistration>,
    future: F,
) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + 'static,
    F: Future<Output = Result<T, Failure>> + 'static,
{
    // A call's future is ~10 KB; boxed once here, the wrappers below and the executor move a
    // pointer instead of copying it at each layer (memcpy was ~6 % of a call's CPU).
    let future = Box::pin(future);
    let guarded = async move {
        let caught = AssertUnwindSafe(future).catch_unwind();
        let outcome = match registration {
            Some(registration) => match Abortable::new(caught, registration).await {
                Ok(outcome) => outcome,
                Err(_aborted) => return Err(Failure::Aborted),
            },
            None => caught.await,
        };
        outcome.unwrap_or_else(|payload| Err(Failure::Panic(panic_message(&*payload))))
    };
    settle::spawn(env, guarded)
}

impl Failure {
    /// A JS `Error` carrying the failure as properties, wrapped so napi rejects (or throws) with
    /// that very object.
    pub(crate) fn into_js(self, env: &Env) -> napi::Result<napi::Error> {
        Ok(napi::Error::from(self.into_object(env)?.to_unknown()))
    }

    /// The JS `Error` carrying the failure as properties.
    pub(crate) fn into_object(self, env: &Env) -> napi::Result<Object<'_>> {
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

/// Copies one `ErrorDetails` field onto the error; every field is a scalar or a string list.
fn set_json(object: &mut Object<'_>, key: &str, value: &Value) -> napi::Result<()> {
    match value {
        Value::String(s) => object.set(key, s.as_str()),
        Value::Number(n) => object.set(key, n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => object.set(key, *b),
        Value::Array(items) => {
            object.set(key, items.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>())
        }
        Value::Null | Value::Object(_) => Ok(()),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
