//! The authorization server: discovery, JWKS and `POST /oauth2/token` (client credentials for
//! service accounts; authorization code with PKCE, refresh tokens and the device grant of
//! `device.rs` for applications).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::auth;
use crate::clock;
use crate::device;
use crate::errors::OAuthError;
use crate::extract::{Query, read_body};
use crate::state::data::Data;
use crate::state::model::{Subject, Token, TokenKind};
use crate::state::{AppState, Config};
use crate::util;

pub const CODE_TTL_MS: i64 = 60_000;
pub const REFRESH_TTL_MS: i64 = 30 * clock::DAY;

pub async fn discovery(State(st): State<AppState>) -> Json<Value> {
    let base = &st.base_url;
    let mut grants = vec!["authorization_code", "client_credentials", "refresh_token"];
    let device = st.config().device_grant;
    if device {
        grants.push(device::GRANT_TYPE);
    }
    let mut doc = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth2/auth"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": grants,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": auth::known_scopes(),
    });
    // RFC 8628 §4: announced only while the grant is on.
    if device {
        doc["device_authorization_endpoint"] = json!(format!("{base}/oauth2/device/auth"));
    }
    Json(doc)
}

pub async fn jwks() -> Json<Value> {
    // Access tokens are opaque (`ory_at_…`); there is nothing to verify with keys.
    Json(json!({ "keys": [] }))
}

pub(crate) struct ClientAuth {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
}

/// RFC 6749 §2.3.1: HTTP Basic (form-encoded id and secret) or `client_id`/`client_secret`
/// form fields; Basic wins when both are present.
pub(crate) fn client_auth(headers: &HeaderMap, form: &Query) -> Result<Option<ClientAuth>, OAuthError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| OAuthError::invalid_client())?;
        let Some((scheme, rest)) = value.trim().split_once(' ') else {
            return Err(OAuthError::invalid_client());
        };
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| OAuthError::invalid_client())?;
            let decoded = String::from_utf8(decoded).map_err(|_| OAuthError::invalid_client())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(OAuthError::invalid_client)?;
            let unescape = |s: &str| -> String {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            return Ok(Some(ClientAuth { id: unescape(id), secret: Some(unescape(secret)) }));
        }
    }
    Ok(form
        .filter("client_id")
        .map(|id| ClientAuth { id: id.to_owned(), secret: form.get("client_secret").map(str::to_owned) }))
}

/// Requested scopes, all of which must be known; none requested means `management:all`.
pub fn parse_scopes(raw: Option<&str>) -> Result<Vec<String>, String> {
    let mut scopes = parse_scope_list(raw)?;
    if scopes.is_empty() {
        scopes.push("management:all".into());
    }
    Ok(scopes)
}

/// Requested scopes, all of which must be known; none requested means none (spec-2 §2: a
/// client-credentials request without `scope` gets a token that can call nothing).
pub fn parse_scope_list(raw: Option<&str>) -> Result<Vec<String>, String> {
    let mut scopes: Vec<String> = Vec::new();
    for s in raw.unwrap_or("").split_whitespace() {
        if !auth::is_known_scope(s) {
            return Err(format!("Unknown scope: {s}"));
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    Ok(scopes)
}

/// Mints an access token (and for users a refresh token) and records their hashes.
pub fn issue(
    d: &mut Data,
    cfg: Config,
    now: i64,
    client_id: &str,
    subject: Subject,
    scopes: &[String],
    refresh: bool,
) -> Value {
    let access = util::secret("ory_at_");
    let ttl_ms = cfg.token_ttl_seconds.saturating_mul(1000).min(i64::MAX as u64 / 4) as i64;
    d.insert_token(
        util::sha256(access.as_bytes()),
        Token {
            kind: TokenKind::Access,
            client_id: client_id.to_owned(),
            subject: subject.clone(),
            scopes: scopes.to_vec(),
            issued_at: now,
            expires_at: now + ttl_ms,
        },
    );
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "scope": scopes.join(" "),
    });
    if !cfg.omit_expires_in {
        body["expires_in"] = json!(cfg.token_ttl_seconds);
    }
    if refresh {
        let rt = util::secret("ory_rt_");
        d.insert_token(
            util::sha256(rt.as_bytes()),
            Token {
                kind: TokenKind::Refresh,
                client_id: client_id.to_owned(),
                subject,
                scopes: scopes.to_vec(),
                issued_at: now,
                expires_at: now + REFRESH_TTL_MS,
            },
        );
        body["refresh_token"] = json!(rt);
    }
    body
}

/// [`issue`] for a grant the client's scope grant applies to (V18): the token keeps what was
/// requested, and every API request narrows that to the grant of the moment (so a grant widened
/// later applies to the next request, up to what was requested); the answer's `scope` is the
/// grant as it is now.
pub fn issue_narrowed(
    d: &mut Data,
    cfg: Config,
    now: i64,
    client_id: &str,
    subject: Subject,
    requested: &[String],
    refresh: bool,
) -> Value {
    let granted = auth::narrow_to_grant(requested, d.scope_grants.get(client_id));
    let mut body = issue(d, cfg, now, client_id, subject, requested, refresh);
    body["scope"] = json!(granted.join(" "));
    body
}

fn token_response(body: Value) -> Response {
    let mut resp = (StatusCode::OK, Json(body)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

pub async fn token(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match token_inner(&st, &headers, body).await {
        Ok(body) => token_response(body),
        Err(e) => e.into_response(),
    }
}

/// The form body of an OAuth endpoint (an empty body is an empty form).
pub(crate) async fn read_form(headers: &HeaderMap, body: Body) -> Result<Query, OAuthError> {
    let bytes = read_body(headers, body).await.map_err(|e| OAuthError::new(e.status, "invalid_request", e.message))?;
    if !bytes.is_empty() {
        let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request("Content-Type must be application/x-www-form-urlencoded"));
        }
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|_| OAuthError::invalid_request("Request body must be valid UTF-8"))?;
    Ok(Query::parse(text))
}

async fn token_inner(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, OAuthError> {
    let form = read_form(headers, body).await?;
    let client = client_auth(headers, &form)?;
    match form.filter("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("client_credentials") => client_credentials(st, client, &form),
        Some("authorization_code") => authorization_code(st, client, &form),
        Some("refresh_token") => refresh_token(st, client, &form),
        Some(device::GRANT_TYPE) => device::poll(st, client, &form),
        Some(other) => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant_type: {other}"),
        )),
    }
}

fn server_error(e: crate::errors::ApiError) -> OAuthError {
    OAuthError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.message)
}

fn client_credentials(st: &AppState, client: Option<ClientAuth>, form: &Query) -> Result<Value, OAuthError> {
    let client = client.ok_or_else(OAuthError::invalid_client)?;
    let secret = client.secret.ok_or_else(OAuthError::invalid_client)?;
    // No `scope` at all: a token without scopes, which every API call refuses (spec-2 §2, V18).
    let requested = parse_scope_list(form.get("scope"))
        .map_err(|m| OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", m))?;
    // `audience` is accepted as sent: clients derive it from their base URL, which may name
    // this emulator differently (localhost vs 127.0.0.1).
    let (cfg, now, hash) = (st.config(), st.now(), util::sha256_hex(&secret));
    st.write(|d| {
        let sa = d
            .sa_clients
            .get(&client.id)
            .and_then(|id| d.service_accounts.get(id))
            .filter(|sa| sa.archived_at.is_none() && sa.secret_hash == hash)
            .map(|sa| sa.id);
        Ok(sa.map(|id| issue_narrowed(d, cfg, now, &client.id, Subject::ServiceAccount(id), &requested, false)))
    })
    .map_err(server_error)?
    .ok_or_else(OAuthError::invalid_client)
}

/// Looks up the application behind an OAuth client id and checks its secret when it is a
/// confidential client.
pub(crate) fn authenticate_app(d: &Data, client: &ClientAuth) -> Result<uuid::Uuid, OAuthError> {
    let app = d
        .app_clients
        .get(&client.id)
        .and_then(|id| d.apps.get(id))
        .filter(|a| a.archived_at.is_none())
        .ok_or_else(OAuthError::invalid_client)?;
    if let Some(hash) = &app.oauth.secret_hash {
        let given = client.secret.as_deref().map(util::sha256_hex);
        if given.as_ref() != Some(hash) {
            return Err(OAuthError::invalid_client());
        }
    }
    Ok(app.id)
}

pub fn pkce_s256(verifier: &str) -> String {
    util::b64url(&util::sha256(verifier.as_bytes()))
}

fn authorization_code(st: &AppState, client: Option<ClientAuth>, form: &Query) -> Result<Value, OAuthError> {
    let client = client.ok_or_else(OAuthError::invalid_client)?;
    let code = form.filter("code").ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let code_hash = util::sha256(code.as_bytes());
    let (cfg, now) = (st.config(), st.now());
    st.write(|d| {
        let result = (|| {
            let app_id = authenticate_app(d, &client)?;
            let grant = d.codes.get(&code_hash).filter(|c| c.expires_at > now).ok_or_else(|| {
                OAuthError::invalid_grant("The authorization code is invalid, expired or already used")
            })?;
            if grant.client_id != client.id || grant.app_id != app_id {
                return Err(OAuthError::invalid_grant("The authorization code was issued to another client"));
            }
            if let Some(expected) = &grant.redirect_uri
                && form.get("redirect_uri") != Some(expected.as_str())
            {
                return Err(OAuthError::invalid_grant("redirect_uri does not match the authorization request"));
            }
            if let Some(challenge) = &grant.code_challenge {
                let verifier = form
                    .get("code_verifier")
                    .ok_or_else(|| OAuthError::invalid_grant("code_verifier is required (PKCE)"))?;
                if pkce_s256(verifier) != *challenge {
                    return Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"));
                }
            }
            let scopes = grant.scopes.clone();
            d.codes.remove(&code_hash);
            let subject = Subject::User { user_id: d.org.user_id, app_id };
            Ok(issue(d, cfg, now, &client.id, subject, &scopes, true))
        })();
        Ok(result)
    })
    .map_err(server_error)?
}

fn refresh_token(st: &AppState, client: Option<ClientAuth>, form: &Query) -> Result<Value, OAuthError> {
    let rt = form.filter("refresh_token").ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let rt_hash = util::sha256(rt.as_bytes());
    let (cfg, now) = (st.config(), st.now());
    st.write(|d| {
        let result = (|| {
            let old = d
                .tokens
                .get(&rt_hash)
                .filter(|t| t.kind == TokenKind::Refresh && t.expires_at > now)
                .cloned()
                .ok_or_else(|| OAuthError::invalid_grant("The refresh token is invalid, expired or already used"))?;
            let client = client.unwrap_or(ClientAuth { id: old.client_id.clone(), secret: None });
            if client.id != old.client_id {
                return Err(OAuthError::invalid_grant("The refresh token was issued to another client"));
            }
            authenticate_app(d, &client)?;
            let scopes = match form.filter("scope") {
                None => old.scopes.clone(),
                Some(raw) => {
                    let asked: Vec<String> = raw.split_whitespace().map(str::to_owned).collect();
                    if let Some(extra) = asked.iter().find(|s| !old.scopes.contains(s)) {
                        return Err(OAuthError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_scope",
                            format!("Scope {extra} was not granted originally"),
                        ));
                    }
                    asked
                }
            };
            // Rotation: the presented refresh token is spent.
            d.remove_token(&rt_hash);
            Ok(issue(d, cfg, now, &client.id, old.subject.clone(), &scopes, true))
        })();
        Ok(result)
    })
    .map_err(server_error)?
}
