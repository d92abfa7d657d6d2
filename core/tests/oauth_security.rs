//! Issue 24, OAuth side: a discovery document is only trusted when it belongs to the origin it
//! was read from (H2, RFC 8414 §3.3), a callback's `iss` is checked (RFC 9207), and single-use
//! grants (an authorization code, a refresh token) are never sent twice (M1). Each test runs
//! against a scripted server on 127.0.0.1 and checks what reached it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kontext_management::models::{ExchangeCode, RefreshUserToken};
use kontext_management::{ErrorKind, Secret};
use serde_json::json;

#[path = "support/fake.rs"]
mod fake;
use fake::{Fake, Reply, Seen};

const TOKENS: &str =
    r#"{"access_token":"ory_at_user","token_type":"bearer","expires_in":3600,"refresh_token":"ory_rt_next"}"#;

/// An authorization server at `Fake::base` whose discovery document names `issuer` (`None`: its
/// own origin), and whose token endpoint answers with `token(n)` for the n-th token request.
async fn server(issuer: Option<&'static str>, token: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Fake {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let own = base.clone();
    let tokens = AtomicUsize::new(0);
    let fake = Fake::start(move |seen: &Seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("GET", "/.well-known/oauth-authorization-server") => {
            let origin = own.get().cloned().unwrap_or_default();
            Reply::json(
                200,
                json!({
                    "issuer": issuer.map_or(origin.clone(), str::to_owned),
                    "authorization_endpoint": format!("{origin}/oauth2/auth"),
                    "token_endpoint": format!("{origin}/oauth2/token"),
                }),
            )
        }
        ("POST", "/oauth2/token") => token(tokens.fetch_add(1, Ordering::SeqCst)),
        _ => Reply::json(404, json!({"message": "Not found", "statusCode": 404})),
    })
    .await;
    base.set(fake.base.clone()).unwrap();
    fake
}

fn granted(_: usize) -> Reply {
    Reply { status: 200, headers: vec![], body: TOKENS.into(), delay: Default::default() }
}

fn exchange(base: &str, iss: Option<&str>) -> ExchangeCode {
    ExchangeCode {
        base_url: base.to_owned(),
        client_id: "app_public".into(),
        code: "code_1".into(),
        redirect_uri: "http://127.0.0.1:8976/callback".into(),
        code_verifier: Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        client_secret: None,
        iss: iss.map(str::to_owned),
    }
}

fn refresh(base: &str) -> RefreshUserToken {
    RefreshUserToken {
        base_url: base.to_owned(),
        client_id: "app_public".into(),
        refresh_token: Secret::new("ory_rt_current"),
        client_secret: None,
    }
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_gets_nothing_sent() {
    let fake = server(Some("https://evil.example"), granted).await;
    let e = kontext_management::oauth::exchange_code(&exchange(&fake.base, None)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("issuer https://evil.example"), "{e}");
    let e = kontext_management::oauth::refresh(&refresh(&fake.base)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    let e = kontext_management::oauth::discover(&fake.base).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert_eq!(fake.count("POST", "/oauth2/token"), 0, "no code, verifier or refresh token may leave");
}

#[tokio::test]
async fn a_callback_iss_of_another_issuer_gets_nothing_sent() {
    let fake = server(None, granted).await;
    let e = kontext_management::oauth::exchange_code(&exchange(&fake.base, Some("https://evil.example")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(e.details().argument.as_deref(), Some("iss"));
    assert_eq!(fake.count("POST", "/oauth2/token"), 0);

    // The issuer itself, in any spelling that normalises to it, is fine; so is no `iss` at all.
    let same = format!("{}/", fake.base.replacen("http", "HTTP", 1));
    let tokens = kontext_management::oauth::exchange_code(&exchange(&fake.base, Some(&same))).await.unwrap();
    assert_eq!(tokens.access_token.expose(), "ory_at_user");
    kontext_management::oauth::exchange_code(&exchange(&fake.base, None)).await.unwrap();
    assert_eq!(fake.count("POST", "/oauth2/token"), 2);
}

#[tokio::test]
async fn single_use_grants_are_sent_once_whatever_happens() {
    // A 503 (even one saying `x-should-retry: true`) or a connection lost after the request was
    // written: the server may have spent the code or rotated the refresh token.
    let answers: [fn(usize) -> Reply; 3] = [
        |_| Reply::json(503, json!({"error": "temporarily_unavailable"})),
        |_| Reply::json(503, json!({"error": "temporarily_unavailable"})).header("x-should-retry", "true"),
        |_| Reply::json(0, json!(null)),
    ];
    for answer in answers {
        let fake = server(None, answer).await;
        assert!(kontext_management::oauth::exchange_code(&exchange(&fake.base, None)).await.is_err());
        assert_eq!(fake.count("POST", "/oauth2/token"), 1, "the code was sent again");
        assert!(kontext_management::oauth::refresh(&refresh(&fake.base)).await.is_err());
        assert_eq!(fake.count("POST", "/oauth2/token"), 2, "the refresh token was sent again");
        // Discovery is a GET: retrying it is harmless, and nothing here failed it.
        assert_eq!(fake.count("GET", "/.well-known/oauth-authorization-server"), 2);
    }
}

#[tokio::test]
async fn client_credentials_are_still_retried() {
    // Minting with client credentials changes nothing on the server: a 503 is retried.
    let tokens = Arc::new(AtomicUsize::new(0));
    let count = tokens.clone();
    let fake = Fake::start(move |seen: &Seen| match seen.path.as_str() {
        "/oauth2/token" if count.fetch_add(1, Ordering::SeqCst) == 0 => {
            Reply::json(503, json!({"error": "temporarily_unavailable"})).header("retry-after", "0")
        }
        "/oauth2/token" => Reply::json(200, json!({"access_token": "ory_at_sa", "expires_in": 3600})),
        _ => Reply::json(200, json!({"items": []})),
    })
    .await;
    let client = kontext_management::Client::builder()
        .base_url(&fake.base)
        .client_credentials("sa_1", "secret")
        .build()
        .unwrap();
    client.applications().list(Default::default()).await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}
