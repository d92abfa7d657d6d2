//! Request-log assertions (`{"requests": {...}}`) over `GET /_emulator/requests`.

use serde_json::{Map, Value};

use crate::matcher;
use crate::scenario::RequestsAssertion;

/// `true` when `text` matches `pattern`, where `*` matches any characters (including `/`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// `true` when one log entry passes the assertion's filters.
pub fn entry_matches(filter: &RequestsAssertion, entry: &Value) -> bool {
    if let Some(method) = &filter.method {
        let got = entry.get("method").and_then(Value::as_str).unwrap_or_default();
        if !got.eq_ignore_ascii_case(method) {
            return false;
        }
    }
    if let Some(path) = &filter.path {
        let got = entry.get("path").and_then(Value::as_str).unwrap_or_default();
        if !glob_match(path, got) {
            return false;
        }
    }
    if let Some(status) = filter.status
        && entry.get("status").and_then(Value::as_u64) != Some(u64::from(status))
    {
        return false;
    }
    if let Some(header) = &filter.header {
        let lowered: Map<String, Value> = header.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        if !matcher::matches(&Value::Object(lowered), entry.get("headers")) {
            return false;
        }
    }
    true
}

/// Checks the assertion against the log entries; `Err` explains the mismatch and lists the log.
pub fn check(filter: &RequestsAssertion, entries: &[Value]) -> Result<(), String> {
    let selected: Vec<&Value> = entries.iter().filter(|e| entry_matches(filter, e)).collect();
    let count = Value::from(selected.len());
    match matcher::check(&filter.count, Some(&count)) {
        Ok(()) => Ok(()),
        Err(errors) => Err(format!(
            "request count {} does not match {} ({})\nmatching entries:\n{}\nwhole log ({} entries):\n{}",
            selected.len(),
            filter.count,
            errors.join("; "),
            render(selected.iter().copied()),
            entries.len(),
            render(entries.iter()),
        )),
    }
}

/// One line per entry: `GET /api/v1/applications?limit=200 → 200 [fault f1]`.
pub fn render<'a>(entries: impl Iterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for e in entries {
        let s = |k: &str| {
            e.get(k).map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
        };
        let query = s("query").unwrap_or_default();
        let query = if query.is_empty() || query.starts_with('?') { query } else { format!("?{query}") };
        let fault = match e.get("fault") {
            Some(Value::Null) | None => String::new(),
            Some(v) => format!(" [fault {}]", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
        };
        out.push_str(&format!(
            "  {} {}{} → {}{}\n",
            s("method").unwrap_or_default(),
            s("path").unwrap_or_default(),
            query,
            s("status").unwrap_or_else(|| "-".into()),
            fault
        ));
    }
    if out.is_empty() {
        out.push_str("  (none)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(glob_match("/api/v1/applications", "/api/v1/applications"));
        assert!(!glob_match("/api/v1/applications", "/api/v1/applications/x"));
        assert!(glob_match("/api/v1/applications/*", "/api/v1/applications/x/oauth"));
        assert!(glob_match("/api/v1/applications*", "/api/v1/applications"));
        assert!(glob_match("/api/v1/*", "/api/v1/policy"));
        assert!(!glob_match("/api/v1/*", "/oauth2/token"));
        assert!(glob_match("*/integrations/*", "/api/v1/applications/a/integrations/b"));
        assert!(glob_match("*", ""));
        assert!(glob_match("/a*b*c", "/a-x-b-y-b-c"));
        assert!(!glob_match("/a*b*c", "/a-x-b-y-c-d"));
    }

    fn log() -> Vec<Value> {
        vec![
            json!({"method": "POST", "path": "/oauth2/token", "query": "", "status": 200,
                   "headers": {"authorization": "Basic [redacted]"}, "fault": null}),
            json!({"method": "GET", "path": "/api/v1/applications", "query": "limit=200", "status": 503,
                   "headers": {"authorization": "Bearer [redacted]"}, "fault": "f1"}),
            json!({"method": "GET", "path": "/api/v1/applications", "query": "limit=200", "status": 200,
                   "headers": {"authorization": "Bearer [redacted]"}, "fault": null}),
        ]
    }

    fn filter(v: Value) -> RequestsAssertion {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn counts_with_filters() {
        let log = log();
        assert!(check(&filter(json!({"count": 3})), &log).is_ok());
        assert!(check(&filter(json!({"method": "get", "path": "/api/v1/*", "count": 2})), &log).is_ok());
        assert!(check(&filter(json!({"path": "/api/v1/applications", "status": 503, "count": 1})), &log).is_ok());
        assert!(
            check(
                &filter(
                    json!({"path": "/oauth2/token", "header": {"Authorization": {"$matches": "^Basic "}}, "count": 1})
                ),
                &log
            )
            .is_ok()
        );
        assert!(
            check(&filter(json!({"header": {"authorization": {"$matches": "^Bearer "}}, "count": {"$gte": 2}})), &log)
                .is_ok()
        );
        let err = check(&filter(json!({"status": 401, "count": {"$gte": 1}})), &log).unwrap_err();
        assert!(err.contains("request count 0"), "{err}");
        assert!(err.contains("GET /api/v1/applications?limit=200 → 503 [fault f1]"), "{err}");
    }
}
