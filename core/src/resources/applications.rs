use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{
    AccessGraph, AccessGraphParams, Application, ApplicationResponse, CreateApplication, CreatedApplication,
    IntegrationIds, ListApplicationsParams, OAuthResponse, RevokedSessions, SetIntegrations, UpdateApplication,
    UpdateApplicationOAuth,
};
use crate::pagination::{self, ItemStream, Page, PageStream};
use crate::validate;

/// `/applications`: agent applications, their OAuth clients and integration links.
#[derive(Debug, Clone, Copy)]
pub struct Applications<'a> {
    client: &'a Client,
}

impl<'a> Applications<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of applications (`GET /applications`).
    pub async fn list(&self, params: ListApplicationsParams) -> Result<Response<Page<Application>>> {
        validate::limit(params.limit)?;
        self.client.request(Method::GET, "/applications").query(&params)?.send().await
    }

    /// Every application, page after page as the stream is polled (cursor pagination).
    pub fn list_all(&self, params: ListApplicationsParams) -> ItemStream<Application> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of applications, fetched lazily.
    pub fn list_pages(&self, params: ListApplicationsParams) -> PageStream<Application> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListApplicationsParams { cursor, ..params.clone() };
            async move { Ok(client.applications().list(params).await?.into_inner()) }
        }))
    }

    /// One application (`GET /applications/:id`).
    pub async fn get(&self, id: &str) -> Result<Response<ApplicationResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/applications/{id}")).send().await
    }

    /// Creates an application and its OAuth client (`POST /applications`). A confidential
    /// client's `oauth.clientSecret` is in this response only: store it now.
    pub async fn create(&self, body: CreateApplication) -> Result<Response<CreatedApplication>> {
        validate::required("name", &body.name)?;
        if let Some(oauth) = &body.oauth {
            for uri in &oauth.redirect_uris {
                validate::absolute_uri("redirectUris", uri)?;
            }
        }
        self.client.request(Method::POST, "/applications").json(&body)?.send().await
    }

    /// Renames, describes or configures external auth (`PATCH /applications/:id`).
    pub async fn update(&self, id: &str, body: UpdateApplication) -> Result<Response<ApplicationResponse>> {
        let id = validate::id("id", id)?;
        if let Some(name) = &body.name {
            validate::required("name", name)?;
        }
        self.client.request(Method::PATCH, format!("/applications/{id}")).json(&body)?.send().await
    }

    /// Archives an application: it keeps its data, leaves the default list, and its sessions are
    /// revoked (`DELETE /applications/:id`).
    pub async fn archive(&self, id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::DELETE, format!("/applications/{id}")).send_empty().await
    }

    /// Issues a new client secret; the old one stops working at once
    /// (`POST /applications/:id/rotate-secret`).
    pub async fn rotate_secret(&self, id: &str) -> Result<Response<OAuthResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::POST, format!("/applications/{id}/rotate-secret")).send().await
    }

    /// The application's OAuth client (`GET /applications/:id/oauth`).
    pub async fn get_oauth(&self, id: &str) -> Result<Response<OAuthResponse>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/applications/{id}/oauth")).send().await
    }

    /// Changes some OAuth settings (`PATCH /applications/:id/oauth`).
    pub async fn update_oauth(&self, id: &str, body: UpdateApplicationOAuth) -> Result<Response<OAuthResponse>> {
        let id = validate::id("id", id)?;
        for uri in body.redirect_uris.iter().flatten() {
            validate::absolute_uri("redirectUris", uri)?;
        }
        self.client.request(Method::PATCH, format!("/applications/{id}/oauth")).json(&body)?.send().await
    }

    /// Ids of the integrations attached to the application.
    pub async fn list_integrations(&self, id: &str) -> Result<Response<IntegrationIds>> {
        let id = validate::id("id", id)?;
        self.client.request(Method::GET, format!("/applications/{id}/integrations")).send().await
    }

    /// Replaces the set of attached integrations (`PUT /applications/:id/integrations`).
    pub async fn set_integrations(&self, id: &str, body: SetIntegrations) -> Result<Response<IntegrationIds>> {
        let id = validate::id("id", id)?;
        for integration_id in &body.integration_ids {
            validate::id("integrationIds", integration_id)?;
        }
        self.client.request(Method::PUT, format!("/applications/{id}/integrations")).json(&body)?.send().await
    }

    /// Attaches one integration; attaching twice changes nothing.
    pub async fn attach_integration(&self, id: &str, integration_id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        let integration_id = validate::id("integrationId", integration_id)?;
        self.client
            .request(Method::POST, format!("/applications/{id}/integrations/{integration_id}"))
            .send_empty()
            .await
    }

    /// Detaches one integration.
    pub async fn detach_integration(&self, id: &str, integration_id: &str) -> Result<Response<()>> {
        let id = validate::id("id", id)?;
        let integration_id = validate::id("integrationId", integration_id)?;
        self.client
            .request(Method::DELETE, format!("/applications/{id}/integrations/{integration_id}"))
            .send_empty()
            .await
    }

    /// Disconnects every agent session of the application (`DELETE /applications/:id/sessions`).
    pub async fn revoke_all_agent_sessions(&self, id: &str) -> Result<Response<RevokedSessions>> {
        self.client.agent_sessions().revoke_all(id).await
    }

    /// The graph of applications and the integrations they may use.
    pub async fn access_graph(&self, params: AccessGraphParams) -> Result<Response<AccessGraph>> {
        self.client.request(Method::GET, "/applications/access-graph").query(&params)?.send().await
    }
}
