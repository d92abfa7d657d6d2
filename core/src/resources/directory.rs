use http::Method;

use super::compose::{self, Composite, WALK_LIMIT};
use crate::client::Client;
use crate::models::{
    CreateToken, DirectoryGroup, DirectoryStatus, ListDirectoryParams, MintedToken, ReconciliationRow, ScimToken,
};
use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages, Rows};
use crate::pending::{Pending, pending};
use crate::validate;

const SCIM_TOKENS: &str = "/organizations/current/directory/scim-tokens";

/// `/organizations/current/directory/scim-tokens`: the secrets an identity provider uses to push
/// users and groups to the organization's SCIM server.
#[derive(Debug, Clone, Copy)]
pub struct ScimTokens<'a> {
    client: &'a Client,
}

impl<'a> ScimTokens<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of SCIM tokens (fingerprints and labels, never the tokens).
    pub fn list(&self, params: ListDirectoryParams) -> Pending<'a, Page<ScimToken>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, SCIM_TOKENS).query(&params)?.send())
        })
    }

    /// Every SCIM token, fetched lazily.
    pub fn list_all(&self, params: ListDirectoryParams) -> ItemStream<ScimToken> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of SCIM tokens, fetched lazily.
    pub fn list_pages(&self, params: ListDirectoryParams) -> PageStream<ScimToken> {
        self.pages::<Page<ScimToken>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListDirectoryParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListDirectoryParams { cursor, ..params.clone() };
            async move { client.scim_tokens().list(params).page::<P>().await }
        }))
    }

    /// Mints a SCIM token; `token` is in this answer only. Never sent twice (DECISIONS V8): on an
    /// error with `outcomeUnknown`, call [`reconcile`](Self::reconcile), then mint again.
    pub fn create(&self, body: CreateToken) -> Pending<'a, MintedToken> {
        pending(|| {
            validate::required("label", &body.label)?;
            Ok(self.client.request(Method::POST, SCIM_TOKENS).json(&body)?.send())
        })
    }

    /// Revokes a SCIM token by its SHA-256 fingerprint (also when it is already revoked).
    pub fn revoke(&self, sha256: &str) -> Pending<'a, ()> {
        pending(|| {
            let sha256 = validate::opaque_id("sha256", sha256)?;
            Ok(self.client.request(Method::POST, format!("{SCIM_TOKENS}/{sha256}/revoke")).send_empty())
        })
    }

    /// After a mint whose outcome is unknown: revokes every live token labelled `label` that is
    /// not in `before` (the list taken just before minting) and returns them.
    pub fn reconcile(&self, before: Vec<ScimToken>, label: impl Into<String>) -> Composite<'a, Page<ScimToken>> {
        let client = self.client;
        let label = label.into();
        Box::pin(async move {
            let params = ListDirectoryParams { limit: Some(WALK_LIMIT), cursor: None };
            let now = pagination::items(client.scim_tokens().pages::<Rows<ScimToken>>(params));
            compose::reconcile(before, label, now, |sha| async move { client.scim_tokens().revoke(&sha).await }).await
        })
    }
}

/// `/organizations/current/directory`: the sync status.
#[derive(Debug, Clone, Copy)]
pub struct Directory<'a> {
    client: &'a Client,
}

impl<'a> Directory<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// User and group counts (after the first sync cycle) and the last sync time.
    pub fn get_status(&self) -> Pending<'a, DirectoryStatus> {
        self.client.request(Method::GET, "/organizations/current/directory/status").send()
    }
}

/// `/organizations/current/directory/groups`: groups synced from the identity provider.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryGroups<'a> {
    client: &'a Client,
}

impl<'a> DirectoryGroups<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of synced groups.
    pub fn list(&self, params: ListDirectoryParams) -> Pending<'a, Page<DirectoryGroup>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/organizations/current/directory/groups").query(&params)?.send())
        })
    }

    /// Every synced group, fetched lazily.
    pub fn list_all(&self, params: ListDirectoryParams) -> ItemStream<DirectoryGroup> {
        pagination::items(self.pages::<Page<DirectoryGroup>>(params))
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListDirectoryParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListDirectoryParams { cursor, ..params.clone() };
            async move { client.directory_groups().list(params).page::<P>().await }
        }))
    }
}

/// `/organizations/current/directory/reconciliation`: how managed endpoints resolve against the
/// directory.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryReconciliation<'a> {
    client: &'a Client,
}

impl<'a> DirectoryReconciliation<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of endpoints with their state (`matched`, `no_email`, `unmatched`, `ambiguous`).
    pub fn list(&self, params: ListDirectoryParams) -> Pending<'a, Page<ReconciliationRow>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self
                .client
                .request(Method::GET, "/organizations/current/directory/reconciliation")
                .query(&params)?
                .send())
        })
    }

    /// Every endpoint's row, fetched lazily.
    pub fn list_all(&self, params: ListDirectoryParams) -> ItemStream<ReconciliationRow> {
        pagination::items(self.pages::<Page<ReconciliationRow>>(params))
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListDirectoryParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListDirectoryParams { cursor, ..params.clone() };
            async move { client.directory_reconciliation().list(params).page::<P>().await }
        }))
    }
}
