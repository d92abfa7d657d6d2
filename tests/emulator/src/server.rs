//! The accept loop. Connections are served with hyper directly (not `axum::serve`) so that a
//! `drop` fault can close a socket without a response, and so that shutdown and `Drop` end
//! every connection of this instance.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower_service::Service;

use crate::Options;
use crate::origins::{self, Hosts};
use crate::routes;
use crate::state::{AppState, Config, Shared};

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
    state: AppState,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds, loads (or creates) the state and starts serving; the server accepts connections
    /// when this returns.
    pub async fn start(options: Options) -> io::Result<Emulator> {
        let listener = TcpListener::bind((options.host.as_str(), options.port)).await?;
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
        let task = tokio::spawn(accept_loop(listener, router, rx));
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

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(serve_connection(stream, router.clone(), shutdown.clone()));
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

async fn serve_connection(stream: TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
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
    let conn =
        hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
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
