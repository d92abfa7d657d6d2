//! Node engine of the Kontext SDK: `kontext_management::dispatch` exported through Node-API (napi-rs).
//!
//! This crate converts and nothing else (see `bindings/ENGINE.md`): JSON text in, JSON text out,
//! errors as JS `Error` objects carrying the fields of `kontext_management::ErrorDetails`. Calls run on
//! napi-rs' tokio runtime and settle their promises through napi's own threadsafe functions, so
//! the addon uses Node-API only and loads wherever Node-API exists (Node, Bun, Deno). The JS
//! layer in `packages/npm` builds the public API on top and serves the wasm engine with the same
//! code.

mod engine;
mod log;
mod outcome;

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;

pub use engine::{CancelToken, Engine, Paginator};
use outcome::spawn;

/// napi's tokio runtime, with one worker: a call is light (most of its time is waiting on a
/// socket), and every extra worker looking for work costs CPU on each wake-up. Without it
/// (the runtime could not start), napi builds its default runtime.
#[napi_derive::module_init]
fn init() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("kontext-management-node")
        .enable_all()
        .build();
    if let Ok(runtime) = runtime {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// Runs an `oauth.*` call (`oauth.createPkceChallenge`, `oauth.exchangeCode`, …).
#[napi(catch_unwind, ts_return_type = "Promise<string>")]
pub fn oauth_call<'env>(
    env: &'env Env,
    method: String,
    args_json: String,
    token: Option<&CancelToken>,
) -> Result<PromiseRaw<'env, String>> {
    let registration = token.map(CancelToken::registration).transpose()?;
    spawn(env, registration, async move {
        let args = kontext_management::dispatch::parse_args(&args_json)?;
        Ok(kontext_management::dispatch::call_oauth_json(&method, args).await?)
    })
}

/// Test hook: a promise whose Rust future panics, to prove a panic rejects instead of aborting
/// Node. Inert unless `KONTEXT_NODE_TEST_HOOKS=1`, and not reachable through the public API.
#[napi(catch_unwind, js_name = "__panicForTests", ts_return_type = "Promise<string>")]
pub fn panic_for_tests(env: &Env, sync: bool) -> Result<PromiseRaw<'_, String>> {
    let enabled = std::env::var("KONTEXT_NODE_TEST_HOOKS").is_ok_and(|v| v == "1");
    if !enabled {
        return Err(napi::Error::from_reason("test hooks are disabled"));
    }
    if sync {
        panic!("deliberate synchronous panic (test hook)");
    }
    spawn(env, None, async move { panic!("deliberate asynchronous panic (test hook)") })
}
