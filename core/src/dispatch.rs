//! Calls by name with JSON arguments: the one table that maps the public method names
//! (`applications.create`, `traces.listAll`, …) onto the typed API.
//!
//! Bindings export these two entry points instead of one export per method, and the shared
//! scenario suite drives every engine through the same names. Arguments are positional and
//! camelCase, exactly as in `tests/scenarios/SCHEMA.md`; results are the official client's
//! wrapper shapes. Validation, defaults and errors stay in the typed layer underneath.

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;

use crate::args::Args;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::RequestOptions;
use crate::models::{
    AccessGraphParams, AddConnection, AuthorizeUrlRequest, CreateApplication, CreateIntegration, CreateServiceAccount,
    ExchangeCode, GetTraceParams, ListApplicationsParams, ListDecisionsParams, ListEventsParams,
    ListIntegrationsParams, ListServiceAccountsParams, ListSessionsParams, ListTracesParams, RefreshUserToken,
    SetIntegrationOAuthConfig, SetIntegrations, TraceStatsParams, UpdateApplication, UpdateApplicationOAuth,
    UpdateDeployment, UpdateIntegration, UpdatePolicy, UpdateSettings, ValidatePolicy,
};
use crate::oauth;
use crate::pagination::{ItemStream, Pages, RawItems, RawPage};
use crate::pending::Pending;

/// Every method [`call`] accepts.
pub const METHODS: &[&str] = &[
    "applications.list",
    "applications.get",
    "applications.create",
    "applications.update",
    "applications.archive",
    "applications.rotateSecret",
    "applications.getOAuth",
    "applications.updateOAuth",
    "applications.listIntegrations",
    "applications.setIntegrations",
    "applications.attachIntegration",
    "applications.detachIntegration",
    "applications.revokeAllAgentSessions",
    "applications.accessGraph",
    "integrations.list",
    "integrations.get",
    "integrations.create",
    "integrations.update",
    "integrations.archive",
    "integrations.validate",
    "integrations.getOAuthConfig",
    "integrations.setOAuthConfig",
    "integrations.deleteOAuthConfig",
    "integrations.addConnection",
    "integrations.getConnectionStatus",
    "integrations.revokeConnection",
    "serviceAccounts.list",
    "serviceAccounts.get",
    "serviceAccounts.create",
    "serviceAccounts.rotateSecret",
    "serviceAccounts.revoke",
    "agentSessions.list",
    "agentSessions.get",
    "agentSessions.revokeAll",
    "traces.list",
    "traces.get",
    "traces.stats",
    "events.list",
    "policy.get",
    "policy.update",
    "policy.validate",
    "policy.getDeployment",
    "policy.updateDeployment",
    "policy.getSettings",
    "policy.updateSettings",
    "decisions.list",
    "decisions.get",
    "client.refreshToken",
    "client.clearToken",
    "oauth.createPkceChallenge",
    "oauth.buildAuthorizeUrl",
    "oauth.exchangeCode",
    "oauth.refresh",
];

/// Every method [`list_all`] accepts.
pub const LIST_ALL_METHODS: &[&str] =
    &["applications.listAll", "integrations.listAll", "serviceAccounts.listAll", "traces.listAll", "decisions.listAll"];

/// Calls `method` with positional JSON `args`; the result as a JSON value.
pub async fn call(client: &Client, method: &str, args: Vec<Value>, options: Option<RequestOptions>) -> Result<Value> {
    dispatch::<ToValue>(client, method, args, options).await
}

/// Like [`call`], with the result already serialized (what bindings hand across the FFI: one
/// string is far cheaper to cross than a tree of objects).
pub async fn call_json(
    client: &Client,
    method: &str,
    args: Vec<Value>,
    options: Option<RequestOptions>,
) -> Result<String> {
    dispatch::<ToJson>(client, method, args, options).await
}

/// How a result leaves [`dispatch`]: as a value tree or as JSON text.
trait Encode {
    type Out;
    fn from_json(json: String) -> serde_json::Result<Self::Out>;
    fn encode<T: Serialize>(value: &T) -> serde_json::Result<Self::Out>;
}

struct ToValue;
impl Encode for ToValue {
    type Out = Value;
    fn from_json(json: String) -> serde_json::Result<Value> {
        serde_json::from_str(&json)
    }
    fn encode<T: Serialize>(value: &T) -> serde_json::Result<Value> {
        serde_json::to_value(value)
    }
}

struct ToJson;
impl Encode for ToJson {
    type Out = String;
    fn from_json(json: String) -> serde_json::Result<String> {
        Ok(json)
    }
    fn encode<T: Serialize>(value: &T) -> serde_json::Result<String> {
        serde_json::to_string(value)
    }
}

/// Parses the JSON text of an argument list (`[...]`), naming the problem when it is not one.
pub fn parse_args(json: &str) -> Result<Vec<Value>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Array(args)) => Ok(args),
        Ok(Value::Null) => Ok(Vec::new()),
        Ok(_) => Err(Error::invalid("args", "must be a JSON array of positional arguments")),
        Err(e) => Err(Error::invalid("args", format!("is not valid JSON: {e}"))),
    }
}

/// Pages of a list, fetched lazily: what `*.listAll` iterators in every language are built on.
pub struct Paginator {
    pages: ItemStream<String>,
}

impl std::fmt::Debug for Paginator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Paginator")
    }
}

impl Paginator {
    /// The next page as JSON values, or `None` after the last page.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>> {
        match self.next_page_json().await? {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| Error::Decode {
                status: 200,
                message: e.to_string(),
                snippet: String::new(),
                request_id: None,
            }),
        }
    }

    /// The next page as the JSON text of an array, or `None` after the last page.
    pub async fn next_page_json(&mut self) -> Result<Option<String>> {
        self.pages.next().await.transpose()
    }
}

/// Starts iterating a `*.listAll` method (nothing is fetched until the first page is asked for).
pub fn list_all(client: &Client, method: &str, args: Vec<Value>, options: Option<RequestOptions>) -> Result<Paginator> {
    let client = with_options(client, options);
    let mut args = Args::new(method, args);
    let pages = match method {
        "applications.listAll" => {
            json_pages(client.applications().pages::<RawPage>(args.optional::<ListApplicationsParams>("params")?))
        }
        "integrations.listAll" => {
            json_pages(client.integrations().pages::<RawPage>(args.optional::<ListIntegrationsParams>("params")?))
        }
        "serviceAccounts.listAll" => json_pages(
            client.service_accounts().pages::<RawPage>(args.optional::<ListServiceAccountsParams>("params")?),
        ),
        "traces.listAll" => json_pages(client.traces().pages::<RawPage>(args.optional::<ListTracesParams>("params")?)),
        "decisions.listAll" => {
            json_pages(client.decisions().pages::<RawPage>(args.optional::<ListDecisionsParams>("params")?))
        }
        other => return Err(unknown_method(other)),
    };
    args.finish()?;
    Ok(Paginator { pages })
}

/// Pages of items kept as the server's JSON: the text of each page's array.
fn json_pages(pages: Pages<RawItems>) -> ItemStream<String> {
    Box::pin(pages.map(|page| page.map(RawItems::into_json)))
}

fn with_options(client: &Client, options: Option<RequestOptions>) -> Client {
    match options {
        Some(options) => client.with_options(options),
        None => client.clone(),
    }
}

fn unknown_method(method: &str) -> Error {
    Error::invalid("method", format!("unknown method {method:?}"))
}

fn encode_error(e: serde_json::Error) -> Error {
    Error::Decode {
        status: 200,
        message: format!("could not encode the result: {e}"),
        snippet: String::new(),
        request_id: None,
    }
}

/// Finishes a call the SDK answers itself (tokens, PKCE): awaits, then encodes the result.
macro_rules! out_with {
    ($args:ident, $encode:ident, $future:expr) => {
        match $future {
            future => {
                $args.finish()?;
                let result = future.await?;
                $encode::encode(&result).map_err(encode_error)
            }
        }
    };
}

async fn dispatch<E: Encode>(
    client: &Client,
    method: &str,
    args: Vec<Value>,
    options: Option<RequestOptions>,
) -> Result<E::Out> {
    let client = with_options(client, options);
    let mut a = Args::new(method, args);
    let pending = match method {
        "client.refreshToken" => return out_with!(a, E, client.refresh_token()),
        "client.clearToken" => {
            return out_with!(a, E, async {
                client.clear_token();
                Ok(())
            });
        }
        other if other.starts_with("oauth.") => return oauth_dispatch::<E>(a).await,
        other => request(&client, other, &mut a)?,
    };
    a.finish()?;
    // One await for every method keeps this future small (it is most of the wasm engine's code).
    let json = pending.raw().await?.into_inner();
    E::from_json(json).map_err(encode_error)
}

/// The request an API method stands for: arguments decoded and checked, nothing sent yet.
fn request<'c>(c: &'c Client, method: &str, a: &mut Args) -> Result<Pending<'c, ()>> {
    Ok(match method {
        "applications.list" => c.applications().list(a.optional("params")?).untyped(),
        "applications.get" => c.applications().get(&a.string("id")?).untyped(),
        "applications.create" => c.applications().create(a.required::<CreateApplication>("data")?).untyped(),
        "applications.update" => {
            c.applications().update(&a.string("id")?, a.required::<UpdateApplication>("data")?).untyped()
        }
        "applications.archive" => c.applications().archive(&a.string("id")?).untyped(),
        "applications.rotateSecret" => c.applications().rotate_secret(&a.string("id")?).untyped(),
        "applications.getOAuth" | "applications.getOAuthConfig" => {
            c.applications().get_oauth(&a.string("id")?).untyped()
        }
        "applications.updateOAuth" | "applications.updateOAuthConfig" => {
            c.applications().update_oauth(&a.string("id")?, a.required::<UpdateApplicationOAuth>("data")?).untyped()
        }
        "applications.listIntegrations" => c.applications().list_integrations(&a.string("id")?).untyped(),
        "applications.setIntegrations" => {
            c.applications().set_integrations(&a.string("id")?, a.required::<SetIntegrations>("data")?).untyped()
        }
        "applications.attachIntegration" => {
            c.applications().attach_integration(&a.string("id")?, &a.string("integrationId")?).untyped()
        }
        "applications.detachIntegration" => {
            c.applications().detach_integration(&a.string("id")?, &a.string("integrationId")?).untyped()
        }
        "applications.revokeAllAgentSessions" => c.applications().revoke_all_agent_sessions(&a.string("id")?).untyped(),
        "applications.accessGraph" => {
            c.applications().access_graph(a.optional::<AccessGraphParams>("params")?).untyped()
        }

        "integrations.list" => c.integrations().list(a.optional::<ListIntegrationsParams>("params")?).untyped(),
        "integrations.get" => c.integrations().get(&a.string("id")?).untyped(),
        "integrations.create" => c.integrations().create(a.required::<CreateIntegration>("data")?).untyped(),
        "integrations.update" => {
            c.integrations().update(&a.string("id")?, a.required::<UpdateIntegration>("data")?).untyped()
        }
        "integrations.archive" => c.integrations().archive(&a.string("id")?).untyped(),
        "integrations.validate" => c.integrations().validate(&a.string("id")?).untyped(),
        "integrations.getOAuthConfig" => c.integrations().get_oauth_config(&a.string("id")?).untyped(),
        "integrations.setOAuthConfig" => c
            .integrations()
            .set_oauth_config(&a.string("id")?, a.required::<SetIntegrationOAuthConfig>("data")?)
            .untyped(),
        "integrations.deleteOAuthConfig" => c.integrations().delete_oauth_config(&a.string("id")?).untyped(),
        "integrations.addConnection" => {
            c.integrations().add_connection(&a.string("id")?, a.required::<AddConnection>("data")?).untyped()
        }
        "integrations.getConnectionStatus" => c.integrations().get_connection_status(&a.string("id")?).untyped(),
        "integrations.revokeConnection" => c.integrations().revoke_connection(&a.string("id")?).untyped(),

        "serviceAccounts.list" => {
            c.service_accounts().list(a.optional::<ListServiceAccountsParams>("params")?).untyped()
        }
        "serviceAccounts.get" => c.service_accounts().get(&a.string("id")?).untyped(),
        "serviceAccounts.create" => c.service_accounts().create(a.required::<CreateServiceAccount>("data")?).untyped(),
        "serviceAccounts.rotateSecret" => c.service_accounts().rotate_secret(&a.string("id")?).untyped(),
        "serviceAccounts.revoke" => c.service_accounts().revoke(&a.string("id")?).untyped(),

        "agentSessions.list" => {
            c.agent_sessions().list(&a.string("applicationId")?, a.optional::<ListSessionsParams>("params")?).untyped()
        }
        "agentSessions.get" => c.agent_sessions().get(&a.string("applicationId")?, &a.string("sessionId")?).untyped(),
        "agentSessions.revokeAll" => c.agent_sessions().revoke_all(&a.string("applicationId")?).untyped(),

        "traces.list" => c.traces().list(a.optional::<ListTracesParams>("params")?).untyped(),
        "traces.get" => c.traces().get(&a.string("traceId")?, a.optional::<GetTraceParams>("params")?).untyped(),
        "traces.stats" => c.traces().stats(a.optional::<TraceStatsParams>("params")?).untyped(),
        "events.list" => c.events().list(a.optional::<ListEventsParams>("params")?).untyped(),

        "policy.get" => c.policy().get().untyped(),
        "policy.update" => c.policy().update(a.required::<UpdatePolicy>("data")?).untyped(),
        "policy.validate" => c.policy().validate(a.required::<ValidatePolicy>("data")?).untyped(),
        "policy.getDeployment" => c.policy().get_deployment().untyped(),
        "policy.updateDeployment" => c.policy().update_deployment(a.required::<UpdateDeployment>("data")?).untyped(),
        "policy.getSettings" => c.policy().get_settings().untyped(),
        "policy.updateSettings" => c.policy().update_settings(a.required::<UpdateSettings>("data")?).untyped(),

        "decisions.list" => c.decisions().list(a.optional::<ListDecisionsParams>("params")?).untyped(),
        "decisions.get" => c.decisions().get(&a.string("id")?).untyped(),

        other => return Err(unknown_method(other)),
    })
}

/// The `oauth.*` calls (user tokens through Authorization Code + PKCE), which need no client:
/// what a browser calls before it has any token.
pub async fn call_oauth_json(method: &str, args: Vec<Value>) -> Result<String> {
    oauth_dispatch::<ToJson>(Args::new(method, args)).await
}

async fn oauth_dispatch<E: Encode>(mut a: Args) -> Result<E::Out> {
    let method = a.method.clone();
    match method.as_str() {
        "oauth.createPkceChallenge" => {
            out_with!(a, E, async { oauth::create_pkce_challenge() })
        }
        "oauth.buildAuthorizeUrl" => {
            let request = a.required::<AuthorizeUrlRequest>("request")?;
            out_with!(a, E, async move { oauth::build_authorize_url(&request).await })
        }
        "oauth.exchangeCode" => {
            let request = a.required::<ExchangeCode>("request")?;
            out_with!(a, E, async move { oauth::exchange_code(&request).await })
        }
        "oauth.refresh" => {
            let request = a.required::<RefreshUserToken>("request")?;
            out_with!(a, E, async move { oauth::refresh(&request).await })
        }
        other => Err(unknown_method(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder().base_url("http://127.0.0.1:9").client_credentials("sa_x", "s").build().unwrap()
    }

    #[tokio::test]
    async fn invalid_arguments_are_named_before_any_request() {
        let c = client();
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("applications.get", vec![], "id"),
            ("applications.get", vec![Value::from(5)], "id"),
            ("applications.get", vec!["not-a-uuid".into()], "id"),
            ("applications.list", vec![serde_json::json!({"limit": 0})], "limit"),
            ("applications.list", vec![serde_json::json!({"limit": 201})], "limit"),
            ("applications.create", vec![serde_json::json!({})], "name"),
            ("applications.create", vec![serde_json::json!({"name": " "})], "name"),
            ("integrations.create", vec![serde_json::json!({"name": "x", "url": "notaurl"})], "url"),
            ("traces.stats", vec![serde_json::json!({"period": "2w"})], "period"),
            ("applications.get", vec!["6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11".into(), "extra".into()], "args"),
            ("nope.nothing", vec![], "method"),
        ];
        for (method, args, argument) in cases {
            let e = call(&c, method, args.clone(), None).await.unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{method} {args:?}: {e}");
            assert_eq!(e.details().argument.as_deref(), Some(argument), "{method} {args:?}: {e}");
        }
    }

    #[test]
    fn every_method_is_listed_once() {
        let mut all: Vec<_> = METHODS.iter().chain(LIST_ALL_METHODS).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), METHODS.len() + LIST_ALL_METHODS.len());
    }

    #[test]
    fn args_parse_from_json_text() {
        assert_eq!(parse_args("[1, \"a\"]").unwrap().len(), 2);
        assert!(parse_args("null").unwrap().is_empty());
        assert_eq!(parse_args("{}").unwrap_err().details().argument.as_deref(), Some("args"));
        assert_eq!(parse_args("[").unwrap_err().details().argument.as_deref(), Some("args"));
    }
}
