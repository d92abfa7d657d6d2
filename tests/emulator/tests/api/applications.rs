use serde_json::json;

use crate::common::{s, start};

#[tokio::test]
async fn create_get_update_archive() {
    let env = start().await;
    let created = env.create_app("Support Copilot").await;
    let app = &created["application"];
    let id = s(&app["id"]);
    assert_eq!(app["clientId"], created["oauth"]["clientId"]);
    assert!(s(&app["clientId"]).starts_with("app_"));
    let oauth = &created["oauth"];
    assert_eq!(oauth["type"], "confidential");
    assert_eq!(oauth["pkceRequired"], true);
    assert!(s(&oauth["clientSecret"]).starts_with("app_secret_"));
    assert_eq!(oauth["authorizationUrl"], json!(env.url("/oauth2/auth")));
    assert_eq!(oauth["tokenUrl"], json!(env.url("/oauth2/token")));
    assert_eq!(oauth["gatewayUrl"], json!(env.url("/mcp")));

    let got = env.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["application"]["name"], "Support Copilot");
    let o = env.get(&format!("/api/v1/applications/{id}/oauth")).await;
    assert!(o.body["oauth"].get("clientSecret").is_none(), "secret only on create/rotate");

    let upd = env.patch(&format!("/api/v1/applications/{id}"), json!({"name": "Renamed", "description": "d"})).await;
    assert_eq!(upd.status, 200, "{}", upd.text);
    assert_eq!(upd.body["application"]["name"], "Renamed");
    assert_eq!(upd.body["application"]["description"], "d");

    let del = env.delete(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(del.status, 204);
    let got = env.get(&format!("/api/v1/applications/{id}")).await;
    assert!(got.body["application"]["archivedAt"].is_string());
    let list = env.get("/api/v1/applications").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    assert!(list.body.get("nextCursor").is_none());
    // The name is free again once archived.
    env.create_app("Renamed").await;
}

#[tokio::test]
async fn create_validation_and_conflicts() {
    let env = start().await;
    let r = env.post("/api/v1/applications", json!({})).await;
    assert_eq!(r.error(400), "name is required");
    let r = env.post("/api/v1/applications", json!({"name": 5})).await;
    assert!(r.error(400).contains("name"));
    let r = env.post("/api/v1/applications", json!({"name": "A", "oauth": {}})).await;
    assert!(r.error(400).contains("oauth.redirectUris"));
    let r = env.post("/api/v1/applications", json!({"name": "A", "oauth": {"redirectUris": ["not a url"]}})).await;
    assert!(r.error(400).contains("oauth.redirectUris[0]"));
    let r =
        env.post("/api/v1/applications", json!({"name": "A", "oauth": {"type": "weird", "redirectUris": []}})).await;
    assert!(r.error(400).contains("oauth.type"));
    env.create_app("Dup").await;
    let r = env.post("/api/v1/applications", json!({"name": "Dup"})).await;
    assert!(r.error(409).contains("Dup"));

    let r = env.get("/api/v1/applications/not-a-uuid").await;
    assert!(r.error(400).contains("id"));
    let r = env.get("/api/v1/applications/9f1c2a44-1111-4222-8333-444455556666").await;
    assert_eq!(r.error(404), "Application not found");
    let r = env.get("/api/v1/applications?limit=0").await;
    assert!(r.error(400).contains("limit"));
    let r = env.get("/api/v1/applications?limit=201").await;
    assert!(r.error(400).contains("limit"));
    let r = env.get("/api/v1/applications?limit=abc").await;
    assert!(r.error(400).contains("limit"));
    let r = env.get("/api/v1/applications?cursor=garbage").await;
    assert!(r.error(400).contains("cursor"));
}

#[tokio::test]
async fn public_apps_have_no_secret() {
    let env = start().await;
    let r = env
        .post(
            "/api/v1/applications",
            json!({"name": "CLI", "oauth": {"type": "public", "redirectUris": ["http://127.0.0.1:8976/callback"]}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.body["oauth"].get("clientSecret").is_none());
    let id = s(&r.body["application"]["id"]);
    let rot = env.post_empty(&format!("/api/v1/applications/{id}/rotate-secret")).await;
    rot.error(400);
}

#[tokio::test]
async fn rotate_secret_kills_the_old_one() {
    let env = start().await;
    let created = env.create_app("Bot").await;
    let id = s(&created["application"]["id"]);
    let client_id = s(&created["oauth"]["clientId"]);
    let old = s(&created["oauth"]["clientSecret"]);
    let rot = env.post_empty(&format!("/api/v1/applications/{id}/rotate-secret")).await;
    assert_eq!(rot.status, 200, "{}", rot.text);
    let new = s(&rot.body["oauth"]["clientSecret"]);
    assert_ne!(old, new);
    // An authorization-code exchange authenticates the app: the old secret is refused at once.
    let exchange = |secret: String| {
        let env = &env;
        let client_id = client_id.clone();
        async move {
            let r = env
                .http
                .post(env.url("/oauth2/token"))
                .basic_auth(&client_id, Some(secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", "nope"),
                    ("redirect_uri", "https://app.test/cb"),
                ])
                .send()
                .await
                .expect("send");
            crate::common::read(r).await
        }
    };
    let r = exchange(old).await;
    assert_eq!((r.status, r.body["error"].as_str()), (401, Some("invalid_client")));
    let r = exchange(new).await;
    assert_eq!((r.status, r.body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn oauth_patch_and_put() {
    let env = start().await;
    let created = env.create_app("Bot").await;
    let id = s(&created["application"]["id"]);
    let r = env
        .patch(&format!("/api/v1/applications/{id}/oauth"), json!({"pkceRequired": false, "scopes": ["mcp:invoke"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["oauth"]["pkceRequired"], false);
    assert_eq!(r.body["oauth"]["redirectUris"], json!(["https://app.test/cb"]));
    let r = env.put(&format!("/api/v1/applications/{id}/oauth"), json!({"redirectUris": ["https://b.test/cb"]})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["oauth"]["pkceRequired"], true, "PUT replaces with defaults");
    assert_eq!(r.body["oauth"]["scopes"], json!([]));
    let r = env.put(&format!("/api/v1/applications/{id}/oauth"), json!({"scopes": []})).await;
    assert!(r.error(400).contains("redirectUris"));
    let r = env.patch(&format!("/api/v1/applications/{id}/oauth"), json!({"type": "public"})).await;
    assert_eq!(r.body["oauth"]["type"], "public");
    let r = env.patch(&format!("/api/v1/applications/{id}/oauth"), json!({"type": "confidential"})).await;
    assert!(r.body["oauth"]["clientSecret"].is_string(), "a new confidential client gets its secret once");
}

#[tokio::test]
async fn integration_links_and_access_graph() {
    let env = start().await;
    let app = s(&env.create_app("Bot").await["application"]["id"]);
    let a = s(&env.create_integration(json!({"name": "GitHub", "url": "https://mcp.github.test/mcp"})).await["id"]);
    let b = s(&env.create_integration(json!({"name": "Linear", "url": "https://mcp.linear.test/mcp"})).await["id"]);
    let base = format!("/api/v1/applications/{app}/integrations");
    let r = env.put(&base, json!({"integrationIds": [a, b]})).await;
    assert_eq!(r.body["integrationIds"], json!([a, b]));
    let r = env.put(&base, json!({"integrationIds": [b]})).await;
    assert_eq!(r.body["integrationIds"], json!([b]));
    assert_eq!(env.post_empty(&format!("{base}/{a}")).await.status, 204);
    assert_eq!(env.post_empty(&format!("{base}/{a}")).await.status, 204, "attach is idempotent");
    assert_eq!(env.get(&base).await.body["integrationIds"], json!([b, a]));
    assert_eq!(env.delete(&format!("{base}/{b}")).await.status, 204);
    assert_eq!(env.delete(&format!("{base}/{b}")).await.status, 204, "detach is idempotent");
    assert_eq!(env.get(&base).await.body["integrationIds"], json!([a]));
    let r = env.put(&base, json!({"integrationIds": ["9f1c2a44-1111-4222-8333-444455556666"]})).await;
    r.error(404);
    let r = env.put(&base, json!({"integrationIds": ["x"]})).await;
    assert!(r.error(400).contains("integrationIds[0]"));

    let g = env.get("/api/v1/applications/access-graph?includePolicy=true").await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.body["nodes"].as_array().map(Vec::len), Some(3));
    assert_eq!(g.body["edges"], json!([{"source": app, "target": a, "type": "attached"}]));
    assert!(g.body["nodes"][0]["policy"].is_object());
    env.get("/api/v1/applications/access-graph?includePolicy=maybe").await.error(400);
}

#[tokio::test]
async fn cursor_pages_stay_stable_while_inserting_and_archiving() {
    let env = start().await;
    let seeded = env.seed(json!({"applications": 25})).await;
    let ids: Vec<String> = seeded["applicationIds"].as_array().map(|a| a.iter().map(s).collect()).unwrap_or_default();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut page = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/applications?limit=10&cursor={c}"),
            None => "/api/v1/applications?limit=10".into(),
        };
        let r = env.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for item in r.body["items"].as_array().into_iter().flatten() {
            seen.push(s(&item["id"]));
        }
        if page == 0 {
            // Between pages: archive an unseen item and insert a new one.
            assert_eq!(env.delete(&format!("/api/v1/applications/{}", ids[15])).await.status, 204);
            env.create_app("Inserted meanwhile").await;
        }
        page += 1;
        match r.body.get("nextCursor").and_then(|c| c.as_str()) {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut expected: Vec<String> = ids.iter().filter(|i| **i != ids[15]).cloned().collect();
    assert_eq!(seen.len(), expected.len() + 1, "every item exactly once, plus the new one at the end");
    expected.dedup();
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(&seen[..24], &expected[..]);
}
