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
use crate::models::{AuthorizeUrlRequest, DeviceAuthorizationRequest, DeviceTokenPoll, ExchangeCode, RefreshUserToken};
use crate::oauth;
use crate::pagination::ItemStream;

mod pages;
mod table;

pub use table::{LIST_ALL_METHODS, METHODS};

use crate::retry::RetryClass;

/// The retry class of the route a request goes to (`path` below `/api/{version}`, ids filled in),
/// as `api.rs` describes it; `None` for a path no method describes. Where two routes match, the
/// one with more literal segments wins (`/traces/stats` over `/traces/{id}`).
pub(crate) fn retry_class(verb: &http::Method, path: &str) -> Option<RetryClass> {
    let path = path.find(['?', '#']).map_or(path, |end| &path[..end]);
    let mut best: Option<(usize, RetryClass)> = None;
    for &(route_verb, template, class) in table::ROUTES {
        if route_verb != verb.as_str() {
            continue;
        }
        let Some(literals) = route_match(template.as_bytes(), path.as_bytes()) else { continue };
        if best.is_none_or(|(most, _)| literals > most) {
            best = Some((literals, class));
        }
    }
    best.map(|(_, class)| class)
}

/// How many literal segments of `template` match `path`, if all of its segments do (`{name}`
/// matches one non-empty segment).
///
/// One pass over both, byte by byte, leaving at the first difference: every request scans the
/// whole route table, and most routes differ from the path in the first bytes of their first
/// name. (With `str::split`, a searcher per segment, the scan took ~4.6 µs per native call and
/// a fifth of the wasm engine's own code per call.)
fn route_match(template: &[u8], path: &[u8]) -> Option<usize> {
    let (mut t, mut p, mut literals) = (0, 0, 0);
    loop {
        // At the start of a segment in both.
        let t_end = if template.get(t) == Some(&b'{') {
            template[t..].iter().position(|&b| b == b'/').map_or(template.len(), |n| t + n)
        } else {
            t
        };
        if t_end - t >= 2 && template[t_end - 1] == b'}' {
            // A placeholder: one non-empty segment of the path.
            let p_end = path[p..].iter().position(|&b| b == b'/').map_or(path.len(), |n| p + n);
            if p_end == p {
                return None;
            }
            (t, p) = (t_end, p_end);
        } else {
            while let Some(&byte) = template.get(t).filter(|&&b| b != b'/') {
                if path.get(p) != Some(&byte) {
                    return None;
                }
                (t, p) = (t + 1, p + 1);
            }
            if path.get(p).is_some_and(|&b| b != b'/') {
                return None;
            }
            literals += 1;
        }
        match (t == template.len(), p == path.len()) {
            (true, true) => return Some(literals),
            // Both at a `/`.
            (false, false) => (t, p) = (t + 1, p + 1),
            _ => return None,
        }
    }
}

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
    let &(_, list, by, params) =
        table::LIST_ALL.iter().find(|(name, ..)| *name == method).ok_or_else(|| unknown_method(method))?;
    // The arguments are decoded once now, so that their errors come before any page; each page
    // then decodes them again, with its cursor, as the `list` call it is.
    let mut a = Args::new(method, args.clone());
    drop(table::request(&client, list, &mut a)?);
    a.finish()?;
    Ok(Paginator { pages: pages::raw_pages(client, list, by, args, params) })
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
        "oauth.startDeviceAuthorization" => {
            let request = a.required::<DeviceAuthorizationRequest>("request")?;
            out_with!(a, E, async move { oauth::start_device_authorization(&request).await })
        }
        "oauth.pollDeviceToken" => {
            let request = a.required::<DeviceTokenPoll>("auth")?;
            out_with!(a, E, async move { oauth::poll_device_token(&request).await })
        }
        other => Err(unknown_method(other)),
    }
}

#[cfg(test)]
mod route_tests {
    use super::*;
    use http::Method;

    #[test]
    fn requests_take_the_retry_class_of_their_route() {
        let id = "0b6f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11";
        let cases = [
            (Method::POST, "/applications".to_owned(), Some(RetryClass::CredentialMinting)),
            (Method::POST, format!("/applications/{id}/rotate-secret"), Some(RetryClass::CredentialMinting)),
            (Method::POST, format!("/service-accounts/{id}/rotate-secret"), Some(RetryClass::CredentialMinting)),
            (Method::GET, format!("/applications/{id}"), Some(RetryClass::Safe)),
            (Method::PUT, "/policy".to_owned(), Some(RetryClass::Precondition)),
            (Method::POST, "/policy/validations".to_owned(), Some(RetryClass::Safe)),
            (Method::PATCH, "/policy/settings".to_owned(), Some(RetryClass::Precondition)),
            (Method::GET, "/traces/stats".to_owned(), Some(RetryClass::Safe)),
            (Method::POST, "/nowhere".to_owned(), None),
            (Method::GET, "/applications/".to_owned(), None),
            (Method::GET, format!("/applications/{id}/extra/segments"), None),
            // The query and fragment are not part of the route, even with a slash in them.
            (Method::GET, format!("/applications/{id}?cursor=a/b"), Some(RetryClass::Safe)),
            (Method::GET, format!("/applications/{id}#x/y"), Some(RetryClass::Safe)),
            (Method::GET, "/applications//oauth".to_owned(), None),
            (Method::GET, "applications".to_owned(), None),
            (Method::GET, String::new(), None),
        ];
        for (verb, path, class) in cases {
            assert_eq!(retry_class(&verb, &path), class, "{verb} {path}");
        }
    }

    #[test]
    fn every_route_resolves_to_its_own_class() {
        for &(verb, template, class) in table::ROUTES {
            let path = template.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>();
            let verb = Method::from_bytes(verb.as_bytes()).unwrap();
            // A filled-in template can also match a more literal route of the same verb: then the
            // literal route's class applies, which is what a request to that path gets.
            let got = retry_class(&verb, &path.join("/"));
            assert!(got.is_some(), "{verb} {template}");
            if !template.contains('{') {
                assert_eq!(got, Some(class), "{verb} {template}");
            }
        }
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
            assert!(list_all(&c, method, Vec::new(), None).is_ok(), "{method}");
        }
        assert_eq!(LIST_ALL_METHODS, table::LIST_ALL.iter().map(|(name, ..)| *name).collect::<Vec<_>>());
        let e = table::request(&c, "applications.nothing", &mut Args::new("x", Vec::new())).err().unwrap();
        assert_eq!(e.details().argument.as_deref(), Some("method"));
    }

    /// A JSON value of `ty` that its decoder accepts: what a method needs besides the argument
    /// under test (required fields only, each a plausible value).
    #[cfg(feature = "describe")]
    fn sample(ty: &crate::describe::Ty) -> Value {
        use crate::describe::Ty;
        match ty {
            Ty::String | Ty::Secret => "x".into(),
            Ty::Bool => false.into(),
            Ty::Int => 1.into(),
            Ty::Float => 1.0.into(),
            Ty::Json | Ty::Map(_) => serde_json::json!({}),
            Ty::List(_) => serde_json::json!([]),
            Ty::Option(_) => Value::Null,
            Ty::Enum(e) => e.values.first().copied().unwrap_or("x").into(),
            Ty::Model(_, describe) => Value::Object(
                describe()
                    .fields
                    .iter()
                    .filter(|f| !f.optional() && !f.default)
                    .map(|f| (f.wire.to_owned(), sample(&f.ty)))
                    .collect(),
            ),
        }
    }

    /// DECISIONS V12: which path ids are UUIDs (application, integration, service-account and
    /// session ids); every other path id is opaque (non-empty, percent-encoded).
    #[cfg(feature = "describe")]
    fn is_uuid_arg(resource: &str, argument: &str) -> bool {
        match argument {
            "applicationId" | "integrationId" | "sessionId" => true,
            "id" => matches!(resource, "applications" | "integrations" | "serviceAccounts"),
            _ => false,
        }
    }

    /// Issue 23 item 5, over every method of `api.rs`: an empty path id is refused before any
    /// request with an `invalid_input` error naming the argument; a malformed one too when the id
    /// is a UUID, and an opaque id is never refused for its shape (V12).
    #[cfg(feature = "describe")]
    #[tokio::test]
    async fn every_path_id_is_checked_before_any_request() {
        use crate::api::{ArgKind, Transport};
        let c = Client::builder()
            .base_url("http://127.0.0.1:9")
            .client_credentials("sa_x", "s")
            .max_retries(0)
            .build()
            .unwrap();
        const UUID: &str = "6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11";
        let mut checked = 0;
        for m in crate::api::methods().into_iter().filter(|m| matches!(m.transport, Transport::Http(..))) {
            let name = m.full_name();
            for (i, arg) in m.args.iter().enumerate().filter(|(_, a)| a.kind == ArgKind::Path) {
                let uuid = is_uuid_arg(m.resource, arg.name);
                // `None`: no opinion (whether blank counts as empty for an opaque id is its own rule).
                let blank = if uuid { Some(true) } else { None };
                for (bad, refused) in [
                    ("", Some(true)),
                    ("  ", blank),
                    ("not-a-uuid", Some(uuid)),
                    ("app_x/../y", Some(uuid)),
                    ("..", Some(true)),
                ] {
                    let Some(refused) = refused else { continue };
                    let args: Vec<Value> = m
                        .args
                        .iter()
                        .enumerate()
                        .map(|(j, a)| match a.kind {
                            ArgKind::Path if j == i => bad.into(),
                            ArgKind::Path => UUID.into(),
                            _ => sample(&a.ty),
                        })
                        .collect();
                    let result = call(&c, &name, args, None).await;
                    let argument = result.as_ref().err().and_then(|e| e.details().argument.clone());
                    if refused {
                        let e = result.expect_err(&name);
                        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{name}({bad:?}): {e}");
                        assert_eq!(argument.as_deref(), Some(arg.name), "{name}({bad:?}): {e}");
                    } else {
                        // Sent (to a closed port): the shape of an opaque id is the server's business.
                        assert_ne!(argument.as_deref(), Some(arg.name), "{name}({bad:?}) refused an opaque id");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 4 * 25, "only {checked} cases");
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
