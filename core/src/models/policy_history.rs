//! The policy's history and what-if reports: policy versions, the rule-template catalog, replay
//! and the blocked-call report (`kontext-api-2.md` §3.2–3.7).
//!
//! The concepts are the vendor's; every field name here is inferred (DECISIONS V5, V14), so
//! every response model keeps unknown fields in `extra` and decodes absent optional ones.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One policy version: the text of one slot at one point of the history. The same text always
/// has the same id; ids are opaque strings (not UUIDs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersion {
    /// Version id: what the deployment's `policyVersionId` and `observingVersionId` name.
    pub id: String,
    /// The Cedar text of this version.
    #[serde(default)]
    pub policy_text: String,
    /// What produced it (an open set of values: one origin per action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// When it was first produced (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The `@id`s of the policies in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_ids: Option<Vec<String>>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Query of `GET /policy/versions` (cursor pagination, newest first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListPolicyVersionsParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The catalog of rule templates that `add` actions use (`GET /policy/rule-templates`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct RuleTemplates {
    /// The templates.
    #[serde(default)]
    pub items: Vec<RuleTemplate>,
    /// The `agentId` values an action may scope a policy to.
    #[serde(default)]
    pub agent_ids: Vec<String>,
    /// The default-permit text: the `baselinePolicyText` of a replay in an observe-only or
    /// disabled workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_permit_policy_text: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// One rule template of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct RuleTemplate {
    /// Template id (e.g. `block-github-force-push`); after an `add`, also the `policyId` of the
    /// added policy.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the rule does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The Cedar text it adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_text: Option<String>,
    /// The id prefix reserved for this template: custom `@id`s must not start with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_prefix: Option<String>,
    /// Companion guards added with it; each must be enforced on its own.
    #[serde(default)]
    pub companion_template_ids: Vec<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Body of `POST /policy/replay`: what recorded calls would have done under a candidate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReplayPolicy {
    /// The version endpoints enforce (the deployment's `policyVersionId`).
    pub enforcing_version_id: String,
    /// The candidate: the observing slot's version (in an observe-only workspace, the
    /// `policyVersionId` again).
    pub observing_version_id: String,
    /// The window in days: 7, 14 or 30 (the server checks it).
    pub days: u32,
    /// The baseline when nothing is enforced (observe-only or disabled workspaces): the
    /// catalog's `defaultPermitPolicyText`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_policy_text: Option<String>,
}

impl ReplayPolicy {
    /// A replay of `observing` against `enforcing` over `days` days.
    #[must_use]
    pub fn new(enforcing_version_id: impl Into<String>, observing_version_id: impl Into<String>, days: u32) -> Self {
        Self {
            enforcing_version_id: enforcing_version_id.into(),
            observing_version_id: observing_version_id.into(),
            days,
            baseline_policy_text: None,
        }
    }

    /// Sets the baseline text (observe-only and disabled workspaces).
    #[must_use]
    pub fn with_baseline(mut self, text: impl Into<String>) -> Self {
        self.baseline_policy_text = Some(text.into());
        self
    }
}

/// Answer of `POST /policy/replay`. Zero replayed calls are not evidence that a policy is safe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    /// The window replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// One row per policy of the candidate.
    #[serde(default)]
    pub policies: Vec<ReplayedPolicy>,
    /// Whether the server stopped before replaying every recorded call.
    #[serde(default)]
    pub truncated: bool,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// What one policy would have done to the recorded calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReplayedPolicy {
    /// The policy's `@id`.
    pub policy_id: String,
    /// Calls it would have blocked.
    #[serde(default)]
    pub would_block: u64,
    /// Calls it would have allowed.
    #[serde(default)]
    pub would_allow: u64,
    /// Calls that could not be judged because their payload was not captured.
    #[serde(default)]
    pub needs_capture: u64,
    /// Calls that cannot be replayed at all.
    #[serde(default)]
    pub not_replayable: u64,
    /// Whether this policy's replay stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Query of `GET /policy/blocked`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct BlockedCallsParams {
    /// The window in days: 7, 14 or 30 (server default 7; the server checks it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// Answer of `GET /policy/blocked` (not paged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct BlockedCalls {
    /// The window reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Blocked calls, grouped by policy and tool.
    #[serde(default)]
    pub items: Vec<BlockedCall>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Calls one policy blocked for one tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct BlockedCall {
    /// The policy that blocked them.
    #[serde(default)]
    pub policy_id: String,
    /// The tool called.
    #[serde(default)]
    pub tool_name: String,
    /// How many calls were blocked.
    #[serde(default)]
    pub count: u64,
    /// The latest one (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_blocked_at: Option<String>,
    /// Provider of the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Operation at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Endpoint installation that reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_id: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_decode_with_only_an_id_and_keep_unknown_fields() {
        let v: PolicyVersion = serde_json::from_value(json!({"id": "pv 1/2", "author": "ada"})).unwrap();
        assert_eq!((v.id.as_str(), v.policy_text.as_str(), v.origin.as_deref()), ("pv 1/2", "", None));
        assert_eq!(v.extra["author"], "ada");
        let full = json!({"id": "v", "policyText": "permit(principal, action, resource);", "origin": "add",
            "createdAt": "2026-12-01T00:00:00Z", "policyIds": ["a"]});
        assert_eq!(serde_json::to_value(serde_json::from_value::<PolicyVersion>(full.clone()).unwrap()).unwrap(), full);
    }

    #[test]
    fn replay_report_accepts_truncated_at_either_level() {
        let r: ReplayReport = serde_json::from_value(json!({"days": 7, "truncated": true, "policies": [
            {"policyId": "p", "wouldBlock": 3, "wouldAllow": 9, "needsCapture": 1, "notReplayable": 0, "truncated": false}
        ]}))
        .unwrap();
        assert!(r.truncated);
        assert_eq!(r.policies[0].would_block, 3);
        assert_eq!(r.policies[0].truncated, Some(false));
        let bare: ReplayReport = serde_json::from_value(json!({})).unwrap();
        assert!(!bare.truncated && bare.policies.is_empty());
    }

    #[test]
    fn replay_body_leaves_out_the_baseline_unless_set() {
        assert_eq!(
            serde_json::to_value(ReplayPolicy::new("e", "o", 14)).unwrap(),
            json!({"enforcingVersionId": "e", "observingVersionId": "o", "days": 14})
        );
        assert_eq!(
            serde_json::to_value(ReplayPolicy::new("o", "o", 7).with_baseline("permit(principal, action, resource);"))
                .unwrap()["baselinePolicyText"],
            "permit(principal, action, resource);"
        );
    }

    #[test]
    fn catalog_and_blocked_calls_decode() {
        let t: RuleTemplates = serde_json::from_value(json!({"items": [{"id": "block-github-force-push",
            "companionTemplateIds": ["x"], "reservedPrefix": "block-github-"}], "agentIds": ["openai-codex"],
            "defaultPermitPolicyText": "permit(principal, action, resource);"}))
        .unwrap();
        assert_eq!(t.items[0].companion_template_ids, ["x"]);
        let b: BlockedCalls = serde_json::from_value(json!({"days": 7, "items": [{"policyId": "p",
            "toolName": "github.delete_repo", "count": 2, "lastBlockedAt": "t", "provider": "github"}]}))
        .unwrap();
        assert_eq!((b.items[0].count, b.items[0].provider.as_deref()), (2, Some("github")));
    }
}
