//! Where API calls get their bearer token: a cached client-credentials token, or a static one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use http::Method;
use web_time::Instant;

use crate::config::{AuthConfig, ClientConfig, Credentials};
use crate::error::{Error, OAuthError, Result, server_text};
use crate::http::{Body, RawResponse, RequestOptions, RequestSpec, Resend, Transport};
use crate::secret::Secret;

/// Renew this long before the token expires, so no request carries a token that dies in flight.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Lifetime assumed when the token endpoint omits `expires_in` (never "forever").
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// Longest lifetime believed: a larger `expires_in` (up to `u64::MAX` seconds) is read as this,
/// so the renewal instant is always representable and a token is re-minted at least daily.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A bearer token as handed to one request.
#[derive(Debug, Clone)]
pub(crate) struct BearerToken {
    pub value: Secret,
    /// Which mint produced it, so a 401 only evicts the token that was actually rejected.
    generation: u64,
}

#[derive(Debug)]
struct Cached {
    token: BearerToken,
    renew_at: Instant,
}

/// Hands out tokens. Client-credentials tokens are cached, shared by every call on the client,
/// and minted single-flight: concurrent callers on a cold cache wait for one token request.
#[derive(Debug)]
pub(crate) struct TokenManager {
    source: Source,
    cached: Mutex<Option<Cached>>,
    /// Held while minting; waiters re-check the cache once they get it.
    mint: async_lock::Mutex<()>,
    generation: AtomicU64,
}

#[derive(Debug)]
enum Source {
    ClientCredentials { credentials: Credentials, token_url: String, scope: String, audience: String },
    Static(Secret),
}

impl TokenManager {
    pub(crate) fn new(config: &ClientConfig) -> Self {
        let source = match &config.auth {
            AuthConfig::ClientCredentials(credentials) => Source::ClientCredentials {
                credentials: credentials.clone(),
                token_url: config.token_url.clone(),
                scope: config.scopes.join(" "),
                audience: config.audience.clone(),
            },
            AuthConfig::Bearer(token) => Source::Static(token.clone()),
        };
        Self { source, cached: Mutex::new(None), mint: async_lock::Mutex::new(()), generation: AtomicU64::new(0) }
    }

    /// Whether a rejected token can be replaced by minting a new one.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.source, Source::ClientCredentials { .. })
    }

    /// A token valid for at least the refresh margin, minting one if needed.
    pub(crate) async fn token(&self, transport: &Transport) -> Result<BearerToken> {
        if let Source::Static(token) = &self.source {
            return Ok(BearerToken { value: token.clone(), generation: 0 });
        }
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let before = self.generation.load(Ordering::Acquire);
        let _minting = self.mint.lock().await;
        // Someone else may have minted while we waited for the lock: use that token even when it
        // is already due for renewal (`expires_in: 0`), or every waiter would mint one in turn.
        if let Some(token) = self.fresh().or_else(|| self.minted_since(before)) {
            return Ok(token);
        }
        self.mint_locked(transport).await
    }

    /// Mints a new token now, whatever the cache holds.
    pub(crate) async fn refresh(&self, transport: &Transport) -> Result<()> {
        if !self.can_refresh() {
            return Err(Error::config(
                "refreshToken() needs client credentials; this client uses a fixed access token",
            ));
        }
        let _minting = self.mint.lock().await;
        self.mint_locked(transport).await.map(drop)
    }

    /// Forgets the cached token; the next call mints a new one.
    pub(crate) fn clear(&self) {
        *self.lock_cache() = None;
    }

    /// Drops `rejected` from the cache unless a newer token already replaced it.
    pub(crate) fn invalidate(&self, rejected: &BearerToken) {
        let mut cached = self.lock_cache();
        if cached.as_ref().is_some_and(|c| c.token.generation == rejected.generation) {
            *cached = None;
        }
    }

    fn fresh(&self) -> Option<BearerToken> {
        let cached = self.lock_cache();
        cached.as_ref().filter(|c| Instant::now() < c.renew_at).map(|c| c.token.clone())
    }

    /// The cached token, if it was minted after generation `seen` (and not rejected since).
    fn minted_since(&self, seen: u64) -> Option<BearerToken> {
        let cached = self.lock_cache();
        cached.as_ref().filter(|c| c.token.generation > seen).map(|c| c.token.clone())
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // A panic while holding this lock cannot leave the Option half-written; keep going.
        self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn mint_locked(&self, transport: &Transport) -> Result<BearerToken> {
        let Source::ClientCredentials { credentials, token_url, scope, audience } = &self.source else {
            unreachable!("static tokens are never minted");
        };
        let form = vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("scope".to_owned(), scope.clone()),
            ("audience".to_owned(), audience.clone()),
        ];
        // Boxed: token requests go through the same pipeline that asks for tokens.
        // Minting changes nothing on the server: safe to retry like any idempotent request.
        let granted = Box::pin(request_token(transport, token_url, form, Some(credentials), Resend::Always)).await?;
        let token =
            BearerToken { value: granted.access_token, generation: self.generation.fetch_add(1, Ordering::AcqRel) + 1 };
        let renew_at = renewal(Instant::now(), granted.expires_in);
        *self.lock_cache() = Some(Cached { token: token.clone(), renew_at });
        Ok(token)
    }
}

/// When a token minted at `now` with `expires_in` seconds to live is due for renewal: the
/// refresh margin before it expires, or half-way for tokens shorter-lived than the margin (they
/// would never count as fresh). Any `expires_in` works: lifetimes are capped at
/// [`MAX_LIFETIME`], and the addition cannot overflow.
fn renewal(now: Instant, expires_in: Option<u64>) -> Instant {
    let lifetime = expires_in.map_or(DEFAULT_LIFETIME, |s| Duration::from_secs(s).min(MAX_LIFETIME));
    let margin = if lifetime > REFRESH_MARGIN { REFRESH_MARGIN } else { lifetime / 2 };
    now.checked_add(lifetime - margin).unwrap_or(now)
}

/// A successful token response (RFC 6749 §5.1), read by `FromArg` (see
/// `RawResponse::decode_fields`): every field but `access_token` may be absent.
#[derive(Debug, kontext_management_derive::FromArg)]
pub(crate) struct TokenGrant {
    pub access_token: Secret,
    pub token_type: Option<String>,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub scope: Option<String>,
}

/// POSTs a form to a token endpoint and decodes the grant or the OAuth error.
///
/// `client` authenticates with HTTP Basic (DECISIONS Q18); public clients pass `None` and put
/// `client_id` in the form instead. `resend` says whether the grant may be sent twice:
/// client credentials may ([`Resend::Always`]); an authorization code or a refresh token is
/// single-use, and a lost answer to a re-sent one would spend it ([`Resend::OnlyUnsent`]).
pub(crate) async fn request_token(
    transport: &Transport,
    token_url: &str,
    form: Vec<(String, String)>,
    client: Option<&Credentials>,
    resend: Resend,
) -> Result<TokenGrant> {
    let mut spec = RequestSpec::new(Method::POST, token_url.to_owned(), "/oauth2/token");
    if let Some(c) = client {
        // RFC 6749 §2.3.1: form-urlencode both parts before joining them.
        let user = form_encode(&c.client_id);
        let pass = form_encode(c.client_secret.expose());
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        spec = spec.header("authorization", format!("Basic {basic}"));
    }
    spec.body = Body::Form(form);
    spec.resend = resend;
    let raw = match transport.execute(&spec, &RequestOptions::default(), None).await {
        Ok(raw) => raw,
        Err(Error::Api(api)) => return Err(oauth_error(&api)),
        Err(other) => return Err(other),
    };
    decode_grant(raw)
}

fn decode_grant(raw: RawResponse) -> Result<TokenGrant> {
    let grant: TokenGrant = raw.decode_fields::<TokenGrant>()?.into_inner();
    if grant.access_token.is_empty() {
        return Err(Error::Decode {
            status: 200,
            message: "the token response has an empty access_token".into(),
            snippet: String::new(),
            request_id: None,
        });
    }
    if let Some(kind) = &grant.token_type
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(Error::Decode {
            status: 200,
            message: format!("unsupported token_type {kind:?} (expected Bearer)"),
            snippet: String::new(),
            request_id: None,
        });
    }
    Ok(grant)
}

pub(crate) fn oauth_error(api: &crate::error::ApiError) -> Error {
    // A `Value` rather than a derived struct: one visitor less in the WASM engine.
    let body: Option<serde_json::Value> = serde_json::from_str(&api.body).ok();
    let text = |name: &str| body.as_ref().and_then(|b| b.get(name)).and_then(serde_json::Value::as_str);
    let (error, description) = match text("error") {
        Some(error) => (server_text(error), text("error_description").map(server_text)),
        // Already made fit for a message by `Error::from_api_response`.
        _ => (format!("http_{}", api.status), Some(api.message.clone())),
    };
    Error::OAuth(Box::new(OAuthError {
        status: Some(api.status),
        error,
        description,
        request_id: api.request_id.clone(),
    }))
}

fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_errors_are_parsed_from_rfc6749_bodies() {
        let api = crate::error::ApiError {
            status: 401,
            message: "x".into(),
            request_id: Some("req_9".into()),
            body: r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#.into(),
            ..Default::default()
        };
        let e = oauth_error(&api);
        let d = e.details();
        assert_eq!(d.kind, "oauth");
        assert_eq!(d.oauth_error.as_deref(), Some("invalid_client"));
        assert_eq!(
            d.message,
            "token request refused: invalid_client: Client authentication failed (HTTP 401) [request id req_9]"
        );
    }

    #[test]
    fn grants_without_a_token_or_with_another_type_are_refused() {
        let raw = |body: &str| RawResponse {
            status: 200,
            meta: Default::default(),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        };
        assert!(decode_grant(raw(r#"{"access_token":"","token_type":"Bearer"}"#)).is_err());
        assert!(decode_grant(raw(r#"{"access_token":"t","token_type":"MAC"}"#)).is_err());
        let g = decode_grant(raw(r#"{"access_token":"ory_at_x","token_type":"bearer"}"#)).unwrap();
        assert_eq!(g.expires_in, None);
        assert!(!format!("{g:?}").contains("ory_at_x"));
    }

    #[test]
    fn any_expires_in_gives_a_renewal_time_without_overflow() {
        let now = Instant::now();
        // u64::MAX seconds used to panic in `Instant + Duration`.
        for huge in [u64::MAX, u64::MAX / 2, i64::MAX as u64] {
            assert_eq!(renewal(now, Some(huge)), now + MAX_LIFETIME - REFRESH_MARGIN, "{huge}");
        }
        assert_eq!(renewal(now, Some(3600)), now + Duration::from_secs(3540));
        assert_eq!(renewal(now, Some(30)), now + Duration::from_secs(15));
        assert_eq!(renewal(now, Some(0)), now);
        assert_eq!(renewal(now, None), now + DEFAULT_LIFETIME - REFRESH_MARGIN);
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        assert_eq!(form_encode("a b:c"), "a+b%3Ac");
    }
}
