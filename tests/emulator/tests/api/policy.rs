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
    let v1 = s(&r.body["policyVersionId"]);
    assert_eq!(r.body["policyText"], P1);
    let r = put_policy(&env, P2, Some(("if-none-match", "*"))).await;
    assert_eq!(r.error(412), r.body["message"].as_str().unwrap_or_default());

    let g = env.get("/api/v1/policy").await;
    assert_eq!(g.header("etag"), Some(e1.as_str()));
    let r = put_policy(&env, P2, Some(("if-match", &e1))).await;
    assert_eq!(r.status, 200);
    let e2 = r.header("etag").expect("etag").to_owned();
    let v2 = s(&r.body["policyVersionId"]);
    assert_ne!(v1, v2);
    let stale = put_policy(&env, P1, Some(("if-match", &e1))).await;
    assert_eq!(stale.body["statusCode"], 412);
    stale.error(412);
    let back = put_policy(&env, P1, Some(("if-match", &e2))).await;
    assert_eq!(back.body["policyVersionId"], json!(v1), "same text, same version");
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
    assert_eq!(g.body["rolloutMode"], "disabled");
    assert_eq!(g.body["policyVersionId"], json!(null));
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
    let v = s(&pol.body["policyVersionId"]);
    let r = put_deployment(&env, json!({"rolloutMode": "disabled", "policyVersionId": v}), None).await;
    r.error(400);
    let r = put_deployment(&env, json!({"rolloutMode": "observe", "policyVersionId": v}), Some(&etag)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rolloutMode"], "observe");
    let r = put_deployment(&env, json!({"rolloutMode": "enforce", "policyVersionId": v}), Some(&etag)).await;
    r.error(412);
}

#[tokio::test]
async fn settings_expected_updated_at() {
    let env = start().await;
    let g = env.get("/api/v1/policy/settings").await;
    let at = s(&g.body["updatedAt"]);
    assert_eq!(g.body["policyEnabled"], false);
    env.patch("/api/v1/policy/settings", json!({"policyEnabled": true})).await.error(400);
    let r = env.patch("/api/v1/policy/settings", json!({"policyEnabled": true, "expectedUpdatedAt": at})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["policyEnabled"], true);
    assert_ne!(s(&r.body["updatedAt"]), at);
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

async fn action(env: &Env, body: Value, if_match: Option<&str>) -> Resp {
    let mut req = env.http.post(env.url("/api/v1/policy/actions")).bearer_auth(&env.token).json(&body);
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    read(req.send().await.expect("send")).await
}

/// The inferred two-set model of `kontext-api-2.md` §3.5: observing ⊇ enforced, one version
/// per slot text, the ETag moving on with every action, and each documented failure.
#[tokio::test]
async fn policy_actions_two_slots() {
    let env = start().await;
    let dep = env.get("/api/v1/policy/deployment").await;
    assert_eq!(dep.body["observingVersionId"], json!(null), "bare, with both slots");
    let tag0 = dep.header("etag").expect("etag").to_owned();

    let r = action(&env, json!({"action": "add", "templateId": "block-stripe-refunds"}), None).await;
    assert_eq!(r.status, 428);
    assert_eq!(r.header("etag"), Some("W/\"error-response\""), "errors carry a tag nobody may reuse");
    let r = action(&env, json!({"action": "publish"}), Some(&tag0)).await;
    assert!(r.error(400).contains("action"));
    let weak = format!("W/{tag0}");
    action(&env, json!({"action": "add", "templateId": "block-stripe-refunds"}), Some(&weak)).await.error(412);
    let r = action(&env, json!({"action": "add", "templateId": "nope"}), Some(&tag0)).await;
    assert!(r.error(404).contains("template"));

    let r = action(&env, json!({"action": "add", "templateId": "block-github-force-push"}), Some(&tag0)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["policyId"], "block-github-force-push");
    assert_eq!(r.body["companionPolicyIds"], json!(["guard-github-branch-protection"]));
    assert_eq!(r.body["rolloutMode"], "disabled", "a paused workspace stays paused");
    assert_eq!(r.body["policyVersionId"], json!(null), "nothing enforced yet");
    let observing = s(&r.body["observingVersionId"]);
    let tag1 = r.header("etag").expect("etag").to_owned();
    assert_ne!(tag1, tag0);
    action(&env, json!({"action": "enforce", "policyId": "block-github-force-push"}), Some(&tag0)).await.error(412);
    let r = action(&env, json!({"action": "add", "templateId": "block-github-force-push"}), Some(&tag1)).await;
    assert!(r.error(409).contains("already exists"));

    let bad = action(&env, json!({"action": "add", "cedar": "@id(\"custom:x\") permit(principal"}), Some(&tag1)).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(bad.body["diagnostics"][0]["severity"], "error");
    assert!(bad.body["diagnostics"][0]["line"].is_u64());
    let two = "@id(\"a\") permit(principal, action, resource);\n@id(\"b\") permit(principal, action, resource);";
    action(&env, json!({"action": "add", "cedar": two}), Some(&tag1)).await.error(422);
    let no_id = "forbid(principal, action, resource);";
    action(&env, json!({"action": "add", "cedar": no_id}), Some(&tag1)).await.error(422);
    let reserved = "@id(\"block-stripe-refunds-2\") forbid(principal, action, resource);";
    action(&env, json!({"action": "add", "cedar": reserved}), Some(&tag1)).await.error(409);
    let scoped = json!({"action": "add", "templateId": "block-stripe-refunds",
        "endpointId": "ins_0123456789abcdef0123456789abcdef"});
    assert!(action(&env, scoped, Some(&tag1)).await.error(404).contains("enrolled"));
    let both = json!({"action": "add", "templateId": "block-stripe-refunds", "agentId": "openai-codex",
        "scopes": [{"agentId": "anthropic-claude-code"}]});
    action(&env, both, Some(&tag1)).await.error(400);

    let custom = "@id(\"custom:no-slack\")\nforbid(principal, action, resource) when { resource.toolName == \"slack.post_message\" };";
    let scopes = json!([{"agentId": "openai-codex"}, {"agentId": "anthropic-claude-code"}]);
    let r = action(&env, json!({"action": "add", "cedar": custom, "scopes": scopes}), Some(&tag1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["policyIds"], json!(["custom:no-slack:openai-codex", "custom:no-slack:anthropic-claude-code"]));
    let tag2 = r.header("etag").expect("etag").to_owned();

    let r = action(&env, json!({"action": "enforce", "policyId": "block-github-force-push"}), Some(&tag2)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let enforced = s(&r.body["policyVersionId"]);
    let tag3 = r.header("etag").expect("etag").to_owned();
    let version = env.get(&format!("/api/v1/policy/versions/{enforced}")).await;
    assert_eq!(version.body["policyIds"], json!(["block-github-force-push"]), "only the enforced policy");
    assert_eq!(version.body["origin"], "enforce");
    action(&env, json!({"action": "enforce", "policyId": "block-github-force-push"}), Some(&tag3)).await.error(409);
    action(&env, json!({"action": "stop", "policyId": "guard-github-branch-protection"}), Some(&tag3)).await.error(409);
    action(&env, json!({"action": "enforce", "policyId": "custom:none"}), Some(&tag3)).await.error(404);
    let del = json!({"action": "delete", "policyId": "block-github-force-push", "where": "observing"});
    action(&env, del, Some(&tag3)).await.error(409);
    let del = json!({"action": "delete", "policyId": "block-github-force-push", "where": "enforced"});
    let r = action(&env, del, Some(&tag3)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["policyVersionId"], json!(null), "the enforced slot is empty again");
    assert_ne!(r.body["observingVersionId"], json!(observing), "the observing copy went with it");

    let list = env.get("/api/v1/policy/versions?limit=2").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    let next = s(&list.body["nextCursor"]);
    let rest = env.get(&format!("/api/v1/policy/versions?cursor={next}")).await;
    assert!(!rest.body["items"].as_array().expect("items").is_empty());
    env.get("/api/v1/policy/versions/not-a-version").await.error(404);
    env.get("/api/v1/policy/versions/9f1c2a44-1111-4222-8333-444455556666").await.error(404);

    // PUT /policy/deployment leaves the observing slot as it is.
    let dep = env.get("/api/v1/policy/deployment").await;
    let slot = dep.body["observingVersionId"].clone();
    let r = put_deployment(&env, json!({"rolloutMode": "observe", "policyVersionId": slot}), dep.header("etag")).await;
    assert_eq!((r.status, &r.body["observingVersionId"]), (200, &slot));
}

#[tokio::test]
async fn replay_blocked_and_the_catalog() {
    let env = start().await;
    env.seed(json!({"decisions": 200})).await;
    let catalog = env.get("/api/v1/policy/rule-templates").await;
    assert!(catalog.body["items"].as_array().is_some_and(|t| t.len() >= 3));
    assert_eq!(catalog.body["agentIds"], json!(["anthropic-claude-code", "openai-codex"]));
    let tag = env.get("/api/v1/policy/deployment").await.header("etag").expect("etag").to_owned();
    let r = action(&env, json!({"action": "add", "templateId": "block-stripe-refunds"}), Some(&tag)).await;
    let v = s(&r.body["observingVersionId"]);
    let body = |days: Value| json!({"enforcingVersionId": v, "observingVersionId": v, "days": days});
    let r = env.post("/api/v1/policy/replay", body(json!(30))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let p = &r.body["policies"][0];
    assert_eq!(p["policyId"], "block-stripe-refunds");
    let total: u64 =
        ["wouldBlock", "wouldAllow", "needsCapture", "notReplayable"].iter().filter_map(|k| p[k].as_u64()).sum();
    assert_eq!(total, 200, "every recorded call is counted once");
    assert!(p["wouldBlock"].as_u64() > Some(0), "{p}");
    for bad in [json!(8), json!(0), json!("7")] {
        env.post("/api/v1/policy/replay", body(bad)).await.error(400);
    }
    let unknown = json!({"enforcingVersionId": "x", "observingVersionId": v, "days": 7});
    env.post("/api/v1/policy/replay", unknown).await.error(404);
    let blocked = env.get("/api/v1/policy/blocked").await;
    assert_eq!(blocked.body["days"], 7);
    assert!(blocked.body["items"][0]["count"].as_u64() > Some(0));
    env.get("/api/v1/policy/blocked?days=31").await.error(400);
    let reader = env.mint(Some("management:policy:read")).await;
    let r = env.send_as(&reader, Method::POST, "/api/v1/policy/replay", Some(body(json!(7)))).await;
    assert_eq!(r.status, 200, "replay needs only policy read");
    let r = env.send_as(&reader, Method::POST, "/api/v1/policy/validations", Some(json!({"policyText": P1}))).await;
    assert_eq!(r.body["missingScopes"], json!(["management:policy:write"]), "validations need policy write (V4)");
}
