//! The native HTTP stacks: the hosted HTTP/1.1 client (`hosted.rs`: hyper and rustls, on the
//! tokio runtime the calls run on, or on a binding's own event loop), and reqwest for clients
//! whose environment names a proxy.
//!
//! The hosted client is the default because it does what the API needs and nothing else: one
//! request and one response on a pooled HTTP/1.1 connection. An `applications.get` costs about
//! half the instructions through it that it does through reqwest's client, whose layers
//! (connector service, legacy pool, per-request timeout body, redirect policy) serve features
//! this SDK does not use (callgrind, `BENCHMARKS.md`).

use std::sync::Arc;
use std::time::Duration;

use super::hosted::{Host, HostedClient, TokioHost};
use super::{WireRequest, WireResponse};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub(crate) enum HttpClient {
    Reqwest(Reqwest),
    Hosted(Arc<HostedClient>),
}

impl HttpClient {
    /// The hosted HTTP/1.1 client on the calling tokio runtime (reqwest with a proxy).
    pub(crate) fn new(user_agent: &str) -> Result<Self> {
        Self::hosted(Arc::new(TokioHost), user_agent)
    }

    /// The hosted HTTP/1.1 client on `host`; reqwest when the environment names a proxy
    /// (`HTTPS_PROXY` and the like), which only reqwest speaks to.
    pub(crate) fn hosted(host: Arc<dyn Host>, user_agent: &str) -> Result<Self> {
        if proxy_configured(|name| std::env::var(name).ok()) {
            return Self::reqwest(user_agent);
        }
        install_crypto_provider();
        Ok(Self::Hosted(Arc::new(HostedClient::new(host, user_agent)?)))
    }

    /// reqwest, whatever the environment says (the test suite runs every scenario through it).
    pub(crate) fn reqwest(user_agent: &str) -> Result<Self> {
        Reqwest::new(user_agent).map(Self::Reqwest)
    }

    /// The same stack with a connection pool of its own.
    pub(crate) fn with_own_connections(&self, user_agent: &str) -> Result<Self> {
        match self {
            Self::Reqwest(_) => Reqwest::new(user_agent).map(Self::Reqwest),
            Self::Hosted(hosted) => Ok(Self::Hosted(Arc::new(hosted.with_own_connections()))),
        }
    }

    /// Sends the request and reads the whole body, both within `request.timeout`.
    pub(crate) async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        // Both boxed: each exchange's state is over a kilobyte, and unboxed it would be part of
        // every future above this one, copied whole each time a layer moves its future.
        match self {
            Self::Reqwest(client) => Box::pin(client.send(request)).await,
            Self::Hosted(client) => Box::pin(client.send(request)).await,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Reqwest(reqwest::Client);

impl Reqwest {
    fn new(user_agent: &str) -> Result<Self> {
        install_crypto_provider();
        reqwest::Client::builder()
            .user_agent(user_agent)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map(Self)
            .map_err(|e| Error::config(format!("could not build the HTTP client: {}", super::error_chain(&e))))
    }

    async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        let timeout = request.timeout;
        let mut http_request = self
            .0
            .request(request.method.clone(), request.url)
            .timeout(timeout)
            .build()
            .map_err(|e| transport_error(e, timeout))?;
        // Straight into the request's own header map (no map of ours merged into it).
        super::insert_headers(http_request.headers_mut(), &request)?;
        if let Some(body) = request.body {
            *http_request.body_mut() = Some(body.to_vec().into());
        }
        let response = self.0.execute(http_request).await.map_err(|e| transport_error(e, timeout))?;
        let mut wire = WireResponse::new(response.status().as_u16(), response.headers(), Vec::new());
        wire.body = response.bytes().await.map_err(|e| transport_error(e, timeout))?.into();
        Ok(wire)
    }
}

/// rustls is built without a bundled crypto provider (reqwest's `rustls-no-provider`): ring keeps
/// cold builds fast and binaries small. It becomes the process default unless the host app chose
/// one already. Note for Rust users: another reqwest client built in the same process *before*
/// ours, with no TLS feature of its own, would find no provider; enable reqwest's `rustls`
/// feature there or install ring's provider yourself.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether any of the proxy variables reqwest reads is set (it applies `NO_PROXY` itself).
fn proxy_configured(var: impl Fn(&str) -> Option<String>) -> bool {
    const PROXY_VARIABLES: [&str; 6] =
        ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
    PROXY_VARIABLES.iter().any(|name| var(name).is_some_and(|value| !value.trim().is_empty()))
}

fn transport_error(error: reqwest::Error, timeout: Duration) -> Error {
    if error.is_timeout() {
        return Error::Timeout { timeout };
    }
    Error::Connection { message: super::error_chain(&error), not_sent: error.is_connect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_in_the_environment_is_noticed_in_any_spelling_reqwest_reads() {
        let only = |set: &'static str, value: &'static str| move |name: &str| (name == set).then(|| value.to_owned());
        assert!(!proxy_configured(|_| None));
        assert!(proxy_configured(only("HTTPS_PROXY", "http://proxy:3128")));
        assert!(proxy_configured(only("http_proxy", "http://proxy:3128")));
        assert!(proxy_configured(only("all_proxy", "socks5://proxy")));
        assert!(!proxy_configured(only("HTTPS_PROXY", " ")), "empty means unset");
        assert!(!proxy_configured(only("NO_PROXY", "example.com")), "NO_PROXY alone names no proxy");
    }
}
