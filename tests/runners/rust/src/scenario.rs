//! Serde types of the scenario file format (`tests/scenarios/SCHEMA.md`).
//!
//! Parsing is strict: unknown keys are rejected so that a typo in a scenario fails loudly instead
//! of silently skipping an assertion.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    /// Unique; equals the file name without `.json`.
    pub name: String,
    /// What behaviour the scenario pins down.
    pub purpose: String,
    /// Only reads; may also run against a live organization.
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub setup: Setup,
    pub steps: Vec<Step>,
}

/// What is prepared before the first step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Setup {
    /// Body of `POST /_emulator/config`.
    #[serde(default)]
    pub emulator: Option<Map<String, Value>>,
    /// Body of `POST /_emulator/seed`; its answer becomes variable `seed`.
    #[serde(default)]
    pub seed: Option<Map<String, Value>>,
    /// One `POST /_emulator/faults` per entry.
    #[serde(default)]
    pub faults: Vec<Map<String, Value>>,
    /// Options of the client the steps use (merged over the defaults).
    #[serde(default)]
    pub client: Option<Map<String, Value>>,
}

/// One step, in the raw shape of the file (every key optional); see [`Step::kind`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawStep {
    call: Option<String>,
    args: Option<Vec<Value>>,
    emulator: Option<String>,
    #[serde(default, deserialize_with = "present")]
    body: Option<Value>,
    client: Option<Map<String, Value>>,
    sleep_ms: Option<u64>,
    requests: Option<RequestsAssertion>,
    clear_requests: Option<bool>,
    repeat: Option<u32>,
    save: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "present")]
    expect: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    expect_error: Option<Value>,
    options: Option<Map<String, Value>>,
}

/// A key that is present is `Some`, even when its value is `null` (`"expect": null` asserts a
/// `null` result; it is not the same as no `expect`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One step of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawStep")]
pub struct Step {
    pub kind: StepKind,
    /// Run the step this many times in parallel (default 1).
    pub repeat: u32,
    /// Variable name → dotted path into the result (`""` = whole result).
    pub save: BTreeMap<String, String>,
    /// Partial match of the result.
    pub expect: Option<Value>,
    /// Partial match of the error details; the step must fail.
    pub expect_error: Option<Value>,
    /// Per-request options (`call` only).
    pub options: Option<Map<String, Value>>,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Call an SDK method.
    Call { method: String, args: Vec<Value> },
    /// Call the emulator over plain HTTP: `"POST /_emulator/clock"`.
    Emulator { method: String, path: String, body: Option<Value> },
    /// Replace the client.
    Client { options: Map<String, Value> },
    /// Wait.
    Sleep { ms: u64 },
    /// Assert on the request log.
    Requests(RequestsAssertion),
    /// Clear the request log.
    ClearRequests,
}

impl StepKind {
    /// Short label for messages: `call applications.get`.
    pub fn label(&self) -> String {
        match self {
            StepKind::Call { method, .. } => format!("call {method}"),
            StepKind::Emulator { method, path, .. } => format!("emulator {method} {path}"),
            StepKind::Client { .. } => "client".to_string(),
            StepKind::Sleep { ms } => format!("sleepMs {ms}"),
            StepKind::Requests(_) => "requests".to_string(),
            StepKind::ClearRequests => "clearRequests".to_string(),
        }
    }
}

/// `{"requests": {...}}`: filters and the expected count.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestsAssertion {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub header: Option<Map<String, Value>>,
    /// A number or a matcher object.
    pub count: Value,
}

impl TryFrom<RawStep> for Step {
    type Error = String;

    fn try_from(raw: RawStep) -> Result<Self, String> {
        let mut kinds = Vec::new();
        if raw.call.is_some() {
            kinds.push("call");
        }
        if raw.emulator.is_some() {
            kinds.push("emulator");
        }
        if raw.client.is_some() {
            kinds.push("client");
        }
        if raw.sleep_ms.is_some() {
            kinds.push("sleepMs");
        }
        if raw.requests.is_some() {
            kinds.push("requests");
        }
        if raw.clear_requests.is_some() {
            kinds.push("clearRequests");
        }
        if kinds.len() != 1 {
            return Err(format!(
                "a step needs exactly one of call, emulator, client, sleepMs, requests, clearRequests; found {kinds:?}"
            ));
        }
        let kind_name = kinds[0];
        let only = |key: &str, present: bool, allowed: &[&str]| -> Result<(), String> {
            if present && !allowed.contains(&kind_name) {
                Err(format!("`{key}` is not allowed in a `{kind_name}` step"))
            } else {
                Ok(())
            }
        };
        only("args", raw.args.is_some(), &["call"])?;
        only("options", raw.options.is_some(), &["call"])?;
        only("body", raw.body.is_some(), &["emulator"])?;
        only("repeat", raw.repeat.is_some(), &["call", "emulator"])?;
        only("save", raw.save.is_some(), &["call", "emulator"])?;
        only("expect", raw.expect.is_some(), &["call", "emulator"])?;
        only("expectError", raw.expect_error.is_some(), &["call", "emulator", "client"])?;
        if raw.expect.is_some() && raw.expect_error.is_some() {
            return Err("a step cannot have both `expect` and `expectError`".into());
        }
        if raw.save.is_some() && raw.expect_error.is_some() {
            return Err("a step cannot both `save` and `expectError`".into());
        }
        if raw.repeat == Some(0) {
            return Err("`repeat` must be at least 1".into());
        }

        let kind = if let Some(method) = raw.call {
            StepKind::Call { method, args: raw.args.unwrap_or_default() }
        } else if let Some(spec) = raw.emulator {
            let (method, path) =
                spec.split_once(' ').ok_or_else(|| format!("emulator step `{spec}` must read `METHOD /path`"))?;
            let method = method.to_ascii_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                return Err(format!("emulator step `{spec}`: unknown HTTP method"));
            }
            if !path.starts_with('/') {
                return Err(format!("emulator step `{spec}`: the path must start with `/`"));
            }
            StepKind::Emulator { method, path: path.to_string(), body: raw.body }
        } else if let Some(options) = raw.client {
            StepKind::Client { options }
        } else if let Some(ms) = raw.sleep_ms {
            StepKind::Sleep { ms }
        } else if let Some(requests) = raw.requests {
            StepKind::Requests(requests)
        } else {
            if raw.clear_requests != Some(true) {
                return Err("`clearRequests` must be `true`".into());
            }
            StepKind::ClearRequests
        };
        Ok(Step {
            kind,
            repeat: raw.repeat.unwrap_or(1),
            save: raw.save.unwrap_or_default(),
            expect: raw.expect,
            expect_error: raw.expect_error,
            options: raw.options,
        })
    }
}

/// A scenario file that could not be read or parsed.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

/// Parses one scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let err = |message: String| LoadError { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

/// The scenario files of a folder (`*.json`), sorted by file name.
pub fn scenario_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The file name without `.json`.
pub fn file_stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `tests/scenarios` of this repository (from this crate's manifest folder), or the folder named
/// by `KONTEXT_SCENARIOS_DIR`.
pub fn default_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("KONTEXT_SCENARIOS_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(json: &str) -> Result<Step, String> {
        serde_json::from_str::<Step>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn parses_each_step_kind() {
        assert!(matches!(step(r#"{"call":"applications.list"}"#).unwrap().kind, StepKind::Call { .. }));
        match step(r#"{"emulator":"post /_emulator/clock","body":{"advanceSeconds":5}}"#).unwrap().kind {
            StepKind::Emulator { method, path, body } => {
                assert_eq!(method, "POST");
                assert_eq!(path, "/_emulator/clock");
                assert!(body.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(step(r#"{"client":{"maxRetries":0}}"#).unwrap().kind, StepKind::Client { .. }));
        assert!(matches!(step(r#"{"sleepMs":10}"#).unwrap().kind, StepKind::Sleep { ms: 10 }));
        assert!(matches!(step(r#"{"requests":{"count":1}}"#).unwrap().kind, StepKind::Requests(_)));
        assert!(matches!(step(r#"{"clearRequests":true}"#).unwrap().kind, StepKind::ClearRequests));
    }

    #[test]
    fn rejects_bad_steps() {
        assert!(step(r#"{"call":"a.b","sleepMs":1}"#).is_err());
        assert!(step(r#"{}"#).is_err());
        assert!(step(r#"{"call":"a.b","expct":{}}"#).is_err());
        assert!(step(r#"{"sleepMs":1,"expect":{}}"#).is_err());
        assert!(step(r#"{"call":"a.b","expect":{},"expectError":{}}"#).is_err());
        assert!(step(r#"{"call":"a.b","repeat":0}"#).is_err());
        assert!(step(r#"{"emulator":"/_emulator/reset"}"#).is_err());
        assert!(step(r#"{"clearRequests":false}"#).is_err());
        assert!(step(r#"{"client":{},"expectError":{"kind":"config"}}"#).is_ok());
    }

    #[test]
    fn null_expect_is_an_expectation() {
        assert_eq!(step(r#"{"call":"a.b","expect":null}"#).unwrap().expect, Some(Value::Null));
        assert_eq!(step(r#"{"call":"a.b"}"#).unwrap().expect, None);
    }
}
