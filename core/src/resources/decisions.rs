use http::Method;

use crate::client::Client;
use crate::models::{Decision, DecisionResponse, ListDecisionsParams};
use crate::pending::{Pending, pending};

use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages};
use crate::validate;

/// `/decisions`: what the policy engine allowed or denied.
#[derive(Debug, Clone, Copy)]
pub struct Decisions<'a> {
    client: &'a Client,
}

impl<'a> Decisions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of decisions, newest first, with optional filters.
    pub fn list(&self, params: ListDecisionsParams) -> Pending<'a, Page<Decision>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/decisions").query(&params)?.send())
        })
    }

    /// Every matching decision, fetched lazily.
    pub fn list_all(&self, params: ListDecisionsParams) -> ItemStream<Decision> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of matching decisions, fetched lazily.
    pub fn list_pages(&self, params: ListDecisionsParams) -> PageStream<Decision> {
        self.pages::<Page<Decision>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListDecisionsParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListDecisionsParams { cursor, ..params.clone() };
            async move { client.decisions().list(params).page::<P>().await }
        }))
    }

    /// One decision. Its id is opaque (DECISIONS V12): any non-empty text, percent-encoded.
    pub fn get(&self, id: &str) -> Pending<'a, DecisionResponse> {
        pending(|| {
            let id = validate::opaque_id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/decisions/{id}")).send())
        })
    }
}
