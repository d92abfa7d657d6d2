//! Calls by name with JSON arguments: the one table that maps the public method names
//! (`applications.create`, `traces.listAll`, …) onto the typed API.
//!
//! Bindings export these two entry points instead of one export per method, and the shared
//! scenario suite drives every engine through the same names. Arguments are positional and
//! camelCase, exactly as in `tests/scenarios/SCHEMA.md`; results are the official client's
//! wrapper shapes. Validation, defaults and errors stay in the typed layer underneath.

use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{RequestOptions, Response};
use crate::models::{
    AccessGraphParams, AddConnection, AuthorizeUrlRequest, CreateApplication, CreateIntegration, CreateServiceAccount,
    ExchangeCode, GetTraceParams, ListApplicationsParams, ListDecisionsParams, ListEventsParams,
    ListIntegrationsParams, ListServiceAccountsParams, ListSessionsParams, ListTracesParams, RefreshUserToken,
    SetIntegrationOAuthConfig, SetIntegrations, TraceStatsParams, UpdateApplication, UpdateApplicationOAuth,
    UpdateDeployment, UpdateIntegration, UpdatePolicy, UpdateSettings, ValidatePolicy,
};
use crate::oauth;
use crate::pagination::{ItemStream, PageStream};

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
    fn encode<T: Serialize>(value: &T) -> serde_json::Result<Self::Out>;
}

struct ToValue;
impl Encode for ToValue {
    type Out = Value;
    fn encode<T: Serialize>(value: &T) -> serde_json::Result<Value> {
        serde_json::to_value(value)
    }
}

struct ToJson;
impl Encode for ToJson {
    type Out = String;
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
            json_pages(client.applications().list_pages(args.optional::<ListApplicationsParams>("params")?))
        }
        "integrations.listAll" => {
            json_pages(client.integrations().list_pages(args.optional::<ListIntegrationsParams>("params")?))
        }
        "serviceAccounts.listAll" => {
            json_pages(client.service_accounts().list_pages(args.optional::<ListServiceAccountsParams>("params")?))
        }
        "traces.listAll" => json_pages(client.traces().list_pages(args.optional::<ListTracesParams>("params")?)),
        "decisions.listAll" => {
            json_pages(client.decisions().list_pages(args.optional::<ListDecisionsParams>("params")?))
        }
        other => return Err(unknown_method(other)),
    };
    args.finish()?;
    Ok(Paginator { pages })
}

fn json_pages<T: Serialize + crate::pagination::MaybeSend + 'static>(pages: PageStream<T>) -> ItemStream<String> {
    Box::pin(pages.map(|page| page.and_then(|items| serde_json::to_string(&items).map_err(encode_error))))
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

/// Finishes a call: checks no argument is left over, awaits, and encodes the result.
macro_rules! out_with {
    ($args:ident, $encode:ident, $future:expr) => {
        // Temporaries of the scrutinee (borrowed ids) live until the end of the match.
        match $future {
            future => {
                $args.finish()?;
                let response = future.await?.into_inner();
                $encode::encode(&response).map_err(encode_error)
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
    let c = &client;
    macro_rules! out {
        ($future:expr) => {
            out_with!(a, E, $future)
        };
    }
    match method {
        "applications.list" => out!(c.applications().list(a.optional("params")?)),
        "applications.get" => out!(c.applications().get(&a.string("id")?)),
        "applications.create" => out!(c.applications().create(a.required::<CreateApplication>("data")?)),
        "applications.update" => {
            out!(c.applications().update(&a.string("id")?, a.required::<UpdateApplication>("data")?))
        }
        "applications.archive" => out!(c.applications().archive(&a.string("id")?)),
        "applications.rotateSecret" => out!(c.applications().rotate_secret(&a.string("id")?)),
        "applications.getOAuth" | "applications.getOAuthConfig" => out!(c.applications().get_oauth(&a.string("id")?)),
        "applications.updateOAuth" | "applications.updateOAuthConfig" => {
            out!(c.applications().update_oauth(&a.string("id")?, a.required::<UpdateApplicationOAuth>("data")?))
        }
        "applications.listIntegrations" => out!(c.applications().list_integrations(&a.string("id")?)),
        "applications.setIntegrations" => {
            out!(c.applications().set_integrations(&a.string("id")?, a.required::<SetIntegrations>("data")?))
        }
        "applications.attachIntegration" => {
            out!(c.applications().attach_integration(&a.string("id")?, &a.string("integrationId")?))
        }
        "applications.detachIntegration" => {
            out!(c.applications().detach_integration(&a.string("id")?, &a.string("integrationId")?))
        }
        "applications.revokeAllAgentSessions" => out!(c.applications().revoke_all_agent_sessions(&a.string("id")?)),
        "applications.accessGraph" => out!(c.applications().access_graph(a.optional::<AccessGraphParams>("params")?)),

        "integrations.list" => out!(c.integrations().list(a.optional::<ListIntegrationsParams>("params")?)),
        "integrations.get" => out!(c.integrations().get(&a.string("id")?)),
        "integrations.create" => out!(c.integrations().create(a.required::<CreateIntegration>("data")?)),
        "integrations.update" => {
            out!(c.integrations().update(&a.string("id")?, a.required::<UpdateIntegration>("data")?))
        }
        "integrations.archive" => out!(c.integrations().archive(&a.string("id")?)),
        "integrations.validate" => out!(c.integrations().validate(&a.string("id")?)),
        "integrations.getOAuthConfig" => out!(c.integrations().get_oauth_config(&a.string("id")?)),
        "integrations.setOAuthConfig" => {
            out!(c.integrations().set_oauth_config(&a.string("id")?, a.required::<SetIntegrationOAuthConfig>("data")?))
        }
        "integrations.deleteOAuthConfig" => out!(c.integrations().delete_oauth_config(&a.string("id")?)),
        "integrations.addConnection" => {
            out!(c.integrations().add_connection(&a.string("id")?, a.required::<AddConnection>("data")?))
        }
        "integrations.getConnectionStatus" => out!(c.integrations().get_connection_status(&a.string("id")?)),
        "integrations.revokeConnection" => out!(c.integrations().revoke_connection(&a.string("id")?)),

        "serviceAccounts.list" => out!(c.service_accounts().list(a.optional::<ListServiceAccountsParams>("params")?)),
        "serviceAccounts.get" => out!(c.service_accounts().get(&a.string("id")?)),
        "serviceAccounts.create" => out!(c.service_accounts().create(a.required::<CreateServiceAccount>("data")?)),
        "serviceAccounts.rotateSecret" => out!(c.service_accounts().rotate_secret(&a.string("id")?)),
        "serviceAccounts.revoke" => out!(c.service_accounts().revoke(&a.string("id")?)),

        "agentSessions.list" => {
            out!(c.agent_sessions().list(&a.string("applicationId")?, a.optional::<ListSessionsParams>("params")?))
        }
        "agentSessions.get" => out!(c.agent_sessions().get(&a.string("applicationId")?, &a.string("sessionId")?)),
        "agentSessions.revokeAll" => out!(c.agent_sessions().revoke_all(&a.string("applicationId")?)),

        "traces.list" => out!(c.traces().list(a.optional::<ListTracesParams>("params")?)),
        "traces.get" => out!(c.traces().get(&a.string("traceId")?, a.optional::<GetTraceParams>("params")?)),
        "traces.stats" => out!(c.traces().stats(a.optional::<TraceStatsParams>("params")?)),
        "events.list" => out!(c.events().list(a.optional::<ListEventsParams>("params")?)),

        "policy.get" => out!(c.policy().get()),
        "policy.update" => out!(c.policy().update(a.required::<UpdatePolicy>("data")?)),
        "policy.validate" => out!(c.policy().validate(a.required::<ValidatePolicy>("data")?)),
        "policy.getDeployment" => out!(c.policy().get_deployment()),
        "policy.updateDeployment" => out!(c.policy().update_deployment(a.required::<UpdateDeployment>("data")?)),
        "policy.getSettings" => out!(c.policy().get_settings()),
        "policy.updateSettings" => out!(c.policy().update_settings(a.required::<UpdateSettings>("data")?)),

        "decisions.list" => out!(c.decisions().list(a.optional::<ListDecisionsParams>("params")?)),
        "decisions.get" => out!(c.decisions().get(&a.string("id")?)),

        "client.refreshToken" => {
            out!(async { c.refresh_token().await.map(|()| Response::new((), Default::default())) })
        }
        "client.clearToken" => out!(async {
            c.clear_token();
            Ok(Response::new((), Default::default()))
        }),

        other if other.starts_with("oauth.") => oauth_dispatch::<E>(a).await,
        other => Err(unknown_method(other)),
    }
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
            out_with!(a, E, async { oauth::create_pkce_challenge().map(|p| Response::new(p, Default::default())) })
        }
        "oauth.buildAuthorizeUrl" => {
            let request = a.required::<AuthorizeUrlRequest>("request")?;
            out_with!(a, E, async move {
                oauth::build_authorize_url(&request).await.map(|u| Response::new(u, Default::default()))
            })
        }
        "oauth.exchangeCode" => {
            let request = a.required::<ExchangeCode>("request")?;
            out_with!(a, E, async move {
                oauth::exchange_code(&request).await.map(|t| Response::new(t, Default::default()))
            })
        }
        "oauth.refresh" => {
            let request = a.required::<RefreshUserToken>("request")?;
            out_with!(a, E, async move { oauth::refresh(&request).await.map(|t| Response::new(t, Default::default())) })
        }
        other => Err(unknown_method(other)),
    }
}

/// Positional arguments of one call, consumed in order.
struct Args {
    method: String,
    values: std::vec::IntoIter<Value>,
    taken: usize,
}

impl Args {
    fn new(method: &str, values: Vec<Value>) -> Self {
        Self { method: method.to_owned(), values: values.into_iter(), taken: 0 }
    }

    fn next(&mut self) -> Option<Value> {
        self.taken += 1;
        self.values.next()
    }

    fn string(&mut self, name: &str) -> Result<String> {
        match self.next() {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) => Err(Error::invalid(name, format!("is required by {}", self.method))),
            Some(other) => Err(Error::invalid(name, format!("must be a string, not {}", json_type(&other)))),
        }
    }

    fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T> {
        match self.next() {
            None | Some(Value::Null) => Err(Error::invalid(name, format!("is required by {}", self.method))),
            Some(value) => decode_arg(name, value),
        }
    }

    fn optional<T: DeserializeOwned + Default>(&mut self, name: &str) -> Result<T> {
        match self.next() {
            None | Some(Value::Null) => Ok(T::default()),
            Some(value) => decode_arg(name, value),
        }
    }

    fn finish(&mut self) -> Result<()> {
        let extra = self.values.len();
        if extra > 0 {
            return Err(Error::invalid(
                "args",
                format!("{} takes {} argument(s), got {}", self.method, self.taken, self.taken + extra),
            ));
        }
        Ok(())
    }
}

/// Decodes an argument object, naming the offending field (`name`, `oauth.redirectUris`) the way
/// the caller wrote it.
fn decode_arg<T: DeserializeOwned>(name: &str, value: Value) -> Result<T> {
    if !value.is_object() {
        return Err(Error::invalid(name, format!("must be an object, not {}", json_type(&value))));
    }
    serde_json::from_value(value).map_err(|e| {
        let text = crate::error::serde_message(&e);
        let field = text
            .split('`')
            .nth(1)
            .filter(|_| text.starts_with("missing field") || text.starts_with("unknown field"))
            .map(str::to_owned);
        match field {
            Some(field) => Error::invalid(field, text),
            None => Error::invalid(name, text),
        }
    })
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
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
