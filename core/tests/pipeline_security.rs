//! Issue 24, pipeline side: what a token endpoint's `expires_in` may not do (L1), how long a call
//! may wait for a token (L8), the server's `x-should-retry` (openai-python's rule), and what
//! `Debug` may show (L6). Each test runs against a scripted server on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kontext_management::{Client, ClientOptions, ErrorKind, RequestOptions};
use serde_json::json;

#[path = "support/fake.rs"]
mod fake;
use fake::{Fake, Reply, Seen};

/// A Management API whose token endpoint answers `token` and whose list answers `api(n)` for
/// the n-th API request; returns the server and the count of token requests.
async fn api(token: Reply, api: impl Fn(usize) -> Reply + Send + Sync + 'static) -> (Fake, Arc<AtomicUsize>) {
    let mints = Arc::new(AtomicUsize::new(0));
    let (count, calls) = (mints.clone(), AtomicUsize::new(0));
    let fake = Fake::start(move |seen: &Seen| {
        if seen.path == "/oauth2/token" {
            count.fetch_add(1, Ordering::SeqCst);
            token.clone()
        } else {
            api(calls.fetch_add(1, Ordering::SeqCst))
        }
    })
    .await;
    (fake, mints)
}

fn items(_: usize) -> Reply {
    Reply::json(200, json!({"items": []}))
}

fn client(base: &str) -> Client {
    Client::builder().base_url(base).client_credentials("sa_1", "secret").build().unwrap()
}

#[tokio::test]
async fn a_huge_expires_in_is_capped_not_a_panic() {
    // u64::MAX seconds used to overflow `Instant + Duration` and panic on every mint.
    let token = Reply {
        status: 200,
        headers: vec![],
        body: r#"{"access_token":"ory_at_x","token_type":"Bearer","expires_in":18446744073709551615}"#.into(),
        delay: Duration::ZERO,
    };
    let (fake, mints) = api(token, items).await;
    let client = client(&fake.base);
    client.applications().list(Default::default()).await.unwrap();
    client.applications().list(Default::default()).await.unwrap();
    assert_eq!(mints.load(Ordering::SeqCst), 1, "the capped lifetime still keeps the token cached");
}

#[tokio::test]
async fn expires_in_zero_shares_one_mint_among_waiting_callers() {
    // A token that lives 0 s is never "fresh"; callers queued behind its mint must still use it
    // rather than each minting one in turn.
    let token =
        Reply::json(200, json!({"access_token": "ory_at_x", "expires_in": 0})).delayed(Duration::from_millis(300));
    let (fake, mints) = api(token, items).await;
    let client = client(&fake.base);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.applications().list(Default::default()).await.map(drop) })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert!(mints.load(Ordering::SeqCst) <= 2, "{} mints for 20 concurrent calls", mints.load(Ordering::SeqCst));
}

#[tokio::test]
async fn waiting_for_a_token_counts_against_the_call_timeout() {
    let token =
        Reply::json(200, json!({"access_token": "ory_at_x", "expires_in": 3600})).delayed(Duration::from_secs(4));
    let (fake, _) = api(token, items).await;
    let hurried =
        client(&fake.base).with_options(RequestOptions::new().timeout(Duration::from_millis(300)).max_retries(0));
    let started = Instant::now();
    let e = hurried.applications().list(Default::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn x_should_retry_false_stops_a_retry() {
    let token = Reply::json(200, json!({"access_token": "ory_at_x", "expires_in": 3600}));
    let (fake, _) = api(token, |_| {
        Reply::json(503, json!({"message": "down", "statusCode": 503})).header("x-should-retry", "false")
    })
    .await;
    let e = client(&fake.base).applications().list(Default::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ServerError);
    assert_eq!(fake.count("GET", "/api/v1/applications"), 1);
}

#[tokio::test]
async fn x_should_retry_true_retries_what_the_status_would_not() {
    let token = Reply::json(200, json!({"access_token": "ory_at_x", "expires_in": 3600}));
    let (fake, _) = api(token, |n| match n {
        0 => Reply::json(409, json!({"message": "busy", "statusCode": 409})).header("x-should-retry", "true"),
        _ => Reply::json(200, json!({"items": []})),
    })
    .await;
    client(&fake.base).applications().list(Default::default()).await.unwrap();
    assert_eq!(fake.count("GET", "/api/v1/applications"), 2);
}

#[test]
fn debug_shows_header_names_but_not_their_values_nor_the_idempotency_key() {
    const KEY: &str = "gw_live_Hs8Dn3Fq7Lz1Xc5Vb9";
    const IDEMPOTENCY: &str = "create-app-Qe5Xa1Jc6Uv0";
    let builder = Client::builder().base_url("https://api.kontext.security").header("x-gateway-key", KEY);
    let mut options = ClientOptions::new("https://api.kontext.security");
    options.headers = Some([("x-gateway-key".to_owned(), KEY.to_owned())].into());
    let request = RequestOptions::new().header("x-gateway-key", KEY).idempotency_key(IDEMPOTENCY);
    let client = Client::from_options(ClientOptions {
        credentials: Some(kontext_management::Credentials { client_id: "sa_1".into(), client_secret: "s".into() }),
        ..options.clone()
    })
    .unwrap();
    for dump in [format!("{builder:?}"), format!("{options:?}"), format!("{request:?}"), format!("{client:?}")] {
        assert!(!dump.contains(KEY) && !dump.contains(IDEMPOTENCY), "{dump}");
    }
    for dump in [format!("{builder:?}"), format!("{options:?}"), format!("{request:?}")] {
        assert!(dump.contains("x-gateway-key"), "{dump}");
    }
}
