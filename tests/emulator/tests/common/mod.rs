//! Shared helpers: start an in-process emulator, mint tokens, send requests and read JSON.
#![allow(dead_code)]

use kontext_management_emulator::{Emulator, Options};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde_json::{Value, json};

pub struct Env {
    pub emu: Emulator,
    pub base: String,
    pub http: Client,
    pub token: String,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the standard error body and returns its message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        assert_eq!(self.body["statusCode"], json!(status), "error body: {}", self.text);
        let msg = self.body["message"].as_str().unwrap_or_else(|| panic!("no message in {}", self.text));
        assert!(self.header("x-request-id").is_some_and(|r| r.starts_with("req_")), "x-request-id missing");
        msg.to_owned()
    }
}

pub fn options() -> Options {
    Options { rate_limit_per_minute: 0, ..Options::default() }
}

pub async fn start() -> Env {
    start_with(options()).await
}

pub async fn start_with(options: Options) -> Env {
    let emu = Emulator::start_with(options).await.expect("emulator starts");
    let base = emu.base_url();
    let http = http_client(Client::builder().redirect(reqwest::redirect::Policy::none()));
    let mut env = Env { emu, base, http, token: String::new() };
    env.token = env.mint(None).await;
    env
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client-credentials token response; `None` asks for `management:all`, as the SDK does
    /// (a request without `scope` gets a token that can call nothing, V18).
    pub async fn token_response(&self, id: &str, secret: &str, scope: Option<&str>) -> Resp {
        let form = vec![("grant_type", "client_credentials"), ("scope", scope.unwrap_or("management:all"))];
        let r = self
            .http
            .post(self.url("/oauth2/token"))
            .basic_auth(id, Some(secret))
            .form(&form)
            .send()
            .await
            .expect("send");
        read(r).await
    }

    pub async fn mint(&self, scope: Option<&str>) -> String {
        let r = self.token_response(self.emu.client_id(), self.emu.client_secret(), scope).await;
        assert_eq!(r.status, 200, "token: {}", r.text);
        r.body["access_token"].as_str().expect("access_token").to_owned()
    }

    pub async fn send_as(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.expect("send")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send_as(&self.token, Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send_as(&self.token, Method::POST, path, Some(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send_as(&self.token, Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send_as(&self.token, Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send_as(&self.token, Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send_as(&self.token, Method::DELETE, path, None).await
    }

    /// Calls the control API and expects a 2xx.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = read(req.send().await.expect("send")).await;
        assert!((200..300).contains(&r.status), "control {path}: {} {}", r.status, r.text);
        r.body
    }

    pub async fn seed(&self, body: Value) -> Value {
        self.control(Method::POST, "/_emulator/seed", Some(body)).await
    }

    pub async fn create_app(&self, name: &str) -> Value {
        let r = self
            .post("/api/v1/applications", json!({"name": name, "oauth": {"redirectUris": ["https://app.test/cb"]}}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    pub async fn create_integration(&self, body: Value) -> Value {
        let r = self.post("/api/v1/integrations", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["integration"].clone()
    }
}

pub async fn read(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, headers, body, text }
}

pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_owned()
}

/// Builds a test HTTP client. Installs a rustls crypto provider first: in a workspace build
/// reqwest is compiled with `rustls-no-provider` (from the `kontext-management` crate) and would panic.
pub fn http_client(builder: reqwest::ClientBuilder) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    builder.build().expect("client")
}

/// The anti-CSRF token of a consent page (`<input type="hidden" name="consent_token" value="…">`).
pub fn consent_token(html: &str) -> String {
    let after =
        html.split("name=\"consent_token\" value=\"").nth(1).unwrap_or_else(|| panic!("no consent_token in {html}"));
    after.split('"').next().unwrap_or("").to_owned()
}
