//! Where calls run: on the JS thread, polled by libuv's callbacks.
//!
//! Each JS thread (the main one, each worker) has one executor (`kontext::hosted::Executor` plus
//! the napi parts: promises, the async handle, callback scopes). A call's future is polled at once
//! inside the JS call that starts it, so its request is written before the call returns. After
//! that it is polled whenever its socket (`uv.rs`) or a timer wakes it. The promise is settled on
//! the JS thread as soon as the future ends. No thread is crossed and nothing is queued, so the
//! only wake-up of a call is its socket's, as for `node:http`.
//!
//! A waker called from another thread (a tokio timer firing, name resolution finishing) queues
//! the task and wakes the loop through a libuv async handle. So does a waker called on the JS
//! thread outside a run (`CancelToken.cancel()`). That handle is referenced while calls are in
//! flight, so a pending call keeps Node alive, as a socket would. Idle connections do not.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::os::raw::c_void;
use std::ptr;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use kontext::hosted::BoxFuture;
use napi::sys::{self, uv_loop_s};

use crate::uv;

/// The tokio runtime this engine keeps for timers (timeouts, backoff), blocking name lookups,
/// the connections of the standalone `oauth.*` functions (discovery and token endpoints of any
/// issuer, through a client with no loop of its own), and reqwest's when a proxy is configured.
/// Client calls do not run on it; its one worker sleeps unless one of those needs it.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(4)
            .thread_name("kontext-node")
            .enable_all()
            .build()
            .expect("the Kontext engine could not start its timer runtime")
    })
}

/// The async handle that wakes the loop; `None` once the environment is torn down.
type WakeLoop = Arc<Mutex<Option<AsyncHandle>>>;

struct AsyncHandle(*mut c_void);
// SAFETY: `uv_async_send` is the one libuv function that may be called from any thread; the
// handle is closed (on the JS thread) only after being taken out of the mutex.
unsafe impl Send for AsyncHandle {}

pub(crate) struct Executor {
    env: sys::napi_env,
    event_loop: *mut uv_loop_s,
    async_handle: *mut c_void,
    wake_loop: WakeLoop,
    tasks: kontext::hosted::Executor,
    /// Calls whose promise is not settled yet; the async handle is referenced while non-zero.
    in_flight: Cell<usize>,
    /// For `napi_open_callback_scope`, so that settling from a libuv callback runs microtasks.
    resource: sys::napi_ref,
    async_context: sys::napi_async_context,
}

thread_local! {
    static EXECUTOR: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// This thread's executor, created on first use (from a JS call).
pub(crate) fn executor(env: sys::napi_env) -> napi::Result<Rc<Executor>> {
    if let Some(executor) = EXECUTOR.with(|e| e.borrow().clone()) {
        return Ok(executor);
    }
    let executor = Rc::new(Executor::new(env)?);
    EXECUTOR.with(|e| *e.borrow_mut() = Some(executor.clone()));
    unsafe extern "C" fn teardown(_: *mut c_void) {
        if let Some(executor) = EXECUTOR.try_with(|e| e.borrow_mut().take()).ok().flatten() {
            executor.shutdown();
        }
    }
    check(unsafe { sys::napi_add_env_cleanup_hook(env, Some(teardown), ptr::null_mut()) }, "a cleanup hook")?;
    Ok(executor)
}

fn current() -> Option<Rc<Executor>> {
    EXECUTOR.try_with(|e| e.borrow().clone()).ok().flatten()
}

/// This thread's libuv loop, if it is a JS thread with an executor.
pub(crate) fn event_loop() -> Option<*mut uv_loop_s> {
    current().map(|executor| executor.event_loop)
}

/// Runs a background task (a connection's) on this thread's executor. Connections are opened
/// by tasks of the executor, so there is one: without it, the task (and its connection) is
/// dropped, and the request on it fails as a closed connection.
pub(crate) fn spawn_detached(task: BoxFuture<()>) {
    if let Some(executor) = current() {
        executor.tasks.spawn(task);
    }
}

/// Calls `wake` (a socket's callback waking the tasks waiting for it), then polls every woken
/// task.
pub(crate) fn run_after(wake: impl FnOnce()) {
    match current() {
        Some(executor) => executor.run_in_callback_scope(wake),
        None => wake(),
    }
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!("the Kontext engine could not create {what}")))
    }
}

impl Executor {
    fn new(env: sys::napi_env) -> napi::Result<Self> {
        let mut event_loop = ptr::null_mut();
        check(unsafe { sys::napi_get_uv_event_loop(env, &mut event_loop) }, "its event loop")?;
        let mut object = ptr::null_mut();
        check(unsafe { sys::napi_create_object(env, &mut object) }, "an async resource")?;
        let mut resource = ptr::null_mut();
        check(unsafe { sys::napi_create_reference(env, object, 1, &mut resource) }, "an async resource")?;
        let mut name = ptr::null_mut();
        let label = c"kontext";
        check(unsafe { sys::napi_create_string_utf8(env, label.as_ptr(), 7, &mut name) }, "an async resource")?;
        let mut async_context = ptr::null_mut();
        check(unsafe { sys::napi_async_init(env, object, name, &mut async_context) }, "an async context")?;
        let async_handle = uv::alloc_handle(uv::UV_ASYNC);
        if unsafe { uv::uv_async_init(event_loop, async_handle, on_async) } < 0 {
            return Err(napi::Error::from_reason("the Kontext engine could not create its wake-up handle"));
        }
        unsafe { uv::uv_unref(async_handle) };
        let wake_loop: WakeLoop = Arc::new(Mutex::new(Some(AsyncHandle(async_handle))));
        let nudge = wake_loop.clone();
        let tasks = kontext::hosted::Executor::new(move || {
            if let Some(handle) = &*nudge.lock().unwrap_or_else(PoisonError::into_inner) {
                unsafe { uv::uv_async_send(handle.0) };
            }
        });
        Ok(Self { env, event_loop, async_handle, wake_loop, tasks, in_flight: Cell::new(0), resource, async_context })
    }

    pub(crate) fn env(&self) -> sys::napi_env {
        self.env
    }

    /// Starts a call: it is polled right away, inside the JS call that makes it.
    pub(crate) fn start_call(self: &Rc<Self>, call: impl Future<Output = ()> + 'static) {
        if self.in_flight.get() == 0 {
            unsafe { uv::uv_ref(self.async_handle) };
        }
        self.in_flight.set(self.in_flight.get() + 1);
        let executor = Rc::downgrade(self);
        self.tasks.spawn(async move {
            call.await;
            if let Some(executor) = executor.upgrade() {
                executor.in_flight.set(executor.in_flight.get() - 1);
                if executor.in_flight.get() == 0 {
                    unsafe { uv::uv_unref(executor.async_handle) };
                }
            }
        });
        self.run();
    }

    /// Polls the woken tasks, with timers made meanwhile (timeouts, backoff) on the timer runtime.
    fn run(&self) {
        self.run_after(|| {});
    }

    fn run_after(&self, wake: impl FnOnce()) {
        let _tokio = runtime().enter();
        self.tasks.run_after(wake);
    }

    /// A run from a libuv callback: inside a handle scope and a callback scope, so that the
    /// promises it settles run their continuations when it ends (as after any I/O callback).
    fn run_in_callback_scope(&self, wake: impl FnOnce()) {
        let env = self.env;
        let mut handles = ptr::null_mut();
        let mut scope = ptr::null_mut();
        let mut resource = ptr::null_mut();
        unsafe {
            let opened = sys::napi_open_handle_scope(env, &mut handles) == sys::Status::napi_ok;
            let scoped = sys::napi_get_reference_value(env, self.resource, &mut resource) == sys::Status::napi_ok
                && sys::napi_open_callback_scope(env, resource, self.async_context, &mut scope) == sys::Status::napi_ok;
            self.run_after(wake);
            if scoped {
                sys::napi_close_callback_scope(env, scope);
            }
            if opened {
                sys::napi_close_handle_scope(env, handles);
            }
        }
    }

    /// The environment is going away: no more wake-ups, and every task (with its sockets) is
    /// dropped.
    fn shutdown(&self) {
        if let Some(handle) = self.wake_loop.lock().unwrap_or_else(PoisonError::into_inner).take() {
            unsafe { uv::uv_close(handle.0, Some(uv::free_async)) };
        }
        self.tasks.clear();
    }
}

unsafe extern "C" fn on_async(_handle: *mut c_void) {
    run_after(|| {});
}
