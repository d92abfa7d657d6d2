//! Sockets on Node's own event loop: the [`kontext::hosted::Host`] of this engine.
//!
//! A socket is a [`ReadinessStream`] (core: non-blocking syscalls made while a task polls it)
//! watched by a libuv poll handle on the JS thread's loop ([`UvWatcher`]). When a read or write
//! would block, the handle watches that direction; libuv then calls back on the same thread, and
//! the executor (`executor.rs`) polls the woken task right there. Node's libuv symbols are
//! resolved from the running `node` binary when the addon loads, as the napi ones are.

use std::io;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::os::raw::{c_int, c_void};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Waker;

use kontext::hosted::{BoxFuture, Host, HostStream, Interest, Readiness, ReadinessStream, Watcher};
use napi::sys::uv_loop_s;

use crate::executor;

#[allow(non_camel_case_types)]
type uv_poll_cb = unsafe extern "C" fn(handle: *mut c_void, status: c_int, events: c_int);
#[allow(non_camel_case_types)]
pub(crate) type uv_close_cb = unsafe extern "C" fn(handle: *mut c_void);
#[allow(non_camel_case_types)]
pub(crate) type uv_async_cb = unsafe extern "C" fn(handle: *mut c_void);

unsafe extern "C" {
    pub(crate) fn uv_handle_size(kind: c_int) -> usize;
    fn uv_poll_init_socket(event_loop: *mut uv_loop_s, handle: *mut c_void, socket: c_int) -> c_int;
    fn uv_poll_start(handle: *mut c_void, events: c_int, callback: uv_poll_cb) -> c_int;
    pub(crate) fn uv_close(handle: *mut c_void, callback: Option<uv_close_cb>);
    pub(crate) fn uv_handle_set_data(handle: *mut c_void, data: *mut c_void);
    pub(crate) fn uv_handle_get_data(handle: *const c_void) -> *mut c_void;
    pub(crate) fn uv_async_init(event_loop: *mut uv_loop_s, handle: *mut c_void, callback: uv_async_cb) -> c_int;
    pub(crate) fn uv_async_send(handle: *mut c_void) -> c_int;
    pub(crate) fn uv_ref(handle: *mut c_void);
    pub(crate) fn uv_unref(handle: *mut c_void);
}

/// `uv_handle_type` values (uv.h).
pub(crate) const UV_ASYNC: c_int = 1;
const UV_POLL: c_int = 8;
/// `uv_poll_event` bits.
const UV_READABLE: c_int = 1;
const UV_WRITABLE: c_int = 2;

/// Memory for a libuv handle of `kind`, whose size only the running libuv knows.
pub(crate) fn alloc_handle(kind: c_int) -> *mut c_void {
    let layout = handle_layout(kind);
    // SAFETY: libuv handles are plain C structs; the layout is non-zero (uv_handle_size > 0).
    unsafe { std::alloc::alloc_zeroed(layout).cast() }
}

fn handle_layout(kind: c_int) -> std::alloc::Layout {
    let size = unsafe { uv_handle_size(kind) }.max(1);
    std::alloc::Layout::from_size_align(size, 16).expect("a libuv handle size is a valid layout")
}

/// Frees a closed async handle (its `uv_close` callback).
pub(crate) unsafe extern "C" fn free_async(handle: *mut c_void) {
    unsafe { std::alloc::dealloc(handle.cast(), handle_layout(UV_ASYNC)) };
}

unsafe extern "C" fn free_poll(handle: *mut c_void) {
    unsafe { std::alloc::dealloc(handle.cast(), handle_layout(UV_POLL)) };
}

/// What libuv's poll callback needs: the handle, the events it watches now, and the readiness of
/// the stream it watches for. Boxed, so the handle's data pointer stays valid.
struct Poller {
    handle: *mut c_void,
    watching: Mutex<c_int>,
    readiness: Arc<Readiness>,
}

impl Poller {
    /// Watches `events` as well, if it does not already.
    fn want(&self, events: c_int) -> io::Result<()> {
        let mut watching = self.watching.lock().unwrap_or_else(PoisonError::into_inner);
        if *watching & events == events {
            return Ok(());
        }
        let events = *watching | events;
        restart(self.handle, &mut watching, events)
    }
}

fn restart(handle: *mut c_void, watching: &mut c_int, events: c_int) -> io::Result<()> {
    let status = unsafe { uv_poll_start(handle, events, on_poll) };
    if status < 0 {
        return Err(io::Error::from_raw_os_error(-status));
    }
    *watching = events;
    Ok(())
}

unsafe extern "C" fn on_poll(handle: *mut c_void, status: c_int, events: c_int) {
    // SAFETY: the data is the `Poller` of a live watcher (cleared before it is freed).
    let poller = unsafe { uv_handle_get_data(handle) } as *const Poller;
    if poller.is_null() {
        return;
    }
    let poller = unsafe { &*poller };
    let (readable, writable) = if status < 0 {
        // An error: both sides are ready; their next syscall reports it.
        poller.readiness.closed();
        (true, true)
    } else {
        (events & UV_READABLE != 0, events & UV_WRITABLE != 0)
    };
    let reader = if readable { poller.readiness.ready(Interest::Read) } else { None };
    let writer = if writable { poller.readiness.ready(Interest::Write) } else { None };
    // Level-triggered: a direction nobody waits for would fire on every turn of the loop, so it
    // is dropped (it comes back when a read or write would block again). A direction somebody
    // was woken for stays watched: the common case re-arms nothing.
    {
        let mut watching = poller.watching.lock().unwrap_or_else(PoisonError::into_inner);
        let mut keep = *watching;
        if readable && reader.is_none() {
            keep &= !UV_READABLE;
        }
        if writable && writer.is_none() {
            keep &= !UV_WRITABLE;
        }
        if keep != *watching {
            let _ = restart(poller.handle, &mut watching, keep);
        }
    }
    executor::run_after(|| reader.into_iter().chain(writer).for_each(Waker::wake));
}

/// A socket's libuv poll handle on the JS thread's loop: the host's side of its stream.
pub(crate) struct UvWatcher(Box<Poller>);

// SAFETY: the handle is only used on the JS thread that created it (every poll of a task that
// owns a stream happens there: see `executor.rs`); the pointer itself may move between threads.
unsafe impl Send for UvWatcher {}
unsafe impl Sync for UvWatcher {}

impl UvWatcher {
    fn new(socket: &TcpStream, readiness: Arc<Readiness>) -> io::Result<Self> {
        let event_loop = executor::event_loop()
            .ok_or_else(|| io::Error::other("a Kontext engine's socket must be opened on its JS thread"))?;
        let handle = alloc_handle(UV_POLL);
        let status = unsafe { uv_poll_init_socket(event_loop, handle, socket.as_raw_fd()) };
        if status < 0 {
            unsafe { std::alloc::dealloc(handle.cast(), handle_layout(UV_POLL)) };
            return Err(io::Error::from_raw_os_error(-status));
        }
        // An idle pooled connection must not keep Node running; a call in flight does, through
        // the executor's handle.
        unsafe { uv_unref(handle) };
        let poller = Box::new(Poller { handle, watching: Mutex::new(0), readiness });
        unsafe { uv_handle_set_data(handle, (&*poller as *const Poller).cast_mut().cast()) };
        Ok(Self(poller))
    }
}

impl Watcher for UvWatcher {
    fn watch(&self, interest: Interest) -> io::Result<()> {
        self.0.want(match interest {
            Interest::Read => UV_READABLE,
            Interest::Write => UV_WRITABLE,
        })
    }
}

impl Drop for UvWatcher {
    fn drop(&mut self) {
        // SAFETY: on the JS thread (see the `Send` impl); after `uv_close` libuv calls back no
        // more (the data is cleared first in case a callback is already queued), and frees the
        // memory once the loop has let go of the handle.
        unsafe {
            uv_handle_set_data(self.0.handle, std::ptr::null_mut());
            uv_close(self.0.handle, Some(free_poll));
        }
    }
}

/// The engine's host: sockets and connection tasks on the JS thread that makes the call.
pub(crate) struct UvHost;

impl Host for UvHost {
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>> {
        let host = host.to_owned();
        // Tasks run with the engine's runtime entered: name lookups go to its blocking pool.
        Box::pin(async move {
            let stream =
                kontext::hosted::connect_any(&host, port, |address| ReadinessStream::connect(address, UvWatcher::new))
                    .await?;
            Ok(Box::new(stream) as Box<dyn HostStream>)
        })
    }

    fn spawn(&self, task: BoxFuture<()>) {
        executor::spawn_detached(task);
    }
}
