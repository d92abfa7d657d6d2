//! Policy decisions: one row per tool call the policy engine allowed or denied.

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;

open_enum! {
    /// Outcome of a policy decision.
    pub enum DecisionResult {
        /// The call was allowed.
        Allow => "allow",
        /// The call was denied (or would have been, in `observe` rollout mode).
        Deny => "deny",
    }
}

open_enum! {
    /// Risk the policy engine assigned to the call.
    pub enum RiskLevel {
        /// Low risk.
        Low => "low",
        /// Medium risk.
        Medium => "medium",
        /// High risk.
        High => "high",
        /// Critical risk.
        Critical => "critical",
    }
}

/// One policy decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Decision id.
    pub id: String,
    /// Tool that was called; empty when the decision was not about a tool call.
    #[serde(default)]
    pub tool_name: String,
    /// Agent session that made the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Endpoint installation that reported the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_id: Option<String>,
    /// When the decision was made (ISO 8601).
    pub occurred_at: String,
    /// Allow or deny.
    pub decision_result: DecisionResult,
    /// Category of the decision (e.g. `policy`, `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_category: Option<String>,
    /// Machine-readable reason (e.g. the matching policy's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Provider (integration kind) the call went to, e.g. `github`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Operation at the provider, e.g. `repo.delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Assessed risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<RiskLevel>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Query of `GET /decisions` (cursor pagination). Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListDecisionsParams {
    /// Only decisions about this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only allows or only denies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_result: Option<DecisionResult>,
    /// Only this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_category: Option<String>,
    /// Only this reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Only this risk level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<RiskLevel>,
    /// Only decisions from this installation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_id: Option<String>,
    /// Only decisions of this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Earliest `occurredAt` (ISO 8601, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Latest `occurredAt` (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `GET /decisions/:id`: `{decision}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DecisionResponse {
    /// The decision.
    pub decision: Decision,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decision_decodes_keeps_unknowns_and_round_trips() {
        let value = json!({"decision": {
            "id": "dec_1", "toolName": "", "sessionId": "s_1", "installationId": "ins_1",
            "occurredAt": "2026-11-28T10:00:00Z", "decisionResult": "deny",
            "decisionCategory": "policy", "reasonCode": "forbid_rule", "provider": "github",
            "operation": "repo.delete", "riskLevel": "severe", "policyVersionId": "pv_1"
        }});
        let d: DecisionResponse = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(d.decision.tool_name, "");
        assert_eq!(d.decision.decision_result, DecisionResult::Deny);
        assert_eq!(d.decision.risk_level, Some(RiskLevel::Unknown("severe".into())));
        assert_eq!(d.decision.extra["policyVersionId"], "pv_1");
        assert_eq!(serde_json::to_value(&d).unwrap(), value);
    }

    #[test]
    fn minimal_decision_decodes() {
        let d: Decision =
            serde_json::from_value(json!({"id": "d", "occurredAt": "t", "decisionResult": "allow"})).unwrap();
        assert_eq!(d.tool_name, "");
        assert_eq!(d.risk_level, None);
        assert_eq!(d.decision_result, DecisionResult::Allow);
    }

    #[test]
    fn list_params() {
        assert_eq!(serde_json::to_value(ListDecisionsParams::default()).unwrap(), json!({}));
        let p = ListDecisionsParams {
            decision_result: Some(DecisionResult::Deny),
            risk_level: Some(RiskLevel::Critical),
            installation_id: Some("ins_1".into()),
            from: Some("2026-11-01T00:00:00Z".into()),
            limit: Some(200),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"decisionResult": "deny", "riskLevel": "critical", "installationId": "ins_1",
                   "from": "2026-11-01T00:00:00Z", "limit": 200})
        );
    }
}
