//! Cursor pagination. A cursor is base64url of `{"k": list, "s": seq}`: the insertion sequence
//! of the last item served. The next page continues strictly after it among the items that
//! are still visible, so inserts and archives between pages never repeat or skip an item.

use serde_json::{Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::model::Record;
use crate::state::table::Table;
use crate::util;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

pub fn limit(q: &Query, default: i64) -> ApiResult<usize> {
    Ok(q.int("limit", 1, MAX_LIMIT)?.unwrap_or(default) as usize)
}

pub struct Page {
    pub limit: usize,
    pub after: Option<u64>,
    kind: &'static str,
}

impl Page {
    pub fn parse(q: &Query, kind: &'static str) -> ApiResult<Page> {
        let limit = limit(q, DEFAULT_LIMIT)?;
        let after = match q.get("cursor").filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode(c, kind).ok_or_else(|| ApiError::bad_request("cursor is invalid"))?),
        };
        Ok(Page { limit, after, kind })
    }

    fn cursor(&self, seq: u64) -> String {
        util::b64url(json!({"k": self.kind, "s": seq}).to_string().as_bytes())
    }

    /// Oldest first.
    pub fn ascending<'a, T: Record>(
        &self,
        table: &'a Table<T>,
        visible: impl Fn(&T) -> bool,
    ) -> (Vec<&'a T>, Option<String>) {
        let iter = table.after(self.after.unwrap_or(0)).filter(|r| visible(r));
        self.collect(iter)
    }

    /// Newest first.
    pub fn descending<'a, T: Record>(
        &self,
        table: &'a Table<T>,
        visible: impl Fn(&T) -> bool,
    ) -> (Vec<&'a T>, Option<String>) {
        let iter = table.before(self.after.unwrap_or(u64::MAX)).filter(|r| visible(r));
        self.collect(iter)
    }

    fn collect<'a, T: Record + 'a>(&self, iter: impl Iterator<Item = &'a T>) -> (Vec<&'a T>, Option<String>) {
        let mut items: Vec<&'a T> = iter.take(self.limit + 1).collect();
        let next = if items.len() > self.limit {
            items.truncate(self.limit);
            items.last().map(|r| self.cursor(r.seq()))
        } else {
            None
        };
        (items, next)
    }
}

fn decode(cursor: &str, kind: &str) -> Option<u64> {
    let bytes = util::b64url_decode(cursor)?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    (v.get("k")?.as_str()? == kind).then_some(())?;
    v.get("s")?.as_u64()
}

/// `{items, nextCursor?}`.
pub fn list_body(items: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ "items": items });
    if let Some(n) = next {
        body["nextCursor"] = json!(n);
    }
    body
}
