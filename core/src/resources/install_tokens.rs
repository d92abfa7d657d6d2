use http::Method;

use super::compose::{self, Composite, WALK_LIMIT};
use crate::client::Client;
use crate::models::{CreateToken, InstallToken, ListInstallTokensParams, MintedToken};
use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages, Rows};
use crate::pending::{Pending, pending};
use crate::validate;

const INSTALL_TOKENS: &str = "/organizations/current/install-tokens";

/// `/organizations/current/install-tokens`: what the install script reads as
/// `KONTEXT_INSTALL_TOKEN`.
#[derive(Debug, Clone, Copy)]
pub struct InstallTokens<'a> {
    client: &'a Client,
}

impl<'a> InstallTokens<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of install tokens (fingerprints and labels, never the tokens).
    pub fn list(&self, params: ListInstallTokensParams) -> Pending<'a, Page<InstallToken>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, INSTALL_TOKENS).query(&params)?.send())
        })
    }

    /// Every install token, fetched lazily.
    pub fn list_all(&self, params: ListInstallTokensParams) -> ItemStream<InstallToken> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of install tokens, fetched lazily.
    pub fn list_pages(&self, params: ListInstallTokensParams) -> PageStream<InstallToken> {
        self.pages::<Page<InstallToken>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListInstallTokensParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListInstallTokensParams { cursor, ..params.clone() };
            async move { client.install_tokens().list(params).page::<P>().await }
        }))
    }

    /// Mints an install token; `token` is in this answer only. Never sent twice (DECISIONS V8):
    /// on an error with `outcomeUnknown`, call [`reconcile`](Self::reconcile), then mint again.
    pub fn create(&self, body: CreateToken) -> Pending<'a, MintedToken> {
        pending(|| {
            validate::required("label", &body.label)?;
            Ok(self.client.request(Method::POST, INSTALL_TOKENS).json(&body)?.send())
        })
    }

    /// Revokes an install token by its SHA-256 fingerprint (also when it is already revoked).
    pub fn revoke(&self, sha256: &str) -> Pending<'a, ()> {
        pending(|| {
            let sha256 = validate::opaque_id("sha256", sha256)?;
            Ok(self.client.request(Method::POST, format!("{INSTALL_TOKENS}/{sha256}/revoke")).send_empty())
        })
    }

    /// After a mint whose outcome is unknown: revokes every live token labelled `label` that is
    /// not in `before` (the list taken just before minting) and returns them.
    pub fn reconcile(&self, before: Vec<InstallToken>, label: impl Into<String>) -> Composite<'a, Page<InstallToken>> {
        let client = self.client;
        let label = label.into();
        Box::pin(async move {
            let params = ListInstallTokensParams { limit: Some(WALK_LIMIT), cursor: None };
            let now = pagination::items(client.install_tokens().pages::<Rows<InstallToken>>(params));
            compose::reconcile(before, label, now, |sha| async move { client.install_tokens().revoke(&sha).await })
                .await
        })
    }
}
