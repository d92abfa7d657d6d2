//! Markdown: the call list of `tests/scenarios/SCHEMA.md` and the README's method table and
//! scenario count. Only the text between the `<!-- @generated NAME -->` / `<!-- @end NAME -->`
//! markers is generated; the rest of both files is written by hand.

use std::fmt::Write;

use kontext_management::api::{ArgKind, Method, Output, Paging, RetryClass, Transport};
use kontext_management::describe::FieldDesc;

use crate::api::{Api, arg_model, model_name};
use crate::text::{py_name, snake};

/// Replaces the text between the markers of `name` in `doc`.
pub fn fill(doc: &str, name: &str, content: &str, path: &str) -> Result<String, String> {
    let begin = format!("<!-- @generated {name} by `just codegen` from core/src/api.rs: do not edit -->");
    fill_between(doc, &begin, &format!("<!-- @end {name} -->"), content, path)
}

/// Replaces the text between the `begin` and `end` marker lines in `doc`.
pub fn fill_between(doc: &str, begin: &str, end: &str, content: &str, path: &str) -> Result<String, String> {
    let start = doc.find(begin).ok_or_else(|| format!("{path}: the marker `{begin}` is missing"))?;
    let stop = doc[start..].find(end).ok_or_else(|| format!("{path}: the marker `{end}` is missing"))? + start;
    Ok(format!("{}{begin}{content}{}", &doc[..start], &doc[stop..]))
}

/// `{name, description?}`: the fields of an object a caller passes (`?`: may be left out).
fn input_fields(fields: &[FieldDesc], drop: Option<&str>, mark_optional: bool) -> String {
    let names: Vec<String> = fields
        .iter()
        .filter(|f| Some(f.wire) != drop)
        .map(|f| {
            let optional = mark_optional && !f.nullable() && (f.optional() || f.default);
            format!("{}{}", f.wire, if optional { "?" } else { "" })
        })
        .collect();
    format!("{{{}}}", names.join(", "))
}

fn arguments(api: &Api, m: &Method, list_all: bool) -> String {
    let drop = if list_all { m.list_all_drops() } else { None };
    let parts: Vec<String> = m
        .args
        .iter()
        .map(|arg| match arg.kind {
            ArgKind::Path | ArgKind::Header => arg.name.to_owned(),
            ArgKind::Value => match model_name(&arg.ty) {
                Some(item) if matches!(arg.ty, kontext_management::describe::Ty::List(_)) => {
                    format!("{}: {item}[]", arg.name)
                }
                _ => arg.name.to_owned(),
            },
            ArgKind::Query => {
                let model = arg_model(api, m, ArgKind::Query).expect("a model");
                format!("params?{}", input_fields(&model.fields, drop, false))
            }
            kind => input_fields(&arg_model(api, m, kind).expect("a model").fields, None, true),
        })
        .collect();
    if parts.is_empty() { "—".into() } else { format!("`{}`", parts.join(", ")) }
}

fn result(api: &Api, m: &Method, list_all: bool) -> String {
    let text = match &m.output {
        Output::Nothing => "null".to_owned(),
        Output::Page(ty) => {
            let item = model_name(ty).expect("a model");
            match (list_all, m.paging) {
                (true, _) => format!("{item}[]"),
                (false, Paging::Cursor) => format!("{{items: {item}[], nextCursor?}}"),
                (false, _) => format!("{{items: {item}[]}}"),
            }
        }
        Output::Model(ty) => {
            let model = api.model(model_name(ty).expect("a model"));
            let names: Vec<String> = model
                .fields
                .iter()
                .map(|f| format!("{}{}", f.wire, if f.optional() && !f.nullable() { "?" } else { "" }))
                .collect();
            format!("{{{}}}", names.join(", "))
        }
    };
    format!("`{text}`")
}

/// The table of `## Calls` in SCHEMA.md.
pub fn schema_calls(api: &Api) -> String {
    let mut out = String::from("\n| Call | Arguments | Result |\n|---|---|---|\n");
    for m in &api.methods {
        writeln!(out, "| `{}` | {} | {} |", m.full_name(), arguments(api, m, false), result(api, m, false)).unwrap();
        if m.list_all_drops().is_some() {
            writeln!(out, "| `{}.listAll` | {} | {} |", m.resource, arguments(api, m, true), result(api, m, true))
                .unwrap();
        }
    }
    out
}

fn retry(class: Option<RetryClass>) -> &'static str {
    match class {
        None => "—",
        Some(RetryClass::Safe) => "safe",
        Some(RetryClass::Keyed) => "keyed",
        Some(RetryClass::CredentialMinting) => "credential-minting",
        Some(RetryClass::Precondition) => "precondition",
    }
}

/// The README's table of every method.
pub fn readme_methods(api: &Api) -> String {
    let mut out =
        String::from("\n| Method (JS, scenarios) | Python | Request | Scope | Retry class |\n|---|---|---|---|---|\n");
    for m in &api.methods {
        let mut js = format!("`{}`", m.full_name());
        let mut py = format!("`{}.{}`", snake(m.resource), py_name(m.name));
        if m.list_all_drops().is_some() {
            js.push_str(", `listAll`");
            py.push_str(", `list_all`");
        }
        for alias in &m.aliases {
            write!(js, ", `{alias}`").unwrap();
        }
        let request = match m.transport {
            Transport::Http(verb, path) => format!("`{verb} {path}`"),
            Transport::Client => "token endpoint".into(),
            Transport::OAuth => "— (no client)".into(),
            Transport::Composite => "— (SDK: several requests)".into(),
        };
        if m.transport == Transport::Client {
            py = format!("`client.{}`", py_name(m.name));
        }
        let scope = m.scope.map_or_else(|| "—".to_owned(), |s| format!("`{}`", s.trim_start_matches("management:")));
        writeln!(out, "| {js} | {py} | {request} | {scope} | {} |", retry(m.retry)).unwrap();
    }
    out.push_str(
        "\nScopes are `management:<area>:<read|write>` (`management:all` grants every one); a `write` scope \
         includes `read`. Retry classes (DECISIONS V8, V10, V11): *safe* may be sent again after a transient \
         failure; *keyed* only with a caller-set `idempotencyKey`; *credential-minting* and *precondition* never \
         once the request may have reached the server.\n",
    );
    out
}
