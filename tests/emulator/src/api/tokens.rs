//! What SCIM tokens and install tokens share (DECISIONS V15): a mint answers 201
//! `{token, sha256, label, createdAt}` once, lists show only the fingerprint, a revoke answers 204
//! (also when already revoked) and 404 for an unknown fingerprint.

use serde_json::{Value, json};

use super::{ts, ts_opt};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody};
use crate::state::admin::TokenRec;
use crate::state::data::ChangeLog;
use crate::state::model::Record;
use crate::state::table::Table;
use crate::util;

pub fn view(t: &TokenRec) -> Value {
    let mut v = json!({"sha256": t.sha256, "label": t.label, "createdAt": ts(t.created_at)});
    if t.last_used_at.is_some() {
        v["lastUsedAt"] = ts_opt(t.last_used_at);
    }
    if t.revoked_at.is_some() {
        v["revokedAt"] = ts_opt(t.revoked_at);
    }
    v
}

/// The label of a mint body: required, at most 200 characters.
pub fn label(body: &JsonBody) -> ApiResult<String> {
    Fields::new(&body.0).req_str("label", 200)
}

/// A new token: the record to keep and the answer that shows the token this once.
pub fn mint(prefix: &str, seq: u64, label: String, now: i64) -> (TokenRec, Value) {
    let token = util::secret(prefix);
    let rec = TokenRec {
        id: util::new_id(),
        seq,
        sha256: util::sha256_hex(&token),
        label,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    let body = json!({"token": token, "sha256": rec.sha256, "label": rec.label, "createdAt": ts(now)});
    (rec, body)
}

/// Marks the token with this fingerprint revoked (once) and logs the change; 404 when there is
/// none.
pub fn revoke<T: Record + AsRef<TokenRec> + AsMut<TokenRec>>(
    table: &mut Table<T>,
    changes: &mut ChangeLog,
    sha256: &str,
    now: i64,
    not_found: &str,
) -> ApiResult<()> {
    let id = table.iter().find(|t| t.as_ref().sha256 == sha256).map(Record::id);
    let row = id.and_then(|id| table.get_mut(&id)).ok_or_else(|| ApiError::not_found(not_found))?;
    if row.as_ref().revoked_at.is_none() {
        row.as_mut().revoked_at = Some(now);
        changes.put(row);
    }
    Ok(())
}

/// `{items, nextCursor?}` of a token table, oldest first (revoked tokens included, with
/// `revokedAt`).
pub fn list<T: Record + AsRef<TokenRec>>(table: &Table<T>, page: &crate::pagination::Page) -> Value {
    let (items, next) = page.ascending(table, |_| true);
    crate::pagination::list_body(items.into_iter().map(|t| view(t.as_ref())).collect(), next)
}
