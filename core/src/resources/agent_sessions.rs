use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{AgentSession, ListSessionsParams, RevokedSessions, SessionResponse};
use crate::pagination::Page;
use crate::validate;

/// `/applications/:id/sessions`: the agent sessions connected through an application.
#[derive(Debug, Clone, Copy)]
pub struct AgentSessions<'a> {
    client: &'a Client,
}

impl<'a> AgentSessions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Sessions of an application: active ones by default (limit default 100).
    pub async fn list(&self, application_id: &str, params: ListSessionsParams) -> Result<Response<Page<AgentSession>>> {
        let application_id = validate::id("applicationId", application_id)?;
        validate::limit(params.limit)?;
        self.client
            .request(Method::GET, format!("/applications/{application_id}/sessions"))
            .query(&params)?
            .send()
            .await
    }

    /// One session.
    pub async fn get(&self, application_id: &str, session_id: &str) -> Result<Response<SessionResponse>> {
        let application_id = validate::id("applicationId", application_id)?;
        let session_id = validate::id("sessionId", session_id)?;
        self.client.request(Method::GET, format!("/applications/{application_id}/sessions/{session_id}")).send().await
    }

    /// Disconnects every session of the application; answers how many were connected.
    pub async fn revoke_all(&self, application_id: &str) -> Result<Response<RevokedSessions>> {
        let application_id = validate::id("applicationId", application_id)?;
        self.client.request(Method::DELETE, format!("/applications/{application_id}/sessions")).send().await
    }
}
