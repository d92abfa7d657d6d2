//! Secrets never leak: with a known client secret and known tokens, everything the SDK logs (at
//! TRACE, `log` records included) and every `Debug`/`Display`/`details()` rendering of clients,
//! options, credentials, secret-bearing models and errors is captured and searched for them.
//!
//! The calls mix successes and failures: bad credentials, 404, 429, a timeout, a refused
//! connection, a 503 that is retried, a 401 that renews the token, undecodable answers (also of
//! responses that carry a secret: the body snippet of a decode error must not hold it), PKCE user
//! tokens, rotated and revoked secrets.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use futures_util::TryStreamExt;
use kontext_management::models::{
    AuthorizeUrlRequest, CreateApplication, CreateApplicationOAuth, CreateServiceAccount, ExchangeCode, ExternalAuth,
    OAuthClientType, RefreshUserToken, UpdateApplication,
};
use kontext_management::{Client, ClientOptions, Credentials, Error, ErrorKind, RequestOptions, Secret};
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

mod support;
use support::Control;

const CLIENT_ID: &str = "sa_secrets_probe";
/// The bootstrap account's secret: the client secret every client below authenticates with.
const CLIENT_SECRET: &str = "kx_cs_9Vq2Lm7Tz4Rw8NpYb3HdQ1";
const WRONG_SECRET: &str = "kx_wrong_Qe5Xa1Jc6Uv0KsWm2";
const PARTNER_KEY: &str = "pk_live_Hs8Dn3Fq7Lz1Xc5Vb9";
/// Served by fault rules inside undecodable answers.
const PLANTED_TOKEN: &str = "ory_at_PLANTEDinDECODEerror4711";
const PLANTED_SECRET: &str = "sa_secret_PLANTEDinDECODEerror0815";

/// Everything written by the global subscriber.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// Installs (once) a global TRACE subscriber that also receives `log` records (reqwest's).
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_target(true)
            .with_span_events(FmtSpan::FULL)
            .with_writer(capture.clone())
            .try_init()
            .expect("install the capturing subscriber");
        capture
    })
}

/// Renderings to search, each with a label for the failure message.
#[derive(Default)]
struct Dumps(Vec<(String, String)>);

impl Dumps {
    fn debug(&mut self, label: &str, value: &impl std::fmt::Debug) {
        self.0.push((format!("{label} (Debug)"), format!("{value:?}")));
        self.0.push((format!("{label} (Debug, pretty)"), format!("{value:#?}")));
    }
    fn error(&mut self, label: &str, error: &Error) {
        self.debug(label, error);
        self.0.push((format!("{label} (Display)"), error.to_string()));
        self.0.push((format!("{label} (details JSON)"), serde_json::to_string(&error.details()).unwrap()));
        self.debug(&format!("{label} details"), &error.details());
    }
}

fn expect_err<T: std::fmt::Debug>(result: kontext_management::Result<T>, kind: ErrorKind, what: &str) -> Error {
    match result {
        Ok(v) => panic!("{what}: expected {kind:?}, got {v:?}"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{what}: {e}");
            e
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_tokens_never_reach_logs_or_renderings() {
    let logs = capture();
    let emulator = support::emulator(CLIENT_ID, CLIENT_SECRET).await;
    let base = emulator.base_url();
    let control = Control::new(&base);

    // Known secrets and tokens: every one of them is searched for at the end.
    let mut needles: Vec<(&'static str, String)> = vec![
        ("client secret", CLIENT_SECRET.into()),
        ("wrong client secret", WRONG_SECRET.into()),
        ("partner API key", PARTNER_KEY.into()),
        ("planted token", PLANTED_TOKEN.into()),
        ("planted secret", PLANTED_SECRET.into()),
    ];
    let basic = |id: &str, secret: &str| base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    needles.push(("Basic credentials", basic(CLIENT_ID, CLIENT_SECRET)));
    needles.push(("Basic credentials (wrong)", basic(CLIENT_ID, WRONG_SECRET)));

    // A known access token, minted outside the SDK.
    let minted: Value = control
        .http
        .post(format!("{base}/oauth2/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "management:all")])
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("token json");
    let access_token = minted["access_token"].as_str().expect("access_token").to_owned();
    needles.push(("access token", access_token.clone()));

    let mut dumps = Dumps::default();

    // Options, credentials and clients.
    let options = ClientOptions {
        credentials: Some(Credentials { client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.into() }),
        timeout_ms: Some(2_000),
        ..ClientOptions::new(base.clone())
    };
    dumps.debug("ClientOptions with credentials", &options);
    dumps.debug("Credentials", options.credentials.as_ref().unwrap());
    dumps.debug("Secret", &Secret::new(CLIENT_SECRET));
    dumps.0.push(("Secret (Display)".into(), Secret::new(CLIENT_SECRET).to_string()));
    let token_options =
        ClientOptions { access_token: Some(access_token.clone().into()), ..ClientOptions::new(base.clone()) };
    dumps.debug("ClientOptions with accessToken", &token_options);
    let builder = Client::builder().base_url(&base).client_credentials(CLIENT_ID, CLIENT_SECRET);
    dumps.debug("ClientBuilder", &builder);
    let client = Client::from_options(options.clone()).expect("client");
    let bearer = Client::from_options(token_options).expect("bearer client");
    let request_options = RequestOptions::new().idempotency_key("create-1").header("x-team", "blue");
    dumps.debug("RequestOptions", &request_options);

    // Successful calls, including every response that carries a secret.
    client.applications().list(Default::default()).await.expect("list");
    let created = client
        .with_options(request_options.clone())
        .applications()
        .create(
            CreateApplication::new("secrets-probe").with_oauth(CreateApplicationOAuth::new(["https://app.example/cb"])),
        )
        .await
        .expect("create application");
    let app_secret = created.oauth.client_secret.as_ref().expect("confidential app secret").expose().to_owned();
    needles.push(("application client secret", app_secret));
    dumps.debug("Response<CreatedApplication>", &created);
    let app_id = created.application.id.clone();
    let rotated = client.applications().rotate_secret(&app_id).await.expect("rotate");
    needles.push(("rotated application secret", rotated.oauth.client_secret.as_ref().unwrap().expose().to_owned()));
    dumps.debug("Response<OAuthResponse> (rotate)", &rotated);
    let update = UpdateApplication {
        external_auth: Some(ExternalAuth {
            enabled: Some(true),
            issuer: Some("https://partner.example".into()),
            jwks_url: Some("https://partner.example/jwks.json".into()),
            partner_api_key: Some(PARTNER_KEY.into()),
            ..ExternalAuth::default()
        }),
        ..UpdateApplication::default()
    };
    dumps.debug("UpdateApplication with partnerApiKey", &update);
    let updated = client.applications().update(&app_id, update).await.expect("update external auth");
    dumps.debug("Response<ApplicationResponse>", &updated);

    let sa = client.service_accounts().create(CreateServiceAccount::new("secrets-probe-sa")).await.expect("create sa");
    let sa_secret = sa.credentials.client_secret.expose().to_owned();
    needles.push(("service account secret", sa_secret.clone()));
    needles.push(("service account Basic credentials", basic(&sa.credentials.client_id, &sa_secret)));
    dumps.debug("Response<CreatedServiceAccount>", &sa);
    let sa_client = Client::builder()
        .base_url(&base)
        .client_credentials(sa.credentials.client_id.clone(), sa_secret.clone())
        .build()
        .expect("sa client");
    sa_client.applications().list(Default::default()).await.expect("sa client works");
    dumps.debug("Client (service account)", &sa_client);
    let sa_rotated = client.service_accounts().rotate_secret(&sa.service_account.id).await.expect("rotate sa");
    needles.push(("rotated service account secret", sa_rotated.credentials.client_secret.expose().to_owned()));
    dumps.debug("Response<CredentialsResponse>", &sa_rotated);
    let all: Vec<_> = client.applications().list_all(Default::default()).try_collect().await.expect("list all");
    assert!(!all.is_empty());
    bearer.applications().list(Default::default()).await.expect("static token works");

    // User tokens through PKCE.
    let public = client
        .applications()
        .create(CreateApplication::new("secrets-probe-cli").with_oauth(
            CreateApplicationOAuth::new(["http://127.0.0.1:8976/callback"]).with_type(OAuthClientType::Public),
        ))
        .await
        .expect("public app");
    let pkce = kontext_management::oauth::create_pkce_challenge().expect("pkce");
    needles.push(("PKCE verifier", pkce.code_verifier.expose().to_owned()));
    dumps.debug("PkceChallenge", &pkce);
    let authorize = kontext_management::oauth::build_authorize_url(&AuthorizeUrlRequest {
        base_url: base.clone(),
        client_id: public.oauth.client_id.clone(),
        redirect_uri: "http://127.0.0.1:8976/callback".into(),
        code_challenge: pkce.code_challenge.clone(),
        scopes: None,
        state: None,
    })
    .await
    .expect("authorize url");
    let approved = control.post("/_emulator/authorize", json!({"url": authorize.url, "approve": true})).await;
    let code = approved["code"].as_str().expect("code").to_owned();
    let exchange = ExchangeCode {
        base_url: base.clone(),
        client_id: public.oauth.client_id.clone(),
        code: code.clone(),
        redirect_uri: "http://127.0.0.1:8976/callback".into(),
        code_verifier: pkce.code_verifier.clone(),
        client_secret: None,
        iss: None,
    };
    dumps.debug("ExchangeCode", &exchange);
    let user = kontext_management::oauth::exchange_code(&exchange).await.expect("exchange");
    needles.push(("user access token", user.access_token.expose().to_owned()));
    let refresh_token = user.refresh_token.clone().expect("refresh token");
    needles.push(("user refresh token", refresh_token.expose().to_owned()));
    dumps.debug("UserTokens", &user);
    let user_client = Client::builder().base_url(&base).access_token(user.access_token.clone()).build().expect("user");
    user_client.applications().list(Default::default()).await.expect("user token works");
    dumps.debug("Client (user token)", &user_client);
    let refresh = RefreshUserToken {
        base_url: base.clone(),
        client_id: public.oauth.client_id.clone(),
        refresh_token: refresh_token.clone(),
        client_secret: None,
    };
    dumps.debug("RefreshUserToken", &refresh);
    let refreshed = kontext_management::oauth::refresh(&refresh).await.expect("refresh");
    needles.push(("refreshed user access token", refreshed.access_token.expose().to_owned()));
    needles.push(("rotated refresh token", refreshed.refresh_token.as_ref().unwrap().expose().to_owned()));
    dumps.debug("UserTokens (refreshed)", &refreshed);
    // Replaying the consumed code and the rotated-out refresh token: OAuth errors.
    let e = expect_err(kontext_management::oauth::exchange_code(&exchange).await, ErrorKind::OAuth, "code replay");
    dumps.error("OAuth error (code replay)", &e);
    let e = expect_err(kontext_management::oauth::refresh(&refresh).await, ErrorKind::OAuth, "stale refresh token");
    dumps.error("OAuth error (stale refresh token)", &e);

    // The device grant (V16): the device code is a secret like the tokens it turns into.
    control.post("/_emulator/config", json!({"deviceIntervalMs": 20})).await;
    let start = kontext_management::models::DeviceAuthorizationRequest {
        base_url: base.clone(),
        client_id: public.oauth.client_id.clone(),
        scopes: None,
    };
    let device = kontext_management::oauth::start_device_authorization(&start).await.expect("device start");
    needles.push(("device code", device.device_code.expose().to_owned()));
    dumps.debug("DeviceAuthorization", &device);
    let poll = kontext_management::models::DeviceTokenPoll::from(&device);
    dumps.debug("DeviceTokenPoll", &poll);
    let e = expect_err(
        kontext_management::oauth::poll_device_token(&kontext_management::models::DeviceTokenPoll {
            expires_in: Some(0.05),
            ..poll.clone()
        })
        .await,
        ErrorKind::OAuth,
        "device code not approved in time",
    );
    dumps.error("OAuth error (device code not approved)", &e);
    control.post("/_emulator/device", json!({"userCode": device.user_code})).await;
    let device_tokens = kontext_management::oauth::poll_device_token(&poll).await.expect("device poll");
    needles.push(("device access token", device_tokens.access_token.expose().to_owned()));
    let e = expect_err(kontext_management::oauth::poll_device_token(&poll).await, ErrorKind::OAuth, "spent code");
    dumps.error("OAuth error (spent device code)", &e);

    // Failures.
    let wrong = Client::builder().base_url(&base).client_credentials(CLIENT_ID, WRONG_SECRET).build().unwrap();
    let e = expect_err(wrong.applications().list(Default::default()).await, ErrorKind::OAuth, "bad credentials");
    dumps.error("OAuth error (bad credentials)", &e);
    dumps.debug("Client (wrong secret)", &wrong);

    let missing = "0b9f3c4e-1d2a-4c5b-8e6f-7a8b9c0d1e2f";
    let e = expect_err(bearer.applications().get(missing).await, ErrorKind::NotFound, "404");
    dumps.error("API error 404", &e);
    let e = expect_err(client.applications().get("not-a-uuid").await, ErrorKind::InvalidInput, "invalid id");
    dumps.error("invalid input", &e);

    control
        .fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 429,
                      "headers": {"retry-after": "1"}, "times": 1}))
        .await;
    let once = client.with_options(RequestOptions::new().max_retries(0));
    let e = expect_err(once.applications().list(Default::default()).await, ErrorKind::RateLimited, "429");
    dumps.error("API error 429", &e);

    control
        .fault(json!({"method": "GET", "path": "/api/v1/service-accounts", "action": "delay", "delayMs": 1500}))
        .await;
    let hasty = client.with_options(RequestOptions::new().max_retries(0).timeout(Duration::from_millis(300)));
    let e = expect_err(hasty.service_accounts().list(Default::default()).await, ErrorKind::Timeout, "timeout");
    dumps.error("timeout", &e);

    let refused = Client::builder()
        .base_url("http://127.0.0.1:9")
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .max_retries(0)
        .build()
        .unwrap();
    let e = expect_err(refused.applications().list(Default::default()).await, ErrorKind::Connection, "refused");
    dumps.error("connection refused", &e);

    // Retried and renewed: these are the paths that log.
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 503, "times": 1})).await;
    client.applications().list(Default::default()).await.expect("503 then success");
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 401, "times": 1})).await;
    client.applications().list(Default::default()).await.expect("401, renewal, then success");
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "action": "drop", "times": 1})).await;
    client.applications().list(Default::default()).await.expect("dropped, then success");

    // Undecodable answers, including ones that carry a secret: the snippet must not show it.
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "action": "malformed", "times": 1})).await;
    let e = expect_err(client.applications().list(Default::default()).await, ErrorKind::Decode, "malformed");
    dumps.error("decode error (malformed)", &e);
    control
        .fault(json!({"method": "POST", "path": "/api/v1/service-accounts", "status": 201,
                      "body": {"serviceAccount": {"id": "3f1c"},
                               "credentials": {"clientId": "sa_x", "clientSecret": PLANTED_SECRET}}}))
        .await;
    let e = expect_err(
        client.service_accounts().create(CreateServiceAccount::new("never-created")).await,
        ErrorKind::Decode,
        "undecodable created service account",
    );
    dumps.error("decode error (service account with a secret)", &e);
    control
        .fault(json!({"method": "POST", "path": "/oauth2/token", "status": 200,
                      "body": {"access_token": PLANTED_TOKEN, "token_type": "Bearer", "expires_in": "soon"}}))
        .await;
    let e = expect_err(client.refresh_token().await, ErrorKind::Decode, "undecodable token response");
    dumps.error("decode error (token response)", &e);
    control
        .fault(json!({"method": "POST", "path": "/oauth2/token", "status": 400,
                      "body": {"error": "invalid_request", "access_token": PLANTED_TOKEN}}))
        .await;
    let e = expect_err(client.refresh_token().await, ErrorKind::OAuth, "token error echoing a token");
    dumps.error("OAuth error (body echoing a token)", &e);
    control
        .fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 500,
                      "body": {"message": "boom", "clientSecret": PLANTED_SECRET}}))
        .await;
    let e = expect_err(once.applications().list(Default::default()).await, ErrorKind::ServerError, "500 echo");
    dumps.error("API error 500 (body echoing a secret)", &e);

    // Revoked: the static-token client cannot renew (401), the credentials client can.
    control.post("/_emulator/tokens/revoke", json!({})).await;
    let e = expect_err(bearer.applications().list(Default::default()).await, ErrorKind::Authentication, "revoked");
    dumps.error("API error 401", &e);
    client.applications().list(Default::default()).await.expect("renewed after revocation");

    // Configuration errors that mention the options holding a secret.
    let both = ClientOptions { access_token: Some(access_token.clone().into()), ..options.clone() };
    let e = expect_err(Client::from_options(both), ErrorKind::Config, "both credentials");
    dumps.error("config error (both)", &e);
    let remote = ClientOptions { base_url: "http://api.example.com".into(), ..options.clone() };
    let e = expect_err(Client::from_options(remote), ErrorKind::Config, "remote http");
    dumps.error("config error (remote http)", &e);

    dumps.debug("Client (credentials)", &client);
    dumps.debug("Client (static token)", &bearer);
    dumps.debug("Client (with options)", &hasty);
    emulator.shutdown().await;

    // The verdict.
    let text = logs.text();
    if let Ok(path) = std::env::var("KONTEXT_SECRETS_LOG") {
        // For a look at what the SDK logs: `KONTEXT_SECRETS_LOG=/tmp/kontext-management.log cargo test --test secrets`.
        std::fs::write(&path, &text).expect("write the captured log");
    }
    let lines = text.lines().count();
    assert!(lines > 0, "nothing was logged: the SDK must log through `tracing`");
    for expected in ["response", "retrying after", "401: renewing the token"] {
        assert!(text.contains(expected), "the logs lack {expected:?}:\n{text}");
    }
    let mut leaks = Vec::new();
    for (what, needle) in &needles {
        assert!(needle.len() >= 8, "{what} is too short to search for");
        if text.contains(needle.as_str()) {
            let line = text.lines().find(|l| l.contains(needle.as_str())).unwrap_or_default();
            leaks.push(format!("{what} appears in the logs: {line}"));
        }
        for (label, dump) in &dumps.0 {
            if dump.contains(needle.as_str()) {
                leaks.push(format!("{what} appears in {label}: {dump}"));
            }
        }
    }
    // No token of any kind, and no authorization header value, in the logs.
    for marker in ["ory_at_", "ory_rt_", "Bearer ory", "Basic "] {
        if let Some(line) = text.lines().find(|l| l.contains(marker)) {
            leaks.push(format!("{marker:?} appears in the logs: {line}"));
        }
    }
    assert!(leaks.is_empty(), "{} leak(s):\n{}", leaks.len(), leaks.join("\n"));
    println!(
        "secrets: {} known secrets/tokens checked against {lines} log lines ({} bytes) and {} renderings; no leak",
        needles.len(),
        text.len(),
        dumps.0.len()
    );
}
