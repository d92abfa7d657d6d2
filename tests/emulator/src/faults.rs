//! Fault injection rules (`POST /_emulator/faults`): match by method and path glob, skip the
//! first N matches, answer the next `times` with a canned response, a delay, a dropped
//! connection, a truncated body or a malformed one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::extract::Fields;
use crate::state::lock;
use crate::util::glob_match;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Respond,
    Delay,
    Drop,
    Truncate,
    Malformed,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    method: Option<String>,
    path: String,
    times: u64,
    skip: u64,
    pub action: Action,
    status: u16,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Value>,
    pub delay_ms: u64,
    /// The request is handled first (its change is made), then the rule applies to the answer:
    /// what a client sees when a write committed but its answer was lost (DECISIONS V8, V9).
    pub after: bool,
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    /// Fast path: most requests run with no rules at all and skip the lock.
    armed: AtomicBool,
    next_id: AtomicU64,
}

impl Faults {
    pub fn add(&self, body: &Map<String, Value>) -> ApiResult<String> {
        let f = Fields::new(body);
        let method = f.opt_nonblank("method", 16)?.map(|m| m.to_ascii_uppercase());
        let path = f.opt_nonblank("path", 2048)?.unwrap_or_else(|| "*".into());
        let times = f.opt_u64("times", 1_000_000)?.unwrap_or(1);
        if times == 0 {
            return Err(ApiError::bad_request("times must be at least 1"));
        }
        let skip = f.opt_u64("skip", 1_000_000)?.unwrap_or(0);
        let delay_ms = f.opt_u64("delayMs", 600_000)?.unwrap_or(0);
        let after = f.opt_bool("after")?.unwrap_or(false);
        let status = match f.value("status") {
            None => None,
            Some(v) => match v.as_u64() {
                Some(s @ 100..=599) => Some(s as u16),
                _ => return Err(ApiError::bad_request("status must be an HTTP status between 100 and 599")),
            },
        };
        let action = match f.opt_enum("action", &["respond", "delay", "drop", "truncate", "malformed"])?.as_deref() {
            Some("respond") => Action::Respond,
            Some("delay") => Action::Delay,
            Some("drop") => Action::Drop,
            Some("truncate") => Action::Truncate,
            Some("malformed") => Action::Malformed,
            _ if status.is_some() => Action::Respond,
            _ => return Err(ApiError::bad_request("action is required when status is not given")),
        };
        let mut headers = Vec::new();
        if let Some(map) = f.opt_obj("headers")? {
            for (k, v) in map {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(ApiError::bad_request(format!("headers.{k} must be a string"))),
                };
                let name = HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes())
                    .map_err(|_| ApiError::bad_request(format!("headers.{k} is not a valid header name")))?;
                let value = HeaderValue::from_str(&value)
                    .map_err(|_| ApiError::bad_request(format!("headers.{k} is not a valid header value")))?;
                headers.push((name, value));
            }
        }
        let id = format!("fault_{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let rule = Rule {
            id: id.clone(),
            method,
            path,
            times,
            skip,
            action,
            status: status.unwrap_or(500),
            headers,
            body: f.value("body").cloned(),
            delay_ms,
            after,
        };
        lock(&self.rules).push(rule);
        self.armed.store(true, Ordering::Release);
        Ok(id)
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
        self.armed.store(false, Ordering::Release);
    }

    /// The rule that answers this request, if any; consumes one of its `times` (or `skip`s).
    pub fn take(&self, method: &str, path: &str) -> Option<Rule> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = lock(&self.rules);
        let mut hit = None;
        for (i, rule) in rules.iter_mut().enumerate() {
            if rule.method.as_deref().is_some_and(|m| m != method) || !glob_match(&rule.path, path) {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            rule.times -= 1;
            hit = Some((i, rule.clone()));
            break;
        }
        let (i, rule) = hit?;
        if rule.times == 0 {
            rules.remove(i);
        }
        if rules.is_empty() {
            self.armed.store(false, Ordering::Release);
        }
        Some(rule)
    }
}

/// The response of a `respond`, `truncate` or `malformed` rule.
pub fn response(rule: &Rule) -> Response {
    match rule.action {
        Action::Truncate => truncated(),
        Action::Malformed => {
            let mut resp = Response::new(Body::from("{\"items\": [{\"id\": \"0b9f<not json"));
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        _ => canned(rule),
    }
}

fn canned(rule: &Rule) -> Response {
    let status = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (body, content_type) = match &rule.body {
        Some(Value::String(s)) => (Body::from(s.clone()), "text/plain; charset=utf-8"),
        Some(v) => (Body::from(v.to_string()), "application/json"),
        None if status.as_u16() >= 400 => {
            let reason = status.canonical_reason().unwrap_or("Injected fault");
            (Body::from(json!({"message": reason, "statusCode": status.as_u16()}).to_string()), "application/json")
        }
        None => (Body::empty(), "application/json"),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (k, v) in &rule.headers {
        resp.headers_mut().insert(k.clone(), v.clone());
    }
    resp
}

/// 200 announcing more bytes than it sends: the first chunk goes out, then the body stream
/// fails, which makes hyper close the connection mid-body.
fn truncated() -> Response {
    let head = Bytes::from_static(b"{\"items\": [{\"id\": \"8c1d2e0a-5f");
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let head = head.clone();
        async move {
            match step {
                0 => Some((Ok(head), 1)),
                1 => {
                    // Give hyper time to flush the partial body before the connection dies.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((Err(std::io::Error::other("truncated by fault rule")), 2))
                }
                _ => None,
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
    resp
}
