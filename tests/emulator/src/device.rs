//! The device authorization grant (RFC 8628; spec-2 §10.1, DECISIONS V16): `POST
//! /oauth2/device/auth` hands out a device code and a user code, a test approves or denies the
//! user code through `POST /_emulator/device`, and the token endpoint answers the device code's
//! polls (`authorization_pending`, `slow_down`, `access_denied`, `expired_token`, or tokens).
//!
//! Device codes live in memory only (like authorization codes) and expire on the emulator clock.
//! The grant is on by default; `--no-device-grant` or `{"deviceGrant": false}` on
//! `/_emulator/config` turns it off, as on hosted deployments: the device endpoint then answers
//! 404 and the token endpoint `unsupported_grant_type`.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::ok;
use crate::errors::{ApiError, ApiResult, OAuthError};
use crate::extract::{Fields, JsonBody, Query};
use crate::oauth::{self, ClientAuth};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::Subject;
use crate::util;

/// The `grant_type` of a device-code poll (RFC 8628 §3.4).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.5: each `slow_down` adds this much to the interval the client must keep.
const SLOW_DOWN_MS: u64 = 5_000;
/// Characters of a user code: no vowels and no look-alikes (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Denied,
}

/// One outstanding device authorization.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub client_id: String,
    pub app_id: uuid::Uuid,
    pub user_code: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    /// The interval the client must keep between polls, in ms (grows on each `slow_down`).
    pub interval_ms: u64,
    /// When the client last polled (or, before its first poll, when the code was issued).
    pub last_poll: i64,
    pub decision: Decision,
}

/// The outstanding device codes, by the SHA-256 of the device code, and the user-code index.
#[derive(Debug, Clone, Default)]
pub struct Devices {
    codes: HashMap<[u8; 32], DeviceCode>,
    by_user_code: HashMap<String, [u8; 32]>,
}

impl Devices {
    fn insert(&mut self, device_code: &str, code: DeviceCode) {
        let hash = util::sha256(device_code.as_bytes());
        self.by_user_code.insert(code.user_code.clone(), hash);
        self.codes.insert(hash, code);
    }

    fn remove(&mut self, hash: &[u8; 32]) {
        if let Some(code) = self.codes.remove(hash) {
            self.by_user_code.remove(&code.user_code);
        }
    }
}

/// `XXXX-XXXX` from the alphabet above (20^8 ≈ 2.6e10 codes).
fn user_code() -> String {
    let bytes = util::random_bytes::<8>();
    let chars: Vec<char> =
        bytes.iter().map(|b| USER_CODE_ALPHABET[*b as usize % USER_CODE_ALPHABET.len()] as char).collect();
    format!("{}-{}", chars[..4].iter().collect::<String>(), chars[4..].iter().collect::<String>())
}

/// The interval as a JSON number of seconds: whole seconds as an integer (RFC 8628), a
/// configured sub-second interval (tests) as a fraction.
fn interval_json(ms: u64) -> Value {
    if ms.is_multiple_of(1000) { json!(ms / 1000) } else { json!(ms as f64 / 1000.0) }
}

/// `POST /oauth2/device/auth` (form): `client_id` (an application's OAuth client; a confidential
/// one authenticates as at the token endpoint) and `scope`.
pub async fn authorize(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    if !st.config().device_grant {
        return ApiError::not_found("Not found").into_response();
    }
    match authorize_inner(&st, &headers, body).await {
        Ok(body) => {
            let mut resp = (StatusCode::OK, Json(body)).into_response();
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => e.into_response(),
    }
}

async fn authorize_inner(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, OAuthError> {
    let form = oauth::read_form(headers, body).await?;
    let client = oauth::client_auth(headers, &form)?.ok_or_else(OAuthError::invalid_client)?;
    let requested = oauth::parse_scopes(form.get("scope"))
        .map_err(|m| OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", m))?;
    let cfg = st.config();
    let now = st.now();
    let base = st.base_url.clone();
    st.write(|d| {
        let result = (|| {
            let app_id = oauth::authenticate_app(d, &client)?;
            let device_code = util::secret("ory_dc_");
            let code = DeviceCode {
                client_id: client.id.clone(),
                app_id,
                user_code: user_code(),
                scopes: requested.clone(),
                expires_at: now + (cfg.device_expires_in_seconds as i64) * 1000,
                interval_ms: cfg.device_interval_ms,
                last_poll: now,
                decision: Decision::Pending,
            };
            let user_code = code.user_code.clone();
            d.devices.insert(&device_code, code);
            Ok(json!({
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": format!("{base}/oauth2/device/verify"),
                "verification_uri_complete": format!("{base}/oauth2/device/verify?user_code={user_code}"),
                "expires_in": cfg.device_expires_in_seconds,
                "interval": interval_json(cfg.device_interval_ms),
            }))
        })();
        Ok(result)
    })
    .map_err(|e| OAuthError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.message))?
}

/// A poll of the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
/// (public clients send `client_id` in the form; confidential ones authenticate).
pub fn poll(st: &AppState, client: Option<ClientAuth>, form: &Query) -> Result<Value, OAuthError> {
    if !st.config().device_grant {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant_type: {GRANT_TYPE}"),
        ));
    }
    let client = client.ok_or_else(OAuthError::invalid_client)?;
    let device_code =
        form.filter("device_code").ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    let hash = util::sha256(device_code.as_bytes());
    let (cfg, now) = (st.config(), st.now());
    st.write(|d| Ok(poll_locked(d, cfg, now, &client, hash)))
        .map_err(|e| OAuthError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.message))?
}

fn poll_locked(
    d: &mut Data,
    cfg: crate::state::Config,
    now: i64,
    client: &ClientAuth,
    hash: [u8; 32],
) -> Result<Value, OAuthError> {
    oauth::authenticate_app(d, client)?;
    let code = d
        .devices
        .codes
        .get_mut(&hash)
        .ok_or_else(|| OAuthError::invalid_grant("The device code is invalid or already used"))?;
    if code.client_id != client.id {
        return Err(OAuthError::invalid_grant("The device code was issued to another client"));
    }
    if now >= code.expires_at {
        d.devices.remove(&hash);
        return Err(OAuthError::new(StatusCode::BAD_REQUEST, "expired_token", "The device code has expired"));
    }
    // Polled before the interval was up: the client must slow down, from now on by 5 s more.
    let too_fast = now - code.last_poll < code.interval_ms as i64;
    code.last_poll = now;
    if too_fast {
        code.interval_ms += SLOW_DOWN_MS;
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "slow_down",
            format!("Polled too often: wait {} s between polls", code.interval_ms as f64 / 1000.0),
        ));
    }
    match code.decision {
        Decision::Pending => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "The user has not yet approved the request",
        )),
        Decision::Denied => {
            d.devices.remove(&hash);
            Err(OAuthError::new(StatusCode::BAD_REQUEST, "access_denied", "The user denied the request"))
        }
        Decision::Approved => {
            let (client_id, app_id, scopes) = (code.client_id.clone(), code.app_id, code.scopes.clone());
            d.devices.remove(&hash);
            let subject = Subject::User { user_id: d.org.user_id, app_id };
            Ok(oauth::issue_narrowed(d, cfg, now, &client_id, subject, &scopes, true))
        }
    }
}

/// `POST /_emulator/device` `{userCode, approve}`: the user's decision in the browser (approve
/// defaults to true). Answers `{clientId, scopes, approved}`; 404 for an unknown or expired code.
pub async fn decide(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let user_code = f.req_str("userCode", 64)?.trim().to_ascii_uppercase();
    let approve = f.opt_bool("approve")?.unwrap_or(true);
    let now = st.now();
    let (client_id, scopes) = st.write(|d| {
        let code = d
            .devices
            .by_user_code
            .get(&user_code)
            .and_then(|h| d.devices.codes.get_mut(h))
            .filter(|c| c.expires_at > now && c.decision == Decision::Pending)
            .ok_or_else(|| ApiError::not_found("Unknown, expired or already decided user code"))?;
        code.decision = if approve { Decision::Approved } else { Decision::Denied };
        Ok((code.client_id.clone(), code.scopes.clone()))
    })?;
    // What the user is asked to approve: the request, narrowed to the client's grant (V18).
    let scopes = st.read(|d| crate::auth::narrow_to_grant(&scopes, d.scope_grants.get(&client_id)));
    Ok(ok(json!({ "clientId": client_id, "scopes": scopes, "approved": approve })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_unambiguous_letters() {
        for _ in 0..50 {
            let c = user_code();
            assert_eq!(c.len(), 9, "{c}");
            assert_eq!(&c[4..5], "-");
            assert!(c.bytes().filter(|b| *b != b'-').all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
        }
    }

    #[test]
    fn intervals_are_whole_seconds_unless_configured_finer() {
        assert_eq!(interval_json(5000), json!(5));
        assert_eq!(interval_json(50), json!(0.05));
    }
}
