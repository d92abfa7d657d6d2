//! Partial matching of JSON values with `$` matchers (SCHEMA.md, "Partial match").
//!
//! - An expected object matches when every key it names matches; extra actual keys are fine.
//!   An expected `null` (or `{"$exists": false}`) also matches an absent key.
//! - An expected array matches an actual array of the same length, element by element.
//! - Scalars compare by JSON equality, numbers by value.
//! - An object whose keys all start with `$` is a matcher; several matchers in one object must
//!   all hold (`{"$length": 1000, "$unique": "id"}`).

use regex::Regex;
use serde_json::{Map, Value};

use crate::vars::{get_path, short};

/// The known matcher keys.
pub const MATCHERS: &[&str] =
    &["$exists", "$length", "$minLength", "$gte", "$lte", "$type", "$unique", "$contains", "$not", "$matches"];

/// Matches `actual` (`None` = key absent) against `expected`; `Err` lists every mismatch, each
/// prefixed with its path (`$.items.3.id`).
pub fn check(expected: &Value, actual: Option<&Value>) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    match_at("$", expected, actual, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// `true` when `actual` matches `expected`.
pub fn matches(expected: &Value, actual: Option<&Value>) -> bool {
    let mut errors = Vec::new();
    match_at("$", expected, actual, &mut errors);
    errors.is_empty()
}

/// `true` for an object whose keys all start with `$`.
pub fn is_matcher(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty() && map.keys().all(|k| k.starts_with('$')),
        _ => false,
    }
}

fn describe(actual: Option<&Value>) -> String {
    match actual {
        None => "<absent>".to_string(),
        Some(v) => short(v),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        _ => a == b,
    }
}

fn match_at(path: &str, expected: &Value, actual: Option<&Value>, errors: &mut Vec<String>) {
    if is_matcher(expected) {
        let Value::Object(ops) = expected else { unreachable!() };
        match_ops(path, ops, actual, errors);
        return;
    }
    match expected {
        Value::Null => {
            if !matches!(actual, None | Some(Value::Null)) {
                errors.push(format!("{path}: expected null or absent, got {}", describe(actual)));
            }
        }
        Value::Object(exp) => match actual {
            Some(Value::Object(act)) => {
                for (key, exp_v) in exp {
                    match_at(&format!("{path}.{key}"), exp_v, act.get(key), errors);
                }
            }
            _ => errors.push(format!("{path}: expected an object, got {}", describe(actual))),
        },
        Value::Array(exp) => match actual {
            Some(Value::Array(act)) => {
                if exp.len() != act.len() {
                    errors.push(format!(
                        "{path}: expected an array of {} elements, got {} elements: {}",
                        exp.len(),
                        act.len(),
                        short(&Value::Array(act.clone()))
                    ));
                    return;
                }
                for (i, (e, a)) in exp.iter().zip(act).enumerate() {
                    match_at(&format!("{path}.{i}"), e, Some(a), errors);
                }
            }
            _ => errors.push(format!("{path}: expected an array, got {}", describe(actual))),
        },
        scalar => match actual {
            Some(a) if scalar_eq(scalar, a) => {}
            _ => errors.push(format!("{path}: expected {}, got {}", short(scalar), describe(actual))),
        },
    }
}

fn match_ops(path: &str, ops: &Map<String, Value>, actual: Option<&Value>, errors: &mut Vec<String>) {
    for (op, arg) in ops {
        let mut fail = |msg: String| errors.push(format!("{path}: {op} {}: {msg}", short(arg)));
        match op.as_str() {
            "$exists" => {
                let want = arg.as_bool().unwrap_or(true);
                let present = matches!(actual, Some(v) if !v.is_null());
                if want != present {
                    fail(format!("got {}", describe(actual)));
                }
            }
            "$length" | "$minLength" => {
                let len = match actual {
                    Some(Value::Array(a)) => Some(a.len()),
                    Some(Value::String(s)) => Some(s.chars().count()),
                    _ => None,
                };
                let Some(want) = arg.as_u64() else {
                    fail("the argument must be a non-negative integer".into());
                    continue;
                };
                match len {
                    None => fail(format!("not an array or string: {}", describe(actual))),
                    Some(len) if op == "$length" && len as u64 != want => {
                        fail(format!("length is {len}: {}", describe(actual)))
                    }
                    Some(len) if op == "$minLength" && (len as u64) < want => {
                        fail(format!("length is {len}: {}", describe(actual)))
                    }
                    _ => {}
                }
            }
            "$gte" | "$lte" => {
                let (Some(want), Some(got)) = (arg.as_f64(), actual.and_then(Value::as_f64)) else {
                    fail(format!("not a number: {}", describe(actual)));
                    continue;
                };
                let ok = if op == "$gte" { got >= want } else { got <= want };
                if !ok {
                    fail(format!("got {}", describe(actual)));
                }
            }
            "$type" => {
                let want = arg.as_str().unwrap_or_default();
                match actual {
                    Some(v) if json_type(v) == want => {}
                    _ => fail(format!("got {}", describe(actual))),
                }
            }
            "$unique" => {
                let Some(Value::Array(items)) = actual else {
                    fail(format!("not an array: {}", describe(actual)));
                    continue;
                };
                let key = arg.as_str().unwrap_or_default();
                let mut seen = std::collections::HashSet::new();
                for (i, item) in items.iter().enumerate() {
                    let Some(v) = get_path(item, key) else {
                        fail(format!("element {i} has no `{key}`"));
                        break;
                    };
                    if !seen.insert(v.to_string()) {
                        fail(format!("element {i} repeats {}", short(v)));
                        break;
                    }
                }
            }
            "$contains" => match actual {
                Some(Value::Array(items)) => {
                    if !items.iter().any(|item| matches(arg, Some(item))) {
                        fail(format!("no element matches in {}", describe(actual)));
                    }
                }
                _ => fail(format!("not an array: {}", describe(actual))),
            },
            "$not" => {
                if matches(arg, actual) {
                    fail(format!("it matches: {}", describe(actual)));
                }
            }
            "$matches" => {
                let re = match Regex::new(arg.as_str().unwrap_or_default()) {
                    Ok(re) => re,
                    Err(e) => {
                        fail(format!("bad regular expression: {e}"));
                        continue;
                    }
                };
                match actual {
                    Some(Value::String(s)) if re.is_match(s) => {}
                    _ => fail(format!("got {}", describe(actual))),
                }
            }
            _ => fail("unknown matcher".into()),
        }
    }
}

/// Checks that every matcher object inside `expected` is well formed (for the validator).
pub fn validate(expected: &Value, path: &str, errors: &mut Vec<String>) {
    match expected {
        Value::Object(map) => {
            let dollar = map.keys().filter(|k| k.starts_with('$')).count();
            if dollar > 0 && dollar != map.len() {
                errors.push(format!("{path}: mixes `$` matchers with plain keys"));
            }
            for (k, v) in map {
                let p = format!("{path}.{k}");
                if k.starts_with('$') {
                    if !MATCHERS.contains(&k.as_str()) {
                        errors.push(format!("{p}: unknown matcher"));
                        continue;
                    }
                    let ok = match k.as_str() {
                        "$exists" => v.is_boolean(),
                        "$length" | "$minLength" => v.as_u64().is_some(),
                        "$gte" | "$lte" => v.is_number(),
                        "$type" => {
                            matches!(v.as_str(), Some("string" | "number" | "boolean" | "array" | "object" | "null"))
                        }
                        "$unique" => v.is_string(),
                        "$matches" => v.as_str().is_some_and(|s| {
                            // Portable across runners (Rust regex, Python re, JavaScript RegExp):
                            // no inline flags, look-around or named groups.
                            let portable = !s.replace("(?:", "").contains("(?");
                            portable && (s.contains("${") || Regex::new(s).is_ok())
                        }),
                        _ => true,
                    };
                    if !ok {
                        errors.push(format!("{p}: bad argument {}", short(v)));
                    }
                    if matches!(k.as_str(), "$contains" | "$not") {
                        validate(v, &p, errors);
                    }
                } else {
                    validate(v, &p, errors);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                validate(v, &format!("{path}.{i}"), errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(e: Value, a: Value) {
        if let Err(errs) = check(&e, Some(&a)) {
            panic!("expected {e} to match {a}: {errs:?}");
        }
    }

    fn bad(e: Value, a: Value) {
        assert!(check(&e, Some(&a)).is_err(), "expected {e} NOT to match {a}");
    }

    #[test]
    fn partial_objects() {
        ok(json!({"a": 1}), json!({"a": 1, "b": 2}));
        ok(json!({"a": {"b": "x"}}), json!({"a": {"b": "x", "c": []}}));
        bad(json!({"a": 1, "c": 3}), json!({"a": 1}));
        bad(json!({"a": 1}), json!([1]));
        ok(json!({}), json!({"x": 1}));
    }

    #[test]
    fn arrays_need_same_length() {
        ok(json!([{"id": 1}, {"id": 2}]), json!([{"id": 1, "n": "a"}, {"id": 2}]));
        bad(json!([{"id": 1}]), json!([{"id": 1}, {"id": 2}]));
        bad(json!([2, 1]), json!([1, 2]));
    }

    #[test]
    fn scalars_and_numbers() {
        ok(json!(1), json!(1.0));
        ok(json!("s"), json!("s"));
        bad(json!("1"), json!(1));
        bad(json!(true), json!(false));
        ok(json!(18446744073709551615u64), json!(18446744073709551615u64));
    }

    #[test]
    fn null_matches_absent() {
        ok(json!({"policyVersionId": null}), json!({}));
        ok(json!({"policyVersionId": null}), json!({"policyVersionId": null}));
        bad(json!({"policyVersionId": null}), json!({"policyVersionId": "v1"}));
    }

    #[test]
    fn exists() {
        ok(json!({"a": {"$exists": true}}), json!({"a": 0}));
        bad(json!({"a": {"$exists": true}}), json!({"a": null}));
        bad(json!({"a": {"$exists": true}}), json!({}));
        ok(json!({"a": {"$exists": false}}), json!({}));
        ok(json!({"a": {"$exists": false}}), json!({"a": null}));
        bad(json!({"a": {"$exists": false}}), json!({"a": "secret"}));
    }

    #[test]
    fn lengths_and_numbers() {
        ok(json!({"$length": 2}), json!([1, 2]));
        ok(json!({"$length": 3}), json!("abc"));
        bad(json!({"$length": 2}), json!([1]));
        ok(json!({"$minLength": 1}), json!([1, 2]));
        bad(json!({"$minLength": 3}), json!([1, 2]));
        ok(json!({"$gte": 2, "$lte": 9}), json!(5));
        bad(json!({"$gte": 2, "$lte": 9}), json!(10));
        bad(json!({"$gte": 2}), json!("5"));
        bad(json!({"$lte": 2}), json!(null));
    }

    #[test]
    fn types() {
        for (t, v) in [
            ("string", json!("")),
            ("number", json!(1.5)),
            ("boolean", json!(false)),
            ("array", json!([])),
            ("object", json!({})),
            ("null", json!(null)),
        ] {
            ok(json!({"$type": t}), v.clone());
            bad(json!({"$type": if t == "string" { "number" } else { "string" }}), v);
        }
        assert!(check(&json!({"$type": "null"}), None).is_err());
    }

    #[test]
    fn unique_and_contains() {
        ok(json!({"$unique": "id", "$length": 3}), json!([{"id": 1}, {"id": 2}, {"id": 3}]));
        bad(json!({"$unique": "id"}), json!([{"id": 1}, {"id": 1}]));
        bad(json!({"$unique": "id"}), json!([{"id": 1}, {"x": 1}]));
        ok(json!({"$unique": ""}), json!(["a", "b"]));
        ok(json!({"$contains": {"name": "b"}}), json!([{"name": "a"}, {"name": "b", "x": 1}]));
        bad(json!({"$contains": {"name": "c"}}), json!([{"name": "a"}]));
        ok(json!({"$contains": "x"}), json!(["y", "x"]));
        bad(json!({"$contains": "x"}), json!("x"));
    }

    #[test]
    fn not_and_matches() {
        ok(json!({"$not": {"$contains": {"clientSecret": {"$exists": true}}}}), json!([{"id": 1}, {"id": 2}]));
        bad(
            json!({"$not": {"$contains": {"clientSecret": {"$exists": true}}}}),
            json!([{"id": 1, "clientSecret": "s"}]),
        );
        ok(json!({"a": {"$not": "old"}}), json!({"a": "new"}));
        ok(json!({"a": {"$not": {"$exists": true}}}), json!({}));
        ok(json!({"$matches": "^app_[0-9a-f-]{36}$"}), json!("app_123e4567-e89b-12d3-a456-426614174000"));
        bad(json!({"$matches": "^app_"}), json!("sa_1"));
        bad(json!({"$matches": "^app_"}), json!(1));
    }

    #[test]
    fn errors_name_the_path() {
        let errs = check(&json!({"items": [{"id": 1}, {"id": 3}]}), Some(&json!({"items": [{"id": 1}, {"id": 2}]})))
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("$.items.1.id: expected 3, got 2"), "{}", errs[0]);
    }

    #[test]
    fn validates_matcher_syntax() {
        let mut errs = Vec::new();
        validate(
            &json!({"a": {"$exist": true}, "b": {"$length": "x"}, "c": {"$type": "int"}, "d": {"$gte": 1, "x": 2}}),
            "$",
            &mut errs,
        );
        assert_eq!(errs.len(), 4, "{errs:?}");
        let mut errs = Vec::new();
        validate(&json!({"items": {"$length": 2, "$not": {"$contains": {"s": {"$exists": true}}}}}), "$", &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
    }
}
