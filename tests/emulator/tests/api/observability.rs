use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::{s, start};

fn statuses(items: &Value, key: &str) -> HashSet<String> {
    items.as_array().into_iter().flatten().map(|i| s(&i[key])).collect()
}

#[tokio::test]
async fn sessions_filters_and_revoke_all() {
    let env = start().await;
    let seeded = env.seed(json!({"applications": 1, "sessions": 8})).await;
    let app = s(&seeded["applicationIds"][0]);
    let base = format!("/api/v1/applications/{app}/sessions");

    let active = env.get(&base).await;
    assert_eq!(active.status, 200, "{}", active.text);
    assert_eq!(statuses(&active.body["items"], "derivedStatus"), HashSet::from(["active".into(), "idle".into()]));
    assert_eq!(active.body["items"].as_array().map(Vec::len), Some(4));
    let all = env.get(&format!("{base}?includeInactive=true")).await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(8));
    assert_eq!(statuses(&all.body["items"], "derivedStatus").len(), 4, "every derived status is seeded");
    let inactive = env.get(&format!("{base}?status=inactive")).await;
    assert_eq!(
        statuses(&inactive.body["items"], "derivedStatus"),
        HashSet::from(["expired".into(), "disconnected".into()])
    );
    assert_eq!(env.get(&format!("{base}?status=all&limit=3")).await.body["items"].as_array().map(Vec::len), Some(3));
    env.get(&format!("{base}?status=sleeping")).await.error(400);
    env.get(&format!("{base}?limit=0")).await.error(400);
    env.get(&format!("{base}?includeInactive=perhaps")).await.error(400);

    let sid = s(&seeded["sessionIds"][0]);
    let one = env.get(&format!("{base}/{sid}")).await;
    assert_eq!(one.body["session"]["id"], json!(sid));
    assert_eq!(one.body["session"]["agentId"], json!(app));
    env.get(&format!("{base}/9f1c2a44-1111-4222-8333-444455556666")).await.error(404);

    // Two disconnected already: revoking counts the other six.
    let r = env.delete(&base).await;
    assert_eq!(r.body, json!({"success": true, "disconnectedCount": 6}));
    assert_eq!(env.delete(&base).await.body["disconnectedCount"], 0);
    assert_eq!(env.get(&base).await.body["items"], json!([]));
}

#[tokio::test]
async fn sessions_expire_with_the_clock_and_archive_revokes() {
    let env = start().await;
    let seeded = env.seed(json!({"applications": 1, "sessions": 4})).await;
    let app = s(&seeded["applicationIds"][0]);
    let base = format!("/api/v1/applications/{app}/sessions");
    env.control(reqwest::Method::POST, "/_emulator/clock", Some(json!({"advanceSeconds": 7200}))).await;
    // The token is still valid (1 h TTL was minted before): mint a fresh one.
    let token = env.mint(None).await;
    let r = env.send_as(&token, reqwest::Method::GET, &format!("{base}?status=all"), None).await;
    let st = statuses(&r.body["items"], "derivedStatus");
    assert!(!st.contains("active") && !st.contains("idle"), "{st:?}");

    let seeded = env.seed(json!({"applications": 1, "sessions": 4})).await;
    let app = s(&seeded["applicationIds"][0]);
    let r = env.send_as(&token, reqwest::Method::DELETE, &format!("/api/v1/applications/{app}"), None).await;
    assert_eq!(r.status, 204);
    let r = env
        .send_as(&token, reqwest::Method::GET, &format!("/api/v1/applications/{app}/sessions?status=all"), None)
        .await;
    assert_eq!(statuses(&r.body["items"], "derivedStatus"), HashSet::from(["disconnected".into()]));
}

#[tokio::test]
async fn traces_events_and_stats() {
    let env = start().await;
    let seeded = env.seed(json!({"applications": 2, "sessions": 4, "traces": 120})).await;
    let p1 = env.get("/api/v1/traces?limit=50").await;
    assert_eq!(p1.body["items"].as_array().map(Vec::len), Some(50));
    let p3 = env.get("/api/v1/traces?limit=50&offset=100").await;
    assert_eq!(p3.body["items"].as_array().map(Vec::len), Some(20));
    env.get("/api/v1/traces?offset=-1").await.error(400);
    env.get("/api/v1/traces?limit=500").await.error(400);
    let default = env.get("/api/v1/traces").await;
    assert_eq!(default.body["items"].as_array().map(Vec::len), Some(50));

    let first = &p1.body["items"][0];
    let user = s(&first["ownerUserId"]);
    let by_user = env.get(&format!("/api/v1/traces?userId={user}&limit=200")).await;
    assert!(by_user.body["items"].as_array().into_iter().flatten().all(|t| t["ownerUserId"] == json!(user)));
    let agent = s(&first["agentId"]);
    let by_app = env.get(&format!("/api/v1/traces?applicationId={agent}&limit=200")).await;
    let by_agent = env.get(&format!("/api/v1/traces?agentId={agent}&limit=200")).await;
    assert_eq!(by_app.body, by_agent.body);

    let tid = s(&seeded["traceIds"][0]);
    let t = env.get(&format!("/api/v1/traces/{tid}")).await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["trace"]["traceId"], json!(tid));
    let events = t.body["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len() as u64, t.body["trace"]["eventCount"].as_u64().unwrap_or(0));
    assert_eq!(
        statuses(&t.body["events"], "status"),
        HashSet::from(["ok", "warn", "error_remote", "error_proxy", "error_auth"].map(String::from))
    );
    env.get("/api/v1/traces/9f1c2a44-1111-4222-8333-444455556666").await.error(404);
    env.get("/api/v1/traces/not-a-uuid").await.error(404);

    let stats = env.get("/api/v1/traces/stats?period=30d").await;
    assert_eq!(stats.status, 200);
    assert_eq!(stats.body["totalTraces"], 120);
    let counts = &stats.body["eventCounts"];
    let sum: u64 = ["ok", "warn", "error_remote", "error_proxy", "error_auth"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(Some(sum), stats.body["totalEvents"].as_u64());
    assert!(stats.body["latency"]["p95"].as_u64() >= stats.body["latency"]["p50"].as_u64());
    assert!(stats.body["topTools"][0]["toolName"].is_string());
    let day = env.get("/api/v1/traces/stats?period=24h").await;
    assert_eq!(day.body, env.get("/api/v1/traces/stats?period=1d").await.body);
    assert!(day.body["totalTraces"].as_u64() < Some(120));
    env.get("/api/v1/traces/stats?period=2w").await.error(400);

    let ev = env.get("/api/v1/mcp-events?limit=7").await;
    assert_eq!(ev.body["items"].as_array().map(Vec::len), Some(7));
    env.get("/api/v1/mcp-events?limit=0").await.error(400);
}

#[tokio::test]
async fn empty_org_stats_are_zero() {
    let env = start().await;
    let stats = env.get("/api/v1/traces/stats").await;
    assert_eq!(stats.body["totalTraces"], 0);
    assert_eq!(stats.body["errorRate"], 0.0);
    assert_eq!(stats.body["topTools"], json!([]));
    assert_eq!(env.get("/api/v1/traces").await.body, json!({"items": []}));
}

#[tokio::test]
async fn decisions_cursor_and_filters() {
    let env = start().await;
    let seeded = env.seed(json!({"decisions": 45})).await;
    let mut seen = HashSet::new();
    let mut cursor = String::new();
    loop {
        let r = env.get(&format!("/api/v1/decisions?limit=20{cursor}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for d in r.body["items"].as_array().into_iter().flatten() {
            assert!(seen.insert(s(&d["id"])));
        }
        match r.body.get("nextCursor") {
            Some(c) => cursor = format!("&cursor={}", s(c)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 45);
    let deny = env.get("/api/v1/decisions?decisionResult=deny&limit=200").await;
    assert!(deny.body["items"].as_array().into_iter().flatten().all(|d| d["decisionResult"] == "deny"));
    let newest = env.get("/api/v1/decisions?limit=1").await;
    let at = s(&newest.body["items"][0]["occurredAt"]);
    let upto = env.get(&format!("/api/v1/decisions?to={at}&limit=200")).await;
    assert_eq!(upto.body["items"].as_array().map(Vec::len), Some(44));
    env.get("/api/v1/decisions?from=yesterday").await.error(400);
    let id = s(&seeded["decisionIds"][3]);
    assert_eq!(env.get(&format!("/api/v1/decisions/{id}")).await.body["decision"]["id"], json!(id));
    // Decision ids are opaque (V12): an unknown one is 404 whatever its shape.
    env.get("/api/v1/decisions/nope").await.error(404);
    env.get("/api/v1/decisions/9f1c2a44-1111-4222-8333-444455556666").await.error(404);
}

#[tokio::test]
async fn seeding_ten_thousand_applications_is_fast() {
    let env = start().await;
    let t0 = std::time::Instant::now();
    let seeded = env.seed(json!({"applications": 10000})).await;
    let elapsed = t0.elapsed();
    assert_eq!(seeded["applicationIds"].as_array().map(Vec::len), Some(10000));
    assert!(elapsed.as_millis() < 1500, "seeding took {elapsed:?}");
    let names: HashSet<String> = env.get("/api/v1/applications?limit=200").await.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| s(&a["name"]))
        .collect();
    assert_eq!(names.len(), 200, "names are unique");
}
