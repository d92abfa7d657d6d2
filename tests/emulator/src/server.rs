//! The accept loop. Connections are served with hyper directly (not `axum::serve`) so that a
//! `drop` fault can close a socket without a response, and so that shutdown and `Drop` end
//! every connection of this instance. A client gets [`Limits::DEFAULT`]: so many connections at
//! once, so long to send a request's headers.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower_service::Service;

use crate::Options;
use crate::origins::{self, Hosts};
use crate::routes;
use crate::state::{AppState, Config, Shared};

/// What one client can hold of the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Open connections at most; at the cap the server stops accepting (new connections wait in
    /// the kernel's backlog) until one closes. Far above what the test suites hold at once (the
    /// 1,000-call bursts of the benchmarks, three clients' pools), far below a raised `ulimit`.
    pub max_connections: usize,
    /// From the moment the server waits for a request until its headers are complete (slowloris).
    /// hyper also applies it to an idle keep-alive connection, so it stays above the clients' own
    /// idle timeouts (90 s in the SDK and reqwest): they close first, and never race a request
    /// against the server's close.
    pub header_timeout: Duration,
}

impl Limits {
    pub const DEFAULT: Limits = Limits { max_connections: 4096, header_timeout: Duration::from_secs(120) };
}

/// Lets a handler ask its connection task to drop the socket.
#[derive(Clone)]
pub struct ConnKill(Arc<Notify>);

impl ConnKill {
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// A running emulator. Dropping it stops the server and closes its connections.
pub struct Emulator {
    base_url: String,
    pub(crate) state: AppState,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// An emulator for a test: [`Options::default()`] (127.0.0.1, a free port, in memory, the
    /// bootstrap account `sa_local_dev` / `local-dev-secret`), serving on the caller's tokio
    /// runtime until it is dropped. The control API is on it as methods (see [`Emulator::fault`]).
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let emu = kontext_management_emulator::Emulator::start().await?;
    /// emu.fault(kontext_management_emulator::Fault::status(503).path("/api/v1/applications*")).expect("fault");
    /// // ... point the code under test at emu.base_url(), emu.client_id(), emu.client_secret()
    /// # Ok(()) }
    /// ```
    pub async fn start() -> io::Result<Emulator> {
        Self::start_with(Options::default()).await
    }

    /// Binds, loads (or creates) the state and starts serving; the server accepts connections
    /// when this returns. A port that cannot be bound is an error naming the address.
    pub async fn start_with(options: Options) -> io::Result<Emulator> {
        let listener = TcpListener::bind((options.host.as_str(), options.port))
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("cannot bind {}:{}: {e}", options.host, options.port)))?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let defaults = Config {
            rate_limit_per_minute: options.rate_limit_per_minute,
            token_ttl_seconds: options.token_ttl_seconds.max(1),
            omit_expires_in: false,
            device_grant: options.device_grant,
            device_interval_ms: 5_000,
            device_expires_in_seconds: 600,
        };
        let mut shared = Shared::new(
            base_url.clone(),
            options.client_id.clone(),
            options.client_secret.clone(),
            defaults,
            options.db.as_deref(),
            options.seed,
        )?;
        shared.hosts = Hosts::for_bind(&options.host);
        let state = Arc::new(shared);
        let mut router = routes::router(state.clone());
        if let Some(dir) = &options.console_dir {
            router = router.merge(crate::console::router(dir.clone()));
        }
        // Outermost, so the console's files are covered too (DNS rebinding).
        let router = router.layer(axum::middleware::from_fn_with_state(state.clone(), origins::host_guard));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, rx, Limits::DEFAULT));
        Ok(Emulator { base_url, state, shutdown, task: Some(task) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.state.client_secret
    }

    /// Stops accepting, lets in-flight requests finish (up to a few seconds), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            // Aborting the loop drops its JoinSet, which aborts every connection task.
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut conns = JoinSet::new();
    // A free slot, taken before accepting: at the cap, nothing is accepted until one is freed.
    let mut slot = None;
    loop {
        tokio::select! {
            acquired = slots.clone().acquire_owned(), if slot.is_none() => slot = acquired.ok(),
            accepted = listener.accept(), if slot.is_some() => match accepted {
                Ok((stream, _)) => {
                    let held = slot.take();
                    let conn = serve_connection(stream, router.clone(), shutdown.clone(), limits.header_timeout);
                    conns.spawn(async move {
                        conn.await;
                        drop(held);
                    });
                }
                // Typically EMFILE: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(3), drain).await.is_err() {
        conns.abort_all();
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    header_timeout: Duration,
) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket, for `drop` faults: see `break_connection`.
    let Some((stream, breaker)) = split_off_breaker(stream) else {
        return;
    };
    let kill = ConnKill(Arc::new(Notify::new()));
    let handle = kill.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(handle.clone());
        let mut router = router.clone();
        async move { router.call(req).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = kill.0.notified() => break_connection(&breaker),
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.as_mut()).await;
        }
    }
}

/// Duplicates the socket so the connection can be broken from outside hyper.
fn split_off_breaker(stream: TcpStream) -> Option<(TcpStream, std::net::TcpStream)> {
    let std_stream = stream.into_std().ok()?;
    let breaker = std_stream.try_clone().ok()?;
    Some((TcpStream::from_std(std_stream).ok()?, breaker))
}

/// A `drop` fault: the start of a status line, then the connection is shut down. Closing without a
/// byte would look like a stale keep-alive connection, which browsers silently re-send (even a
/// POST), hiding the fault from the client; a few bytes make it an unmistakable broken response.
fn break_connection(breaker: &std::net::TcpStream) {
    use std::io::Write;
    let mut socket = breaker;
    let _ = socket.write(b"HTTP/1.1 5");
    let _ = breaker.shutdown(std::net::Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Sends a keep-alive GET and reads until its whole answer (`ok`) is in.
    async fn get_ok(stream: &mut TcpStream) {
        stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("write");
        let mut buf = Vec::new();
        while !buf.ends_with(b"\r\n\r\nok") {
            let mut chunk = [0u8; 512];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "closed: {}", String::from_utf8_lossy(&buf));
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_wait_until_one_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = Router::new().route("/", get(|| async { "ok" }));
        let (stop, rx) = watch::channel(false);
        let limits = Limits { max_connections: 2, header_timeout: Duration::from_secs(60) };
        let server = tokio::spawn(accept_loop(listener, router, rx, limits));

        let mut first = TcpStream::connect(addr).await.expect("connect");
        get_ok(&mut first).await;
        let mut second = TcpStream::connect(addr).await.expect("connect");
        get_ok(&mut second).await;
        // The third connects (the kernel's backlog) but is not served while two are open.
        let mut third = TcpStream::connect(addr).await.expect("connect");
        let waiting = tokio::time::timeout(Duration::from_millis(300), get_ok(&mut third)).await;
        assert!(waiting.is_err(), "a connection beyond the cap was served");
        // One closes: the third is accepted and its request (already sent) answered.
        drop(first);
        let mut buf = Vec::new();
        let answered = tokio::time::timeout(Duration::from_secs(10), async {
            while !buf.ends_with(b"\r\n\r\nok") {
                let mut chunk = [0u8; 512];
                let n = third.read(&mut chunk).await.expect("read");
                assert!(n > 0, "closed");
                buf.extend_from_slice(&chunk[..n]);
            }
        })
        .await;
        assert!(answered.is_ok(), "the waiting connection was not served after a slot was freed");
        get_ok(&mut second).await;
        let _ = stop.send(true);
        let _ = server.await;
    }
}
