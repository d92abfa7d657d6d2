//! In-process checks of the admin surface that the scenario suite cannot make through an SDK:
//! the minted token's fingerprint, the PATCH no SDK sends, the artifact URL's signature and
//! expiry, and persistence of the new records.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower_service::Service;

use crate::fuzzing::{TOKEN, fresh};
use crate::util;

async fn send(router: &mut Router, method: Method, uri: &str, body: Option<&str>) -> (StatusCode, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned()))).expect("request");
    let resp = match router.call(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = resp.status();
    (status, to_bytes(resp.into_body(), 1 << 20).await.expect("body").to_vec())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("json")
}

#[tokio::test]
async fn a_minted_token_is_named_by_the_sha256_of_its_value() {
    let (_st, mut router) = fresh();
    for path in ["/api/v1/organizations/current/directory/scim-tokens", "/api/v1/organizations/current/install-tokens"]
    {
        let (status, body) = send(&mut router, Method::POST, path, Some(r#"{"label":"ci"}"#)).await;
        assert_eq!(status, StatusCode::CREATED);
        let minted = json(&body);
        let token = minted["token"].as_str().expect("token");
        assert_eq!(minted["sha256"], util::sha256_hex(token), "{path}");
        let (_, list) = send(&mut router, Method::GET, path, None).await;
        let list = String::from_utf8(list).expect("utf-8");
        assert!(!list.contains(token), "a list must never carry the token: {list}");
        let (status, body) = send(&mut router, Method::POST, path, Some(r#"{"label":" "}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", json(&body));
    }
}

#[tokio::test]
async fn patching_agent_access_is_the_other_403_without_missing_scopes() {
    let (_st, mut router) = fresh();
    let (status, body) =
        send(&mut router, Method::PATCH, "/api/v1/organizations/current/agent-access", Some(r#"{"areas":{}}"#)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = json(&body);
    assert_eq!(body["statusCode"], 403);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("dashboard")), "{body}");
    assert!(body.get("missingScopes").is_none() && body.get("error").is_none(), "{body}");
}

#[tokio::test]
async fn artifact_urls_are_signed_and_expire() {
    let (st, mut router) = fresh();
    let path = "/api/v1/deployments/releases/1.4.0/artifacts/install_script/download-url";
    let (status, body) = send(&mut router, Method::POST, path, None).await;
    assert_eq!(status, StatusCode::OK);
    let url = json(&body)["url"].as_str().expect("url").to_owned();
    let local = &url[url.find("/downloads/").expect("artifact path")..];
    let (status, bytes) = send(&mut router, Method::GET, local, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"#!/bin/sh"));
    let forged = local.replace("sig=", "sig=0");
    assert_eq!(send(&mut router, Method::GET, &forged, None).await.0, StatusCode::FORBIDDEN);
    let other_kind = local.replace("/install_script?", "/package?");
    assert_eq!(send(&mut router, Method::GET, &other_kind, None).await.0, StatusCode::FORBIDDEN);
    st.advance_clock(16 * 60_000);
    assert_eq!(send(&mut router, Method::GET, local, None).await.0, StatusCode::FORBIDDEN);
    let unknown = "/api/v1/deployments/releases/9.9.9/artifacts/package/download-url";
    assert_eq!(send(&mut router, Method::POST, unknown, None).await.0, StatusCode::NOT_FOUND);
}

#[test]
fn admin_records_survive_a_restart_on_a_database() {
    let dir = std::env::temp_dir().join(format!("kontext-admin-{}", util::hex(&util::random_bytes::<6>())));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("state.db");
    let open = || {
        crate::state::Shared::new(
            "http://127.0.0.1:1".into(),
            "sa_local_dev".into(),
            "secret".into(),
            crate::state::Config {
                rate_limit_per_minute: 0,
                token_ttl_seconds: 3600,
                omit_expires_in: false,
                device_grant: true,
                device_interval_ms: 5_000,
                device_expires_in_seconds: 600,
            },
            Some(&db),
            None,
        )
        .expect("state")
    };
    let first = open();
    first
        .write(|d| {
            let (rec, _) = super::tokens::mint("kscim_", d.next_seq(), "entra-prod".into(), 1);
            let rec = crate::state::admin::ScimTokenRec(rec);
            d.changes.put(&rec);
            d.admin.scim_tokens.insert(rec);
            super::directory::seed(
                d,
                &mut util::Rng::new(7),
                2,
                super::directory::SeedCounts { groups: 2, endpoints: 4 },
            );
            Ok(())
        })
        .expect("write");
    drop(first);
    let second = open();
    second.read(|d| {
        assert_eq!(d.admin.scim_tokens.iter().map(|t| t.0.label.as_str()).collect::<Vec<_>>(), ["entra-prod"]);
        assert_eq!(d.admin.groups.iter().count(), 2);
        assert_eq!(d.admin.endpoints.iter().count(), 4);
        assert!(d.admin.sync.is_some());
    });
    let _ = std::fs::remove_dir_all(&dir);
}
