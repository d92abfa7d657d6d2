//! The client's `maxResponseBytes` reaches the HTTP stack: a page above it fails as a `decode`
//! error, the same page under it decodes (the stack's own tests cover the reading itself).

mod support;

use kontext_management::{Client, ClientOptions, Credentials, ErrorKind};
use serde_json::json;
use support::Control;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_response_bytes_bounds_every_body_the_client_reads() {
    let emulator = support::emulator("sa_limits", "limits-secret").await;
    let base = emulator.base_url();
    Control::new(&base).post("/_emulator/seed", json!({"applications": 20})).await;
    let options = |limit: Option<u64>| ClientOptions {
        credentials: Some(Credentials { client_id: "sa_limits".into(), client_secret: "limits-secret".into() }),
        max_response_bytes: limit,
        ..ClientOptions::new(base.clone())
    };

    let roomy = Client::from_options(options(None)).unwrap();
    let page = roomy.applications().list(Default::default()).await.unwrap();
    assert_eq!(page.items.len(), 20);

    // The token response (~200 bytes) fits; the page of 20 applications (several KB) does not.
    let tight = Client::from_options(options(Some(2_000))).unwrap();
    let error = tight.applications().list(Default::default()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(error.status(), Some(200));
    assert!(error.to_string().contains("maxResponseBytes (2000 bytes)"), "{error}");
    // Not a transient failure: sent once, not retried.
    let log = Control::new(&base).get("/_emulator/requests").await;
    let lists = log["items"].as_array().unwrap().iter().filter(|r| r["path"] == "/api/v1/applications").count();
    assert_eq!(lists, 2, "one list per client: {log}");

    // The builder sets the same option.
    let built = Client::builder()
        .base_url(&base)
        .client_credentials("sa_limits", "limits-secret")
        .max_response_bytes(2_000)
        .build()
        .unwrap();
    assert_eq!(built.applications().list(Default::default()).await.unwrap_err().kind(), ErrorKind::Decode);
}
