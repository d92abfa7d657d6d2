//! HTTP/1.1 over sockets that a host opens and polls: the native HTTP stack.
//!
//! By default the host is the tokio runtime the calls run on ([`TokioHost`]). Some bindings run
//! in a language with an event loop of its own (Node's libuv, Python's asyncio), and there a call
//! on a tokio thread crosses threads twice: the loop thread wakes the I/O thread, and the I/O
//! thread wakes the loop thread again. On a small VM each wake-up of a sleeping thread costs tens
//! of µs, and the two together cost as much as the request. Such a binding is the host itself:
//! it opens the sockets and polls them on its own loop, and runs the connection tasks there
//! ([`Executor`]). A call is then polled on the loop thread from start to end, and the only
//! wake-up is the socket's.
//!
//! The HTTP semantics stay here in core: request line, headers, TLS, the connection pool, and the
//! mapping of failures to [`Error`]. They match the reqwest stack's: `Connection { not_sent }` for
//! connect failures, [`Error::Timeout`] over sending and reading the whole body, 90 s idle pool
//! timeout, and a request that never left a stale pooled connection is sent on a fresh one.
//!
//! What it leaves out, on purpose:
//! - HTTP/2: ALPN offers `http/1.1` only.
//! - Proxies: a client whose environment names one (`HTTPS_PROXY` and the like) gets the
//!   reqwest stack instead (`HttpClient::hosted`), with its calls' I/O on the runtime thread.
//! - Redirects: a 3xx answer is reported as it is, where reqwest would follow it. The API does
//!   not redirect.
//!
//! Futures of this module must be polled inside a tokio runtime context: the timeouts are tokio
//! timers (they register with the runtime's timer thread, which wakes the task only when they fire).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, HeaderValue, USER_AGENT};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::client::TlsStream;

use super::{WireRequest, WireResponse};
use crate::error::{Error, Result};

pub use super::local::{Executor, TaskId};
pub use super::readiness::{Interest, Readiness, ReadinessStream, Watcher};

/// A boxed future that can be sent to the host's loop.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a host provides: sockets its loop polls, and a place to run connection tasks.
pub trait Host: Send + Sync + 'static {
    /// Opens a TCP connection to `host:port`, resolving the name if it is not an IP address.
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>>;

    /// Runs a connection's task until it ends; it reads the socket while the connection is idle,
    /// so that a connection the server closed leaves the pool.
    fn spawn(&self, task: BoxFuture<()>);
}

/// A connected socket of the host.
pub trait HostStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> HostStream for T {}

/// For hosts: `connect` to the addresses of `host:port` in turn, the first that answers. A name
/// is resolved with tokio's resolver (`getaddrinfo` on the blocking pool of the runtime the
/// caller runs in; it wakes the task when done); an IP address is used as it is.
pub async fn connect_any<S, F, Fut>(host: &str, port: u16, mut connect: F) -> io::Result<S>
where
    F: FnMut(std::net::SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<S>>,
{
    let addresses: Vec<std::net::SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![std::net::SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port)).await?.collect(),
    };
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name resolved to no address");
    for address in addresses {
        match connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}

/// A host on the tokio runtime the calls run on: sockets of its I/O driver, connection tasks
/// spawned on it. What the Rust scenario suite runs the hosted client on, and a host for an
/// embedder that drives a current-thread runtime itself.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioHost;

impl Host for TokioHost {
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>> {
        let host = host.to_owned();
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as Box<dyn HostStream>)
        })
    }

    fn spawn(&self, task: BoxFuture<()>) {
        // Outside a runtime the task is dropped, and the request on its connection fails as a
        // closed connection instead of panicking.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(task);
        }
    }
}

/// How long an unused connection stays in the pool (reqwest's default).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

pub(crate) struct HostedClient {
    host: Arc<dyn Host>,
    user_agent: HeaderValue,
    tls: Arc<OnceLock<std::result::Result<Arc<rustls::ClientConfig>, String>>>,
    pool: Mutex<HashMap<String, Vec<Idle>>>,
}

struct Idle {
    sender: SendRequest<Full<Bytes>>,
    since: Instant,
}

impl fmt::Debug for HostedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostedClient").finish_non_exhaustive()
    }
}

impl HostedClient {
    pub(crate) fn new(host: Arc<dyn Host>, user_agent: &str) -> Result<Self> {
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::config("the user agent contains characters not allowed in a header"))?;
        Ok(Self { host, user_agent, tls: Arc::new(OnceLock::new()), pool: Mutex::new(HashMap::new()) })
    }

    /// A client with the same host and TLS settings and an empty pool.
    pub(crate) fn with_own_connections(&self) -> Self {
        Self {
            host: self.host.clone(),
            user_agent: self.user_agent.clone(),
            tls: self.tls.clone(),
            pool: Mutex::new(HashMap::new()),
        }
    }

    /// Trusts `roots` only, instead of the platform's verifier (tests with their own CA).
    #[cfg(test)]
    pub(crate) fn with_roots(self, roots: rustls::RootCertStore) -> Self {
        let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        let _ = self.tls.set(Ok(Arc::new(with_alpn(config))));
        self
    }

    /// Sends the request and reads the whole body, both within `request.timeout`.
    pub(crate) async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        let target = Target::parse(request.url)?;
        let http_request = self.build(&request, &target)?;
        let timeout = request.timeout;
        match tokio::time::timeout(timeout, self.exchange(&target, http_request)).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => Err(Error::Timeout { timeout }),
        }
    }

    fn build(&self, request: &WireRequest<'_>, target: &Target) -> Result<http::Request<Full<Bytes>>> {
        let mut builder = http::Request::builder().method(request.method.clone()).uri(target.path_and_query.as_str());
        let headers = builder.headers_mut().expect("a new request builder has no error");
        headers.insert(HOST, HeaderValue::from_str(&target.authority).map_err(|_| invalid_url())?);
        headers.insert(USER_AGENT, self.user_agent.clone());
        super::insert_headers(headers, request)?;
        let body = match request.body {
            Some(body) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
                Full::new(Bytes::copy_from_slice(body))
            }
            None => Full::new(Bytes::new()),
        };
        builder.body(body).map_err(|e| Error::invalid("url", e.to_string()))
    }

    async fn exchange(&self, target: &Target, mut request: http::Request<Full<Bytes>>) -> Result<WireResponse> {
        loop {
            let (mut sender, pooled) = match self.checkout(&target.key).await {
                Some(sender) => (sender, true),
                // Boxed: a TLS handshake's state is over a kilobyte, and a new connection is the
                // rare case; unboxed, every exchange's future would carry (and copy) it.
                None => (Box::pin(self.connect(target)).await?, false),
            };
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut failed) => match failed.take_message() {
                    // The pooled connection closed before the request was written: nothing was
                    // sent, so it goes out again on a fresh connection (what hyper-util does).
                    Some(unsent) if pooled => {
                        request = unsent;
                        continue;
                    }
                    unsent => return Err(connection_error(&failed.into_error(), unsent.is_some())),
                },
            };
            let (parts, body) = response.into_parts();
            let mut wire = WireResponse::new(parts.status.as_u16(), &parts.headers, Vec::new());
            wire.body = body.collect().await.map_err(|e| connection_error(&e, false))?.to_bytes().into();
            self.checkin(&target.key, sender);
            return Ok(wire);
        }
    }

    /// An idle connection to `key` that can take a request, the most recently used first (the
    /// least likely to have been closed meanwhile).
    async fn checkout(&self, key: &str) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let Idle { mut sender, since } = {
                let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
                pool.get_mut(key)?.pop()?
            };
            if since.elapsed() > IDLE_TIMEOUT || sender.is_closed() {
                continue;
            }
            // Only connections whose last response was read whole are pooled; one that is not
            // ready yet becomes so as soon as its task has seen that response end.
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    fn checkin(&self, key: &str, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.entry(key.to_owned()).or_default().push(Idle { sender, since: Instant::now() });
    }

    async fn connect(&self, target: &Target) -> Result<SendRequest<Full<Bytes>>> {
        let not_sent = |message: String| Error::Connection { message, not_sent: true };
        let stream = self
            .host
            .connect(&target.host, target.port)
            .await
            .map_err(|e| not_sent(format!("could not connect to {}: {e}", target.authority)))?;
        let io = if target.tls {
            let config = self.tls_config().map_err(|e| not_sent(format!("TLS is not available: {e}")))?;
            let name = rustls::pki_types::ServerName::try_from(target.host.clone()).map_err(|_| invalid_url())?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await
                .map_err(|e| not_sent(format!("TLS handshake with {} failed: {e}", target.authority)))?;
            Conn::Tls(Box::new(tls))
        } else {
            Conn::Plain(stream)
        };
        let (sender, connection) = http1::Builder::new()
            .handshake(TokioIo::new(io))
            .await
            .map_err(|e| not_sent(format!("could not start HTTP/1.1 with {}: {e}", target.authority)))?;
        self.host.spawn(Box::pin(async move {
            // Its errors reach the request in flight through `try_send_request`.
            let _ = connection.await;
        }));
        Ok(sender)
    }

    fn tls_config(&self) -> std::result::Result<Arc<rustls::ClientConfig>, String> {
        self.tls
            .get_or_init(|| {
                // The same verifier reqwest uses: the platform's roots and revocation rules.
                let provider = rustls::crypto::CryptoProvider::get_default()
                    .cloned()
                    .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
                let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| e.to_string())?;
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
                    .with_no_client_auth();
                Ok(Arc::new(with_alpn(config)))
            })
            .clone()
    }
}

fn with_alpn(mut config: rustls::ClientConfig) -> rustls::ClientConfig {
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Where a request goes, split the way HTTP/1.1 sends it.
struct Target {
    tls: bool,
    host: String,
    port: u16,
    /// `Host` header: the host, and the port unless it is the scheme's default.
    authority: String,
    path_and_query: String,
    /// Pool key: scheme, host and port.
    key: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self> {
        let uri: http::Uri = url.parse().map_err(|_| invalid_url())?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid_url()),
        };
        let authority = uri.authority().ok_or_else(invalid_url)?;
        let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
        // `[::1]` in the URL and the Host header, `::1` for the socket and TLS name.
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_owned();
        let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let authority = authority.as_str().rsplit_once('@').map_or(authority.as_str(), |(_, a)| a).to_owned();
        let key = format!("{}://{}:{port}", if tls { "https" } else { "http" }, host);
        Ok(Self { tls, host, port, authority, path_and_query, key })
    }
}

fn invalid_url() -> Error {
    Error::invalid("url", "is not an absolute http(s) URL")
}

fn connection_error(error: &(dyn std::error::Error + 'static), not_sent: bool) -> Error {
    Error::Connection { message: super::error_chain(error), not_sent }
}

/// A connection's byte stream: the host's socket, or TLS over it.
enum Conn {
    Plain(Box<dyn HostStream>),
    Tls(Box<TlsStream<Box<dyn HostStream>>>),
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Conn::Tls(stream) => Pin::new(stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Conn::Tls(stream) => Pin::new(stream).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Conn::Tls(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Plain(stream) => stream.is_write_vectored(),
            Conn::Tls(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Conn::Tls(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Conn::Tls(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const CA: &[u8] = include_bytes!("../../tests/fixtures/tls/ca.pem");
    const SERVER_CERT: &[u8] = include_bytes!("../../tests/fixtures/tls/server.pem");
    const SERVER_KEY: &[u8] = include_bytes!("../../tests/fixtures/tls/server.key");

    /// An HTTPS server for `localhost` (certificate signed by the test CA) that answers every
    /// request on a connection with `{}`: status 200 if its head is what the test sends (origin-
    /// form target, `Host`, user agent, bearer token), 400 if not.
    async fn https_server() -> (u16, Arc<AtomicUsize>) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certs = CertificateDer::pem_slice_iter(SERVER_CERT).collect::<std::result::Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
        let mut config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while tls.read(&mut byte).await.is_ok_and(|n| n == 1) {
                        head.push(byte[0]);
                        if head.ends_with(b"\r\n\r\n") {
                            let text = String::from_utf8_lossy(&head).to_lowercase();
                            let expected = [
                                "get /api/v1/applications?limit=1 http/1.1\r\n".to_owned(),
                                format!("host: localhost:{port}\r\n"),
                                "user-agent: kontext-test/1\r\n".to_owned(),
                                "authorization: bearer t0ken\r\n".to_owned(),
                            ];
                            let status =
                                if expected.iter().all(|line| text.contains(line.as_str())) { 200 } else { 400 };
                            let response =
                                format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nx-request-id: req-1\r\n\r\n{{}}");
                            if tls.write_all(response.as_bytes()).await.is_err() {
                                return;
                            }
                            head.clear();
                        }
                    }
                });
            }
        });
        (port, accepted)
    }

    fn get(url: &str) -> WireRequest<'_> {
        WireRequest {
            method: &http::Method::GET,
            url,
            headers: &[("accept", "application/json")],
            bearer: Some("t0ken"),
            body: None,
            timeout: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn https_requests_are_verified_and_share_one_connection() {
        let (port, accepted) = https_server().await;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(CA).unwrap()).unwrap();
        let client = HostedClient::new(Arc::new(TokioHost), "kontext-test/1").unwrap().with_roots(roots);
        let url = format!("https://localhost:{port}/api/v1/applications?limit=1");
        for _ in 0..2 {
            let response = client.send(get(&url)).await.unwrap();
            assert_eq!((response.status, &response.body[..]), (200, &b"{}"[..]));
            assert_eq!(response.request_id.as_deref(), Some("req-1"));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "the second request reuses the pooled connection");
    }

    #[tokio::test]
    async fn a_certificate_the_platform_does_not_trust_fails_before_sending() {
        let (port, _) = https_server().await;
        let client = HostedClient::new(Arc::new(TokioHost), "kontext-test/1").unwrap();
        let url = format!("https://localhost:{port}/api/v1/applications");
        match client.send(get(&url)).await {
            Err(Error::Connection { message, not_sent: true }) => assert!(message.contains("TLS"), "{message}"),
            other => panic!("expected a connection error, got {other:?}"),
        }
    }
}
