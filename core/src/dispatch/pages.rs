//! The pages of a `*.listAll` call by name: one stream, not generic, for every paged list.
//!
//! Each page is the list method itself, called by name through the method table with the
//! caller's parameters and the cursor (or offset) of that page, so it is decoded, checked and
//! sent exactly as a `*.list` call is. The typed Rust iterators (`list_pages`) instead build a
//! `by_cursor` stream per model; one such copy per list was ~2 KB of the wasm engine each, and
//! this one serves every list the table will ever have (the engine's size budget).

use futures_util::stream;
use serde_json::{Map, Value};

use crate::args::Args;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::{DEFAULT_OFFSET_LIMIT, ItemStream, ListPage, PageBy, PageItems, RawPage, Walk};

/// Where the walk through a list is.
enum Position {
    Cursor(Box<Walk>),
    /// The offset of the next page (`None` after a short page) and the page size.
    Offset {
        next: Option<u64>,
        limit: u64,
    },
}

struct Pager {
    client: Client,
    /// The list method each page is (`applications.list`).
    list: &'static str,
    /// Its arguments; the query parameters (`params`, an object) at `at`.
    args: Vec<Value>,
    params: Map<String, Value>,
    at: usize,
    position: Position,
}

impl Pager {
    /// The arguments of the next page, or `None` after the last one.
    fn next_args(&self) -> Option<Vec<Value>> {
        let mut params = self.params.clone();
        match &self.position {
            Position::Cursor(walk) if walk.done => return None,
            // The first page ignores any `cursor` given (the iterator pages by itself).
            Position::Cursor(walk) => match &walk.next {
                Some(cursor) => params.insert("cursor".into(), cursor.clone().into()),
                None => params.remove("cursor"),
            },
            Position::Offset { next: None, .. } => return None,
            Position::Offset { next: Some(offset), limit } => {
                params.insert("limit".into(), (*limit).into());
                params.insert("offset".into(), (*offset).into())
            }
        };
        let mut args = self.args.clone();
        args[self.at] = Value::Object(params);
        Some(args)
    }

    /// Moves past a page of `count` items that named `next_cursor`.
    fn advance(&mut self, count: usize, next_cursor: Option<String>) -> Result<()> {
        match &mut self.position {
            Position::Cursor(walk) => walk.advance(count == 0, next_cursor),
            Position::Offset { next, limit } => {
                let count = count as u64;
                *next = next.filter(|_| count >= *limit).map(|offset| offset + count);
                Ok(())
            }
        }
    }
}

/// The pages of `list` called with `args` (already decoded once by the caller, so their errors
/// are reported before this), its query parameters at `at`, as the JSON text of each page's
/// items; empty pages are skipped.
pub(super) fn raw_pages(
    client: Client,
    list: &'static str,
    by: PageBy,
    mut args: Vec<Value>,
    at: usize,
) -> ItemStream<String> {
    if args.len() <= at {
        args.resize(at + 1, Value::Null);
    }
    let params = match std::mem::take(&mut args[at]) {
        Value::Object(params) => params,
        _ => Map::new(),
    };
    let position = match by {
        PageBy::Cursor => Position::Cursor(Walk::start()),
        PageBy::Offset => {
            let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(DEFAULT_OFFSET_LIMIT.into());
            let start = params.get("offset").and_then(Value::as_u64).unwrap_or(0);
            Position::Offset { next: Some(start), limit }
        }
    };
    let pager = Pager { client, list, args, params, at, position };
    Box::pin(stream::try_unfold(pager, |mut pager| async move {
        while let Some(args) = pager.next_args() {
            let mut args = Args::new(pager.list, args);
            let page: RawPage = super::table::request(&pager.client, pager.list, &mut args)?.page().await?;
            let (items, next_cursor) = page.into_parts();
            pager.advance(items.len(), next_cursor)?;
            if !items.is_empty() {
                return Ok(Some((items.into_json(), pager)));
            }
        }
        Ok(None)
    }))
}
