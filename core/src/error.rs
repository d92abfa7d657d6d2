//! One error type for everything the client can fail at, with a stable kind and code.

use std::time::Duration;

use serde::Serialize;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest slice of a response body kept in an error (for decode errors and unparsed bodies).
const BODY_SNIPPET_LIMIT: usize = 512;
/// Longest text taken from a server for an error message (its `message`, an OAuth
/// `error_description`), in characters.
pub(crate) const SERVER_TEXT_LIMIT: usize = 4096;

/// Everything that can go wrong in a call.
///
/// Match on [`Error::kind`] for control flow; [`Error::code`] gives the stable `kontext_*` string
/// of the official client, and [`Error::details`] a serializable summary (what bindings hand to
/// their languages). Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The token endpoint refused to issue a token.
    #[error("{0}")]
    OAuth(Box<OAuthError>),
    /// The request could not be sent or the connection broke before a full response arrived.
    #[error("connection error: {message}")]
    Connection {
        /// What failed, with the whole source chain.
        message: String,
        /// Whether the request provably never reached the server (connect failure).
        not_sent: bool,
        /// Whether a write may have taken effect although no answer arrived ([`Error::outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// No complete response within the timeout.
    #[error("request timed out after {} ms", u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX))]
    Timeout {
        /// The timeout that elapsed.
        timeout: Duration,
        /// Whether a write may have taken effect although no answer arrived ([`Error::outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// A success response whose body is not what the API documents.
    #[error("could not decode the response (HTTP {status}): {message}; body starts with {snippet:?}")]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// What did not match.
        message: String,
        /// The start of the body.
        snippet: String,
        /// `x-request-id` of the response.
        request_id: Option<String>,
    },
    /// An argument was rejected before any request was made.
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidInput {
        /// The argument's name as the caller wrote it (camelCase for object fields).
        argument: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The client options are unusable.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// An error status from the API, with everything the response told us.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The `message` of the error body (or a description of the status when there is none).
    pub message: String,
    /// `x-request-id`, to quote in bug reports.
    pub request_id: Option<String>,
    /// `Retry-After` of a 429 or 503, capped.
    pub retry_after: Option<Duration>,
    /// Scopes the token lacked (403 `insufficient_scope`).
    pub missing_scopes: Vec<String>,
    /// The server's advice on a 403 `insufficient_scope` (e.g. how to grant the scope).
    pub hint: Option<String>,
    /// The server's `diagnostics` (a 422 for bad Cedar, a validation answer), as received.
    pub diagnostics: Option<serde_json::Value>,
    /// Whether a write may have taken effect although it failed ([`Error::outcome_unknown`]).
    pub outcome_unknown: bool,
    /// The error body as received (truncated).
    pub body: String,
}

/// A refusal from the OAuth token endpoint (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    /// HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// The OAuth `error` code, e.g. `invalid_client`.
    pub error: String,
    /// The OAuth `error_description`.
    pub description: Option<String>,
    /// `x-request-id` of the response.
    pub request_id: Option<String>,
}

/// What kind of failure an [`Error`] is: the thing to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 or 422.
    BadRequest,
    /// 401.
    Authentication,
    /// 403.
    PermissionDenied,
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 412: the ETag or `expectedUpdatedAt` is stale.
    PreconditionFailed,
    /// 428: the write needs `If-Match` and was sent without it.
    PreconditionRequired,
    /// 429.
    RateLimited,
    /// 5xx.
    ServerError,
    /// Any other error status.
    ApiError,
    /// The token endpoint refused.
    OAuth,
    /// Transport failure.
    Connection,
    /// Timed out.
    Timeout,
    /// Unexpected success body.
    Decode,
    /// Rejected before sending.
    InvalidInput,
    /// Bad client options.
    Config,
}

impl ErrorKind {
    /// The snake_case name used in scenarios and by the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition_failed",
            Self::PreconditionRequired => "precondition_required",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::ApiError => "api_error",
            Self::OAuth => "oauth",
            Self::Connection => "connection",
            Self::Timeout => "timeout",
            Self::Decode => "decode",
            Self::InvalidInput => "invalid_input",
            Self::Config => "config",
        }
    }

    fn from_status(status: u16) -> Self {
        match status {
            400 | 422 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            412 => Self::PreconditionFailed,
            428 => Self::PreconditionRequired,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            _ => Self::ApiError,
        }
    }
}

/// A serializable summary of an [`Error`], camelCase: what crosses into other languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// [`ErrorKind::as_str`].
    pub kind: &'static str,
    /// [`Error::code`].
    pub code: String,
    /// The error's message (as `Display`).
    pub message: String,
    /// HTTP status, when a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `x-request-id` of the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `Retry-After` in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<f64>,
    /// Scopes the token lacked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_scopes: Option<Vec<String>>,
    /// The server's advice on a missing scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The server's `diagnostics`, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<serde_json::Value>,
    /// A write that may have taken effect although it failed: re-read (or reconcile) before
    /// sending it again. Always present, so every language can test it without a default.
    pub outcome_unknown: bool,
    /// The rejected argument, for invalid input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
    /// The OAuth `error` code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_error: Option<String>,
    /// The OAuth `error_description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_error_description: Option<String>,
    /// The raw error body (truncated), for API errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `https://docs.kontext.security/errors/<code>`.
    pub docs_url: String,
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(e) => ErrorKind::from_status(e.status),
            Self::OAuth(_) => ErrorKind::OAuth,
            Self::Connection { .. } => ErrorKind::Connection,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Config(_) => ErrorKind::Config,
        }
    }

    /// The official client's error code: `kontext_not_found`, `kontext_rate_limited`, …
    pub fn code(&self) -> String {
        match self {
            Self::Api(e) => match e.status {
                400 | 422 => "kontext_validation_error".into(),
                401 => "kontext_authorization_required".into(),
                403 => "kontext_permission_denied".into(),
                404 => "kontext_not_found".into(),
                409 => "kontext_conflict".into(),
                412 => "kontext_precondition_failed".into(),
                428 => "kontext_precondition_required".into(),
                429 => "kontext_rate_limited".into(),
                500..=599 => "kontext_server_error".into(),
                other => format!("kontext_http_{other}"),
            },
            Self::OAuth(_) => "kontext_oauth_error".into(),
            Self::Connection { .. } => "kontext_network_error".into(),
            Self::Timeout { .. } => "kontext_timeout".into(),
            Self::Decode { .. } => "kontext_decode_error".into(),
            Self::InvalidInput { .. } => "kontext_invalid_argument".into(),
            Self::Config(_) => "kontext_config_error".into(),
        }
    }

    /// HTTP status of the response behind this error, if one arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::OAuth(e) => e.status,
            Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// `x-request-id` of the response behind this error.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::OAuth(e) => e.request_id.as_deref(),
            Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the request may have changed something on the server although it failed: a write
    /// the SDK does not send again by itself (a credential mint, a precondition write, a POST
    /// without an idempotency key) that timed out, lost its connection after it was sent, or got
    /// a 502/503/504 from a gateway. Re-read the state (or reconcile) before sending it again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Api(e) => e.outcome_unknown,
            Self::Connection { outcome_unknown, .. } | Self::Timeout { outcome_unknown, .. } => *outcome_unknown,
            _ => false,
        }
    }

    /// Marks an error of a write that is not sent again: it may have reached the server, unless
    /// it provably did not (a failed connect) or the answer says it was refused.
    pub(crate) fn with_outcome_of_unrepeated_write(mut self) -> Self {
        match &mut self {
            Self::Api(e) => e.outcome_unknown = matches!(e.status, 502..=504),
            Self::Connection { not_sent, outcome_unknown, .. } => *outcome_unknown = !*not_sent,
            Self::Timeout { outcome_unknown, .. } => *outcome_unknown = true,
            _ => {}
        }
        self
    }

    /// How long the server asked us to wait (429/503 `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// A serializable summary, for bindings and logs.
    pub fn details(&self) -> ErrorDetails {
        let code = self.code();
        let (missing_scopes, hint, diagnostics, body) = match self {
            Self::Api(e) => (
                (!e.missing_scopes.is_empty()).then(|| e.missing_scopes.clone()),
                e.hint.clone(),
                e.diagnostics.clone(),
                (!e.body.is_empty()).then(|| e.body.clone()),
            ),
            _ => (None, None, None, None),
        };
        let (oauth_error, oauth_error_description) = match self {
            Self::OAuth(e) => (Some(e.error.clone()), e.description.clone()),
            _ => (None, None),
        };
        ErrorDetails {
            kind: self.kind().as_str(),
            docs_url: format!("https://docs.kontext.security/errors/{code}"),
            code,
            message: self.to_string(),
            status: self.status(),
            request_id: self.request_id().map(str::to_owned),
            retry_after: self.retry_after().map(|d| d.as_secs_f64()),
            missing_scopes,
            hint,
            diagnostics,
            outcome_unknown: self.outcome_unknown(),
            argument: match self {
                Self::InvalidInput { argument, .. } => Some(argument.clone()),
                _ => None,
            },
            oauth_error,
            oauth_error_description,
            body,
        }
    }

    /// Whether this error came from a request that provably never reached the server.
    pub(crate) fn never_sent(&self) -> bool {
        matches!(self, Self::Connection { not_sent: true, .. })
    }

    /// A timeout; whether the outcome is unknown is decided by the pipeline, which knows the request.
    pub fn timeout(timeout: Duration) -> Self {
        Self::Timeout { timeout, outcome_unknown: false }
    }

    /// A transport failure; `not_sent` when the request provably never left (a failed connect).
    /// Bindings use it for failures of their own (a closed client, a forked process).
    pub fn connection(message: impl Into<String>, not_sent: bool) -> Self {
        Self::Connection { message: message.into(), not_sent, outcome_unknown: false }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config(message.into())
    }

    pub(crate) fn invalid(argument: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput { argument: argument.into(), reason: reason.into() }
    }

    /// Builds an API error from an error response: parses `{message, statusCode}` and the
    /// `insufficient_scope` extras, keeps the raw body (truncated) when it is not that shape.
    pub(crate) fn from_api_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        use serde_json::Value;
        // Read as a `Value`, which the SDK decodes anyway, rather than through a derived struct:
        // one visitor less in the WASM engine (its size budget), and a field of an unexpected
        // type loses only that field, not the whole body.
        let parsed = std::str::from_utf8(body).ok().and_then(|text| serde_json::from_str::<Value>(text).ok());
        let field = |name: &str| parsed.as_ref().and_then(|body| body.get(name));
        let text = |name: &str| field(name).and_then(Value::as_str);
        let message = match field("message") {
            Some(Value::String(s)) => Some(s.clone()),
            // Some frameworks send a list of validation messages.
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| crate::json_scan::text(v), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => text("error").map(str::to_owned),
        }
        .map_or_else(|| default_status_message(status).to_owned(), |m| server_text(&m));
        // DECISIONS V7: only a 403 that says `insufficient_scope` names missing scopes and a hint.
        let (missing_scopes, hint) = if status == 403 && text("error") == Some("insufficient_scope") {
            let scopes = field("missingScopes")
                .and_then(Value::as_array)
                .map_or_else(Vec::new, |items| items.iter().filter_map(Value::as_str).map(server_text).collect());
            (scopes, text("hint").map(server_text))
        } else {
            (Vec::new(), None)
        };
        let diagnostics = field("diagnostics").filter(|d| !d.is_null()).cloned();
        Self::Api(Box::new(ApiError {
            status,
            message,
            request_id,
            retry_after,
            missing_scopes,
            hint,
            diagnostics,
            outcome_unknown: false,
            body: snippet(body),
        }))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.message)?;
        if !self.missing_scopes.is_empty() {
            write!(f, " (missing scopes: {})", self.missing_scopes.join(", "))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "token request refused: {}", self.error)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// Text from a server made fit for an error message and a log line: control characters escaped
/// (a line feed becomes `\u{a}` and stays on the line, so a message cannot forge log lines),
/// and at most [`SERVER_TEXT_LIMIT`] characters, with `…` when cut.
pub(crate) fn server_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SERVER_TEXT_LIMIT + 8));
    for (count, c) in text.chars().enumerate() {
        if count == SERVER_TEXT_LIMIT {
            out.push('…');
            break;
        }
        if c.is_control() {
            // `\u{a}`: what `char::escape_unicode` writes, without its iterator's code.
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A serde error's message without the offending value (`invalid type: string "hunter2"` becomes
/// `invalid type: string`): inputs are often secrets, and errors end up in logs.
pub(crate) fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = text.strip_prefix(prefix)
            && let Some((got, expected)) = rest.split_once(", expected ")
        {
            let kind: Vec<&str> = got
                .split(' ')
                .take_while(|w| !w.starts_with(['"', '`', '-']) && !crate::decimal::is_float(w))
                .collect();
            return format!("{prefix}{}, expected {expected}", kind.join(" "));
        }
    }
    text.to_owned()
}

/// The start of a body as text, for error messages, with the values of credential-like JSON keys
/// replaced by `[redacted]` (a token response or a create/rotate answer that fails to decode
/// holds live credentials; an error body may echo them).
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = redact_json_secrets(&text);
    let mut s: String = redacted.chars().take(BODY_SNIPPET_LIMIT).collect();
    if redacted.chars().nth(BODY_SNIPPET_LIMIT).is_some() {
        s.push('…');
    }
    s
}

/// Whether a JSON key names a credential (`clientSecret`, `access_token`, `serverToken`,
/// `partnerApiKey`, `password`, `codeVerifier`, …), whatever its case and separators.
fn is_sensitive_key(key: &str) -> bool {
    let k: String = key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    ["secret", "token", "password", "apikey", "privatekey", "verifier", "authorization", "credential"]
        .iter()
        .any(|suffix| k.ends_with(suffix))
}

/// Index of the quote that closes the JSON string opened at `open`, if the text has it.
fn json_string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut k = open + 1;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return Some(k),
            _ => k += 1,
        }
    }
    None
}

/// Replaces the string values of credential-like keys in (possibly truncated or invalid) JSON.
pub(crate) fn redact_json_secrets(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let skip_ws = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    let mut out = String::new();
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let Some(key_end) = json_string_end(bytes, i) else { break };
        let colon = skip_ws(key_end + 1);
        if colon < bytes.len() && bytes[colon] == b':' && is_sensitive_key(&text[i + 1..key_end]) {
            let value = skip_ws(colon + 1);
            if value < bytes.len() && bytes[value] == b'"' {
                // A value cut off by truncation is redacted to the end.
                let value_end = json_string_end(bytes, value).map_or(bytes.len(), |e| e + 1);
                out.push_str(&text[copied..value]);
                out.push_str("\"[redacted]\"");
                copied = value_end;
                i = value_end;
                continue;
            }
        }
        i = key_end + 1;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

fn default_status_message(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Missing or invalid token",
        403 => "Insufficient permissions",
        404 => "Not found",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Payload too large",
        422 => "Unprocessable entity",
        429 => "Rate limit exceeded",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Unexpected HTTP status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_maps_to_kind_and_code() {
        let cases = [
            (400, ErrorKind::BadRequest, "kontext_validation_error"),
            (401, ErrorKind::Authentication, "kontext_authorization_required"),
            (403, ErrorKind::PermissionDenied, "kontext_permission_denied"),
            (404, ErrorKind::NotFound, "kontext_not_found"),
            (409, ErrorKind::Conflict, "kontext_conflict"),
            (412, ErrorKind::PreconditionFailed, "kontext_precondition_failed"),
            (428, ErrorKind::PreconditionRequired, "kontext_precondition_required"),
            (422, ErrorKind::BadRequest, "kontext_validation_error"),
            (429, ErrorKind::RateLimited, "kontext_rate_limited"),
            (503, ErrorKind::ServerError, "kontext_server_error"),
            (418, ErrorKind::ApiError, "kontext_http_418"),
        ];
        for (status, kind, code) in cases {
            let e = Error::from_api_response(status, b"", None, None);
            assert_eq!((e.kind(), e.code().as_str()), (kind, code), "{status}");
        }
    }

    #[test]
    fn error_body_is_parsed_and_kept() {
        let body = br#"{"message":"Insufficient scope","statusCode":403,"error":"insufficient_scope","missingScopes":["management:applications:write"],"hint":"h"}"#;
        let e = Error::from_api_response(403, body, Some("req_1".into()), None);
        let d = e.details();
        assert_eq!(
            d.message,
            "HTTP 403: Insufficient scope (missing scopes: management:applications:write) [request id req_1]"
        );
        assert_eq!(d.missing_scopes.unwrap(), vec!["management:applications:write"]);
        assert_eq!(d.hint.as_deref(), Some("h"));
        assert_eq!(d.request_id.as_deref(), Some("req_1"));
        assert_eq!(d.docs_url, "https://docs.kontext.security/errors/kontext_permission_denied");
        assert!(!d.outcome_unknown);
    }

    #[test]
    fn only_an_insufficient_scope_403_names_scopes_and_a_hint() {
        // DECISIONS V7: "the other 403" (e.g. a PATCH that needs a dashboard session).
        let body = br#"{"message":"Forbidden","statusCode":403,"missingScopes":["x"],"hint":"h"}"#;
        let d = Error::from_api_response(403, body, None, None).details();
        assert_eq!((d.missing_scopes, d.hint), (None, None));
    }

    #[test]
    fn diagnostics_are_kept_as_received() {
        let body =
            br#"{"message":"Invalid Cedar","statusCode":422,"diagnostics":[{"line":3,"message":"unexpected token"}]}"#;
        let d = Error::from_api_response(422, body, None, None).details();
        assert_eq!(d.kind, "bad_request");
        assert_eq!(d.diagnostics.unwrap()[0]["line"], 3);
    }

    #[test]
    fn an_unrepeated_write_has_an_unknown_outcome_only_if_it_may_have_arrived() {
        let unknown = |e: Error| e.with_outcome_of_unrepeated_write().outcome_unknown();
        let timeout = || Error::timeout(Duration::from_secs(1));
        let connection = |not_sent| Error::connection("reset", not_sent);
        assert!(unknown(timeout()));
        assert!(unknown(connection(false)));
        assert!(!unknown(connection(true)));
        for status in [502, 503, 504] {
            assert!(unknown(Error::from_api_response(status, b"", None, None)), "{status}");
        }
        for status in [400, 409, 412, 428, 429, 500] {
            assert!(!unknown(Error::from_api_response(status, b"", None, None)), "{status}");
        }
        assert!(!timeout().outcome_unknown());
        assert!(timeout().with_outcome_of_unrepeated_write().details().outcome_unknown);
    }

    #[test]
    fn html_and_empty_bodies_get_a_status_message() {
        let e = Error::from_api_response(502, b"<html>bad gateway</html>", None, None);
        assert_eq!(e.to_string(), "HTTP 502: Bad gateway");
        assert_eq!(e.details().body.as_deref(), Some("<html>bad gateway</html>"));
    }

    #[test]
    fn snippets_redact_credentials() {
        let body = br#"{"access_token": "ory_at_SECRET1","token_type":"Bearer","expires_in":"soon",
            "credentials":{"clientId":"sa_1","clientSecret":"sa_secret_SECRET2"},"partnerApiKey":"SECRET3",
            "clientSecretConfigured":true,"note":"clientSecret","escaped":"a\"b","refresh_token":"SECRET4"#;
        let s = snippet(body);
        for leaked in ["SECRET1", "SECRET2", "SECRET3", "SECRET4"] {
            assert!(!s.contains(leaked), "{leaked} in {s}");
        }
        for kept in
            ["\"token_type\":\"Bearer\"", "\"clientId\":\"sa_1\"", "\"note\":\"clientSecret\"", "true", "a\\\"b"]
        {
            assert!(s.contains(kept), "{kept} missing from {s}");
        }
        assert_eq!(snippet(b"<html>no json</html>"), "<html>no json</html>");
    }

    #[test]
    fn redaction_never_panics_on_odd_input() {
        // Quotes, escapes, colons and multi-byte characters in every arrangement a small LCG makes.
        for text in crate::test_support::odd_strings("\"\\:{} ,aé€😀tokenSecret", 5000) {
            let _ = snippet(text.as_bytes());
        }
    }

    #[test]
    fn serde_messages_drop_the_offending_value() {
        let msg = |json: &str| serde_message(&serde_json::from_str::<crate::ClientOptions>(json).unwrap_err());
        let text = msg(r#"{"baseUrl": "https://x", "credentials": "s3cret-value"}"#);
        assert_eq!(text, "invalid type: string, expected struct Credentials");
        let text = msg(r#"{"baseUrl": "https://x", "timeoutMs": -12345}"#);
        assert!(!text.contains("12345"), "{text}");
        assert!(msg(r#"{"baseUrl": "https://x", "retries": 1}"#).contains("unknown field `retries`"));
    }

    #[test]
    fn server_messages_are_bounded_and_escaped() {
        let forged = br#"{"message":"bad input\nINFO kontext: token minted\r\u001b[2J","statusCode":400}"#;
        let e = Error::from_api_response(400, forged, None, None);
        let text = e.to_string();
        assert!(!text.contains(['\n', '\r', '\u{1b}']), "{text:?}");
        assert!(text.contains("bad input\\u{a}INFO kontext"), "{text}");

        let huge = format!(r#"{{"message":"{}","statusCode":500}}"#, "x".repeat(1_000_000));
        let e = Error::from_api_response(500, huge.as_bytes(), None, None);
        let Error::Api(api) = &e else { panic!("{e:?}") };
        assert_eq!(api.message.chars().count(), SERVER_TEXT_LIMIT + 1);
        assert!(api.message.ends_with('…'));
        assert!(e.to_string().len() < SERVER_TEXT_LIMIT + 64);
        // The details keep the (already bounded) body snippet.
        assert_eq!(e.details().body.unwrap().chars().count(), BODY_SNIPPET_LIMIT + 1);
    }

    #[test]
    fn snippets_are_truncated() {
        let long = vec![b'x'; 2000];
        let s = snippet(&long);
        assert_eq!(s.chars().count(), BODY_SNIPPET_LIMIT + 1);
    }

    #[test]
    fn details_serialize_camel_case() {
        let e = Error::from_api_response(
            429,
            br#"{"message":"slow down","statusCode":429}"#,
            None,
            Some(Duration::from_secs(2)),
        );
        let v = serde_json::to_value(e.details()).unwrap();
        assert_eq!(v["kind"], "rate_limited");
        assert_eq!(v["retryAfter"], 2.0);
        assert_eq!(v["code"], "kontext_rate_limited");
    }
}
