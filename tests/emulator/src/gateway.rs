//! The middleware every request passes: request id, CORS and the control API's origin check
//! (see `origins.rs`), request log, fault rules, and for `/api/v1` the token check, rate limit,
//! scope check and `Idempotency-Key` replay.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth;
use crate::errors::ApiError;
use crate::faults::{self, Action};
use crate::origins;
use crate::server::ConnKill;
use crate::state::{AppState, IdempotencyScope, StoredResponse, lock};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

pub fn is_control(path: &str) -> bool {
    path == "/_emulator" || path.starts_with("/_emulator/")
}

/// The consent page and its form post: navigations only, never read or posted by scripts of
/// another origin (no CORS at all).
fn is_consent(path: &str) -> bool {
    matches!(path, "/oauth2/auth" | "/oauth2/authorize")
}

pub async fn gateway(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = st.request_id();
    let path = req.uri().path().to_owned();
    // The origin that gets CORS headers: a trusted page, on a route scripts may call. The API,
    // token and discovery routes serve the WASM engine in browser pages (the console, and the
    // test pages on other loopback ports); the control API serves those test pages too.
    let origin = origins::origin(req.headers()).map(str::to_owned);
    let cors_origin = origin.clone().filter(|o| st.hosts.trusts_origin(o) && !is_consent(&path));
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = if preflight {
        match &cors_origin {
            Some(_) => preflight_response(req.headers()),
            None => ApiError::new(StatusCode::FORBIDDEN, "Cross-origin requests are allowed from loopback pages only")
                .into_response(),
        }
    } else if is_control(&path) {
        // A page elsewhere may still *send* a simple POST (no preflight): refuse it before the
        // handler runs (`/_emulator/reset` would wipe the state). Tools send no `Origin`.
        match &origin {
            Some(o) if !st.hosts.trusts_origin(o) => ApiError::new(
                StatusCode::FORBIDDEN,
                "The control API answers tools and loopback pages only, not pages of another origin",
            )
            .into_response(),
            _ => next.run(req).await,
        }
    } else {
        public(&st, req, next).await
    };
    let headers = resp.headers_mut();
    headers.insert(X_REQUEST_ID, request_id);
    // Answers differ by `Origin`: caches must keep them apart.
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(value) = cors_origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(
                "x-request-id, retry-after, retry-after-ms, x-should-retry, etag, www-authenticate, location, idempotent-replayed",
            ),
        );
    }
    resp
}

fn preflight_response(req_headers: &HeaderMap) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    let allow_headers =
        req_headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned().unwrap_or(HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    resp
}

async fn public(st: &AppState, req: Request, next: Next) -> Response {
    let slot = st.log.arrive(req.method(), req.uri(), req.headers(), st.now());
    let rule = st.faults.take(req.method().as_str(), req.uri().path());
    let mut fault_id = None;
    if let Some(rule) = rule.as_ref().filter(|r| r.after) {
        return after_handling(st, rule, slot, req, next).await;
    }
    if let Some(rule) = rule {
        fault_id = Some(rule.id.clone());
        if rule.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
        }
        match rule.action {
            Action::Delay => {}
            Action::Drop => {
                st.log.finish(slot, None, fault_id);
                return drop_connection(req).await;
            }
            _ => {
                let resp = faults::response(&rule);
                st.log.finish(slot, Some(resp.status().as_u16()), fault_id);
                return resp;
            }
        }
    }
    let path = req.uri().path();
    let resp = if path == "/api/v1" || path.starts_with("/api/v1/") {
        api_guard(st, req, next).await
    } else {
        next.run(req).await
    };
    st.log.finish(slot, Some(resp.status().as_u16()), fault_id);
    resp
}

/// A rule with `after`: the request is handled first (its change committed), then its answer is
/// delayed, replaced or dropped. The handler runs to completion even if the client gives up.
async fn after_handling(st: &AppState, rule: &faults::Rule, slot: u64, req: Request, next: Next) -> Response {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let path = req.uri().path();
    let handled = if path == "/api/v1" || path.starts_with("/api/v1/") {
        api_guard(st, req, next).await
    } else {
        next.run(req).await
    };
    if rule.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
    }
    let fault_id = Some(rule.id.clone());
    match rule.action {
        Action::Delay => {
            st.log.finish(slot, Some(handled.status().as_u16()), fault_id);
            handled
        }
        Action::Drop => {
            st.log.finish(slot, None, fault_id);
            match kill {
                Some(kill) => {
                    kill.kill();
                    std::future::pending::<Response>().await
                }
                None => drop_connection_now(),
            }
        }
        _ => {
            let resp = faults::response(rule);
            st.log.finish(slot, Some(resp.status().as_u16()), fault_id);
            resp
        }
    }
}

fn drop_connection_now() -> Response {
    Response::new(Body::from_stream(futures_util::stream::once(async {
        Err::<bytes::Bytes, _>(std::io::Error::other("connection dropped by fault rule"))
    })))
}

/// Breaks the TCP connection mid-status-line: the connection task owns the socket and breaks it
/// when signalled; this future never completes.
async fn drop_connection(req: Request) -> Response {
    match req.extensions().get::<ConnKill>() {
        Some(kill) => {
            kill.kill();
            std::future::pending::<Response>().await
        }
        // Not served by our accept loop (e.g. driven in-process): the closest thing is a body
        // that fails at once.
        None => Response::new(Body::from_stream(futures_util::stream::once(async {
            Err::<bytes::Bytes, _>(std::io::Error::other("connection dropped by fault rule"))
        }))),
    }
}

async fn api_guard(st: &AppState, mut req: Request, next: Next) -> Response {
    let principal = match auth::authenticate(st, req.headers()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = auth::rate_limit(st, &principal.client_id) {
        return e.into_response();
    }
    let api_path = req.uri().path().strip_prefix("/api/v1").unwrap_or("");
    if let Some(required) = auth::required_scope(req.method(), api_path)
        && !auth::has_scope(&principal.scopes, &required)
    {
        return ApiError::insufficient_scope(&required).into_response();
    }
    let key = if req.method() == Method::POST {
        req.headers().get(IDEMPOTENCY_KEY).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    } else {
        None
    };
    // A key replays only for the caller that used it: the same client *and* the same subject
    // (two users of one public app share a client id; their responses must never cross).
    let scope = key.map(|key| IdempotencyScope {
        client_id: principal.client_id.clone(),
        subject: principal.subject.key(),
        path: req.uri().path().to_owned(),
        key,
    });
    req.extensions_mut().insert(principal);
    match scope {
        None => next.run(req).await,
        Some(scope) => idempotent(st, scope, req, next).await,
    }
}

async fn idempotent(st: &AppState, scope: IdempotencyScope, req: Request, next: Next) -> Response {
    if scope.key.is_empty() || scope.key.len() > 255 {
        return ApiError::bad_request("Idempotency-Key must be 1 to 255 characters").into_response();
    }
    let slot = lock(&st.idempotency).entry(scope).or_default().clone();
    // Holding the slot's async lock makes concurrent repeats wait for the first one's answer.
    let mut stored = slot.lock().await;
    if let Some(s) = stored.as_ref() {
        let mut resp = Response::new(Body::from(s.body.clone()));
        *resp.status_mut() = StatusCode::from_u16(s.status).unwrap_or(StatusCode::OK);
        for (k, v) in &s.headers {
            if let Ok(name) = HeaderName::from_bytes(k.as_bytes()) {
                resp.headers_mut().insert(name, v.clone());
            }
        }
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        return resp;
    }
    let resp = next.run(req).await;
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, 64 << 20).await else {
        return ApiError::internal("Failed to buffer the response").into_response();
    };
    let status = parts.status.as_u16();
    // Failures worth retrying (429, 5xx) are not pinned to the key.
    if status < 500 && status != 429 {
        let headers = parts
            .headers
            .iter()
            .filter(|(k, _)| *k == header::CONTENT_TYPE || *k == header::ETAG || *k == header::LOCATION)
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect();
        *stored = Some(StoredResponse { status, headers, body: bytes.clone() });
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use serde_json::Value;
    use tower_service::Service;

    use super::*;
    use crate::fuzzing::{TOKEN, fresh};
    use crate::state::model::{Subject, Token, TokenKind};
    use crate::util;

    /// A second caller of the same OAuth client as `TOKEN` (the bootstrap service account's
    /// client id), but another subject: a user, as two users of one public app are.
    const OTHER_SUBJECT: &str = "other-subject-token";

    async fn create(router: &mut axum::Router, token: &str, key: &str, name: &str) -> (StatusCode, bool, Value) {
        let req = Request::post("/api/v1/applications")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, key)
            .body(Body::from(format!(
                r#"{{"name":"{name}","oauth":{{"type":"confidential","redirectUris":["https://a.test/cb"]}}}}"#
            )))
            .expect("request");
        let resp = match router.call(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = resp.status();
        let replayed = resp.headers().contains_key("idempotent-replayed");
        let body = to_bytes(resp.into_body(), 1 << 20).await.expect("body");
        (status, replayed, serde_json::from_slice(&body).expect("json"))
    }

    #[tokio::test]
    async fn an_idempotency_key_replays_only_for_the_subject_that_used_it() {
        let (st, mut router) = fresh();
        let now = st.now();
        st.write(|d| {
            d.insert_token(
                util::sha256(OTHER_SUBJECT.as_bytes()),
                Token {
                    kind: TokenKind::Access,
                    client_id: "sa_local_dev".into(),
                    subject: Subject::User { user_id: uuid::Uuid::new_v4(), app_id: uuid::Uuid::new_v4() },
                    scopes: vec!["management:all".into()],
                    issued_at: now,
                    expires_at: now + 3_600_000,
                },
            );
            Ok(())
        })
        .expect("token");

        let (status, replayed, first) = create(&mut router, TOKEN, "shared-key", "first").await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
        assert!(first["oauth"]["clientSecret"].is_string(), "{first}");
        // The same caller and key: the stored answer, secret included (that is the point).
        let (_, replayed, again) = create(&mut router, TOKEN, "shared-key", "first").await;
        assert!(replayed);
        assert_eq!(again, first);
        // Another subject with the same client id and key: its own request, never the first
        // caller's answer (which holds that application's client secret).
        let (status, replayed, other) = create(&mut router, OTHER_SUBJECT, "shared-key", "second").await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false), "{other}");
        assert_ne!(other["application"]["id"], first["application"]["id"]);
        assert_ne!(other["oauth"]["clientSecret"], first["oauth"]["clientSecret"]);
    }
}
