//! Issue 24 H1: an `https://` authorization server whose discovery document names a plain
//! `http://` token endpoint gets no credential sent there — not even when that endpoint is on
//! loopback. The server is real TLS on 127.0.0.1 with the test CA of `fixtures/tls`, which this
//! test process trusts through `SSL_CERT_FILE` (read by the platform verifier on Linux); it has a
//! binary of its own because it changes the environment.
#![cfg(target_os = "linux")]

use kontext_management::models::RefreshUserToken;
use kontext_management::{ErrorKind, Secret};
use serde_json::json;

#[path = "support/fake.rs"]
mod fake;
use fake::{Fake, Reply, Seen};

#[tokio::test]
async fn an_https_origin_never_sends_credentials_to_an_http_token_endpoint() {
    // SAFETY: set before any thread of this test process reads the environment (this is the only
    // test of its binary, and the runtime's workers do not read it).
    unsafe { std::env::set_var("SSL_CERT_FILE", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem")) };
    let clear =
        Fake::start(|_: &Seen| Reply::json(200, json!({"access_token": "ory_at_x", "token_type": "bearer"}))).await;
    let token_endpoint = format!("{}/oauth2/token", clear.base);
    let tls = Fake::start_tls(move |seen: &Seen| {
        let origin =
            format!("https://localhost:{}", seen.header("host").unwrap_or_default().rsplit(':').next().unwrap());
        Reply::json(
            200,
            json!({
                "issuer": origin,
                "authorization_endpoint": format!("{origin}/oauth2/auth"),
                "token_endpoint": token_endpoint,
            }),
        )
    })
    .await;
    let request = RefreshUserToken {
        base_url: tls.base.clone(),
        client_id: "app_1".into(),
        refresh_token: Secret::new("ory_rt_must_not_travel_in_clear"),
        client_secret: Some(Secret::new("app_secret_must_not_travel_in_clear")),
    };
    let e = kontext_management::oauth::refresh(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("token_endpoint"), "{e}");
    assert_eq!(tls.count("GET", "/.well-known/oauth-authorization-server"), 1, "discovery went over TLS");
    assert!(clear.seen().is_empty(), "sent in clear text: {:?}", clear.seen());
}
