//! Static checks of scenario files, run without the SDK or the emulator: catches typos, unknown
//! calls, undefined variables and `readOnly` scenarios that are not.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::matcher;
use crate::methods::{self, Access};
use crate::scenario::{Scenario, StepKind};
use crate::vars;

/// Error kinds of SCHEMA.md.
pub const ERROR_KINDS: &[&str] = &[
    "bad_request",
    "authentication",
    "permission_denied",
    "not_found",
    "conflict",
    "precondition_failed",
    "precondition_required",
    "rate_limited",
    "server_error",
    "api_error",
    "oauth",
    "connection",
    "timeout",
    "decode",
    "invalid_input",
    "config",
];

/// Fields an `expectError` may name.
pub const ERROR_FIELDS: &[&str] = &[
    "kind",
    "code",
    "message",
    "status",
    "requestId",
    "retryAfter",
    "missingScopes",
    "hint",
    "diagnostics",
    "outcomeUnknown",
    "argument",
    "oauthError",
];

/// Keys of `setup.client` and of a `client` step.
pub const CLIENT_KEYS: &[&str] = &[
    "baseUrl",
    "credentials",
    "accessToken",
    "apiVersion",
    "tokenUrl",
    "scopes",
    "audience",
    "timeoutMs",
    "maxRetries",
    "allowInsecureHttp",
    "maxResponseBytes",
];

/// Keys of a call's `options`.
pub const OPTION_KEYS: &[&str] = &["timeoutMs", "maxRetries", "idempotencyKey", "headers"];

const EMULATOR_CONFIG_KEYS: &[&str] = &[
    "rateLimitPerMinute",
    "tokenTtlSeconds",
    "omitExpiresIn",
    "deviceGrant",
    "deviceIntervalMs",
    "deviceExpiresInSeconds",
];
const SEED_KEYS: &[&str] = &[
    "applications",
    "integrations",
    "serviceAccounts",
    "sessions",
    "traces",
    "decisions",
    "applicationId",
    "directoryGroups",
    "directoryEndpoints",
];
const FAULT_KEYS: &[&str] =
    &["method", "path", "times", "skip", "status", "headers", "body", "delayMs", "action", "after"];
const FAULT_ACTIONS: &[&str] = &["respond", "delay", "drop", "truncate", "malformed"];

/// Variables every scenario has.
pub const PREDEFINED: &[&str] = &["baseUrl", "clientId", "clientSecret"];

fn unknown_keys(map: &Map<String, Value>, known: &[&str], what: &str, errors: &mut Vec<String>) {
    for k in map.keys() {
        if !known.contains(&k.as_str()) {
            errors.push(format!("{what}: unknown key `{k}`"));
        }
    }
}

/// Checks one scenario; `stem` is its file name without `.json`. Returns every problem found.
pub fn validate(scenario: &Scenario, stem: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if scenario.name != stem {
        errors.push(format!("name `{}` differs from the file name `{stem}`", scenario.name));
    }
    if scenario.purpose.trim().len() < 20 {
        errors.push("purpose is missing or too short".into());
    }
    if scenario.steps.is_empty() {
        errors.push("no steps".into());
    }

    let mut defined: BTreeSet<String> = PREDEFINED.iter().map(|s| s.to_string()).collect();
    fn check_refs(value: &Value, defined: &BTreeSet<String>, at: &str, errors: &mut Vec<String>) {
        let mut names = Vec::new();
        if let Err(e) = vars::referenced_names(value, &mut names) {
            errors.push(format!("{at}: {e}"));
        }
        for name in names {
            if !defined.contains(&name) {
                errors.push(format!("{at}: `${{{name}…}}` is neither predefined nor saved by an earlier step"));
            }
        }
    }

    // Setup.
    let setup = &scenario.setup;
    if let Some(config) = &setup.emulator {
        unknown_keys(config, EMULATOR_CONFIG_KEYS, "setup.emulator", &mut errors);
    }
    if let Some(seed) = &setup.seed {
        unknown_keys(seed, SEED_KEYS, "setup.seed", &mut errors);
    }
    for (i, fault) in setup.faults.iter().enumerate() {
        let at = format!("setup.faults.{i}");
        unknown_keys(fault, FAULT_KEYS, &at, &mut errors);
        if let Some(action) = fault.get("action")
            && !action.as_str().is_some_and(|a| FAULT_ACTIONS.contains(&a))
        {
            errors.push(format!("{at}: unknown action {action}"));
        }
        if fault.get("status").is_none() && fault.get("action").is_none() {
            errors.push(format!("{at}: a fault needs `status` or `action`"));
        }
        check_refs(&Value::Object(fault.clone()), &defined, &at, &mut errors);
    }
    if setup.seed.is_some() {
        defined.insert("seed".into());
    }
    if let Some(client) = &setup.client {
        unknown_keys(client, CLIENT_KEYS, "setup.client", &mut errors);
        check_refs(&Value::Object(client.clone()), &defined, "setup.client", &mut errors);
    }
    if scenario.read_only && (setup.emulator.is_some() || setup.seed.is_some() || !setup.faults.is_empty()) {
        errors.push("readOnly scenario with emulator setup (emulator, seed or faults)".into());
    }

    // Steps.
    for (i, step) in scenario.steps.iter().enumerate() {
        let at = format!("step {} ({})", i + 1, step.kind.label());
        match &step.kind {
            StepKind::Call { method, args } => {
                match methods::find(method) {
                    None => errors.push(format!("{at}: `{method}` is not in the call table")),
                    Some(row) => {
                        let (min, max) = row.arity;
                        if (args.len() < min || args.len() > max) && step.expect_error.is_none() {
                            errors
                                .push(format!("{at}: {} argument(s) given, the call takes {min}..={max}", args.len()));
                        }
                        let rejected_locally = step
                            .expect_error
                            .as_ref()
                            .and_then(|e| e.get("kind"))
                            .is_some_and(|k| k == "invalid_input" || k == "config");
                        if scenario.read_only && row.access == Access::Write && !rejected_locally {
                            errors.push(format!(
                                "{at}: readOnly scenario calls the write `{method}` (only allowed when it must fail with invalid_input)"
                            ));
                        }
                    }
                }
                check_refs(&Value::Array(args.clone()), &defined, &at, &mut errors);
                if let Some(options) = &step.options {
                    unknown_keys(options, OPTION_KEYS, &format!("{at} options"), &mut errors);
                    check_refs(&Value::Object(options.clone()), &defined, &at, &mut errors);
                }
            }
            StepKind::Emulator { path, body, .. } => {
                if scenario.read_only {
                    errors.push(format!("{at}: readOnly scenario calls the emulator"));
                }
                check_refs(&Value::String(path.clone()), &defined, &at, &mut errors);
                if let Some(body) = body {
                    check_refs(body, &defined, &at, &mut errors);
                }
            }
            StepKind::Client { options } => {
                unknown_keys(options, CLIENT_KEYS, &at, &mut errors);
                check_refs(&Value::Object(options.clone()), &defined, &at, &mut errors);
            }
            StepKind::Sleep { ms } => {
                if *ms > 2000 {
                    errors.push(format!("{at}: sleeps over 2 s slow the suite down"));
                }
            }
            StepKind::Requests(r) => {
                if let Some(path) = &r.path {
                    check_refs(&Value::String(path.clone()), &defined, &at, &mut errors);
                }
                if let Some(header) = &r.header {
                    check_refs(&Value::Object(header.clone()), &defined, &at, &mut errors);
                }
                check_refs(&r.count, &defined, &at, &mut errors);
                let mut count_errors = Vec::new();
                matcher::validate(&r.count, "count", &mut count_errors);
                if !(r.count.is_u64() || matcher::is_matcher(&r.count)) {
                    count_errors.push("count must be a number or a matcher".into());
                }
                if let Some(header) = &r.header {
                    matcher::validate(&Value::Object(header.clone()), "header", &mut count_errors);
                }
                errors.extend(count_errors.into_iter().map(|e| format!("{at}: {e}")));
            }
            StepKind::ClearRequests => {}
        }
        if let Some(expect) = &step.expect {
            check_refs(expect, &defined, &format!("{at} expect"), &mut errors);
            let mut e = Vec::new();
            matcher::validate(expect, "expect", &mut e);
            errors.extend(e.into_iter().map(|e| format!("{at}: {e}")));
        }
        if let Some(expect_error) = &step.expect_error {
            check_refs(expect_error, &defined, &format!("{at} expectError"), &mut errors);
            match expect_error {
                Value::Object(map) => {
                    unknown_keys(map, ERROR_FIELDS, &format!("{at} expectError"), &mut errors);
                    match map.get("kind").and_then(Value::as_str) {
                        Some(kind) if ERROR_KINDS.contains(&kind) => {}
                        Some(kind) => errors.push(format!("{at}: unknown error kind `{kind}`")),
                        None if matches!(step.kind, StepKind::Emulator { .. }) => {}
                        None => errors.push(format!("{at}: expectError needs a `kind`")),
                    }
                    let mut e = Vec::new();
                    matcher::validate(expect_error, "expectError", &mut e);
                    errors.extend(e.into_iter().map(|e| format!("{at}: {e}")));
                }
                _ => errors.push(format!("{at}: expectError must be an object")),
            }
        }
        for name in step.save.keys() {
            if PREDEFINED.contains(&name.as_str()) || name == "seed" {
                errors.push(format!("{at}: `save` would overwrite the predefined `{name}`"));
            }
            defined.insert(name.clone());
        }
    }
    errors
}

/// Success and failure counts per call over a whole suite (`call` steps only; a step with
/// `expectError` is a failure case).
pub fn coverage<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> BTreeMap<&'static str, (usize, usize)> {
    let mut out: BTreeMap<&'static str, (usize, usize)> = methods::METHODS.iter().map(|m| (m.name, (0, 0))).collect();
    for scenario in scenarios {
        for step in &scenario.steps {
            if let StepKind::Call { method, .. } = &step.kind
                && let Some(row) = methods::find(method)
            {
                let entry = out.entry(row.name).or_default();
                if step.expect_error.is_some() {
                    entry.1 += 1;
                } else {
                    entry.0 += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    fn parse(json: Value) -> Scenario {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn accepts_a_good_scenario() {
        let s = parse(serde_json::json!({
            "name": "x", "purpose": "Checks that the validator accepts a good one.",
            "setup": {"seed": {"applications": 2}},
            "steps": [
                {"call": "applications.get", "args": ["${seed.applicationIds.0}"], "save": {"app": "application"}},
                {"call": "applications.update", "args": ["${app.id}", {"name": "n"}], "expect": {"application": {"name": "n"}}},
                {"requests": {"path": "/api/v1/*", "count": {"$gte": 2}}}
            ]
        }));
        assert_eq!(validate(&s, "x"), Vec::<String>::new());
    }

    #[test]
    fn finds_problems() {
        let s = parse(serde_json::json!({
            "name": "x", "purpose": "short", "readOnly": true,
            "setup": {"faults": [{"path": "/a", "action": "explode"}]},
            "steps": [
                {"call": "applications.fetch"},
                {"call": "applications.get", "args": ["${app.id}"]},
                {"call": "applications.create", "args": [{"name": "n"}], "save": {"app": ""}},
                {"call": "applications.get", "args": []},
                {"call": "applications.get", "args": [], "expectError": {"kind": "nope", "stat": 1}},
                {"emulator": "POST /_emulator/clock", "body": {"advanceSeconds": 1}},
                {"call": "traces.list", "expect": {"items": {"$lenght": 1}}},
                {"sleepMs": 5000}
            ]
        }));
        let errors = validate(&s, "y");
        let text = errors.join("\n");
        for needle in [
            "differs from the file name",
            "purpose",
            "unknown action",
            "readOnly scenario with emulator setup",
            "`applications.fetch` is not in the call table",
            "`${app…}` is neither predefined",
            "readOnly scenario calls the write `applications.create`",
            "0 argument(s) given",
            "unknown error kind `nope`",
            "unknown key `stat`",
            "readOnly scenario calls the emulator",
            "unknown matcher",
            "sleeps over 2 s",
        ] {
            assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
        }
    }

    /// Every file of `tests/scenarios` parses, passes [`validate`], and the suite as a whole has
    /// a success and a failure case for every call of the table.
    #[test]
    fn scenario_suite_is_valid() {
        let dir = scenario::default_dir();
        let files = scenario::scenario_files(&dir).expect("read the scenarios folder");
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        for path in &files {
            let stem = scenario::file_stem(path);
            match scenario::load_file(path) {
                Ok(s) => {
                    for e in validate(&s, &stem) {
                        problems.push(format!("{stem}: {e}"));
                    }
                    parsed.push(s);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        let mut names = BTreeSet::new();
        for s in &parsed {
            if !names.insert(s.name.clone()) {
                problems.push(format!("duplicate scenario name `{}`", s.name));
            }
        }
        for (method, (ok, failed)) in coverage(&parsed) {
            let row = methods::find(method).unwrap();
            if ok == 0 {
                problems.push(format!("coverage: no success case for `{method}`"));
            }
            if failed == 0 && !row.infallible {
                problems.push(format!("coverage: no failure case for `{method}`"));
            }
        }
        if files.len() < 50 {
            problems.push(format!("only {} scenario files; the suite needs at least 50", files.len()));
        }
        assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    }
}
