//! Names and doc text: case conversions, keyword escapes, the doc dialects of each language,
//! and line wrapping.

/// `getOAuthConfig` → `get_oauth_config` (`OAuth` is one word, as in every surface's names).
pub fn snake(camel: &str) -> String {
    let camel = camel.replace("OAuth", "Oauth");
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `serviceAccounts` → `ServiceAccounts`.
pub fn pascal(camel: &str) -> String {
    let mut chars = camel.chars();
    chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
}

/// `ServiceAccount` → `SERVICE_ACCOUNT`.
pub fn upper_snake(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// A wire name as a Python identifier: snake case, `_` appended to keywords (`from` → `from_`,
/// which the Python layer's `camel_case` strips again).
pub fn py_name(wire: &str) -> String {
    let name = snake(wire);
    if PYTHON_KEYWORDS.contains(&name.as_str()) { name + "_" } else { name }
}

/// Markdown intra-doc links (`` [`Page`] ``) as plain code spans.
fn strip_links(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut i = 0;
    while i < doc.len() {
        if doc[i..].starts_with("[`")
            && let Some(end) = doc[i + 2..].find("`]")
            && !doc[i + 2 + end + 2..].starts_with('(')
        {
            out.push_str(&doc[i + 1..i + 2 + end + 1]);
            i += 2 + end + 2;
            continue;
        }
        let c = doc[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Docs for JavaScript and TypeScript: Markdown, with Rust paths to fields (`Type::field_name`) as
/// JavaScript writes them (`Type.fieldName`).
pub fn js_doc(doc: &str) -> String {
    map_code_spans(&strip_links(doc), "`", |code| match code {
        "None" => "undefined".to_owned(),
        code => rust_paths(code, camel),
    })
}

/// `redirect_uris` → `redirectUris`.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `Type::field` → `Type.<field>` (a Rust path to a field of a model, in the other language).
fn rust_paths(code: &str, field: impl Fn(&str) -> String) -> String {
    match code.split_once("::") {
        Some((ty, name))
            if ty.starts_with(|c: char| c.is_ascii_uppercase())
                && ty.chars().all(|c| c.is_ascii_alphanumeric())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            format!("{ty}.{}", field(name))
        }
        _ => code.to_owned(),
    }
}

/// Applies `f` to the text of every `` `code` `` span, written back between `quote`s.
fn map_code_spans(doc: &str, quote: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(doc.len() + 16);
    let mut rest = doc;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('`') {
            Some(end) => {
                out.push_str(quote);
                out.push_str(&f(&after[..end]));
                out.push_str(quote);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Docs for Python: reStructuredText literals (` ``x`` `), and camelCase names inside them in
/// snake_case, as Python callers write them (`Type::field` becomes `Type.field`).
pub fn py_doc(doc: &str) -> String {
    map_code_spans(&strip_links(doc), "``", |code| snake_identifiers(&rust_paths(code, str::to_owned)))
}

/// Every lowerCamelCase word of `code` in snake_case (`{redirectUris, scopes}` →
/// `{redirect_uris, scopes}`); other words stay as they are.
fn snake_identifiers(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 4);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let lower_camel = word.starts_with(|c: char| c.is_ascii_lowercase())
            && word.chars().any(|c| c.is_ascii_uppercase())
            && word.chars().all(|c| c.is_ascii_alphanumeric());
        out.push_str(&if lower_camel { snake(word) } else { std::mem::take(word) });
        word.clear();
    };
    for c in code.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The paragraphs of a doc, each as one line of text.
pub fn paragraphs(doc: &str) -> Vec<String> {
    doc.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Greedy word wrap: lines of at most `width` characters (a longer word stays whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Characters of a line (the limit every linter of the repo counts in).
pub fn width(line: &str) -> usize {
    line.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("getOAuthConfig"), "get_oauth_config");
        assert_eq!(snake("revokeAllAgentSessions"), "revoke_all_agent_sessions");
        assert_eq!(py_name("from"), "from_");
        assert_eq!(pascal("serviceAccounts"), "ServiceAccounts");
        assert_eq!(upper_snake("TraceEvent"), "TRACE_EVENT");
    }

    #[test]
    fn docs() {
        assert_eq!(py_doc("pass `nextCursor` as `cursor`"), "pass ``next_cursor`` as ``cursor``");
        assert_eq!(py_doc("`{type, redirectUris}` of [`Page`]"), "``{type, redirect_uris}`` of ``Page``");
        assert_eq!(js_doc("see [`Page`] and [`x`](y)"), "see `Page` and [`x`](y)");
        assert_eq!(js_doc("on `TraceStats::top_tools`"), "on `TraceStats.topTools`");
        assert_eq!(py_doc("on `TraceStats::top_tools`"), "on ``TraceStats.top_tools``");
        assert_eq!(py_doc("`crate::Secret`"), "``crate::Secret``");
        assert_eq!(
            (js_doc("`None` sends"), py_doc("`None` sends")),
            ("`undefined` sends".into(), "``None`` sends".into())
        );
        assert_eq!(wrap("a bb ccc dd", 6), ["a bb", "ccc dd"]);
    }
}
