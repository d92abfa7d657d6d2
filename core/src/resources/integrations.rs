use http::Method;

use crate::client::Client;
use crate::models::{
    AddConnection, ConnectionResponse, CreateIntegration, Integration, IntegrationOAuthConfigResponse,
    IntegrationResponse, ListIntegrationsParams, SetIntegrationOAuthConfig, UpdateIntegration, ValidationResponse,
};
use crate::pending::{Pending, Shape, pending};

use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages};
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
    pub fn list(&self, params: ListIntegrationsParams) -> Pending<'a, Page<Integration>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/integrations").query(&params)?.send())
        })
    }

    /// Every integration, fetched lazily.
    pub fn list_all(&self, params: ListIntegrationsParams) -> ItemStream<Integration> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of integrations, fetched lazily.
    pub fn list_pages(&self, params: ListIntegrationsParams) -> PageStream<Integration> {
        self.pages::<Page<Integration>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListIntegrationsParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListIntegrationsParams { cursor, ..params.clone() };
            async move { client.integrations().list(params).page::<P>().await }
        }))
    }

    /// One integration.
    pub fn get(&self, id: &str) -> Pending<'a, IntegrationResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/integrations/{id}")).send())
        })
    }

    /// Registers an MCP server. `serverToken` is required by the `server_token` auth mode and
    /// is never echoed back (`serverTokenConfigured` says whether one is set).
    pub fn create(&self, body: CreateIntegration) -> Pending<'a, IntegrationResponse> {
        pending(|| {
            validate::required("name", &body.name)?;
            validate::url("url", &body.url)?;
            Ok(self.client.request(Method::POST, "/integrations").json(&body)?.send())
        })
    }

    /// Changes an integration. Changing `authMode` clears every user's stored connection.
    pub fn update(&self, id: &str, body: UpdateIntegration) -> Pending<'a, IntegrationResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            if let Some(name) = &body.name {
                validate::required("name", name)?;
            }
            if let Some(url) = &body.url {
                validate::url("url", url)?;
            }
            Ok(self.client.request(Method::PATCH, format!("/integrations/{id}")).json(&body)?.send())
        })
    }

    /// Archives an integration.
    pub fn archive(&self, id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::DELETE, format!("/integrations/{id}")).send_empty())
        })
    }

    /// Checks that the MCP endpoint answers; the result also lands in `validationStatus`. The
    /// answer is `{status, message?, checkedAt?, integration?}` whichever of its three shapes
    /// the server sent (DECISIONS V2), for the typed result and the JSON text alike.
    pub fn validate(&self, id: &str) -> Pending<'a, ValidationResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self
                .client
                .request(Method::POST, format!("/integrations/{id}/validate"))
                .send_shaped(Shape::Normalize(ValidationResponse::normalize_json)))
        })
    }

    /// The integration's own OAuth app (override of the platform-managed one).
    pub fn get_oauth_config(&self, id: &str) -> Pending<'a, IntegrationOAuthConfigResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/integrations/{id}/oauth")).send())
        })
    }

    /// Sets the integration's own OAuth app; the secret is stored, never returned.
    pub fn set_oauth_config(
        &self,
        id: &str,
        body: SetIntegrationOAuthConfig,
    ) -> Pending<'a, IntegrationOAuthConfigResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            validate::required("clientId", &body.client_id)?;
            validate::url("authorizationUrl", &body.authorization_url)?;
            validate::url("tokenUrl", &body.token_url)?;
            Ok(self.client.request(Method::PUT, format!("/integrations/{id}/oauth")).json(&body)?.send())
        })
    }

    /// Removes the override; the platform-managed OAuth app applies again.
    pub fn delete_oauth_config(&self, id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::DELETE, format!("/integrations/{id}/oauth")).send_empty())
        })
    }

    /// Stores the caller's personal token for a `user_token` integration.
    pub fn add_connection(&self, id: &str, body: AddConnection) -> Pending<'a, ConnectionResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            validate::required("token", body.token.expose())?;
            Ok(self.client.request(Method::POST, format!("/integrations/{id}/connection")).json(&body)?.send())
        })
    }

    /// Whether the caller is connected.
    pub fn get_connection_status(&self, id: &str) -> Pending<'a, ConnectionResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/integrations/{id}/connection")).send())
        })
    }

    /// Forgets the caller's stored token.
    pub fn revoke_connection(&self, id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::DELETE, format!("/integrations/{id}/connection")).send_empty())
        })
    }
}
