//! How a call's promise is made and settled: a bare `napi_create_promise`, settled on the JS
//! thread by the task that ran the call (`executor.rs`) as soon as the call ends.

use std::future::Future;
use std::ptr;

use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::{Env, JsError, JsValue, Status, sys};

use crate::executor;
use crate::outcome::Failure;

/// Runs `future` on this thread's executor; its promise settles with its outcome.
pub(crate) fn spawn<'env, T, F>(env: &'env Env, future: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + 'static,
    F: Future<Output = Result<T, Failure>> + 'static,
{
    let executor = executor::executor(env.raw())?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    let status = unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(Status::GenericFailure, "could not create a promise"));
    }
    let raw_env = executor.env();
    executor.start_call(async move {
        let outcome = future.await;
        settle(raw_env, deferred, outcome);
    });
    Ok(PromiseRaw::new(env.raw(), promise))
}

/// Resolves or rejects `deferred`, in a handle scope of its own. Node keeps a callback's scope
/// open while the microtasks it triggered run, so a value made in that scope (the JSON text a
/// call resolves with) would stay reachable until the JS continuations of every call settled in
/// the same callback had run: a whole `listAll` page iterated, with its text copied by each
/// scavenge meanwhile. Here the promise alone holds the value.
fn settle<T: ToNapiValue>(raw_env: sys::napi_env, deferred: sys::napi_deferred, outcome: Result<T, Failure>) {
    let env = Env::from_raw(raw_env);
    let mut scope = ptr::null_mut();
    let opened = unsafe { sys::napi_open_handle_scope(raw_env, &mut scope) } == sys::Status::napi_ok;
    let value = match outcome {
        Ok(value) => unsafe { T::to_napi_value(raw_env, value) }.map(Ok),
        Err(failure) => failure.into_object(&env).map(|error| Err(error.raw())),
    };
    let value = value.unwrap_or_else(|error| Err(unsafe { JsError::from(error).into_value(raw_env) }));
    unsafe {
        match value {
            Ok(value) => sys::napi_resolve_deferred(raw_env, deferred, value),
            Err(reason) => sys::napi_reject_deferred(raw_env, deferred, reason),
        };
        if opened {
            sys::napi_close_handle_scope(raw_env, scope);
        }
    }
}
