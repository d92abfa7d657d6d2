//! Client configuration: the options a user passes, and the resolved settings every request uses.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::weburl::{Host, WebUrl};

/// Default API version, as in the official client.
pub const DEFAULT_API_VERSION: &str = "v1";
/// Default scope requested with client credentials: implies every fine-grained management scope.
pub const DEFAULT_SCOPE: &str = "management:all";
/// Default timeout of one request attempt (connect, send, and read the whole body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default limit on the size of one response body (64 MiB): far above any page the API sends,
/// low enough that a broken or hostile endpoint cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// The user agent every engine starts from; bindings append their own (`kontext-management-python/…`).
pub const USER_AGENT: &str = concat!("kontext-management-rust/", env!("CARGO_PKG_VERSION"));

/// Service-account credentials for the OAuth client-credentials grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    /// The OAuth client id (`sa_<uuid>` for service accounts).
    pub client_id: String,
    /// The OAuth client secret. Never printed.
    pub client_secret: Secret,
}

/// Everything a client can be configured with, in the shape of the official TypeScript client's
/// constructor config (camelCase when (de)serialized), plus our extensions.
///
/// Bindings deserialize their language's options object into this type, so every default and
/// every check lives here once.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// The API origin, e.g. `https://api.kontext.security`. A trailing `/` or `/api/v1` is removed.
    pub base_url: String,
    /// Service-account credentials (client-credentials grant). Exclusive with `access_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// A bearer token obtained elsewhere, e.g. a user token from Authorization Code + PKCE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    /// API version path segment (default `v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Token endpoint (default `{baseUrl}/oauth2/token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Scopes requested with client credentials (default `["management:all"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Token audience (default `{baseUrl}/api/{apiVersion}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Timeout of one attempt in milliseconds (default 60 000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Retries after the first attempt (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// Allow plain `http://` to a host that is not loopback. Off by default so credentials never
    /// travel in clear text by accident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure_http: Option<bool>,
    /// Appended to the user agent, e.g. `kontext-management-python/0.1.0 CPython/3.11`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Headers sent with every API request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Largest response body read, in bytes (default 64 MiB); a longer one fails as a `decode`
    /// error without being read further.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_bytes: Option<u64>,
}

/// Like a derived `Debug`, but custom headers show their names only: they often carry gateway
/// API keys. (The credentials are [`Secret`]s, which print `[redacted]`.)
impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so a new field cannot be forgotten here.
        let Self {
            base_url,
            credentials,
            access_token,
            api_version,
            token_url,
            scopes,
            audience,
            timeout_ms,
            max_retries,
            allow_insecure_http,
            user_agent,
            headers,
            max_response_bytes,
        } = self;
        f.debug_struct("ClientOptions")
            .field("base_url", base_url)
            .field("credentials", credentials)
            .field("access_token", access_token)
            .field("api_version", api_version)
            .field("token_url", token_url)
            .field("scopes", scopes)
            .field("audience", audience)
            .field("timeout_ms", timeout_ms)
            .field("max_retries", max_retries)
            .field("allow_insecure_http", allow_insecure_http)
            .field("user_agent", user_agent)
            .field("headers", &headers.as_ref().map(HeaderNames::of_map))
            .field("max_response_bytes", max_response_bytes)
            .finish()
    }
}

/// Headers as `Debug` may show them: `{"x-gateway-key": [redacted]}`.
pub(crate) struct HeaderNames<'a>(Vec<&'a str>);

impl<'a> HeaderNames<'a> {
    pub(crate) fn of_map(headers: &'a BTreeMap<String, String>) -> Self {
        Self(headers.keys().map(String::as_str).collect())
    }
    pub(crate) fn of_pairs(headers: &'a [(String, String)]) -> Self {
        Self(headers.iter().map(|(name, _)| name.as_str()).collect())
    }
}

impl std::fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.iter().map(|name| (name, crate::secret::Redacted))).finish()
    }
}

/// How the client authenticates its API calls.
#[derive(Debug, Clone)]
pub(crate) enum AuthConfig {
    ClientCredentials(Credentials),
    Bearer(Secret),
}

/// Resolved, validated settings. Built once per client; cheap to share.
#[derive(Clone)]
pub(crate) struct ClientConfig {
    /// Origin without trailing slash, e.g. `https://api.kontext.security`.
    pub origin: String,
    /// `{origin}/api/{version}`.
    pub api_base: String,
    pub token_url: String,
    pub scopes: Vec<String>,
    pub audience: String,
    pub timeout: Duration,
    pub max_retries: u32,
    pub user_agent: String,
    pub headers: Vec<(String, String)>,
    pub auth: AuthConfig,
    pub max_response_bytes: u64,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("origin", &self.origin)
            .field("api_base", &self.api_base)
            .field("token_url", &self.token_url)
            .field("scopes", &self.scopes)
            .field("audience", &self.audience)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .field("headers", &HeaderNames::of_pairs(&self.headers))
            .field("auth", &self.auth)
            .finish()
    }
}

impl ClientOptions {
    /// Parses options from JSON (what bindings receive), as a `config` error naming the problem
    /// but never echoing a value, since values here are credentials.
    pub fn from_json(json: &str) -> Result<Self> {
        crate::args::from_json_text(json, "invalid client options").map_err(Error::config)
    }

    /// Names the engine in the user agent (`kontext-management-python/0.1.0 CPython/3.11`), ahead of any
    /// text the caller appended, so the server sees `kontext-management-rust/… <engine> <caller>`.
    pub fn identify_engine(&mut self, engine: &str) {
        let parts = [engine.trim(), self.user_agent.as_deref().unwrap_or_default().trim()];
        let joined = parts.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        self.user_agent = (!joined.is_empty()).then_some(joined);
    }

    /// Options for `base_url` with nothing else set.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self { base_url: base_url.into(), ..Self::default() }
    }

    pub(crate) fn resolve(&self) -> Result<ClientConfig> {
        let allow_insecure_http = self.allow_insecure_http.unwrap_or(false);
        let api_version = match self.api_version.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_API_VERSION.to_owned(),
            Some(v) if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') => v.to_owned(),
            Some(v) => return Err(Error::config(format!("apiVersion {v:?} is not a valid version segment"))),
        };
        let origin = normalize_base_url(&self.base_url, &api_version, allow_insecure_http)?;
        let token_url = match &self.token_url {
            Some(u) => checked_url("tokenUrl", u, allow_insecure_http)?,
            None => format!("{origin}/oauth2/token"),
        };
        let audience = match &self.audience {
            Some(a) if a.trim().is_empty() => return Err(Error::config("audience must not be empty")),
            Some(a) => a.trim().to_owned(),
            None => format!("{origin}/api/{api_version}"),
        };
        let scopes = match &self.scopes {
            Some(s) if s.is_empty() => return Err(Error::config("scopes must not be an empty list")),
            Some(s) => {
                if let Some(bad) = s.iter().find(|s| s.is_empty() || s.contains(char::is_whitespace)) {
                    return Err(Error::config(format!("scope {bad:?} must be non-empty and contain no spaces")));
                }
                s.clone()
            }
            None => vec![DEFAULT_SCOPE.to_owned()],
        };
        let auth = match (&self.credentials, &self.access_token) {
            (Some(_), Some(_)) => {
                return Err(Error::config("pass either credentials or accessToken, not both"));
            }
            (Some(c), None) => {
                if c.client_id.trim().is_empty() {
                    return Err(Error::config("credentials.clientId must not be empty"));
                }
                if c.client_secret.is_empty() {
                    return Err(Error::config("credentials.clientSecret must not be empty"));
                }
                AuthConfig::ClientCredentials(c.clone())
            }
            (None, Some(t)) if t.is_empty() => return Err(Error::config("accessToken must not be empty")),
            (None, Some(t)) => AuthConfig::Bearer(t.clone()),
            (None, None) => {
                return Err(Error::config(
                    "no credentials: pass credentials {clientId, clientSecret} or an accessToken",
                ));
            }
        };
        let timeout = match self.timeout_ms {
            Some(0) => return Err(Error::config("timeoutMs must be greater than 0")),
            Some(ms) => Duration::from_millis(ms),
            None => DEFAULT_TIMEOUT,
        };
        let max_retries = match self.max_retries {
            Some(n) if n > MAX_RETRIES_LIMIT => {
                return Err(Error::config(format!("maxRetries must be at most {MAX_RETRIES_LIMIT}")));
            }
            Some(n) => n,
            None => DEFAULT_MAX_RETRIES,
        };
        let max_response_bytes = match self.max_response_bytes {
            Some(0) => return Err(Error::config("maxResponseBytes must be greater than 0")),
            Some(n) => n,
            None => DEFAULT_MAX_RESPONSE_BYTES,
        };
        let user_agent = match self.user_agent.as_deref().map(str::trim) {
            Some(extra) if !extra.is_empty() => format!("{USER_AGENT} {extra}"),
            _ => USER_AGENT.to_owned(),
        };
        let headers = self
            .headers
            .iter()
            .flatten()
            .map(|(k, v)| check_header(k, v).map(|()| (k.to_ascii_lowercase(), v.clone())))
            .collect::<Result<Vec<_>>>()?;
        Ok(ClientConfig {
            api_base: format!("{origin}/api/{api_version}"),
            origin,
            token_url,
            scopes,
            audience,
            timeout,
            max_retries,
            user_agent,
            headers,
            auth,
            max_response_bytes,
        })
    }
}

/// Retries beyond this only hammer a failing server; refuse them as a configuration mistake.
pub(crate) const MAX_RETRIES_LIMIT: u32 = 10;

/// Headers the pipeline owns; a caller overriding them would break auth or request accounting.
const RESERVED_HEADERS: &[&str] = &["authorization", "content-length", "host"];

pub(crate) fn check_header(name: &str, value: &str) -> Result<()> {
    let valid_name =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(Error::config(format!("header name {name:?} is not a valid HTTP header name")));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(Error::config(format!("header {name:?} is set by the client and cannot be overridden")));
    }
    // What every engine can send the same way: visible ASCII, space and tab. Control characters
    // (CR/LF would split the header) fail at send time on every stack, and a character beyond
    // ASCII is UTF-8 natively but refused or sent as Latin-1 by `fetch`. The value is never
    // quoted: it may be a key.
    if value.chars().any(|c| !(c == '\t' || (' '..='~').contains(&c))) {
        return Err(Error::config(format!(
            "header {name:?} has a value with a control or non-ASCII character (only visible ASCII, spaces and tabs)"
        )));
    }
    Ok(())
}

/// Turns what a user may write as the base URL into the bare origin (plus any proxy path prefix).
///
/// `https://api.kontext.security/`, `https://api.kontext.security/api/v1` and
/// `https://api.kontext.security/api/v1/` all become `https://api.kontext.security`.
pub fn normalize_base_url(input: &str, api_version: &str, allow_insecure_http: bool) -> Result<String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::config("baseUrl is required"));
    }
    let url = WebUrl::parse(&checked_url("baseUrl", trimmed, allow_insecure_http)?)
        .map_err(|e| Error::config(format!("baseUrl is not a valid URL: {e}")))?;
    if url.has_query() || url.has_fragment() {
        return Err(Error::config("baseUrl must not contain a query or fragment"));
    }
    // Work on the path only: string surgery on the whole URL could cut into the host
    // (`https:///api/v1` parses as host `api`, path `/v1`).
    let path = url.path();
    let mut path = path.trim_end_matches('/');
    if let Some(prefix) = path.strip_suffix(&format!("/api/{api_version}")) {
        path = prefix.trim_end_matches('/');
    }
    Ok(format!("{}{path}", url.origin()))
}

/// Parses an absolute http(s) URL and applies the clear-text guard.
pub(crate) fn checked_url(what: &str, input: &str, allow_insecure_http: bool) -> Result<String> {
    // The input is never quoted: a URL may carry `user:password@` (refused below, once parsed).
    let url = WebUrl::parse(input.trim()).map_err(|e| Error::config(format!("{what} is not a valid URL: {e}")))?;
    match url.scheme().as_str() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "{what} uses plain http:// to {}, which would send credentials in clear text; \
                 use https:// or set allowInsecureHttp",
                url.host_str().as_deref().unwrap_or("?")
            )));
        }
        other => return Err(Error::config(format!("{what} must be an http(s) URL, not {other}:"))),
    }
    if url.host_str().is_none() {
        return Err(Error::config(format!("{what} has no host")));
    }
    if url.has_credentials() {
        return Err(Error::config(format!("{what} must not embed credentials")));
    }
    Ok(url.href())
}

/// Loopback for the clear-text rule: 127.0.0.0/8, `[::1]` and the literal name `localhost`, which
/// the native stack resolves to those itself (`wire/native.rs`). Not `*.localhost`: the system
/// resolver may ask DNS for such a name, which can point it anywhere.
fn is_loopback(url: &WebUrl) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(base: &str) -> ClientOptions {
        ClientOptions {
            base_url: base.into(),
            credentials: Some(Credentials { client_id: "sa_1".into(), client_secret: "s".into() }),
            ..Default::default()
        }
    }

    #[test]
    fn base_url_forms_normalise_to_the_origin() {
        for input in [
            "https://api.kontext.security",
            "https://api.kontext.security/",
            "https://api.kontext.security/api/v1",
            "https://api.kontext.security/api/v1/",
            "  https://api.kontext.security//  ",
        ] {
            assert_eq!(normalize_base_url(input, "v1", false).unwrap(), "https://api.kontext.security", "{input}");
        }
        assert_eq!(
            normalize_base_url("https://proxy.example/kontext/api/v1", "v1", false).unwrap(),
            "https://proxy.example/kontext"
        );
        // Found by the fuzzer: the suffix must come off the path, never out of the host.
        assert_eq!(normalize_base_url("https:///api/v1", "v1", false).unwrap(), "https://api/v1");
        assert_eq!(normalize_base_url("https://api/v1", "v1", false).unwrap(), "https://api/v1");
        assert_eq!(normalize_base_url("http://127.0.0.1:4010/api/v1/", "v1", false).unwrap(), "http://127.0.0.1:4010");
    }

    #[test]
    fn defaults_follow_the_official_client() {
        let c = opts("https://api.kontext.security/api/v1").resolve().unwrap();
        assert_eq!(c.api_base, "https://api.kontext.security/api/v1");
        assert_eq!(c.token_url, "https://api.kontext.security/oauth2/token");
        assert_eq!(c.audience, "https://api.kontext.security/api/v1");
        assert_eq!(c.scopes, vec!["management:all"]);
        assert_eq!(c.timeout, Duration::from_secs(60));
        assert_eq!(c.max_retries, 2);
        assert_eq!(c.max_response_bytes, 64 << 20);
        assert!(c.user_agent.starts_with("kontext-management-rust/"));
    }

    #[test]
    fn plain_http_only_for_loopback_unless_allowed() {
        for ok in ["http://127.0.0.1:4010", "http://localhost:1", "http://[::1]:80", "http://127.8.0.2"] {
            assert!(opts(ok).resolve().is_ok(), "{ok}");
        }
        for refused in ["http://api.kontext.security", "http://evil.localhost:4010", "http://localhost.example"] {
            let err = opts(refused).resolve().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Config);
            assert!(err.to_string().contains("clear text"), "{refused}: {err}");
        }
        let mut allowed = opts("http://intranet.example");
        allowed.allow_insecure_http = Some(true);
        assert!(allowed.resolve().is_ok());
    }

    #[test]
    fn bad_options_are_config_errors_naming_the_option() {
        let cases: Vec<(ClientOptions, &str)> = vec![
            (opts(""), "baseUrl"),
            (opts("ftp://x"), "baseUrl"),
            (opts("not a url"), "baseUrl"),
            (opts("https://user:pw@host"), "credentials"),
            (ClientOptions { timeout_ms: Some(0), ..opts("https://h") }, "timeoutMs"),
            (ClientOptions { max_retries: Some(99), ..opts("https://h") }, "maxRetries"),
            (ClientOptions { scopes: Some(vec![]), ..opts("https://h") }, "scopes"),
            (ClientOptions { max_response_bytes: Some(0), ..opts("https://h") }, "maxResponseBytes"),
            (ClientOptions { access_token: Some("t".into()), ..opts("https://h") }, "either"),
            (ClientOptions::new("https://h"), "no credentials"),
            (ClientOptions { token_url: Some("http://evil.example/t".into()), ..opts("https://h") }, "tokenUrl"),
        ];
        for (o, needle) in cases {
            let e = o.resolve().unwrap_err();
            assert!(e.to_string().contains(needle), "{e} should mention {needle}");
        }
    }

    #[test]
    fn options_deserialize_from_the_official_camel_case_shape() {
        let o: ClientOptions = serde_json::from_value(serde_json::json!({
            "baseUrl": "https://api.kontext.security",
            "credentials": {"clientId": "sa_x", "clientSecret": "very-secret"},
            "timeoutMs": 5000, "maxRetries": 0, "maxResponseBytes": 1024
        }))
        .unwrap();
        assert_eq!(o.timeout_ms, Some(5000));
        assert_eq!(o.max_response_bytes, Some(1024));
        assert!(!format!("{o:?}").contains("very-secret"));
        let unknown = serde_json::from_value::<ClientOptions>(serde_json::json!({"baseUrl": "x", "retries": 1}));
        assert!(unknown.unwrap_err().to_string().contains("retries"));
    }

    #[test]
    fn engines_identify_themselves_before_the_callers_suffix() {
        let mut o = ClientOptions { user_agent: Some("my-app/2".into()), ..opts("https://h") };
        o.identify_engine("kontext-management-node/0.1.0 node/v20");
        assert_eq!(
            o.resolve().unwrap().user_agent,
            format!("{USER_AGENT} kontext-management-node/0.1.0 node/v20 my-app/2")
        );
        let mut bare = opts("https://h");
        bare.identify_engine(" ");
        assert_eq!(bare.resolve().unwrap().user_agent, USER_AGENT);
    }

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        assert!(check_header("Authorization", "x").is_err());
        assert!(check_header("x-ok", "a\r\nb").is_err());
        assert!(check_header("bad name", "v").is_err());
        assert!(check_header("x-team", "blue").is_ok());
        assert!(check_header("x-team", "blue team\twins").is_ok());
    }

    #[test]
    fn header_values_with_any_control_character_are_refused_at_config_time() {
        // Each used to pass the build and then fail every request at send time.
        for bad in ["a\u{1}b", "a\u{1b}[2J", "a\u{7f}", "a\u{85}b", "caf\u{e9}", "\u{1F600}"] {
            let e = check_header("x-gateway-key", bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            assert!(e.to_string().contains("x-gateway-key"), "{e}");
            assert!(!e.to_string().contains(bad), "{e}");
            let mut o = opts("https://h");
            o.headers = Some([("x-gateway-key".to_owned(), bad.to_owned())].into());
            assert!(o.resolve().unwrap_err().to_string().contains("x-gateway-key"));
        }
    }

    #[test]
    fn url_errors_never_echo_the_input() {
        let password = "S3cr3tPassw0rd";
        let e = opts(&format!("https://svc:{password}@exa mple.com")).resolve().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(e.to_string().contains("baseUrl"), "{e}");
        assert!(!e.to_string().contains(password), "{e}");
        let token_url =
            ClientOptions { token_url: Some(format!("https://svc:{password}@exa mple.com")), ..opts("https://h") };
        assert!(!token_url.resolve().unwrap_err().to_string().contains(password));
    }

    #[test]
    fn debug_shows_header_names_only() {
        let mut o = opts("https://h");
        o.headers = Some([("x-gateway-key".to_owned(), "gw_SECRET_VALUE".to_owned())].into());
        let config = o.resolve().unwrap();
        for dump in [format!("{o:?}"), format!("{config:?}")] {
            assert!(!dump.contains("gw_SECRET_VALUE"), "{dump}");
            assert!(dump.contains("x-gateway-key"), "{dump}");
        }
    }
}
