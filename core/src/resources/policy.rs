use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::http::Response;
use crate::models::{
    DeploymentResponse, PolicyResponse, PolicyValidation, SettingsResponse, UpdateDeployment, UpdatePolicy,
    UpdateSettings, ValidatePolicy,
};
use crate::validate;

/// `/policy`: the organization's Cedar policy, its deployment and settings.
///
/// Writes use optimistic concurrency: pass the `etag` you read, and a concurrent change answers
/// 412 ([`crate::ErrorKind::PreconditionFailed`]), which is never retried automatically.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    client: &'a Client,
}

impl<'a> Policy<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The current policy text and its `etag`.
    pub async fn get(&self) -> Result<Response<PolicyResponse>> {
        let response = self.client.request(Method::GET, "/policy").send::<PolicyResponse>().await?;
        Ok(with_etag(response, |r, etag| r.etag = etag))
    }

    /// Saves new policy text. With `etag`, only if the policy is still that version
    /// (`If-Match`); without, only if there is no policy yet (`If-None-Match: *`).
    pub async fn update(&self, body: UpdatePolicy) -> Result<Response<PolicyResponse>> {
        let call = self.client.request(Method::PUT, "/policy").json(&body)?;
        let call = match &body.etag {
            Some(etag) => call.header("if-match", etag.clone()),
            None => call.header("if-none-match", "*"),
        };
        Ok(with_etag(call.send::<PolicyResponse>().await?, |r, etag| r.etag = etag))
    }

    /// Checks policy text without saving it.
    pub async fn validate(&self, body: ValidatePolicy) -> Result<Response<PolicyValidation>> {
        self.client.request(Method::POST, "/policy/validations").json(&body)?.send().await
    }

    /// Which policy version is deployed, in which mode, and the deployment's `etag`.
    pub async fn get_deployment(&self) -> Result<Response<DeploymentResponse>> {
        let response = self.client.request(Method::GET, "/policy/deployment").send::<DeploymentResponse>().await?;
        Ok(with_etag(response, |r, etag| r.etag = etag))
    }

    /// Deploys a version (`observe`, `enforce`) or turns enforcement off (`disabled`, no
    /// version). With `etag`, only if the deployment is still that one.
    pub async fn update_deployment(&self, body: UpdateDeployment) -> Result<Response<DeploymentResponse>> {
        if let Some(version) = &body.policy_version_id {
            validate::required("policyVersionId", version)?;
        }
        let mut call = self.client.request(Method::PUT, "/policy/deployment").json(&body)?;
        if let Some(etag) = &body.etag {
            call = call.header("if-match", etag.clone());
        }
        Ok(with_etag(call.send::<DeploymentResponse>().await?, |r, etag| r.etag = etag))
    }

    /// Organization policy settings.
    pub async fn get_settings(&self) -> Result<Response<SettingsResponse>> {
        self.client.request(Method::GET, "/policy/settings").send().await
    }

    /// Changes settings if they were last changed at `expectedUpdatedAt` (else 412).
    pub async fn update_settings(&self, body: UpdateSettings) -> Result<Response<SettingsResponse>> {
        validate::required("expectedUpdatedAt", &body.expected_updated_at)?;
        self.client.request(Method::PATCH, "/policy/settings").json(&body)?.send().await
    }
}

/// Copies the `ETag` header into the result, where callers expect it next to the data.
fn with_etag<T>(response: Response<T>, set: impl FnOnce(&mut T, Option<String>)) -> Response<T> {
    let etag = response.meta().etag.clone();
    let (mut data, meta) = response.into_parts();
    set(&mut data, etag);
    Response::new(data, meta)
}
