//! Service accounts: the OAuth clients of the client-credentials grant.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{created, no_content, ok, ts, ts_opt};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, PathIds, Query};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::model::{ServiceAccount, Subject};
use crate::state::table::Table;
use crate::util;

pub const NOT_FOUND: &str = "Service account not found";

pub fn sa_view(sa: &ServiceAccount) -> Value {
    json!({
        "id": sa.id,
        "name": sa.name,
        "description": sa.description,
        "clientId": sa.client_id,
        "createdAt": ts(sa.created_at),
        "updatedAt": ts(sa.updated_at),
        "actingUserId": null,
        "archivedAt": ts_opt(sa.archived_at),
    })
}

pub fn new_service_account(
    seq: u64,
    id: Uuid,
    name: String,
    description: Option<String>,
    now: i64,
) -> (ServiceAccount, String) {
    let secret = util::secret("sa_secret_");
    let sa = ServiceAccount {
        id,
        seq,
        name,
        description,
        client_id: format!("sa_{id}"),
        secret_hash: util::sha256_hex(&secret),
        created_at: now,
        updated_at: now,
        archived_at: None,
        bootstrap: false,
    };
    (sa, secret)
}

fn live_mut<'a>(t: &'a mut Table<ServiceAccount>, id: &Uuid) -> ApiResult<&'a mut ServiceAccount> {
    let sa = t.get_mut(id).ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    if sa.archived_at.is_some() {
        return Err(ApiError::conflict("Service account is revoked"));
    }
    Ok(sa)
}

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "service-accounts")?;
    let include_archived = q.bool("includeArchived")?.unwrap_or(false);
    Ok(ok(st.read(|d| {
        let (items, next) = page.ascending(&d.service_accounts, |s| include_archived || s.archived_at.is_none());
        list_body(items.into_iter().map(sa_view).collect(), next)
    })))
}

pub async fn get(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    st.read(|d| {
        let sa = d.service_accounts.get(&id).ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
        Ok(ok(json!({ "serviceAccount": sa_view(sa) })))
    })
}

pub async fn create(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let name = f.req_str("name", 200)?;
    let description = f.opt_str("description", 2000)?;
    let now = st.now();
    st.write(|d| {
        if d.sa_names.contains_key(&name) {
            return Err(ApiError::conflict(format!("A service account named \"{name}\" already exists")));
        }
        let seq = d.next_seq();
        let (sa, secret) = new_service_account(seq, util::new_id(), name, description, now);
        let body = json!({
            "serviceAccount": sa_view(&sa),
            "credentials": {"clientId": sa.client_id, "clientSecret": secret},
        });
        d.insert_sa(sa);
        Ok(created(body))
    })
}

/// The old secret stops working at once; tokens minted with it stay valid until they expire.
pub async fn rotate_secret(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let sa = live_mut(&mut d.service_accounts, &id)?;
        let secret = util::secret("sa_secret_");
        sa.secret_hash = util::sha256_hex(&secret);
        sa.updated_at = now;
        d.changes.put(sa);
        Ok(ok(json!({ "credentials": {"clientId": sa.client_id, "clientSecret": secret} })))
    })
}

/// Revoking kills the account's tokens at once. Idempotent.
pub async fn revoke(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let id = ids.uuid("id")?;
    let now = st.now();
    st.write(|d| {
        let sa = d.service_accounts.get_mut(&id).ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
        if sa.archived_at.is_none() {
            sa.archived_at = Some(now);
            sa.updated_at = now;
            d.changes.put(sa);
            let name = sa.name.clone();
            if d.sa_names.get(&name) == Some(&id) {
                d.sa_names.remove(&name);
            }
        }
        d.remove_tokens(|t| t.subject == Subject::ServiceAccount(id));
        Ok(no_content())
    })
}
