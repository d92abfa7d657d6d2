//! The control API and the cross-cutting behaviour: faults, request log, clock, revocation,
//! rate limit, idempotency, request ids and malformed input.

mod common;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::{Env, options, read, s, start, start_with};

async fn fault(env: &Env, rule: serde_json::Value) -> String {
    s(&env.control(Method::POST, "/_emulator/faults", Some(rule)).await["id"])
}

#[tokio::test]
async fn respond_fault_with_times_and_skip() {
    let env = start().await;
    let id = fault(
        &env,
        json!({"method": "GET", "path": "/api/v1/applications*", "times": 2, "skip": 1, "status": 503,
               "headers": {"retry-after": "1"}, "body": {"message": "busy", "statusCode": 503}}),
    )
    .await;
    assert_eq!(env.get("/api/v1/applications").await.status, 200, "skipped");
    let r = env.get("/api/v1/applications").await;
    assert_eq!(r.error(503), "busy");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(env.get("/api/v1/applications?limit=5").await.status, 503);
    assert_eq!(env.get("/api/v1/applications").await.status, 200, "rule used up");
    assert_eq!(env.post("/api/v1/applications", json!({"name": "x"})).await.status, 201, "method filter");

    let log = env.control(Method::GET, "/_emulator/requests", None).await;
    let faulted: Vec<_> = log["items"].as_array().into_iter().flatten().filter(|e| e["fault"] == json!(id)).collect();
    assert_eq!(faulted.len(), 2);
    assert_eq!(faulted[0]["status"], 503);

    // A faulted write never reaches the API.
    fault(&env, json!({"method": "POST", "path": "/api/v1/applications", "status": 500})).await;
    assert_eq!(env.post("/api/v1/applications", json!({"name": "ghost"})).await.status, 500);
    let list = env.get("/api/v1/applications").await;
    assert!(!list.text.contains("ghost"));
    // Token endpoint faults, string bodies.
    fault(&env, json!({"path": "/oauth2/token", "status": 502, "body": "bad gateway"})).await;
    let r = env.token_response("sa_local_dev", "local-dev-secret", None).await;
    assert_eq!((r.status, r.text.as_str()), (502, "bad gateway"));
    assert!(r.header("x-request-id").is_some());
    assert_eq!(env.control(Method::DELETE, "/_emulator/faults", None).await, serde_json::Value::Null);
}

#[tokio::test]
async fn delay_drop_truncate_malformed() {
    let env = start().await;
    fault(&env, json!({"path": "/api/v1/applications", "action": "delay", "delayMs": 300})).await;
    let t0 = Instant::now();
    assert_eq!(env.get("/api/v1/applications").await.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));

    fault(&env, json!({"path": "/api/v1/applications", "action": "drop"})).await;
    let err = env.http.get(env.url("/api/v1/applications")).bearer_auth(&env.token).send().await;
    assert!(err.is_err(), "a dropped connection is an error, not a response: {err:?}");
    // Raw socket: the server breaks off after the start of a status line, never a full response.
    fault(&env, json!({"path": "/api/v1/applications", "action": "drop"})).await;
    let addr = env.base.trim_start_matches("http://").to_owned();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    sock.write_all(b"GET /api/v1/applications HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").await.expect("write");
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf)).await;
    assert!(matches!(n, Ok(Ok(_)) | Ok(Err(_))), "expected the connection to end, got {n:?}");
    assert_eq!(buf, b"HTTP/1.1 5", "only the start of a status line");

    fault(&env, json!({"path": "/api/v1/applications", "action": "truncate"})).await;
    let resp =
        env.http.get(env.url("/api/v1/applications")).bearer_auth(&env.token).send().await.expect("headers arrive");
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err(), "the body is cut short");

    fault(&env, json!({"path": "/api/v1/applications", "action": "malformed"})).await;
    let r = env.get("/api/v1/applications").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert_eq!(env.get("/api/v1/applications").await.status, 200, "the server is fine afterwards");

    let bad =
        read(env.http.post(env.url("/_emulator/faults")).json(&json!({"path": "/x"})).send().await.expect("send"))
            .await;
    bad.error(400);
}

#[tokio::test]
async fn request_log_redacts_credentials() {
    let env = start().await;
    env.control(Method::DELETE, "/_emulator/requests", None).await;
    env.token_response("sa_local_dev", "local-dev-secret", None).await;
    env.get("/api/v1/applications?limit=3").await;
    env.http.get(env.url("/api/v1/applications")).send().await.expect("send");
    let log = env.control(Method::GET, "/_emulator/requests", None).await;
    let items = log["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "control calls are not logged: {log}");
    assert_eq!(items[0]["path"], "/oauth2/token");
    assert_eq!(items[0]["method"], "POST");
    assert_eq!(items[0]["headers"]["authorization"], "Basic [redacted]");
    assert_eq!(items[1]["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(items[1]["query"], "limit=3");
    assert_eq!(items[1]["status"], 200);
    assert_eq!(items[2]["status"], 401);
    assert!(items[0]["at"].is_string());
    assert_eq!(items[0]["fault"], json!(null));
    assert!(!log.to_string().contains("local-dev-secret") && !log.to_string().contains(&env.token));
}

#[tokio::test]
async fn clock_expires_tokens_and_revoke_kills_them() {
    let env = start().await;
    env.control(Method::POST, "/_emulator/config", Some(json!({"tokenTtlSeconds": 61}))).await;
    let t = env.mint(None).await;
    assert_eq!(env.send_as(&t, Method::GET, "/api/v1/applications", None).await.status, 200);
    let now = env.control(Method::POST, "/_emulator/clock", Some(json!({"advanceSeconds": 62}))).await;
    assert!(now["now"].is_string());
    assert_eq!(env.send_as(&t, Method::GET, "/api/v1/applications", None).await.error(401), "Missing or invalid token");

    let t = env.mint(None).await;
    let r = env.control(Method::POST, "/_emulator/tokens/revoke", Some(json!({}))).await;
    assert!(r["revoked"].as_u64() >= Some(1));
    env.send_as(&t, Method::GET, "/api/v1/applications", None).await.error(401);
    env.send_as("garbage", Method::GET, "/api/v1/applications", None).await.error(401);
    let r = read(env.http.get(env.url("/api/v1/applications")).send().await.expect("send")).await;
    r.error(401);
}

#[tokio::test]
async fn reset_restores_a_fresh_organization() {
    let env = start().await;
    env.create_app("Keep me?").await;
    env.control(Method::POST, "/_emulator/config", Some(json!({"rateLimitPerMinute": 5}))).await;
    fault(&env, json!({"path": "/nothing", "status": 500})).await;
    assert_eq!(env.control(Method::POST, "/_emulator/reset", Some(json!({}))).await, json!({"ok": true}));
    let cfg = env.control(Method::GET, "/_emulator/config", None).await;
    assert_eq!(cfg["rateLimitPerMinute"], 0, "CLI/library defaults come back");
    env.get("/api/v1/applications").await.error(401);
    let t = env.mint(None).await;
    let r = env.send_as(&t, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(r.body, json!({"items": []}));
    env.control(Method::POST, "/_emulator/reset", Some(json!({"seed": 1}))).await;
    let t = env.mint(None).await;
    let r = env.send_as(&t, Method::GET, "/api/v1/applications", None).await;
    assert!(!r.body["items"].as_array().is_none_or(Vec::is_empty));
}

#[tokio::test]
async fn seed_is_deterministic() {
    let env = start().await;
    let a = env.seed(json!({"applications": 3, "integrations": 2, "traces": 5, "sessions": 4, "decisions": 3})).await;
    env.control(Method::POST, "/_emulator/reset", Some(json!({}))).await;
    let b = env.seed(json!({"applications": 3, "integrations": 2, "traces": 5, "sessions": 4, "decisions": 3})).await;
    assert_eq!(a["applicationIds"], b["applicationIds"]);
    assert_eq!(a["traceIds"], b["traceIds"]);
    let r =
        read(env.http.post(env.url("/_emulator/seed")).json(&json!({"applications": -1})).send().await.expect("send"))
            .await;
    r.error(400);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = start_with(kontext_management_emulator::Options { rate_limit_per_minute: 3, ..options() }).await;
    for _ in 0..3 {
        assert_eq!(env.get("/api/v1/applications").await.status, 200);
    }
    let r = env.get("/api/v1/applications").await;
    r.error(429);
    let retry: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=60).contains(&retry), "{retry}");
    // The token endpoint and the control API are not counted.
    env.mint(None).await;
    env.control(Method::GET, "/_emulator/requests", None).await;
    env.control(Method::POST, "/_emulator/clock", Some(json!({"advanceSeconds": 60}))).await;
    let t = env.mint(None).await;
    assert_eq!(env.send_as(&t, Method::GET, "/api/v1/applications", None).await.status, 200);
}

#[tokio::test]
async fn idempotency_key_replays() {
    let env = start().await;
    let send = || {
        env.http
            .post(env.url("/api/v1/applications"))
            .bearer_auth(&env.token)
            .header("idempotency-key", "k1")
            .json(&json!({"name": "Once"}))
            .send()
    };
    let (a, b, c) = tokio::join!(send(), send(), send());
    let (a, b, c) = (read(a.expect("a")).await, read(b.expect("b")).await, read(c.expect("c")).await);
    assert_eq!((a.status, b.status, c.status), (201, 201, 201));
    assert_eq!(a.body["application"]["id"], b.body["application"]["id"]);
    assert_eq!(a.body["application"]["id"], c.body["application"]["id"]);
    let list = env.get("/api/v1/applications").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn malformed_input_gets_standard_errors() {
    let env = start().await;
    let post = |body: Vec<u8>, ct: &'static str| {
        env.http
            .post(env.url("/api/v1/applications"))
            .bearer_auth(&env.token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    read(post(b"{\"name\": ".to_vec(), "application/json").await.expect("send")).await.error(400);
    read(post(b"[1,2]".to_vec(), "application/json").await.expect("send")).await.error(400);
    read(post(b"name=x".to_vec(), "application/x-www-form-urlencoded").await.expect("send")).await.error(415);
    read(post(b"{\"name\": \"\xff\xfe\"}".to_vec(), "application/json").await.expect("send")).await.error(400);
    let mut big = b"{\"name\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 2 << 20));
    big.extend(b"\"}");
    read(post(big, "application/json").await.expect("send")).await.error(413);
    let r = read(env.http.get(env.url("/no/such/route")).send().await.expect("send")).await;
    r.error(404);
    let r = env.send_as(&env.token, Method::PATCH, "/api/v1/applications", Some(json!({}))).await;
    r.error(405);
    let r = env.get("/api/v1/applications/%FF%FE").await;
    r.error(400);
    let r = env.get("/api/v1/traces?offset=99999999999999999999").await;
    r.error(400);
    let r =
        read(env.http.get(env.url("/api/v1/nothing-here")).bearer_auth(&env.token).send().await.expect("send")).await;
    r.error(404);
    // Still healthy.
    assert_eq!(env.get("/api/v1/applications").await.status, 200);
}

#[tokio::test]
async fn cors_preflight() {
    let env = start().await;
    let r = env
        .http
        .request(Method::OPTIONS, env.url("/api/v1/applications"))
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 204);
    // The page's origin, never `*` (see tests/web_security.rs).
    assert_eq!(
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("http://localhost:8080")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_start_fast_and_are_independent() {
    let t0 = Instant::now();
    let handles: Vec<_> = (0..16).map(|_| tokio::spawn(start())).collect();
    let mut envs = Vec::new();
    for h in handles {
        envs.push(h.await.expect("join"));
    }
    assert!(t0.elapsed() < Duration::from_secs(3), "16 instances took {:?}", t0.elapsed());
    envs[0].create_app("Only here").await;
    assert_eq!(envs[0].get("/api/v1/applications").await.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(envs[1].get("/api/v1/applications").await.body["items"].as_array().map(Vec::len), Some(0));
    // A token of one instance means nothing to another.
    envs[1].send_as(&envs[0].token, Method::GET, "/api/v1/applications", None).await.error(401);
    let base = envs[2].base.clone();
    drop(envs);
    assert!(reqwest::get(format!("{base}/.well-known/jwks.json")).await.is_err(), "dropping stops the server");
}
