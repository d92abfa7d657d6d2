//! Sockets whose readiness a host's own event loop reports (libuv in Node, the epoll of an
//! asyncio loop's port in Python): the stream type such hosts share.
//!
//! The stream makes the syscalls itself, non-blocking, when a task polls it. When one would block
//! it remembers that, keeps the task's waker and asks its [`Watcher`] to have the host watch that
//! direction; the host's event dispatch then calls [`Readiness::ready`] and wakes the task.
//! Until then a poll of that direction waits without a syscall: hyper polls a connection's read
//! side each time its task runs (a new request, a flush), and answering each of those with a
//! failing `recv` cost five syscalls per call. A short read counts as draining the socket, as
//! tokio assumes too.
//!
//! Hosts may report edges or levels: an event with nobody waiting clears the "would block" mark
//! all the same, so the next poll tries the syscall again. A host that reports edges must also
//! report a hang-up or an error with [`Readiness::closed`]: such an edge can come with the last
//! bytes of data, and nothing would report the end of the stream after a short read took them.

use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A direction a task can wait for on a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Data to read, end of stream, or an error.
    Read,
    /// Room to write (or a non-blocking connect finishing), or an error.
    Write,
}

/// The host's side of one socket's stream: it watches the socket for the stream and reports
/// events to the stream's [`Readiness`]. Dropped with the stream, before the socket is closed,
/// which is when the host stops watching it.
pub trait Watcher: Send + Sync + Unpin + 'static {
    /// A task waits for `interest` now: until the host has reported it through
    /// [`Readiness::ready`], the socket must stay watched for it. (Called again for an interest
    /// already watched; hosts that always watch both directions do nothing.)
    fn watch(&self, interest: Interest) -> io::Result<()>;
}

/// What a socket's stream and its host's event dispatch share: which directions would block and
/// which tasks wait for them.
#[derive(Debug, Default)]
pub struct Readiness(Mutex<State>);

#[derive(Debug, Default)]
struct State {
    reader: Option<Waker>,
    writer: Option<Waker>,
    read_blocked: bool,
    write_blocked: bool,
    /// The peer closed or the socket failed. An edge-triggered host reports that once, maybe in
    /// the same event as the last data: from then on every poll makes its syscall (which reports
    /// the end or the error), and a short read no longer counts as draining the socket.
    closed: bool,
}

impl State {
    fn blocked(&mut self, interest: Interest) -> &mut bool {
        match interest {
            Interest::Read => &mut self.read_blocked,
            Interest::Write => &mut self.write_blocked,
        }
    }

    fn waiter(&mut self, interest: Interest) -> &mut Option<Waker> {
        match interest {
            Interest::Read => &mut self.reader,
            Interest::Write => &mut self.writer,
        }
    }
}

impl Readiness {
    /// The host saw `interest` ready on the socket (on an error or hang-up, report both): the
    /// next poll in that direction makes its syscall. Returns the task waiting for it, to wake
    /// (outside any lock of the host's), or `None` when no task waits.
    pub fn ready(&self, interest: Interest) -> Option<Waker> {
        let mut state = self.state();
        *state.blocked(interest) = false;
        state.waiter(interest).take()
    }

    /// The host saw the peer hang up or the socket fail (report the directions as ready too).
    pub fn closed(&self) {
        self.state().closed = true;
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A non-blocking TCP connection whose readiness the host reports: see the module docs.
pub struct ReadinessStream<W: Watcher> {
    // Declared (so dropped) before the socket: the host stops watching it before it is closed.
    watcher: W,
    socket: TcpStream,
    readiness: Arc<Readiness>,
}

impl<W: Watcher> ReadinessStream<W> {
    /// Connects to `address` without blocking the thread (`TCP_NODELAY` on). `watch` gets the
    /// new socket and its [`Readiness`] before the connection completes, and returns the
    /// [`Watcher`] through which the host watches that socket.
    pub async fn connect(
        address: SocketAddr,
        watch: impl FnOnce(&TcpStream, Arc<Readiness>) -> io::Result<W>,
    ) -> io::Result<Self> {
        let domain = socket2::Domain::for_address(address);
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        socket.set_tcp_nodelay(true)?;
        let in_progress = match socket.connect(&address.into()) {
            Ok(()) => false,
            Err(e) if connect_in_progress(&e) => true,
            Err(e) => return Err(e),
        };
        let socket = TcpStream::from(socket);
        let readiness = Arc::new(Readiness::default());
        let watcher = watch(&socket, readiness.clone())?;
        let stream = Self { watcher, socket, readiness };
        if in_progress {
            // The connection is made (or has failed) when the socket first becomes writable.
            *stream.readiness.state().blocked(Interest::Write) = true;
            stream.watcher.watch(Interest::Write)?;
            poll_fn(|cx| stream.poll_io(cx, Interest::Write, || Ok(()))).await?;
            if let Some(error) = stream.socket.take_error()? {
                return Err(error);
            }
        }
        Ok(stream)
    }

    /// Runs `attempt` unless `interest` is known to block; when it would block, the task waits
    /// for the host to report `interest`.
    fn poll_io<T>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut attempt: impl FnMut() -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        {
            let mut state = self.readiness.state();
            if *state.blocked(interest) && !state.closed {
                // Still watched: it was when the mark was set, and stays until reported.
                *state.waiter(interest) = Some(cx.waker().clone());
                return Poll::Pending;
            }
        }
        loop {
            match attempt() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    {
                        let mut state = self.readiness.state();
                        *state.blocked(interest) = true;
                        *state.waiter(interest) = Some(cx.waker().clone());
                    }
                    self.watcher.watch(interest)?;
                    return Poll::Pending;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    /// Nothing more to read for now: the next read waits for the host instead of failing first.
    fn drained(&self) -> io::Result<()> {
        {
            let mut state = self.readiness.state();
            if state.closed {
                return Ok(());
            }
            state.read_blocked = true;
        }
        self.watcher.watch(Interest::Read)
    }
}

fn connect_in_progress(error: &io::Error) -> bool {
    // Unix reports EINPROGRESS; Windows says WSAEWOULDBLOCK.
    #[cfg(unix)]
    let in_progress = error.raw_os_error() == Some(libc::EINPROGRESS);
    #[cfg(not(unix))]
    let in_progress = false;
    in_progress || error.kind() == io::ErrorKind::WouldBlock
}

impl<W: Watcher> AsyncRead for ReadinessStream<W> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &*self;
        let room = buf.remaining();
        let read = this.poll_io(cx, Interest::Read, || (&this.socket).read(buf.initialize_unfilled()));
        if let Poll::Ready(Ok(n)) = read
            && n > 0
            && n < room
        {
            this.drained()?;
        }
        read.map_ok(|n| buf.advance(n))
    }
}

impl<W: Watcher> AsyncWrite for ReadinessStream<W> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &*self;
        this.poll_io(cx, Interest::Write, || (&this.socket).write(data))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &*self;
        this.poll_io(cx, Interest::Write, || (&this.socket).write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.socket.shutdown(std::net::Shutdown::Write))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Records what the stream asked the host to watch.
    struct Recorder(Arc<Mutex<Vec<Interest>>>);

    impl Watcher for Recorder {
        fn watch(&self, interest: Interest) -> io::Result<()> {
            self.0.lock().unwrap().push(interest);
            Ok(())
        }
    }

    struct CountingWaker(AtomicUsize);
    impl std::task::Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll<F: std::future::Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(waker))
    }

    type Watched = Arc<Mutex<Vec<Interest>>>;

    /// A connected stream (the host reporting the connect when it is in progress) and the peer.
    fn connected() -> (ReadinessStream<Recorder>, TcpStream, Arc<Readiness>, Watched) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let watched = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Mutex::new(None));
        let (w, s) = (watched.clone(), shared.clone());
        let mut connect = Box::pin(ReadinessStream::connect(listener.local_addr().unwrap(), move |_, readiness| {
            *s.lock().unwrap() = Some(readiness);
            Ok(Recorder(w))
        }));
        let waker = Waker::noop();
        let stream = match poll(connect.as_mut(), waker) {
            Poll::Ready(stream) => stream.unwrap(),
            Poll::Pending => {
                assert_eq!(*watched.lock().unwrap(), vec![Interest::Write], "an unfinished connect waits for writable");
                let (peer, _) = listener.accept().unwrap();
                let _ = shared.lock().unwrap().as_ref().unwrap().ready(Interest::Write);
                let Poll::Ready(stream) = poll(connect.as_mut(), waker) else { panic!("connected once writable") };
                let readiness = shared.lock().unwrap().take().unwrap();
                watched.lock().unwrap().clear();
                return (stream.unwrap(), peer, readiness, watched);
            }
        };
        let (peer, _) = listener.accept().unwrap();
        let readiness = shared.lock().unwrap().take().unwrap();
        (stream, peer, readiness, watched)
    }

    #[test]
    fn a_blocked_read_waits_for_the_host_without_trying_again() {
        let (mut stream, mut peer, readiness, watched) = connected();
        let woken = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(woken.clone());
        let mut buf = [0u8; 64];
        let mut read = |stream: &mut ReadinessStream<Recorder>| {
            let mut buf = ReadBuf::new(&mut buf);
            match Pin::new(stream).poll_read(&mut Context::from_waker(&waker), &mut buf) {
                Poll::Ready(result) => Poll::Ready(result.map(|()| buf.filled().to_vec())),
                Poll::Pending => Poll::Pending,
            }
        };

        assert!(read(&mut stream).is_pending(), "nothing sent yet");
        assert_eq!(*watched.lock().unwrap(), vec![Interest::Read]);

        // Data is there, but the host has not reported it: no new attempt is made.
        peer.write_all(b"hello").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(read(&mut stream).is_pending());

        // Reported: the waiting task is handed back to be woken, and the read succeeds.
        readiness.ready(Interest::Read).expect("a task waits").wake();
        assert_eq!(woken.0.load(Ordering::SeqCst), 1);
        match read(&mut stream) {
            Poll::Ready(Ok(data)) => assert_eq!(data, b"hello"),
            other => panic!("expected the data, got {other:?}"),
        }

        // A short read drained the socket: the next read waits, and the host is asked to watch.
        peer.write_all(b"more").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(read(&mut stream).is_pending());
        assert_eq!(watched.lock().unwrap().last(), Some(&Interest::Read));
        assert!(readiness.ready(Interest::Read).is_some());
        assert!(matches!(read(&mut stream), Poll::Ready(Ok(data)) if data == b"more"));

        // The last bytes and the end of the stream in one edge: once the host reports the
        // hang-up, a short read no longer marks the socket drained, and the end is read.
        peer.write_all(b"last").unwrap();
        peer.shutdown(std::net::Shutdown::Write).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        readiness.closed();
        assert!(readiness.ready(Interest::Read).is_none());
        assert!(matches!(read(&mut stream), Poll::Ready(Ok(data)) if data == b"last"));
        assert!(matches!(read(&mut stream), Poll::Ready(Ok(data)) if data.is_empty()), "end of stream");
        drop(peer);
    }

    #[test]
    fn an_event_with_nobody_waiting_clears_the_mark() {
        let (mut stream, peer, readiness, _watched) = connected();
        let waker = Waker::noop();
        let mut buf = [0u8; 16];
        let mut read = |stream: &mut ReadinessStream<Recorder>| {
            let mut buf = ReadBuf::new(&mut buf);
            match Pin::new(stream).poll_read(&mut Context::from_waker(waker), &mut buf) {
                Poll::Ready(result) => Poll::Ready(result.map(|()| buf.filled().to_vec())),
                Poll::Pending => Poll::Pending,
            }
        };
        // A short read marks the socket drained, with no task waiting.
        let mut peer = peer;
        peer.write_all(b"x").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(matches!(read(&mut stream), Poll::Ready(Ok(data)) if data == b"x"));
        drop(peer);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(readiness.ready(Interest::Read).is_none());
        assert!(matches!(read(&mut stream), Poll::Ready(Ok(data)) if data.is_empty()), "end of stream");
    }

    #[test]
    fn writes_go_out_and_a_refused_connect_fails() {
        let (mut stream, mut peer, _readiness, _watched) = connected();
        let waker = Waker::noop();
        let written = Pin::new(&mut stream).poll_write(&mut Context::from_waker(waker), b"ping");
        assert!(matches!(written, Poll::Ready(Ok(4))));
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");

        // A port nobody listens on: the connect fails (at once, or when the host reports it).
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let shared = Arc::new(Mutex::new(None));
        let s = shared.clone();
        let mut connect = Box::pin(ReadinessStream::connect(closed, move |_, readiness| {
            *s.lock().unwrap() = Some(readiness);
            Ok(Recorder(Arc::default()))
        }));
        let outcome = match poll(connect.as_mut(), waker) {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                let _ = shared.lock().unwrap().as_ref().unwrap().ready(Interest::Write);
                match poll(connect.as_mut(), waker) {
                    Poll::Ready(outcome) => outcome,
                    Poll::Pending => panic!("a refused connect ends once reported"),
                }
            }
        };
        assert_eq!(outcome.err().map(|e| e.kind()), Some(io::ErrorKind::ConnectionRefused));
    }
}
