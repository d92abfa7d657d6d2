use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{
    AddConnection, ConnectionResponse, CreateIntegration, Integration, IntegrationOAuthConfigResponse,
    IntegrationResponse, ListIntegrationsParams, SetIntegrationOAuthConfig, UpdateIntegration, ValidationResponse,
};
use crate::pagination::{self, ItemStream, Page, PageStream};
use crate::validate;

/// `/integrations`: MCP servers and the credentials to reach them.
#[derive(Debug, Clone, Copy)]
pub struct Integrations<'a> {
    client: &'a Client,
}

impl<'a> Integrations<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of integrations.
    pub async fn list(&self, params: ListIntegrationsParams) -> Result<Response<Page<Integration>>> {
        validate::limit(params.limit)?;
        self.client.request(Method::GET, "/integrations").query(&params)?.send().await
    }

    /// Every integration, fetched lazily.
    pub fn list_all(&self, params: ListIntegrationsParams) -> ItemStream<Integration> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of integrations, fetched lazily.
    pub fn list_pages(&self, params: ListIntegrationsParams) -> PageStream<Integration> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListIntegrationsParams { cursor, ..params.clone() };
            async move { Ok(client.integrations().list(params).await?.into_inner()) }
        }))
    }

    /// One integration.
    pub async fn get(&self, id: &str) -> Result<Response<IntegrationResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/integrations/{id}")).send().await
    }

    /// Registers an MCP server. `serverToken` is required by the `server_token` auth mode and
    /// is never echoed back (`serverTokenConfigured` says whether one is set).
    pub async fn create(&self, body: CreateIntegration) -> Result<Response<IntegrationResponse>> {
        validate::required("name", &body.name)?;
        validate::url("url", &body.url)?;
        self.client.request(Method::POST, "/integrations").json(&body)?.send().await
    }

    /// Changes an integration. Changing `authMode` clears every user's stored connection.
    pub async fn update(&self, id: &str, body: UpdateIntegration) -> Result<Response<IntegrationResponse>> {
        let id = validate::id("id", id)?;
        if let Some(name) = &body.name {
            validate::required("name", name)?;
        }
        if let Some(url) = &body.url {
            validate::url("url", url)?;
        }
        self.client.request(Method::PATCH, format!("/integrations/{id}")).json(&body)?.send().await
    }

    /// Archives an integration.
    pub async fn archive(&self, id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::DELETE, format!("/integrations/{id}")).send_empty().await
    }

    /// Checks that the MCP endpoint answers; the result also lands in `validationStatus`.
    pub async fn validate(&self, id: &str) -> Result<Response<ValidationResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::POST, format!("/integrations/{id}/validate")).send().await
    }

    /// The integration's own OAuth app (override of the platform-managed one).
    pub async fn get_oauth_config(&self, id: &str) -> Result<Response<IntegrationOAuthConfigResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/integrations/{id}/oauth")).send().await
    }

    /// Sets the integration's own OAuth app; the secret is stored, never returned.
    pub async fn set_oauth_config(
        &self,
        id: &str,
        body: SetIntegrationOAuthConfig,
    ) -> Result<Response<IntegrationOAuthConfigResponse>> {
        let id = validate::id("id", id)?;
        validate::required("clientId", &body.client_id)?;
        validate::url("authorizationUrl", &body.authorization_url)?;
        validate::url("tokenUrl", &body.token_url)?;
        self.client.request(Method::PUT, format!("/integrations/{id}/oauth")).json(&body)?.send().await
    }

    /// Removes the override; the platform-managed OAuth app applies again.
    pub async fn delete_oauth_config(&self, id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::DELETE, format!("/integrations/{id}/oauth")).send_empty().await
    }

    /// Stores the caller's personal token for a `user_token` integration.
    pub async fn add_connection(&self, id: &str, body: AddConnection) -> Result<Response<ConnectionResponse>> {
        let id = validate::id("id", id)?;
        validate::required("token", body.token.expose())?;
        self.client.request(Method::POST, format!("/integrations/{id}/connection")).json(&body)?.send().await
    }

    /// Whether the caller is connected.
    pub async fn get_connection_status(&self, id: &str) -> Result<Response<ConnectionResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/integrations/{id}/connection")).send().await
    }

    /// Forgets the caller's stored token.
    pub async fn revoke_connection(&self, id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::DELETE, format!("/integrations/{id}/connection")).send_empty().await
    }
}
