use http::Method;

use crate::client::Client;
use crate::models::{
    AccessGraph, AccessGraphParams, Application, ApplicationResponse, CreateApplication, CreatedApplication,
    IntegrationIds, ListApplicationsParams, OAuthResponse, RevokedSessions, SetIntegrations, UpdateApplication,
    UpdateApplicationOAuth,
};
use crate::pending::{Pending, pending};

use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages, Rows};
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
    pub fn list(&self, params: ListApplicationsParams) -> Pending<'a, Page<Application>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/applications").query(&params)?.send())
        })
    }

    /// Every application, page after page as the stream is polled (cursor pagination).
    pub fn list_all(&self, params: ListApplicationsParams) -> ItemStream<Application> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of applications, fetched lazily.
    pub fn list_pages(&self, params: ListApplicationsParams) -> PageStream<Application> {
        self.pages::<Page<Application>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListApplicationsParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListApplicationsParams { cursor, ..params.clone() };
            async move { client.applications().list(params).page::<P>().await }
        }))
    }

    /// The live applications named exactly `name` (none or one: names are unique, Q12), found by
    /// walking the list. After a create whose outcome is unknown (DECISIONS V9): if it is there,
    /// its secret was never seen, so rotate it; if not, create it again.
    pub fn find_by_name(&self, name: impl Into<String>) -> super::Composite<'a, Page<Application>> {
        let all = pagination::items(self.pages::<Rows<Application>>(ListApplicationsParams {
            limit: Some(super::compose::WALK_LIMIT),
            all: Some(true),
            ..Default::default()
        }));
        Box::pin(super::compose::find_by_name(name.into(), all, |app: &Application| app.name.as_str()))
    }

    /// One application (`GET /applications/:id`).
    pub fn get(&self, id: &str) -> Pending<'a, ApplicationResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/applications/{id}")).send())
        })
    }

    /// Creates an application and its OAuth client (`POST /applications`). A confidential
    /// client's `oauth.clientSecret` is in this response only: store it now.
    pub fn create(&self, body: CreateApplication) -> Pending<'a, CreatedApplication> {
        pending(|| {
            validate::required("name", &body.name)?;
            if let Some(oauth) = &body.oauth {
                for uri in &oauth.redirect_uris {
                    validate::absolute_uri("redirectUris", uri)?;
                }
            }
            Ok(self.client.request(Method::POST, "/applications").json(&body)?.send())
        })
    }

    /// Renames, describes or configures external auth (`PATCH /applications/:id`).
    pub fn update(&self, id: &str, body: UpdateApplication) -> Pending<'a, ApplicationResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            if let Some(name) = &body.name {
                validate::required("name", name)?;
            }
            Ok(self.client.request(Method::PATCH, format!("/applications/{id}")).json(&body)?.send())
        })
    }

    /// Archives an application: it keeps its data, leaves the default list, and its sessions are
    /// revoked (`DELETE /applications/:id`).
    pub fn archive(&self, id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::DELETE, format!("/applications/{id}")).send_empty())
        })
    }

    /// Issues a new client secret; the old one stops working at once
    /// (`POST /applications/:id/rotate-secret`).
    pub fn rotate_secret(&self, id: &str) -> Pending<'a, OAuthResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::POST, format!("/applications/{id}/rotate-secret")).send())
        })
    }

    /// The application's OAuth client (`GET /applications/:id/oauth`).
    pub fn get_oauth(&self, id: &str) -> Pending<'a, OAuthResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/applications/{id}/oauth")).send())
        })
    }

    /// Changes some OAuth settings (`PATCH /applications/:id/oauth`).
    pub fn update_oauth(&self, id: &str, body: UpdateApplicationOAuth) -> Pending<'a, OAuthResponse> {
        pending(|| {
            let id = validate::id("id", id)?;
            for uri in body.redirect_uris.iter().flatten() {
                validate::absolute_uri("redirectUris", uri)?;
            }
            Ok(self.client.request(Method::PATCH, format!("/applications/{id}/oauth")).json(&body)?.send())
        })
    }

    /// Ids of the integrations attached to the application.
    pub fn list_integrations(&self, id: &str) -> Pending<'a, IntegrationIds> {
        pending(|| {
            let id = validate::id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/applications/{id}/integrations")).send())
        })
    }

    /// Replaces the set of attached integrations (`PUT /applications/:id/integrations`).
    pub fn set_integrations(&self, id: &str, body: SetIntegrations) -> Pending<'a, IntegrationIds> {
        pending(|| {
            let id = validate::id("id", id)?;
            for integration_id in &body.integration_ids {
                validate::id("integrationIds", integration_id)?;
            }
            Ok(self.client.request(Method::PUT, format!("/applications/{id}/integrations")).json(&body)?.send())
        })
    }

    /// Attaches one integration; attaching twice changes nothing.
    pub fn attach_integration(&self, id: &str, integration_id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            let integration_id = validate::id("integrationId", integration_id)?;
            Ok(self
                .client
                .request(Method::POST, format!("/applications/{id}/integrations/{integration_id}"))
                .send_empty())
        })
    }

    /// Detaches one integration.
    pub fn detach_integration(&self, id: &str, integration_id: &str) -> Pending<'a, ()> {
        pending(|| {
            let id = validate::id("id", id)?;
            let integration_id = validate::id("integrationId", integration_id)?;
            Ok(self
                .client
                .request(Method::DELETE, format!("/applications/{id}/integrations/{integration_id}"))
                .send_empty())
        })
    }

    /// Disconnects every agent session of the application (`DELETE /applications/:id/sessions`).
    pub fn revoke_all_agent_sessions(&self, id: &str) -> Pending<'a, RevokedSessions> {
        // Checked here too, so that an error names this method's argument (`id`), not the
        // delegate's (`applicationId`).
        match validate::id("id", id) {
            Ok(id) => self.client.agent_sessions().revoke_all(id),
            Err(e) => Pending::invalid(e),
        }
    }

    /// The graph of applications and the integrations they may use.
    pub fn access_graph(&self, params: AccessGraphParams) -> Pending<'a, AccessGraph> {
        pending(|| Ok(self.client.request(Method::GET, "/applications/access-graph").query(&params)?.send()))
    }
}
