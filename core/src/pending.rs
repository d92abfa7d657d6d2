//! [`Pending`]: what every resource method returns — one request, sent when awaited, decoded
//! into its model or handed over as the response's JSON text.
//!
//! Bindings and the scenario runners pass results across as JSON text; decoding a page into
//! models only to encode it again cost them most of their time per item, and on wasm the
//! (de)serializers of every response model were most of the binary. So each endpoint is described
//! once here, and the caller picks the representation.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use crate::client::Call;
use crate::error::{Error, Result};
use crate::http::{RawResponse, Response};
use crate::pagination::ListPage;

/// What the SDK makes of a response body before anyone reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// The body is the result.
    Json,
    /// No result (204 endpoints; any body is ignored).
    Empty,
    /// One object under `key`: the wire sends it bare (DECISIONS V13) or, from older servers,
    /// already wrapped under `key` (accepted when `tolerant`). With `etag`, the `ETag` header of
    /// this successful response is added as `etag`, exactly as received (V19).
    Single { key: &'static str, tolerant: bool, etag: bool },
    /// The body wrapped in an object under this key (the official client's wrapper shapes).
    Wrap(&'static str),
    /// The body rewritten into the SDK's one shape of an answer the server sends in several
    /// (the validate answer, DECISIONS V2); the error names what did not fit.
    Normalize(fn(&str) -> std::result::Result<String, String>),
}

#[cfg(not(target_arch = "wasm32"))]
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
#[cfg(target_arch = "wasm32")]
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One API request, sent when awaited.
///
/// `.await` it for the typed result (`Response<T>`), or call [`raw`](Self::raw) for the
/// response's JSON text, unparsed beyond a syntax check — what you want when the result goes
/// straight to another serializer. Invalid arguments are reported when the request is awaited,
/// before anything is sent.
///
/// ```no_run
/// # async fn demo(client: kontext_management::Client, id: &str) -> kontext_management::Result<()> {
/// let app = client.applications().get(id).await?;
/// let json: String = client.applications().get(id).raw().await?.into_inner();
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct Pending<'a, T> {
    call: Result<Call<'a>>,
    shape: Shape,
    result: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("shape", &self.shape).finish_non_exhaustive()
    }
}

impl<'a, T> Pending<'a, T> {
    pub(crate) fn new(call: Result<Call<'a>>, shape: Shape) -> Self {
        Self { call, shape, result: PhantomData }
    }

    /// A request that fails with `error` when awaited (arguments rejected before sending).
    pub(crate) fn invalid(error: Error) -> Self {
        Self::new(Err(error), Shape::Json)
    }

    /// The same request with its result type forgotten: what [`crate::dispatch`] sends as
    /// [`raw`](Self::raw), one code path for every method.
    pub(crate) fn untyped(self) -> Pending<'a, ()> {
        Pending { call: self.call, shape: self.shape, result: PhantomData }
    }

    /// Sends a list request; resolves with the page decoded as `P` (models, or the items' JSON
    /// text for the bindings).
    pub(crate) async fn page<P: ListPage>(self) -> Result<P> {
        P::decode(self.call?.execute().await?)
    }

    /// Sends a request whose result is the body as sent (`Shape::Json`); resolves with it read
    /// by `FromArg` (see `RawResponse::decode_fields`): for a model the SDK reads itself.
    pub(crate) async fn fields(self) -> Result<T>
    where
        T: crate::args::FromArg,
    {
        debug_assert!(matches!(self.shape, Shape::Json), "{:?}", self.shape);
        Ok(self.call?.execute().await?.decode_fields::<T>()?.into_inner())
    }

    /// Sends the request; resolves with the result's JSON text (`null` for no content),
    /// checked to be JSON but not decoded.
    pub async fn raw(self) -> Result<Response<String>> {
        let shape = self.shape;
        let response = self.call?.execute().await?;
        shaped_text(response, shape)
    }
}

impl<'a, T: DeserializeOwned + 'a> IntoFuture for Pending<'a, T> {
    type Output = Result<Response<T>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let shape = self.shape;
            let response = self.call?.execute().await?;
            match shape {
                Shape::Json => response.decode(),
                Shape::Empty => RawResponse { body: Vec::new(), ..response }.decode(),
                Shape::Single { .. } | Shape::Wrap(_) | Shape::Normalize(_) => {
                    let status = response.status;
                    let text = shaped_text(response, shape)?;
                    let (text, meta) = text.into_parts();
                    RawResponse { status, meta, retry_after: None, body: text.into_bytes() }.decode()
                }
            }
        })
    }
}

/// The JSON text of a result, after the SDK's own additions.
fn shaped_text(response: RawResponse, shape: Shape) -> Result<Response<String>> {
    if let Shape::Empty = shape {
        return Ok(Response::new("null".to_owned(), response.meta));
    }
    let text = response.text()?;
    // Every result of this API is a JSON object; anything else (a bare `null`, an HTML page
    // answered with 200, half a body) must fail here as it would when decoding a model.
    if !text.trim_start().starts_with('{') {
        return Err(response.decode_error("expected a JSON object".into()));
    }
    crate::json_scan::check(text).map_err(|message| response.decode_error(message))?;
    let text = match shape {
        Shape::Json | Shape::Empty => text.to_owned(),
        Shape::Wrap(key) => format!("{{{}:{text}}}", crate::json_scan::text(&key.into())),
        Shape::Normalize(normalize) => normalize(text).map_err(|message| response.decode_error(message))?,
        Shape::Single { key, tolerant, etag } => {
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text).map_err(|e| response.decode_error(crate::error::serde_message(&e)))?;
            let wrapped = tolerant && object.get(key).is_some_and(serde_json::Value::is_object);
            let mut out = if wrapped {
                object
            } else {
                serde_json::Map::from_iter([(key.to_owned(), serde_json::Value::Object(object))])
            };
            if let (true, Some(tag)) = (etag, &response.meta.etag) {
                out.insert("etag".into(), tag.clone().into());
            }
            crate::json_scan::text(&serde_json::Value::Object(out))
        }
    };
    Ok(Response::new(text, response.meta))
}

/// A resource method's request: built by `build`, or failing when awaited with the argument
/// error `build` returned.
pub(crate) fn pending<'a, T>(build: impl FnOnce() -> Result<Pending<'a, T>>) -> Pending<'a, T> {
    build().unwrap_or_else(Pending::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ResponseMeta;

    fn response(body: &str, etag: Option<&str>) -> RawResponse {
        let meta = ResponseMeta {
            status: 200,
            request_id: Some("req_1".into()),
            etag: etag.map(str::to_owned),
            ..Default::default()
        };
        RawResponse { status: 200, meta, retry_after: None, body: body.as_bytes().to_vec() }
    }

    fn text(body: &str, shape: Shape) -> Result<String> {
        shaped_text(response(body, Some("\"v2\"")), shape).map(Response::into_inner)
    }

    #[test]
    fn json_passes_through_verbatim() {
        let body = r#"{"application":{"id":"a","futureField":[1,2]}}"#;
        assert_eq!(text(body, Shape::Json).unwrap(), body);
    }

    #[test]
    fn shapes_add_what_the_typed_models_add() {
        assert_eq!(text("{\"a\":1}", Shape::Wrap("stats")).unwrap(), r#"{"stats":{"a":1}}"#);
        let value = |body: &str, shape| serde_json::from_str::<serde_json::Value>(&text(body, shape).unwrap()).unwrap();
        let single = Shape::Single { key: "deployment", tolerant: true, etag: true };
        let expected = serde_json::json!({"deployment": {"a": 1}, "etag": "\"v2\""});
        assert_eq!(value("{\"a\":1}", single), expected, "bare (DECISIONS V13)");
        assert_eq!(value("{\"deployment\":{\"a\":1}}", single), expected, "wrapped (older servers)");
        let no_etag = Shape::Single { key: "settings", tolerant: true, etag: false };
        assert_eq!(value("{\"a\":1}", no_etag), serde_json::json!({"settings": {"a": 1}}));
        let strict = Shape::Single { key: "result", tolerant: false, etag: true };
        assert_eq!(value("{\"result\":{}}", strict), serde_json::json!({"result": {"result": {}}, "etag": "\"v2\""}));
        assert_eq!(text("ignored <html>", Shape::Empty).unwrap(), "null");
    }

    /// DECISIONS V13: a bare and a wrapped single object decode to the same typed result, with
    /// the ETag header exactly as received (V19), weak tags included.
    #[test]
    fn policy_objects_decode_the_same_bare_or_wrapped() {
        use crate::models::{DeploymentResponse, PolicyResponse, SettingsResponse};
        let shaped = |body: &str, key, etag| {
            let shape = Shape::Single { key, tolerant: true, etag };
            let raw = response(body, Some("W/\"d-3\""));
            shaped_text(raw, shape).map(Response::into_inner).unwrap()
        };
        let deployment =
            r#"{"policyVersionId":"pv_1","observingVersionId":"pv 2","rolloutMode":"enforce","updatedAt":"t"}"#;
        let bare: DeploymentResponse = serde_json::from_str(&shaped(deployment, "deployment", true)).unwrap();
        let wrapped: DeploymentResponse =
            serde_json::from_str(&shaped(&format!("{{\"deployment\":{deployment}}}"), "deployment", true)).unwrap();
        assert_eq!(bare, wrapped);
        assert_eq!(bare.etag.as_deref(), Some("W/\"d-3\""));
        assert_eq!(bare.deployment.observing_slot_id(), Some("pv 2"));

        let policy =
            r#"{"policyText":"permit(principal, action, resource);","policyVersionId":"pv_1","updatedAt":"t"}"#;
        let bare: PolicyResponse = serde_json::from_str(&shaped(policy, "policy", true)).unwrap();
        let wrapped: PolicyResponse =
            serde_json::from_str(&shaped(&format!("{{\"policy\":{policy}}}"), "policy", true)).unwrap();
        assert_eq!(bare.policy.policy_version_id, "pv_1");
        assert_eq!(bare, wrapped);

        let settings = r#"{"policyEnabled":true,"payloadCaptureMode":"summary","updatedAt":"t"}"#;
        let bare: SettingsResponse = serde_json::from_str(&shaped(settings, "settings", false)).unwrap();
        let wrapped: SettingsResponse =
            serde_json::from_str(&shaped(&format!("{{\"settings\":{settings}}}"), "settings", false)).unwrap();
        assert_eq!(bare, wrapped);
        assert!(bare.settings.policy_enabled);
    }

    #[test]
    fn bodies_that_are_not_a_json_object_are_decode_errors_with_the_request_id() {
        for body in ["", "null", "[1]", "<html>502</html>", "{\"a\":", "{\"a\":1} trailing"] {
            let error = text(body, Shape::Json).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Decode, "{body:?}");
            assert_eq!(error.request_id(), Some("req_1"), "{body:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_a_decode_error() {
        let mut raw = response("{}", None);
        raw.body = vec![b'{', b'"', 0xff, b'"', b':', b'1', b'}'];
        assert_eq!(shaped_text(raw, Shape::Json).unwrap_err().kind(), crate::ErrorKind::Decode);
    }
}
