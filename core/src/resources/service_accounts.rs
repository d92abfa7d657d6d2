use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{
    CreateServiceAccount, CreatedServiceAccount, CredentialsResponse, ListServiceAccountsParams, ServiceAccount,
    ServiceAccountResponse,
};
use crate::pagination::{self, ItemStream, Page, PageStream};
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
    pub async fn list(&self, params: ListServiceAccountsParams) -> Result<Response<Page<ServiceAccount>>> {
        validate::limit(params.limit)?;
        self.client.request(Method::GET, "/service-accounts").query(&params)?.send().await
    }

    /// Every service account, fetched lazily.
    pub fn list_all(&self, params: ListServiceAccountsParams) -> ItemStream<ServiceAccount> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of service accounts, fetched lazily.
    pub fn list_pages(&self, params: ListServiceAccountsParams) -> PageStream<ServiceAccount> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListServiceAccountsParams { cursor, ..params.clone() };
            async move { Ok(client.service_accounts().list(params).await?.into_inner()) }
        }))
    }

    /// One service account, by its UUID (not its `sa_…` client id).
    pub async fn get(&self, id: &str) -> Result<Response<ServiceAccountResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/service-accounts/{id}")).send().await
    }

    /// Creates a service account; its `credentials.clientSecret` is shown only here.
    pub async fn create(&self, body: CreateServiceAccount) -> Result<Response<CreatedServiceAccount>> {
        validate::required("name", &body.name)?;
        self.client.request(Method::POST, "/service-accounts").json(&body)?.send().await
    }

    /// Issues a new secret; the old one stops working at once, tokens already minted live on.
    pub async fn rotate_secret(&self, id: &str) -> Result<Response<CredentialsResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::POST, format!("/service-accounts/{id}/rotate-secret")).send().await
    }

    /// Deletes a service account; its tokens stop working.
    pub async fn revoke(&self, id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::DELETE, format!("/service-accounts/{id}")).send_empty().await
    }
}
