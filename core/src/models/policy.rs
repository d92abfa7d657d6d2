//! The organization's Cedar policy, its deployment and the policy settings.
//!
//! Policy text and deployment use optimistic concurrency: reads return an `ETag` header
//! (surfaced as `etag` on [`PolicyResponse`] / [`DeploymentResponse`]); writes send it back as
//! `If-Match` (or `If-None-Match: *` when there is none yet) and fail with 412 when it is stale.
//! Settings do the same with `expectedUpdatedAt` in the body.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;

open_enum! {
    /// Severity of a policy diagnostic.
    pub enum DiagnosticSeverity {
        /// The policy is invalid.
        Error => "error",
        /// The policy is valid but suspicious.
        Warning => "warning",
    }
}

open_enum! {
    /// How the deployed policy is applied.
    pub enum RolloutMode {
        /// Evaluate and log decisions, but never block.
        Observe => "observe",
        /// Evaluate and block denied calls.
        Enforce => "enforce",
        /// No policy is deployed (`policyVersionId` is null).
        Disabled => "disabled",
    }
}

open_enum! {
    /// How much of MCP payloads endpoints capture (DECISIONS V3; endpoints treat a missing or
    /// unknown value as `summary`).
    pub enum PayloadCaptureMode {
        /// That a payload existed and its size: no content, no fingerprint.
        Omitted => "omitted",
        /// The default: no captured-payload record.
        Summary => "summary",
        /// The redacted payload, truncated to a record of at most 64,000 bytes.
        Full => "full",
    }
}

/// The organization's current Cedar policy text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Cedar source.
    pub policy_text: String,
    /// Version id of this text (the same text always has the same version).
    pub policy_version_id: String,
    /// When the text last changed (ISO 8601).
    pub updated_at: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Result of `policy.get` / `policy.update` (`GET`/`PUT /policy`): `{policy, etag}`. The wire
/// sends the policy bare (DECISIONS V13); older servers wrapped it as `{policy}`: the SDK
/// accepts both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyResponse {
    /// The policy.
    pub policy: Policy,
    /// The response's `ETag` header (not part of the JSON body; filled in by the SDK). Pass it
    /// to [`UpdatePolicy::etag`] for the next write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// Input of `policy.update` (`PUT /policy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdatePolicy {
    /// New Cedar source.
    pub policy_text: String,
    /// `ETag` of the policy this write replaces, sent as `If-Match`; `None` sends
    /// `If-None-Match: *` (first save). Never part of the JSON body.
    #[serde(default, skip_serializing)]
    pub etag: Option<String>,
}

impl UpdatePolicy {
    /// A write of this text (first save unless [`with_etag`](Self::with_etag) is used).
    #[must_use]
    pub fn new(policy_text: impl Into<String>) -> Self {
        Self { policy_text: policy_text.into(), etag: None }
    }

    /// Sets the `ETag` of the version being replaced.
    #[must_use]
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }
}

/// Body of `POST /policy/validations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ValidatePolicy {
    /// Cedar source to check.
    pub policy_text: String,
}

impl ValidatePolicy {
    /// A check of this text.
    #[must_use]
    pub fn new(policy_text: impl Into<String>) -> Self {
        Self { policy_text: policy_text.into() }
    }
}

/// Answer of `POST /policy/validations`: `{valid, diagnostics}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyValidation {
    /// Whether the text is a valid policy.
    pub valid: bool,
    /// Errors and warnings found.
    #[serde(default)]
    pub diagnostics: Vec<PolicyDiagnostic>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// One finding of a policy validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyDiagnostic {
    /// Error or warning.
    pub severity: DiagnosticSeverity,
    /// What is wrong.
    pub message: String,
    /// 1-based line in the policy text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column in that line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Which policy versions are deployed, and how: two slots, an enforced one and an optional
/// observing one (DECISIONS V5, `kontext-api-2.md` §3.1). What each field means depends on
/// `rolloutMode`; [`enforced_version_id`](Self::enforced_version_id) and
/// [`observing_slot_id`](Self::observing_slot_id) read them by the spec's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The active version: enforced in `enforce` mode, the observed one in `observe` mode, the
    /// paused selection (or `null`) in `disabled` mode; `null` when no policy is configured
    /// (always serialized).
    #[serde(default)]
    pub policy_version_id: Option<String>,
    /// The observing slot's version, replayed against recorded calls (`null` when empty; in
    /// `observe` mode `null` or equal to `policyVersionId`). Older servers leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observing_version_id: Option<String>,
    /// How the policy is applied.
    pub rollout_mode: RolloutMode,
    /// When the deployment last changed (ISO 8601).
    pub updated_at: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Deployment {
    /// The version endpoints enforce: `policyVersionId` in `enforce` mode, and none in
    /// `observe` mode or while paused (`disabled`) or in a mode this SDK does not know.
    pub fn enforced_version_id(&self) -> Option<&str> {
        match self.rollout_mode {
            RolloutMode::Enforce => self.policy_version_id.as_deref(),
            _ => None,
        }
    }

    /// The observing slot: `observingVersionId` in `enforce` and `disabled` mode (the latter
    /// may have only this slot set); in `observe` mode the active version itself
    /// (`policyVersionId`, else `observingVersionId`).
    pub fn observing_slot_id(&self) -> Option<&str> {
        match self.rollout_mode {
            RolloutMode::Observe => self.policy_version_id.as_deref().or(self.observing_version_id.as_deref()),
            _ => self.observing_version_id.as_deref(),
        }
    }
}

/// Result of `policy.getDeployment` / `policy.updateDeployment`
/// (`GET`/`PUT /policy/deployment`): `{deployment, etag}`. The wire sends the deployment bare
/// (DECISIONS V13); older servers wrapped it as `{deployment}`: the SDK accepts both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResponse {
    /// The deployment.
    pub deployment: Deployment,
    /// The response's `ETag` header, exactly as received (a weak `W/"…"` tag and the quotes
    /// included; not part of the JSON body, filled in by the SDK from successful reads and
    /// writes only). Pass it unchanged to `policy.applyAction` or [`UpdateDeployment::etag`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// Input of `policy.updateDeployment` (`PUT /policy/deployment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdateDeployment {
    /// Version to deploy; `None` (sent as `null`) with [`RolloutMode::Disabled`].
    #[serde(default)]
    pub policy_version_id: Option<String>,
    /// How to apply it.
    pub rollout_mode: RolloutMode,
    /// `ETag` of the deployment this write replaces, sent as `If-Match`; `None` writes
    /// unconditionally. Never part of the JSON body.
    #[serde(default, skip_serializing)]
    pub etag: Option<String>,
}

impl UpdateDeployment {
    /// Deploys this version in `observe` mode (decisions logged, nothing blocked).
    #[must_use]
    pub fn observe(policy_version_id: impl Into<String>) -> Self {
        Self { policy_version_id: Some(policy_version_id.into()), rollout_mode: RolloutMode::Observe, etag: None }
    }

    /// Deploys this version in `enforce` mode.
    #[must_use]
    pub fn enforce(policy_version_id: impl Into<String>) -> Self {
        Self { policy_version_id: Some(policy_version_id.into()), rollout_mode: RolloutMode::Enforce, etag: None }
    }

    /// Turns policy off (`rolloutMode: disabled`, `policyVersionId: null`).
    #[must_use]
    pub fn disabled() -> Self {
        Self { policy_version_id: None, rollout_mode: RolloutMode::Disabled, etag: None }
    }

    /// Sets the `ETag` of the deployment being replaced.
    #[must_use]
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }
}

/// The organization's policy settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicySettings {
    /// Whether policy evaluation is on for the organization.
    pub policy_enabled: bool,
    /// How much of MCP payloads is stored (`omitted`, `summary` or `full`).
    pub payload_capture_mode: PayloadCaptureMode,
    /// The organization's kill switch for the guardrail LLM, when the server reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_llm_enabled: Option<bool>,
    /// When the settings last changed (ISO 8601); send it back as
    /// [`UpdateSettings::expected_updated_at`].
    pub updated_at: String,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Result of `GET`/`PATCH /policy/settings`: `{settings}`. The wire sends the settings bare
/// (DECISIONS V13); older servers wrapped them as `{settings}`: the SDK accepts both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SettingsResponse {
    /// The settings.
    pub settings: PolicySettings,
}

/// Body of `PATCH /policy/settings`: only the fields given are changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UpdateSettings {
    /// `updatedAt` of the settings this write is based on; a stale value fails with 412.
    pub expected_updated_at: String,
    /// Turn policy evaluation on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_enabled: Option<bool>,
    /// New payload capture mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_capture_mode: Option<PayloadCaptureMode>,
}

impl UpdateSettings {
    /// A change based on the settings last read (their `updatedAt`).
    #[must_use]
    pub fn new(expected_updated_at: impl Into<String>) -> Self {
        Self { expected_updated_at: expected_updated_at.into(), ..Self::default() }
    }

    /// Turns policy evaluation on or off.
    #[must_use]
    pub fn with_policy_enabled(mut self, enabled: bool) -> Self {
        self.policy_enabled = Some(enabled);
        self
    }

    /// Sets the payload capture mode.
    #[must_use]
    pub fn with_payload_capture_mode(mut self, mode: PayloadCaptureMode) -> Self {
        self.payload_capture_mode = Some(mode);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_response_etag_is_optional_and_unknowns_survive() {
        let body = json!({"policy": {"policyText": "permit(principal, action, resource);",
            "policyVersionId": "pv_1", "updatedAt": "2026-11-28T10:00:00Z", "author": "ada"}});
        let mut resp: PolicyResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(resp.etag, None);
        assert_eq!(resp.policy.extra["author"], "ada");
        assert_eq!(serde_json::to_value(&resp).unwrap(), body);
        resp.etag = Some("\"pv_1\"".into());
        assert_eq!(serde_json::to_value(&resp).unwrap()["etag"], "\"pv_1\"");
    }

    #[test]
    fn update_policy_never_sends_etag() {
        let body = UpdatePolicy::new("forbid(principal, action, resource);").with_etag("\"abc\"");
        assert_eq!(serde_json::to_value(&body).unwrap(), json!({"policyText": "forbid(principal, action, resource);"}));
        let parsed: UpdatePolicy = serde_json::from_value(json!({"policyText": "x", "etag": "\"e\""})).unwrap();
        assert_eq!(parsed.etag.as_deref(), Some("\"e\""));
        let parsed: UpdatePolicy = serde_json::from_value(json!({"policyText": "x"})).unwrap();
        assert_eq!(parsed.etag, None);
    }

    #[test]
    fn validation_result() {
        assert_eq!(serde_json::to_value(ValidatePolicy::new("p")).unwrap(), json!({"policyText": "p"}));
        let value = json!({"valid": false, "diagnostics": [
            {"severity": "error", "message": "unexpected token", "line": 3, "column": 7},
            {"severity": "hint", "message": "consider", "code": "H1"}
        ]});
        let v: PolicyValidation = serde_json::from_value(value.clone()).unwrap();
        assert!(!v.valid);
        assert_eq!(v.diagnostics[0].severity, DiagnosticSeverity::Error);
        assert_eq!(v.diagnostics[0].line, Some(3));
        assert_eq!(v.diagnostics[1].severity, DiagnosticSeverity::Unknown("hint".into()));
        assert_eq!(v.diagnostics[1].extra["code"], "H1");
        assert_eq!(serde_json::to_value(&v).unwrap(), value);
        let ok: PolicyValidation = serde_json::from_value(json!({"valid": true})).unwrap();
        assert!(ok.diagnostics.is_empty());
    }

    #[test]
    fn deployment_round_trips_with_null_version() {
        let value = json!({"deployment": {"policyVersionId": null, "rolloutMode": "disabled",
            "updatedAt": "2026-11-28T10:00:00Z"}});
        let d: DeploymentResponse = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(d.deployment.rollout_mode, RolloutMode::Disabled);
        assert_eq!(d.deployment.policy_version_id, None);
        assert_eq!(serde_json::to_value(&d).unwrap(), value);

        let canary: Deployment = serde_json::from_value(json!({"policyVersionId": "pv_2",
            "rolloutMode": "canary", "updatedAt": "u", "percent": 10}))
        .unwrap();
        assert_eq!(canary.rollout_mode, RolloutMode::Unknown("canary".into()));
        assert_eq!(serde_json::to_value(&canary).unwrap()["rolloutMode"], "canary");
        assert_eq!(serde_json::to_value(&canary).unwrap()["percent"], 10);
    }

    /// The slot helpers follow the table of `kontext-api-2.md` §3.1.
    #[test]
    fn deployment_slots_by_rollout_mode() {
        let d = |mode: &str, active: Option<&str>, observing: Option<&str>| -> Deployment {
            serde_json::from_value(json!({"policyVersionId": active, "observingVersionId": observing,
                "rolloutMode": mode, "updatedAt": "u"}))
            .unwrap()
        };
        let slots =
            |d: &Deployment| (d.enforced_version_id().map(str::to_owned), d.observing_slot_id().map(str::to_owned));
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(slots(&d("enforce", Some("e"), Some("o"))), (some("e"), some("o")));
        assert_eq!(slots(&d("enforce", Some("e"), None)), (some("e"), None));
        assert_eq!(slots(&d("observe", Some("o"), Some("o"))), (None, some("o")));
        assert_eq!(slots(&d("observe", Some("o"), None)), (None, some("o")));
        assert_eq!(slots(&d("disabled", None, Some("o"))), (None, some("o")));
        assert_eq!(slots(&d("disabled", Some("e"), None)), (None, None), "paused: nothing enforced");
        assert_eq!(slots(&d("canary", Some("e"), Some("o"))), (None, some("o")));
        // An older server without the second slot still decodes, and round-trips unchanged.
        let old = json!({"policyVersionId": "e", "rolloutMode": "enforce", "updatedAt": "u"});
        let parsed: Deployment = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(parsed.observing_version_id, None);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), old);
    }

    #[test]
    fn update_deployment_bodies() {
        assert_eq!(
            serde_json::to_value(UpdateDeployment::disabled().with_etag("\"d1\"")).unwrap(),
            json!({"policyVersionId": null, "rolloutMode": "disabled"})
        );
        assert_eq!(
            serde_json::to_value(UpdateDeployment::enforce("pv_1")).unwrap(),
            json!({"policyVersionId": "pv_1", "rolloutMode": "enforce"})
        );
        assert_eq!(UpdateDeployment::observe("pv_1").rollout_mode, RolloutMode::Observe);
        let parsed: UpdateDeployment =
            serde_json::from_value(json!({"rolloutMode": "disabled", "etag": "\"d1\""})).unwrap();
        assert_eq!(parsed, UpdateDeployment::disabled().with_etag("\"d1\""));
    }

    #[test]
    fn settings() {
        let value = json!({"settings": {"policyEnabled": true, "payloadCaptureMode": "sampled",
            "updatedAt": "2026-11-28T10:00:00Z"}});
        let s: SettingsResponse = serde_json::from_value(value.clone()).unwrap();
        assert!(s.settings.policy_enabled);
        assert_eq!(s.settings.payload_capture_mode, PayloadCaptureMode::Unknown("sampled".into()));
        assert_eq!(serde_json::to_value(&s).unwrap(), value);
        // V3: the three documented modes; the old SDK's names are unknown values now.
        for (wire, mode) in [
            ("omitted", PayloadCaptureMode::Omitted),
            ("summary", PayloadCaptureMode::Summary),
            ("full", PayloadCaptureMode::Full),
            ("redacted", PayloadCaptureMode::Unknown("redacted".into())),
        ] {
            let value = json!({"settings": {"policyEnabled": false, "payloadCaptureMode": wire, "updatedAt": "t",
                "guardrailLlmEnabled": true}});
            let s: SettingsResponse = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(s.settings.payload_capture_mode, mode);
            assert_eq!(s.settings.guardrail_llm_enabled, Some(true));
            assert_eq!(serde_json::to_value(&s).unwrap(), value);
        }

        assert_eq!(
            serde_json::to_value(UpdateSettings::new("2026-11-28T10:00:00Z")).unwrap(),
            json!({"expectedUpdatedAt": "2026-11-28T10:00:00Z"})
        );
        assert_eq!(
            serde_json::to_value(
                UpdateSettings::new("t").with_policy_enabled(false).with_payload_capture_mode(PayloadCaptureMode::Full)
            )
            .unwrap(),
            json!({"expectedUpdatedAt": "t", "policyEnabled": false, "payloadCaptureMode": "full"})
        );
    }
}
