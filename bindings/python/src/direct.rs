//! The hot calls as plain C functions, called by `kontext/_engine.py` through ctypes directly.
//!
//! A uniffi call costs 8–15 µs of Python-side work (a call-status struct, cloning the object's
//! handle with a second FFI call, a `RustBuffer` per argument and one for the result, each built
//! through several ctypes calls) — as much as the whole rest of a request on the blocking path.
//! The calls made once per request (a blocking call, submitting an async call, draining a port)
//! are therefore also exported here with a C signature: arguments are borrowed byte ranges, a
//! result is handed over as a [`Buffer`] that Python copies and gives back with
//! [`kontext_py_free`]. That is one ctypes call in and one out. Everything else (building
//! engines, pages, OAuth, logging) stays on uniffi.
//!
//! Engines and ports are named by ids from registries rather than by pointers, so a stale id
//! (a closed client) is an error, never a use-after-free. Every function catches panics.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, PoisonError, RwLock, Weak};

use crate::Core;
use crate::completions::Port;
use crate::error::KontextFfiError;

/// Bytes handed to Python: copy `len` bytes from `ptr`, then pass all three to
/// [`kontext_py_free`].
#[repr(C)]
pub struct Buffer {
    ptr: *mut u8,
    len: usize,
    cap: usize,
}

impl Buffer {
    fn set(&mut self, bytes: impl Into<Vec<u8>>) {
        let mut bytes = std::mem::ManuallyDrop::new(bytes.into());
        *self = Buffer { ptr: bytes.as_mut_ptr(), len: bytes.len(), cap: bytes.capacity() };
    }
}

/// The result is in `out`.
const DONE: i32 = 0;
/// A blocking call is still running: it is parked under its token (see `pending.rs`).
const RUNNING: i32 = 1;
/// `out` holds the JSON of `kontext::ErrorDetails`.
const FAILED: i32 = 2;

/// Registered objects by id (ids are never reused).
pub(crate) struct Registry<T> {
    next: AtomicU64,
    items: RwLock<HashMap<u64, Weak<T>>>,
}

impl<T> Registry<T> {
    fn new() -> Self {
        Self { next: AtomicU64::new(1), items: RwLock::new(HashMap::new()) }
    }

    pub(crate) fn insert(&self, item: &Arc<T>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.items.write().unwrap_or_else(PoisonError::into_inner).insert(id, Arc::downgrade(item));
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        self.items.write().unwrap_or_else(PoisonError::into_inner).remove(&id);
    }

    pub(crate) fn get(&self, id: u64) -> Option<Arc<T>> {
        self.items.read().unwrap_or_else(PoisonError::into_inner).get(&id).and_then(Weak::upgrade)
    }
}

pub(crate) static ENGINES: LazyLock<Registry<Core>> = LazyLock::new(Registry::new);
static PORTS: LazyLock<Registry<Port>> = LazyLock::new(Registry::new);
/// Ports are owned here until Python closes them (Python holds only the id).
static OPEN_PORTS: LazyLock<RwLock<HashMap<u64, Arc<Port>>>> = LazyLock::new(Default::default);

/// The open port `id`.
pub(crate) fn port(id: u64) -> Result<Arc<Port>, KontextFfiError> {
    PORTS.get(id).ok_or_else(|| KontextFfiError::internal("the completion port is closed"))
}

pub(crate) fn closed() -> KontextFfiError {
    KontextFfiError::from(kontext::Error::Connection { message: "the client is closed".to_owned(), not_sent: true })
}

/// # Safety
/// `(ptr, len)` must be readable for the duration of the call (or `len` 0).
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() { &[] } else { unsafe { std::slice::from_raw_parts(ptr, len) } }
}

fn guarded(out: &mut Buffer, body: impl FnOnce(&mut Buffer) -> i32) -> i32 {
    match catch_unwind(AssertUnwindSafe(|| body(&mut *out))) {
        Ok(status) => status,
        Err(panic) => answer(out, Err(KontextFfiError::internal(&crate::runtime::panic_message(&*panic)))),
    }
}

fn answer(out: &mut Buffer, outcome: Result<String, KontextFfiError>) -> i32 {
    match outcome {
        Ok(text) if text.is_empty() => RUNNING,
        Ok(text) => {
            out.set(text);
            DONE
        }
        Err(KontextFfiError::Error { details_json }) => {
            out.set(details_json);
            FAILED
        }
    }
}

/// `Engine.call_blocking`: runs `method` on the calling thread for up to `slice_ms`. Returns
/// [`DONE`] (result in `out`), [`RUNNING`] (parked under `token`: continue with uniffi's
/// `resume_blocking`) or [`FAILED`].
///
/// # Safety
/// The byte ranges must be readable and `out` writable for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kontext_py_call_blocking(
    engine: u64,
    method: *const u8,
    method_len: usize,
    args: *const u8,
    args_len: usize,
    options: *const u8,
    options_len: usize,
    slice_ms: u32,
    token: u64,
    out: *mut Buffer,
) -> i32 {
    let out = unsafe { &mut *out };
    let (method, args, options) =
        unsafe { (bytes(method, method_len), bytes(args, args_len), bytes(options, options_len)) };
    guarded(out, |out| {
        let outcome = match ENGINES.get(engine) {
            Some(core) => core.call_blocking(method, args, options, crate::slice(slice_ms), token),
            None => Err(closed()),
        };
        answer(out, outcome)
    })
}

/// `Engine.submit`: starts `method` on the port's event loop; its outcome (a closed client or
/// invalid arguments included) arrives at `port` under `token`. Returns [`DONE`], or [`FAILED`]
/// when the port is closed or on a panic (there is no `out`: nothing to report but that).
///
/// # Safety
/// The byte ranges must be readable for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kontext_py_submit(
    engine: u64,
    port: u64,
    token: u64,
    method: *const u8,
    method_len: usize,
    args: *const u8,
    args_len: usize,
    options: *const u8,
    options_len: usize,
) -> i32 {
    let (method, args, options) =
        unsafe { (bytes(method, method_len), bytes(args, args_len), bytes(options, options_len)) };
    catch_unwind(AssertUnwindSafe(|| {
        let Some(port) = PORTS.get(port) else { return FAILED };
        match ENGINES.get(engine) {
            Some(core) => core.submit(&port, token, method, args, options),
            None => port.complete(token, Err(closed())),
        }
        DONE
    }))
    .unwrap_or(FAILED)
}

/// Opens a completion port for one event loop: its id (0 if the socket could not be made).
#[unsafe(no_mangle)]
pub extern "C" fn kontext_py_port_open() -> u64 {
    catch_unwind(|| match Port::new() {
        Ok(port) => {
            let id = PORTS.insert(&port);
            OPEN_PORTS.write().unwrap_or_else(PoisonError::into_inner).insert(id, port);
            id
        }
        Err(_) => 0,
    })
    .unwrap_or(0)
}

/// The file descriptor the event loop watches for readability (-1 for an unknown port).
#[unsafe(no_mangle)]
pub extern "C" fn kontext_py_port_fileno(port: u64) -> i32 {
    catch_unwind(|| PORTS.get(port).map_or(-1, |port| port.fileno())).unwrap_or(-1)
}

/// Every outcome that arrived since the last drain, into `out` (see `Port::drain` for the
/// format; empty when none). Returns [`DONE`].
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kontext_py_port_drain(port: u64, out: *mut Buffer) -> i32 {
    let out = unsafe { &mut *out };
    guarded(out, |out| {
        let drained = PORTS.get(port).map(|port| port.drain()).unwrap_or_default();
        out.set(drained);
        DONE
    })
}

/// Aborts the request of the call under `token`, if it is still running.
#[unsafe(no_mangle)]
pub extern "C" fn kontext_py_port_cancel(port: u64, token: u64) {
    let _ = catch_unwind(|| {
        if let Some(port) = PORTS.get(port) {
            port.cancel(token);
        }
    });
}

/// Closes a port (calls still running finish into the void).
#[unsafe(no_mangle)]
pub extern "C" fn kontext_py_port_close(port: u64) {
    let _ = catch_unwind(|| {
        let owned = OPEN_PORTS.write().unwrap_or_else(PoisonError::into_inner).remove(&port);
        PORTS.remove(port);
        drop(owned);
    });
}

/// Frees a [`Buffer`] handed to Python.
///
/// # Safety
/// The three values must come from one `Buffer` filled by this library, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kontext_py_free(ptr: *mut u8, len: usize, cap: usize) {
    if !ptr.is_null() {
        drop(unsafe { Vec::from_raw_parts(ptr, len, cap) });
    }
}
