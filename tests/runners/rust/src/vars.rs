//! `${name.path}` substitution.
//!
//! A string that is exactly one `${...}` becomes the referenced value with its JSON type; inside a
//! longer string each reference is replaced by its text (strings as-is, other values as JSON).

use serde_json::{Map, Value};

/// Variables of a running scenario.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: Map<String, Value>,
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Looks up `name.path.0.field`.
    pub fn lookup(&self, reference: &str) -> Result<Value, String> {
        let (name, rest) = match reference.split_once('.') {
            Some((n, r)) => (n, r),
            None => (reference, ""),
        };
        let root = self.values.get(name).ok_or_else(|| format!("unknown variable `{name}` in `${{{reference}}}`"))?;
        get_path(root, rest)
            .cloned()
            .ok_or_else(|| format!("`${{{reference}}}`: path `{rest}` not found in {}", short(root)))
    }

    /// Substitutes every `${...}` inside `value` (strings only; object keys are left alone).
    pub fn substitute(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => self.substitute_str(s)?,
            Value::Array(items) => Value::Array(items.iter().map(|v| self.substitute(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(self.substitute_map(map)?),
            other => other.clone(),
        })
    }

    pub fn substitute_map(&self, map: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        map.iter().map(|(k, v)| Ok((k.clone(), self.substitute(v)?))).collect()
    }

    /// Substitutes inside one string; a string that is exactly one reference keeps its type.
    pub fn substitute_str(&self, s: &str) -> Result<Value, String> {
        let refs = references(s)?;
        if refs.len() == 1 && refs[0].1 == 0 && refs[0].2 == s.len() {
            return self.lookup(&refs[0].0);
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (reference, start, end) in refs {
            out.push_str(&s[last..start]);
            match self.lookup(&reference)? {
                Value::String(text) => out.push_str(&text),
                other => out.push_str(&other.to_string()),
            }
            last = end;
        }
        out.push_str(&s[last..]);
        Ok(Value::String(out))
    }
}

/// The `${...}` references in a string: `(reference, start, end)` byte offsets of `${` … `}`.
pub fn references(s: &str) -> Result<Vec<(String, usize, usize)>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = s[from..].find("${") {
        let start = from + pos;
        let close = s[start..].find('}').ok_or_else(|| format!("unclosed `${{` in `{s}`"))?;
        let end = start + close + 1;
        let reference = &s[start + 2..end - 1];
        if reference.is_empty()
            || !reference.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(format!("bad variable reference `{}` in `{s}`", &s[start..end]));
        }
        out.push((reference.to_string(), start, end));
        from = end;
    }
    Ok(out)
}

/// Every variable name (first path segment) referenced anywhere in `value`.
pub fn referenced_names(value: &Value, out: &mut Vec<String>) -> Result<(), String> {
    match value {
        Value::String(s) => {
            for (reference, _, _) in references(s)? {
                let name = reference.split('.').next().unwrap_or_default().to_string();
                out.push(name);
            }
        }
        Value::Array(items) => {
            for v in items {
                referenced_names(v, out)?;
            }
        }
        Value::Object(map) => {
            for v in map.values() {
                referenced_names(v, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Follows a dotted path (`""` = the value itself); array elements by index.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(root);
    }
    let mut cur = root;
    for segment in path.split('.') {
        cur = match cur {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A value shortened for messages.
pub fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}… ({} chars)", &text[..cut], text.len())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.set("baseUrl", json!("http://127.0.0.1:4010"));
        v.set("seed", json!({"applicationIds": ["a1", "a2"], "count": 2}));
        v.set("limit", json!(200));
        v.set("app", json!({"application": {"id": "x", "archivedAt": null}}));
        v
    }

    #[test]
    fn whole_string_keeps_type() {
        let v = vars();
        assert_eq!(v.substitute(&json!("${limit}")).unwrap(), json!(200));
        assert_eq!(v.substitute(&json!("${seed.applicationIds}")).unwrap(), json!(["a1", "a2"]));
        assert_eq!(v.substitute(&json!("${app.application.archivedAt}")).unwrap(), json!(null));
    }

    #[test]
    fn embedded_references_become_text() {
        let v = vars();
        assert_eq!(v.substitute(&json!("${baseUrl}/api/v1")).unwrap(), json!("http://127.0.0.1:4010/api/v1"));
        assert_eq!(v.substitute(&json!("n=${limit}&id=${seed.applicationIds.1}")).unwrap(), json!("n=200&id=a2"));
        assert_eq!(v.substitute(&json!("plain $ text {}")).unwrap(), json!("plain $ text {}"));
    }

    #[test]
    fn substitutes_nested_values() {
        let v = vars();
        let out = v.substitute(&json!({"ids": ["${seed.applicationIds.0}", 3], "u": {"b": "${baseUrl}/"}})).unwrap();
        assert_eq!(out, json!({"ids": ["a1", 3], "u": {"b": "http://127.0.0.1:4010/"}}));
    }

    #[test]
    fn reports_unknown_variables_and_paths() {
        let v = vars();
        assert!(v.substitute(&json!("${nope}")).unwrap_err().contains("unknown variable `nope`"));
        assert!(v.substitute(&json!("${seed.applicationIds.7}")).unwrap_err().contains("not found"));
        assert!(v.substitute(&json!("${seed")).is_err());
        assert!(v.substitute(&json!("${a b}")).is_err());
    }

    #[test]
    fn lists_referenced_names() {
        let mut names = Vec::new();
        referenced_names(&json!({"a": ["${x.y}", "p ${z} q ${x}"], "b": 1}), &mut names).unwrap();
        assert_eq!(names, vec!["x", "z", "x"]);
    }
}
