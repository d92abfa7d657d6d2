//! The policy surface: the Cedar policy text (ETag / If-Match), validation, the deployment
//! (two slots, rollout mode, own ETag) and the organization's policy settings
//! (`expectedUpdatedAt`). Single objects are bare (DECISIONS V13). The newer routes (versions,
//! rule templates, actions, replay, blocked calls) are in `policy_actions` and `policy_history`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ok, ts};
use crate::cedar;
use crate::clock;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, parse_uuid};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::{PolicyHead, PolicyVersion};
use crate::util;

const MAX_POLICY: usize = 256 * 1024;
/// DECISIONS V3 (the data plane's values); anything else is a 400.
pub const CAPTURE_MODES: [&str; 3] = ["omitted", "summary", "full"];
pub const ROLLOUT_MODES: [&str; 3] = ["observe", "enforce", "disabled"];

fn policy_etag(head: &PolicyHead) -> String {
    format!("\"p{}-{}\"", head.revision, &head.version_id.simple().to_string()[..8])
}

pub(super) fn deployment_etag(d: &Data) -> String {
    format!("\"d{}\"", d.org.deployment.revision)
}

/// Writes always move `updatedAt` forward, even twice in one millisecond, so that an
/// `expectedUpdatedAt` read before a write never matches after it.
pub(super) fn next_stamp(now: i64, previous: i64) -> i64 {
    now.max(previous + 1)
}

pub(super) fn with_etag(mut resp: Response, etag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

pub(super) fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// `If-Match`/`If-None-Match` lists: `*`, strong or weak tags, quoted or not.
fn tag_list_matches(list: &str, current: Option<&str>) -> bool {
    let norm = |t: &str| t.trim().trim_start_matches("W/").trim_matches('"').to_owned();
    list.split(',').any(|t| {
        let t = t.trim();
        (t == "*" && current.is_some()) || current.is_some_and(|c| norm(t) == norm(c))
    })
}

/// Checks the precondition headers of a write against the current tag (None: nothing yet).
fn check_preconditions(headers: &HeaderMap, current: Option<&str>, what: &str, required: bool) -> ApiResult<()> {
    let if_match = header_str(headers, header::IF_MATCH);
    let if_none_match = header_str(headers, header::IF_NONE_MATCH);
    match (if_match, if_none_match) {
        (Some(list), _) => {
            if tag_list_matches(list, current) {
                Ok(())
            } else {
                Err(ApiError::precondition_failed(format!(
                    "The {what} has changed since it was read (stale If-Match); fetch it again"
                )))
            }
        }
        (None, Some(list)) => {
            if list.split(',').any(|t| t.trim() == "*") && current.is_some() {
                Err(ApiError::precondition_failed(format!(
                    "A {what} already exists (If-None-Match: *); send If-Match with its ETag"
                )))
            } else if tag_list_matches(list, current) {
                Err(ApiError::precondition_failed(format!("The {what} matches If-None-Match")))
            } else {
                Ok(())
            }
        }
        (None, None) if required => Err(ApiError::bad_request(format!(
            "If-Match header is required (or If-None-Match: * when no {what} exists yet)"
        ))),
        (None, None) => Ok(()),
    }
}

fn policy_view(d: &Data, head: &PolicyHead) -> Value {
    let text = d.policy_versions.get(&head.version_id).map(|v| v.text.as_str()).unwrap_or("");
    json!({
        "policyText": text,
        "policyVersionId": head.version_id,
        "updatedAt": ts(head.updated_at),
    })
}

pub async fn get_policy(State(st): State<AppState>) -> ApiResult<Response> {
    st.read(|d| {
        let head = d.org.policy.as_ref().ok_or_else(|| ApiError::not_found("Policy not found"))?;
        Ok(with_etag(ok(policy_view(d, head)), &policy_etag(head)))
    })
}

/// The version of this text: the existing one (same text, same version), or a new one that
/// records what produced it.
pub(super) fn version_of(d: &mut Data, text: &str, origin: &str, now: i64) -> Uuid {
    let hash = util::sha256_hex(text);
    if let Some(id) = d.policy_by_hash.get(&hash) {
        return *id;
    }
    let v = PolicyVersion {
        id: util::new_id(),
        seq: d.next_seq(),
        text: text.to_owned(),
        text_hash: hash,
        created_at: now,
        origin: origin.to_owned(),
    };
    let id = v.id;
    d.insert_policy_version(v);
    id
}

fn policy_text(body: &serde_json::Map<String, Value>) -> ApiResult<String> {
    match body.get("policyText") {
        Some(Value::String(s)) if s.len() <= MAX_POLICY => Ok(s.clone()),
        Some(Value::String(_)) => Err(ApiError::bad_request("policyText must be at most 256 KiB")),
        Some(Value::Null) | None => Err(ApiError::bad_request("policyText is required")),
        Some(_) => Err(ApiError::bad_request("policyText must be a string")),
    }
}

pub async fn put_policy(
    State(st): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let text = policy_text(&body)?;
    if let Some(diag) = cedar::check(&text).1.first() {
        return Err(ApiError::bad_request(format!(
            "policyText is invalid: line {}, column {}: {}",
            diag.line, diag.column, diag.message
        )));
    }
    let now = st.now();
    st.write(|d| {
        let current = d.org.policy.as_ref().map(policy_etag);
        check_preconditions(&headers, current.as_deref(), "policy", true)?;
        // Same text, same version: versions are de-duplicated by content.
        let version_id = version_of(d, &text, "policy_text", now);
        let unchanged = d.org.policy.as_ref().is_some_and(|h| h.version_id == version_id);
        if !unchanged {
            d.org.revision += 1;
            let previous = d.org.policy.as_ref().map(|h| h.updated_at).unwrap_or(0);
            d.org.policy =
                Some(PolicyHead { version_id, updated_at: next_stamp(now, previous), revision: d.org.revision });
            d.put_org();
        }
        let head = d.org.policy.as_ref().ok_or_else(|| ApiError::internal("policy missing after write"))?;
        Ok(with_etag(ok(policy_view(d, head)), &policy_etag(head)))
    })
}

pub async fn validate(JsonBody(body): JsonBody) -> ApiResult<Response> {
    let text = policy_text(&body)?;
    let (statements, diagnostics) = cedar::check(&text);
    let diagnostics: Vec<Value> = diagnostics
        .iter()
        .map(|d| json!({"severity": d.severity, "message": d.message, "line": d.line, "column": d.column}))
        .collect();
    Ok(ok(json!({ "valid": diagnostics.is_empty(), "diagnostics": diagnostics, "statementCount": statements })))
}

/// The deployment: both slots (DECISIONS V5), bare.
pub(super) fn deployment_view(d: &Data) -> Map<String, Value> {
    let dep = &d.org.deployment;
    let view = json!({
        "policyVersionId": dep.policy_version_id,
        "observingVersionId": dep.observing_version_id,
        "rolloutMode": dep.rollout_mode,
        "updatedAt": ts(dep.updated_at),
    });
    match view {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub async fn get_deployment(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(st.read(|d| with_etag(ok(Value::Object(deployment_view(d))), &deployment_etag(d))))
}

pub async fn put_deployment(
    State(st): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let mode =
        f.opt_enum("rolloutMode", &ROLLOUT_MODES)?.ok_or_else(|| ApiError::bad_request("rolloutMode is required"))?;
    let version = match f.value("policyVersionId") {
        None => None,
        Some(Value::String(s)) => {
            Some(parse_uuid(s).ok_or_else(|| ApiError::bad_request("policyVersionId must be a valid UUID"))?)
        }
        Some(_) => return Err(ApiError::bad_request("policyVersionId must be a string or null")),
    };
    match (mode.as_str(), version) {
        ("disabled", Some(_)) => {
            return Err(ApiError::bad_request("policyVersionId must be null when rolloutMode is disabled"));
        }
        (m, None) if m != "disabled" => {
            return Err(ApiError::bad_request(format!("policyVersionId is required when rolloutMode is {m}")));
        }
        _ => {}
    }
    let now = st.now();
    st.write(|d| {
        // The deployment always exists; `If-None-Match: *` only passes before its first write.
        let current = (d.org.deployment.revision > 0).then(|| deployment_etag(d));
        if header_str(&headers, header::IF_MATCH).is_some() {
            check_preconditions(&headers, Some(&deployment_etag(d)), "deployment", false)?;
        } else {
            check_preconditions(&headers, current.as_deref(), "deployment", false)?;
        }
        if let Some(v) = version
            && !d.policy_versions.contains(&v)
        {
            return Err(ApiError::not_found("Policy version not found"));
        }
        d.org.revision += 1;
        // The observing slot is left as it is (DECISIONS V5): only actions change it.
        let dep = &mut d.org.deployment;
        dep.policy_version_id = version;
        dep.rollout_mode = mode;
        dep.updated_at = next_stamp(now, dep.updated_at);
        dep.revision = d.org.revision;
        d.put_org();
        Ok(with_etag(ok(Value::Object(deployment_view(d))), &deployment_etag(d)))
    })
}

fn settings_view(d: &Data) -> Value {
    let s = &d.org.settings;
    json!({
        "policyEnabled": s.policy_enabled,
        "payloadCaptureMode": s.payload_capture_mode,
        "updatedAt": ts(s.updated_at),
    })
}

pub async fn get_settings(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(st.read(|d| ok(settings_view(d))))
}

pub async fn patch_settings(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let expected = f.req_str("expectedUpdatedAt", 64)?;
    let expected = clock::parse(&expected)
        .ok_or_else(|| ApiError::bad_request("expectedUpdatedAt must be an ISO 8601 timestamp"))?;
    let enabled = f.opt_bool("policyEnabled")?;
    let capture = f.opt_enum("payloadCaptureMode", &CAPTURE_MODES)?;
    let now = st.now();
    st.write(|d| {
        let s = &mut d.org.settings;
        if s.updated_at != expected {
            return Err(ApiError::precondition_failed(
                "The settings have changed since expectedUpdatedAt; fetch them again",
            ));
        }
        if let Some(e) = enabled {
            s.policy_enabled = e;
        }
        if let Some(c) = capture {
            s.payload_capture_mode = c;
        }
        s.updated_at = next_stamp(now, s.updated_at);
        d.put_org();
        Ok(ok(settings_view(d)))
    })
}
