//! `/organizations/current/install-tokens` (spec-2 §7): what the install script reads as
//! `KONTEXT_INSTALL_TOKEN`. Scopes: `management:deployments:read` to list, `:write` to mint and
//! revoke (the gateway checks them).

use axum::extract::State;
use axum::response::Response;

use super::{created, no_content, ok, tokens};
use crate::errors::ApiResult;
use crate::extract::{JsonBody, PathIds, Query};
use crate::pagination::Page;
use crate::state::AppState;
use crate::state::admin::InstallTokenRec;

const NOT_FOUND: &str = "Install token not found";

pub async fn list(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "install-tokens")?;
    Ok(ok(st.read(|d| tokens::list(&d.admin.install_tokens, &page))))
}

/// Never idempotent: each call mints a new token (DECISIONS V8).
pub async fn create(State(st): State<AppState>, body: JsonBody) -> ApiResult<Response> {
    let label = tokens::label(&body)?;
    let now = st.now();
    st.write(|d| {
        let (rec, answer) = tokens::mint("kinst_", d.next_seq(), label, now);
        let rec = InstallTokenRec(rec);
        d.changes.put(&rec);
        d.admin.install_tokens.insert(rec);
        Ok(created(answer))
    })
}

pub async fn revoke(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let sha256 = ids.raw("sha256").to_owned();
    let now = st.now();
    st.write(|d| {
        tokens::revoke(&mut d.admin.install_tokens, &mut d.changes, &sha256, now, NOT_FOUND)?;
        Ok(no_content())
    })
}
