//! Where calls run, and how their promises are settled.
//!
//! Calls run on a tokio runtime of the addon's own with **one** worker: the call's task and the
//! pooled connection's task then share a thread (with two workers a request often crossed
//! between them), and an idle second worker does not burn CPU looking for work.
//!
//! napi-rs' `spawn_future_with_callback` creates a promise *and a threadsafe function* per call
//! (a libuv handle, registered and closed again) and settles each call with its own wake-up of
//! the JS thread. Here each JS environment has one long-lived threadsafe function: a call
//! creates a bare promise (`napi_create_promise`) and keeps its deferred on the JS thread; the
//! finished call queues a settle closure, and the first entry into an empty queue wakes the JS
//! thread once, which settles everything queued. The threadsafe function is weak (it never keeps
//! Node alive by itself) and is referenced only while calls are pending, exactly like a socket.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::ptr;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsError, JsValue, Status, sys};

use crate::outcome::Failure;

/// The runtime every call runs on.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kontext-node")
            .enable_all()
            .build()
            .expect("the Kontext engine could not start its I/O runtime")
    })
}

/// Turns a finished call into the value its promise resolves with (`Ok`) or rejects with
/// (`Err`); runs on the JS thread.
type Settle = Box<dyn FnOnce(&Env) -> napi::Result<Result<sys::napi_value, sys::napi_value>> + Send>;

type Waker = ThreadsafeFunction<(), (), (), Status, false, true>;

/// What the runtime's threads share with one JS environment.
struct Shared {
    queue: Mutex<Vec<(u64, Settle)>>,
    waker: Waker,
}

impl Shared {
    fn push(&self, id: u64, settle: Settle) {
        let was_empty = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let was_empty = queue.is_empty();
            queue.push((id, settle));
            was_empty
        };
        if was_empty {
            // Fails only while the environment shuts down, when nobody awaits the promise.
            let _ = self.waker.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

/// One JS environment's pending calls (lives on its JS thread).
struct Settler {
    shared: Arc<Shared>,
    deferreds: RefCell<HashMap<u64, sys::napi_deferred>>,
    next_id: Cell<u64>,
}

thread_local! {
    static SETTLERS: RefCell<HashMap<usize, Rc<Settler>>> = RefCell::new(HashMap::new());
}

fn settler(env: &Env) -> napi::Result<Rc<Settler>> {
    let key = env.raw() as usize;
    if let Some(settler) = SETTLERS.with(|s| s.borrow().get(&key).cloned()) {
        return Ok(settler);
    }
    let wake = env.create_function_from_closure::<(), (), _>("kontextSettle", |_| Ok(()))?;
    let waker: Waker =
        wake.build_threadsafe_function::<()>().callee_handled::<false>().weak::<true>().build_callback(move |ctx| {
            settle_queued(&ctx.env);
            Ok(())
        })?;
    let shared = Arc::new(Shared { queue: Mutex::new(Vec::new()), waker });
    let settler = Rc::new(Settler { shared, deferreds: RefCell::new(HashMap::new()), next_id: Cell::new(1) });
    SETTLERS.with(|s| s.borrow_mut().insert(key, settler.clone()));
    // Forget the environment's settler when it is torn down (a worker thread ends).
    unsafe extern "C" fn forget(key: *mut std::ffi::c_void) {
        let _ = SETTLERS.try_with(|s| s.borrow_mut().remove(&(key as usize)));
    }
    let status = unsafe { sys::napi_add_env_cleanup_hook(env.raw(), Some(forget), key as *mut std::ffi::c_void) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(Status::GenericFailure, "could not register a cleanup hook"));
    }
    Ok(settler)
}

/// Runs `future` on the runtime; its promise settles with its outcome.
pub(crate) fn spawn<'env, T, F>(env: &'env Env, future: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
{
    let settler = settler(env)?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    let status = unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(Status::GenericFailure, "could not create a promise"));
    }
    let id = settler.next_id.get();
    settler.next_id.set(id + 1);
    let first = {
        let mut deferreds = settler.deferreds.borrow_mut();
        deferreds.insert(id, deferred);
        deferreds.len() == 1
    };
    if first {
        // A call in flight keeps Node alive, as a socket would.
        unsafe { sys::napi_ref_threadsafe_function(env.raw(), settler.shared.waker.raw()) };
    }
    let shared = settler.shared.clone();
    runtime().spawn(async move {
        let outcome = future.await;
        shared.push(
            id,
            Box::new(move |env| match outcome {
                Ok(value) => Ok(Ok(unsafe { T::to_napi_value(env.raw(), value)? })),
                Err(failure) => Ok(Err(failure.into_object(env)?.raw())),
            }),
        );
    });
    Ok(PromiseRaw::new(env.raw(), promise))
}

/// Settles every queued call (on the JS thread, from the threadsafe function).
fn settle_queued(env: &Env) {
    let Some(settler) = SETTLERS.with(|s| s.borrow().get(&(env.raw() as usize)).cloned()) else { return };
    let queued = std::mem::take(&mut *settler.shared.queue.lock().unwrap_or_else(PoisonError::into_inner));
    for (id, settle) in queued {
        let Some(deferred) = settler.deferreds.borrow_mut().remove(&id) else { continue };
        // Each settle in a handle scope of its own. Node keeps the threadsafe function's scope
        // open while the microtasks of this wake-up run, so a value created in that scope (the
        // JSON text a call resolves with) would stay reachable until the JS continuations of
        // every call settled here have run: a whole `listAll` page iterated, with its text
        // copied by each scavenge meanwhile. Here the promise alone holds the value.
        let mut scope = ptr::null_mut();
        let opened = unsafe { sys::napi_open_handle_scope(env.raw(), &mut scope) } == sys::Status::napi_ok;
        let outcome = settle(env).unwrap_or_else(|error| Err(unsafe { JsError::from(error).into_value(env.raw()) }));
        unsafe {
            match outcome {
                Ok(value) => sys::napi_resolve_deferred(env.raw(), deferred, value),
                Err(reason) => sys::napi_reject_deferred(env.raw(), deferred, reason),
            };
            if opened {
                sys::napi_close_handle_scope(env.raw(), scope);
            }
        }
    }
    if settler.deferreds.borrow().is_empty() {
        unsafe { sys::napi_unref_threadsafe_function(env.raw(), settler.shared.waker.raw()) };
    }
}
