//! One HTTP exchange, below retries and auth: what the platform's HTTP stack is asked to do and
//! what the pipeline reads back. Natively that is reqwest (`native.rs`); on wasm32 it is the
//! runtime's own `fetch`, called directly (`fetch.rs`) — reqwest's wasm layer would convert every
//! header map both ways and abort an `AbortController` after each request, and cost a quarter of
//! the engine.
//!
//! Both stacks keep the same rules, because every request carries a credential:
//! - a redirect is never followed (a 307/308 would re-send the body, which may hold a secret, to
//!   wherever the server points): it fails as [`redirect_error`];
//! - a body is read only up to the client's `maxResponseBytes`: more fails as [`too_large`].

use std::time::Duration;

use http::Method;

#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
pub(crate) use fetch::HttpClient;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::HttpClient;

/// A request ready for the wire. Header names and values were checked when they were configured.
pub(crate) struct WireRequest<'a> {
    pub method: &'a Method,
    /// With the query string.
    pub url: &'a str,
    /// Set in order; a later header replaces an earlier one of the same name.
    pub headers: &'a [(&'a str, &'a str)],
    /// The access token, sent as `Authorization: Bearer …` and marked sensitive.
    pub bearer: Option<&'a str>,
    pub body: Option<&'a [u8]>,
    /// Enforced per request by the stack (reqwest's request timeout natively; on wasm32 a timer
    /// that aborts the `fetch`), over connecting, sending and reading the whole body.
    pub timeout: Duration,
}

/// What the pipeline reads from a response.
#[derive(Debug)]
pub(crate) struct WireResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub etag: Option<String>,
    pub retry_after: Option<String>,
    pub retry_after_ms: Option<String>,
    /// `x-should-retry` (`true`/`false`): the server's word on retrying an error answer.
    pub should_retry: Option<String>,
    pub body: Vec<u8>,
}

/// Whether `status` redirects: every 3xx but 304 Not Modified, which answers a conditional
/// request and points nowhere.
pub(crate) fn is_redirect(status: u16) -> bool {
    (300..400).contains(&status) && status != 304
}

/// The error of a redirect the client did not follow: an [`Error::Api`](crate::Error::Api) with
/// the redirect's status (0 in browsers, which hide it, as an `opaqueredirect` response) and the
/// origin it pointed to, if absolute (never the rest of the location, which may hold a code or
/// token). Nothing was re-sent, so it is not retried.
pub(crate) fn redirect_error(status: u16, location: Option<&str>, request_id: Option<String>) -> crate::Error {
    let target = location
        .and_then(|location| crate::weburl::WebUrl::parse(location.trim()).ok())
        .map(|url| format!(" to {}", url.origin()))
        .unwrap_or_default();
    let shown = if status == 0 { "a redirect".to_owned() } else { format!("a redirect (HTTP {status})") };
    crate::Error::Api(Box::new(crate::ApiError {
        status,
        message: format!(
            "the server answered with {shown}{target}, which the client does not follow: requests carry \
             credentials, which must never be re-sent elsewhere; check the base URL or token URL"
        ),
        request_id,
        ..Default::default()
    }))
}

/// The error of a body longer than `limit` bytes, with the start of what was read.
pub(crate) fn too_large(status: u16, limit: u64, read: &[u8], request_id: Option<String>) -> crate::Error {
    crate::Error::Decode {
        status,
        message: format!("the response body is larger than maxResponseBytes ({limit} bytes); reading stopped there"),
        snippet: crate::error::snippet(read),
        request_id,
    }
}

/// The header name `name` (lower-case, as the pipeline writes them). The names every request
/// carries are constants: parsing one costs more than the rest of building the request.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn header_name(name: &str) -> crate::Result<http::HeaderName> {
    use http::header::{ACCEPT, CONTENT_TYPE, IF_MATCH, IF_NONE_MATCH};
    Ok(match name {
        "accept" => ACCEPT,
        "content-type" => CONTENT_TYPE,
        "idempotency-key" => http::HeaderName::from_static("idempotency-key"),
        "if-match" => IF_MATCH,
        "if-none-match" => IF_NONE_MATCH,
        other => http::HeaderName::from_bytes(other.as_bytes())
            .map_err(|_| crate::Error::invalid("headers", format!("{other:?} is not a valid header name")))?,
    })
}

/// Puts the request's headers and its bearer token (marked sensitive) into `headers`, with
/// `insert`: a later header replaces an earlier one of the same name.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn insert_headers(headers: &mut http::HeaderMap, request: &WireRequest<'_>) -> crate::Result<()> {
    use http::HeaderValue;
    for (name, value) in request.headers {
        let name = header_name(name)?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            crate::Error::invalid("headers", format!("the value of {name} is not a valid header value"))
        })?;
        headers.insert(name, value);
    }
    if let Some(token) = request.bearer {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| crate::Error::config("the access token contains characters not allowed in a header"))?;
        value.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, value);
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
impl WireResponse {
    /// The response, with the headers the pipeline reads looked up by constant names (a lookup
    /// by `&str` parses the name).
    pub(crate) fn new(status: u16, headers: &http::HeaderMap, body: Vec<u8>) -> Self {
        use http::HeaderName;
        const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
        const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
        const SHOULD_RETRY: HeaderName = HeaderName::from_static("x-should-retry");
        let header = |name| headers.get(name).and_then(|v: &http::HeaderValue| v.to_str().ok()).map(str::to_owned);
        Self {
            status,
            request_id: header(REQUEST_ID),
            etag: header(http::header::ETAG),
            retry_after: header(http::header::RETRY_AFTER),
            retry_after_ms: header(RETRY_AFTER_MS),
            should_retry: header(SHOULD_RETRY),
            body,
        }
    }
}

/// The error and all its sources, `: `-joined (reqwest's own messages alone say little, e.g.
/// "error sending request for url").
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// `url` with `pairs` as its query string (form-encoded, like every HTTP client does).
pub(crate) fn with_query<K: AsRef<str>, V: AsRef<str>>(url: &str, pairs: &[(K, V)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs);
    let separator = match url.find('?') {
        None => "?",
        Some(at) if at + 1 == url.len() => "",
        Some(_) => "&",
    };
    format!("{url}{separator}{}", query.finish())
}

/// The body of an `application/x-www-form-urlencoded` request (token requests).
pub(crate) fn form_body(pairs: &[(String, String)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_forms_are_form_encoded() {
        let pairs = vec![("cursor".to_owned(), "a b&c=d/é".to_owned()), ("limit".to_owned(), "5".to_owned())];
        assert_eq!(with_query("https://h/api/v1/x", &pairs), "https://h/api/v1/x?cursor=a+b%26c%3Dd%2F%C3%A9&limit=5");
        assert_eq!(with_query("https://h/x?a=1", &pairs[1..]), "https://h/x?a=1&limit=5");
        assert_eq!(with_query("https://h/x?", &pairs[1..]), "https://h/x?limit=5");
        assert_eq!(with_query::<&str, &str>("https://h/x", &[]), "https://h/x");
        assert_eq!(form_body(&pairs[1..]), b"limit=5");
    }

    #[test]
    fn redirects_are_every_3xx_but_304_and_name_only_their_target_origin() {
        assert!([300, 301, 302, 303, 307, 308, 399].into_iter().all(is_redirect));
        assert!(![200, 204, 304, 400, 404, 500].into_iter().any(is_redirect));
        let error = redirect_error(308, Some("https://other.example:8443/t?code=secret"), Some("r1".into()));
        let text = error.to_string();
        assert!(text.contains("redirect (HTTP 308) to https://other.example:8443,"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(
            (error.status(), error.request_id(), error.code().as_str()),
            (Some(308), Some("r1"), "kontext_http_308")
        );
        // Relative, or hidden by a browser: no target, no status.
        assert!(
            redirect_error(302, Some("/elsewhere"), None).to_string().contains("with a redirect (HTTP 302), which")
        );
        assert!(redirect_error(0, None, None).to_string().contains("with a redirect, which"));
    }
}
