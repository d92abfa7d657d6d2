//! Calls by name with JSON arguments: the public method names (`applications.create`,
//! `traces.listAll`, …) mapped onto the typed API. The table itself ([`METHODS`] and the match
//! from name to call) is generated from the API description (`core/src/api.rs`) by `just codegen`
//! into `dispatch/table.rs`; what is written here by hand is how a call runs.
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
use crate::models::{AuthorizeUrlRequest, ExchangeCode, RefreshUserToken};
use crate::oauth;
use crate::pagination::{ItemStream, Pages, RawItems};

mod table;

pub use table::{LIST_ALL_METHODS, METHODS};

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
    let pages = json_pages(table::pages(&client, method, &mut args)?);
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

/// A composite method's future, its result encoded as JSON text.
fn json_of<'c, T: Serialize + 'c>(
    future: crate::resources::Composite<'c, T>,
) -> crate::resources::Composite<'c, String> {
    Box::pin(async move { serde_json::to_string(&future.await?).map_err(encode_error) })
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
        other => match table::composite(&client, other, &mut a)? {
            // Several requests behind one name (reconcile, findByName, verified downloads).
            Some(composite) => {
                a.finish()?;
                return E::from_json(composite.await?).map_err(encode_error);
            }
            None => table::request(&client, other, &mut a)?,
        },
    };
    a.finish()?;
    // One await for every method keeps this future small (it is most of the wasm engine's code).
    let json = pending.raw().await?.into_inner();
    E::from_json(json).map_err(encode_error)
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

    /// The generated table has a call for every listed API method (and its aliases' names are
    /// not listed twice): decoding no arguments fails on an argument or succeeds, never on the name.
    #[test]
    fn every_listed_method_is_dispatched() {
        let c = client();
        for method in METHODS.iter().filter(|m| !m.starts_with("client.") && !m.starts_with("oauth.")) {
            // A composite is found (or its arguments refused) before the request table is asked.
            match table::composite(&c, method, &mut Args::new(method, Vec::new())) {
                Ok(Some(_)) => continue,
                Err(e) => {
                    assert_ne!(e.details().argument.as_deref(), Some("method"), "{method}: {e}");
                    continue;
                }
                Ok(None) => {}
            }
            if let Err(e) = table::request(&c, method, &mut Args::new(method, Vec::new())) {
                assert_ne!(e.details().argument.as_deref(), Some("method"), "{method}: {e}");
            }
        }
        for method in LIST_ALL_METHODS {
            assert!(table::pages(&c, method, &mut Args::new(method, Vec::new())).is_ok(), "{method}");
        }
        let e = table::request(&c, "applications.nothing", &mut Args::new("x", Vec::new())).err().unwrap();
        assert_eq!(e.details().argument.as_deref(), Some("method"));
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
