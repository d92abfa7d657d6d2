//! The authorization server: discovery, client credentials, authorization code with PKCE,
//! refresh rotation, and the consent page.

mod common;

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use common::{Env, Resp, read, s, start};

async fn form(env: &Env, fields: &[(&str, &str)], basic: Option<(&str, &str)>) -> Resp {
    let mut req = env.http.post(env.url("/oauth2/token")).form(fields);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    read(req.send().await.expect("send")).await
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn discovery_document() {
    let env = start().await;
    let r = read(env.http.get(env.url("/.well-known/oauth-authorization-server")).send().await.expect("send")).await;
    assert_eq!(r.body["issuer"], json!(env.base));
    assert_eq!(r.body["authorization_endpoint"], json!(env.url("/oauth2/auth")));
    assert_eq!(r.body["token_endpoint"], json!(env.url("/oauth2/token")));
    assert!(r.body["jwks_uri"].is_string());
    assert_eq!(r.body["code_challenge_methods_supported"], json!(["S256"]));
    assert!(r.header("x-request-id").is_some());
}

#[tokio::test]
async fn client_credentials_basic_and_form() {
    let env = start().await;
    let basic = form(&env, &[("grant_type", "client_credentials")], Some(("sa_local_dev", "local-dev-secret"))).await;
    assert_eq!(basic.status, 200, "{}", basic.text);
    assert!(s(&basic.body["access_token"]).starts_with("ory_at_"));
    assert_eq!(basic.body["token_type"], "Bearer");
    assert_eq!(basic.body["expires_in"], 3600);
    // No `scope` asked for: a token without scopes, which every API call refuses (V18).
    assert_eq!(basic.body["scope"], "");
    assert!(basic.header("x-request-id").is_some_and(|r| r.starts_with("req_")));
    let useless = s(&basic.body["access_token"]).to_owned();
    let r = read(env.http.get(env.url("/api/v1/integrations")).bearer_auth(&useless).send().await.expect("send")).await;
    assert_eq!(r.status, 401, "{}", r.text);

    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", "sa_local_dev"),
        ("client_secret", "local-dev-secret"),
        ("scope", "management:applications:read management:logs:read"),
        ("audience", "http://anything/api/v1"),
    ];
    let post = form(&env, &fields, None).await;
    assert_eq!(post.status, 200, "{}", post.text);
    assert_eq!(post.body["scope"], "management:applications:read management:logs:read");

    let bad = form(&env, &[("grant_type", "client_credentials")], Some(("sa_local_dev", "wrong"))).await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.body, json!({"error": "invalid_client", "error_description": "Client authentication failed"}));
    let scope = form(
        &env,
        &[("grant_type", "client_credentials"), ("scope", "admin")],
        Some(("sa_local_dev", "local-dev-secret")),
    )
    .await;
    assert_eq!((scope.status, scope.body["error"].as_str()), (400, Some("invalid_scope")));
    let grant = form(&env, &[("grant_type", "password")], Some(("sa_local_dev", "local-dev-secret"))).await;
    assert_eq!(grant.body["error"], "unsupported_grant_type");
    let none = form(&env, &[("scope", "x")], None).await;
    assert_eq!(none.status, 400);
    let json_body = read(
        env.http
            .post(env.url("/oauth2/token"))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((json_body.status, json_body.body["error"].as_str()), (400, Some("invalid_request")));

    env.control(Method::POST, "/_emulator/config", Some(json!({"omitExpiresIn": true, "tokenTtlSeconds": 61}))).await;
    let no_exp = form(&env, &[("grant_type", "client_credentials")], Some(("sa_local_dev", "local-dev-secret"))).await;
    assert!(no_exp.body.get("expires_in").is_none());
}

async fn setup_app(env: &Env, kind: &str) -> (String, Option<String>) {
    let r = env
        .post(
            "/api/v1/applications",
            json!({"name": format!("{kind} app"), "oauth": {"type": kind, "redirectUris": ["http://127.0.0.1:8976/callback"], "scopes": ["mcp:invoke"]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (s(&r.body["oauth"]["clientId"]), r.body["oauth"]["clientSecret"].as_str().map(str::to_owned))
}

fn authorize_url(env: &Env, client_id: &str, challenge: &str, scope: &str) -> String {
    let mut u = url::Url::parse(&env.url("/oauth2/auth")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:8976/callback")
        .append_pair("scope", scope)
        .append_pair("state", "xyz")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    u.to_string()
}

async fn authorize(env: &Env, url: &str, approve: bool) -> Value {
    env.control(Method::POST, "/_emulator/authorize", Some(json!({"url": url, "approve": approve}))).await
}

#[tokio::test]
async fn authorization_code_with_pkce_and_refresh() {
    let env = start().await;
    let (client_id, _) = setup_app(&env, "public").await;
    let verifier = "a-very-long-code-verifier-with-enough-entropy-0123456789";
    let url = authorize_url(&env, &client_id, &challenge(verifier), "openid offline_access mcp:invoke");
    let a = authorize(&env, &url, true).await;
    assert_eq!(a["state"], "xyz");
    let code = s(&a["code"]);
    assert!(s(&a["redirectUrl"]).starts_with("http://127.0.0.1:8976/callback?code="));

    let exchange = |code: String, verifier: &'static str| {
        let env = &env;
        let client_id = client_id.clone();
        async move {
            let fields = [
                ("grant_type", "authorization_code"),
                ("client_id", client_id.as_str()),
                ("code", code.as_str()),
                ("redirect_uri", "http://127.0.0.1:8976/callback"),
                ("code_verifier", verifier),
            ];
            form(env, &fields, None).await
        }
    };
    let bad = exchange(code.clone(), "the-wrong-verifier-the-wrong-verifier-the-wrong-verifier").await;
    assert_eq!((bad.status, bad.body["error"].as_str()), (400, Some("invalid_grant")));
    let good = exchange(code.clone(), verifier).await;
    assert_eq!(good.status, 200, "{}", good.text);
    assert!(good.body["expires_in"].is_number());
    let rt = s(&good.body["refresh_token"]);
    let at = s(&good.body["access_token"]);
    assert!(s(&good.body["scope"]).contains("management:all"), "a user token works on the management API");
    let me = env.send_as(&at, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(me.status, 200);
    let again = exchange(code, verifier).await;
    assert_eq!(again.body["error"], "invalid_grant", "codes are single use");

    let refreshed =
        form(&env, &[("grant_type", "refresh_token"), ("refresh_token", &rt), ("client_id", &client_id)], None).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_ne!(s(&refreshed.body["refresh_token"]), rt);
    let reused =
        form(&env, &[("grant_type", "refresh_token"), ("refresh_token", &rt), ("client_id", &client_id)], None).await;
    assert_eq!(reused.body["error"], "invalid_grant", "refresh tokens rotate");
}

#[tokio::test]
async fn codes_expire_after_a_minute_and_confidential_clients_authenticate() {
    let env = start().await;
    let (client_id, secret) = setup_app(&env, "confidential").await;
    let secret = secret.expect("secret");
    let verifier = "another-long-code-verifier-with-enough-entropy-0123456789";
    let fields = |code: &str| {
        vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.to_string()),
            ("redirect_uri", "http://127.0.0.1:8976/callback".to_string()),
            ("code_verifier", verifier.to_string()),
        ]
    };
    let code =
        s(&authorize(&env, &authorize_url(&env, &client_id, &challenge(verifier), "mcp:invoke"), true).await["code"]);
    let f = fields(&code);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let anon = form(&env, &[&f[..], &[("client_id", client_id.as_str())]].concat(), None).await;
    assert_eq!(anon.status, 401, "confidential clients must authenticate");
    let ok = form(&env, &f, Some((&client_id, &secret))).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    let code =
        s(&authorize(&env, &authorize_url(&env, &client_id, &challenge(verifier), "mcp:invoke"), true).await["code"]);
    env.control(Method::POST, "/_emulator/clock", Some(json!({"advanceSeconds": 61}))).await;
    let f = fields(&code);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let late = form(&env, &f, Some((&client_id, &secret))).await;
    assert_eq!(late.body["error"], "invalid_grant");
}

#[tokio::test]
async fn authorize_page_and_errors() {
    let env = start().await;
    let (client_id, _) = setup_app(&env, "public").await;
    let url = authorize_url(&env, &client_id, &challenge("v".repeat(50).as_str()), "mcp:invoke");
    let page = env.http.get(&url).send().await.expect("send");
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("x-request-id").is_some());
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("admin@local.test") && html.contains("approve") && html.contains("deny"));

    // The form posts back (with the page's anti-CSRF token); deny redirects with access_denied
    // and the state.
    let mut q: Vec<(String, String)> = url::Url::parse(&url).expect("url").query_pairs().into_owned().collect();
    q.push(("consent_token".into(), common::consent_token(&html)));
    let mut fields = q.clone();
    fields.push(("decision".into(), "deny".into()));
    let r = env.http.post(env.url("/oauth2/authorize")).form(&fields).send().await.expect("send");
    assert_eq!(r.status(), 302);
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(loc.contains("error=access_denied") && loc.contains("state=xyz"), "{loc}");
    let mut fields = q;
    fields.push(("decision".into(), "approve".into()));
    let r = env.http.post(env.url("/oauth2/auth")).form(&fields).send().await.expect("send");
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(loc.starts_with("http://127.0.0.1:8976/callback?code="), "{loc}");

    // Unregistered redirect URIs are never redirected to.
    let evil = url.replace("127.0.0.1%3A8976%2Fcallback", "evil.test%2Fcb");
    let r = env.http.get(&evil).send().await.expect("send");
    assert_eq!(r.status(), 400);
    let r =
        read(env.http.post(env.url("/_emulator/authorize")).json(&json!({"url": evil})).send().await.expect("send"))
            .await;
    r.error(400);
    // Loopback redirect URIs may use any port (RFC 8252).
    let other_port = url.replace("8976", "9999");
    assert!(s(&authorize(&env, &other_port, true).await["redirectUrl"]).starts_with("http://127.0.0.1:9999/callback"));
    // Missing PKCE when required is reported to the client.
    let no_pkce = url.split("&code_challenge").next().unwrap_or("").to_owned();
    let r = authorize(&env, &no_pkce, true).await;
    assert_eq!(r["error"], "invalid_request");
    let denied = authorize(&env, &url, false).await;
    assert_eq!(denied["error"], "access_denied");
    assert!(denied.get("code").is_none());
}

async fn device_form(env: &Env, fields: &[(&str, &str)]) -> Resp {
    read(env.http.post(env.url("/oauth2/device/auth")).form(fields).send().await.expect("send")).await
}

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn poll_device(env: &Env, device_code: &str, client_id: &str) -> Resp {
    form(env, &[("grant_type", DEVICE_GRANT), ("device_code", device_code), ("client_id", client_id)], None).await
}

#[tokio::test]
async fn device_grant_polling_on_the_emulator_clock() {
    let env = start().await;
    let (client_id, _) = setup_app(&env, "public").await;
    let r = read(env.http.get(env.url("/.well-known/oauth-authorization-server")).send().await.expect("send")).await;
    assert_eq!(r.body["device_authorization_endpoint"], json!(env.url("/oauth2/device/auth")));

    let started = device_form(&env, &[("client_id", &client_id), ("scope", "management:logs:read")]).await;
    assert_eq!(started.status, 200, "{}", started.text);
    assert_eq!((started.body["interval"].clone(), started.body["expires_in"].clone()), (json!(5), json!(600)));
    let (device_code, user_code) =
        (s(&started.body["device_code"]).to_owned(), s(&started.body["user_code"]).to_owned());
    let poll = || poll_device(&env, &device_code, &client_id);
    let advance = |secs: u64| env.control(Method::POST, "/_emulator/clock", Some(json!({"advanceSeconds": secs})));

    // Before the interval is up: slow down, and from now on 10 s between polls.
    assert_eq!(poll().await.body["error"], "slow_down");
    advance(6).await;
    // 6 s is enough for the first interval but not for the grown one: slow down again (15 s now).
    assert_eq!(poll().await.body["error"], "slow_down", "the interval grew to 10 s");
    advance(15).await;
    let pending = poll().await;
    assert_eq!((pending.status, pending.body["error"].as_str()), (400, Some("authorization_pending")));
    let decided =
        env.control(Method::POST, "/_emulator/device", Some(json!({"userCode": user_code.to_lowercase()}))).await;
    assert_eq!(decided["scopes"], json!(["management:logs:read"]));
    advance(15).await;
    let tokens = poll().await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert_eq!(tokens.body["scope"], "management:logs:read");
    assert!(s(&tokens.body["refresh_token"]).starts_with("ory_rt_"));
    let api = env.send_as(&s(&tokens.body["access_token"]), Method::GET, "/api/v1/traces", None).await;
    assert_eq!(api.status, 200, "{}", api.text);
    advance(15).await;
    assert_eq!(poll().await.body["error"], "invalid_grant", "a device code is single-use");

    // Expiry on the emulator clock, denial, unknown clients.
    let started = device_form(&env, &[("client_id", &client_id)]).await;
    let device_code = s(&started.body["device_code"]).to_owned();
    advance(601).await;
    let expired =
        form(&env, &[("grant_type", DEVICE_GRANT), ("device_code", &device_code), ("client_id", &client_id)], None)
            .await;
    assert_eq!(expired.body["error"], "expired_token");
    let started = device_form(&env, &[("client_id", &client_id)]).await;
    let (device_code, user_code) =
        (s(&started.body["device_code"]).to_owned(), s(&started.body["user_code"]).to_owned());
    env.control(Method::POST, "/_emulator/device", Some(json!({"userCode": user_code, "approve": false}))).await;
    advance(5).await;
    let denied =
        form(&env, &[("grant_type", DEVICE_GRANT), ("device_code", &device_code), ("client_id", &client_id)], None)
            .await;
    assert_eq!(denied.body["error"], "access_denied");
    let unknown = device_form(&env, &[("client_id", "app_00000000-0000-4000-8000-000000000000")]).await;
    assert_eq!((unknown.status, unknown.body["error"].as_str()), (401, Some("invalid_client")));

    // Switched off: no device endpoint, and the grant type is unsupported.
    env.control(Method::POST, "/_emulator/config", Some(json!({"deviceGrant": false}))).await;
    assert_eq!(device_form(&env, &[("client_id", &client_id)]).await.status, 404);
    let off = form(&env, &[("grant_type", DEVICE_GRANT), ("device_code", "x"), ("client_id", &client_id)], None).await;
    assert_eq!(off.body["error"], "unsupported_grant_type");
    let r = read(env.http.get(env.url("/.well-known/oauth-authorization-server")).send().await.expect("send")).await;
    assert!(r.body.get("device_authorization_endpoint").is_none());
}

#[tokio::test]
async fn grants_narrow_tokens_at_issue_and_on_every_request() {
    let env = start().await;
    let grant = |scopes: Value| {
        env.control(Method::POST, "/_emulator/grants", Some(json!({"clientId": "sa_local_dev", "scopes": scopes})))
    };
    grant(json!(["management:logs:read"])).await;
    let r = env.token_response("sa_local_dev", "local-dev-secret", Some("management:all")).await;
    assert_eq!(r.body["scope"], "management:logs:read");
    let token = s(&r.body["access_token"]).to_owned();
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/traces", None).await.status, 200);
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/applications", None).await.status, 403);
    // Narrowed further after the token was issued: the next request sees it.
    grant(json!([])).await;
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/traces", None).await.status, 401);
    grant(Value::Null).await;
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/traces", None).await.status, 200);
    // The token keeps what was requested: a wider grant applies to it at once.
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/applications", None).await.status, 200);
    let bad = env.http.post(env.url("/_emulator/grants")).json(&json!({"clientId": "x", "scopes": ["nope"]}));
    assert_eq!(read(bad.send().await.expect("send")).await.status, 400);
}
