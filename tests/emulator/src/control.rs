//! `/_emulator/*`: test control (reset, config, seed, faults, request log, clock, token
//! revocation, headless authorization). Never rate-limited, logged or faulted.

use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use crate::api::{no_content, ok};
use crate::authorize::{self, Invalid};
use crate::clock;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, Query, parse_uuid};
use crate::seed::{self, Counts, MAX_PER_KIND, Seeded};
use crate::state::model::TokenKind;
use crate::state::{AppState, Config, Shared, lock};
use crate::util::{Rng, mix};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/config", post(set_config).get(get_config))
        .route("/_emulator/seed", post(seed_data))
        .route("/_emulator/faults", post(add_fault).delete(clear_faults))
        .route("/_emulator/requests", axum::routing::get(requests).delete(clear_requests))
        .route("/_emulator/clock", post(advance_clock).get(get_clock))
        .route("/_emulator/tokens/revoke", post(revoke_tokens))
        .route("/_emulator/authorize", post(authorize_headless))
        .route("/_emulator/device", post(crate::device::decide))
        .route("/_emulator/grants", post(set_grant))
}

fn config_view(c: Config) -> Value {
    json!({
        "rateLimitPerMinute": c.rate_limit_per_minute,
        "tokenTtlSeconds": c.token_ttl_seconds,
        "omitExpiresIn": c.omit_expires_in,
        "deviceGrant": c.device_grant,
        "deviceIntervalMs": c.device_interval_ms,
        "deviceExpiresInSeconds": c.device_expires_in_seconds,
    })
}

async fn reset(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let seed = Fields::new(&body).opt_u64("seed", 1000)?;
    st.reset(seed)?;
    Ok(ok(json!({ "ok": true })))
}

async fn set_config(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let rate = f.opt_u64("rateLimitPerMinute", 1_000_000)?;
    let ttl = f.opt_u64("tokenTtlSeconds", 10 * 365 * 86_400)?;
    if ttl == Some(0) {
        return Err(ApiError::bad_request("tokenTtlSeconds must be at least 1"));
    }
    let omit = f.opt_bool("omitExpiresIn")?;
    let device = f.opt_bool("deviceGrant")?;
    let interval = f.opt_u64("deviceIntervalMs", 3_600_000)?;
    let device_ttl = f.opt_u64("deviceExpiresInSeconds", 86_400)?;
    if device_ttl == Some(0) {
        return Err(ApiError::bad_request("deviceExpiresInSeconds must be at least 1"));
    }
    let mut c = lock(&st.config);
    if let Some(v) = device {
        c.device_grant = v;
    }
    if let Some(v) = interval {
        c.device_interval_ms = v;
    }
    if let Some(v) = device_ttl {
        c.device_expires_in_seconds = v;
    }
    if let Some(r) = rate {
        c.rate_limit_per_minute = r as u32;
    }
    if let Some(t) = ttl {
        c.token_ttl_seconds = t;
    }
    if let Some(o) = omit {
        c.omit_expires_in = o;
    }
    Ok(ok(config_view(*c)))
}

async fn get_config(State(st): State<AppState>) -> Response {
    ok(config_view(st.config()))
}

async fn seed_data(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    Ok(ok(seed_from(&st, &body)?.to_json()))
}

/// `POST /_emulator/seed` (also `Emulator::seed`): adds the counted records to the organization.
pub(crate) fn seed_from(st: &Shared, body: &Map<String, Value>) -> ApiResult<Seeded> {
    let f = Fields::new(body);
    let counts = Counts {
        applications: f.opt_u64("applications", MAX_PER_KIND)?.unwrap_or(0),
        integrations: f.opt_u64("integrations", MAX_PER_KIND)?.unwrap_or(0),
        service_accounts: f.opt_u64("serviceAccounts", MAX_PER_KIND)?.unwrap_or(0),
        sessions: f.opt_u64("sessions", MAX_PER_KIND)?.unwrap_or(0),
        traces: f.opt_u64("traces", MAX_PER_KIND)?.unwrap_or(0),
        decisions: f.opt_u64("decisions", MAX_PER_KIND)?.unwrap_or(0),
    };
    let app = match f.opt_str("applicationId", 64)? {
        None => None,
        Some(s) => Some(parse_uuid(&s).ok_or_else(|| ApiError::bad_request("applicationId must be a valid UUID"))?),
    };
    // Each seed call since the last reset draws from its own deterministic stream.
    let call = st.seed_calls.fetch_add(1, Ordering::Relaxed);
    let mut rng = Rng::new(mix(0x5EED_0000_0000 + call));
    let now = st.now();
    let directory = crate::api::directory::SeedCounts::parse(&f, MAX_PER_KIND)?;
    st.write(|d| {
        let seeded = seed::seed(d, &mut rng, now, counts, app)?;
        crate::api::directory::seed(d, &mut rng, now, directory);
        Ok(seeded)
    })
}

async fn add_fault(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let id = st.faults.add(&body)?;
    Ok(ok(json!({ "id": id })))
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    st.faults.clear();
    no_content()
}

async fn requests(State(st): State<AppState>) -> Response {
    ok(st.log.to_json())
}

async fn clear_requests(State(st): State<AppState>) -> Response {
    st.log.clear();
    no_content()
}

async fn advance_clock(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let secs = match body.get("advanceSeconds") {
        None | Some(Value::Null) => 0,
        Some(v) => {
            match v.as_u64().or_else(|| v.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64)) {
                Some(s) => s,
                None => return Err(ApiError::bad_request("advanceSeconds must be a non-negative integer")),
            }
        }
    };
    Ok(ok(json!({ "now": clock::fmt(advance(&st, secs)?) })))
}

/// Moves the emulator's clock forward (`POST /_emulator/clock`, `Emulator::advance_clock`);
/// returns the new time in milliseconds since the epoch.
pub(crate) fn advance(st: &Shared, secs: u64) -> ApiResult<i64> {
    if secs > MAX_ADVANCE_SECONDS {
        return Err(ApiError::bad_request("advanceSeconds must be a non-negative integer of at most 100 years"));
    }
    st.advance_clock(secs as i64 * 1000);
    Ok(st.now())
}

const MAX_ADVANCE_SECONDS: u64 = 100 * 365 * 86_400;

async fn get_clock(State(st): State<AppState>) -> Response {
    ok(json!({ "now": clock::fmt(st.now()) }))
}

async fn revoke_tokens(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(ok(json!({ "revoked": revoke_access_tokens(&st)? })))
}

/// Every access token issued so far stops working; returns how many there were.
pub(crate) fn revoke_access_tokens(st: &Shared) -> ApiResult<usize> {
    st.write(|d| Ok(d.remove_tokens(|t| t.kind == TokenKind::Access)))
}

async fn authorize_headless(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let raw = f.req_str("url", 8192)?;
    let approve = f.opt_bool("approve")?.unwrap_or(true);
    let url = url::Url::parse(&raw)
        .or_else(|_| url::Url::parse(&st.base_url).and_then(|b| b.join(&raw)))
        .map_err(|_| ApiError::bad_request("url must be an authorization URL"))?;
    let q = Query::parse(url.query().unwrap_or(""));
    let valid = st.read(|d| authorize::validate(d, &q));
    match valid {
        Ok(v) => {
            let state = q.get("state").map(str::to_owned);
            let (redirect, code) = authorize::decide(&st, v, approve)?;
            let mut body = json!({ "redirectUrl": redirect, "state": state });
            match code {
                Some(c) => body["code"] = json!(c),
                None => body["error"] = json!("access_denied"),
            }
            Ok(ok(body))
        }
        Err(Invalid::Fatal(m)) => Err(ApiError::bad_request(m)),
        Err(Invalid::Redirect { url, error, state }) => {
            Ok(ok(json!({ "redirectUrl": authorize::with_issuer(&st, &url), "error": error, "state": state })))
        }
    }
}

/// `POST /_emulator/grants` `{clientId, scopes}`: the scopes a client (service account or
/// application) is granted (V18); token scopes are narrowed to it at issue and on every API
/// request. `scopes: null` removes the grant (everything allowed again).
async fn set_grant(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let client_id = f.req_str("clientId", 256)?;
    let scopes = f.opt_str_list("scopes")?;
    if let Some(bad) = scopes.iter().flatten().find(|s| !crate::auth::is_known_scope(s)) {
        return Err(ApiError::bad_request(format!("Unknown scope: {bad}")));
    }
    st.write(|d| {
        match &scopes {
            Some(s) => d.scope_grants.insert(client_id.clone(), s.clone()),
            None => d.scope_grants.remove(&client_id),
        };
        Ok(())
    })?;
    Ok(ok(json!({ "clientId": client_id, "scopes": scopes })))
}
