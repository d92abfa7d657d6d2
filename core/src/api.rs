//! The API description: every public method of the SDK, described once.
//!
//! Each entry names the method (`resource.method`, as in `tests/scenarios/SCHEMA.md`), its HTTP
//! method and path, its positional arguments and their types (the Rust models, which stay the one
//! source of field names and types), its result, how it pages, how it may be retried and which
//! scope it needs. `tools/codegen` (`just codegen`) turns it into the dispatch table of this crate,
//! the Python sync and async resources and models, the JavaScript resources and `index.d.ts`, the
//! Rust scenario runner's call table, the call list of `tests/scenarios/SCHEMA.md` and the
//! README's method table.
//!
//! The Rust method itself (validation, headers, the request) stays hand-written in
//! `resources/`; this table only says how every language reaches it. Docs are written once for
//! every language: names in backticks are the wire's camelCase, which the Python generator turns
//! into snake_case.
//!
//! Compiled only with the `describe` feature.

#![allow(missing_docs)] // Plain data; the fields' names say what they hold.

use crate::describe::{Describe, Ty};
use crate::models::*;

/// How a method reaches its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// An API request: HTTP method and path below `/api/{version}` (`{name}` = a path argument).
    Http(&'static str, &'static str),
    /// Answered by the client itself (token cache).
    Client,
    /// A user-token helper (`oauth.*`): needs no client.
    OAuth,
    /// An SDK-side composition of API requests (reconcile, `findByName`, verified downloads):
    /// the Rust method returns a [`crate::resources::Composite`] future; every language calls it
    /// by name like any other method.
    Composite,
}

/// How a list method pages; a paged list also gets a `listAll` iterator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Not a list, or a list that is not paged.
    None,
    /// `limit` + `cursor`; the answer's `nextCursor` fetches the next page.
    Cursor,
    /// `limit` + `offset`; a page shorter than `limit` is the last.
    Offset,
}

pub use crate::retry::RetryClass;

/// Where an argument goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A path segment (a string id).
    Path,
    /// A required string sent as a request header, not in the body (the deployment `etag` of
    /// `policy.applyAction`, sent as `If-Match`). Positional like a path argument.
    Header,
    /// The JSON body: required.
    Body,
    /// Query parameters: optional (every field is).
    Query,
    /// A request object handled by the SDK itself (`oauth.*`): required.
    Request,
    /// A required positional argument of a composite method, of any described type (e.g. the
    /// list of tokens taken before a mint).
    Value,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// camelCase, as in the scenario files and error messages (`argument`).
    pub name: &'static str,
    pub kind: ArgKind,
    pub ty: Ty,
}

impl Arg {
    /// Whether a call may leave it out.
    pub fn optional(&self) -> bool {
        self.kind == ArgKind::Query
    }
}

/// What a method answers.
#[derive(Debug, Clone)]
pub enum Output {
    /// Nothing (`null` / `None` / `void`).
    Nothing,
    /// One object.
    Model(Ty),
    /// One page of a list of these items (`{items, nextCursor?}`).
    Page(Ty),
}

#[derive(Debug, Clone)]
pub struct Method {
    /// `applications`, `serviceAccounts`, `client`, `oauth`.
    pub resource: &'static str,
    /// `getOAuth`.
    pub name: &'static str,
    pub transport: Transport,
    pub args: Vec<Arg>,
    pub output: Output,
    pub paging: Paging,
    /// `None` for methods that send no API request.
    pub retry: Option<RetryClass>,
    /// The scope the API requires (`None`: no API request).
    pub scope: Option<&'static str>,
    /// Changes nothing on the server (a POST that only checks, like `policy.validate`, too).
    pub reads: bool,
    /// Cannot fail (the scenario suite needs no failure case for it).
    pub infallible: bool,
    pub doc: &'static str,
    /// Doc of the `listAll` iterator of a paged list.
    pub list_all_doc: &'static str,
    /// Other names the JavaScript client and the dispatch table accept (the official client's).
    pub aliases: Vec<&'static str>,
    /// JavaScript also takes the body as the bare list of this field (`setIntegrations(id, [..])`).
    pub js_bare_list: Option<&'static str>,
    /// The Python docstring, where the shared doc does not fit Python.
    pub py_doc: Option<&'static str>,
}

impl Method {
    /// `applications.getOAuth`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.resource, self.name)
    }

    /// The field a `listAll` iterator leaves out of the list parameters (it pages by itself).
    pub fn list_all_drops(&self) -> Option<&'static str> {
        match self.paging {
            Paging::None => None,
            Paging::Cursor => Some("cursor"),
            Paging::Offset => Some("offset"),
        }
    }

    fn arg(mut self, name: &'static str, kind: ArgKind, ty: Ty) -> Self {
        self.args.push(Arg { name, kind, ty });
        self
    }

    fn path(self, name: &'static str) -> Self {
        self.arg(name, ArgKind::Path, Ty::String)
    }

    fn header(self, name: &'static str) -> Self {
        self.arg(name, ArgKind::Header, Ty::String)
    }

    fn body<T: Describe>(self) -> Self {
        self.arg("data", ArgKind::Body, T::ty())
    }

    fn query<T: Describe>(self) -> Self {
        self.arg("params", ArgKind::Query, T::ty())
    }

    fn request<T: Describe>(self) -> Self {
        self.arg("request", ArgKind::Request, T::ty())
    }

    fn value<T: Describe>(self, name: &'static str) -> Self {
        self.arg(name, ArgKind::Value, T::ty())
    }

    fn returns<T: Describe>(mut self) -> Self {
        self.output = Output::Model(T::ty());
        self
    }

    fn pages<T: Describe>(mut self, paging: Paging) -> Self {
        self.output = Output::Page(T::ty());
        self.paging = paging;
        self
    }

    fn scope(mut self, scope: &'static str) -> Self {
        self.scope = Some(scope);
        self
    }

    fn retry(mut self, class: RetryClass) -> Self {
        self.retry = Some(class);
        self
    }

    /// A POST that changes nothing.
    fn reads(mut self) -> Self {
        self.reads = true;
        self
    }

    fn infallible(mut self) -> Self {
        self.infallible = true;
        self
    }

    fn doc(mut self, doc: &'static str) -> Self {
        self.doc = doc;
        self
    }

    fn list_all_doc(mut self, doc: &'static str) -> Self {
        self.list_all_doc = doc;
        self
    }

    fn alias(mut self, name: &'static str) -> Self {
        self.aliases.push(name);
        self
    }

    fn js_bare_list(mut self, field: &'static str) -> Self {
        self.js_bare_list = Some(field);
        self
    }

    fn py_doc(mut self, doc: &'static str) -> Self {
        self.py_doc = Some(doc);
        self
    }
}

fn method(full: &'static str, transport: Transport) -> Method {
    let (resource, name) = full.split_once('.').expect("`resource.method`");
    let (retry, reads) = match transport {
        // The retry class follows the HTTP method unless the entry says otherwise.
        Transport::Http(verb, _) => (
            Some(match verb {
                "GET" | "PUT" | "DELETE" => RetryClass::Safe,
                _ => RetryClass::Keyed,
            }),
            verb == "GET",
        ),
        Transport::Client | Transport::OAuth | Transport::Composite => (None, false),
    };
    Method {
        resource,
        name,
        transport,
        args: Vec::new(),
        output: Output::Nothing,
        paging: Paging::None,
        retry,
        scope: None,
        reads,
        infallible: false,
        doc: "",
        list_all_doc: "",
        aliases: Vec::new(),
        js_bare_list: None,
        py_doc: None,
    }
}

fn get(name: &'static str, path: &'static str) -> Method {
    method(name, Transport::Http("GET", path))
}
fn post(name: &'static str, path: &'static str) -> Method {
    method(name, Transport::Http("POST", path))
}
fn put(name: &'static str, path: &'static str) -> Method {
    method(name, Transport::Http("PUT", path))
}
fn patch(name: &'static str, path: &'static str) -> Method {
    method(name, Transport::Http("PATCH", path))
}
fn delete(name: &'static str, path: &'static str) -> Method {
    method(name, Transport::Http("DELETE", path))
}
/// An SDK-side composition: its scope is that of the requests it makes, its retries theirs.
fn composite(name: &'static str) -> Method {
    method(name, Transport::Composite)
}

/// One resource: a class in Python, an object in JavaScript, a handle in Rust.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub name: &'static str,
    pub doc: &'static str,
}

/// The resources, in the order every surface lists them.
pub const RESOURCES: &[Resource] = &[
    Resource { name: "applications", doc: "Applications: the OAuth clients AI agents connect through." },
    Resource {
        name: "integrations",
        doc: "Integrations: the MCP servers applications may use, and their credentials.",
    },
    Resource { name: "serviceAccounts", doc: "Service accounts: machine credentials acting for the organization." },
    Resource { name: "agentSessions", doc: "Agent sessions of an application." },
    Resource { name: "traces", doc: "Traces of agent activity and their statistics." },
    Resource { name: "events", doc: "Recent MCP events." },
    Resource {
        name: "policy",
        doc: "The organization's Cedar policy, its two-slot deployment, history, rule templates, actions, replay and \
              blocked calls, and the policy settings (optimistic concurrency: pass back the `etag` / `updatedAt` you \
              read).",
    },
    Resource { name: "decisions", doc: "Policy decisions: one per tool call the policy engine allowed or denied." },
    // --- issue 23, admin surface ---
    Resource {
        name: "scimTokens",
        doc: "SCIM tokens: the secrets an identity provider uses to push users and groups (shown once, at mint).",
    },
    Resource { name: "directory", doc: "The directory's sync status." },
    Resource { name: "directoryGroups", doc: "Groups synced from the identity provider." },
    Resource { name: "directoryReconciliation", doc: "How managed endpoints resolve against the directory." },
    Resource {
        name: "installTokens",
        doc: "Install tokens: what the install script reads as `KONTEXT_INSTALL_TOKEN` (shown once, at mint).",
    },
    Resource {
        name: "releases",
        doc: "Releases of the endpoint software, and downloads checked against the manifest's SHA-256.",
    },
    Resource { name: "organization", doc: "The organization's own settings." },
];

const APPS_READ: &str = "management:applications:read";
const APPS_WRITE: &str = "management:applications:write";
const PROVIDERS_READ: &str = "management:providers:read";
const PROVIDERS_WRITE: &str = "management:providers:write";
const SETTINGS_READ: &str = "management:settings:read";
const SETTINGS_WRITE: &str = "management:settings:write";
const POLICY_READ: &str = "management:policy:read";
const POLICY_WRITE: &str = "management:policy:write";
const LOGS_READ: &str = "management:logs:read";
const DIRECTORY_READ: &str = "management:directory:read";
const DIRECTORY_WRITE: &str = "management:directory:write";
const DEPLOYMENTS_READ: &str = "management:deployments:read";
const DEPLOYMENTS_WRITE: &str = "management:deployments:write";

/// Every method, in the order every surface lists them.
pub fn methods() -> Vec<Method> {
    use Paging::{Cursor, Offset};
    use RetryClass::{CredentialMinting, Precondition, Safe};
    vec![
        // --- applications ---
        get("applications.list", "/applications")
            .query::<ListApplicationsParams>()
            .pages::<Application>(Cursor)
            .scope(APPS_READ)
            .doc("One page of applications (`limit` 1–200, default 50; pass `nextCursor` as `cursor`).")
            .list_all_doc("Every application, fetched lazily page by page (`limit` is the page size)."),
        get("applications.get", "/applications/{id}")
            .path("id")
            .returns::<ApplicationResponse>()
            .scope(APPS_READ)
            .doc("`{application}` by id (UUID)."),
        post("applications.create", "/applications")
            .body::<CreateApplication>()
            .returns::<CreatedApplication>()
            .scope(APPS_WRITE)
            .retry(CredentialMinting)
            .doc(
                "Creates an application. `oauth`: `{type, redirectUris, pkceRequired, scopes, allowedResources}`. The \
                 answer's `oauth.clientSecret` is shown only this once.",
            ),
        patch("applications.update", "/applications/{id}")
            .path("id")
            .body::<UpdateApplication>()
            .returns::<ApplicationResponse>()
            .scope(APPS_WRITE)
            .doc("Changes the given fields of an application."),
        delete("applications.archive", "/applications/{id}")
            .path("id")
            .scope(APPS_WRITE)
            .doc("Archives an application (its client stops working)."),
        post("applications.rotateSecret", "/applications/{id}/rotate-secret")
            .path("id")
            .returns::<OAuthResponse>()
            .scope(APPS_WRITE)
            .retry(CredentialMinting)
            .doc("Issues a new client secret (in `oauth.clientSecret`); the old one stops working."),
        get("applications.getOAuth", "/applications/{id}/oauth")
            .path("id")
            .returns::<OAuthResponse>()
            .scope(APPS_READ)
            .alias("getOAuthConfig")
            .doc("`{oauth}`: the application's OAuth settings (without the secret)."),
        patch("applications.updateOAuth", "/applications/{id}/oauth")
            .path("id")
            .body::<UpdateApplicationOAuth>()
            .returns::<OAuthResponse>()
            .scope(APPS_WRITE)
            .alias("updateOAuthConfig")
            .doc("Changes the given OAuth settings."),
        get("applications.listIntegrations", "/applications/{id}/integrations")
            .path("id")
            .returns::<IntegrationIds>()
            .scope(APPS_READ)
            .doc("`{integrationIds}` attached to the application."),
        put("applications.setIntegrations", "/applications/{id}/integrations")
            .path("id")
            .body::<SetIntegrations>()
            .returns::<IntegrationIds>()
            .scope(APPS_WRITE)
            .js_bare_list("integrationIds")
            .doc("Replaces the set of attached integrations."),
        post("applications.attachIntegration", "/applications/{id}/integrations/{integrationId}")
            .path("id")
            .path("integrationId")
            .scope(APPS_WRITE)
            .doc("Attaches one integration."),
        delete("applications.detachIntegration", "/applications/{id}/integrations/{integrationId}")
            .path("id")
            .path("integrationId")
            .scope(APPS_WRITE)
            .doc("Detaches one integration."),
        delete("applications.revokeAllAgentSessions", "/applications/{id}/sessions")
            .path("id")
            .returns::<RevokedSessions>()
            .scope(APPS_WRITE)
            .doc("Disconnects every agent session of the application."),
        get("applications.accessGraph", "/applications/access-graph")
            .query::<AccessGraphParams>()
            .returns::<AccessGraph>()
            .scope(APPS_READ)
            .doc("Applications and integrations as nodes, attachments as edges."),
        composite("applications.findByName")
            .path("name")
            .pages::<Application>(Paging::None)
            .scope(APPS_READ)
            .reads()
            .doc(
                "`{items}`: the live applications named exactly `name` (none or one), found by walking the list. After \
                 a `create` whose outcome is unknown: found means it was created (its secret was never seen: \
                 `rotateSecret`), none means create it again.",
            ),
        // --- integrations ---
        get("integrations.list", "/integrations")
            .query::<ListIntegrationsParams>()
            .pages::<Integration>(Cursor)
            .scope(PROVIDERS_READ)
            .doc("One page of integrations.")
            .list_all_doc("Every integration, fetched lazily page by page."),
        get("integrations.get", "/integrations/{id}")
            .path("id")
            .returns::<IntegrationResponse>()
            .scope(PROVIDERS_READ)
            .doc("`{integration}` by id."),
        post("integrations.create", "/integrations")
            .body::<CreateIntegration>()
            .returns::<IntegrationResponse>()
            .scope(PROVIDERS_WRITE)
            .doc("Creates an integration (`serverToken` is required exactly for `authMode=\"server_token\"`)."),
        patch("integrations.update", "/integrations/{id}")
            .path("id")
            .body::<UpdateIntegration>()
            .returns::<IntegrationResponse>()
            .scope(PROVIDERS_WRITE)
            .doc("Changes the given fields (switching `authMode` clears every user connection)."),
        delete("integrations.archive", "/integrations/{id}")
            .path("id")
            .scope(PROVIDERS_WRITE)
            .doc("Archives an integration."),
        post("integrations.validate", "/integrations/{id}/validate")
            .path("id")
            .returns::<ValidationResponse>()
            .scope(PROVIDERS_WRITE)
            .doc("Checks that the MCP endpoint answers."),
        get("integrations.getOAuthConfig", "/integrations/{id}/oauth")
            .path("id")
            .returns::<IntegrationOAuthConfigResponse>()
            .scope(PROVIDERS_READ)
            .doc("The integration's own OAuth app (the secret is never returned)."),
        put("integrations.setOAuthConfig", "/integrations/{id}/oauth")
            .path("id")
            .body::<SetIntegrationOAuthConfig>()
            .returns::<IntegrationOAuthConfigResponse>()
            .scope(PROVIDERS_WRITE)
            .doc("Replaces the integration's own OAuth app."),
        delete("integrations.deleteOAuthConfig", "/integrations/{id}/oauth")
            .path("id")
            .scope(PROVIDERS_WRITE)
            .doc("Goes back to the platform-managed OAuth app."),
        post("integrations.addConnection", "/integrations/{id}/connection")
            .path("id")
            .body::<AddConnection>()
            .returns::<ConnectionResponse>()
            .scope(PROVIDERS_WRITE)
            .doc("Stores the calling user's token for a `user_token` integration."),
        get("integrations.getConnectionStatus", "/integrations/{id}/connection")
            .path("id")
            .returns::<ConnectionResponse>()
            .scope(PROVIDERS_READ)
            .doc("Whether the calling user has a stored connection."),
        delete("integrations.revokeConnection", "/integrations/{id}/connection")
            .path("id")
            .scope(PROVIDERS_WRITE)
            .doc("Deletes the calling user's stored connection."),
        // --- service accounts ---
        get("serviceAccounts.list", "/service-accounts")
            .query::<ListServiceAccountsParams>()
            .pages::<ServiceAccount>(Cursor)
            .scope(SETTINGS_READ)
            .doc("One page of service accounts.")
            .list_all_doc("Every service account, fetched lazily page by page."),
        get("serviceAccounts.get", "/service-accounts/{id}")
            .path("id")
            .returns::<ServiceAccountResponse>()
            .scope(SETTINGS_READ)
            .doc("`{serviceAccount}` by id."),
        post("serviceAccounts.create", "/service-accounts")
            .body::<CreateServiceAccount>()
            .returns::<CreatedServiceAccount>()
            .scope(SETTINGS_WRITE)
            .retry(CredentialMinting)
            .doc("Creates a service account; `credentials.clientSecret` is shown only this once."),
        post("serviceAccounts.rotateSecret", "/service-accounts/{id}/rotate-secret")
            .path("id")
            .returns::<CredentialsResponse>()
            .scope(SETTINGS_WRITE)
            .retry(CredentialMinting)
            .doc("Issues a new client secret; the old one stops working."),
        delete("serviceAccounts.revoke", "/service-accounts/{id}")
            .path("id")
            .scope(SETTINGS_WRITE)
            .doc("Revokes a service account and every token it holds."),
        composite("serviceAccounts.findByName")
            .path("name")
            .pages::<ServiceAccount>(Paging::None)
            .scope(SETTINGS_READ)
            .reads()
            .doc(
                "`{items}`: the live service accounts named exactly `name` (none or one), found by walking the list. \
                 After a `create` whose outcome is unknown: found means it was created (its secret was never seen: \
                 `rotateSecret`), none means create it again.",
            ),
        // --- agent sessions ---
        get("agentSessions.list", "/applications/{applicationId}/sessions")
            .path("applicationId")
            .query::<ListSessionsParams>()
            .pages::<AgentSession>(Paging::None)
            .scope(APPS_READ)
            .doc("The application's sessions (`status`: `active`, `inactive` or `all`)."),
        get("agentSessions.get", "/applications/{applicationId}/sessions/{sessionId}")
            .path("applicationId")
            .path("sessionId")
            .returns::<SessionResponse>()
            .scope(APPS_READ)
            .doc("`{session}` by id."),
        delete("agentSessions.revokeAll", "/applications/{applicationId}/sessions")
            .path("applicationId")
            .returns::<RevokedSessions>()
            .scope(APPS_WRITE)
            .doc("Disconnects every session of the application."),
        // --- traces and events ---
        get("traces.list", "/traces")
            .query::<ListTracesParams>()
            .pages::<Trace>(Offset)
            .scope(LOGS_READ)
            .doc("One page of traces (offset pagination).")
            .list_all_doc("Every matching trace, fetched lazily page by page."),
        get("traces.get", "/traces/{traceId}")
            .path("traceId")
            .query::<GetTraceParams>()
            .returns::<TraceDetail>()
            .scope(LOGS_READ)
            .doc("`{trace, events}` by id."),
        get("traces.stats", "/traces/stats")
            .query::<TraceStatsParams>()
            .returns::<TraceStatsResponse>()
            .scope(LOGS_READ)
            .doc("`{stats}` over `period` (`\"1d\"`, `\"7d\"`, `\"30d\"` or `\"24h\"`)."),
        get("events.list", "/mcp-events")
            .query::<ListEventsParams>()
            .pages::<TraceEvent>(Paging::None)
            .scope(LOGS_READ)
            .doc("The most recent events."),
        // --- policy ---
        get("policy.get", "/policy").returns::<PolicyResponse>().scope(POLICY_READ).doc("`{policy, etag}`."),
        put("policy.update", "/policy")
            .body::<UpdatePolicy>()
            .returns::<PolicyResponse>()
            .scope(POLICY_WRITE)
            .retry(Precondition)
            .doc("Replaces the policy text (`etag` from `get`; none means \"only if no policy yet\")."),
        post("policy.validate", "/policy/validations")
            .body::<ValidatePolicy>()
            .returns::<PolicyValidation>()
            .scope(POLICY_WRITE)
            .retry(Safe)
            .reads()
            .doc(
                "Checks the complete candidate policy text without saving it: `{valid, diagnostics}` (valid or not, \
                 the answer is 200). Needs policy write access; safe to repeat.",
            ),
        get("policy.getDeployment", "/policy/deployment").returns::<DeploymentResponse>().scope(POLICY_READ).doc(
            "`{deployment, etag}`: the enforced and observing slots (`policyVersionId`, `observingVersionId`, \
                 `rolloutMode`) and the deployment `etag` that `applyAction` needs, exactly as the server sent it.",
        ),
        put("policy.updateDeployment", "/policy/deployment")
            .body::<UpdateDeployment>()
            .returns::<DeploymentResponse>()
            .scope(POLICY_WRITE)
            .retry(Precondition)
            .doc(
                "Rolls out a policy version (`rolloutMode`: `observe`, `enforce` or `disabled`) for the whole \
                 organization; leaves `observingVersionId` as it is. Prefer `applyAction` for per-policy changes.",
            ),
        get("policy.listVersions", "/policy/versions")
            .query::<ListPolicyVersionsParams>()
            .pages::<PolicyVersion>(Cursor)
            .scope(POLICY_READ)
            .doc(
                "One page of the policy history, newest first (`limit` 1–200, default 50; pass `nextCursor` as \
                 `cursor`). After an action timed out, read it with the deployment to learn whether it committed.",
            )
            .list_all_doc("Every policy version, newest first, fetched lazily page by page."),
        get("policy.getVersion", "/policy/versions/{id}")
            .path("id")
            .returns::<PolicyVersion>()
            .scope(POLICY_READ)
            .doc("One policy version by id (an opaque string, percent-encoded by the SDK)."),
        get("policy.listRuleTemplates", "/policy/rule-templates")
            .returns::<RuleTemplates>()
            .scope(POLICY_READ)
            .doc("The rule-template catalog for `add` actions: `{items, agentIds, defaultPermitPolicyText}`."),
        post("policy.applyAction", "/policy/actions")
            .body::<PolicyAction>()
            .header("etag")
            .returns::<PolicyActionResponse>()
            .scope(POLICY_WRITE)
            .retry(Precondition)
            .doc(
                "Applies one policy action (`add`, `enforce`, `stop` or `delete`) and deploys it atomically, only if \
                 the deployment still has `etag` (sent unchanged as `If-Match`). Resolves with `{result, etag}`: pass \
                 the new `etag` to the next action. Never retried: after a timeout, read the deployment and \
                 `listVersions`. 428 without `etag`, 412 when it is stale, 422 with `diagnostics` for invalid Cedar, \
                 404 for unknown ids, 409 for a collision.",
            ),
        post("policy.replay", "/policy/replay")
            .body::<ReplayPolicy>()
            .returns::<ReplayReport>()
            .scope(POLICY_READ)
            .retry(Safe)
            .reads()
            .doc(
                "What recorded calls would have done under the observing candidate over `days` (7, 14 or 30, checked \
                 by the server): per-policy `wouldBlock`, `wouldAllow`, `needsCapture`, `notReplayable`, and \
                 `truncated`. Changes nothing; safe to repeat.",
            ),
        get("policy.blocked", "/policy/blocked")
            .query::<BlockedCallsParams>()
            .returns::<BlockedCalls>()
            .scope(POLICY_READ)
            .doc("Calls blocked in the last `days` (7, 14 or 30; default 7): `{days, items}`. Not paged."),
        get("policy.getSettings", "/policy/settings")
            .returns::<SettingsResponse>()
            .scope(SETTINGS_READ)
            .doc("`{settings}`."),
        patch("policy.updateSettings", "/policy/settings")
            .body::<UpdateSettings>()
            .returns::<SettingsResponse>()
            .scope(SETTINGS_WRITE)
            .retry(Precondition)
            .doc("Changes the given settings if they still have `expectedUpdatedAt`."),
        // --- decisions ---
        get("decisions.list", "/decisions")
            .query::<ListDecisionsParams>()
            .pages::<Decision>(Cursor)
            .scope(LOGS_READ)
            .doc("One page of decisions (`from`/`to`: ISO 8601 bounds).")
            .py_doc("One page of decisions (``from_``/``to``: ISO 8601 bounds).")
            .list_all_doc("Every matching decision, fetched lazily page by page."),
        get("decisions.get", "/decisions/{id}")
            .path("id")
            .returns::<DecisionResponse>()
            .scope(LOGS_READ)
            .doc("`{decision}` by id."),
        // --- issue 23, admin surface: directory / SCIM ---
        get("scimTokens.list", "/organizations/current/directory/scim-tokens")
            .query::<ListDirectoryParams>()
            .pages::<ScimToken>(Cursor)
            .scope(DIRECTORY_READ)
            .doc("One page of SCIM tokens: fingerprint (`sha256`), `label`, dates; never the token.")
            .list_all_doc("Every SCIM token, fetched lazily page by page (what `reconcile` takes as `before`)."),
        post("scimTokens.create", "/organizations/current/directory/scim-tokens")
            .body::<CreateToken>()
            .returns::<MintedToken>()
            .scope(DIRECTORY_WRITE)
            .retry(CredentialMinting)
            .doc(
                "Mints a SCIM token: `token` is shown only this once. Never re-sent; on an error with \
                 `outcomeUnknown`, call `reconcile`, then mint again.",
            ),
        post("scimTokens.revoke", "/organizations/current/directory/scim-tokens/{sha256}/revoke")
            .path("sha256")
            .scope(DIRECTORY_WRITE)
            .retry(Safe)
            .doc("Revokes a SCIM token by its fingerprint (also when already revoked)."),
        composite("scimTokens.reconcile")
            .value::<Vec<ScimToken>>("before")
            .path("label")
            .pages::<ScimToken>(Paging::None)
            .scope(DIRECTORY_WRITE)
            .doc(
                "After a mint whose outcome is unknown: lists again, revokes every live token labelled `label` that \
                 is not in `before` (the list taken just before minting), and returns them as `{items}`.",
            ),
        get("directory.getStatus", "/organizations/current/directory/status")
            .returns::<DirectoryStatus>()
            .scope(DIRECTORY_READ)
            .doc("Sync status: user and group counts (after the first sync cycle), last sync time."),
        get("directoryGroups.list", "/organizations/current/directory/groups")
            .query::<ListDirectoryParams>()
            .pages::<DirectoryGroup>(Cursor)
            .scope(DIRECTORY_READ)
            .doc("One page of groups synced from the identity provider.")
            .list_all_doc("Every synced group, fetched lazily page by page."),
        get("directoryReconciliation.list", "/organizations/current/directory/reconciliation")
            .query::<ListDirectoryParams>()
            .pages::<ReconciliationRow>(Cursor)
            .scope(DIRECTORY_READ)
            .doc("One page of managed endpoints and their `state` (`matched`, `no_email`, `unmatched`, `ambiguous`).")
            .list_all_doc("Every managed endpoint's row, fetched lazily page by page."),
        // --- install tokens ---
        get("installTokens.list", "/organizations/current/install-tokens")
            .query::<ListInstallTokensParams>()
            .pages::<InstallToken>(Cursor)
            .scope(DEPLOYMENTS_READ)
            .doc("One page of install tokens: fingerprint (`sha256`), `label`, dates; never the token.")
            .list_all_doc("Every install token, fetched lazily page by page (what `reconcile` takes as `before`)."),
        post("installTokens.create", "/organizations/current/install-tokens")
            .body::<CreateToken>()
            .returns::<MintedToken>()
            .scope(DEPLOYMENTS_WRITE)
            .retry(CredentialMinting)
            .doc(
                "Mints an install token: `token` is shown only this once. Never re-sent; on an error with \
                 `outcomeUnknown`, call `reconcile`, then mint again.",
            ),
        post("installTokens.revoke", "/organizations/current/install-tokens/{sha256}/revoke")
            .path("sha256")
            .scope(DEPLOYMENTS_WRITE)
            .retry(Safe)
            .doc("Revokes an install token by its fingerprint (also when already revoked)."),
        composite("installTokens.reconcile")
            .value::<Vec<InstallToken>>("before")
            .path("label")
            .pages::<InstallToken>(Paging::None)
            .scope(DEPLOYMENTS_WRITE)
            .doc(
                "After a mint whose outcome is unknown: lists again, revokes every live token labelled `label` that \
                 is not in `before` (the list taken just before minting), and returns them as `{items}`.",
            ),
        // --- releases ---
        get("releases.list", "/deployments/releases")
            .query::<ListReleasesParams>()
            .pages::<Release>(Cursor)
            .scope(DEPLOYMENTS_READ)
            .doc("One page of releases, newest first, each with its artifacts' `sha256`.")
            .list_all_doc("Every release, fetched lazily page by page."),
        get("releases.latest", "/deployments/releases/latest")
            .returns::<Release>()
            .scope(DEPLOYMENTS_READ)
            .doc("The newest release."),
        post("releases.getDownloadUrl", "/deployments/releases/{version}/artifacts/{kind}/download-url")
            .path("version")
            .path("kind")
            .returns::<DownloadUrl>()
            .scope(DEPLOYMENTS_READ)
            .retry(Safe)
            .reads()
            .doc(
                "A pre-signed URL for one artifact (`kind`: `package` or `install_script`), valid about 15 minutes, \
                 and a credential until then: do not log it. Prefer `download`, which also checks the bytes.",
            ),
        composite("releases.download")
            .path("version")
            .path("kind")
            .returns::<VerifiedArtifact>()
            .scope(DEPLOYMENTS_READ)
            .reads()
            .doc(
                "Fetches one artifact from its download URL (no `Authorization`, at most `maxResponseBytes`) and \
                 checks its SHA-256 against the release manifest: only matching bytes are returned (`content`); a \
                 mismatch fails as a `decode` error (\"integrity check failed\") and nothing is returned.",
            ),
        // --- organization ---
        get("organization.getAgentAccess", "/organizations/current/agent-access")
            .returns::<AgentAccess>()
            .scope(SETTINGS_READ)
            .doc(
                "What agents connected through browser approval may do, per area (read-only by default). Changing \
                 it needs an admin dashboard session: the API has no write for tokens.",
            ),
        // --- the client's own ---
        method("client.refreshToken", Transport::Client).doc("Mints a new access token now (client credentials only)."),
        method("client.clearToken", Transport::Client)
            .infallible()
            .doc("Forgets the cached access token; the next call mints a new one."),
        // --- user tokens: Authorization Code + PKCE ---
        method("oauth.createPkceChallenge", Transport::OAuth)
            .returns::<PkceChallenge>()
            .infallible()
            .doc("A fresh PKCE verifier (keep it until the code exchange) and its S256 challenge."),
        method("oauth.buildAuthorizeUrl", Transport::OAuth)
            .request::<AuthorizeUrlRequest>()
            .returns::<AuthorizeUrl>()
            .doc(
                "The URL to send the user to (read from the server's discovery document, \
                 `{baseUrl}/.well-known/oauth-authorization-server`), with a `state` to compare with the one on the \
                 redirect (generated when not given).",
            ),
        method("oauth.exchangeCode", Transport::OAuth)
            .request::<ExchangeCode>()
            .returns::<UserTokens>()
            .doc("Trades the `code` from the redirect for tokens (`clientSecret` for confidential applications)."),
        method("oauth.refresh", Transport::OAuth)
            .request::<RefreshUserToken>()
            .returns::<UserTokens>()
            .doc("A new access token for a refresh token; keep the returned refresh token (it may rotate)."),
        // --- user tokens: the device authorization grant (RFC 8628, DECISIONS V16) ---
        method("oauth.startDeviceAuthorization", Transport::OAuth)
            .request::<DeviceAuthorizationRequest>()
            .returns::<DeviceAuthorization>()
            .doc(
                "Starts a sign-in for a device without a browser: asks the discovered \
                 `device_authorization_endpoint` (else `{baseUrl}/oauth2/device/auth`) for a device code. Show the \
                 user `verificationUriComplete` (or `verificationUri` and `userCode`), then pass the answer to \
                 `pollDeviceToken`. Only deployments whose OAuth server has the grant switched on support it.",
            ),
        method("oauth.pollDeviceToken", Transport::OAuth)
            .arg("auth", ArgKind::Request, DeviceTokenPoll::ty())
            .returns::<UserTokens>()
            .doc(
                "Waits for the user's approval of a `startDeviceAuthorization` answer: polls the token endpoint every \
                 `interval` seconds (5 by default, 5 more after each `slow_down`) and returns the tokens, or fails \
                 with an OAuth error: `access_denied` (the user refused), `expired_token` (the code expired, or \
                 `expiresIn` seconds, 600 by default, passed). Start again after either.",
            ),
    ]
}
