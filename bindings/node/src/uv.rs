//! Sockets on Node's own event loop: the [`kontext::hosted::Host`] of this engine.
//!
//! A socket is a non-blocking `TcpStream` watched by a libuv poll handle on the JS thread's loop.
//! Reads and writes are plain syscalls made while a task is polled. When one would block, the
//! task's waker is kept and the handle watches for that direction. libuv then calls back on the
//! same thread, and the executor (`executor.rs`) polls the woken task right there. Node's libuv
//! symbols are resolved from the running `node` binary when the addon loads, as the napi ones are.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::os::raw::{c_int, c_void};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use kontext::hosted::{BoxFuture, Host, HostStream};
use napi::sys::uv_loop_s;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

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

/// What the poll callback and the stream share.
struct Watch {
    handle: *mut c_void,
    /// The events the handle watches now.
    watching: c_int,
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// Whether a read (a write) may succeed: cleared when one would block, set again when libuv
    /// reports the direction ready. While cleared, polls wait without a syscall. hyper polls its
    /// connection's read side each time its task runs (a new request, a flush), and without this
    /// each of those was a failing `recv`: five of the six per call.
    readable: bool,
    writable: bool,
}

// SAFETY: `handle` is only used on the JS thread that created it (every poll of a task that owns
// a stream happens there: see `executor.rs`); the pointer itself may move between threads.
unsafe impl Send for Watch {}

impl Watch {
    /// Watches `events` as well, if it does not already.
    fn want(&mut self, events: c_int) -> io::Result<()> {
        if self.watching & events == events {
            return Ok(());
        }
        self.restart(self.watching | events)
    }

    fn restart(&mut self, events: c_int) -> io::Result<()> {
        let status = unsafe { uv_poll_start(self.handle, events, on_poll) };
        if status < 0 {
            return Err(io::Error::from_raw_os_error(-status));
        }
        self.watching = events;
        Ok(())
    }
}

unsafe extern "C" fn on_poll(handle: *mut c_void, status: c_int, events: c_int) {
    // SAFETY: the data is the `Arc<Mutex<Watch>>` of a live stream (cleared before it is freed).
    let watch = unsafe { uv_handle_get_data(handle) } as *const Mutex<Watch>;
    if watch.is_null() {
        return;
    }
    let (reader, writer) = {
        let mut watch = unsafe { &*watch }.lock().unwrap_or_else(PoisonError::into_inner);
        // An error: wake both sides; their next syscall reports it.
        let (readable, writable) =
            if status < 0 { (true, true) } else { (events & UV_READABLE != 0, events & UV_WRITABLE != 0) };
        watch.readable |= readable;
        watch.writable |= writable;
        let reader = if readable { watch.reader.take() } else { None };
        let writer = if writable { watch.writer.take() } else { None };
        // Level-triggered: a direction nobody waits for would fire on every turn of the loop,
        // so it is dropped (it comes back when a read or write would block again). A direction
        // somebody was woken for stays watched: the common case re-arms nothing.
        let mut keep = watch.watching;
        if readable && reader.is_none() {
            keep &= !UV_READABLE;
        }
        if writable && writer.is_none() {
            keep &= !UV_WRITABLE;
        }
        if keep != watch.watching {
            let _ = watch.restart(keep);
        }
        (reader, writer)
    };
    executor::run_after(|| reader.into_iter().chain(writer).for_each(Waker::wake));
}

/// A TCP connection polled by the JS thread's loop.
pub(crate) struct UvStream {
    stream: TcpStream,
    watch: Arc<Mutex<Watch>>,
}

impl UvStream {
    /// Connects without blocking the loop.
    async fn connect(address: SocketAddr) -> io::Result<Self> {
        let domain = socket2::Domain::for_address(address);
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        socket.set_tcp_nodelay(true)?;
        let pending = match socket.connect(&address.into()) {
            Ok(()) => false,
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) || e.kind() == io::ErrorKind::WouldBlock => true,
            Err(e) => return Err(e),
        };
        let stream = Self::watch(socket.into())?;
        if pending {
            std::future::poll_fn(|cx| stream.poll_writable(cx)).await?;
            if let Some(error) = stream.stream.take_error()? {
                return Err(error);
            }
        }
        Ok(stream)
    }

    fn watch(stream: TcpStream) -> io::Result<Self> {
        let event_loop = executor::event_loop()
            .ok_or_else(|| io::Error::other("a Kontext engine's socket must be opened on its JS thread"))?;
        let handle = alloc_handle(UV_POLL);
        let status = unsafe { uv_poll_init_socket(event_loop, handle, stream.as_raw_fd()) };
        if status < 0 {
            unsafe { std::alloc::dealloc(handle.cast(), handle_layout(UV_POLL)) };
            return Err(io::Error::from_raw_os_error(-status));
        }
        // An idle pooled connection must not keep Node running; a call in flight does, through
        // the executor's handle.
        unsafe { uv_unref(handle) };
        let watch = Arc::new(Mutex::new(Watch {
            handle,
            watching: 0,
            reader: None,
            writer: None,
            readable: true,
            writable: true,
        }));
        unsafe { uv_handle_set_data(handle, Arc::as_ptr(&watch) as *mut c_void) };
        Ok(Self { stream, watch })
    }

    fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut watch = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
        if watch.writer.take().is_none() && watch.watching & UV_WRITABLE != 0 {
            // Woken by the callback (it took the waker): writable now.
            return Poll::Ready(Ok(()));
        }
        watch.writer = Some(cx.waker().clone());
        watch.want(UV_WRITABLE)?;
        Poll::Pending
    }

    /// Waits for `events` without a syscall when the last attempt would have blocked and libuv
    /// has not reported the direction ready since: `true` if it did so.
    fn still_blocked(&self, cx: &mut Context<'_>, events: c_int) -> bool {
        let mut watch = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
        let ready = if events == UV_READABLE { watch.readable } else { watch.writable };
        if ready {
            return false;
        }
        let slot = if events == UV_READABLE { &mut watch.reader } else { &mut watch.writer };
        *slot = Some(cx.waker().clone());
        true
    }

    /// The socket has nothing more to read for now: wait for libuv before trying again.
    fn drained(&self, events: c_int) -> io::Result<()> {
        let mut watch = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
        watch.readable = false;
        watch.want(events)
    }

    fn blocked(&self, cx: &mut Context<'_>, events: c_int) -> io::Result<()> {
        let mut watch = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
        if events == UV_READABLE {
            watch.readable = false;
            watch.reader = Some(cx.waker().clone());
        } else {
            watch.writable = false;
            watch.writer = Some(cx.waker().clone());
        }
        watch.want(events)
    }
}

impl Drop for UvStream {
    fn drop(&mut self) {
        let handle = self.watch.lock().unwrap_or_else(PoisonError::into_inner).handle;
        // SAFETY: on the JS thread (see `Watch`); after `uv_close` libuv calls back no more
        // (the data is cleared first in case a callback is already queued), and frees the
        // memory once the loop has let go of the handle.
        unsafe {
            uv_handle_set_data(handle, std::ptr::null_mut());
            uv_close(handle, Some(free_poll));
        }
    }
}

/// Runs `attempt` until it stops saying "would block", registering for `events` when it does.
fn io_poll<T>(
    stream: &UvStream,
    cx: &mut Context<'_>,
    events: c_int,
    mut attempt: impl FnMut() -> io::Result<T>,
) -> Poll<io::Result<T>> {
    if stream.still_blocked(cx, events) {
        return Poll::Pending;
    }
    loop {
        match attempt() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                stream.blocked(cx, events)?;
                // Data may have arrived between the attempt and the registration; libuv's poll is
                // level-triggered, so the callback comes anyway.
                return Poll::Pending;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return Poll::Ready(other),
        }
    }
}

impl AsyncRead for UvStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let room = buf.remaining();
        let read = io_poll(this, cx, UV_READABLE, || (&this.stream).read(buf.initialize_unfilled()));
        if let Poll::Ready(Ok(n)) = read
            && n > 0
            && n < room
        {
            // A short read took all there was (as tokio assumes too): the next read waits for
            // libuv instead of failing with EAGAIN first.
            this.drained(UV_READABLE)?;
        }
        read.map_ok(|n| buf.advance(n))
    }
}

impl AsyncWrite for UvStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        io_poll(this, cx, UV_WRITABLE, || (&this.stream).write(data))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        io_poll(this, cx, UV_WRITABLE, || (&this.stream).write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.stream.shutdown(std::net::Shutdown::Write))
    }
}

/// The engine's host: sockets and connection tasks on the JS thread that makes the call.
pub(crate) struct UvHost;

impl Host for UvHost {
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>> {
        let host = host.to_owned();
        // Tasks run with the engine's runtime entered: name lookups go to its blocking pool.
        Box::pin(async move {
            let stream = kontext::hosted::connect_any(&host, port, UvStream::connect).await?;
            Ok(Box::new(stream) as Box<dyn HostStream>)
        })
    }

    fn spawn(&self, task: BoxFuture<()>) {
        executor::spawn_detached(task);
    }
}
