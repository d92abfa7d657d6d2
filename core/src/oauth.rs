//! User tokens through Authorization Code + PKCE (RFC 7636), for browsers and CLIs where a
//! client secret does not belong.
//!
//! The flow: [`create_pkce_challenge`] → send the user to [`build_authorize_url`] → receive
//! `code` on the redirect URI → [`exchange_code`] → use the access token with
//! [`crate::ClientBuilder::access_token`] → [`refresh`] before it expires.

use base64::Engine as _;
use http::Method;
use sha2::{Digest, Sha256};

use crate::auth::{TokenGrant, request_token};
use crate::config::{Credentials, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, USER_AGENT, checked_url, normalize_base_url};
use crate::error::{Error, Result};
use crate::http::{RequestOptions, RequestSpec, Transport};
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
/// let pkce = kontext::oauth::create_pkce_challenge().unwrap();
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
pub async fn discover(base_url: &str) -> Result<AuthServerMetadata> {
    let (origin, transport) = endpoint(base_url)?;
    let spec = RequestSpec::new(
        Method::GET,
        format!("{origin}/.well-known/oauth-authorization-server"),
        "/.well-known/oauth-authorization-server",
    );
    let metadata: AuthServerMetadata =
        transport.execute(&spec, &RequestOptions::default(), None).await?.decode::<AuthServerMetadata>()?.into_inner();
    let insecure_ok = origin_is_loopback_http(&origin);
    checked_url("authorization_endpoint", &metadata.authorization_endpoint, insecure_ok)?;
    checked_url("token_endpoint", &metadata.token_endpoint, insecure_ok)?;
    Ok(metadata)
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
    user_grant(&request.base_url, &request.client_id, request.client_secret.as_ref(), form).await
}

/// Uses a refresh token for a new access token (the refresh token may rotate: keep the new one).
pub async fn refresh(request: &RefreshUserToken) -> Result<UserTokens> {
    require("clientId", &request.client_id)?;
    require("refreshToken", request.refresh_token.expose())?;
    let form = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), request.refresh_token.expose().to_owned()),
    ];
    user_grant(&request.base_url, &request.client_id, request.client_secret.as_ref(), form).await
}

async fn user_grant(
    base_url: &str,
    client_id: &str,
    secret: Option<&Secret>,
    mut form: Vec<(String, String)>,
) -> Result<UserTokens> {
    let metadata = discover(base_url).await?;
    let (_, transport) = endpoint(base_url)?;
    let credentials = secret.map(|s| Credentials { client_id: client_id.to_owned(), client_secret: s.clone() });
    if credentials.is_none() {
        // Public clients identify themselves in the form (RFC 6749 §4.1.3).
        form.push(("client_id".to_owned(), client_id.to_owned()));
    }
    let grant: TokenGrant = request_token(&transport, &metadata.token_endpoint, form, credentials.as_ref()).await?;
    Ok(UserTokens {
        access_token: grant.access_token,
        token_type: grant.token_type.unwrap_or_else(|| "Bearer".to_owned()),
        expires_in: grant.expires_in,
        refresh_token: grant.refresh_token,
        scope: grant.scope,
    })
}

fn endpoint(base_url: &str) -> Result<(String, Transport)> {
    let origin = normalize_base_url(base_url, crate::config::DEFAULT_API_VERSION, false)?;
    let transport = Transport::new(HttpClient::new(USER_AGENT)?, DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, Vec::new());
    Ok((origin, transport))
}

fn origin_is_loopback_http(origin: &str) -> bool {
    checked_url("origin", origin, false).is_ok()
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
