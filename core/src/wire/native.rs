//! The native HTTP stack: one `reqwest::Client` per SDK client (its clones share it, and with it
//! one connection pool), rustls with the ring provider, HTTP/1.1 and HTTP/2.
//!
//! What it is told, beyond reqwest's defaults, and why:
//! - no redirects (`Policy::none()`): see the module above;
//! - a connect timeout ([`CONNECT_TIMEOUT`]) under the per-request one, which covers the whole
//!   exchange. reqwest's connector races the addresses of a name (Happy Eyeballs: the other
//!   address family 300 ms after the first) and shares the connect timeout among the addresses of
//!   one family, so an address that never answers costs a share of it, not the whole request;
//! - proxies from the environment as reqwest reads them (`HTTPS_PROXY`, `HTTP_PROXY`,
//!   `ALL_PROXY`, `NO_PROXY`, either case), except that loopback destinations always go direct:
//!   plain `http://` is allowed to them because it never leaves the machine, and a proxy would
//!   carry the credentials off it in clear text ([`env_proxies`]);
//! - `localhost` resolves to 127.0.0.1 and ::1 without asking the system resolver, so that what
//!   the clear-text rule calls loopback really is (`config.rs`).
//!
//! Futures of this module must be polled inside a tokio runtime context (the bindings run them on
//! napi's or uniffi's runtime); building a client needs none.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use super::{WireRequest, WireResponse};
use crate::error::{Error, Result};

/// How long one connection attempt may take (TCP and TLS), shared among the addresses of one
/// family: a name with two IPv4 addresses gives each half of it.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Destinations that never go through a proxy, whatever `NO_PROXY` says.
const LOOPBACK_NO_PROXY: &str = "localhost,127.0.0.0/8,::1";

#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    max_response_bytes: u64,
}

impl HttpClient {
    /// A client sending `user_agent`, with the default response size limit.
    pub(crate) fn new(user_agent: &str) -> Result<Self> {
        Ok(Self {
            client: build(builder(user_agent, |name| std::env::var(name).ok()))?,
            max_response_bytes: crate::config::DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// The same client, reading at most `limit` bytes of a response body.
    pub(crate) fn with_max_response_bytes(self, limit: u64) -> Self {
        Self { max_response_bytes: limit, ..self }
    }

    /// The same settings with a connection pool of its own (a forked child must not write on
    /// its parent's connections).
    pub(crate) fn with_own_connections(&self, user_agent: &str) -> Result<Self> {
        Ok(Self { client: build(builder(user_agent, |name| std::env::var(name).ok()))?, ..self.clone() })
    }

    /// Sends the request and reads the whole body, both within `request.timeout`.
    pub(crate) async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        // Boxed: the exchange's state is over a kilobyte, and unboxed it would be part of every
        // future above this one, copied whole each time a layer moves its future.
        Box::pin(self.exchange(request)).await
    }

    async fn exchange(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        let timeout = request.timeout;
        let mut http_request = self
            .client
            .request(request.method.clone(), request.url)
            .timeout(timeout)
            .build()
            .map_err(|e| transport_error(e, timeout))?;
        // Straight into the request's own header map (no map of ours merged into it).
        super::insert_headers(http_request.headers_mut(), &request)?;
        if let Some(body) = request.body {
            *http_request.body_mut() = Some(body.to_vec().into());
        }
        let mut response = self.client.execute(http_request).await.map_err(|e| transport_error(e, timeout))?;
        let status = response.status().as_u16();
        let mut wire = WireResponse::new(status, response.headers(), Vec::new());
        if super::is_redirect(status) {
            let location = response.headers().get(http::header::LOCATION).and_then(|v| v.to_str().ok());
            return Err(super::redirect_error(status, location, wire.request_id));
        }
        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|length| length > limit) {
            return Err(super::too_large(status, limit, &[], wire.request_id));
        }
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(e, timeout))? {
            if (body.len() + chunk.len()) as u64 > limit {
                // Dropping the response closes the connection: the rest is never read.
                return Err(super::too_large(status, limit, &body, wire.request_id));
            }
            body.extend_from_slice(&chunk);
        }
        wire.body = body;
        Ok(wire)
    }
}

/// The client builder with every setting of this stack; `var` reads the environment.
fn builder(user_agent: &str, var: impl Fn(&str) -> Option<String>) -> reqwest::ClientBuilder {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .resolve_to_addrs(
            "localhost",
            // Port 0: the URL's port is used.
            &[SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), SocketAddr::from((Ipv6Addr::LOCALHOST, 0))],
        )
        // reqwest's own reading of the environment, replaced by the same proxies with loopback
        // exempt (`env_proxies`).
        .no_proxy();
    for proxy in env_proxies(var) {
        builder = builder.proxy(proxy);
    }
    builder
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder.build().map_err(|e| Error::config(format!("could not build the HTTP client: {}", super::error_chain(&e))))
}

/// The proxies the environment names, read as reqwest (hyper-util's `Matcher::from_env`) reads
/// them — `ALL_PROXY`, `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`, upper case first, nothing in a
/// CGI process (`REQUEST_METHOD` set, where `HTTP_PROXY` may come from a request header) —
/// with loopback added to `NO_PROXY`. A value reqwest cannot parse is skipped (with a warning),
/// as reqwest skips it.
fn env_proxies(var: impl Fn(&str) -> Option<String>) -> Vec<reqwest::Proxy> {
    if var("REQUEST_METHOD").is_some() {
        return Vec::new();
    }
    let first = |names: [&str; 2]| names.into_iter().find_map(&var).filter(|value| !value.trim().is_empty());
    let all = first(["ALL_PROXY", "all_proxy"]);
    let http = first(["HTTP_PROXY", "http_proxy"]).or_else(|| all.clone());
    let https = first(["HTTPS_PROXY", "https_proxy"]).or(all);
    let no_proxy = match first(["NO_PROXY", "no_proxy"]) {
        Some(list) => format!("{list},{LOOPBACK_NO_PROXY}"),
        None => LOOPBACK_NO_PROXY.to_owned(),
    };
    let mut proxies = Vec::new();
    for (scheme, url) in [("http", http), ("https", https)] {
        let Some(url) = url else { continue };
        let proxy = if scheme == "http" { reqwest::Proxy::http(url.trim()) } else { reqwest::Proxy::https(url.trim()) };
        match proxy {
            Ok(proxy) => proxies.push(proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy))),
            // The value may hold a password: only the variable is named.
            Err(_) => {
                tracing::warn!(target: "kontext_management", "ignoring the {scheme} proxy of the environment: not a valid URL")
            }
        }
    }
    proxies
}

/// rustls is built without a bundled crypto provider (reqwest's `rustls-no-provider`): ring keeps
/// cold builds fast and binaries small. It becomes the process default unless the host app chose
/// one already. Note for Rust users: another reqwest client built in the same process *before*
/// ours, with no TLS feature of its own, would find no provider; enable reqwest's `rustls`
/// feature there or install ring's provider yourself.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A failure before a complete response. A connect failure (refused, unreachable, the connect
/// timeout, TLS) provably sent nothing, so even a POST may be retried after it; the request's
/// own timeout is [`Error::Timeout`].
fn transport_error(error: reqwest::Error, timeout: Duration) -> Error {
    if error.is_connect() {
        return Error::connection(super::error_chain(&error), true);
    }
    if error.is_timeout() {
        return Error::timeout(timeout);
    }
    Error::connection(super::error_chain(&error), false)
}

#[cfg(test)]
mod tests;
