//! Applications: CRUD, OAuth client settings, secret rotation, integration links and the
//! access graph.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{created, no_content, ok, ts, ts_opt};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, PathIds, Query, check_absolute_url, check_http_url};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::{AppOAuth, Application, Subject};
use crate::state::table::Table;
use crate::util;

pub const NOT_FOUND: &str = "Application not found";
const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2000;

pub fn app_view(d: &Data, a: &Application, now: i64) -> Value {
    let (active, idle, total) = d.session_counts(&a.id, now);
    json!({
        "id": a.id,
        "name": a.name,
        "description": a.description,
        "clientId": a.oauth.client_id,
        "createdAt": ts(a.created_at),
        "updatedAt": ts(a.updated_at),
        "archivedAt": ts_opt(a.archived_at),
        "sessions": {"active": active, "idle": idle, "live": active + idle, "total": total},
        "externalAuth": a.external_auth,
    })
}

pub fn oauth_view(base: &str, a: &Application, secret: Option<&str>) -> Value {
    let o = &a.oauth;
    let mut v = json!({
        "type": o.client_type,
        "clientId": o.client_id,
        "pkceRequired": o.pkce_required,
        "scopes": o.scopes,
        "redirectUris": o.redirect_uris,
        "allowedResources": o.allowed_resources,
        "authorizationUrl": format!("{base}/oauth2/auth"),
        "tokenUrl": format!("{base}/oauth2/token"),
        "gatewayUrl": format!("{base}/mcp"),
    });
    if let Some(s) = secret {
        v["clientSecret"] = json!(s);
    }
    v
}

/// Fetches an application by the `id` path parameter.
pub fn find<'a>(d: &'a Data, id: &Uuid) -> ApiResult<&'a Application> {
    d.apps.get(id).ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

fn find_live_mut<'a>(apps: &'a mut Table<Application>, id: &Uuid) -> ApiResult<&'a mut Application> {
    let app = apps.get_mut(id).ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    if app.archived_at.is_some() {
        return Err(ApiError::conflict("Application is archived"));
    }
    Ok(app)
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::conflict(format!("An application named \"{name}\" already exists"))
}

#[derive(Default)]
struct OAuthInput {
    client_type: Option<String>,
    pkce_required: Option<bool>,
    scopes: Option<Vec<String>>,
    redirect_uris: Option<Vec<String>>,
    allowed_resources: Option<Vec<String>>,
}

fn parse_oauth(f: &Fields, require_redirects: bool) -> ApiResult<OAuthInput> {
    let redirect_uris = f.opt_str_list("redirectUris")?;
    match &redirect_uris {
        None if require_redirects => {
            return Err(ApiError::bad_request(format!("{} is required", f.name("redirectUris"))));
        }
        Some(uris) => {
            for (i, uri) in uris.iter().enumerate() {
                check_absolute_url(&format!("{}[{i}]", f.name("redirectUris")), uri)?;
            }
        }
        None => {}
    }
    Ok(OAuthInput {
        client_type: f.opt_enum("type", &["public", "confidential"])?,
        pkce_required: f.opt_bool("pkceRequired")?,
        scopes: f.opt_str_list("scopes")?,
        redirect_uris,
        allowed_resources: f.opt_str_list("allowedResources")?,
    })
}

/// Applies OAuth settings; returns a freshly minted secret when the client became
/// confidential (it is shown once, in this response).
fn apply_oauth(o: &mut AppOAuth, input: OAuthInput) -> Option<String> {
    let mut minted = None;
    if let Some(t) = input.client_type {
        if t == "confidential" && o.secret_hash.is_none() {
            let secret = util::secret("app_secret_");
            o.secret_hash = Some(util::sha256_hex(&secret));
            minted = Some(secret);
        } else if t == "public" {
            o.secret_hash = None;
        }
        o.client_type = t;
    }
    if let Some(v) = input.pkce_required {
        o.pkce_required = v;
    }
    if let Some(v) = input.scopes {
        o.scopes = v;
    }
    if let Some(v) = input.redirect_uris {
        o.redirect_uris = v;
    }
    if let Some(v) = input.allowed_resources {
        o.allowed_resources = v;
    }
    minted
}

/// Builds a new application record (shared with the seeder). Returns it with its secret.
pub fn new_application(
    seq: u64,
    id: Uuid,
    name: String,
    description: Option<String>,
    now: i64,
    client_type: &str,
) -> (Application, Option<String>) {
    let mut oauth = AppOAuth {
        client_type: "public".into(),
        client_id: format!("app_{id}"),
        secret_hash: None,
        pkce_required: true,
        scopes: Vec::new(),
        redirect_uris: Vec::new(),
        allowed_resources: Vec::new(),
    };
    let secret = apply_oauth(&mut oauth, OAuthInput { client_type: Some(client_type.into()), ..Default::default() });
    let app = Application {
        id,
        seq,
        name,
        description,
        created_at: now,
        updated_at: now,
        archived_at: None,
        external_auth: None,
        oauth,
        integration_ids: Vec::new(),
    };
    (app, secret)
}

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "applications")?;
    // Service-account tokens see the whole organization; `all` changes nothing (Q9).
    q.bool("all")?;
    let include_archived = q.bool("includeArchived")?.unwrap_or(false);
    let now = st.now();
    Ok(ok(st.read(|d| {
        let (items, next) = page.ascending(&d.apps, |a| include_archived || a.archived_at.is_none());
        list_body(items.iter().map(|a| app_view(d, a, now)).collect(), next)
    })))
}

pub async fn get(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.read(|d| find(d, &id).map(|a| ok(json!({ "application": app_view(d, a, now) }))))
}

pub async fn create(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let name = f.req_str("name", NAME_MAX)?;
    let description = f.opt_str("description", DESCRIPTION_MAX)?;
    let input = match f.opt_obj("oauth")? {
        Some(m) => parse_oauth(&Fields::nested(m, "oauth"), true)?,
        None => OAuthInput::default(),
    };
    let now = st.now();
    let base = st.base_url.clone();
    st.write(|d| {
        if d.app_names.contains_key(&name) {
            return Err(name_conflict(&name));
        }
        let seq = d.next_seq();
        let client_type = input.client_type.clone().unwrap_or_else(|| "confidential".into());
        let (mut app, secret) = new_application(seq, util::new_id(), name, description, now, &client_type);
        apply_oauth(&mut app.oauth, OAuthInput { client_type: None, ..input });
        let body = json!({
            "application": app_view(d, &app, now),
            "oauth": oauth_view(&base, &app, secret.as_deref()),
        });
        d.insert_app(app);
        Ok(created(body))
    })
}

fn external_auth(input: &Map<String, Value>, existing: Option<&Map<String, Value>>) -> ApiResult<Map<String, Value>> {
    let f = Fields::nested(input, "externalAuth");
    let mut out = existing.cloned().unwrap_or_else(|| {
        let defaults = json!({
            "enabled": false,
            "issuer": null,
            "jwksUrl": null,
            "audience": null,
            "allowedAlgorithms": ["RS256"],
            "requiredClaims": {},
            "allowedReturnUrls": [],
            "maxTokenAgeSeconds": 600,
            "partnerApiKeyConfigured": false,
        });
        defaults.as_object().cloned().unwrap_or_default()
    });
    if let Some(v) = f.opt_bool("enabled")? {
        out.insert("enabled".into(), json!(v));
    }
    for key in ["issuer", "audience"] {
        if f.contains(key) {
            out.insert(key.into(), json!(f.opt_str(key, 2048)?));
        }
    }
    if f.contains("jwksUrl") {
        let url = f.opt_str("jwksUrl", 2048)?;
        if let Some(u) = &url {
            check_http_url("externalAuth.jwksUrl", u)?;
        }
        out.insert("jwksUrl".into(), json!(url));
    }
    if let Some(v) = f.opt_str_list("allowedAlgorithms")? {
        out.insert("allowedAlgorithms".into(), json!(v));
    }
    if let Some(v) = f.opt_obj("requiredClaims")? {
        out.insert("requiredClaims".into(), Value::Object(v.clone()));
    }
    if let Some(urls) = f.opt_str_list("allowedReturnUrls")? {
        for (i, u) in urls.iter().enumerate() {
            check_absolute_url(&format!("externalAuth.allowedReturnUrls[{i}]"), u)?;
        }
        out.insert("allowedReturnUrls".into(), json!(urls));
    }
    if let Some(v) = f.opt_u64("maxTokenAgeSeconds", 86_400 * 365)? {
        out.insert("maxTokenAgeSeconds".into(), json!(v));
    }
    if f.contains("partnerApiKey") {
        // Write-only: only the fact that one is configured is kept.
        let key = f.opt_str("partnerApiKey", 4096)?;
        out.insert("partnerApiKeyConfigured".into(), json!(key.is_some_and(|k| !k.is_empty())));
    }
    Ok(out)
}

pub async fn update(State(st): State<AppState>, ids: PathIds, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let f = Fields::new(&body);
    let name = f.opt_nonblank("name", NAME_MAX)?;
    let description = if f.contains("description") { Some(f.opt_str("description", DESCRIPTION_MAX)?) } else { None };
    let external = match body.get("externalAuth") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Object(m)) => Some(Some(m)),
        Some(_) => return Err(ApiError::bad_request("externalAuth must be an object")),
    };
    let now = st.now();
    st.write(|d| {
        let app = find_live_mut(&mut d.apps, &id)?;
        let old_name = app.name.clone();
        let external = match external {
            None => None,
            Some(None) => Some(None),
            Some(Some(m)) => {
                if app.oauth.client_type != "confidential" {
                    return Err(ApiError::bad_request("externalAuth requires a confidential application"));
                }
                Some(Some(external_auth(m, app.external_auth.as_ref())?))
            }
        };
        if let Some(n) = &name
            && *n != old_name
            && d.app_names.contains_key(n)
        {
            return Err(name_conflict(n));
        }
        let app = find_live_mut(&mut d.apps, &id)?;
        if let Some(n) = &name {
            app.name = n.clone();
        }
        if let Some(desc) = description {
            app.description = desc;
        }
        if let Some(e) = external {
            app.external_auth = e;
        }
        app.updated_at = now;
        d.changes.put(app);
        let app = app.clone();
        if app.name != old_name {
            d.app_names.remove(&old_name);
            d.app_names.insert(app.name.clone(), id);
        }
        Ok(ok(json!({ "application": app_view(d, &app, now) })))
    })
}

pub async fn archive(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let app = d.apps.get_mut(&id).ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
        if app.archived_at.is_some() {
            return Ok(no_content());
        }
        app.archived_at = Some(now);
        app.updated_at = now;
        d.changes.put(app);
        let (name, client_id) = (app.name.clone(), app.oauth.client_id.clone());
        if d.app_names.get(&name) == Some(&id) {
            d.app_names.remove(&name);
        }
        super::sessions::disconnect_all(d, &id, now);
        d.remove_tokens(|t| {
            t.client_id == client_id || matches!(t.subject, Subject::User { app_id, .. } if app_id == id)
        });
        Ok(no_content())
    })
}

pub async fn rotate_secret(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let (now, base) = (st.now(), st.base_url.clone());
    st.write(|d| {
        let app = find_live_mut(&mut d.apps, &id)?;
        if app.oauth.client_type != "confidential" {
            return Err(ApiError::bad_request("Public applications have no client secret to rotate"));
        }
        let secret = util::secret("app_secret_");
        app.oauth.secret_hash = Some(util::sha256_hex(&secret));
        app.updated_at = now;
        d.changes.put(app);
        Ok(ok(json!({ "oauth": oauth_view(&base, app, Some(&secret)) })))
    })
}

pub async fn get_oauth(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.read(|d| find(d, &id).map(|a| ok(json!({ "oauth": oauth_view(&st.base_url, a, None) }))))
}

async fn write_oauth(st: AppState, ids: PathIds, body: Map<String, Value>, replace: bool) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let mut input = parse_oauth(&Fields::new(&body), replace)?;
    if replace {
        input.client_type.get_or_insert_with(|| "confidential".into());
        input.pkce_required.get_or_insert(true);
        input.scopes.get_or_insert_with(Vec::new);
        input.allowed_resources.get_or_insert_with(Vec::new);
    }
    let (now, base) = (st.now(), st.base_url.clone());
    st.write(|d| {
        let app = find_live_mut(&mut d.apps, &id)?;
        let secret = apply_oauth(&mut app.oauth, input);
        app.updated_at = now;
        d.changes.put(app);
        Ok(ok(json!({ "oauth": oauth_view(&base, app, secret.as_deref()) })))
    })
}

pub async fn patch_oauth(State(st): State<AppState>, ids: PathIds, JsonBody(body): JsonBody) -> ApiResult<Response> {
    write_oauth(st, ids, body, false).await
}

pub async fn put_oauth(State(st): State<AppState>, ids: PathIds, JsonBody(body): JsonBody) -> ApiResult<Response> {
    write_oauth(st, ids, body, true).await
}

fn attached_ids(d: &Data, a: &Application) -> Vec<Value> {
    a.integration_ids
        .iter()
        .filter(|i| d.integrations.get(i).is_some_and(|x| x.archived_at.is_none()))
        .map(|i| json!(i))
        .collect()
}

pub async fn list_integrations(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.read(|d| find(d, &id).map(|a| ok(json!({ "integrationIds": attached_ids(d, a) }))))
}

fn live_integration(d: &Data, id: &Uuid) -> ApiResult<()> {
    match d.integrations.get(id) {
        Some(i) if i.archived_at.is_none() => Ok(()),
        _ => Err(ApiError::not_found(format!("Integration not found: {id}"))),
    }
}

pub async fn set_integrations(
    State(st): State<AppState>,
    ids: PathIds,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let raw = Fields::new(&body)
        .opt_str_list("integrationIds")?
        .ok_or_else(|| ApiError::bad_request("integrationIds is required"))?;
    let mut wanted: Vec<Uuid> = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let uuid = crate::extract::parse_uuid(s)
            .ok_or_else(|| ApiError::bad_request(format!("integrationIds[{i}] must be a valid UUID")))?;
        if !wanted.contains(&uuid) {
            wanted.push(uuid);
        }
    }
    let now = st.now();
    st.write(|d| {
        find_live_mut(&mut d.apps, &id)?;
        for i in &wanted {
            live_integration(d, i)?;
        }
        let app = find_live_mut(&mut d.apps, &id)?;
        app.integration_ids = wanted;
        app.updated_at = now;
        d.changes.put(app);
        let app = app.clone();
        Ok(ok(json!({ "integrationIds": attached_ids(d, &app) })))
    })
}

pub async fn attach(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let integration = ids.uuid("integrationId")?;
    let now = st.now();
    st.write(|d| {
        find_live_mut(&mut d.apps, &id)?;
        live_integration(d, &integration)?;
        let app = find_live_mut(&mut d.apps, &id)?;
        if !app.integration_ids.contains(&integration) {
            app.integration_ids.push(integration);
            app.updated_at = now;
            d.changes.put(app);
        }
        Ok(no_content())
    })
}

/// Idempotent: detaching an integration that is not attached is a 204 as well.
pub async fn detach(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let integration = ids.uuid("integrationId")?;
    let now = st.now();
    st.write(|d| {
        find_live_mut(&mut d.apps, &id)?;
        if !d.integrations.contains(&integration) {
            return Err(ApiError::not_found(format!("Integration not found: {integration}")));
        }
        let app = find_live_mut(&mut d.apps, &id)?;
        if app.integration_ids.contains(&integration) {
            app.integration_ids.retain(|i| *i != integration);
            app.updated_at = now;
            d.changes.put(app);
        }
        Ok(no_content())
    })
}

pub async fn access_graph(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let include_policy = q.bool("includePolicy")?.unwrap_or(false);
    Ok(ok(st.read(|d| {
        let policy = include_policy.then(|| {
            json!({
                "policyEnabled": d.org.settings.policy_enabled,
                "rolloutMode": d.org.deployment.rollout_mode,
                "policyVersionId": d.org.deployment.policy_version_id,
            })
        });
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for a in d.apps.iter().filter(|a| a.archived_at.is_none()) {
            let mut node = json!({"id": a.id, "type": "application", "name": a.name, "clientId": a.oauth.client_id});
            if let Some(p) = &policy {
                node["policy"] = p.clone();
            }
            nodes.push(node);
            for i in &a.integration_ids {
                if d.integrations.get(i).is_some_and(|x| x.archived_at.is_none()) {
                    edges.push(json!({"source": a.id, "target": i, "type": "attached"}));
                }
            }
        }
        for i in d.integrations.iter().filter(|i| i.archived_at.is_none()) {
            let mut node = json!({"id": i.id, "type": "integration", "name": i.name, "authMode": i.auth_mode});
            if let Some(p) = &policy {
                node["policy"] = p.clone();
            }
            nodes.push(node);
        }
        let mut body = json!({ "nodes": nodes, "edges": edges });
        if let Some(p) = policy {
            body["policy"] = p;
        }
        body
    })))
}
