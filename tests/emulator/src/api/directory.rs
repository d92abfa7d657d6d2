//! `/organizations/current/directory/*` (spec-2 §5): SCIM tokens, the sync status, synced
//! groups and how managed endpoints resolve against the directory. Scopes
//! (`management:directory:read|write`) are checked by the gateway.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::{created, no_content, ok, tokens, ts};
use crate::errors::ApiResult;
use crate::extract::{Fields, JsonBody, PathIds, Query};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::admin::{EndpointRec, GroupRec, ScimTokenRec, SyncRec};
use crate::state::data::Data;
use crate::util::Rng;

const NOT_FOUND: &str = "SCIM token not found";

pub async fn list_tokens(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "scim-tokens")?;
    Ok(ok(st.read(|d| tokens::list(&d.admin.scim_tokens, &page))))
}

/// Never idempotent: each call mints a new token (DECISIONS V8).
pub async fn create_token(State(st): State<AppState>, body: JsonBody) -> ApiResult<Response> {
    let label = tokens::label(&body)?;
    let now = st.now();
    st.write(|d| {
        let (rec, answer) = tokens::mint("kscim_", d.next_seq(), label, now);
        let rec = ScimTokenRec(rec);
        d.changes.put(&rec);
        d.admin.scim_tokens.insert(rec);
        Ok(created(answer))
    })
}

pub async fn revoke_token(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let sha256 = ids.raw("sha256").to_owned();
    let now = st.now();
    st.write(|d| {
        tokens::revoke(&mut d.admin.scim_tokens, &mut d.changes, &sha256, now, NOT_FOUND)?;
        Ok(no_content())
    })
}

/// Counts appear after the first sync cycle (a seeded directory); before it, only the tokens.
pub async fn status(State(st): State<AppState>) -> Response {
    ok(st.read(|d| {
        let live = d.admin.scim_tokens.iter().filter(|t| t.0.revoked_at.is_none()).count();
        let mut body = json!({ "scimTokenCount": live });
        if let Some(sync) = &d.admin.sync {
            body["userCount"] = json!(sync.user_count);
            body["groupCount"] = json!(d.admin.groups.iter().count());
            body["lastSyncAt"] = ts(sync.last_sync_at);
        }
        body
    }))
}

fn group_view(g: &GroupRec) -> Value {
    json!({"id": g.id, "displayName": g.display_name, "memberCount": g.member_count})
}

pub async fn groups(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "directory-groups")?;
    Ok(ok(st.read(|d| {
        let (items, next) = page.ascending(&d.admin.groups, |_| true);
        list_body(items.into_iter().map(group_view).collect(), next)
    })))
}

fn endpoint_view(e: &EndpointRec) -> Value {
    let mut v = json!({"installationId": e.installation_id, "state": e.state});
    if let Some(email) = &e.email {
        v["email"] = json!(email);
    }
    if let Some(user) = e.user_id {
        v["userId"] = json!(user);
    }
    v
}

pub async fn reconciliation(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "directory-reconciliation")?;
    Ok(ok(st.read(|d| {
        let (items, next) = page.ascending(&d.admin.endpoints, |_| true);
        list_body(items.into_iter().map(endpoint_view).collect(), next)
    })))
}

/// How much directory `POST /_emulator/seed` adds: `directoryGroups`, `directoryEndpoints`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedCounts {
    pub groups: u64,
    pub endpoints: u64,
}

impl SeedCounts {
    pub fn parse(f: &Fields<'_>, max: u64) -> ApiResult<SeedCounts> {
        Ok(SeedCounts {
            groups: f.opt_u64("directoryGroups", max)?.unwrap_or(0),
            endpoints: f.opt_u64("directoryEndpoints", max)?.unwrap_or(0),
        })
    }
}

const GROUPS: [&str; 6] = ["Engineering", "Security", "Sales", "Support", "Finance", "Platform"];
const STATES: [&str; 4] = ["matched", "no_email", "unmatched", "ambiguous"];

/// A completed sync cycle: groups, endpoints in every reconciliation state (in turn, so any four
/// consecutive rows show all of them), and the status counts.
pub fn seed(d: &mut Data, rng: &mut Rng, now: i64, c: SeedCounts) {
    if c.groups == 0 && c.endpoints == 0 {
        return;
    }
    for i in 0..c.groups {
        let round = i / GROUPS.len() as u64;
        let base = GROUPS[(i % GROUPS.len() as u64) as usize];
        let display_name = if round == 0 { base.to_owned() } else { format!("{base} {}", round + 1) };
        let g = GroupRec { id: rng.uuid(), seq: d.next_seq(), display_name, member_count: 1 + rng.below(40) };
        d.changes.put(&g);
        d.admin.groups.insert(g);
    }
    for i in 0..c.endpoints {
        let state = STATES[(i % STATES.len() as u64) as usize];
        let email = match state {
            "no_email" => None,
            _ => Some(format!("user{}@acme.test", i + 1)),
        };
        let e = EndpointRec {
            id: rng.uuid(),
            seq: d.next_seq(),
            installation_id: format!("ins_{}", rng.hex(32)),
            state: state.to_owned(),
            email,
            user_id: (state == "matched").then(|| rng.uuid()),
        };
        d.changes.put(&e);
        d.admin.endpoints.insert(e);
    }
    let users = d.admin.endpoints.iter().filter(|e| e.user_id.is_some()).count() as u64;
    let sync = SyncRec { user_count: users + c.groups * 3, last_sync_at: now };
    d.admin.put_sync(sync, &mut d.changes);
}
