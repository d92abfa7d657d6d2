//! Request extractors that turn every malformed input into the standard 4xx body instead of
//! axum's plain-text rejections, plus typed field readers whose errors name the bad field.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::errors::{ApiError, ApiResult};

pub const MAX_BODY: usize = 1 << 20;

pub async fn read_body(headers: &HeaderMap, body: Body) -> ApiResult<Bytes> {
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body must be at most 1 MiB");
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("Failed to read the request body"))?;
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A JSON object body. An empty body reads as `{}` so that POSTs without a payload (rotate,
/// validate, attach) work whether or not the client sends a content type.
pub struct JsonBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = read_body(&parts.headers, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Map::new()));
        }
        if !is_json_content_type(&parts.headers) {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json"));
        }
        let text =
            std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("Request body must be valid UTF-8"))?;
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(JsonBody(map)),
            Ok(_) => Err(ApiError::bad_request("Request body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!("Malformed JSON body: {e}"))),
        }
    }
}

/// Decoded query string; unknown parameters are ignored, the last occurrence of a key wins.
pub struct Query(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Query::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Query {
    pub fn parse(raw: &str) -> Query {
        Query(url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A filter value: absent and empty both mean "no filter".
    pub fn filter(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_request(format!("{key} must be true or false"))),
        }
    }

    pub fn int(&self, key: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
        let Some(raw) = self.get(key) else { return Ok(None) };
        match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad_request(format!("{key} must be an integer between {min} and {max}"))),
        }
    }
}

/// Path parameters, percent-decoded; ids are validated by name so the error says which one.
pub struct PathIds(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("Path parameters must be valid UTF-8"))?;
        Ok(PathIds(raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()))
    }
}

impl PathIds {
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub fn uuid(&self, name: &str) -> ApiResult<Uuid> {
        parse_uuid(self.raw(name)).ok_or_else(|| ApiError::bad_request(format!("{name} must be a valid UUID")))
    }
}

pub fn parse_uuid(s: &str) -> Option<Uuid> {
    // Only the canonical hyphenated form or 32 hex digits: braces and `urn:` prefixes in a
    // path are more likely bugs than ids.
    if s.len() != 36 && s.len() != 32 {
        return None;
    }
    Uuid::try_parse(s).ok()
}

const MAX_TEXT: usize = 10_000;

/// Reads typed fields out of a JSON object; `prefix` names nested objects in messages
/// (`oauth.redirectUris must be ...`).
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map, prefix: String::new() }
    }

    pub fn nested(map: &'a Map<String, Value>, prefix: &str) -> Self {
        Fields { map, prefix: format!("{prefix}.") }
    }

    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn err(&self, key: &str, what: &str) -> ApiError {
        ApiError::bad_request(format!("{} {what}", self.name(key)))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required, non-blank string, trimmed, at most `max` characters.
    pub fn req_str(&self, key: &str, max: usize) -> ApiResult<String> {
        match self.opt_str(key, max)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.err(key, "is required")),
        }
    }

    pub fn opt_str(&self, key: &str, max: usize) -> ApiResult<Option<String>> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.chars().count() > max.min(MAX_TEXT) {
                    return Err(self.err(key, &format!("must be at most {} characters", max.min(MAX_TEXT))));
                }
                Ok(Some(s.to_owned()))
            }
            Some(_) => Err(self.err(key, "must be a string")),
        }
    }

    /// A string that must not be blank when given.
    pub fn opt_nonblank(&self, key: &str, max: usize) -> ApiResult<Option<String>> {
        match self.opt_str(key, max)? {
            Some(s) if s.is_empty() => Err(self.err(key, "must not be empty")),
            other => Ok(other),
        }
    }

    pub fn opt_bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.err(key, "must be a boolean")),
        }
    }

    pub fn opt_u64(&self, key: &str, max: u64) -> ApiResult<Option<u64>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Ok(Some(n)),
                _ => Err(self.err(key, &format!("must be an integer between 0 and {max}"))),
            },
        }
    }

    pub fn opt_str_list(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                if items.len() > 1000 {
                    return Err(self.err(key, "must have at most 1000 items"));
                }
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) if s.len() <= 2048 => out.push(s.clone()),
                        _ => return Err(self.err(key, "must be an array of strings")),
                    }
                }
                Ok(Some(out))
            }
            Some(_) => Err(self.err(key, "must be an array of strings")),
        }
    }

    pub fn opt_obj(&self, key: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(self.err(key, "must be an object")),
        }
    }

    /// One of `allowed`, or None when absent.
    pub fn opt_enum(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.opt_str(key, 64)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(_) => Err(self.err(key, &format!("must be one of {}", allowed.join(", ")))),
        }
    }
}

/// An absolute URL (any scheme, no fragment), as OAuth requires of redirect URIs.
pub fn check_absolute_url(name: &str, s: &str) -> ApiResult<()> {
    match url::Url::parse(s) {
        Ok(u) if u.fragment().is_none() && !u.cannot_be_a_base() => Ok(()),
        Ok(_) => Err(ApiError::bad_request(format!("{name} must be an absolute URL without a fragment"))),
        Err(_) => Err(ApiError::bad_request(format!("{name} must be an absolute URL"))),
    }
}

pub fn check_http_url(name: &str, s: &str) -> ApiResult<()> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(ApiError::bad_request(format!("{name} must be an absolute http(s) URL"))),
    }
}
