//! `kontext_management::Client`: configuration, shared token cache and transport, and the resource handles.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use serde::Serialize;

use crate::auth::TokenManager;
use crate::config::{ClientConfig, ClientOptions, Credentials};
use crate::error::Result;
use crate::http::{RawResponse, RequestOptions, RequestSpec, Transport};
use crate::pending::{Pending, Shape};
use crate::resources::{AgentSessions, Applications, Decisions, Events, Integrations, Policy, ServiceAccounts, Traces};
use crate::secret::Secret;
use crate::wire::HttpClient;

/// A client of the Kontext Management API.
///
/// Cheap to clone (an `Arc`); clones share the token cache and the connection pool, so create
/// one per process and pass it around.
///
/// ```no_run
/// # async fn demo() -> kontext_management::Result<()> {
/// let client = kontext_management::Client::builder()
///     .base_url("https://api.kontext.security")
///     .client_credentials("sa_…", "secret")
///     .build()?;
/// let page = client.applications().list(Default::default()).await?;
/// for app in &page.items {
///     println!("{} {}", app.id, app.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: Arc<RequestOptions>,
}

struct Inner {
    config: ClientConfig,
    transport: Transport,
    /// Shared with the handles [`Client::with_own_connections`] makes.
    tokens: Arc<TokenManager>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only non-secret settings: a client is often logged by accident.
        f.debug_struct("Client")
            .field("base_url", &self.inner.config.origin)
            .field("timeout", &self.inner.config.timeout)
            .field("max_retries", &self.inner.config.max_retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from options in the official client's shape (what bindings use).
    ///
    /// Building needs no async runtime; natively, its calls must be polled inside a tokio
    /// runtime (the one of the application, or of napi or uniffi in the bindings).
    pub fn from_options(options: ClientOptions) -> Result<Self> {
        let config = options.resolve()?;
        let http = HttpClient::new(&config.user_agent)?.with_max_response_bytes(config.max_response_bytes);
        let transport = Transport::new(http, config.timeout, config.max_retries, config.headers.clone());
        let tokens = Arc::new(TokenManager::new(&config));
        Ok(Self { inner: Arc::new(Inner { config, transport, tokens }), options: Arc::default() })
    }

    /// A handle with a connection pool of its own that shares everything else (settings, token
    /// cache, options) with `self`.
    ///
    /// For a forked child process: connections opened by the parent must not be written to by
    /// both processes, so the child makes its calls through a fresh pool. Tokens are still
    /// minted once and shared.
    pub fn with_own_connections(&self) -> Result<Self> {
        let inner = &self.inner;
        let config = inner.config.clone();
        let transport = inner.transport.with_own_connections(&config.user_agent)?;
        let tokens = inner.tokens.clone();
        Ok(Self { inner: Arc::new(Inner { config, transport, tokens }), options: self.options.clone() })
    }

    /// A handle that applies `options` to every request it makes, sharing everything else
    /// (token cache, connections) with `self`.
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Self { inner: self.inner.clone(), options: Arc::new(self.options.merged(&options)) }
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.config.user_agent
    }

    /// The normalised origin, e.g. `https://api.kontext.security`.
    pub fn base_url(&self) -> &str {
        &self.inner.config.origin
    }

    /// Applications and their OAuth clients, integrations and sessions.
    pub fn applications(&self) -> Applications<'_> {
        Applications::new(self)
    }
    /// Integrations (MCP servers) and the credentials to reach them.
    pub fn integrations(&self) -> Integrations<'_> {
        Integrations::new(self)
    }
    /// Service accounts.
    pub fn service_accounts(&self) -> ServiceAccounts<'_> {
        ServiceAccounts::new(self)
    }
    /// Agent sessions of an application.
    pub fn agent_sessions(&self) -> AgentSessions<'_> {
        AgentSessions::new(self)
    }
    /// Traces and their statistics.
    pub fn traces(&self) -> Traces<'_> {
        Traces::new(self)
    }
    /// Recent MCP events.
    pub fn events(&self) -> Events<'_> {
        Events::new(self)
    }
    /// Cedar policy text, deployment and settings.
    pub fn policy(&self) -> Policy<'_> {
        Policy::new(self)
    }
    /// Policy decisions.
    pub fn decisions(&self) -> Decisions<'_> {
        Decisions::new(self)
    }

    /// Mints a new access token now (client credentials only).
    pub async fn refresh_token(&self) -> Result<()> {
        self.inner.tokens.refresh(&self.inner.transport).await
    }

    /// Forgets the cached access token; the next call mints a new one.
    pub fn clear_token(&self) {
        self.inner.tokens.clear();
    }

    /// A request to `{base}/api/{version}{path}`.
    /// It may be sent again as the retry class of its route says (`api.rs`; V8, V10, V11).
    pub(crate) fn request(&self, method: Method, path: impl Into<String>) -> Call<'_> {
        let path = path.into();
        let class = crate::dispatch::retry_class(&method, &path);
        let mut spec = RequestSpec::new(method, format!("{}{path}", self.inner.config.api_base), path);
        if let Some(class) = class {
            spec.resend = class.into();
        }
        Call { client: self, spec }
    }

    pub(crate) fn clone_for_stream(&self) -> Client {
        self.clone()
    }
}

/// One API request being assembled by a resource method.
pub(crate) struct Call<'a> {
    client: &'a Client,
    spec: RequestSpec,
}

impl<'a> Call<'a> {
    pub(crate) fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Result<Self> {
        self.spec = self.spec.query(query)?;
        Ok(self)
    }

    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        self.spec = self.spec.json(body)?;
        Ok(self)
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.spec = self.spec.header(name, value);
        self
    }

    pub(crate) async fn execute(self) -> Result<RawResponse> {
        let inner = &self.client.inner;
        inner.transport.execute(&self.spec, &self.client.options, Some(&inner.tokens)).await
    }

    /// The request, decoded as the JSON body when awaited.
    pub(crate) fn send<T>(self) -> Pending<'a, T> {
        Pending::new(Ok(self), Shape::Json)
    }

    /// The request, with the body ignored (204 endpoints).
    pub(crate) fn send_empty(self) -> Pending<'a, ()> {
        Pending::new(Ok(self), Shape::Empty)
    }

    /// The request, with its result shaped by the SDK (see [`Shape`]).
    pub(crate) fn send_shaped<T>(self, shape: Shape) -> Pending<'a, T> {
        Pending::new(Ok(self), shape)
    }
}

/// Builds a [`Client`]; every setting is optional except the base URL and one credential.
#[derive(Debug, Default, Clone)]
pub struct ClientBuilder {
    options: ClientOptions,
}

impl ClientBuilder {
    /// The API origin (`https://api.kontext.security`; a `/api/v1` suffix is accepted).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options.base_url = url.into();
        self
    }
    /// Service-account credentials for the client-credentials grant.
    pub fn client_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        self.options.credentials =
            Some(Credentials { client_id: client_id.into(), client_secret: client_secret.into() });
        self
    }
    /// A bearer token obtained elsewhere (e.g. a user token from [`crate::oauth`]).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.options.access_token = Some(token.into());
        self
    }
    /// API version (default `v1`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.options.api_version = Some(version.into());
        self
    }
    /// Token endpoint (default `{base}/oauth2/token`).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.options.token_url = Some(url.into());
        self
    }
    /// Scopes to request (default `management:all`).
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.options.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }
    /// Token audience (default `{base}/api/v1`).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.options.audience = Some(audience.into());
        self
    }
    /// Timeout of one attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout_ms = Some(timeout.as_millis().try_into().unwrap_or(u64::MAX));
        self
    }
    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }
    /// Permit plain `http://` to hosts other than loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.options.allow_insecure_http = Some(allow);
        self
    }
    /// Largest response body read (default 64 MiB); a longer one fails as a `decode` error.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.options.max_response_bytes = Some(bytes);
        self
    }
    /// Text appended to the user agent.
    pub fn user_agent(mut self, extra: impl Into<String>) -> Self {
        self.options.user_agent = Some(extra.into());
        self
    }
    /// A header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.get_or_insert_with(Default::default).insert(name.into(), value.into());
        self
    }
    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        Client::from_options(self.options)
    }
}
