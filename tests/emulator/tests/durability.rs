//! `--db`: state survives a restart; and the CLI announces itself with one JSON line.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use kontext_management_emulator::Options;
use reqwest::Method;
use serde_json::{Value, json};

use common::{options, s, start_with};

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kontext-management-emulator-test-{}-{}", std::process::id(), name));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("state.db")
}

#[tokio::test]
async fn sqlite_state_survives_a_restart() {
    let db = temp_db("restart");
    let opts = Options { db: Some(db.clone()), ..options() };
    let (app_id, sa_client, sa_secret, policy_version, etag, old_token) = {
        let env = start_with(opts.clone()).await;
        let app = env.create_app("Durable").await;
        let sa = env.post("/api/v1/service-accounts", json!({"name": "Persisted"})).await;
        let integ = env.create_integration(json!({"name": "GitHub", "url": "https://mcp.github.test/mcp"})).await;
        let app_id = s(&app["application"]["id"]);
        env.post_empty(&format!("/api/v1/applications/{app_id}/integrations/{}", s(&integ["id"]))).await;
        let pol = env
            .http
            .put(env.url("/api/v1/policy"))
            .bearer_auth(&env.token)
            .header("if-none-match", "*")
            .json(&json!({"policyText": "permit(principal, action, resource);"}))
            .send()
            .await
            .expect("send");
        let etag = pol.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let pol: Value = pol.json().await.expect("json");
        env.seed(json!({"traces": 3, "decisions": 4})).await;
        let r = (
            app_id,
            s(&sa.body["credentials"]["clientId"]),
            s(&sa.body["credentials"]["clientSecret"]),
            s(&pol["policyVersionId"]),
            etag,
            env.token.clone(),
        );
        env.emu.shutdown().await;
        r
    };
    let env = start_with(opts.clone()).await;
    let got = env.get(&format!("/api/v1/applications/{app_id}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["application"]["name"], "Durable");
    assert_eq!(
        env.get(&format!("/api/v1/applications/{app_id}/integrations")).await.body["integrationIds"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(env.token_response(&sa_client, &sa_secret, None).await.status, 200, "SA secret hashes persist");
    let pol = env.get("/api/v1/policy").await;
    assert_eq!(pol.body["policyVersionId"], json!(policy_version));
    assert_eq!(pol.header("etag"), Some(etag.as_str()));
    assert_eq!(env.get("/api/v1/traces").await.body["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(env.get("/api/v1/decisions").await.body["items"].as_array().map(Vec::len), Some(4));
    let r = env.send_as(&old_token, Method::GET, "/api/v1/applications", None).await;
    assert_eq!(r.status, 200, "tokens are persisted too");
    // Names stay unique across the restart.
    assert_eq!(env.post("/api/v1/applications", json!({"name": "Durable"})).await.status, 409);
    // New items sort after the old ones.
    env.create_app("After restart").await;
    let list = env.get("/api/v1/applications").await;
    assert_eq!(list.body["items"][1]["name"], "After restart");
    drop(env);

    // Reset wipes the file's organization too.
    let env = start_with(opts.clone()).await;
    env.control(Method::POST, "/_emulator/reset", Some(json!({}))).await;
    drop(env);
    let env = start_with(opts).await;
    assert_eq!(env.get("/api/v1/applications").await.body, json!({"items": []}));
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

#[test]
fn cli_prints_one_json_line_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kontext-management-emulator"))
        .args(["--port", "0", "--json", "--rate-limit", "0", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("line");
    let v: Value = serde_json::from_str(&line).expect("one JSON line");
    assert_eq!(v["clientId"], "sa_local_dev");
    assert_eq!(v["clientSecret"], "local-dev-secret");
    let base = s(&v["baseUrl"]);
    assert!(base.starts_with("http://127.0.0.1:"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let status = rt.block_on(async {
        let http = common::http_client(reqwest::Client::builder());
        http.get(format!("{base}/.well-known/oauth-authorization-server")).send().await.map(|r| r.status().as_u16())
    });
    assert_eq!(status.ok(), Some(200));
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "graceful exit on SIGTERM: {exit:?}");
}
