//! What a web page can do to a developer's emulator: the issuer in authorization responses
//! (RFC 9207), so that a client can tell a mix-up.

mod common;

use reqwest::Method;
use serde_json::json;

use common::{Env, s, start};

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
