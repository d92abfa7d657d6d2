//! Who may talk to the emulator: the `Host` names it answers to, and the browser origins that get
//! CORS or may drive the control API.
//!
//! The emulator runs on a developer's machine with well-known credentials and an unauthenticated
//! control API (`/_emulator/reset` wipes a `--db` file). Two browser attacks are closed here:
//! - **DNS rebinding:** a page on `evil.example`, re-pointed at 127.0.0.1, talks to the emulator
//!   as its own origin. Its requests still say `Host: evil.example`, so every request must name
//!   a loopback host (or the one given with an explicit `--host`).
//! - **Drive-by requests:** any page may *send* a simple request to 127.0.0.1 (no preflight), so
//!   the control API refuses an `Origin` it does not trust before doing anything, and no answer
//!   carries `Access-Control-Allow-Origin: *`.
//!
//! Trusted origins are pages on a loopback host, any port: the emulator's own pages (the
//! console) and the test pages that call it cross-origin (the WASM engine's browser runner
//! serves its page from another loopback port, as a browser app calls the real API). A page
//! that can be served from a loopback address is local code already; a page from anywhere else
//! gets neither CORS nor the control API.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Host;

use crate::errors::ApiError;
use crate::state::AppState;

/// The `Host` names the emulator answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts {
    /// `localhost`, 127.0.0.0/8 and `::1` (the default: bound to loopback).
    Loopback,
    /// Those and the name or address given with `--host`.
    Also(Host<String>),
    /// Any name: bound to every interface (`--host 0.0.0.0` or `::`), where clients use names
    /// the emulator cannot know. Browser origins stay loopback-only.
    Any,
}

impl Hosts {
    /// The policy for the address the emulator binds (`--host`).
    pub fn for_bind(host: &str) -> Hosts {
        let parsed = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(ip)) => Host::Ipv4(ip),
            Ok(std::net::IpAddr::V6(ip)) => Host::Ipv6(ip),
            Err(_) => match Host::parse(host) {
                Ok(h) => h,
                // Whatever could bind but not parse as a host name: loopback names only.
                Err(_) => return Hosts::Loopback,
            },
        };
        let unspecified = match &parsed {
            Host::Ipv4(ip) => ip.is_unspecified(),
            Host::Ipv6(ip) => ip.is_unspecified(),
            Host::Domain(_) => false,
        };
        if unspecified {
            Hosts::Any
        } else if is_loopback(&parsed) {
            Hosts::Loopback
        } else {
            Hosts::Also(parsed)
        }
    }

    fn allows(&self, host: &Host<String>) -> bool {
        match self {
            Hosts::Any => true,
            Hosts::Loopback => is_loopback(host),
            Hosts::Also(extra) => is_loopback(host) || host == extra,
        }
    }

    /// Whether a `Host` header (`name[:port]`) names this emulator.
    pub fn allows_authority(&self, authority: &str) -> bool {
        parse_authority(authority).is_some_and(|h| self.allows(&h))
    }

    /// Whether a page of `origin` (an `Origin` header) is trusted: it is on a loopback host, or
    /// on the host given with `--host` (never "any": a rebinding page would match that).
    pub fn trusts_origin(&self, origin: &str) -> bool {
        let Ok(url) = url::Url::parse(origin) else { return false };
        if !matches!(url.scheme(), "http" | "https") || url.path() != "/" || url.query().is_some() {
            return false;
        }
        match url.host().map(|h| h.to_owned()) {
            Some(host) => match self {
                Hosts::Also(extra) => is_loopback(&host) || &host == extra,
                Hosts::Loopback | Hosts::Any => is_loopback(&host),
            },
            None => false,
        }
    }
}

fn is_loopback(host: &Host<String>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        // Only the literal name: `*.localhost` may be resolved through DNS.
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    }
}

/// `name[:port]` → the host, through the URL parser (so `127.1` and `[::1]` parse as addresses).
fn parse_authority(authority: &str) -> Option<Host<String>> {
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', '\\']) {
        return None;
    }
    let url = url::Url::parse(&format!("http://{authority}/")).ok()?;
    url.host().map(|h| h.to_owned())
}

/// The request's `Origin`, when it has one (browsers send it on every cross-origin request and
/// on every POST).
pub fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("\u{0}"))
}

/// The outermost layer: a request must name this emulator in `Host` (DNS rebinding). A request
/// without `Host` (HTTP/1.0) cannot come from a browser and is let through.
pub async fn host_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let authority = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| req.headers().get(header::HOST).map(|v| v.to_str().unwrap_or("\u{0}").to_owned()));
    match authority {
        Some(a) if !st.hosts.allows_authority(&a) => {
            let mut resp = ApiError::new(
                StatusCode::MISDIRECTED_REQUEST,
                "This emulator answers to loopback host names only (localhost, 127.0.0.1, [::1]); \
                 start it with --host NAME to answer to another",
            )
            .into_response();
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp
        }
        _ => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_for_the_bind_address() {
        assert_eq!(Hosts::for_bind("127.0.0.1"), Hosts::Loopback);
        assert_eq!(Hosts::for_bind("::1"), Hosts::Loopback);
        assert_eq!(Hosts::for_bind("localhost"), Hosts::Loopback);
        assert_eq!(Hosts::for_bind("0.0.0.0"), Hosts::Any);
        assert_eq!(Hosts::for_bind("::"), Hosts::Any);
        assert_eq!(Hosts::for_bind("192.168.1.5"), Hosts::Also(Host::Ipv4([192, 168, 1, 5].into())));
        assert_eq!(Hosts::for_bind("dev.lan"), Hosts::Also(Host::Domain("dev.lan".into())));
    }

    #[test]
    fn loopback_names_only_by_default() {
        let hosts = Hosts::Loopback;
        for ok in ["127.0.0.1:4010", "127.0.0.1", "127.1:80", "localhost:4010", "LOCALHOST", "[::1]:4010", "127.9.9.9"]
        {
            assert!(hosts.allows_authority(ok), "{ok}");
        }
        for bad in [
            "evil.example:4010",
            "evil.example",
            "localhost.:4010",
            "app.localhost",
            "10.0.0.1",
            "[::ffff:127.0.0.1]",
            "",
            "127.0.0.1@evil.example",
            "evil.example/127.0.0.1",
            "\u{0}",
        ] {
            assert!(!hosts.allows_authority(bad), "{bad:?}");
        }
        let lan = Hosts::for_bind("192.168.1.5");
        assert!(lan.allows_authority("192.168.1.5:4010") && lan.allows_authority("127.0.0.1:4010"));
        assert!(!lan.allows_authority("evil.example:4010"));
        assert!(Hosts::Any.allows_authority("evil.example:4010"));
    }

    #[test]
    fn trusted_origins_are_loopback_pages() {
        let hosts = Hosts::Loopback;
        for ok in ["http://127.0.0.1:5173", "http://localhost:3000", "http://[::1]:8080", "https://localhost"] {
            assert!(hosts.trusts_origin(ok), "{ok}");
        }
        for bad in
            ["https://evil.example", "null", "http://127.0.0.1.evil.example", "file://", "", "http://app.localhost"]
        {
            assert!(!hosts.trusts_origin(bad), "{bad:?}");
        }
        // Bound to every interface: names are not checked, so origins stay loopback-only.
        assert!(!Hosts::Any.trusts_origin("http://evil.example:4010"));
        assert!(Hosts::for_bind("dev.lan").trusts_origin("http://dev.lan:4010"));
    }
}
