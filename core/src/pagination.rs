//! Pages and lazy, constant-memory iteration over every page of a list.

use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{self, Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::RawResponse;
use crate::json_scan;

/// One page of a list: `{ items, nextCursor? }` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Cursor of the next page; absent on the last page (and on lists without cursors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A boxed stream of pages (`Send` where the platform allows it).
#[cfg(not(target_arch = "wasm32"))]
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Vec<T>>> + Send>>;
/// A boxed stream of pages (`Send` where the platform allows it).
#[cfg(target_arch = "wasm32")]
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Vec<T>>>>>;

/// A boxed stream of pages, each held as `C`: models (a [`PageStream`]), or the JSON text of the
/// items.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Pages<C> = Pin<Box<dyn Stream<Item = Result<C>> + Send>>;
/// A boxed stream of pages, each held as `C`: models (a [`PageStream`]), or the JSON text of the
/// items.
#[cfg(target_arch = "wasm32")]
pub(crate) type Pages<C> = Pin<Box<dyn Stream<Item = Result<C>>>>;

/// A boxed stream of items.
#[cfg(not(target_arch = "wasm32"))]
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;
/// A boxed stream of items.
#[cfg(target_arch = "wasm32")]
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>>>>;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
#[cfg(target_arch = "wasm32")]
pub(crate) trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// A page as it comes off the wire: its items, and the cursor of the next page.
pub(crate) trait ListPage: Sized + MaybeSend + 'static {
    type Items: PageItems;
    fn decode(response: RawResponse) -> Result<Self>;
    fn into_parts(self) -> (Self::Items, Option<String>);
}

/// What a page's items are held as.
pub(crate) trait PageItems: MaybeSend + 'static {
    fn is_empty(&self) -> bool;
    fn len(&self) -> usize;
}

impl<T: DeserializeOwned + MaybeSend + 'static> ListPage for Page<T> {
    type Items = Vec<T>;
    fn decode(response: RawResponse) -> Result<Self> {
        response.decode().map(crate::http::Response::into_inner)
    }
    fn into_parts(self) -> (Vec<T>, Option<String>) {
        (self.items, self.next_cursor)
    }
}

/// A page whose items are read by [`FromArg`](crate::args::FromArg) (see
/// `RawResponse::decode_fields`): what the SDK's compositions walk (findByName, reconcile, the
/// release manifest), whose results are the same models as the typed lists'.
pub(crate) struct Rows<T>(Page<T>);

impl<T: crate::args::FromArg + MaybeSend + 'static> ListPage for Rows<T> {
    type Items = Vec<T>;
    fn decode(response: RawResponse) -> Result<Self> {
        response.decode_fields::<Page<T>>().map(|page| Rows(page.into_inner()))
    }
    fn into_parts(self) -> (Vec<T>, Option<String>) {
        (self.0.items, self.0.next_cursor)
    }
}

impl<T: crate::args::FromArg> crate::args::FromArg for Page<T> {
    fn from_arg(value: serde_json::Value, at: crate::args::At<'_>) -> Result<Self> {
        let mut fields = crate::args::Fields::new(value, at)?;
        let mut page = Page { items: Vec::new(), next_cursor: None };
        fields.take(&mut page.items, "items");
        fields.take(&mut page.next_cursor, "nextCursor");
        fields.finish()?;
        Ok(page)
    }

    fn blank() -> Self {
        Page { items: Vec::new(), next_cursor: None }
    }
}

impl<T: MaybeSend + 'static> PageItems for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// A page whose items stay the server's JSON, for the bindings: each language parses the array
/// itself, so a value per item here would only be built, encoded and joined again.
pub(crate) struct RawPage {
    items: RawItems,
    next_cursor: Option<String>,
}

impl ListPage for RawPage {
    type Items = RawItems;
    /// Checked as strictly as a page of models, in one pass that builds nothing but the cursor.
    fn decode(response: RawResponse) -> Result<Self> {
        let parts = json_scan::page(response.text()?).map_err(|message| response.decode_error(message))?;
        Ok(RawPage {
            items: RawItems { json: parts.items.to_owned(), len: parts.count },
            next_cursor: parts.next_cursor,
        })
    }
    fn into_parts(self) -> (RawItems, Option<String>) {
        (self.items, self.next_cursor)
    }
}

/// The JSON text of a page's items (an array), and how many there are.
pub(crate) struct RawItems {
    json: String,
    len: usize,
}

impl RawItems {
    pub(crate) fn into_json(self) -> String {
        self.json
    }
}

impl PageItems for RawItems {
    fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn len(&self) -> usize {
        self.len
    }
}

/// The page size of an offset list whose `limit` is not given (sent explicitly: the last page is
/// the first one shorter than it).
pub(crate) const DEFAULT_OFFSET_LIMIT: u32 = 50;

/// How a list pages (what a `listAll` iterator does between pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageBy {
    /// `cursor` ← the previous page's `nextCursor`.
    Cursor,
    /// `limit` + `offset`; a page shorter than `limit` is the last.
    Offset,
}

/// Most empty pages in a row that still carry a next cursor: a server that keeps answering
/// `{"items": [], "nextCursor": <new>}` would otherwise keep one `next()` busy forever.
pub(crate) const MAX_EMPTY_PAGES: u32 = 20;

/// Where a cursor walk is: the cursor to fetch next, every cursor already fetched (a server
/// that hands one back again, A→B→A as much as A→A, would loop forever), and the run of empty
/// pages just seen. `seen` is a list, searched linearly: a hash set would be the wasm engine's
/// only one (its code is a few KB of the size budget), and a scan of a few thousand short
/// cursors costs nothing next to the request each page takes.
pub(crate) struct Walk {
    pub(crate) next: Option<String>,
    seen: Vec<String>,
    empty_run: u32,
    pub(crate) done: bool,
}

impl Walk {
    /// A walk at the first page. Boxed, and built out of line: the page types' copies of
    /// `by_cursor` then move a pointer, not the state (the wasm engine's size budget).
    #[inline(never)]
    pub(crate) fn start() -> Box<Walk> {
        Box::new(Walk { next: None, seen: Vec::new(), empty_run: 0, done: false })
    }

    /// Moves past a fetched page with `page_is_empty` items that named `next_cursor`; an error
    /// when that would loop. Not generic, so the page types' copies of `by_cursor` share it.
    pub(crate) fn advance(&mut self, page_is_empty: bool, next_cursor: Option<String>) -> Result<()> {
        if let Some(fetched) = self.next.take() {
            self.seen.push(fetched);
        }
        let Some(next) = next_cursor.filter(|c| !c.is_empty()) else {
            self.done = true;
            return Ok(());
        };
        self.empty_run = if page_is_empty { self.empty_run + 1 } else { 0 };
        let message = if self.seen.contains(&next) {
            "a nextCursor the server had already returned; stopping to avoid an endless loop".to_owned()
        } else if self.empty_run >= MAX_EMPTY_PAGES {
            format!("{MAX_EMPTY_PAGES} empty pages in a row, each with a nextCursor; stopping to avoid an endless loop")
        } else {
            self.next = Some(next);
            return Ok(());
        };
        Err(Error::Decode { status: 200, message, snippet: crate::error::server_text(&next), request_id: None })
    }
}

/// Pages of a cursor list, fetched one at a time as the stream is polled.
pub(crate) fn by_cursor<P, F, Fut>(mut fetch: F) -> Pages<P::Items>
where
    P: ListPage,
    F: FnMut(Option<String>) -> Fut + MaybeSend + 'static,
    Fut: Future<Output = Result<P>> + MaybeSend + 'static,
{
    Box::pin(stream::try_unfold(Walk::start(), move |mut walk| {
        if walk.done {
            return futures_util::future::Either::Left(futures_util::future::ready(Ok(None)));
        }
        let page = fetch(walk.next.clone());
        futures_util::future::Either::Right(async move {
            let (items, next_cursor) = page.await?.into_parts();
            walk.advance(items.is_empty(), next_cursor)?;
            Ok(Some((items, walk)))
        })
    }))
}

/// Pages of an offset list (traces): the last page is the first shorter than `limit`.
pub(crate) fn by_offset<C, F, Fut>(limit: u32, mut fetch: F) -> Pages<C>
where
    C: PageItems,
    F: FnMut(u64) -> Fut + MaybeSend + 'static,
    Fut: Future<Output = Result<C>> + MaybeSend + 'static,
{
    Box::pin(stream::try_unfold(Some(0u64), move |offset| {
        let Some(offset) = offset else {
            return futures_util::future::Either::Left(futures_util::future::ready(Ok(None)));
        };
        let page = fetch(offset);
        futures_util::future::Either::Right(async move {
            let items = page.await?;
            let count = items.len() as u64;
            let next = (count >= u64::from(limit)).then(|| offset + count);
            Ok(Some((items, next)))
        })
    }))
}

/// Flattens pages into items.
pub(crate) fn items<T: MaybeSend + 'static>(pages: PageStream<T>) -> ItemStream<T> {
    Box::pin(Items { pages, page: Vec::new().into_iter() })
}

/// The items of each page in turn, then the next page. Written out rather than composed
/// (`map_ok` + `stream::iter` + `try_flatten`): every layer moves each item once more on its way
/// out, and items are models of a few hundred bytes (a tenth of the CPU time of a `list_all`).
/// After an error the page stream is polled on, as `try_flatten` does (it then ends).
struct Items<T> {
    pages: PageStream<T>,
    page: std::vec::IntoIter<T>,
}

// Nothing in it is ever pinned: the page stream is boxed, and items are moved out by value.
impl<T> Unpin for Items<T> {}

impl<T> Stream for Items<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Result<T>>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if let Some(item) = this.page.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match this.pages.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => this.page = page.into_iter(),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.page.len(), None)
    }
}

/// Skips empty pages so consumers never see a page with no items before the end.
pub(crate) fn non_empty<C: PageItems>(pages: Pages<C>) -> Pages<C> {
    Box::pin(pages.try_filter(|page| futures_util::future::ready(!page.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn cursor_pages_are_fetched_lazily_until_the_cursor_ends() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let pages = by_cursor(move |cursor: Option<String>| {
            log.lock().unwrap().push(cursor.clone());
            async move {
                Ok(match cursor.as_deref() {
                    None => Page { items: vec![1, 2], next_cursor: Some("a".into()) },
                    Some("a") => Page { items: vec![3], next_cursor: Some("b".into()) },
                    _ => Page { items: vec![4], next_cursor: None },
                })
            }
        });
        let mut all = items(pages);
        assert_eq!(all.next().await.unwrap().unwrap(), 1);
        assert_eq!(calls.lock().unwrap().len(), 1, "only the first page is fetched before it is needed");
        let rest: Vec<i32> = all.try_collect().await.unwrap();
        assert_eq!(rest, vec![2, 3, 4]);
        assert_eq!(*calls.lock().unwrap(), vec![None, Some("a".into()), Some("b".into())]);
    }

    #[tokio::test]
    async fn a_repeated_cursor_stops_with_an_error() {
        let pages =
            by_cursor(|_c: Option<String>| async { Ok(Page { items: vec![1], next_cursor: Some("same".into()) }) });
        let result: Result<Vec<i32>> = items(pages).try_collect().await;
        assert_eq!(result.unwrap_err().kind(), crate::ErrorKind::Decode);
    }

    #[tokio::test]
    async fn a_cursor_cycle_stops_with_an_error() {
        // A→B→A: only a memory of every cursor catches this one.
        let calls = Arc::new(Mutex::new(0));
        let count = calls.clone();
        let pages = by_cursor(move |cursor: Option<String>| {
            *count.lock().unwrap() += 1;
            async move {
                let next = match cursor.as_deref() {
                    None | Some("b") => "a",
                    _ => "b",
                };
                Ok(Page { items: vec![1], next_cursor: Some(next.into()) })
            }
        });
        let error = items(pages).try_collect::<Vec<i32>>().await.unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Decode);
        assert!(error.to_string().contains("already returned"), "{error}");
        assert_eq!(*calls.lock().unwrap(), 3, "start, a, b: the third page hands back `a` again");
    }

    #[tokio::test]
    async fn endless_empty_pages_stop_with_an_error() {
        let calls = Arc::new(Mutex::new(0u32));
        let count = calls.clone();
        let pages = by_cursor(move |_cursor: Option<String>| {
            let n = {
                let mut n = count.lock().unwrap();
                *n += 1;
                *n
            };
            // A fresh cursor each time, so only the empty-page bound can stop it.
            async move { Ok(Page::<i32> { items: vec![], next_cursor: Some(format!("c{n}")) }) }
        });
        let error = items(pages).try_collect::<Vec<i32>>().await.unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Decode);
        assert!(error.to_string().contains("empty pages"), "{error}");
        assert_eq!(*calls.lock().unwrap(), MAX_EMPTY_PAGES);

        // Empty pages between full ones are fine, however many there are in all.
        let pages = by_cursor(|cursor: Option<String>| async move {
            let n: u32 = cursor.as_deref().map_or(0, |c| c.parse().unwrap());
            let items = if n % 5 == 4 { vec![n] } else { vec![] };
            Ok(Page { items, next_cursor: (n < 100).then(|| (n + 1).to_string()) })
        });
        let all: Vec<u32> = items(pages).try_collect().await.unwrap();
        assert_eq!(all.len(), 20);
    }

    #[tokio::test]
    async fn offset_pages_stop_at_the_first_short_page() {
        let pages = by_offset(2, |offset| async move { Ok((offset..5).take(2).collect::<Vec<u64>>()) });
        let all: Vec<u64> = items(pages).try_collect().await.unwrap();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }

    fn raw_page(body: impl AsRef<[u8]>) -> Result<RawPage> {
        let meta = crate::http::ResponseMeta { request_id: Some("req_1".into()), ..Default::default() };
        RawPage::decode(RawResponse { status: 200, meta, retry_after: None, body: body.as_ref().to_vec() })
    }

    #[test]
    fn a_raw_page_keeps_its_items_as_the_text_of_one_array() {
        let page = raw_page(r#"{"items": [ {"id":"a","tags":["x"]} , {"id":"b"} ], "nextCursor":"c2", "total": 2}"#);
        let (items, cursor) = page.unwrap().into_parts();
        assert_eq!(cursor.as_deref(), Some("c2"));
        assert!(!PageItems::is_empty(&items));
        assert_eq!(PageItems::len(&items), 2);
        assert_eq!(items.into_json(), r#"[ {"id":"a","tags":["x"]} , {"id":"b"} ]"#);

        let (items, cursor) = raw_page(r#"{"items":[ ]}"#).unwrap().into_parts();
        assert_eq!((PageItems::is_empty(&items), PageItems::len(&items), cursor), (true, 0, None));
    }

    #[test]
    fn a_raw_page_that_is_not_a_page_is_a_decode_error_with_the_request_id() {
        let bodies: [&[u8]; 5] =
            [b"", b"<html>", br#"{"items":{"id":"a"}}"#, br#"{"items":[{"id":}]}"#, b"{\"items\":[\"\xff\"]}"];
        for body in bodies {
            let error = raw_page(body).err().unwrap();
            let body = String::from_utf8_lossy(body);
            assert_eq!(error.kind(), crate::ErrorKind::Decode, "{body}");
            assert_eq!(error.request_id(), Some("req_1"), "{body}");
        }
    }

    #[tokio::test]
    async fn raw_offset_pages_count_their_items() {
        let pages = by_offset(2, |offset| async move {
            Ok(raw_page(if offset < 4 { r#"{"items":[1,2]}"# } else { r#"{"items":[5]}"# })?.into_parts().0)
        });
        let texts: Vec<String> = pages.map_ok(RawItems::into_json).try_collect().await.unwrap();
        assert_eq!(texts, vec!["[1,2]", "[1,2]", "[5]"]);
    }
}
