//! `POST /policy/actions`: the one policy write (DECISIONS V6, `kontext-api-2.md` §3.5).
//!
//! An action saves and deploys atomically, guarded by the deployment's `ETag` (sent as
//! `If-Match`). Its body is a union tagged by `action`: `add`, `enforce`, `stop` or `delete`, each
//! with its own fields. In Rust that is the enum [`PolicyAction`]; the other languages get one
//! flat object whose `action` says which fields apply. Any other `action` is rejected before a
//! request is made (there is no way to know what an unknown action would do).

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use super::policy::{Deployment, RolloutMode};
use crate::args::{At, FromArg};
use crate::error::{Error, Result};

open_enum! {
    /// The kind of a policy action (its `action` field).
    pub enum PolicyActionKind {
        /// Adds a template or one custom Cedar statement to the observing slot.
        Add => "add",
        /// Promotes one policy's blocks to the enforced slot.
        Enforce => "enforce",
        /// Moves one policy back to observing only.
        Stop => "stop",
        /// Removes one policy from a slot.
        Delete => "delete",
    }
}

open_enum! {
    /// A slot of the deployment (the `where` of a `delete` action).
    pub enum PolicySlot {
        /// The observing slot (replayed, never blocks).
        Observing => "observing",
        /// The enforced slot (blocks); deleting from it also removes the observing copy.
        Enforced => "enforced",
    }
}

/// A policy action: the body of `POST /policy/actions`, a union tagged by `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum PolicyAction {
    /// `{"action": "add", ...}`: adds to the observing slot; the enforced slot is not weakened.
    Add(AddPolicy),
    /// `{"action": "enforce", "policyId"}`: promotes only that policy's blocks (it may switch the
    /// rollout from observe to enforce; a paused workspace stays paused). Companion guards must
    /// be enforced on their own.
    Enforce(PolicyRef),
    /// `{"action": "stop", "policyId"}`: moves the policy back to observing only.
    Stop(PolicyRef),
    /// `{"action": "delete", "policyId", "where"}`: removes the policy from that slot.
    Delete(DeletePolicy),
}

/// The fields of an `add` action: exactly one of `template_id` or `cedar`, and optionally a
/// scope (`endpoint_id` and/or `agent_id`) **or** `scopes` (one copy per scope).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[serde(rename_all = "camelCase")]
pub struct AddPolicy {
    /// A rule template id of the catalog (`policy.listRuleTemplates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Exactly one static Cedar statement with a unique `@id(...)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cedar: Option<String>,
    /// Limits the policy to one enrolled endpoint (installation id `ins_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// Limits the policy to one agent (a value of the catalog's `agentIds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Adds one copy per scope, in one transaction (instead of `endpoint_id` / `agent_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<PolicyScope>>,
}

impl AddPolicy {
    /// Adds a catalog template.
    #[must_use]
    pub fn template(template_id: impl Into<String>) -> Self {
        Self { template_id: Some(template_id.into()), ..Self::default() }
    }

    /// Adds one custom Cedar statement (with its own `@id`).
    #[must_use]
    pub fn cedar(statement: impl Into<String>) -> Self {
        Self { cedar: Some(statement.into()), ..Self::default() }
    }

    /// Limits the policy to one endpoint.
    #[must_use]
    pub fn for_endpoint(mut self, endpoint_id: impl Into<String>) -> Self {
        self.endpoint_id = Some(endpoint_id.into());
        self
    }

    /// Limits the policy to one agent.
    #[must_use]
    pub fn for_agent(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Adds one copy per scope.
    #[must_use]
    pub fn for_scopes(mut self, scopes: Vec<PolicyScope>) -> Self {
        self.scopes = Some(scopes);
        self
    }
}

/// One scope of an `add` action's `scopes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyScope {
    /// An agent (a value of the catalog's `agentIds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// An enrolled endpoint (installation id `ins_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

/// The target of an `enforce` or `stop` action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    /// The policy's `@id` (for a template: the template id).
    pub policy_id: String,
}

/// The fields of a `delete` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[serde(rename_all = "camelCase")]
pub struct DeletePolicy {
    /// The policy's `@id`.
    pub policy_id: String,
    /// The slot to remove it from.
    pub r#where: PolicySlot,
}

impl PolicyAction {
    /// `add` of a catalog template.
    #[must_use]
    pub fn add_template(template_id: impl Into<String>) -> Self {
        Self::Add(AddPolicy::template(template_id))
    }

    /// `add` of one custom Cedar statement.
    #[must_use]
    pub fn add_cedar(statement: impl Into<String>) -> Self {
        Self::Add(AddPolicy::cedar(statement))
    }

    /// `enforce` of one policy.
    #[must_use]
    pub fn enforce(policy_id: impl Into<String>) -> Self {
        Self::Enforce(PolicyRef { policy_id: policy_id.into() })
    }

    /// `stop` of one policy.
    #[must_use]
    pub fn stop(policy_id: impl Into<String>) -> Self {
        Self::Stop(PolicyRef { policy_id: policy_id.into() })
    }

    /// `delete` of one policy from one slot.
    #[must_use]
    pub fn delete(policy_id: impl Into<String>, slot: PolicySlot) -> Self {
        Self::Delete(DeletePolicy { policy_id: policy_id.into(), r#where: slot })
    }

    /// The action's kind.
    pub fn kind(&self) -> PolicyActionKind {
        match self {
            Self::Add(_) => PolicyActionKind::Add,
            Self::Enforce(_) => PolicyActionKind::Enforce,
            Self::Stop(_) => PolicyActionKind::Stop,
            Self::Delete(_) => PolicyActionKind::Delete,
        }
    }

    /// The checks the SDK makes before sending: the fields each kind needs, named in the error.
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            Self::Add(add) => {
                let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
                match (given(&add.template_id), given(&add.cedar)) {
                    (true, false) | (false, true) => {}
                    (true, true) => {
                        return Err(Error::invalid("cedar", "an add takes `templateId` or `cedar`, not both"));
                    }
                    (false, false) => {
                        return Err(Error::invalid("templateId", "an add needs `templateId` or `cedar` (not blank)"));
                    }
                }
                if let Some(scopes) = &add.scopes {
                    if add.endpoint_id.is_some() || add.agent_id.is_some() {
                        return Err(Error::invalid(
                            "scopes",
                            "is used instead of `endpointId` / `agentId`, not with them",
                        ));
                    }
                    if scopes.is_empty() {
                        return Err(Error::invalid("scopes", "must not be empty (leave it out for no scope)"));
                    }
                    if scopes.iter().any(|s| s.agent_id.is_none() && s.endpoint_id.is_none()) {
                        return Err(Error::invalid("scopes", "each scope needs `agentId` and/or `endpointId`"));
                    }
                }
                Ok(())
            }
            Self::Enforce(r) | Self::Stop(r) => crate::validate::required("policyId", &r.policy_id),
            Self::Delete(d) => {
                crate::validate::required("policyId", &d.policy_id)?;
                match d.r#where {
                    PolicySlot::Unknown(_) => Err(Error::invalid("where", "must be `observing` or `enforced`")),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Decoded from the flat object the other languages pass: `action` picks the variant, and an
/// unknown `action` is an invalid-input error naming `action` (the value is not quoted back).
impl FromArg for PolicyAction {
    fn from_arg(value: Value, at: At<'_>) -> Result<Self> {
        let kind = match &value {
            Value::Object(map) => match map.get("action") {
                None | Some(Value::Null) => return Err(Error::invalid("action", "is required")),
                Some(Value::String(kind)) => kind.clone(),
                Some(other) => {
                    let found = crate::args::json_type(other);
                    return Err(Error::invalid("action", format!("must be a string, not {found}")));
                }
            },
            // Not an object: the struct decoder names the argument and the type found.
            other => return AddPolicy::from_arg(other.clone(), at).map(Self::Add),
        };
        match kind.as_str() {
            "add" => AddPolicy::from_arg(value, at).map(Self::Add),
            "enforce" => PolicyRef::from_arg(value, at).map(Self::Enforce),
            "stop" => PolicyRef::from_arg(value, at).map(Self::Stop),
            "delete" => DeletePolicy::from_arg(value, at).map(Self::Delete),
            _ => Err(Error::invalid(
                "action",
                format!(
                    "is not a known action kind ({} characters): use add, enforce, stop or delete",
                    kind.chars().count()
                ),
            )),
        }
    }

    fn blank() -> Self {
        Self::Add(AddPolicy::default())
    }
}

#[cfg(feature = "describe")]
const MODULE: &str = module_path!();

/// What another language sees of [`PolicyAction`]: one object whose `action` says which fields
/// apply (`kontext-api-2.md` §3.5).
#[cfg(feature = "describe")]
mod describe {
    use super::*;
    use crate::describe::{Describe, DescribeModel, ModelDesc, Ty};

    /// A policy action (`POST /policy/actions`), tagged by `action`:
    /// - `add`: exactly one of `templateId` or `cedar` (one static Cedar statement with a unique
    ///   `@id`), optionally scoped by `endpointId` and/or `agentId`, or by `scopes` instead;
    /// - `enforce` / `stop`: `policyId`;
    /// - `delete`: `policyId` and `where` (`observing` or `enforced`).
    ///
    /// Any other `action` is rejected before a request is made.
    #[derive(Serialize, kontext_management_derive::Describe)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)] // Only described, never built.
    struct PolicyActionFields {
        /// `add`, `enforce`, `stop` or `delete`.
        action: PolicyActionKind,
        /// `add`: a rule template id of the catalog.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template_id: Option<String>,
        /// `add`: exactly one static Cedar statement with a unique `@id(...)`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cedar: Option<String>,
        /// `add`: limits the policy to one enrolled endpoint (`ins_…`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint_id: Option<String>,
        /// `add`: limits the policy to one agent (a value of the catalog's `agentIds`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_id: Option<String>,
        /// `add`: one copy per scope, instead of `endpointId` / `agentId`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scopes: Option<Vec<PolicyScope>>,
        /// `enforce`, `stop`, `delete`: the policy's `@id` (for a template: the template id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_id: Option<String>,
        /// `delete`: the slot to remove it from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        r#where: Option<PolicySlot>,
    }

    fn describe() -> ModelDesc {
        // Named and grouped as the type it stands for, not as this helper.
        ModelDesc { name: "PolicyAction", module: super::MODULE, ..PolicyActionFields::describe() }
    }

    impl Describe for PolicyAction {
        fn ty() -> Ty {
            Ty::Model("PolicyAction", describe)
        }
    }
}

/// The body of a successful action: the policy it touched, the companion guards an `add` brought
/// along, and the new deployment (field names inferred, DECISIONS V6; a server that answers less
/// still decodes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyActionResult {
    /// The policy that was added, enforced, stopped or deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    /// Every policy the action added (several for an `add` with `scopes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_ids: Option<Vec<String>>,
    /// Companion guards added with a template; each must be enforced on its own.
    #[serde(default)]
    pub companion_policy_ids: Vec<String>,
    /// The deployment's version after the action (see `Deployment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version_id: Option<String>,
    /// The observing slot's version after the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observing_version_id: Option<String>,
    /// The rollout mode after the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_mode: Option<RolloutMode>,
    /// When the deployment changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl PolicyActionResult {
    /// The deployment after the action, when the answer carries it (`rolloutMode` and
    /// `updatedAt` present).
    pub fn deployment(&self) -> Option<Deployment> {
        Some(Deployment {
            policy_version_id: self.policy_version_id.clone(),
            observing_version_id: self.observing_version_id.clone(),
            rollout_mode: self.rollout_mode.clone()?,
            updated_at: self.updated_at.clone()?,
            extra: Map::new(),
        })
    }
}

/// Result of `policy.applyAction`: `{result, etag}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyActionResponse {
    /// The response body.
    pub result: PolicyActionResult,
    /// The new deployment `ETag` (the response header, exactly as received): pass it to the
    /// next action. Absent only when the server sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(value: Value) -> Result<PolicyAction> {
        PolicyAction::from_arg(value, At::argument("data"))
    }

    fn argument(e: Error) -> String {
        e.details().argument.clone().unwrap_or_default()
    }

    #[test]
    fn each_kind_serializes_as_a_tagged_object() {
        let cases = [
            (
                PolicyAction::add_template("block-github-force-push"),
                json!({"action": "add", "templateId": "block-github-force-push"}),
            ),
            (
                PolicyAction::Add(
                    AddPolicy::cedar("@id(\"c\") forbid(principal, action, resource);").for_agent("openai-codex"),
                ),
                json!({"action": "add", "cedar": "@id(\"c\") forbid(principal, action, resource);", "agentId": "openai-codex"}),
            ),
            (PolicyAction::enforce("p"), json!({"action": "enforce", "policyId": "p"})),
            (PolicyAction::stop("p"), json!({"action": "stop", "policyId": "p"})),
            (
                PolicyAction::delete("p", PolicySlot::Enforced),
                json!({"action": "delete", "policyId": "p", "where": "enforced"}),
            ),
        ];
        for (action, wire) in cases {
            assert_eq!(serde_json::to_value(&action).unwrap(), wire);
            assert_eq!(serde_json::from_value::<PolicyAction>(wire.clone()).unwrap(), action);
            assert_eq!(decode(wire).unwrap(), action, "the argument decoder agrees with serde");
        }
    }

    #[test]
    fn unknown_or_missing_kinds_name_the_action_argument() {
        for bad in [
            json!({"action": "publish", "policyId": "p"}),
            json!({"policyId": "p"}),
            json!({"action": 3}),
            json!({"action": ""}),
        ] {
            let e = decode(bad.clone()).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert_eq!(argument(e), "action", "{bad}");
        }
        let e = decode(json!({"action": "s3cret-value"})).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "the value is not quoted back: {e}");
        assert_eq!(argument(decode(json!("add")).unwrap_err()), "data");
        assert_eq!(argument(decode(json!({"action": "enforce"})).unwrap_err()), "policyId");
        assert_eq!(argument(decode(json!({"action": "delete", "policyId": "p"})).unwrap_err()), "where");
    }

    #[test]
    fn checks_name_the_field_a_kind_needs() {
        let named = |a: PolicyAction| a.check().err().map(argument);
        assert_eq!(named(PolicyAction::add_template("t")), None);
        assert_eq!(named(PolicyAction::Add(AddPolicy::default())), Some("templateId".into()));
        assert_eq!(named(PolicyAction::add_template("  ")), Some("templateId".into()));
        let both = AddPolicy { cedar: Some("c".into()), ..AddPolicy::template("t") };
        assert_eq!(named(PolicyAction::Add(both)), Some("cedar".into()));
        let scoped_twice = AddPolicy::template("t").for_agent("a").for_scopes(vec![PolicyScope::default()]);
        assert_eq!(named(PolicyAction::Add(scoped_twice)), Some("scopes".into()));
        assert_eq!(named(PolicyAction::Add(AddPolicy::template("t").for_scopes(vec![]))), Some("scopes".into()));
        let empty_scope = AddPolicy::template("t").for_scopes(vec![PolicyScope::default()]);
        assert_eq!(named(PolicyAction::Add(empty_scope)), Some("scopes".into()));
        let scopes = vec![PolicyScope { agent_id: Some("openai-codex".into()), endpoint_id: None }];
        assert_eq!(named(PolicyAction::Add(AddPolicy::template("t").for_scopes(scopes))), None);
        assert_eq!(named(PolicyAction::enforce("")), Some("policyId".into()));
        assert_eq!(named(PolicyAction::stop(" ")), Some("policyId".into()));
        assert_eq!(named(PolicyAction::delete("p", PolicySlot::Unknown("both".into()))), Some("where".into()));
        assert_eq!(named(PolicyAction::delete("p", PolicySlot::Observing)), None);
    }

    #[test]
    fn results_decode_from_the_mock_body_and_from_the_full_one() {
        let mock: PolicyActionResponse =
            serde_json::from_value(json!({"result": {"message": "done"}, "etag": "\"deployment-2\""})).unwrap();
        assert_eq!(mock.result.policy_id, None);
        assert_eq!(mock.result.extra["message"], "done");
        assert_eq!(mock.result.deployment(), None);
        let full: PolicyActionResult = serde_json::from_value(json!({"policyId": "t", "companionPolicyIds": ["g"],
            "policyVersionId": null, "observingVersionId": "v2", "rolloutMode": "observe", "updatedAt": "u"}))
        .unwrap();
        let d = full.deployment().unwrap();
        assert_eq!((d.rollout_mode, d.observing_version_id.as_deref()), (RolloutMode::Observe, Some("v2")));
        assert_eq!(full.companion_policy_ids, ["g"]);
    }
}
