use http::Method;

use crate::client::Client;
use crate::models::{
    CreateServiceAccount, CreatedServiceAccount, CredentialsResponse, ListServiceAccountsParams, ServiceAccount,
    ServiceAccountResponse,
};
use crate::pending::{Pending, pending};

use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages, Rows};
use crate::validate;

/// `/service-accounts`: machine identities that call this API with client credentials.
#[derive(Debug, Clone, Copy)]
pub struct ServiceAccounts<'a> {
    client: &'a Client,
}

impl<'a> ServiceAccounts<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of service accounts; never includes secrets.
    pub fn list(&self, params: ListServiceAccountsParams) -> Pending<'a, Page<ServiceAccount>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/service-accounts").query(&params)?.send())
        })
    }

    /// Every service account, fetched lazily.
    pub fn list_all(&self, params: ListServiceAccountsParams) -> ItemStream<ServiceAccount> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of service accounts, fetched lazily.
    pub fn list_pages(&self, params: ListServiceAccountsParams) -> PageStream<ServiceAccount> {
        self.pages::<Page<ServiceAccount>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListServiceAccountsParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListServiceAccountsParams { cursor, ..params.clone() };
            async move { client.service_accounts().list(params).page::<P>().await }
        }))
    }

    /// The live service accounts named exactly `name` (none or one: names are unique, Q12), found
    /// by walking the list. After a create whose outcome is unknown (DECISIONS V9): if it is
    /// there, its secret was never seen, so rotate it; if not, create it again.
    pub fn find_by_name(&self, name: impl Into<String>) -> super::Composite<'a, Page<ServiceAccount>> {
        let params = ListServiceAccountsParams { limit: Some(super::compose::WALK_LIMIT), cursor: None };
        let all = pagination::items(self.pages::<Rows<ServiceAccount>>(params));
        Box::pin(super::compose::find_by_name(name.into(), all, |sa: &ServiceAccount| sa.name.as_str()))
    }

    /// One service account, by its UUID (not its `sa_…` client id).
    pub fn get(&self, id: &str) -> Pending<'a, ServiceAccountResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/service-accounts/{id}")).send())
        })
    }

    /// Creates a service account; its `credentials.clientSecret` is shown only here.
    pub fn create(&self, body: CreateServiceAccount) -> Pending<'a, CreatedServiceAccount> {
        pending(|| {
            validate::required("name", &body.name)?;
            Ok(self.client.request(Method::POST, "/service-accounts").json(&body)?.send())
        })
    }

    /// Issues a new secret; the old one stops working at once, tokens already minted live on.
    pub fn rotate_secret(&self, id: &str) -> Pending<'a, CredentialsResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::POST, format!("/service-accounts/{id}/rotate-secret")).send())
        })
    }

    /// Deletes a service account; its tokens stop working.
    pub fn revoke(&self, id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::DELETE, format!("/service-accounts/{id}")).send_empty())
        })
    }
}
