use http::Method;

use crate::client::Client;
use crate::models::{ListEventsParams, TraceEvent};
use crate::pagination::Page;
use crate::pending::{Pending, pending};
use crate::validate;

/// `/mcp-events`: recent MCP events of the caller.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    client: &'a Client,
}

impl<'a> Events<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The most recent events (`GET /mcp-events?limit=`).
    pub fn list(&self, params: ListEventsParams) -> Pending<'a, Page<TraceEvent>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/mcp-events").query(&params)?.send())
        })
    }
}
