//! The library API for users' tests: `Emulator::start()` and the control API as methods.

mod common;

use std::time::Duration;

use kontext_management_emulator::{Emulator, Fault, Options, Seed};
use reqwest::Method;
use serde_json::json;

use common::{Env, http_client};

async fn env(emu: Emulator) -> Env {
    let base = emu.base_url();
    let mut env = Env { emu, base, http: http_client(reqwest::Client::builder()), token: String::new() };
    env.token = env.mint(None).await;
    env
}

#[tokio::test]
async fn start_serves_on_loopback_with_the_bootstrap_account() {
    let emu = Emulator::start().await.expect("start");
    assert!(emu.base_url().starts_with("http://127.0.0.1:"), "{}", emu.base_url());
    assert_eq!((emu.client_id(), emu.client_secret()), ("sa_local_dev", "local-dev-secret"));
    let env = env(emu).await;
    assert_eq!(env.get("/api/v1/applications").await.status, 200);
}

#[tokio::test]
async fn faults_answer_and_show_in_the_request_log() {
    let env = env(Emulator::start().await.expect("start")).await;
    let id = env.emu.fault(Fault::status(503).method("GET").path("/api/v1/applications*")).expect("fault");
    env.emu.fault(Fault::status(429).path("/api/v1/integrations").header("retry-after", "7").times(2)).expect("fault");
    assert_eq!(env.get("/api/v1/applications").await.status, 503);
    assert_eq!(env.get("/api/v1/applications").await.status, 200, "times defaults to 1");
    let limited = env.get("/api/v1/integrations").await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("7")));

    let log = env.emu.requests();
    let paths: Vec<_> = log.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.status)).collect();
    assert_eq!(
        paths,
        [
            ("POST", "/oauth2/token", Some(200)),
            ("GET", "/api/v1/applications", Some(503)),
            ("GET", "/api/v1/applications", Some(200)),
            ("GET", "/api/v1/integrations", Some(429)),
        ]
    );
    assert_eq!(log[1].fault.as_deref(), Some(id.as_str()));
    assert_eq!(log[1].headers.get("authorization").map(String::as_str), Some("Bearer [redacted]"));
    env.emu.clear_faults();
    assert_eq!(env.get("/api/v1/integrations").await.status, 200, "cleared");
    env.emu.clear_requests();
    assert!(env.emu.requests().is_empty());

    let refused = env.emu.fault(Fault::status(700)).expect_err("status out of range");
    assert!(refused.message.contains("status"), "{refused}");
    let refused = env.emu.fault(Fault::default()).expect_err("neither status nor action");
    assert!(refused.to_string().contains("action is required"), "{refused}");
}

#[tokio::test]
async fn the_clock_expires_tokens_and_reset_rewinds_everything() {
    let env = env(Emulator::start().await.expect("start")).await;
    env.emu.advance_clock(Duration::from_secs(3599)).expect("advance");
    assert_eq!(env.get("/api/v1/applications").await.status, 200, "a second left");
    env.emu.advance_clock(Duration::from_secs(2)).expect("advance");
    assert_eq!(env.get("/api/v1/applications").await.status, 401, "expired after an hour");
    assert!(env.emu.advance_clock(Duration::from_secs(200 * 365 * 86_400)).is_err());

    let seeded = env.emu.seed(Seed { applications: 2, integrations: 1, ..Seed::default() }).expect("seed");
    assert_eq!((seeded.application_ids.len(), seeded.integration_ids.len()), (2, 1));
    env.emu.fault(Fault::status(500)).expect("fault");
    env.emu.reset().expect("reset");
    // The clock is back (a fresh token works), the fault and the seeded records are gone.
    let token = env.mint(None).await;
    let apps = env.send_as(&token, Method::GET, "/api/v1/applications", None).await;
    assert_eq!((apps.status, apps.body["items"].clone()), (200, json!([])));
    assert_eq!(env.emu.requests().len(), 2, "the log restarted at reset: {:?}", env.emu.requests());

    let n = env.emu.revoke_tokens().expect("revoke");
    assert!(n >= 1);
    assert_eq!(env.send_as(&token, Method::GET, "/api/v1/applications", None).await.status, 401);
}

#[tokio::test]
async fn a_busy_port_is_an_error_naming_the_address() {
    let first = Emulator::start().await.expect("start");
    let port: u16 = first.base_url().rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let err = match Emulator::start_with(Options { port, ..Options::default() }).await {
        Ok(_) => panic!("bound a port already in use"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&format!("cannot bind 127.0.0.1:{port}")), "{err}");
}

#[tokio::test]
async fn dropping_the_emulator_stops_it() {
    let emu = Emulator::start().await.expect("start");
    let addr = emu.base_url().trim_start_matches("http://").to_owned();
    assert!(tokio::net::TcpStream::connect(&addr).await.is_ok());
    drop(emu);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err(), "still listening after drop");
}
