//! Entry points for `cargo fuzz` (`tests/emulator/fuzz`), built only with `--cfg fuzzing` and for
//! the unit tests below, which replay the committed seeds (and any crash kept as a regression
//! input in `fuzz/corpus/`) on every `cargo test`.
//!
//! [`requests`] drives the emulator's whole router in-process (no socket) with a short sequence
//! of requests decoded from the fuzz input, against a fresh in-memory organization, and asserts
//! what every answer must satisfy: no panic, no 5xx unless a fault rule asked for it, no broken
//! body unless a fault rule asked for it, and errors in the API's own error shapes.
//!
//! The input is text shaped like HTTP/1.1 requests, so seeds are readable and the fuzzer's
//! mutations stay meaningful. Requests are separated by a line `---`; each is
//!
//! ```text
//! METHOD TARGET
//! Header-Name: value
//!
//! body
//! ```
//!
//! `${name}` anywhere in the target, a header value or the body is replaced by the last string
//! value seen under the JSON key `name` in an earlier response of the same input (`${id}`,
//! `${clientId}`, `${nextCursor}`, `${code}`, …), and `${N.name}` by the value in the answer to
//! request N (counting from 0); `${etag}` is the last `ETag` header.
//! [`TOKEN`] is a valid bearer token with `management:all`; [`READ_TOKEN`] has only
//! `management:applications:read`. Each run starts from the same small seeded organization (list
//! it to get ids: `${id}` is then the first item's). `/_emulator/seed` and `/_emulator/reset` are
//! skipped: their inputs go through the same field readers as every other body, and seeding up to
//! 100,000 records per call would only make each run slow.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri, header};
use serde_json::Value;
use tower_service::Service;

use crate::state::data::Data;
use crate::state::model::{Subject, Token, TokenKind};
use crate::state::{AppState, Config, Shared, lock};
use crate::{routes, seed, util};

/// A bearer token with `management:all`, valid in every fuzz run.
pub const TOKEN: &str = "fuzz-token";
/// A bearer token with only `management:applications:read`.
pub const READ_TOKEN: &str = "fuzz-read-token";

const MAX_REQUESTS: usize = 8;

/// The emulator for one fuzz run: the state reset to a fresh organization with a few records of
/// every kind (as `POST /_emulator/seed` makes them), the two tokens above, and the router on it.
/// Both are built once per thread: building the router costs more than most runs.
pub fn fresh() -> (AppState, Router) {
    // One per thread: unit tests run in parallel and each needs its own state.
    thread_local! {
        static EMULATOR: (AppState, Router, Data) = build();
    }
    EMULATOR.with(|(st, router, snapshot)| {
        // Seeding anew each run would cost more than most runs: reset, then put the snapshot back.
        st.reset(None).expect("reset");
        *lock(&st.data) = snapshot.clone();
        (st.clone(), router.clone())
    })
}

fn build() -> (AppState, Router, Data) {
    let defaults = Config {
        rate_limit_per_minute: 120,
        token_ttl_seconds: 3600,
        omit_expires_in: false,
        device_grant: true,
        device_interval_ms: 5_000,
        device_expires_in_seconds: 600,
    };
    let st = Shared::new(
        "http://127.0.0.1:4010".into(),
        "sa_local_dev".into(),
        "local-dev-secret".into(),
        defaults,
        None,
        None,
    )
    .expect("in-memory state");
    let now = st.now();
    st.write(|d| {
        let few = seed::Counts {
            applications: 3,
            integrations: 3,
            service_accounts: 1,
            sessions: 4,
            traces: 3,
            decisions: 4,
        };
        seed::seed(d, &mut util::Rng::new(1), now, few, None)?;
        let sa = d.sa_clients.get("sa_local_dev").copied().expect("bootstrap account");
        for (token, scope) in [(TOKEN, "management:all"), (READ_TOKEN, "management:applications:read")] {
            d.insert_token(
                util::sha256(token.as_bytes()),
                Token {
                    kind: TokenKind::Access,
                    client_id: "sa_local_dev".into(),
                    subject: Subject::ServiceAccount(sa),
                    scopes: vec![scope.into()],
                    issued_at: now,
                    expires_at: now + 10 * 365 * crate::clock::DAY,
                },
            );
        }
        Ok(())
    })
    .expect("seeded state");
    let snapshot = lock(&st.data).clone();
    let st = Arc::new(st);
    (st.clone(), routes::router(st), snapshot)
}

/// One decoded request: raw pieces, before `${…}` substitution.
struct Raw<'a> {
    method: &'a [u8],
    target: &'a [u8],
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: &'a [u8],
}

fn split_requests(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while out.len() < MAX_REQUESTS {
        match find(rest, b"\n---\n") {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + 5..];
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_raw(text: &[u8]) -> Option<Raw<'_>> {
    let (head, body) = match find(text, b"\n\n") {
        Some(i) => (&text[..i], &text[i + 2..]),
        None => (text, &b""[..]),
    };
    let mut lines = head.split(|b| *b == b'\n').map(trim_cr);
    let request_line = lines.next()?;
    let sp = request_line.iter().position(|b| *b == b' ')?;
    let (method, target) = (&request_line[..sp], &request_line[sp + 1..]);
    let headers = lines
        .filter_map(|l| {
            let colon = l.iter().position(|b| *b == b':')?;
            let value = &l[colon + 1..];
            Some((&l[..colon], value.strip_prefix(b" ").unwrap_or(value)))
        })
        .collect();
    Some(Raw { method, target, headers, body })
}

/// Replaces `${name}` with captured values; unknown names stay as they are.
fn substitute(input: &[u8], vars: &HashMap<String, String>) -> Vec<u8> {
    if vars.is_empty() || find(input, b"${").is_none() {
        return input.to_vec();
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i..].starts_with(b"${")
            && let Some(end) = input[i + 2..].iter().position(|b| *b == b'}')
            && let Ok(name) = std::str::from_utf8(&input[i + 2..i + 2 + end])
            && let Some(v) = vars.get(name)
        {
            out.extend_from_slice(v.as_bytes());
            i += end + 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// Remembers string values by key (first occurrence in a response wins), for `${key}`.
fn capture(v: &Value, into: &mut HashMap<String, String>, seen: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if let Value::String(s) = v
                    && s.len() <= 4096
                    && !seen.contains(k)
                {
                    seen.push(k.clone());
                    into.insert(k.clone(), s.clone());
                }
            }
            for v in map.values() {
                capture(v, into, seen);
            }
        }
        Value::Array(items) => items.iter().take(4).for_each(|v| capture(v, into, seen)),
        _ => {}
    }
}

/// `KONTEXT_FUZZ_TRACE=1` prints each request and its status (to see what a seed or a crash does).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("KONTEXT_FUZZ_TRACE").is_some_and(|v| v != "0"))
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json"))
}

/// Runs one fuzz input through a fresh emulator; panics when an answer breaks a rule. Returns the
/// status of every request sent (for tests). Call it inside a tokio runtime, preferably with
/// paused time (fault rules may delay answers by up to ten minutes).
pub async fn requests(data: &[u8]) -> Vec<u16> {
    let mut statuses = Vec::new();
    let (_st, mut router) = fresh();
    let mut vars: HashMap<String, String> = HashMap::new();
    // A successful `POST /_emulator/faults` allows 5xx answers and broken bodies afterwards.
    let mut faulted = false;
    for (index, text) in split_requests(data).into_iter().enumerate() {
        let Some(raw) = parse_raw(text) else { continue };
        // What hyper would refuse before the router sees it is skipped here.
        let Ok(method) = Method::from_bytes(raw.method) else { continue };
        let Ok(uri) = Uri::try_from(substitute(raw.target, &vars)) else { continue };
        if matches!(uri.path(), "/_emulator/seed" | "/_emulator/reset") {
            continue;
        }
        let mut builder = Request::builder().method(method.clone()).uri(uri.clone());
        for (name, value) in &raw.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(&substitute(value, &vars))) {
                builder = builder.header(n, v);
            }
        }
        let Ok(req) = builder.body(Body::from(substitute(raw.body, &vars))) else { continue };
        let what = format!("{method} {uri}");
        let resp = match router.call(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        };
        let (parts, body) = resp.into_parts();
        let status = parts.status;
        statuses.push(status.as_u16());
        assert!(parts.headers.contains_key("x-request-id"), "{what}: {status} without x-request-id");
        if !faulted {
            assert!((200..500).contains(&status.as_u16()), "{what}: status {status} without a fault rule");
        }
        let bytes = match to_bytes(body, 64 << 20).await {
            Ok(b) => b,
            Err(_) if faulted => continue,
            Err(e) => panic!("{what}: {status}, the body failed without a fault rule: {e}"),
        };
        if trace() {
            let text = String::from_utf8_lossy(&bytes);
            eprintln!("{what} -> {status} {}", text.chars().take(300).collect::<String>());
        }
        let json = if is_json(&parts.headers) && !bytes.is_empty() {
            serde_json::from_slice::<Value>(&bytes).ok()
        } else {
            None
        };
        if !faulted && method != Method::HEAD {
            if is_json(&parts.headers) && !bytes.is_empty() {
                assert!(json.is_some(), "{what}: {status} with a JSON content type and a body that is not JSON");
            }
            if status.is_client_error() {
                check_error_body(&what, uri.path(), status, &parts.headers, json.as_ref());
            }
        }
        if let Some(v) = &json {
            let mut found = HashMap::new();
            capture(v, &mut found, &mut Vec::new());
            for (k, v) in found {
                vars.insert(format!("{index}.{k}"), v.clone());
                vars.insert(k, v);
            }
        }
        if let Some(etag) = parts.headers.get(header::ETAG).and_then(|v| v.to_str().ok()) {
            vars.insert("etag".into(), etag.to_owned());
        }
        if method == Method::POST && uri.path() == "/_emulator/faults" && status.is_success() {
            faulted = true;
        }
    }
    statuses
}

/// 4xx answers use the API's error bodies: `{message, statusCode}`, RFC 6749 `{error,
/// error_description}` on the token endpoint, an HTML page on the authorization endpoint.
fn check_error_body(what: &str, path: &str, status: StatusCode, headers: &axum::http::HeaderMap, json: Option<&Value>) {
    if path.starts_with("/oauth2/auth") && status == StatusCode::BAD_REQUEST && json.is_none() {
        let html =
            headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/html"));
        assert!(html, "{what}: {status} from the authorization endpoint is neither JSON nor an HTML page");
        return;
    }
    let Some(body) = json else {
        panic!("{what}: {status} without a JSON error body");
    };
    // The router's own fallbacks (404, 405) answer every path in the API's shape.
    if path == "/oauth2/token" && body.get("message").is_none() {
        assert!(
            body["error"].is_string() && body["error_description"].is_string(),
            "{what}: {status} with an OAuth error body missing error/error_description: {body}"
        );
        return;
    }
    assert!(body["message"].is_string(), "{what}: {status} error body without a message: {body}");
    assert_eq!(
        body["statusCode"],
        Value::from(status.as_u16()),
        "{what}: {status} error body with another statusCode: {body}"
    );
}

/// The emulator's parsers of untrusted text, without a router (much faster than [`requests`],
/// so it goes deeper into each one). The first byte picks the parser, the rest is its input.
pub fn parsers(data: &[u8]) {
    use crate::{auth, authorize, cedar, clock, extract, oauth, pagination};
    let Some((which, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    match which % 10 {
        // Cedar sanity check (PUT /policy, POST /policy/validations).
        0 => {
            let (statements, diagnostics) = cedar::check(&text);
            for d in &diagnostics {
                assert!(d.line >= 1 && d.column >= 1, "diagnostic outside the text: {d:?}");
            }
            let _ = statements;
        }
        // Query strings and the typed readers, with a pagination cursor.
        1 => {
            let q = extract::Query::parse(&text);
            let _ = q.bool("archived");
            let _ = q.int("limit", 1, 200);
            let _ = q.filter("search");
            for kind in ["applications", "traces"] {
                if let Ok(page) = pagination::Page::parse(&q, kind) {
                    assert!((1..=200).contains(&page.limit), "limit {} out of range", page.limit);
                }
            }
        }
        // Timestamps: what parses must print and parse back to the same instant.
        2 => {
            if let Some(ms) = clock::parse(a) {
                let printed = clock::fmt(ms);
                if printed.as_bytes().first().is_some_and(u8::is_ascii_digit) && printed.len() == 24 {
                    assert_eq!(clock::parse(&printed), Some(ms), "{a:?} -> {ms} -> {printed:?}");
                }
            }
        }
        // Fault-rule path globs.
        3 => {
            let _ = crate::util::glob_match(a, b);
        }
        // `Authorization` on the token endpoint (Basic, form fields) and on the API (Bearer).
        4 => {
            let mut headers = axum::http::HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(a) {
                headers.insert(header::AUTHORIZATION, v);
            }
            let _ = oauth::client_auth(&headers, &extract::Query::parse(b));
            let _ = auth::bearer_token(&headers);
        }
        // Scopes: requested (token endpoint), required (per path), held.
        5 => {
            if let Ok(scopes) = oauth::parse_scopes(Some(a)) {
                assert!(!scopes.is_empty() && scopes.iter().all(|s| auth::is_known_scope(s)), "{scopes:?}");
            }
            for method in [Method::GET, Method::POST, Method::PATCH] {
                if let Some(required) = auth::required_scope(&method, b) {
                    assert!(auth::is_known_scope(&required), "{method} {b:?} requires unknown {required}");
                    assert!(auth::has_scope(&["management:all".into()], &required));
                }
            }
        }
        // Redirect URIs: registration checks and matching (loopback with any port).
        6 => {
            let _ = extract::check_absolute_url("redirectUris", a);
            let _ = extract::check_http_url("url", a);
            let registered: Vec<String> = b.lines().map(str::to_owned).collect();
            let _ = authorize::redirect_registered(&registered, a);
            if registered.iter().any(|r| r == a) && url::Url::parse(a).is_ok() {
                assert!(authorize::redirect_registered(&registered, a), "{a:?} is registered verbatim");
            }
        }
        // Ids in paths and bodies.
        7 => {
            if let Some(id) = extract::parse_uuid(a) {
                assert_eq!(extract::parse_uuid(&id.to_string()), Some(id));
            }
        }
        // Cursors straight from base64url.
        8 => {
            let cursor = crate::util::b64url(rest);
            let q = extract::Query(vec![("cursor".into(), cursor)]);
            let _ = pagination::Page::parse(&q, "applications");
            let _ = crate::util::b64url_decode(&text);
        }
        // JSON object bodies and the field readers every handler uses.
        _ => {
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(rest) {
                let f = extract::Fields::new(&map);
                let _ = f.req_str("name", 200);
                let _ = f.opt_nonblank("description", 2000);
                let _ = f.opt_u64("maxTokenAgeSeconds", 86_400 * 365);
                let _ = f.opt_str_list("redirectUris");
                let _ = f.opt_enum("rolloutMode", &["observe", "enforce", "disabled"]);
                let _ = f.opt_bool("enabled");
                if let Ok(Some(inner)) = f.opt_obj("oauth") {
                    let _ = extract::Fields::nested(inner, "oauth").opt_str_list("scopes");
                }
                let faults = crate::faults::Faults::default();
                if faults.add(&map).is_ok() {
                    let rule = faults.take("GET", "/api/v1/applications");
                    if let Some(rule) = rule {
                        let _ = crate::faults::response(&rule);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("corpus entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no seeds in {}", dir.display());
        files
            .into_iter()
            .map(|p| {
                (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), std::fs::read(&p).expect("seed"))
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn request_seeds_pass() {
        for (name, data) in corpus("emulator_requests") {
            eprintln!("emulator_requests/{name}");
            super::requests(&data).await;
        }
    }

    #[test]
    fn parser_seeds_pass() {
        for (name, data) in corpus("emulator_parsers") {
            eprintln!("emulator_parsers/{name}");
            super::parsers(&data);
        }
    }

    /// Captured values reach later requests: the created application is read back by its id, a
    /// fault rule answers, and an unknown id is a 404 (whose error shape `requests` checks).
    #[tokio::test(start_paused = true)]
    async fn captures_and_faults_work() {
        let statuses = super::requests(
            b"POST /api/v1/applications\nauthorization: Bearer fuzz-token\ncontent-type: application/json\n\n\
              {\"name\":\"x\"}\n---\nGET /api/v1/applications/${id}\nauthorization: Bearer fuzz-token\n---\n\
              GET /api/v1/applications/${0.clientId}\nauthorization: Bearer fuzz-token\n---\n\
              GET /api/v1/applications/00000000-0000-4000-8000-000000000000\nauthorization: Bearer fuzz-token\n---\n\
              POST /_emulator/faults\ncontent-type: application/json\n\n{\"status\":503,\"delayMs\":600000}\n---\n\
              GET /api/v1/traces\nauthorization: Bearer fuzz-token",
        )
        .await;
        assert_eq!(statuses, [201, 200, 400, 404, 200, 503]);
    }
}
