//! WHATWG URL parsing: the `url` crate on native targets, the runtime's own `URL` on wasm32.
//!
//! Both implement the same standard, so a URL is accepted, rejected and serialized alike on
//! every engine. On wasm the runtime's parser costs nothing, while the `url` crate and its IDNA
//! tables were ~14 KB of the gzipped engine. Only what the SDK checks is exposed.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed absolute URL.
pub(crate) struct WebUrl {
    #[cfg(not(target_arch = "wasm32"))]
    inner: url::Url,
    #[cfg(target_arch = "wasm32")]
    inner: web_sys::Url,
}

/// The host of a URL, as the loopback check needs it.
#[derive(Debug, PartialEq)]
pub(crate) enum Host {
    Domain(String),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

/// Why a string is not a URL. The native parser says more than the runtime's (`Invalid URL`).
#[derive(Debug)]
pub(crate) struct ParseError(String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl WebUrl {
    /// The scheme, without the `:`.
    pub(crate) fn scheme(&self) -> String {
        self.protocol().trim_end_matches(':').to_owned()
    }

    /// The host; `None` for URLs without one (`mailto:x`) or with an empty one (`file:///x`).
    pub(crate) fn host(&self) -> Option<Host> {
        let name = self.host_str()?;
        if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            return v6.parse().ok().map(Host::Ipv6);
        }
        // The parser has already turned every IPv4 spelling (`127.1`, `0x7f.1`) into dotted-quad.
        Some(match name.parse() {
            Ok(v4) => Host::Ipv4(v4),
            Err(_) => Host::Domain(name),
        })
    }

    /// Whether it carries a query, even an empty one (`https://x/?`).
    pub(crate) fn has_query(&self) -> bool {
        self.href().split('#').next().is_some_and(|before_fragment| before_fragment.contains('?'))
    }

    /// Whether it carries a fragment, even an empty one (`https://x/#`).
    pub(crate) fn has_fragment(&self) -> bool {
        self.href().contains('#')
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl WebUrl {
    pub(crate) fn parse(input: &str) -> Result<Self, ParseError> {
        url::Url::parse(input).map(|inner| Self { inner }).map_err(|e| ParseError(e.to_string()))
    }

    fn protocol(&self) -> String {
        format!("{}:", self.inner.scheme())
    }

    pub(crate) fn host_str(&self) -> Option<String> {
        self.inner.host_str().filter(|h| !h.is_empty()).map(str::to_owned)
    }

    pub(crate) fn has_credentials(&self) -> bool {
        !self.inner.username().is_empty() || self.inner.password().is_some()
    }

    pub(crate) fn path(&self) -> String {
        self.inner.path().to_owned()
    }

    /// `scheme://host[:port]`, the port only when it is not the scheme's default.
    pub(crate) fn origin(&self) -> String {
        self.inner.origin().ascii_serialization()
    }

    pub(crate) fn href(&self) -> String {
        self.inner.as_str().to_owned()
    }
}

#[cfg(target_arch = "wasm32")]
impl WebUrl {
    pub(crate) fn parse(input: &str) -> Result<Self, ParseError> {
        web_sys::Url::new(input).map(|inner| Self { inner }).map_err(|_| ParseError("invalid URL".to_owned()))
    }

    fn protocol(&self) -> String {
        self.inner.protocol()
    }

    pub(crate) fn host_str(&self) -> Option<String> {
        Some(self.inner.hostname()).filter(|h| !h.is_empty())
    }

    pub(crate) fn has_credentials(&self) -> bool {
        !self.inner.username().is_empty() || !self.inner.password().is_empty()
    }

    pub(crate) fn path(&self) -> String {
        self.inner.pathname()
    }

    pub(crate) fn origin(&self) -> String {
        self.inner.origin()
    }

    pub(crate) fn href(&self) -> String {
        self.inner.href()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_url() {
        let u = WebUrl::parse("https://user:pw@API.example.com:8443/a/b?q=1#f").unwrap();
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.host(), Some(Host::Domain("api.example.com".into())));
        assert!(u.has_credentials() && u.has_query() && u.has_fragment());
        assert_eq!(u.path(), "/a/b");
        assert_eq!(u.origin(), "https://api.example.com:8443");

        let u = WebUrl::parse("http://127.1:80/").unwrap();
        assert_eq!(u.host(), Some(Host::Ipv4(Ipv4Addr::LOCALHOST)));
        assert_eq!(u.origin(), "http://127.0.0.1");
        assert!(!u.has_credentials() && !u.has_query() && !u.has_fragment());

        assert_eq!(WebUrl::parse("http://[::1]:9/").unwrap().host(), Some(Host::Ipv6(Ipv6Addr::LOCALHOST)));
        assert!(WebUrl::parse("https://x/?").unwrap().has_query());
        assert!(!WebUrl::parse("https://x/#?").unwrap().has_query());
        assert_eq!(WebUrl::parse("myapp:/callback").unwrap().host(), None);
        assert!(WebUrl::parse("not a url").is_err());
    }
}
