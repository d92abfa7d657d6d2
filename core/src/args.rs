//! Call arguments decoded from JSON: the positional list of a [`dispatch`](crate::dispatch) call,
//! and the request models inside it.
//!
//! Request models implement [`FromArg`] through `#[derive(FromArg)]` (the `kontext-management-derive`
//! crate), which reads their `#[serde(...)]` attributes. The generated code is one call per field
//! into the generic helpers below, instantiated once per field *type*; serde's derived
//! visitors, one per model, made up a sixth of the WebAssembly engine. Errors name the field
//! (`argument`) and, below the top level, its path; they never quote the value, which may be a
//! secret.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A value that can be decoded from a JSON call argument.
pub(crate) trait FromArg: Sized {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self>;

    /// The placeholder a field holds until it is decoded (and keeps if decoding fails).
    fn blank() -> Self;

    /// Whether an absent field of this type is an error (`Option` fields may be left out).
    fn required() -> bool {
        true
    }
}

/// Where a value sits in the arguments: `data` → `oauth` → `redirectUris` → `[2]`. A linked
/// list on the stack, turned into text only for an error.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    parent: Option<&'a At<'a>>,
    key: Key<'a>,
}

#[derive(Clone, Copy)]
enum Key<'a> {
    /// The positional argument (`data`, `params`): named in errors only when nothing nearer is.
    Argument(&'a str),
    Field(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    pub(crate) fn argument(name: &'a str) -> Self {
        Self { parent: None, key: Key::Argument(name) }
    }

    fn field<'b>(&'b self, name: &'b str) -> At<'b> {
        At { parent: Some(self), key: Key::Field(name) }
    }

    fn index(&self, index: usize) -> At<'_> {
        At { parent: Some(self), key: Key::Index(index) }
    }

    /// The innermost name the caller wrote: the field, or the argument itself.
    fn name(&self) -> &'a str {
        match self.key {
            Key::Argument(name) | Key::Field(name) => name,
            Key::Index(_) => self.parent.map_or("", |p| p.name()),
        }
    }

    /// `oauth.redirectUris[2]`, below the argument.
    fn path(&self) -> String {
        let mut out = match self.parent {
            Some(parent) => parent.path(),
            None => String::new(),
        };
        match self.key {
            Key::Argument(_) => {}
            Key::Field(name) if out.is_empty() => out.push_str(name),
            Key::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Key::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
        out
    }

    /// An error about this value: `reason` as is at the top level, prefixed with the path below.
    #[cold]
    fn error(&self, reason: &str) -> Error {
        let nested = self.parent.is_some_and(|parent| !matches!(parent.key, Key::Argument(_)));
        let reason = if nested { format!("`{}` {reason}", self.path()) } else { reason.to_owned() };
        Error::invalid(self.name(), reason)
    }

    #[cold]
    fn wrong_type(&self, expected: &str, value: &Value) -> Error {
        self.error(&format!("must be {expected}, not {}", json_type(value)))
    }
}

fn object(value: Value, at: At<'_>) -> Result<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(at.wrong_type("an object", &other)),
    }
}

/// The fields of one request model being decoded (what `#[derive(FromArg)]` calls): each is
/// taken out of the object into its place, and the first error is kept for [`Fields::finish`].
pub(crate) struct Fields<'a> {
    map: Map<String, Value>,
    at: At<'a>,
    error: Option<Error>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(value: Value, at: At<'a>) -> Result<Self> {
        Ok(Self { map: object(value, at)?, at, error: None })
    }

    // Never inlined, like `take_or_default`: the derived code stays one call per field.
    #[inline(never)]
    pub(crate) fn take<T: FromArg>(&mut self, slot: &mut T, name: &str) {
        if self.error.is_some() {
            return;
        }
        let at = self.at.field(name);
        match self.map.remove(name) {
            Some(value) => match T::from_arg(value, at) {
                Ok(value) => *slot = value,
                Err(e) => self.error = Some(e),
            },
            None if T::required() => self.error = Some(at.error("is required")),
            None => {}
        }
    }

    /// A `#[serde(default)]` field: absent means `T::default()`.
    #[inline(never)]
    pub(crate) fn take_or_default<T: FromArg + Default>(&mut self, slot: &mut T, name: &str) {
        if self.error.is_some() {
            return;
        }
        match self.map.remove(name) {
            Some(value) => match T::from_arg(value, self.at.field(name)) {
                Ok(value) => *slot = value,
                Err(e) => self.error = Some(e),
            },
            None => *slot = T::default(),
        }
    }

    /// The first error, if any; fields nobody took are ignored, as serde ignores them.
    pub(crate) fn finish(self) -> Result<()> {
        self.error.map_or(Ok(()), Err)
    }

    /// Like [`finish`](Self::finish), with a field nobody took as an error (`deny_unknown_fields`).
    pub(crate) fn finish_strict(self) -> Result<()> {
        if self.error.is_none()
            && let Some(unknown) = self.map.keys().next()
        {
            return Err(self.at.field(unknown).error("is not a known field"));
        }
        self.finish()
    }

    /// Like [`finish`](Self::finish), handing the fields nobody took to a `flatten` map.
    pub(crate) fn finish_into(self, rest: &mut Map<String, Value>) -> Result<()> {
        match self.error {
            Some(e) => Err(e),
            None => {
                *rest = self.map;
                Ok(())
            }
        }
    }
}

impl<T: FromArg> FromArg for Option<T> {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            value => T::from_arg(value, at).map(Some),
        }
    }

    fn blank() -> Self {
        None
    }

    fn required() -> bool {
        false
    }
}

impl<T: FromArg> FromArg for Vec<T> {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match value {
            Value::Array(items) => {
                items.into_iter().enumerate().map(|(i, item)| T::from_arg(item, at.index(i))).collect()
            }
            other => Err(at.wrong_type("an array", &other)),
        }
    }

    fn blank() -> Self {
        Vec::new()
    }
}

impl FromArg for String {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(at.wrong_type("a string", &other)),
        }
    }

    fn blank() -> Self {
        String::new()
    }
}

impl FromArg for crate::Secret {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        String::from_arg(value, at).map(Self::new)
    }

    fn blank() -> Self {
        Self::new(String::new())
    }
}

impl FromArg for bool {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(at.wrong_type("a boolean", &other)),
        }
    }

    fn blank() -> Self {
        false
    }
}

impl FromArg for u64 {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match &value {
            Value::Number(n) => n.as_u64().ok_or_else(|| at.error("must be a whole number, 0 or more")),
            _ => Err(at.wrong_type("a whole number", &value)),
        }
    }

    fn blank() -> Self {
        0
    }
}

impl FromArg for f64 {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match &value {
            Value::Number(n) => n.as_f64().filter(|f| f.is_finite()).ok_or_else(|| at.error("must be a finite number")),
            _ => Err(at.wrong_type("a number", &value)),
        }
    }

    fn blank() -> Self {
        0.0
    }
}

impl FromArg for u32 {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        u64::from_arg(value, at)?.try_into().map_err(|_| at.error("is too large"))
    }

    fn blank() -> Self {
        0
    }
}

impl FromArg for std::collections::BTreeMap<String, String> {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        let mut out = Self::new();
        for (key, value) in object(value, at)? {
            let value = String::from_arg(value, at.field(&key))?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn blank() -> Self {
        Self::new()
    }
}

/// Decodes the JSON text of an options object (what the bindings receive). The error is
/// `what` followed by the offending field and why: `invalid client options: `timeoutMs` must be
/// a whole number, not a string`.
pub(crate) fn from_json_text<T: FromArg>(json: &str, what: &str) -> std::result::Result<T, String> {
    let value = serde_json::from_str(json)
        .map_err(|e| format!("{what}: not valid JSON: {}", crate::error::serde_message(&e)))?;
    from_value(value).map_err(|reason| format!("{what}: {reason}"))
}

/// Decodes a JSON value that is not a call argument (an options object, a response the SDK
/// reads itself); the error is one message naming the field: `` `timeoutMs` must be a whole
/// number, not a string ``.
pub(crate) fn from_value<T: FromArg>(value: Value) -> std::result::Result<T, String> {
    T::from_arg(value, At::argument("")).map_err(|e| match e {
        // A nested field's reason starts with its path already.
        Error::InvalidInput { argument, reason } if argument.is_empty() || reason.starts_with('`') => reason,
        Error::InvalidInput { argument, reason } => format!("`{argument}` {reason}"),
        other => other.to_string(),
    })
}

impl FromArg for serde_json::Number {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        match value {
            Value::Number(n) => Ok(n),
            other => Err(at.wrong_type("a number", &other)),
        }
    }

    fn blank() -> Self {
        Self::from(0)
    }
}

impl FromArg for Value {
    fn from_arg(value: Value, _: At<'_>) -> Result<Self> {
        Ok(value)
    }

    fn blank() -> Self {
        Value::Null
    }
}

impl FromArg for Map<String, Value> {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        object(value, at)
    }

    fn blank() -> Self {
        Map::new()
    }
}

/// How a JSON value is called in an error message.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Positional arguments of one call, consumed in order.
pub(crate) struct Args {
    pub(crate) method: String,
    values: std::vec::IntoIter<Value>,
    taken: usize,
}

impl Args {
    pub(crate) fn new(method: &str, values: Vec<Value>) -> Self {
        Self { method: method.to_owned(), values: values.into_iter(), taken: 0 }
    }

    fn next(&mut self) -> Option<Value> {
        self.taken += 1;
        self.values.next()
    }

    pub(crate) fn string(&mut self, name: &str) -> Result<String> {
        match self.next() {
            None | Some(Value::Null) => Err(self.missing(name)),
            Some(value) => String::from_arg(value, At::argument(name)),
        }
    }

    pub(crate) fn required<T: FromArg>(&mut self, name: &str) -> Result<T> {
        match self.next() {
            None | Some(Value::Null) => Err(self.missing(name)),
            Some(value) => T::from_arg(value, At::argument(name)),
        }
    }

    pub(crate) fn optional<T: FromArg + Default>(&mut self, name: &str) -> Result<T> {
        match self.next() {
            None | Some(Value::Null) => Ok(T::default()),
            Some(value) => T::from_arg(value, At::argument(name)),
        }
    }

    #[cold]
    fn missing(&self, name: &str) -> Error {
        Error::invalid(name, format!("is required by {}", self.method))
    }

    /// Fails when more arguments were given than the method took.
    pub(crate) fn finish(&mut self) -> Result<()> {
        let extra = self.values.len();
        if extra > 0 {
            return Err(Error::invalid(
                "args",
                format!("{} takes {} argument(s), got {}", self.method, self.taken, self.taken + extra),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::models::{CreateApplication, CreateIntegration, ListTracesParams, UpdateApplication};

    fn decode<T: FromArg>(value: Value) -> Result<T> {
        T::from_arg(value, At::argument("data"))
    }

    fn invalid(e: Error) -> (String, String) {
        match e {
            Error::InvalidInput { argument, reason } => (argument, reason),
            other => panic!("not an invalid-input error: {other}"),
        }
    }

    /// The derived decoder and serde's agree on every accepted input: same wire names, same
    /// defaults, unknown fields kept (flatten) or ignored.
    #[test]
    fn decodes_what_serde_decodes() {
        let inputs = [
            json!({"name": "a"}),
            json!({"name": "a", "description": null, "oauth": {"type": "public", "redirectUris": ["https://x/cb"]}}),
            json!({"name": "a", "futureField": 1}),
        ];
        for input in inputs {
            let ours: CreateApplication = decode(input.clone()).unwrap();
            let serdes: CreateApplication = serde_json::from_value(input).unwrap();
            assert_eq!(ours, serdes);
        }
        let input = json!({"userId": "u", "limit": 20, "offset": 40});
        assert_eq!(decode::<ListTracesParams>(input.clone()).unwrap(), serde_json::from_value(input).unwrap());
        let input = json!({"name": "n", "url": "https://x/mcp", "authMode": "oauth", "category": "future_kind"});
        assert_eq!(decode::<CreateIntegration>(input.clone()).unwrap(), serde_json::from_value(input).unwrap());
        let input =
            json!({"externalAuth": {"enabled": true, "requiredClaims": {"tier": "gold"}, "maxTokenAgeSeconds": 60}});
        assert_eq!(decode::<UpdateApplication>(input.clone()).unwrap(), serde_json::from_value(input).unwrap());
    }

    #[test]
    fn errors_name_the_field_and_its_path_but_not_the_value() {
        let (argument, reason) = invalid(decode::<CreateApplication>(json!({})).unwrap_err());
        assert_eq!((argument.as_str(), reason.as_str()), ("name", "is required"));

        let (argument, reason) = invalid(decode::<CreateApplication>(json!({"name": 5})).unwrap_err());
        assert_eq!((argument.as_str(), reason.as_str()), ("name", "must be a string, not a number"));

        let e = decode::<CreateApplication>(json!({"name": "a", "oauth": {"redirectUris": ["https://x", 7]}}));
        let (argument, reason) = invalid(e.unwrap_err());
        assert_eq!(argument, "redirectUris");
        assert_eq!(reason, "`oauth.redirectUris[1]` must be a string, not a number");

        let (argument, reason) = invalid(decode::<CreateApplication>(json!("s3cret")).unwrap_err());
        assert_eq!((argument.as_str(), reason.as_str()), ("data", "must be an object, not a string"));

        let (argument, reason) = invalid(decode::<ListTracesParams>(json!({"limit": -1})).unwrap_err());
        assert_eq!((argument.as_str(), reason.as_str()), ("limit", "must be a whole number, 0 or more"));
        let (_, reason) = invalid(decode::<ListTracesParams>(json!({"limit": 5_000_000_000_u64})).unwrap_err());
        assert_eq!(reason, "is too large");
    }

    #[test]
    fn options_reject_unknown_fields_and_name_the_bad_one() {
        let options = crate::ClientOptions::from_json(
            r#"{"baseUrl": "https://x", "credentials": {"clientId": "sa_1", "clientSecret": "s3cret"}, "headers": {"x-a": "1"}}"#,
        )
        .unwrap();
        let serdes: crate::ClientOptions = serde_json::from_str(
            r#"{"baseUrl": "https://x", "credentials": {"clientId": "sa_1", "clientSecret": "s3cret"}, "headers": {"x-a": "1"}}"#,
        )
        .unwrap();
        assert_eq!(options, serdes);

        let message = |json: &str| crate::ClientOptions::from_json(json).unwrap_err().to_string();
        assert!(
            message(r#"{"baseUrl": "https://x", "retries": 1}"#)
                .ends_with("invalid client options: `retries` is not a known field")
        );
        assert!(message(r#"{"baseUrl": 5}"#).ends_with("`baseUrl` must be a string, not a number"));
        let nested = message(r#"{"baseUrl": "x", "credentials": {"clientId": "sa_1", "clientSecret": 12345}}"#);
        assert!(nested.ends_with("`credentials.clientSecret` must be a string, not a number"), "{nested}");
        assert!(!nested.contains("12345"));
        assert!(message("[1]").ends_with("invalid client options: must be an object, not an array"));
        assert!(message("{").contains("not valid JSON"));

        let e = crate::RequestOptions::from_json(r#"{"timeoutMs": "5"}"#).unwrap_err();
        assert_eq!(e.details().argument.as_deref(), Some("options"));
        assert!(
            e.to_string().ends_with("invalid request options: `timeoutMs` must be a whole number, not a string"),
            "{e}"
        );
        let headers = crate::RequestOptions::from_json(r#"{"headers": {"x-a": 1}}"#).unwrap_err().to_string();
        assert!(headers.ends_with("`headers.x-a` must be a string, not a number"), "{headers}");
    }
}
