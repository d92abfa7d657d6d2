use http::Method;

use crate::client::Client;
use crate::models::AgentAccess;
use crate::pending::Pending;

/// `/organizations/current`: settings of the organization itself.
#[derive(Debug, Clone, Copy)]
pub struct Organization<'a> {
    client: &'a Client,
}

impl<'a> Organization<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// What agents connected through browser approval may do. Read-only here: changing it needs
    /// an admin dashboard session (the API answers a 403 without `missingScopes`).
    pub fn get_agent_access(&self) -> Pending<'a, AgentAccess> {
        self.client.request(Method::GET, "/organizations/current/agent-access").send()
    }
}
