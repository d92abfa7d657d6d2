//! `cargo test`: each test starts its own in-process emulator (127.0.0.1, a free port), stopped
//! when it is dropped.

use std::time::{Duration, Instant};

use kontext_management::Client;
use kontext_management::models::CreateApplication;
use kontext_management_emulator::{Emulator, Fault};
use kontext_testing_example::app_names;

fn client_for(emu: &Emulator) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .client_credentials(emu.client_id(), emu.client_secret())
        .build()
        .expect("client")
}

/// (path, status) of each request the emulator saw.
fn log(emu: &Emulator) -> Vec<(String, Option<u16>)> {
    emu.requests().into_iter().map(|r| (r.path, r.status)).collect()
}

#[tokio::test]
async fn a_503_is_retried() {
    let emu = Emulator::start().await.expect("emulator");
    let client = client_for(&emu);
    client.applications().create(CreateApplication::new("Support copilot")).await.expect("create");
    emu.fault(Fault::status(503).method("GET").path("/api/v1/applications")).expect("fault");

    assert_eq!(app_names(&client).await.expect("names"), ["Support copilot"]);

    let statuses: Vec<_> = log(&emu).into_iter().filter(|(p, _)| p == "/api/v1/applications").map(|(_, s)| s).collect();
    assert_eq!(statuses[statuses.len() - 2..], [Some(503), Some(200)]);
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let emu = Emulator::start().await.expect("emulator");
    emu.fault(Fault::status(429).path("/api/v1/applications").header("retry-after", "1")).expect("fault");

    let started = Instant::now();
    let names = app_names(&client_for(&emu)).await.expect("names");
    assert!(started.elapsed() >= Duration::from_secs(1), "the client waited as Retry-After asked");
    assert!(names.is_empty());
}

#[tokio::test]
async fn an_expired_token_is_renewed() {
    let emu = Emulator::start().await.expect("emulator");
    let client = client_for(&emu);
    app_names(&client).await.expect("names");
    emu.advance_clock(Duration::from_secs(3601)).expect("clock"); // past the token's hour

    app_names(&client).await.expect("names after expiry");

    let log = log(&emu);
    let last: Vec<_> = log[log.len() - 3..].iter().map(|(p, s)| (p.as_str(), *s)).collect();
    assert_eq!(
        last,
        [("/api/v1/applications", Some(401)), ("/oauth2/token", Some(200)), ("/api/v1/applications", Some(200))]
    );
}

#[tokio::test]
async fn an_error_the_client_gives_up_on() {
    let emu = Emulator::start().await.expect("emulator");
    emu.fault(Fault::status(503).path("/api/v1/applications").times(10)).expect("fault");
    let client = Client::builder()
        .base_url(emu.base_url())
        .client_credentials(emu.client_id(), emu.client_secret())
        .max_retries(1)
        .build()
        .expect("client");

    let error = app_names(&client).await.expect_err("503 after the retry");
    assert_eq!(error.status(), Some(503));
}

/// The example of the README's "Testing your code" (Rust), kept compiling and passing here.
#[tokio::test]
async fn retries_a_503_and_renews_an_expired_token() {
    let emu = Emulator::start().await.expect("emulator");
    let client = client_for(&emu);

    emu.fault(Fault::status(503).path("/api/v1/applications")).expect("fault"); // the next list fails once
    client.applications().list(Default::default()).await.expect("retried");

    emu.advance_clock(Duration::from_secs(3601)).expect("clock"); // the token has expired
    client.applications().list(Default::default()).await.expect("renewed"); // 401, new token, again

    let statuses: Vec<_> = emu.requests().iter().filter_map(|r| r.status).collect();
    assert_eq!(statuses, [200, 503, 200, 401, 200, 200]);
}
