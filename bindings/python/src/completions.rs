//! How async calls run and come back to asyncio: one [`Port`] per event loop.
//!
//! uniffi's own async support polls a Rust future from Python: a poll, a callback from the
//! waking thread (which takes the GIL) into `call_soon_threadsafe`, a second poll, a `complete`
//! and a `free`, each a ctypes call — about 120 µs per call on a small machine, more than the
//! request. A call on a shared runtime thread cost two thread wake-ups instead (loop → runtime →
//! loop, ≈ 50 µs on the benchmark VM).
//!
//! Here a port is the event loop's own I/O engine. It has an executor
//! (`kontext::hosted::Executor`) and an epoll instance (mio) holding the sockets of its
//! connections (`kontext::hosted::ReadinessStream`s, whose readiness the drain reports). The
//! event loop watches that one descriptor (`loop.add_reader`).
//! - A call is one FFI call (`submit`): the call is polled at once on the loop's thread, so its
//!   request is written before the call returns.
//! - When a socket is ready, the loop calls `drain`. It wakes the tasks waiting for those
//!   sockets, polls them, and returns every finished outcome in one byte string. The futures are
//!   resolved from there.
//! - Nothing crosses a thread on the way. Timers (timeouts, backoff) and name lookups stay on the
//!   shared runtime; when they finish, they wake the loop through the epoll's waker.
//!
//! Each engine gets a client per port, with connections of its own on that port's sockets
//! (`Core::port_client`). Tokens and settings stay shared. Cancelling (a cancelled asyncio task)
//! drops the call's task, and its request with it.

use std::collections::HashMap;
use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::Waker;
use std::thread::ThreadId;
use std::time::Duration;

use futures_util::FutureExt;
use kontext::hosted::{BoxFuture, Executor, Host, HostStream, Interest, Readiness, ReadinessStream, TaskId, Watcher};
use mio::unix::SourceFd;
use mio::{Events, Token};

use crate::error::KontextFfiError;
use crate::runtime::{panic_message, runtime};

/// The epoll token of the port's waker; sockets get the tokens after it.
const WAKE: Token = Token(0);

/// One event loop's calls, sockets and outcomes.
pub(crate) struct Port {
    /// Unique for the life of the process (clients are cached by it: `Core::port_client`).
    pub(crate) id: u64,
    /// The loop's thread: the only one that polls tasks (see the `Sync` impl).
    owner: ThreadId,
    poll: Mutex<mio::Poll>,
    registry: mio::Registry,
    waker: Arc<mio::Waker>,
    executor: Executor,
    /// The readiness of each socket, by its token.
    sockets: Mutex<HashMap<usize, Arc<Readiness>>>,
    next_token: Mutex<usize>,
    queue: Mutex<Vec<Outcome>>,
    /// Set while `drain` runs tasks: the outcomes they queue are collected by that drain.
    draining: std::sync::atomic::AtomicBool,
    /// Calls in flight, so that a cancelled call can drop its task.
    running: Mutex<HashMap<u64, TaskId>>,
    /// This port itself, for the host of its clients' connections.
    this: Weak<Port>,
}

// SAFETY: the executor (not `Send`: its tasks are boxed without a `Send` bound) is only touched
// by `submit`, `drain`, `cancel` and the host's `spawn`, each of which first checks that it runs
// on `owner`, the loop's thread. Every task spawned is `Send` (see `spawn` and `Host::spawn`), so
// the port may be dropped on any thread (Python closes it when the loop is collected).
unsafe impl Sync for Port {}
unsafe impl Send for Port {}

struct Outcome {
    token: u64,
    ok: bool,
    text: String,
}

impl Port {
    pub(crate) fn new() -> io::Result<Arc<Self>> {
        let poll = mio::Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Arc::new(mio::Waker::new(poll.registry(), WAKE)?);
        let nudge = waker.clone();
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Arc::new_cyclic(|this| Self {
            id,
            owner: std::thread::current().id(),
            poll: Mutex::new(poll),
            registry,
            waker,
            executor: Executor::new(move || {
                // Fails only if the eventfd is full, and then it already holds a wake-up.
                let _ = nudge.wake();
            }),
            sockets: Mutex::new(HashMap::new()),
            next_token: Mutex::new(WAKE.0 + 1),
            queue: Mutex::new(Vec::new()),
            draining: std::sync::atomic::AtomicBool::new(false),
            running: Mutex::new(HashMap::new()),
            this: this.clone(),
        }))
    }

    fn on_loop_thread(&self) -> bool {
        std::thread::current().id() == self.owner
    }

    /// The file descriptor the event loop watches: readable when a socket or the waker is.
    pub(crate) fn fileno(&self) -> i32 {
        lock(&self.poll).as_raw_fd()
    }

    /// Wakes the tasks whose sockets are ready, runs every woken task, and returns every outcome
    /// that arrived since the last drain, as one byte string: a header line of
    /// `token:status:length` entries separated by `,` (status `0` = the result's JSON text, `1` =
    /// the error details' JSON; lengths in bytes), then the texts back to back. Empty when none
    /// arrived.
    pub(crate) fn drain(&self) -> Vec<u8> {
        if self.on_loop_thread() {
            let _tokio = runtime().enter();
            self.draining.store(true, std::sync::atomic::Ordering::Relaxed);
            self.executor.run_after(|| self.dispatch_events());
            self.draining.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        let outcomes = std::mem::take(&mut *lock(&self.queue));
        if outcomes.is_empty() {
            return Vec::new();
        }
        let size: usize = outcomes.iter().map(|o| o.text.len() + 24).sum();
        let mut out = Vec::with_capacity(size);
        for (i, outcome) in outcomes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = write!(out, "{}:{}:{}", outcome.token, u8::from(!outcome.ok), outcome.text.len());
        }
        out.push(b'\n');
        for outcome in &outcomes {
            out.extend_from_slice(outcome.text.as_bytes());
        }
        out
    }

    fn dispatch_events(&self) {
        let mut events = Events::with_capacity(256);
        loop {
            if lock(&self.poll).poll(&mut events, Some(Duration::ZERO)).is_err() {
                return;
            }
            let sockets = lock(&self.sockets);
            for event in &events {
                if event.token() == WAKE {
                    continue;
                }
                let Some(readiness) = sockets.get(&event.token().0) else { continue };
                // An error or a hang-up wakes both sides: their next syscall reports it.
                let broken = event.is_error() || event.is_read_closed() || event.is_write_closed();
                if broken {
                    readiness.closed();
                }
                let reader = (event.is_readable() || broken).then(|| readiness.ready(Interest::Read)).flatten();
                let writer = (event.is_writable() || broken).then(|| readiness.ready(Interest::Write)).flatten();
                reader.into_iter().chain(writer).for_each(Waker::wake);
            }
            drop(sockets);
            if events.iter().count() < events.capacity() {
                return;
            }
        }
    }

    /// Polls the woken tasks, with timers made meanwhile on the shared runtime.
    fn run(&self) {
        let _tokio = runtime().enter();
        self.executor.run();
    }

    /// Drops the task of the call under `token`, if it is still running.
    pub(crate) fn cancel(&self, token: u64) {
        if !self.on_loop_thread() {
            return;
        }
        if let Some(task) = lock(&self.running).remove(&token) {
            self.executor.cancel(task);
        }
    }

    /// Runs `future` on this loop; its outcome is queued under `token`. A panic inside it becomes
    /// an `internal` error. It is polled right away, so its request is on the wire on return.
    pub(crate) fn spawn(&self, token: u64, future: impl Future<Output = kontext::Result<String>> + Send + 'static) {
        if !self.on_loop_thread() {
            return self.complete(token, Err(KontextFfiError::internal("an async call was made off its event loop")));
        }
        let port = self.this.clone();
        let task = self.executor.spawn(async move {
            let outcome = match AssertUnwindSafe(future).catch_unwind().await {
                Ok(Ok(text)) => Ok(text),
                Ok(Err(error)) => Err(KontextFfiError::from(error)),
                Err(panic) => Err(KontextFfiError::internal(&panic_message(&*panic))),
            };
            if let Some(port) = port.upgrade() {
                lock(&port.running).remove(&token);
                port.push(token, outcome);
            }
        });
        lock(&self.running).insert(token, task);
        self.run();
    }

    /// Queues an outcome that needs no task (e.g. invalid arguments).
    pub(crate) fn complete(&self, token: u64, outcome: Result<String, KontextFfiError>) {
        self.push(token, outcome);
    }

    fn push(&self, token: u64, outcome: Result<String, KontextFfiError>) {
        let (ok, text) = match outcome {
            Ok(text) => (true, text),
            Err(KontextFfiError::Error { details_json }) => (false, details_json),
        };
        let was_empty = {
            let mut queue = lock(&self.queue);
            let was_empty = queue.is_empty();
            queue.push(Outcome { token, ok, text });
            was_empty
        };
        // The loop reads outcomes in `drain` only: one queued outside a drain (a call that ends
        // inside its `submit`) wakes it. Most are queued by the drain itself, which returns them.
        if was_empty && !self.draining.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = self.waker.wake();
        }
    }

    /// Adds a socket to the epoll (both directions, edge-triggered); its events go to `readiness`.
    fn register(&self, fd: RawFd, readiness: Arc<Readiness>) -> io::Result<usize> {
        let token = {
            let mut next = lock(&self.next_token);
            *next += 1;
            *next - 1
        };
        self.registry.register(&mut SourceFd(&fd), Token(token), mio::Interest::READABLE | mio::Interest::WRITABLE)?;
        lock(&self.sockets).insert(token, readiness);
        Ok(token)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The host of a port's clients: sockets in the port's epoll, tasks on its executor.
pub(crate) struct PortHost(pub(crate) Weak<Port>);

impl Host for PortHost {
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>> {
        let (host, owner) = (host.to_owned(), self.0.clone());
        // Tasks run with the shared runtime entered: name lookups go to its blocking pool.
        Box::pin(async move {
            let stream = kontext::hosted::connect_any(&host, port, |address| {
                let owner = owner.clone();
                async move {
                    let port = owner.upgrade().ok_or_else(|| io::Error::other("the event loop is closed"))?;
                    connect(&port, address).await
                }
            })
            .await?;
            Ok(Box::new(stream) as Box<dyn HostStream>)
        })
    }

    fn spawn(&self, task: BoxFuture<()>) {
        if let Some(port) = self.0.upgrade()
            && port.on_loop_thread()
        {
            port.executor.spawn(task);
        }
    }
}

/// A socket's place in a port's epoll: the host's side of its stream. Registered for both
/// directions once, with edges reported to its `Readiness`, so there is nothing to do when a task
/// starts waiting.
struct PortWatcher {
    port: Weak<Port>,
    token: usize,
    fd: RawFd,
}

impl Watcher for PortWatcher {
    fn watch(&self, _interest: Interest) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PortWatcher {
    fn drop(&mut self) {
        if let Some(port) = self.port.upgrade() {
            let _ = port.registry.deregister(&mut SourceFd(&self.fd));
            lock(&port.sockets).remove(&self.token);
        }
    }
}

/// Connects to `address` with the socket in `port`'s epoll.
async fn connect(port: &Arc<Port>, address: SocketAddr) -> io::Result<ReadinessStream<PortWatcher>> {
    ReadinessStream::connect(address, |socket, readiness| {
        let fd = socket.as_raw_fd();
        let token = port.register(fd, readiness)?;
        Ok(PortWatcher { port: Arc::downgrade(port), token, fd })
    })
    .await
}
