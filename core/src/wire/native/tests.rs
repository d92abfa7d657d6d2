//! The native stack against small servers on 127.0.0.0/8: TLS, redirects, the body limit, a
//! blackholed address, proxies. Nothing here leaves the machine.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::config::DEFAULT_MAX_RESPONSE_BYTES;

const CA: &[u8] = include_bytes!("../../../tests/fixtures/tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("../../../tests/fixtures/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../../tests/fixtures/tls/server.key");

/// This stack as `HttpClient::new` builds it, with `configure` applied on top and no proxy
/// variables.
fn client(configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder) -> HttpClient {
    let client = build(configure(builder("kontext-management-test/1", |_| None))).unwrap();
    HttpClient { client, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
}

fn get(url: &str) -> WireRequest<'_> {
    WireRequest {
        method: &http::Method::GET,
        url,
        headers: &[("accept", "application/json")],
        bearer: Some("t0ken"),
        body: None,
        timeout: Duration::from_secs(20),
    }
}

/// Reads a request head (up to the blank line); `None` when the peer closed first.
async fn read_head(io: &mut (impl AsyncRead + Unpin)) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if io.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Serves every connection of `listener`: reads one request head and hands it and the
/// connection to `respond`. Returns how many connections were accepted.
fn serve<F, Fut>(listener: TcpListener, respond: F) -> Arc<AtomicUsize>
where
    F: Fn(String, tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let respond = respond.clone();
            tokio::spawn(async move {
                if let Some(head) = read_head(&mut tcp).await {
                    respond(head, tcp).await;
                }
            });
        }
    });
    accepted
}

/// Answers `status` with `body` and closes the connection.
async fn answer(mut io: impl AsyncWrite + Unpin, status: u16, extra_headers: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    );
    let _ = io.write_all(response.as_bytes()).await;
    let _ = io.shutdown().await;
}

async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// An HTTPS server for `localhost` (certificate signed by the test CA) that answers every
/// request on a connection with `{}`: status 200 if its head is what the test sends (origin-form
/// target, `Host`, user agent, bearer token), 400 if not.
async fn https_server() -> (u16, Arc<AtomicUsize>) {
    install_crypto_provider();
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT).collect::<std::result::Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let mut config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, port) = listener().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                while let Some(head) = read_head(&mut tls).await {
                    let text = head.to_lowercase();
                    let expected = [
                        "get /api/v1/applications?limit=1 http/1.1\r\n".to_owned(),
                        format!("host: localhost:{port}\r\n"),
                        "user-agent: kontext-management-test/1\r\n".to_owned(),
                        "authorization: bearer t0ken\r\n".to_owned(),
                    ];
                    let status = if expected.iter().all(|line| text.contains(line.as_str())) { 200 } else { 400 };
                    let response =
                        format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nx-request-id: req-1\r\n\r\n{{}}");
                    if tls.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn https_requests_are_verified_and_share_one_connection() {
    let (port, accepted) = https_server().await;
    let ca = reqwest::Certificate::from_pem(CA).unwrap();
    let client = client(|builder| builder.tls_certs_only([ca]));
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
    let url = format!("https://localhost:{port}/api/v1/applications");
    match client(|builder| builder).send(get(&url)).await {
        Err(Error::Connection { message, not_sent: true, .. }) => assert!(message.contains("certificate"), "{message}"),
        other => panic!("expected a connection error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_was_never_sent() {
    let (listener, port) = listener().await;
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/");
    match client(|builder| builder).send(get(&url)).await {
        Err(error @ Error::Connection { not_sent: true, .. }) => assert!(error.never_sent()),
        other => panic!("expected a connection error, got {other:?}"),
    }
}

/// M2: a redirect, even to the same server, is reported and never followed, whatever its status.
#[tokio::test]
async fn redirects_are_reported_and_never_followed() {
    let (elsewhere, elsewhere_port) = listener().await;
    let followed = serve(elsewhere, |_, tcp| answer(tcp, 200, "", "{}"));
    let (origin, port) = listener().await;
    let location = format!("location: http://127.0.0.1:{elsewhere_port}/stolen?code=c0de\r\nx-request-id: req-r\r\n");
    let statuses = Arc::new(std::sync::Mutex::new(vec![301u16, 302, 303, 307, 308]));
    let queue = statuses.clone();
    serve(origin, move |_, tcp| {
        let status = queue.lock().unwrap().remove(0);
        let location = location.clone();
        async move { answer(tcp, status, &location, "").await }
    });
    let client = client(|builder| builder);
    let url = format!("http://127.0.0.1:{port}/oauth2/token");
    for status in [301u16, 302, 303, 307, 308] {
        let body = b"refresh_token=secret";
        let request = WireRequest { method: &http::Method::POST, body: Some(body), ..get(&url) };
        let error = client.send(request).await.unwrap_err();
        assert_eq!(error.status(), Some(status), "{error}");
        assert_eq!(error.kind(), crate::ErrorKind::ApiError);
        assert_eq!(error.request_id(), Some("req-r"));
        let message = error.to_string();
        assert!(
            message.contains("redirect") && message.contains(&format!("http://127.0.0.1:{elsewhere_port}")),
            "{message}"
        );
        assert!(!message.contains("stolen") && !message.contains("c0de"), "only the origin is shown: {message}");
    }
    assert!(statuses.lock().unwrap().is_empty());
    assert_eq!(followed.load(Ordering::SeqCst), 0, "no request reached the redirect's target");
}

/// M3: a stated length above the limit fails before the body is read; a body without one is read
/// up to the limit and no further; a body of exactly the limit is read whole.
#[tokio::test]
async fn bodies_above_the_limit_fail_without_being_read() {
    let (listener, port) = listener().await;
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    serve(listener, move |head, mut tcp| {
        let counter = counter.clone();
        async move {
            if head.starts_with("GET /exact ") {
                return answer(tcp, 200, "", &"x".repeat(1000)).await;
            }
            let framing = if head.starts_with("GET /stated ") {
                "content-length: 8000000000\r\n"
            } else {
                "transfer-encoding: chunked\r\n"
            };
            let head = format!("HTTP/1.1 200 OK\r\n{framing}x-request-id: req-big\r\n\r\n");
            if tcp.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            // Zeros until the client hangs up (an endless body at loopback speed).
            let chunk = if framing.starts_with("transfer") {
                format!("400\r\n{}\r\n", "0".repeat(1024))
            } else {
                "0".repeat(1024)
            };
            while tcp.write_all(chunk.as_bytes()).await.is_ok() {
                counter.fetch_add(1024, Ordering::Relaxed);
            }
        }
    });
    let client = client(|builder| builder).with_max_response_bytes(1000);
    let exact = client.send(get(&format!("http://127.0.0.1:{port}/exact"))).await.unwrap();
    assert_eq!(exact.body.len(), 1000);
    for path in ["stated", "chunked"] {
        let started = Instant::now();
        let error = client.send(get(&format!("http://127.0.0.1:{port}/{path}"))).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{path}: stopped at once");
        assert_eq!(error.kind(), crate::ErrorKind::Decode, "{path}: {error}");
        assert_eq!((error.status(), error.request_id()), (Some(200), Some("req-big")));
        assert!(error.to_string().contains("maxResponseBytes (1000 bytes)"), "{path}: {error}");
    }
    // What the server managed to write before the client hung up is bounded by the socket
    // buffers, not by the 8 GB it announced.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(written.load(Ordering::Relaxed) < 64 << 20, "{} bytes written", written.load(Ordering::Relaxed));
}

/// A listener on `address` whose accept queue is full: Linux then drops every SYN, so a connect
/// to it neither succeeds nor fails (an address that never answers, on loopback). Keep the
/// returned values alive for as long as it must stay full.
async fn blackhole(address: SocketAddr) -> (tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = if address.is_ipv4() { tokio::net::TcpSocket::new_v4() } else { tokio::net::TcpSocket::new_v6() };
    let socket = socket.unwrap();
    socket.bind(address).unwrap();
    let listener = socket.listen(0).unwrap();
    let mut fillers = Vec::new();
    // Connect until one attempt hangs: the queue is full from then on.
    while let Ok(stream) = std::net::TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
        fillers.push(stream);
        assert!(fillers.len() < 64, "the accept queue of {address} never filled");
    }
    (listener, fillers)
}

/// M4: a name whose first address never answers still connects through the next one, within a
/// share of the connect timeout (same family) or Happy Eyeballs' 300 ms (the other family).
#[tokio::test]
async fn an_address_that_never_answers_falls_back_to_the_next() {
    let (server, port) = listener().await;
    serve(server, |_, tcp| answer(tcp, 200, "", "{}"));
    let url = format!("http://kontext.test:{port}/api/v1/applications");
    let v4_black = SocketAddr::from(([127, 0, 0, 2], port));
    let live = SocketAddr::from(([127, 0, 0, 1], port));
    let (_hole, _fillers) = blackhole(v4_black).await;
    // A connect to the blackholed address hangs, as the test needs.
    let probe = std::net::TcpStream::connect_timeout(&v4_black, Duration::from_millis(500));
    assert!(probe.is_err(), "127.0.0.2 answered: the test would prove nothing");

    let same_family = client(|builder| builder.resolve_to_addrs("kontext.test", &[v4_black, live]));
    let started = Instant::now();
    let response = same_family.send(get(&url)).await.unwrap();
    assert_eq!(response.status, 200);
    let waited = started.elapsed();
    assert!(waited < CONNECT_TIMEOUT * 3 / 4, "same family: {waited:?}, the request timeout is 20 s");

    // The realistic case: a broken IPv6 route first. Skipped where loopback has no IPv6.
    let v6_black = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
    if std::net::TcpListener::bind(SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 0))).is_err() {
        eprintln!("no IPv6 loopback here: the IPv6-first half of this test did not run");
        return;
    }
    let (_hole6, _fillers6) = blackhole(v6_black).await;
    let v6_first = client(|builder| builder.resolve_to_addrs("kontext.test", &[v6_black, live]));
    let started = Instant::now();
    let response = v6_first.send(get(&url)).await.unwrap();
    assert_eq!(response.status, 200);
    assert!(started.elapsed() < Duration::from_secs(2), "other family: {:?}", started.elapsed());
}

/// M6: with proxy variables set, loopback destinations (`127.0.0.0/8`, `localhost`) still go
/// direct; other hosts go through the proxy the environment names.
#[tokio::test]
async fn loopback_never_goes_through_a_proxy() {
    let (proxy, proxy_port) = listener().await;
    let targets = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = targets.clone();
    let proxied = serve(proxy, move |head, tcp| {
        seen.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
        answer(tcp, 200, "", "proxied")
    });
    let mut direct = Vec::new();
    for address in ["127.0.0.1:0", "127.0.0.2:0", "[::1]:0"] {
        // No IPv6 loopback here: that spelling is left out.
        let Ok(origin) = TcpListener::bind(address).await else { continue };
        let port = origin.local_addr().unwrap().port();
        let host = if address.starts_with('[') { "[::1]".to_owned() } else { address.replace(":0", "") };
        direct.push(format!("http://{host}:{port}/x"));
        if host == "127.0.0.1" {
            direct.push(format!("http://localhost:{port}/x"));
        }
        serve(origin, |_, tcp| answer(tcp, 200, "", "direct"));
    }
    let proxy_url = format!("http://127.0.0.1:{proxy_port}");
    let env = move |name: &str| match name {
        "HTTP_PROXY" | "HTTPS_PROXY" | "ALL_PROXY" => Some(proxy_url.clone()),
        "NO_PROXY" => Some("internal.example".to_owned()),
        _ => None,
    };
    let client =
        HttpClient { client: build(builder("kontext-management-test/1", env)).unwrap(), max_response_bytes: 1 << 20 };
    assert!(direct.len() >= 3, "{direct:?}");
    for url in &direct {
        let response = client.send(get(url)).await.unwrap();
        assert_eq!(response.body, b"direct", "{url}");
    }
    assert_eq!(proxied.load(Ordering::SeqCst), 0, "no loopback request went to the proxy");
    // A name that is not loopback does go to the proxy (which answers for it: no traffic leaves).
    let response = client.send(get("http://kontext.test:4010/api/v1/applications")).await.unwrap();
    assert_eq!(response.body, b"proxied");
    assert_eq!(targets.lock().unwrap().as_slice(), ["GET http://kontext.test:4010/api/v1/applications HTTP/1.1"]);
}

#[test]
fn env_proxies_follow_reqwests_reading_with_loopback_exempt() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    };
    assert!(env_proxies(env(&[])).is_empty());
    assert!(env_proxies(env(&[("NO_PROXY", "example.com")])).is_empty(), "NO_PROXY alone names no proxy");
    assert!(env_proxies(env(&[("HTTPS_PROXY", " ")])).is_empty(), "empty means unset");
    assert_eq!(env_proxies(env(&[("https_proxy", "http://proxy:3128")])).len(), 1);
    assert_eq!(env_proxies(env(&[("all_proxy", "http://proxy:3128")])).len(), 2, "ALL_PROXY covers both schemes");
    assert!(
        env_proxies(env(&[("HTTP_PROXY", "http://proxy:3128"), ("REQUEST_METHOD", "GET")])).is_empty(),
        "CGI: HTTP_PROXY may come from a request header"
    );
    assert!(env_proxies(env(&[("HTTPS_PROXY", "http://[bad")])).is_empty(), "unparseable values are skipped");
}
