//! User tokens through Authorization Code + PKCE (RFC 7636), for browsers and CLIs where a
//! client secret does not belong, and through the device authorization grant (RFC 8628) for
//! devices without a browser.
//!
//! The flow: [`create_pkce_challenge`] → send the user to [`build_authorize_url`] → receive
//! `code` on the redirect URI → [`exchange_code`] → use the access token with
//! [`crate::ClientBuilder::access_token`] → [`refresh`] before it expires. Without a browser:
//! [`start_device_authorization`] → show the user code → [`poll_device_token`].

mod device;

pub use device::{poll_device_token, start_device_authorization};

use base64::Engine as _;
use http::Method;
use sha2::{Digest, Sha256};

use crate::auth::{TokenGrant, request_token};
use crate::config::{Credentials, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, USER_AGENT, checked_url, normalize_base_url};
use crate::error::{Error, Result, server_text};
use crate::http::{RequestOptions, RequestSpec, Resend, Transport};
use crate::models::{
    AuthServerMetadata, AuthorizeUrl, AuthorizeUrlRequest, ExchangeCode, PkceChallenge, RefreshUserToken, UserTokens,
};
use crate::secret::Secret;
use crate::weburl::WebUrl;
use crate::wire::HttpClient;

/// Scopes asked for when the caller names none: the whole management API, plus a refresh token.
const DEFAULT_USER_SCOPES: &str = "management:all offline_access";

/// A fresh PKCE verifier (43 characters of base64url from 32 random bytes) and its S256 challenge.
///
/// ```
/// let pkce = kontext_management::oauth::create_pkce_challenge().unwrap();
/// assert_eq!(pkce.code_challenge_method, "S256");
/// assert_eq!(pkce.code_verifier.expose().len(), 43);
/// ```
pub fn create_pkce_challenge() -> Result<PkceChallenge> {
    let verifier = random_token()?;
    Ok(PkceChallenge {
        code_challenge: s256_challenge(&verifier),
        code_verifier: Secret::new(verifier),
        code_challenge_method: "S256".to_owned(),
    })
}

/// `BASE64URL(SHA256(verifier))`, as RFC 7636 §4.2 defines it.
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Reads the authorization server's metadata (RFC 8414) from
/// `{baseUrl}/.well-known/oauth-authorization-server`.
///
/// The document is trusted only as far as it is bound to `baseUrl`: its `issuer` must be that
/// origin (RFC 8414 §3.3, the defence against mix-up attacks of RFC 9700 §4.4), and its endpoints
/// must use `https://`, except that a plain-`http://` loopback origin (a local emulator) may name
/// plain-`http://` loopback endpoints. Anything else is a `config` error, before any credential
/// is sent.
pub async fn discover(base_url: &str) -> Result<AuthServerMetadata> {
    let (origin, transport) = endpoint(base_url)?;
    let spec = RequestSpec::new(
        Method::GET,
        format!("{origin}/.well-known/oauth-authorization-server"),
        "/.well-known/oauth-authorization-server",
    );
    let metadata: AuthServerMetadata = transport
        .execute(&spec, &RequestOptions::default(), None)
        .await?
        .decode_fields::<AuthServerMetadata>()?
        .into_inner();
    check_metadata(&origin, metadata)
}

/// The discovery document of `origin`, if it is bound to it (see [`discover`]).
fn check_metadata(origin: &str, mut metadata: AuthServerMetadata) -> Result<AuthServerMetadata> {
    let issuer = normalize_issuer(&metadata.issuer);
    if issuer.as_deref() != Some(origin) {
        let named = match issuer {
            Some(issuer) => server_text(&issuer),
            None if metadata.issuer.trim().is_empty() => "(none)".to_owned(),
            None => "(not a valid URL)".to_owned(),
        };
        return Err(Error::config(format!(
            "the discovery document of {origin} has issuer {named}, not {origin} (RFC 8414 §3.3): refused"
        )));
    }
    // Plain http:// is for a loopback origin only (then `checked_url` limits it to loopback
    // endpoints): an https:// origin must never hand credentials to a clear-text endpoint.
    let origin_is_http = origin.starts_with("http://");
    let endpoint = |what: &str, url: &str| -> Result<String> {
        let checked = checked_url(what, url, false)?;
        if checked.starts_with("http://") && !origin_is_http {
            return Err(Error::config(format!("{what} of an https:// origin is plain http:// (clear text): refused")));
        }
        Ok(checked)
    };
    endpoint("authorization_endpoint", &metadata.authorization_endpoint)?;
    metadata.token_endpoint = endpoint("token_endpoint", &metadata.token_endpoint)?;
    // RFC 8628's device endpoint, should the server announce one: the same rule.
    if let Some(device) = metadata.extra.get_mut("device_authorization_endpoint") {
        let checked = endpoint("device_authorization_endpoint", device.as_str().unwrap_or_default())?;
        *device = checked.into();
    }
    Ok(metadata)
}

/// An issuer identifier compared the way the base URL is normalised: scheme and host
/// lower-cased, default port dropped, no trailing `/`. `None` when it is not a bare https or
/// http URL (RFC 8414 §2: no query, no fragment; credentials make no sense either).
fn normalize_issuer(issuer: &str) -> Option<String> {
    let url = WebUrl::parse(issuer.trim()).ok()?;
    if !matches!(url.scheme().as_str(), "https" | "http")
        || url.host_str().is_none()
        || url.has_query()
        || url.has_fragment()
        || url.has_credentials()
    {
        return None;
    }
    Some(format!("{}{}", url.origin(), url.path().trim_end_matches('/')))
}

/// The URL to send the user to, with a PKCE challenge and a `state` (generated when absent:
/// compare it with the `state` on the redirect to refuse forged callbacks).
pub async fn build_authorize_url(request: &AuthorizeUrlRequest) -> Result<AuthorizeUrl> {
    require("clientId", &request.client_id)?;
    require("codeChallenge", &request.code_challenge)?;
    checked_url("redirectUri", &request.redirect_uri, true)
        .map_err(|e| Error::invalid("redirectUri", e.to_string()))?;
    let metadata = discover(&request.base_url).await?;
    let state = match &request.state {
        Some(s) if !s.is_empty() => s.clone(),
        _ => random_token()?,
    };
    let scope = match &request.scopes {
        Some(scopes) if !scopes.is_empty() => scopes.join(" "),
        _ => DEFAULT_USER_SCOPES.to_owned(),
    };
    let endpoint = WebUrl::parse(&metadata.authorization_endpoint)
        .map_err(|e| Error::invalid("authorization_endpoint", e.to_string()))?
        .href();
    // RFC 6749 §3.1: the endpoint has no fragment; should one be there, the query goes before it.
    let (endpoint, fragment) = endpoint.split_once('#').map_or((endpoint.as_str(), None), |(e, f)| (e, Some(f)));
    let pairs = [
        ("response_type", "code"),
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("scope", &scope),
        ("state", &state),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", "S256"),
    ];
    let mut url = crate::wire::with_query(endpoint, &pairs);
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    Ok(AuthorizeUrl { url, state })
}

/// Trades the authorization `code` from the redirect for tokens.
///
/// Pass the redirect's `iss` parameter when it has one (RFC 9207): if it names another issuer
/// than `baseUrl`'s discovery document, the code came from another authorization server (a
/// mix-up attack) and nothing is sent.
pub async fn exchange_code(request: &ExchangeCode) -> Result<UserTokens> {
    require("clientId", &request.client_id)?;
    require("code", &request.code)?;
    require("codeVerifier", request.code_verifier.expose())?;
    let form = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("code".to_owned(), request.code.clone()),
        ("redirect_uri".to_owned(), request.redirect_uri.clone()),
        ("code_verifier".to_owned(), request.code_verifier.expose().to_owned()),
    ];
    let grant = Grant { base_url: &request.base_url, client_id: &request.client_id, iss: request.iss.as_deref() };
    user_grant(grant, request.client_secret.as_ref(), form).await
}

/// Uses a refresh token for a new access token (the refresh token may rotate: keep the new one).
pub async fn refresh(request: &RefreshUserToken) -> Result<UserTokens> {
    require("clientId", &request.client_id)?;
    require("refreshToken", request.refresh_token.expose())?;
    let form = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), request.refresh_token.expose().to_owned()),
    ];
    let grant = Grant { base_url: &request.base_url, client_id: &request.client_id, iss: None };
    user_grant(grant, request.client_secret.as_ref(), form).await
}

/// Who a user grant goes to: the server at `base_url` (whose issuer must be `iss`, when the
/// caller got one), for the application `client_id`.
struct Grant<'a> {
    base_url: &'a str,
    client_id: &'a str,
    iss: Option<&'a str>,
}

/// Sends a single-use grant (a code, or a refresh token that may rotate) to the discovered token
/// endpoint. Never re-sent once it may have reached the server (see [`Resend::OnlyUnsent`]).
async fn user_grant(grant: Grant<'_>, secret: Option<&Secret>, mut form: Vec<(String, String)>) -> Result<UserTokens> {
    let metadata = discover(grant.base_url).await?;
    if let Some(iss) = grant.iss {
        check_iss(&metadata, iss)?;
    }
    let (_, transport) = endpoint(grant.base_url)?;
    let credentials = secret.map(|s| Credentials { client_id: grant.client_id.to_owned(), client_secret: s.clone() });
    if credentials.is_none() {
        // Public clients identify themselves in the form (RFC 6749 §4.1.3).
        form.push(("client_id".to_owned(), grant.client_id.to_owned()));
    }
    let grant: TokenGrant =
        request_token(&transport, &metadata.token_endpoint, form, credentials.as_ref(), Resend::OnlyUnsent).await?;
    Ok(grant.into())
}

/// A user's grant as the SDK returns it (authorization code, refresh, device code alike).
impl From<TokenGrant> for UserTokens {
    fn from(grant: TokenGrant) -> Self {
        UserTokens {
            access_token: grant.access_token,
            token_type: grant.token_type.unwrap_or_else(|| "Bearer".to_owned()),
            expires_in: grant.expires_in,
            refresh_token: grant.refresh_token,
            scope: grant.scope,
        }
    }
}

/// RFC 9207: the redirect's `iss` must name the issuer of the discovery document (which
/// [`discover`] bound to the origin), compared normalised like it.
fn check_iss(metadata: &AuthServerMetadata, iss: &str) -> Result<()> {
    let expected = normalize_issuer(&metadata.issuer);
    if expected.is_some() && normalize_issuer(iss) == expected {
        return Ok(());
    }
    let expected = expected.unwrap_or_default();
    Err(Error::invalid("iss", format!("names another issuer than {expected} (RFC 9207), the code was not sent")))
}

fn endpoint(base_url: &str) -> Result<(String, Transport)> {
    let origin = normalize_base_url(base_url, crate::config::DEFAULT_API_VERSION, false)?;
    let transport = Transport::new(HttpClient::new(USER_AGENT)?, DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, Vec::new());
    Ok((origin, transport))
}

fn require(argument: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(argument, "is required"));
    }
    Ok(())
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::config(format!("no secure random source: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_the_rfc7636_example() {
        // RFC 7636 Appendix B.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    fn metadata(issuer: &str, authorize: &str, token: &str) -> AuthServerMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": issuer, "authorization_endpoint": authorize, "token_endpoint": token,
        }))
        .unwrap()
    }

    #[test]
    fn an_https_origin_never_accepts_clear_text_endpoints() {
        // H1: the check used to pass every endpoint for every origin that passed base-URL checks.
        let origin = normalize_base_url("https://api.kontext.security", "v1", false).unwrap();
        let good = "https://api.kontext.security/oauth2";
        for (authorize, token) in [
            (format!("{good}/auth"), "http://api.kontext.security/oauth2/token".to_owned()),
            ("http://api.kontext.security/oauth2/auth".to_owned(), format!("{good}/token")),
            // Not even to loopback: only a loopback http:// origin may use plain http://.
            (format!("{good}/auth"), "http://127.0.0.1:4010/oauth2/token".to_owned()),
        ] {
            let error = check_metadata(&origin, metadata(&origin, &authorize, &token)).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Config, "{error}");
            assert!(error.to_string().contains("clear text"), "{error}");
        }
        let mut device = metadata(&origin, &format!("{good}/auth"), &format!("{good}/token"));
        device.extra.insert("device_authorization_endpoint".into(), "http://api.kontext.security/device".into());
        assert!(check_metadata(&origin, device).unwrap_err().to_string().contains("device_authorization_endpoint"));
        let ok = check_metadata(&origin, metadata(&origin, &format!("{good}/auth"), &format!("{good}/token")));
        assert_eq!(ok.unwrap().token_endpoint, format!("{good}/token"));
    }

    #[test]
    fn a_loopback_origin_may_use_loopback_http_only() {
        let origin = normalize_base_url("http://127.0.0.1:4010/", "v1", false).unwrap();
        let ok = metadata(&origin, &format!("{origin}/oauth2/auth"), &format!("{origin}/oauth2/token"));
        assert!(check_metadata(&origin, ok).is_ok());
        let remote = metadata(&origin, &format!("{origin}/oauth2/auth"), "http://idp.example/oauth2/token");
        let error = check_metadata(&origin, remote).unwrap_err();
        assert!(error.to_string().contains("token_endpoint"), "{error}");
    }

    #[test]
    fn the_issuer_must_be_the_origin() {
        // H2 (RFC 8414 §3.3): a document naming another issuer may belong to another server.
        let origin = normalize_base_url("https://api.kontext.security/api/v1", "v1", false).unwrap();
        let (authorize, token) = ("https://api.kontext.security/oauth2/auth", "https://evil.example/token");
        for same in
            ["https://api.kontext.security", "https://API.kontext.security/", "https://api.kontext.security:443"]
        {
            assert!(check_metadata(&origin, metadata(same, authorize, token)).is_ok(), "{same}");
        }
        for (other, named) in [
            ("https://evil.example", "issuer https://evil.example,"),
            ("https://api.kontext.security/tenant", "issuer https://api.kontext.security/tenant,"),
            ("http://api.kontext.security", "issuer http://api.kontext.security,"),
            ("https://user:pw@api.kontext.security", "issuer (not a valid URL)"),
            ("https://api.kontext.security/?x=1", "issuer (not a valid URL)"),
            ("not a url", "issuer (not a valid URL)"),
            ("", "issuer (none)"),
        ] {
            let error = check_metadata(&origin, metadata(other, authorize, token)).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Config, "{other}: {error}");
            assert!(error.to_string().contains(named), "{other}: {error}");
            assert!(!error.to_string().contains("pw@"), "{error}");
        }
        // Absent altogether: the same clear error, not a decode failure.
        let absent: AuthServerMetadata =
            serde_json::from_value(serde_json::json!({"authorization_endpoint": authorize, "token_endpoint": token}))
                .unwrap();
        assert!(check_metadata(&origin, absent).unwrap_err().to_string().contains("issuer (none)"));
    }

    #[test]
    fn verifiers_are_random_and_well_formed() {
        let a = create_pkce_challenge().unwrap();
        let b = create_pkce_challenge().unwrap();
        assert_ne!(a.code_verifier.expose(), b.code_verifier.expose());
        let v = a.code_verifier.expose();
        assert!(v.len() >= 43 && v.len() <= 128);
        assert!(v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(a.code_challenge, s256_challenge(v));
        assert!(!format!("{a:?}").contains(v));
    }
}
