use http::Method;

use crate::client::Client;
use crate::models::{
    DeploymentResponse, PolicyResponse, PolicyValidation, SettingsResponse, UpdateDeployment, UpdatePolicy,
    UpdateSettings, ValidatePolicy,
};
use crate::pending::{Pending, Shape, pending};
use crate::validate;

/// `{policy, etag}` from a bare or wrapped policy.
const POLICY: Shape = Shape::Single { key: "policy", tolerant: true, etag: true };
/// `{deployment, etag}` from a bare or wrapped deployment.
pub(super) const DEPLOYMENT: Shape = Shape::Single { key: "deployment", tolerant: true, etag: true };
/// `{settings}` from bare or wrapped settings (they have no ETag: `expectedUpdatedAt` guards them).
const SETTINGS: Shape = Shape::Single { key: "settings", tolerant: true, etag: false };

/// `/policy`: the organization's Cedar policy, its deployment and settings, its history
/// (versions), the rule-template catalog, policy actions, replay and the blocked-call report.
///
/// Writes use optimistic concurrency: pass the `etag` you read, and a concurrent change answers
/// 412 ([`crate::ErrorKind::PreconditionFailed`]), which is never retried automatically.
///
/// Single objects come bare from the API (DECISIONS V13) and wrapped from older servers; both
/// decode to the same `{policy, etag}` / `{deployment, etag}` / `{settings}` results.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    pub(super) client: &'a Client,
}

impl<'a> Policy<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The current policy text and its `etag`.
    pub fn get(&self) -> Pending<'a, PolicyResponse> {
        self.client.request(Method::GET, "/policy").send_shaped(POLICY)
    }

    /// Saves new policy text. With `etag`, only if the policy is still that version
    /// (`If-Match`); without, only if there is no policy yet (`If-None-Match: *`).
    pub fn update(&self, body: UpdatePolicy) -> Pending<'a, PolicyResponse> {
        pending(|| {
            let call = self.client.request(Method::PUT, "/policy").json(&body)?;
            let call = match &body.etag {
                Some(etag) => call.header("if-match", etag.clone()),
                None => call.header("if-none-match", "*"),
            };
            Ok(call.send_shaped(POLICY))
        })
    }

    /// Checks policy text without saving it.
    pub fn validate(&self, body: ValidatePolicy) -> Pending<'a, PolicyValidation> {
        pending(|| Ok(self.client.request(Method::POST, "/policy/validations").json(&body)?.send()))
    }

    /// Which policy version is deployed, in which mode, and the deployment's `etag`.
    pub fn get_deployment(&self) -> Pending<'a, DeploymentResponse> {
        self.client.request(Method::GET, "/policy/deployment").send_shaped(DEPLOYMENT)
    }

    /// Deploys a version (`observe`, `enforce`) or turns enforcement off (`disabled`, no
    /// version). With `etag`, only if the deployment is still that one.
    pub fn update_deployment(&self, body: UpdateDeployment) -> Pending<'a, DeploymentResponse> {
        pending(|| {
            if let Some(version) = &body.policy_version_id {
                validate::required("policyVersionId", version)?;
            }
            let mut call = self.client.request(Method::PUT, "/policy/deployment").json(&body)?;
            if let Some(etag) = &body.etag {
                call = call.header("if-match", etag.clone());
            }
            Ok(call.send_shaped(DEPLOYMENT))
        })
    }

    /// Organization policy settings.
    pub fn get_settings(&self) -> Pending<'a, SettingsResponse> {
        self.client.request(Method::GET, "/policy/settings").send_shaped(SETTINGS)
    }

    /// Changes settings if they were last changed at `expectedUpdatedAt` (else 412).
    pub fn update_settings(&self, body: UpdateSettings) -> Pending<'a, SettingsResponse> {
        pending(|| {
            validate::required("expectedUpdatedAt", &body.expected_updated_at)?;
            Ok(self.client.request(Method::PATCH, "/policy/settings").json(&body)?.send_shaped(SETTINGS))
        })
    }
}
