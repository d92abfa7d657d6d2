use http::Method;

use crate::client::Client;
use crate::models::{AgentSession, ListSessionsParams, RevokedSessions, SessionResponse};
use crate::pagination::Page;
use crate::pending::{Pending, pending};
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
    pub fn list(&self, application_id: &str, params: ListSessionsParams) -> Pending<'a, Page<AgentSession>> {
        pending(|| {
            let application_id = validate::id("applicationId", application_id)?;
            validate::limit(params.limit)?;
            Ok(self
                .client
                .request(Method::GET, format!("/applications/{application_id}/sessions"))
                .query(&params)?
                .send())
        })
    }

    /// One session.
    pub fn get(&self, application_id: &str, session_id: &str) -> Pending<'a, SessionResponse> {
        pending(|| {
            let application_id = validate::id("applicationId", application_id)?;
            let session_id = validate::id("sessionId", session_id)?;
            Ok(self.client.request(Method::GET, format!("/applications/{application_id}/sessions/{session_id}")).send())
        })
    }

    /// Disconnects every session of the application; answers how many were connected.
    pub fn revoke_all(&self, application_id: &str) -> Pending<'a, RevokedSessions> {
        pending(|| {
            let application_id = validate::id("applicationId", application_id)?;
            Ok(self.client.request(Method::DELETE, format!("/applications/{application_id}/sessions")).send())
        })
    }
}
