//! The clients under test, behind one enum so every workload drives them the same way.
//!
//! Each operation does the same HTTP work in every client: `GET /api/v1/applications/{id}` with a
//! bearer token (minted once by a client-credentials grant), the body decoded into typed structs;
//! paging is `GET /api/v1/applications?limit=L[&cursor=C]` until there is no `nextCursor`.

use futures_util::TryStreamExt;
use futures_util::future::try_join_all;
use serde::Deserialize;

use crate::Res;

/// Where the emulator is and how to authenticate.
pub struct Env {
    pub base: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Env {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        Self {
            base: var("KONTEXT_BASE_URL").trim_end_matches('/').to_owned(),
            client_id: var("KONTEXT_CLIENT_ID"),
            client_secret: var("KONTEXT_CLIENT_SECRET"),
        }
    }
}

pub struct Bench {
    pub name: String,
    client: Client,
}

enum Client {
    Kontext(kontext_management::Client),
    /// The core through `kontext_management::dispatch` (JSON arguments in, JSON text out): what every binding
    /// does under its FFI, so (binding − this) is the cost of the crossing and the language layer.
    Dispatch(kontext_management::Client),
    Raw(Raw),
    #[cfg(feature = "vendor")]
    Vendor(Box<kontext_dev_sdk::management::KontextManagementClient>),
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Bench {
    pub fn new(name: &str, env: &Env) -> Res<Self> {
        let client = match name {
            "kontext" => Client::Kontext(
                kontext_management::Client::builder()
                    .base_url(&env.base)
                    .client_credentials(&env.client_id, env.client_secret.clone())
                    .build()
                    .map_err(err)?,
            ),
            "kontext_dispatch" => Client::Dispatch(
                kontext_management::Client::builder()
                    .base_url(&env.base)
                    .client_credentials(&env.client_id, env.client_secret.clone())
                    .build()
                    .map_err(err)?,
            ),
            "reqwest" => Client::Raw(Raw::new(env)?),
            #[cfg(feature = "vendor")]
            "vendor" => {
                use kontext_dev_sdk::management::{
                    KontextManagementClient, KontextManagementClientConfig, ServiceAccountCredentials,
                };
                Client::Vendor(Box::new(KontextManagementClient::new(KontextManagementClientConfig {
                    base_url: env.base.clone(),
                    credentials: ServiceAccountCredentials {
                        client_id: env.client_id.clone(),
                        client_secret: env.client_secret.clone(),
                    },
                    token_url: None,
                    api_version: None,
                    scopes: None,
                    audience: None,
                })))
            }
            other => return Err(format!("unknown or unavailable client {other:?} (vendor needs --features vendor)")),
        };
        Ok(Self { name: name.to_owned(), client })
    }

    /// One `applications.get`; returns the name's length so nothing is optimised away.
    pub async fn get(&self, id: &str) -> Res<usize> {
        match &self.client {
            Client::Kontext(c) => Ok(c.applications().get(id).await.map_err(err)?.application.name.len()),
            Client::Dispatch(c) => {
                let args = vec![serde_json::Value::from(id)];
                Ok(kontext_management::dispatch::call_json(c, "applications.get", args, None).await.map_err(err)?.len())
            }
            Client::Raw(r) => Ok(r.get(id).await?.application.name.len()),
            #[cfg(feature = "vendor")]
            Client::Vendor(c) => Ok(c.applications.get(id).await.map_err(err)?.application.name.len()),
        }
    }

    /// `n` GETs in flight at once on one client.
    pub async fn concurrent(&self, id: &str, n: usize) -> Res<()> {
        try_join_all((0..n).map(|_| self.get(id))).await.map(drop)
    }

    /// Pages through the whole list (`limit` per page), item by item; returns the item count.
    pub async fn page(&self, limit: usize, _expected: usize) -> Res<usize> {
        let mut count = 0usize;
        match &self.client {
            Client::Kontext(c) => {
                let params = kontext_management::models::ListApplicationsParams {
                    limit: Some(limit as u32),
                    ..Default::default()
                };
                let mut items = c.applications().list_all(params);
                while let Some(app) = items.try_next().await.map_err(err)? {
                    count += usize::from(!app.id.is_empty());
                }
            }
            Client::Dispatch(c) => {
                // The JSON text of each page is what crosses to the binding; count its items.
                let args = vec![serde_json::json!({"limit": limit})];
                let mut pages =
                    kontext_management::dispatch::list_all(c, "applications.listAll", args, None).map_err(err)?;
                while let Some(text) = pages.next_page_json().await.map_err(err)? {
                    count += text.matches("\"id\":").count();
                }
            }
            Client::Raw(r) => {
                let mut cursor: Option<String> = None;
                loop {
                    let page = r.list(limit, cursor.as_deref()).await?;
                    for app in &page.items {
                        count += usize::from(!app.id.is_empty());
                    }
                    match page.next_cursor {
                        Some(next) if !next.is_empty() => cursor = Some(next),
                        _ => break,
                    }
                }
            }
            #[cfg(feature = "vendor")]
            Client::Vendor(c) => {
                use kontext_dev_sdk::management::PaginationParams;
                let mut cursor: Option<String> = None;
                loop {
                    let params = PaginationParams { limit: Some(limit as _), cursor: cursor.take() };
                    let page = c.applications.list(Some(params)).await.map_err(err)?;
                    for app in &page.items {
                        count += usize::from(!app.id.is_empty());
                    }
                    match page.next_cursor {
                        Some(next) if !next.is_empty() => cursor = Some(next),
                        _ => break,
                    }
                }
            }
        }
        Ok(count)
    }

    /// One `applications.create` with a redirect URI; returns the new id's length.
    pub async fn create(&self, name: &str) -> Res<usize> {
        const REDIRECT: &str = "https://bench.example.com/oauth/callback";
        match &self.client {
            Client::Kontext(c) => {
                use kontext_management::models::{CreateApplication, CreateApplicationOAuth};
                let body = CreateApplication::new(name).with_oauth(CreateApplicationOAuth::new([REDIRECT]));
                Ok(c.applications().create(body).await.map_err(err)?.application.id.len())
            }
            Client::Dispatch(c) => {
                let args = vec![serde_json::json!({"name": name, "oauth": {"redirectUris": [REDIRECT]}})];
                Ok(kontext_management::dispatch::call_json(c, "applications.create", args, None)
                    .await
                    .map_err(err)?
                    .len())
            }
            Client::Raw(r) => Ok(r.create(name, REDIRECT).await?.application.id.len()),
            #[cfg(feature = "vendor")]
            Client::Vendor(c) => {
                use kontext_dev_sdk::management::{CreateApplicationOAuthRequest, CreateApplicationRequest};
                let body = CreateApplicationRequest {
                    name: name.to_owned(),
                    oauth: Some(CreateApplicationOAuthRequest {
                        oauth_type: None,
                        redirect_uris: vec![REDIRECT.to_owned()],
                        pkce_required: None,
                        scopes: None,
                    }),
                };
                Ok(c.applications.create(body).await.map_err(err)?.application.id.len())
            }
        }
    }
}

// ---- the hand-written baseline: reqwest + serde, token once ----

/// What a hand-written client would decode: the fields of an application, typed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RawApplication {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub client_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    pub sessions: Option<RawSessions>,
    pub external_auth: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct RawSessions {
    pub active: u64,
    pub idle: u64,
    pub live: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RawOAuth {
    pub r#type: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub pkce_required: bool,
    pub scopes: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_resources: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawApplicationResponse {
    pub application: RawApplication,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct RawCreated {
    pub application: RawApplication,
    pub oauth: RawOAuth,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPage {
    pub items: Vec<RawApplication>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct TokenGrant {
    access_token: String,
}

pub struct Raw {
    http: reqwest::Client,
    api: String,
    env_base: String,
    client_id: String,
    client_secret: String,
    bearer: tokio::sync::OnceCell<String>,
}

impl Raw {
    pub fn new(env: &Env) -> Res<Self> {
        // The core installs ring as the process's rustls provider when it builds a client; reqwest
        // (unified with the core's `rustls-no-provider`) needs one too, even for plain http.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(std::time::Duration::from_secs(90))
            .build()
            .map_err(err)?;
        Ok(Self {
            http,
            api: format!("{}/api/v1", env.base),
            env_base: env.base.clone(),
            client_id: env.client_id.clone(),
            client_secret: env.client_secret.clone(),
            bearer: tokio::sync::OnceCell::new(),
        })
    }

    async fn bearer(&self) -> Res<&str> {
        self.bearer
            .get_or_try_init(|| async {
                let grant: TokenGrant = self
                    .http
                    .post(format!("{}/oauth2/token", self.env_base))
                    .basic_auth(&self.client_id, Some(&self.client_secret))
                    .form(&[("grant_type", "client_credentials"), ("scope", "management:all"), ("audience", &self.api)])
                    .send()
                    .await
                    .map_err(err)?
                    .error_for_status()
                    .map_err(err)?
                    .json()
                    .await
                    .map_err(err)?;
                Ok::<_, String>(format!("Bearer {}", grant.access_token))
            })
            .await
            .map(String::as_str)
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Res<T> {
        let response = request
            .header(reqwest::header::AUTHORIZATION, self.bearer().await?)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(err)?
            .error_for_status()
            .map_err(err)?;
        let body = response.bytes().await.map_err(err)?;
        serde_json::from_slice(&body).map_err(err)
    }

    /// The raw body of a GET below `/api/v1` (for the micro benchmarks).
    pub async fn get_body(&self, path_and_query: &str) -> Res<Vec<u8>> {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.api))
            .header(reqwest::header::AUTHORIZATION, self.bearer().await?)
            .send()
            .await
            .map_err(err)?
            .error_for_status()
            .map_err(err)?;
        Ok(response.bytes().await.map_err(err)?.to_vec())
    }

    async fn get(&self, id: &str) -> Res<RawApplicationResponse> {
        self.send(self.http.get(format!("{}/applications/{id}", self.api))).await
    }

    async fn list(&self, limit: usize, cursor: Option<&str>) -> Res<RawPage> {
        let mut request = self.http.get(format!("{}/applications", self.api)).query(&[("limit", limit.to_string())]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        self.send(request).await
    }

    async fn create(&self, name: &str, redirect: &str) -> Res<RawCreated> {
        let body = serde_json::json!({"name": name, "oauth": {"redirectUris": [redirect]}});
        self.send(self.http.post(format!("{}/applications", self.api)).json(&body)).await
    }
}
