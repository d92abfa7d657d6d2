//! The request pipeline: build → authenticate → send → retry → hand back bytes and metadata.
//!
//! One loop serves API calls and token requests alike, so retries, timeouts, backoff and
//! request-id capture behave identically everywhere.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::time::Duration;

use http::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::TokenManager;
use crate::config::check_header;
use crate::error::{Error, Result, serde_message, snippet};
use crate::retry;
use crate::runtime;
use crate::wire::{self, HttpClient, WireRequest};

/// Per-request overrides of the client's settings. Deserializes from camelCase, so bindings
/// pass their language's options object straight through.
///
/// ```
/// # async fn demo(client: kontext_management::Client) -> kontext_management::Result<()> {
/// use std::time::Duration;
/// let patient = client.with_options(kontext_management::RequestOptions::new().timeout(Duration::from_secs(5)).max_retries(0));
/// patient.applications().list(Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, kontext_management_derive::FromArg)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestOptions {
    /// Timeout of one attempt in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Retries after the first attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// Sent as `Idempotency-Key`; makes a POST safe to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Extra headers for this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
}

/// Header values and the idempotency key are left out: custom headers often carry gateway keys.
impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self { timeout_ms, max_retries, idempotency_key, headers } = self;
        f.debug_struct("RequestOptions")
            .field("timeout_ms", timeout_ms)
            .field("max_retries", max_retries)
            .field("idempotency_key", &idempotency_key.as_ref().map(|_| crate::secret::Redacted))
            .field("headers", &headers.as_ref().map(crate::config::HeaderNames::of_map))
            .finish()
    }
}

impl RequestOptions {
    /// Parses per-request options from JSON (what bindings receive); errors never echo values.
    pub fn from_json(json: &str) -> Result<Self> {
        crate::args::from_json_text(json, "invalid request options").map_err(|e| Error::invalid("options", e))
    }

    /// Like [`from_json`](Self::from_json) for what a binding may receive when there are none:
    /// nothing, empty text or `null` mean no options.
    pub fn from_optional_json(json: Option<&str>) -> Result<Option<Self>> {
        match json.map(str::trim) {
            None | Some("" | "null") => Ok(None),
            Some(json) => Self::from_json(json).map(Some),
        }
    }

    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout_ms = Some(timeout.as_millis().try_into().unwrap_or(u64::MAX));
        self
    }
    /// Sets the retry budget.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }
    /// Sets an idempotency key, which lets the client retry a POST.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.get_or_insert_with(BTreeMap::new).insert(name.into(), value.into());
        self
    }

    /// Layers `other` over `self` (other wins field by field; headers merge).
    pub(crate) fn merged(&self, other: &RequestOptions) -> RequestOptions {
        let mut headers = self.headers.clone();
        if let Some(extra) = &other.headers {
            headers.get_or_insert_with(BTreeMap::new).extend(extra.clone());
        }
        RequestOptions {
            timeout_ms: other.timeout_ms.or(self.timeout_ms),
            max_retries: other.max_retries.or(self.max_retries),
            idempotency_key: other.idempotency_key.clone().or_else(|| self.idempotency_key.clone()),
            headers,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.timeout_ms == Some(0) {
            return Err(Error::invalid("timeoutMs", "must be greater than 0"));
        }
        if let Some(n) = self.max_retries.filter(|n| *n > crate::config::MAX_RETRIES_LIMIT) {
            return Err(Error::invalid("maxRetries", format!("{n} is more than {}", crate::config::MAX_RETRIES_LIMIT)));
        }
        if let Some(key) = &self.idempotency_key
            && (key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::invalid("idempotencyKey", "must be 1-255 visible ASCII characters"));
        }
        for (k, v) in self.headers.iter().flatten() {
            check_header(k, v).map_err(|e| Error::invalid("headers", e.to_string()))?;
        }
        Ok(())
    }
}

/// What every response tells besides its body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `x-request-id`, to quote in bug reports.
    pub request_id: Option<String>,
    /// `ETag`, for optimistic concurrency on policy writes.
    pub etag: Option<String>,
    /// How many attempts the call took (1 when nothing was retried).
    pub attempts: u32,
}

/// A decoded result together with its [`ResponseMeta`].
///
/// Derefs to the result, so `client.applications().get(id).await?.application.name` reads
/// naturally; [`Response::meta`] gives the request id.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    data: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(data: T, meta: ResponseMeta) -> Self {
        Self { data, meta }
    }
    /// Status, request id, ETag and attempt count of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
    /// The `x-request-id` of the response.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }
    /// The decoded result, without metadata.
    pub fn into_inner(self) -> T {
        self.data
    }
    /// Splits into result and metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.data, self.meta)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

/// The decode error of a body that is not UTF-8.
pub(crate) const NOT_UTF8: &str = "the response body is not UTF-8";

/// A fully read HTTP response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub meta: ResponseMeta,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn decode<T: DeserializeOwned>(self) -> Result<Response<T>> {
        let decoded = self.parse::<T>();
        match decoded {
            Ok(data) => Ok(Response::new(data, self.meta)),
            Err(message) => Err(self.decode_error(message)),
        }
    }

    /// Like [`decode`](Self::decode), the model read by [`FromArg`](crate::args::FromArg) from
    /// the body's JSON value instead of by serde's visitors: for the models the SDK reads itself
    /// (token grants, the rows its compositions walk). The same fields and checks; one small
    /// decoder per model, where serde's made up ~54 KB of the WebAssembly engine for these
    /// models alone (bindings/ENGINE.md). Errors name the field, never its value.
    pub(crate) fn decode_fields<T: crate::args::FromArg>(self) -> Result<Response<T>> {
        let decoded = self.parse::<serde_json::Value>().and_then(crate::args::from_value);
        match decoded {
            Ok(data) => Ok(Response::new(data, self.meta)),
            Err(message) => Err(self.decode_error(message)),
        }
    }

    fn parse<T: DeserializeOwned>(&self) -> std::result::Result<T, String> {
        // An empty success body decodes like JSON `null`, so `Option`/`()` results work.
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) { b"null" } else { &self.body };
        // Through `&str` like every other JSON read of the SDK: one reader type compiled, not two.
        std::str::from_utf8(body)
            .map_err(|_| NOT_UTF8.to_owned())
            .and_then(|text| serde_json::from_str(text).map_err(|e| serde_message(&e)))
    }

    /// The body as text, or the decode error saying it is not UTF-8.
    pub(crate) fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| self.decode_error(NOT_UTF8.to_owned()))
    }

    /// A body that is not what it should be: the problem, with the start of the body.
    pub(crate) fn decode_error(&self, message: String) -> Error {
        Error::Decode {
            status: self.status,
            message,
            snippet: snippet(&self.body),
            request_id: self.meta.request_id.clone(),
        }
    }
}

/// Body of a request.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    Form(Vec<(String, String)>),
}

/// One logical request; the pipeline may send it several times.
#[derive(Debug, Clone)]
pub(crate) struct RequestSpec {
    pub method: Method,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Path for logs (never the query, which may hold cursors but never secrets anyway).
    pub label: String,
    /// When the request may be sent again after a failure.
    pub resend: Resend,
}

/// When a request may be sent again after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resend {
    /// As its method allows (GET, PUT, DELETE…), or any method with an idempotency key; a
    /// server's `x-should-retry: true` also allows it, as in openai-python.
    ByMethod,
    /// Always, whatever the method: the request changes nothing (a client-credentials mint).
    Always,
    /// Only when it provably never reached the server (the connection failed before the request
    /// was written): single-use grants, which a second send would spend (a code, a rotating
    /// refresh token). Never after a timeout or an error status, whatever the server says.
    OnlyUnsent,
}

impl From<crate::retry::RetryClass> for Resend {
    fn from(class: crate::retry::RetryClass) -> Self {
        use crate::retry::RetryClass;
        match class {
            RetryClass::Safe => Resend::Always,
            RetryClass::Keyed => Resend::ByMethod,
            RetryClass::CredentialMinting | RetryClass::Precondition => Resend::OnlyUnsent,
        }
    }
}

impl RequestSpec {
    pub(crate) fn new(method: Method, url: String, label: impl Into<String>) -> Self {
        Self {
            method,
            url,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            label: label.into(),
            resend: Resend::ByMethod,
        }
    }

    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        self.body = Body::Json(bytes);
        Ok(self)
    }

    pub(crate) fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Result<Self> {
        self.query = query_pairs(query)?;
        Ok(self)
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Safe to send twice: the method is idempotent, or the caller supplied an idempotency key.
    fn retry_safe(&self, options: &RequestOptions) -> bool {
        match self.resend {
            Resend::Always => true,
            Resend::OnlyUnsent => false,
            Resend::ByMethod => {
                matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE)
                    || options.idempotency_key.is_some()
            }
        }
    }

    /// Whether an error answer may be retried: the status is a transient one (or the server said
    /// so with `x-should-retry`, which wins either way) and the request is safe to send again.
    fn retry_answer(&self, status: u16, should_retry: Option<bool>, retry_safe: bool) -> bool {
        match (self.resend, should_retry) {
            (Resend::OnlyUnsent, _) | (_, Some(false)) => false,
            (_, Some(true)) => true,
            (_, None) => retry_safe && retry::is_retryable_status(status),
        }
    }
}

/// Flattens a params struct into query pairs, dropping absent values.
fn query_pairs<Q: Serialize + ?Sized>(query: &Q) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(query).map_err(|e| Error::invalid("params", e.to_string()))?;
    let serde_json::Value::Object(map) = value else {
        return Ok(Vec::new());
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some((k, s)),
            other => Some((k, crate::json_scan::text(&other))),
        })
        .collect())
}

/// The HTTP stack plus the settings that drive retries and timeouts.
#[derive(Clone)]
pub(crate) struct Transport {
    http: HttpClient,
    timeout: Duration,
    max_retries: u32,
    headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("http", &self.http)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &crate::config::HeaderNames::of_pairs(&self.headers))
            .finish()
    }
}

/// What [`Transport::execute`] returns (`Send` where the platform allows it).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type ExecuteFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawResponse>> + Send + 'a>>;
/// What [`Transport::execute`] returns (`Send` where the platform allows it).
#[cfg(target_arch = "wasm32")]
pub(crate) type ExecuteFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawResponse>> + 'a>>;

impl Transport {
    pub(crate) fn new(http: HttpClient, timeout: Duration, max_retries: u32, headers: Vec<(String, String)>) -> Self {
        Self { http, timeout, max_retries, headers }
    }

    /// The same settings over the same kind of HTTP stack, with a connection pool of its own.
    pub(crate) fn with_own_connections(&self, user_agent: &str) -> Result<Self> {
        Ok(Self { http: self.http.with_own_connections(user_agent)?, ..self.clone() })
    }

    /// Sends `spec` until it succeeds, fails for good, or the retry budget is spent.
    ///
    /// With `auth`, every attempt carries the current bearer token; a 401 drops that token, and
    /// the request is sent once more with a fresh one (not counted as a retry, never looped).
    ///
    /// Boxed: one copy of the pipeline's state machine serves every caller. Unboxed, the wasm
    /// engine carried two ~9 KB copies of it (minting a token runs it too, inside a request).
    pub(crate) fn execute<'a>(
        &'a self,
        spec: &'a RequestSpec,
        options: &'a RequestOptions,
        auth: Option<&'a TokenManager>,
    ) -> ExecuteFuture<'a> {
        Box::pin(self.execute_unboxed(spec, options, auth))
    }

    async fn execute_unboxed(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        auth: Option<&TokenManager>,
    ) -> Result<RawResponse> {
        options.validate()?;
        let max_retries = options.max_retries.unwrap_or(self.max_retries);
        let timeout = options.timeout_ms.map_or(self.timeout, Duration::from_millis);
        let retry_safe = spec.retry_safe(options);
        let mut retries = 0u32;
        let mut reauthenticated = false;
        let mut attempts = 0u32;
        loop {
            let token = match auth {
                // The wait for a token (queued behind a mint, or minting) counts against the
                // call's timeout, like the attempt it is for.
                Some(tokens) => Some(within(timeout, tokens.token(self)).await?),
                None => None,
            };
            attempts += 1;
            // The HTTP stack bounds the whole attempt (send, and read the body) by `timeout`
            // itself: natively one tokio timeout over the exchange (`wire/native.rs`); on wasm32 the
            // `fetch` exchange arms its own timer, which aborts the `fetch` and fails with
            // `Error::Timeout` (`wire/fetch.rs`).
            let outcome = self.attempt(spec, options, token.as_ref().map(|t| t.value.expose()), timeout).await;
            let error = match outcome {
                Ok((mut raw, _)) if (200..300).contains(&raw.status) => {
                    raw.meta.attempts = attempts;
                    return Ok(raw);
                }
                Ok((raw, should_retry)) => {
                    if raw.status == 401
                        && !reauthenticated
                        && let (Some(tokens), Some(token)) = (auth, &token)
                        && tokens.can_refresh()
                    {
                        // The token may have been revoked or expired early; the request was
                        // rejected, so sending it again is safe for any method.
                        trace_auth_retry(spec, "401: renewing the token and retrying once");
                        tokens.invalidate(token);
                        reauthenticated = true;
                        continue;
                    }
                    let retryable = spec.retry_answer(raw.status, should_retry, retry_safe);
                    let retry_after = raw.retry_after;
                    let error = Error::from_api_response(raw.status, &raw.body, raw.meta.request_id, raw.retry_after);
                    if retryable && retries < max_retries {
                        self.pause(spec, retries, retry_after, &error).await;
                        retries += 1;
                        continue;
                    }
                    error
                }
                Err(error) => {
                    let transient = matches!(error, Error::Connection { .. } | Error::Timeout { .. });
                    // `retry_safe` is false for single-use grants: only a request that never
                    // left may go again.
                    if transient && (retry_safe || error.never_sent()) && retries < max_retries {
                        self.pause(spec, retries, None, &error).await;
                        retries += 1;
                        continue;
                    }
                    error
                }
            };
            if attempts > 1 {
                tracing::warn!(target: "kontext_management", method = %spec.method, path = %spec.label, attempts, "giving up: {error}");
            }
            // A request the SDK would send again is one whose repetition is harmless; any other
            // may have taken effect, and the caller must know before trying again (V8, V11).
            return Err(if retry_safe { error } else { error.with_outcome_of_unrepeated_write() });
        }
    }

    async fn pause(&self, spec: &RequestSpec, retry: u32, retry_after: Option<Duration>, error: &Error) {
        let delay = match retry_after {
            Some(asked) => retry::retry_after_delay(asked, runtime::unit_random()),
            None => retry::backoff(retry, runtime::unit_random()),
        };
        // INFO, like openai-python's "Retrying request": worth seeing without a request log.
        tracing::info!(
            target: "kontext_management",
            method = %spec.method, path = %spec.label, retry = retry + 1, delay_ms = delay.as_millis() as u64,
            "retrying after: {error}"
        );
        runtime::sleep(delay).await;
    }

    /// One send, with the whole body read within the timeout; with the response's
    /// `x-should-retry` (`true`/`false`, else `None`).
    async fn attempt(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        bearer: Option<&str>,
        timeout: Duration,
    ) -> Result<(RawResponse, Option<bool>)> {
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(4 + self.headers.len() + spec.headers.len());
        headers.push(("accept", "application/json"));
        let per_request = options.headers.iter().flatten();
        let configured = self.headers.iter().chain(&spec.headers).map(|(k, v)| (k, v));
        headers.extend(configured.chain(per_request).map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(key) = &options.idempotency_key {
            headers.push(("idempotency-key", key));
        }
        let form;
        let body = match &spec.body {
            Body::None => None,
            Body::Json(bytes) => {
                headers.push(("content-type", "application/json"));
                Some(&bytes[..])
            }
            Body::Form(pairs) => {
                headers.push(("content-type", "application/x-www-form-urlencoded"));
                form = wire::form_body(pairs);
                Some(&form[..])
            }
        };
        let url = wire::with_query(&spec.url, &spec.query);
        let request = WireRequest { method: &spec.method, url: &url, headers: &headers, bearer, body, timeout };
        let response = self.http.send(request).await?;
        let status = response.status;
        // Only a failure can ask the client to wait: successes skip the date parsing.
        let retry_after = (!(200..300).contains(&status))
            .then(|| {
                let now = web_time::SystemTime::now();
                retry::parse_retry_after(response.retry_after.as_deref(), response.retry_after_ms.as_deref(), now)
            })
            .flatten();
        let should_retry = retry::parse_should_retry(response.should_retry.as_deref());
        let meta = ResponseMeta { status, request_id: response.request_id, etag: response.etag, attempts: 0 };
        tracing::debug!(target: "kontext_management", method = %spec.method, path = %spec.label, status, request_id = ?meta.request_id, "response");
        Ok((RawResponse { status, meta, retry_after, body: response.body }, should_retry))
    }
}

/// `future`, or a timeout error once `timeout` has passed.
async fn within<T>(timeout: Duration, future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures_util::future::{Either, select};
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(runtime::sleep(timeout));
    match select(future, timer).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => Err(Error::timeout(timeout)),
    }
}

fn trace_auth_retry(spec: &RequestSpec, message: &str) {
    tracing::info!(target: "kontext_management", method = %spec.method, path = %spec.label, "{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> RawResponse {
        let meta = ResponseMeta { status: 200, request_id: Some("req_1".into()), ..Default::default() };
        RawResponse { status: 200, meta, retry_after: None, body: body.as_bytes().to_vec() }
    }

    /// `decode_fields` reads what serde's visitors read, unknown fields kept in `extra`.
    fn same_as_serde<T>(body: &str)
    where
        T: crate::args::FromArg + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let by_fields = response(body).decode_fields::<T>().unwrap().into_inner();
        assert_eq!(by_fields, response(body).decode::<T>().unwrap().into_inner(), "{body}");
    }

    #[test]
    fn models_the_sdk_reads_itself_decode_as_serde_decodes_them() {
        use crate::models::{Application, AuthServerMetadata, DownloadUrl, Release, ScimToken, ServiceAccount};
        use crate::pagination::Page;
        same_as_serde::<Page<Application>>(concat!(
            r#"{"items":[{"id":"a","name":"n","createdAt":"c","updatedAt":"u","description":null,"#,
            r#""sessions":{"active":2},"externalAuth":{"enabled":true,"maxTokenAgeSeconds":60},"new":[1]}],"#,
            r#""nextCursor":"k"}"#
        ));
        same_as_serde::<Page<ServiceAccount>>(r#"{"items":[{"id":"s","name":"n","createdAt":"c","x":{}}]}"#);
        same_as_serde::<Page<ScimToken>>(r#"{"items":[{"sha256":"h","label":"l","createdAt":"c","revokedAt":"r"}]}"#);
        same_as_serde::<Page<Release>>(concat!(
            r#"{"items":[{"version":"1.2.0","artifacts":[{"kind":"package","sha256":"h","size":3},"#,
            r#"{"kind":"future_kind","sha256":"i"}]},{"version":"1.1.0"}]}"#
        ));
        same_as_serde::<DownloadUrl>(r#"{"url":"https://x/y","expiresAt":"t","other":1}"#);
        same_as_serde::<AuthServerMetadata>(
            r#"{"authorization_endpoint":"a","token_endpoint":"t","grant_types_supported":["x"]}"#,
        );
    }

    /// A body that does not fit is a decode error that names the field and quotes no value
    /// (a token response holds a live credential).
    #[test]
    fn models_read_by_fields_fail_as_decode_errors_naming_the_field() {
        let error = response(r#"{"access_token":7,"token_type":"Bearer"}"#)
            .decode_fields::<crate::auth::TokenGrant>()
            .unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Decode, "{error}");
        assert_eq!(error.request_id(), Some("req_1"));
        let Error::Decode { message, .. } = &error else { panic!("{error:?}") };
        assert_eq!(message, "`access_token` must be a string, not a number");
        let missing = response(r#"{"items":[{"id":"a"}]}"#)
            .decode_fields::<crate::pagination::Page<crate::models::ServiceAccount>>()
            .unwrap_err();
        let Error::Decode { message, .. } = &missing else { panic!("{missing:?}") };
        assert_eq!(message, "`items[0].name` is required");
        for body in ["", "[1]", "{\"items\":", "\"s3cret\"", r#"{"access_token":"a","scope":["s3cret"]}"#] {
            let error = response(body).decode_fields::<crate::auth::TokenGrant>().unwrap_err();
            let Error::Decode { message, .. } = &error else { panic!("{body}: {error:?}") };
            assert!(!message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn absent_request_options_are_none_and_bad_ones_name_themselves() {
        assert_eq!(RequestOptions::from_optional_json(None).unwrap(), None);
        assert_eq!(RequestOptions::from_optional_json(Some("")).unwrap(), None);
        assert_eq!(RequestOptions::from_optional_json(Some("null")).unwrap(), None);
        let options = RequestOptions::from_optional_json(Some(r#"{"maxRetries": 1}"#)).unwrap().unwrap();
        assert_eq!(options.max_retries, Some(1));
        let error = RequestOptions::from_optional_json(Some(r#"{"retries": 1}"#)).unwrap_err();
        assert_eq!(error.details().argument.as_deref(), Some("options"));
    }

    #[test]
    fn query_pairs_drop_absent_values_and_keep_camel_case() {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct P {
            limit: Option<u32>,
            cursor: Option<String>,
            include_inactive: Option<bool>,
        }
        let pairs = query_pairs(&P { limit: Some(5), cursor: None, include_inactive: Some(true) }).unwrap();
        assert_eq!(
            pairs,
            vec![("includeInactive".to_owned(), "true".to_owned()), ("limit".to_owned(), "5".to_owned())]
        );
    }

    #[test]
    fn options_merge_field_by_field() {
        let base = RequestOptions::new().max_retries(3).header("a", "1");
        let merged = base.merged(&RequestOptions::new().timeout(Duration::from_secs(1)).header("b", "2"));
        assert_eq!(merged.max_retries, Some(3));
        assert_eq!(merged.timeout_ms, Some(1000));
        assert_eq!(merged.headers.unwrap().len(), 2);
    }

    #[test]
    fn request_options_are_validated() {
        assert!(RequestOptions { timeout_ms: Some(0), ..Default::default() }.validate().is_err());
        assert!(RequestOptions::new().idempotency_key("").validate().is_err());
        assert!(RequestOptions::new().header("authorization", "x").validate().is_err());
        assert!(RequestOptions::new().idempotency_key("create-app-42").validate().is_ok());
    }

    #[test]
    fn retry_safety_follows_the_method_and_the_idempotency_key() {
        let spec = |m| RequestSpec::new(m, "http://x".into(), "/x");
        let none = RequestOptions::default();
        assert!(spec(Method::GET).retry_safe(&none));
        assert!(spec(Method::PUT).retry_safe(&none));
        assert!(spec(Method::DELETE).retry_safe(&none));
        assert!(!spec(Method::POST).retry_safe(&none));
        assert!(!spec(Method::PATCH).retry_safe(&none));
        assert!(spec(Method::POST).retry_safe(&RequestOptions::new().idempotency_key("k")));
    }

    #[test]
    fn single_use_grants_are_resent_only_when_never_sent() {
        let mut grant = RequestSpec::new(Method::POST, "http://x/oauth2/token".into(), "/oauth2/token");
        grant.resend = Resend::OnlyUnsent;
        let none = RequestOptions::default();
        assert!(!grant.retry_safe(&none));
        assert!(!grant.retry_safe(&RequestOptions::new().idempotency_key("k")));
        for (status, should_retry) in [(503, None), (429, None), (503, Some(true)), (400, Some(true))] {
            assert!(!grant.retry_answer(status, should_retry, false), "{status} {should_retry:?}");
        }
        let mut mint = grant.clone();
        mint.resend = Resend::Always;
        assert!(mint.retry_safe(&none));
        assert!(mint.retry_answer(503, None, true));
    }

    #[test]
    fn x_should_retry_wins_over_the_status() {
        let get = RequestSpec::new(Method::GET, "http://x".into(), "/x");
        let post = RequestSpec::new(Method::POST, "http://x".into(), "/x");
        assert!(get.retry_answer(503, None, true));
        assert!(!get.retry_answer(503, Some(false), true));
        assert!(!get.retry_answer(409, None, true));
        assert!(get.retry_answer(409, Some(true), true));
        // The server vouches for a re-send of what the method alone would not allow.
        assert!(!post.retry_answer(503, None, false));
        assert!(post.retry_answer(503, Some(true), false));
    }

    #[test]
    fn request_options_debug_hides_header_values_and_the_idempotency_key() {
        let options = RequestOptions::new().header("x-gateway-key", "gw_SECRET_1").idempotency_key("idem_SECRET_2");
        let dump = format!("{options:?}");
        assert!(!dump.contains("gw_SECRET_1") && !dump.contains("idem_SECRET_2"), "{dump}");
        assert!(dump.contains("x-gateway-key") && dump.contains("idempotency_key: Some([redacted])"), "{dump}");
    }

    #[test]
    fn empty_bodies_decode_as_null() {
        let raw = RawResponse { status: 204, meta: ResponseMeta::default(), retry_after: None, body: vec![] };
        let r: Response<Option<u32>> = raw.decode().unwrap();
        assert_eq!(*r, None);
        let bad =
            RawResponse { status: 200, meta: ResponseMeta::default(), retry_after: None, body: b"<html>".to_vec() };
        let e = bad.decode::<serde_json::Value>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        assert!(e.to_string().contains("<html>"));
    }
}
