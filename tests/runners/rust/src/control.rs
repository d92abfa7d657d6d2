//! Plain-HTTP access to the emulator (`/_emulator/*` and any other path), outside the SDK.

use std::time::Duration;

use serde_json::Value;

/// An HTTP answer: status and body (JSON when it parses, else a string; `null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Talks to one emulator.
#[derive(Debug, Clone)]
pub struct Control {
    http: reqwest::Client,
    origin: String,
}

impl Control {
    pub fn new(origin: &str) -> Self {
        // reqwest is built without a bundled crypto provider (the core's `rustls-no-provider`);
        // installing fails harmlessly when one is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("build the control HTTP client");
        Self { http, origin: origin.trim_end_matches('/').to_string() }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Sends `method path` with an optional JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, String> {
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| format!("bad HTTP method `{method}`: {e}"))?;
        let url = format!("{}{}", self.origin, path);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Answer { status, body })
    }

    /// Like [`send`](Self::send), but a non-2xx answer is an error.
    pub async fn expect_ok(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let answer = self.send(method, path, body).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(format!("{method} {path} answered {}: {}", answer.status, crate::vars::short(&answer.body)))
        }
    }

    pub async fn reset(&self) -> Result<(), String> {
        self.expect_ok("POST", "/_emulator/reset", Some(&Value::Object(Default::default()))).await.map(drop)
    }

    /// The request log (`items` of `GET /_emulator/requests`).
    pub async fn requests(&self) -> Result<Vec<Value>, String> {
        let body = self.expect_ok("GET", "/_emulator/requests", None).await?;
        match body.get("items") {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(format!("GET /_emulator/requests: no `items` array in {}", crate::vars::short(&body))),
        }
    }

    pub async fn clear_requests(&self) -> Result<(), String> {
        self.expect_ok("DELETE", "/_emulator/requests", None).await.map(drop)
    }
}
