use serde_json::json;

use crate::common::{s, start};

#[tokio::test]
async fn create_validation_rules() {
    let env = start().await;
    let r = env.post("/api/v1/integrations", json!({"url": "https://x.test"})).await;
    assert_eq!(r.error(400), "name is required");
    let r = env.post("/api/v1/integrations", json!({"name": "X"})).await;
    assert_eq!(r.error(400), "url is required");
    let r = env
        .post("/api/v1/integrations", json!({"name": "X", "url": "https://x.test", "authMode": "server_token"}))
        .await;
    assert!(r.error(400).contains("serverToken"));
    let r = env.post("/api/v1/integrations", json!({"name": "X", "url": "https://x.test", "serverToken": "t"})).await;
    assert!(r.error(400).contains("serverToken"));
    let r =
        env.post("/api/v1/integrations", json!({"name": "X", "url": "https://x.test", "oauth": {"scopes": []}})).await;
    assert!(r.error(400).contains("oauth"));
    let r = env.post("/api/v1/integrations", json!({"name": "X", "url": "https://x.test", "authMode": "magic"})).await;
    assert!(r.error(400).contains("authMode"));

    let i = env
        .create_integration(json!({"name": "Stripe", "url": "https://mcp.stripe.test", "authMode": "server_token", "serverToken": "sk_live_x"}))
        .await;
    assert_eq!(i["serverTokenConfigured"], true);
    assert!(i.get("serverToken").is_none());
    assert!(!i.to_string().contains("sk_live_x"), "the token is never echoed");
    assert_eq!(i["validationStatus"], json!(null));
    assert_eq!(i["category"], "gateway_remote_mcp");
    let r = env.post("/api/v1/integrations", json!({"name": "Stripe", "url": "https://y.test"})).await;
    r.error(409);
}

#[tokio::test]
async fn auth_mode_change_clears_connections() {
    let env = start().await;
    let i =
        env.create_integration(json!({"name": "Jira", "url": "https://jira.test/mcp", "authMode": "user_token"})).await;
    let id = s(&i["id"]);
    let c = env
        .post(&format!("/api/v1/integrations/{id}/connection"), json!({"token": "pat_123", "displayName": "me"}))
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    assert_eq!(c.body["connection"]["status"], "connected");
    let c = env.get(&format!("/api/v1/integrations/{id}/connection")).await;
    assert_eq!(c.body["connection"]["status"], "connected");
    assert_eq!(c.body["connection"]["displayName"], "me");

    let u = env.patch(&format!("/api/v1/integrations/{id}"), json!({"authMode": "server_token"})).await;
    assert!(u.error(400).contains("serverToken"));
    let u = env
        .patch(&format!("/api/v1/integrations/{id}"), json!({"authMode": "server_token", "serverToken": "tok"}))
        .await;
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(u.body["integration"]["serverTokenConfigured"], true);
    let c = env.get(&format!("/api/v1/integrations/{id}/connection")).await;
    assert_eq!(c.body["connection"]["status"], "disconnected");
    // Back to another mode: the server token goes away.
    let u = env.patch(&format!("/api/v1/integrations/{id}"), json!({"authMode": "user_token"})).await;
    assert_eq!(u.body["integration"]["serverTokenConfigured"], false);
    assert_eq!(env.delete(&format!("/api/v1/integrations/{id}/connection")).await.status, 204);
}

#[tokio::test]
async fn validate_oauth_override_and_unarchive() {
    let env = start().await;
    let ok = s(&env.create_integration(json!({"name": "Good", "url": "https://mcp.good.test/mcp"})).await["id"]);
    let bad = s(&env.create_integration(json!({"name": "Bad", "url": "https://mcp.nowhere.invalid/mcp"})).await["id"]);
    let r = env.post_empty(&format!("/api/v1/integrations/{ok}/validate")).await;
    // V2: the answer's own fields at the top level, with the integration as re-read.
    assert_eq!(r.body["status"], "ok");
    assert!(r.body["checkedAt"].is_string());
    assert!(r.body.get("message").is_none() && r.body.get("validation").is_none(), "{}", r.text);
    assert_eq!(r.body["integration"]["id"], json!(ok));
    assert_eq!(r.body["integration"]["validationStatus"], "ok");
    let r = env.post_empty(&format!("/api/v1/integrations/{bad}/validate")).await;
    assert_eq!(r.body["status"], "failed");
    assert!(r.body["message"].is_string());
    assert_eq!(r.body["integration"]["validationStatus"], "failed");
    assert_eq!(env.get(&format!("/api/v1/integrations/{bad}")).await.body["integration"]["validationStatus"], "failed");

    let path = format!("/api/v1/integrations/{ok}/oauth");
    env.get(&path).await.error(404);
    let body = json!({"clientId": "cid", "clientSecret": "shh", "authorizationUrl": "https://idp.test/auth", "tokenUrl": "https://idp.test/token", "scopes": ["repo"]});
    let r = env.put(&path, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = env.get(&path).await;
    assert_eq!(r.body["oauth"]["clientSecretConfigured"], true);
    assert!(!r.text.contains("shh"));
    assert_eq!(env.delete(&path).await.status, 204);
    env.get(&path).await.error(404);
    env.put(&path, json!({"clientId": "c"})).await.error(400);

    assert_eq!(env.delete(&format!("/api/v1/integrations/{ok}")).await.status, 204);
    let list = env.get("/api/v1/integrations").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    let again = json!({"name": "Good", "url": "https://mcp.good2.test/mcp"});
    env.post("/api/v1/integrations", again.clone()).await.error(409);
    let mut confirmed = again;
    confirmed["confirmUnarchive"] = json!(true);
    let r = env.post("/api/v1/integrations", confirmed).await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    assert_eq!(r.body["integration"]["id"], json!(ok), "the archived integration comes back");
    assert_eq!(r.body["integration"]["archivedAt"], json!(null));
    assert_eq!(r.body["integration"]["url"], "https://mcp.good2.test/mcp");
}
