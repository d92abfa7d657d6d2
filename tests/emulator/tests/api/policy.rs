use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Env, Resp, read, s, start};

const P1: &str = "permit(principal, action, resource);";
const P2: &str = "forbid(principal, action == Action::\"delete\", resource);";

async fn put_policy(env: &Env, text: &str, header: Option<(&str, &str)>) -> Resp {
    let mut req = env.http.put(env.url("/api/v1/policy")).bearer_auth(&env.token).json(&json!({"policyText": text}));
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    read(req.send().await.expect("send")).await
}

async fn put_deployment(env: &Env, body: Value, etag: Option<&str>) -> Resp {
    let mut req = env.http.put(env.url("/api/v1/policy/deployment")).bearer_auth(&env.token).json(&body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    read(req.send().await.expect("send")).await
}

#[tokio::test]
async fn policy_etags_and_dedup() {
    let env = start().await;
    env.get("/api/v1/policy").await.error(404);
    let r = put_policy(&env, P1, None).await;
    assert!(r.error(400).contains("If-Match"));
    let r = put_policy(&env, P1, Some(("if-none-match", "*"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let e1 = r.header("etag").expect("etag").to_owned();
    let v1 = s(&r.body["policy"]["policyVersionId"]);
    assert_eq!(r.body["policy"]["policyText"], P1);
    let r = put_policy(&env, P2, Some(("if-none-match", "*"))).await;
    assert_eq!(r.error(412), r.body["message"].as_str().unwrap_or_default());

    let g = env.get("/api/v1/policy").await;
    assert_eq!(g.header("etag"), Some(e1.as_str()));
    let r = put_policy(&env, P2, Some(("if-match", &e1))).await;
    assert_eq!(r.status, 200);
    let e2 = r.header("etag").expect("etag").to_owned();
    let v2 = s(&r.body["policy"]["policyVersionId"]);
    assert_ne!(v1, v2);
    let stale = put_policy(&env, P1, Some(("if-match", &e1))).await;
    assert_eq!(stale.body["statusCode"], 412);
    stale.error(412);
    let back = put_policy(&env, P1, Some(("if-match", &e2))).await;
    assert_eq!(back.body["policy"]["policyVersionId"], json!(v1), "same text, same version");
    assert_ne!(back.header("etag"), Some(e1.as_str()), "the tag still moves on");
    let bad = put_policy(&env, "permit(principal", Some(("if-match", "*"))).await;
    assert!(bad.error(400).contains("line 1"));
    let missing = env.put("/api/v1/policy", json!({})).await;
    assert!(missing.error(400).contains("policyText"));
}

#[tokio::test]
async fn validations() {
    let env = start().await;
    let r = env.post("/api/v1/policy/validations", json!({"policyText": format!("{P1}\n{P2}")})).await;
    assert_eq!(r.body["valid"], true);
    assert_eq!(r.body["diagnostics"], json!([]));
    let r = env.post("/api/v1/policy/validations", json!({"policyText": ""})).await;
    assert_eq!(r.body["valid"], true);
    let r = env
        .post("/api/v1/policy/validations", json!({"policyText": "permit(principal, action, resource);\nallow(x);"}))
        .await;
    assert_eq!(r.body["valid"], false);
    let d = &r.body["diagnostics"][0];
    assert_eq!((d["severity"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("error"), Some(2), Some(1)));
    let r = env.post("/api/v1/policy/validations", json!({"policyText": "permit(principal, action, resource)"})).await;
    assert_eq!(r.body["valid"], false);
}

#[tokio::test]
async fn deployment_rules() {
    let env = start().await;
    let g = env.get("/api/v1/policy/deployment").await;
    assert_eq!(g.body["deployment"]["rolloutMode"], "disabled");
    assert_eq!(g.body["deployment"]["policyVersionId"], json!(null));
    let etag = g.header("etag").expect("etag").to_owned();
    let r = put_deployment(&env, json!({"rolloutMode": "enforce", "policyVersionId": null}), None).await;
    assert!(r.error(400).contains("policyVersionId"));
    let r = put_deployment(
        &env,
        json!({"rolloutMode": "enforce", "policyVersionId": "9f1c2a44-1111-4222-8333-444455556666"}),
        None,
    )
    .await;
    r.error(404);
    let r = put_deployment(&env, json!({"rolloutMode": "sometimes"}), None).await;
    assert!(r.error(400).contains("rolloutMode"));
    let pol = put_policy(&env, P1, Some(("if-none-match", "*"))).await;
    let v = s(&pol.body["policy"]["policyVersionId"]);
    let r = put_deployment(&env, json!({"rolloutMode": "disabled", "policyVersionId": v}), None).await;
    r.error(400);
    let r = put_deployment(&env, json!({"rolloutMode": "observe", "policyVersionId": v}), Some(&etag)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["deployment"]["rolloutMode"], "observe");
    let r = put_deployment(&env, json!({"rolloutMode": "enforce", "policyVersionId": v}), Some(&etag)).await;
    r.error(412);
}

#[tokio::test]
async fn settings_expected_updated_at() {
    let env = start().await;
    let g = env.get("/api/v1/policy/settings").await;
    let at = s(&g.body["settings"]["updatedAt"]);
    assert_eq!(g.body["settings"]["policyEnabled"], false);
    env.patch("/api/v1/policy/settings", json!({"policyEnabled": true})).await.error(400);
    let r = env.patch("/api/v1/policy/settings", json!({"policyEnabled": true, "expectedUpdatedAt": at})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["settings"]["policyEnabled"], true);
    assert_ne!(s(&r.body["settings"]["updatedAt"]), at);
    let r = env.patch("/api/v1/policy/settings", json!({"payloadCaptureMode": "full", "expectedUpdatedAt": at})).await;
    assert_eq!(r.body, json!({"message": r.body["message"], "statusCode": 412}));
    r.error(412);
}

#[tokio::test]
async fn scopes_are_enforced() {
    let env = start().await;
    let read_only = env.mint(Some("management:applications:read")).await;
    let r = env.send_as(&read_only, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(r.status, 200);
    let r = env.send_as(&read_only, Method::POST, "/api/v1/applications", Some(json!({"name": "x"}))).await;
    r.error(403);
    assert_eq!(r.body["error"], "insufficient_scope");
    assert_eq!(r.body["missingScopes"], json!(["management:applications:write"]));
    assert!(r.body["hint"].is_string());
    let r = env.send_as(&read_only, Method::GET, "/api/v1/policy/settings", None).await;
    assert_eq!(r.body["missingScopes"], json!(["management:settings:read"]));
    let writer = env.mint(Some("management:logs:write")).await;
    assert_eq!(env.send_as(&writer, Method::GET, "/api/v1/decisions", None).await.status, 200, "write implies read");
}
