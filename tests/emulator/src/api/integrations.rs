//! Integrations (MCP servers): CRUD with archive/unarchive, validation, the per-integration
//! OAuth app override and per-user connections.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Caller, created, no_content, ok, ts, ts_opt};
use crate::clock;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, PathIds, Query, check_absolute_url, check_http_url};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::{Connection, Integration, OAuthOverride};
use crate::state::table::Table;
use crate::util;

pub const NOT_FOUND: &str = "Integration not found";
pub const AUTH_MODES: [&str; 4] = ["oauth", "user_token", "server_token", "none"];
pub const CATEGORIES: [&str; 2] = ["gateway_remote_mcp", "internal_mcp_credentials"];
const NAME_MAX: usize = 200;

pub fn integration_view(i: &Integration) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "url": i.url,
        "category": i.category,
        "authMode": i.auth_mode,
        "oauth": i.oauth,
        "capabilities": i.capabilities,
        "credentialSchema": i.credential_schema,
        "validationStatus": i.validation_status,
        "validationMessage": i.validation_message,
        "validatedAt": ts_opt(i.validated_at),
        "serverTokenConfigured": i.server_token_hash.is_some(),
        "oauthOverrideConfigured": i.oauth_override.is_some(),
        "createdAt": ts(i.created_at),
        "updatedAt": ts(i.updated_at),
        "archivedAt": ts_opt(i.archived_at),
    })
}

fn find_mut<'a>(t: &'a mut Table<Integration>, id: &Uuid) -> ApiResult<&'a mut Integration> {
    t.get_mut(id).ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

fn find<'a>(d: &'a Data, id: &Uuid) -> ApiResult<&'a Integration> {
    d.integrations.get(id).ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

/// Everything a create or update may set; `None` means "not given".
#[derive(Default)]
struct Input {
    name: Option<String>,
    url: Option<String>,
    category: Option<String>,
    auth_mode: Option<String>,
    oauth: Option<Option<Map<String, Value>>>,
    capabilities: Option<Value>,
    credential_schema: Option<Option<Value>>,
    server_token: Option<String>,
    confirm_unarchive: bool,
}

fn parse(body: &Map<String, Value>, create: bool) -> ApiResult<Input> {
    let f = Fields::new(body);
    let name = if create { Some(f.req_str("name", NAME_MAX)?) } else { f.opt_nonblank("name", NAME_MAX)? };
    let url = if create { Some(f.req_str("url", 2048)?) } else { f.opt_nonblank("url", 2048)? };
    if let Some(u) = &url {
        check_absolute_url("url", u)?;
    }
    let oauth = match body.get("oauth") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Object(m)) => {
            let o = Fields::nested(m, "oauth");
            o.opt_str("provider", 200)?;
            if let Some(issuer) = o.opt_str("issuer", 2048)? {
                check_http_url("oauth.issuer", &issuer)?;
            }
            o.opt_str_list("scopes")?;
            Some(Some(m.clone()))
        }
        Some(_) => return Err(ApiError::bad_request("oauth must be an object")),
    };
    let capabilities = match f.value("capabilities") {
        None => None,
        Some(v @ (Value::Object(_) | Value::Array(_))) => Some(v.clone()),
        Some(_) => return Err(ApiError::bad_request("capabilities must be an object")),
    };
    let credential_schema = match body.get("credentialSchema") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v @ Value::Object(_)) => Some(Some(v.clone())),
        Some(_) => return Err(ApiError::bad_request("credentialSchema must be an object")),
    };
    Ok(Input {
        name,
        url,
        category: f.opt_enum("category", &CATEGORIES)?,
        auth_mode: f.opt_enum("authMode", &AUTH_MODES)?,
        oauth,
        capabilities,
        credential_schema,
        server_token: f.opt_nonblank("serverToken", 8192)?,
        confirm_unarchive: f.opt_bool("confirmUnarchive")?.unwrap_or(false),
    })
}

/// Applies an input to a record, enforcing the auth-mode rules: `serverToken` iff
/// `server_token`, `oauth` only with `oauth`. Returns whether the auth mode changed.
fn apply(i: &mut Integration, input: Input, now: i64) -> ApiResult<bool> {
    let mode = input.auth_mode.clone().unwrap_or_else(|| i.auth_mode.clone());
    if input.server_token.is_some() && mode != "server_token" {
        return Err(ApiError::bad_request("serverToken is only allowed when authMode is server_token"));
    }
    if mode == "server_token"
        && input.server_token.is_none()
        && (i.server_token_hash.is_none() || i.auth_mode != "server_token")
    {
        return Err(ApiError::bad_request("serverToken is required when authMode is server_token"));
    }
    if matches!(input.oauth, Some(Some(_))) && mode != "oauth" {
        return Err(ApiError::bad_request("oauth is only allowed when authMode is oauth"));
    }
    let mode_changed = mode != i.auth_mode;
    if let Some(n) = input.name {
        i.name = n;
    }
    if let Some(u) = input.url {
        if u != i.url {
            // A new endpoint has not been validated yet.
            i.validation_status = None;
            i.validation_message = None;
            i.validated_at = None;
        }
        i.url = u;
    }
    if let Some(c) = input.category {
        i.category = c;
    }
    if let Some(o) = input.oauth {
        i.oauth = o;
    }
    if mode != "oauth" {
        i.oauth = None;
    }
    if let Some(c) = input.capabilities {
        i.capabilities = c;
    }
    if let Some(s) = input.credential_schema {
        i.credential_schema = s;
    }
    if let Some(t) = input.server_token {
        i.server_token_hash = Some(util::sha256_hex(&t));
    }
    if mode != "server_token" {
        i.server_token_hash = None;
    }
    i.auth_mode = mode;
    i.updated_at = now;
    Ok(mode_changed)
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::conflict(format!("An integration named \"{name}\" already exists"))
}

pub fn new_integration(seq: u64, id: Uuid, name: String, url: String, now: i64) -> Integration {
    Integration {
        id,
        seq,
        name,
        url,
        category: "gateway_remote_mcp".into(),
        auth_mode: "none".into(),
        oauth: None,
        capabilities: json!({}),
        credential_schema: None,
        server_token_hash: None,
        validation_status: None,
        validation_message: None,
        validated_at: None,
        oauth_override: None,
        created_at: now,
        updated_at: now,
        archived_at: None,
    }
}

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "integrations")?;
    let include_archived = q.bool("includeArchived")?.unwrap_or(false);
    let auth_mode = q.filter("authMode").map(str::to_owned);
    Ok(ok(st.read(|d| {
        let (items, next) = page.ascending(&d.integrations, |i| {
            (include_archived || i.archived_at.is_none()) && auth_mode.as_ref().is_none_or(|m| *m == i.auth_mode)
        });
        list_body(items.into_iter().map(integration_view).collect(), next)
    })))
}

pub async fn get(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.read(|d| find(d, &id).map(|i| ok(json!({ "integration": integration_view(i) }))))
}

pub async fn create(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let input = parse(&body, true)?;
    let name = input.name.clone().unwrap_or_default();
    let now = st.now();
    st.write(|d| {
        if d.integration_names.contains_key(&name) {
            return Err(name_conflict(&name));
        }
        let archived = d.integrations.iter().find(|i| i.archived_at.is_some() && i.name == name).map(|i| i.id);
        if let Some(id) = archived {
            if !input.confirm_unarchive {
                return Err(ApiError::conflict(format!(
                    "An archived integration named \"{name}\" exists; pass confirmUnarchive: true to restore it"
                )));
            }
            // Restoring: the archived integration comes back with the new settings.
            let i = find_mut(&mut d.integrations, &id)?;
            let mut restored = i.clone();
            let changed = apply(&mut restored, input, now)?;
            restored.archived_at = None;
            *i = restored;
            d.changes.put(i);
            let view = integration_view(i);
            d.integration_names.insert(name, id);
            if changed {
                d.clear_connections(id);
            }
            return Ok(ok(json!({ "integration": view })));
        }
        let seq = d.next_seq();
        let mut i = new_integration(seq, util::new_id(), name.clone(), String::new(), now);
        apply(&mut i, input, now)?;
        let view = integration_view(&i);
        d.insert_integration(i);
        Ok(created(json!({ "integration": view })))
    })
}

pub async fn update(State(st): State<AppState>, ids: PathIds, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let input = parse(&body, false)?;
    let now = st.now();
    st.write(|d| {
        let current = find(d, &id)?;
        let (old_name, archived) = (current.name.clone(), current.archived_at.is_some());
        if archived && !input.confirm_unarchive {
            return Err(ApiError::conflict("Integration is archived; pass confirmUnarchive: true to restore it"));
        }
        let new_name = input.name.clone().unwrap_or_else(|| old_name.clone());
        if d.integration_names.get(&new_name).is_some_and(|other| *other != id) {
            return Err(name_conflict(&new_name));
        }
        let i = find_mut(&mut d.integrations, &id)?;
        let mut next = i.clone();
        let mode_changed = apply(&mut next, input, now)?;
        next.archived_at = None;
        *i = next;
        d.changes.put(i);
        let view = integration_view(i);
        if d.integration_names.get(&old_name) == Some(&id) {
            d.integration_names.remove(&old_name);
        }
        d.integration_names.insert(new_name, id);
        if mode_changed {
            d.clear_connections(id);
        }
        Ok(ok(json!({ "integration": view })))
    })
}

pub async fn archive(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let i = find_mut(&mut d.integrations, &id)?;
        if i.archived_at.is_none() {
            i.archived_at = Some(now);
            i.updated_at = now;
            d.changes.put(i);
            let name = i.name.clone();
            if d.integration_names.get(&name) == Some(&id) {
                d.integration_names.remove(&name);
            }
        }
        Ok(no_content())
    })
}

/// "ok" for an http(s) URL whose host is not reserved as invalid (RFC 2606 `.invalid`).
fn check_endpoint(url: &str) -> (&'static str, Option<String>) {
    match url::Url::parse(url) {
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            ("failed", Some(format!("Unsupported URL scheme {}: an MCP endpoint must be http(s)", u.scheme())))
        }
        Ok(u) => match u.host_str() {
            None => ("failed", Some("The URL has no host".into())),
            Some(h) if h == "invalid" || h.ends_with(".invalid") => {
                ("failed", Some(format!("Could not resolve host {h}")))
            }
            Some(_) => ("ok", None),
        },
        Err(e) => ("failed", Some(format!("Invalid URL: {e}"))),
    }
}

pub async fn validate(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let i = find_mut(&mut d.integrations, &id)?;
        let (status, message) = check_endpoint(&i.url);
        i.validation_status = Some(status.into());
        i.validation_message = message.clone();
        i.validated_at = Some(now);
        d.changes.put(i);
        // DECISIONS V2: `status`/`message` at the top level (what the vendor's scripts print)
        // and the re-read integration (what the vendor's Rust port decodes).
        let mut answer = json!({ "status": status, "checkedAt": ts(now), "integration": integration_view(i) });
        if let Some(m) = message {
            answer["message"] = json!(m);
        }
        Ok(ok(answer))
    })
}

fn override_view(o: &OAuthOverride) -> Value {
    json!({
        "clientId": o.client_id,
        "clientSecretConfigured": o.client_secret_hash.is_some(),
        "authorizationUrl": o.authorization_url,
        "tokenUrl": o.token_url,
        "scopes": o.scopes,
        "updatedAt": ts(o.updated_at),
    })
}

pub async fn get_oauth(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.read(|d| {
        let i = find(d, &id)?;
        let o = i.oauth_override.as_ref().ok_or_else(|| ApiError::not_found("OAuth configuration not found"))?;
        Ok(ok(json!({ "oauth": override_view(o) })))
    })
}

pub async fn put_oauth(State(st): State<AppState>, ids: PathIds, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let f = Fields::new(&body);
    let client_id = f.req_str("clientId", 512)?;
    let secret = f.opt_str("clientSecret", 4096)?.filter(|s| !s.is_empty());
    let authorization_url = f.req_str("authorizationUrl", 2048)?;
    check_http_url("authorizationUrl", &authorization_url)?;
    let token_url = f.req_str("tokenUrl", 2048)?;
    check_http_url("tokenUrl", &token_url)?;
    let scopes = f.opt_str_list("scopes")?.unwrap_or_default();
    let now = st.now();
    st.write(|d| {
        let i = find_mut(&mut d.integrations, &id)?;
        let o = OAuthOverride {
            client_id,
            client_secret_hash: secret.as_deref().map(util::sha256_hex),
            authorization_url,
            token_url,
            scopes,
            updated_at: now,
        };
        let view = override_view(&o);
        i.oauth_override = Some(o);
        i.updated_at = now;
        d.changes.put(i);
        Ok(ok(json!({ "oauth": view })))
    })
}

pub async fn delete_oauth(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let i = find_mut(&mut d.integrations, &id)?;
        if i.oauth_override.take().is_some() {
            i.updated_at = now;
            d.changes.put(i);
        }
        Ok(no_content())
    })
}

fn connection_view(c: Option<&Connection>, now: i64) -> Value {
    match c {
        None => json!({ "status": "disconnected" }),
        Some(c) => json!({
            "status": if c.expires_at.is_some_and(|t| t <= now) { "expired" } else { "connected" },
            "displayName": c.display_name,
            "expiresAt": ts_opt(c.expires_at),
            "connectedAt": ts(c.connected_at),
        }),
    }
}

pub async fn add_connection(
    State(st): State<AppState>,
    Caller(caller): Caller,
    ids: PathIds,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let f = Fields::new(&body);
    let token = f.req_str("token", 8192)?;
    let display_name = f.opt_str("displayName", 200)?.filter(|s| !s.is_empty());
    let expires_at = match f.opt_str("expiresAt", 64)? {
        None => None,
        Some(s) => {
            Some(clock::parse(&s).ok_or_else(|| ApiError::bad_request("expiresAt must be an ISO 8601 timestamp"))?)
        }
    };
    let now = st.now();
    st.write(|d| {
        let i = find(d, &id)?;
        if i.archived_at.is_some() {
            return Err(ApiError::conflict("Integration is archived"));
        }
        if matches!(i.auth_mode.as_str(), "server_token" | "none") {
            return Err(ApiError::bad_request(format!(
                "token cannot be stored for an integration with authMode {}",
                i.auth_mode
            )));
        }
        let c = Connection {
            integration_id: id,
            subject: caller.subject.key(),
            display_name,
            expires_at,
            connected_at: now,
            token_hash: util::sha256_hex(&token),
        };
        let view = connection_view(Some(&c), now);
        d.put_connection(c);
        Ok(created(json!({ "connection": view })))
    })
}

pub async fn get_connection(State(st): State<AppState>, Caller(caller): Caller, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.read(|d| {
        find(d, &id)?;
        let c = d.connections.get(&(id, caller.subject.key()));
        Ok(ok(json!({ "connection": connection_view(c, now) })))
    })
}

pub async fn revoke_connection(
    State(st): State<AppState>,
    Caller(caller): Caller,
    ids: PathIds,
) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.write(|d| {
        find(d, &id)?;
        d.remove_connection(id, &caller.subject.key());
        Ok(no_content())
    })
}
