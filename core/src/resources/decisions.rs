use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{Decision, DecisionResponse, ListDecisionsParams};
use crate::pagination::{self, ItemStream, Page, PageStream};
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
    pub async fn list(&self, params: ListDecisionsParams) -> Result<Response<Page<Decision>>> {
        validate::limit(params.limit)?;
        self.client.request(Method::GET, "/decisions").query(&params)?.send().await
    }

    /// Every matching decision, fetched lazily.
    pub fn list_all(&self, params: ListDecisionsParams) -> ItemStream<Decision> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of matching decisions, fetched lazily.
    pub fn list_pages(&self, params: ListDecisionsParams) -> PageStream<Decision> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListDecisionsParams { cursor, ..params.clone() };
            async move { Ok(client.decisions().list(params).await?.into_inner()) }
        }))
    }

    /// One decision.
    pub async fn get(&self, id: &str) -> Result<Response<DecisionResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/decisions/{id}")).send().await
    }
}
