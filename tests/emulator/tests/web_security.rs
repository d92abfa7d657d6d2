//! What a web page can do to a developer's emulator: DNS rebinding (`Host`), drive-by requests
//! to the control API (`Origin`), CORS, cross-site consent (CSRF), framing, and the issuer in
//! authorization responses. Also the server's own limits: a client that never finishes its
//! headers (slowloris).

mod common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{Env, consent_token, read, s, start};

const EVIL: &str = "https://evil.example";

/// Sends `request` as is on a new connection and reads the answer until the server closes.
async fn raw(env: &Env, request: &str) -> String {
    let mut stream = TcpStream::connect(env.base.trim_start_matches("http://")).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await.expect("answer").expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[tokio::test]
async fn requests_must_name_a_loopback_host() {
    let env = start().await;
    let port = env.base.rsplit(':').next().expect("port").to_owned();
    // DNS rebinding: the browser thinks it talks to evil.example, and says so in `Host`.
    for host in [format!("evil.example:{port}"), "evil.example".to_owned(), format!("localhost.:{port}")] {
        for path in ["/_emulator/requests", "/.well-known/oauth-authorization-server", "/api/v1/applications"] {
            let answer = raw(&env, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")).await;
            assert!(status_line(&answer).starts_with("HTTP/1.1 421"), "{host} {path}: {answer}");
            assert!(!answer.to_ascii_lowercase().contains("access-control-allow-origin"), "{answer}");
        }
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "127.0.0.1".to_owned()] {
        let answer =
            raw(&env, &format!("GET /_emulator/clock HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")).await;
        assert!(status_line(&answer).starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
    // Nothing reached the gateway's request log.
    let log = env.control(Method::GET, "/_emulator/requests", None).await;
    assert!(log["items"].as_array().expect("items").iter().all(|e| e["path"] != "/api/v1/applications"), "{log}");
}

#[tokio::test]
async fn the_control_api_refuses_pages_of_other_origins() {
    let env = start().await;
    env.create_app("survives a drive-by reset").await;
    // A simple request (no preflight) from any page: refused before the handler runs.
    for origin in [EVIL, "null", "http://127.0.0.1.evil.example:4010"] {
        let r = read(
            env.http
                .post(env.url("/_emulator/reset"))
                .header("origin", origin)
                .header("content-type", "text/plain")
                .body("{}")
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(r.error(403), "The control API answers tools and loopback pages only, not pages of another origin");
        assert!(r.header("access-control-allow-origin").is_none(), "{origin}");
    }
    let apps = env.get("/api/v1/applications").await;
    assert!(apps.text.contains("survives a drive-by reset"), "the state was not reset: {}", apps.text);

    // A test page on another loopback port (the WASM runner's) may drive it, with CORS.
    let page = "http://127.0.0.1:5173";
    let r = read(
        env.http.post(env.url("/_emulator/reset")).header("origin", page).json(&json!({})).send().await.expect("send"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("access-control-allow-origin"), Some(page));
    // Tools send no Origin and get no CORS headers.
    let r = read(env.http.get(env.url("/_emulator/clock")).send().await.expect("send")).await;
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn cors_is_never_a_wildcard_and_only_for_loopback_pages() {
    let env = start().await;
    let page = "http://localhost:8080";
    let scripted = [
        (Method::GET, "/.well-known/oauth-authorization-server"),
        (Method::GET, "/api/v1/applications"),
        (Method::POST, "/oauth2/token"),
        (Method::GET, "/_emulator/config"),
    ];
    for (method, path) in &scripted {
        let send = |origin: &'static str| {
            env.http.request(method.clone(), env.url(path)).bearer_auth(&env.token).header("origin", origin).send()
        };
        let trusted = read(send(page).await.expect("send")).await;
        assert_eq!(trusted.header("access-control-allow-origin"), Some(page), "{path}");
        assert!(trusted.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("origin")), "{path}");
        let other = read(send(EVIL).await.expect("send")).await;
        assert!(other.header("access-control-allow-origin").is_none(), "{path}: {:?}", other.headers);
    }
    // The consent page and its form: navigations only, never CORS, even for loopback pages.
    for path in ["/oauth2/auth", "/oauth2/authorize"] {
        let r = read(env.http.get(env.url(path)).header("origin", page).send().await.expect("send")).await;
        assert!(r.header("access-control-allow-origin").is_none(), "{path}");
    }

    // Preflights: answered for loopback pages, refused (without CORS headers) for others.
    let preflight = |origin: &'static str| {
        env.http
            .request(Method::OPTIONS, env.url("/_emulator/reset"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight(page).await.expect("send");
    assert_eq!(ok.status(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], page);
    let refused = preflight(EVIL).await.expect("send");
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    let consent = env
        .http
        .request(Method::OPTIONS, env.url("/oauth2/auth"))
        .header("origin", page)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("send");
    assert!(consent.headers().get("access-control-allow-origin").is_none());
}

async fn public_app(env: &Env) -> String {
    let r = env
        .post(
            "/api/v1/applications",
            json!({"name": "web app", "oauth": {"type": "public", "redirectUris": ["http://127.0.0.1:8976/callback"]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    s(&r.body["oauth"]["clientId"])
}

fn authorize_url(env: &Env, client_id: &str, state: &str) -> String {
    let mut u = url::Url::parse(&env.url("/oauth2/auth")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:8976/callback")
        .append_pair("state", state)
        .append_pair("code_challenge", "EUWNAyn8uCSZ6_OQE7K5P0zTD9Ujftjjv3WihY4ctYw")
        .append_pair("code_challenge_method", "S256");
    u.to_string()
}

/// The consent page's HTML and the fields its form would post (`approve`).
async fn consent(env: &Env, url: &str) -> (reqwest::header::HeaderMap, Vec<(String, String)>) {
    let page = env.http.get(url).send().await.expect("send");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let html = page.text().await.expect("html");
    let mut fields: Vec<(String, String)> = url::Url::parse(url).expect("url").query_pairs().into_owned().collect();
    fields.push(("consent_token".into(), consent_token(&html)));
    fields.push(("decision".into(), "approve".into()));
    (headers, fields)
}

async fn post_consent(env: &Env, fields: &[(String, String)], origin: Option<&str>) -> (u16, String) {
    let mut req = env.http.post(env.url("/oauth2/auth")).form(fields);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.expect("send");
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (r.status().as_u16(), location)
}

#[tokio::test]
async fn consent_needs_the_token_of_its_own_page_and_a_same_origin_post() {
    let env = start().await;
    let client_id = public_app(&env).await;
    let url = authorize_url(&env, &client_id, "state-one");
    let (headers, fields) = consent(&env, &url).await;
    // Clickjacking: the consent page cannot be framed.
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().expect("ascii").contains("frame-ancestors 'none'"));

    // A forged cross-site form knows the request but not the token.
    let forged: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != "consent_token").cloned().collect();
    assert_eq!(post_consent(&env, &forged, None).await.0, 400);
    let mut wrong = forged.clone();
    wrong.push(("consent_token".into(), "1.AAAA".into()));
    assert_eq!(post_consent(&env, &wrong, None).await.0, 400);
    // A token is bound to its request: another state (or client, scope, challenge) fails.
    let (_, other) = consent(&env, &authorize_url(&env, &client_id, "state-two")).await;
    let mut moved = forged.clone();
    moved.push(other.iter().find(|(k, _)| k == "consent_token").expect("token").clone());
    assert_eq!(post_consent(&env, &moved, None).await.0, 400);
    // The right token from a page of another origin (or a sandboxed one) is refused too.
    for origin in [EVIL, "null", "http://127.0.0.1:5173"] {
        assert_eq!(post_consent(&env, &fields, Some(origin)).await.0, 400, "{origin}");
    }

    // The consent page's own form: a code, with the state and the issuer (RFC 9207).
    let (status, location) = post_consent(&env, &fields, Some(&env.base)).await;
    assert_eq!(status, 302);
    let back = url::Url::parse(&location).expect("redirect");
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert!(q.get("code").is_some_and(|c| c.starts_with("ory_ac_")), "{location}");
    assert_eq!(q.get("state").map(String::as_str), Some("state-one"));
    assert_eq!(q.get("iss"), Some(&env.base));
}

#[tokio::test]
async fn every_authorization_response_names_the_issuer() {
    let env = start().await;
    let client_id = public_app(&env).await;
    let url = authorize_url(&env, &client_id, "st");
    for approve in [true, false] {
        let r = env.control(Method::POST, "/_emulator/authorize", Some(json!({"url": url, "approve": approve}))).await;
        let back = url::Url::parse(&s(&r["redirectUrl"])).expect("redirect");
        assert!(back.query_pairs().any(|(k, v)| k == "iss" && v == env.base), "{back}");
    }
    // An error sent back to the client (here: PKCE missing) names it too.
    let no_pkce = url.split("&code_challenge").next().expect("url").to_owned();
    let r = env.http.get(&no_pkce).send().await.expect("send");
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().expect("ascii").to_owned();
    let back = url::Url::parse(&location).expect("redirect");
    assert!(back.query_pairs().any(|(k, v)| k == "iss" && v == env.base), "{back}");
    assert!(back.query_pairs().any(|(k, v)| k == "error" && v == "invalid_request"), "{back}");
}

/// Slowloris: a client that opens a connection and never finishes its headers is cut off. The
/// clock is paused, so the wait takes no real time: tokio moves it on when nothing else runs.
#[tokio::test(start_paused = true)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let emu = kontext_management_emulator::Emulator::start_with(common::options()).await.expect("start");
    let addr = emu.base_url().trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(b"GET /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.expect("write");
    let mut buf = Vec::new();
    // Far above the server's header timeout: without one, the connection would stay open.
    let read = tokio::time::timeout(Duration::from_secs(600), slow.read_to_end(&mut buf)).await;
    let closed = read.expect("the server closed the connection within its header timeout");
    // Closed by the server, with nothing (or a 408) written.
    assert!(
        closed.is_err() || buf.is_empty() || buf.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );

    // A complete request on a new connection is still answered.
    let mut ok = TcpStream::connect(&addr).await.expect("connect");
    ok.write_all(b"GET /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    ok.read_to_end(&mut answer).await.expect("read");
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    emu.shutdown().await;
}
