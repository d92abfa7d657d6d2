use reqwest::Method;
use serde_json::json;

use crate::common::{s, start};

#[tokio::test]
async fn lifecycle_rotation_and_revocation() {
    let env = start().await;
    let r = env.post("/api/v1/service-accounts", json!({"name": "CI", "description": "deploys"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = s(&r.body["serviceAccount"]["id"]);
    let client_id = s(&r.body["credentials"]["clientId"]);
    let secret = s(&r.body["credentials"]["clientSecret"]);
    assert_eq!(client_id, format!("sa_{id}"));
    env.post("/api/v1/service-accounts", json!({"name": "CI"})).await.error(409);
    env.post("/api/v1/service-accounts", json!({})).await.error(400);

    let list = env.get("/api/v1/service-accounts").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2), "bootstrap + CI");
    assert!(!list.text.contains(&secret));
    assert_eq!(env.get(&format!("/api/v1/service-accounts/{id}")).await.body["serviceAccount"]["name"], "CI");
    assert!(env.get(&format!("/api/v1/service-accounts/{client_id}")).await.error(400).contains("id"));

    let t1 = env.token_response(&client_id, &secret, None).await;
    assert_eq!(t1.status, 200);
    let old_token = s(&t1.body["access_token"]);
    let rot = env.post_empty(&format!("/api/v1/service-accounts/{id}/rotate-secret")).await;
    let new_secret = s(&rot.body["credentials"]["clientSecret"]);
    assert_eq!(env.token_response(&client_id, &secret, None).await.status, 401, "old secret dead at once");
    assert_eq!(env.token_response(&client_id, &new_secret, None).await.status, 200);
    let r = env.send_as(&old_token, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(r.status, 200, "tokens minted before a rotation stay valid");

    assert_eq!(env.delete(&format!("/api/v1/service-accounts/{id}")).await.status, 204);
    let r = env.send_as(&old_token, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(r.error(401), "Missing or invalid token");
    assert_eq!(env.token_response(&client_id, &new_secret, None).await.status, 401);
    assert_eq!(env.get("/api/v1/service-accounts").await.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn paginates_with_cursor() {
    let env = start().await;
    env.seed(json!({"serviceAccounts": 7})).await;
    let p1 = env.get("/api/v1/service-accounts?limit=5").await;
    assert_eq!(p1.body["items"].as_array().map(Vec::len), Some(5));
    let c = s(&p1.body["nextCursor"]);
    let p2 = env.get(&format!("/api/v1/service-accounts?limit=5&cursor={c}")).await;
    assert_eq!(p2.body["items"].as_array().map(Vec::len), Some(3));
    assert!(p2.body.get("nextCursor").is_none());
    // A cursor of another list is refused.
    env.get(&format!("/api/v1/applications?cursor={c}")).await.error(400);
}
