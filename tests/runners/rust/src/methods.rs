//! The call table of SCHEMA.md.

/// How a call touches the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only (allowed in `readOnly` scenarios).
    Read,
    /// Changes state.
    Write,
    /// Touches no resource of the organization (token cache, PKCE helpers).
    Local,
}

/// One row of the call table.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    pub name: &'static str,
    pub access: Access,
    /// Cannot fail, so the suite needs no failure case for it.
    pub infallible: bool,
    /// Positional arguments: (required, total).
    pub arity: (usize, usize),
}

const fn m(name: &'static str, access: Access, arity: (usize, usize)) -> Method {
    Method { name, access, infallible: false, arity }
}

use Access::{Local, Read, Write};

/// Every call of the table, in its order.
pub const METHODS: &[Method] = &[
    m("applications.list", Read, (0, 1)),
    m("applications.listAll", Read, (0, 1)),
    m("applications.get", Read, (1, 1)),
    m("applications.create", Write, (1, 1)),
    m("applications.update", Write, (2, 2)),
    m("applications.archive", Write, (1, 1)),
    m("applications.rotateSecret", Write, (1, 1)),
    m("applications.getOAuth", Read, (1, 1)),
    m("applications.updateOAuth", Write, (2, 2)),
    m("applications.listIntegrations", Read, (1, 1)),
    m("applications.setIntegrations", Write, (2, 2)),
    m("applications.attachIntegration", Write, (2, 2)),
    m("applications.detachIntegration", Write, (2, 2)),
    m("applications.revokeAllAgentSessions", Write, (1, 1)),
    m("applications.accessGraph", Read, (0, 1)),
    m("integrations.list", Read, (0, 1)),
    m("integrations.listAll", Read, (0, 1)),
    m("integrations.get", Read, (1, 1)),
    m("integrations.create", Write, (1, 1)),
    m("integrations.update", Write, (2, 2)),
    m("integrations.archive", Write, (1, 1)),
    m("integrations.validate", Write, (1, 1)),
    m("integrations.getOAuthConfig", Read, (1, 1)),
    m("integrations.setOAuthConfig", Write, (2, 2)),
    m("integrations.deleteOAuthConfig", Write, (1, 1)),
    m("integrations.addConnection", Write, (2, 2)),
    m("integrations.getConnectionStatus", Read, (1, 1)),
    m("integrations.revokeConnection", Write, (1, 1)),
    m("serviceAccounts.list", Read, (0, 1)),
    m("serviceAccounts.listAll", Read, (0, 1)),
    m("serviceAccounts.get", Read, (1, 1)),
    m("serviceAccounts.create", Write, (1, 1)),
    m("serviceAccounts.rotateSecret", Write, (1, 1)),
    m("serviceAccounts.revoke", Write, (1, 1)),
    m("agentSessions.list", Read, (1, 2)),
    m("agentSessions.get", Read, (2, 2)),
    m("agentSessions.revokeAll", Write, (1, 1)),
    m("traces.list", Read, (0, 1)),
    m("traces.listAll", Read, (0, 1)),
    m("traces.get", Read, (1, 2)),
    m("traces.stats", Read, (0, 1)),
    m("events.list", Read, (0, 1)),
    m("policy.get", Read, (0, 0)),
    m("policy.update", Write, (1, 1)),
    // Validation writes nothing; it is a POST only because it carries a body.
    m("policy.validate", Read, (1, 1)),
    m("policy.getDeployment", Read, (0, 0)),
    m("policy.updateDeployment", Write, (1, 1)),
    m("policy.getSettings", Read, (0, 0)),
    m("policy.updateSettings", Write, (1, 1)),
    m("decisions.list", Read, (0, 1)),
    m("decisions.listAll", Read, (0, 1)),
    m("decisions.get", Read, (1, 1)),
    m("client.refreshToken", Local, (0, 0)),
    Method { name: "client.clearToken", access: Local, infallible: true, arity: (0, 0) },
    Method { name: "oauth.createPkceChallenge", access: Local, infallible: true, arity: (0, 0) },
    m("oauth.buildAuthorizeUrl", Local, (1, 1)),
    m("oauth.exchangeCode", Local, (1, 1)),
    m("oauth.refresh", Local, (1, 1)),
];

/// The row of a call, if it is in the table.
pub fn find(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

/// `true` for the collecting `*.listAll` calls.
pub fn is_list_all(name: &str) -> bool {
    name.ends_with(".listAll")
}
