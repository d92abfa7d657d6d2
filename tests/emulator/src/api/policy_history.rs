//! The policy's history and reports (`kontext-api-2.md` §3.2–3.4, §3.6–3.7): versions (paged,
//! newest first), the rule-template catalog, replay and the blocked-call report. Every shape
//! here is inferred (DECISIONS V5, V14); replay is a deterministic model, not Cedar evaluation.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::{ok, ts};
use crate::cedar::{self, Statement};
use crate::clock::DAY;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody, PathIds, Query, parse_uuid};
use crate::pagination::{Page, list_body};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::{Decision, PolicyVersion};

/// One rule template of the catalog.
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// The statement without `@id` (the action adds it).
    pub body: &'static str,
    pub companions: &'static [&'static str],
}

/// The catalog. A template's id is also its reserved prefix: custom `@id`s must not start
/// with it.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "block-github-force-push",
        name: "Block force pushes to GitHub",
        description: "Blocks GitHub writes that force-push; comes with a guard on branch-protection changes.",
        body: "forbid(principal, action == Action::\"call_tool\", resource) when { resource.provider == \"github\" \
               && resource.operation == \"write\" && context.force == true };",
        companions: &["guard-github-branch-protection"],
    },
    Template {
        id: "guard-github-branch-protection",
        name: "Guard branch protection",
        description: "Blocks changes to GitHub branch protection (companion of block-github-force-push).",
        body: "forbid(principal, action == Action::\"call_tool\", resource) when { resource.toolName == \
               \"github.update_branch_protection\" };",
        companions: &[],
    },
    Template {
        id: "block-stripe-refunds",
        name: "Block Stripe refunds",
        description: "Blocks refunds through the Stripe integration.",
        body: "forbid(principal, action == Action::\"call_tool\", resource) when { resource.toolName == \
               \"stripe.create_refund\" };",
        companions: &[],
    },
    Template {
        id: "ask-before-slack-post",
        name: "Ask before posting to Slack",
        description: "Asks the user before an agent posts a Slack message.",
        body: "forbid(principal, action == Action::\"call_tool\", resource) when { resource.toolName == \
               \"slack.post_message\" };",
        companions: &[],
    },
];

/// The agents a policy may be scoped to.
pub const AGENT_IDS: [&str; 2] = ["anthropic-claude-code", "openai-codex"];

/// The baseline of a replay when nothing is enforced.
pub const DEFAULT_PERMIT: &str = "@id(\"default-permit\")\npermit(principal, action, resource);";

pub fn template(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

fn policy_ids(text: &str) -> Vec<String> {
    cedar::statements(text).unwrap_or_default().iter().filter_map(|s| s.annotation("id").map(str::to_owned)).collect()
}

fn version_view(v: &PolicyVersion) -> Value {
    json!({
        "id": v.id,
        "policyText": v.text,
        "origin": if v.origin.is_empty() { Value::Null } else { Value::from(v.origin.clone()) },
        "createdAt": ts(v.created_at),
        "policyIds": policy_ids(&v.text),
    })
}

pub async fn list_versions(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let page = Page::parse(&q, "policy_versions")?;
    Ok(ok(st.read(|d| {
        let (items, next) = page.descending(&d.policy_versions, |_| true);
        list_body(items.into_iter().map(version_view).collect(), next)
    })))
}

/// Ids are opaque to clients (DECISIONS V12): anything that is not a known version is 404.
fn find_version<'a>(d: &'a Data, raw: &str) -> ApiResult<&'a PolicyVersion> {
    parse_uuid(raw)
        .and_then(|id| d.policy_versions.get(&id))
        .ok_or_else(|| ApiError::not_found("Policy version not found"))
}

pub async fn get_version(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    st.read(|d| Ok(ok(version_view(find_version(d, ids.raw("id"))?))))
}

pub async fn rule_templates() -> Response {
    let items: Vec<Value> = TEMPLATES
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "policyText": format!("@id(\"{}\")\n{}", t.id, t.body),
                "reservedPrefix": t.id,
                "companionTemplateIds": t.companions,
            })
        })
        .collect();
    ok(json!({ "items": items, "agentIds": AGENT_IDS, "defaultPermitPolicyText": DEFAULT_PERMIT }))
}

/// `days` ∈ {7, 14, 30} (DECISIONS V14).
fn days(value: Option<i64>) -> ApiResult<i64> {
    match value {
        Some(d @ (7 | 14 | 30)) => Ok(d),
        _ => Err(ApiError::bad_request("days must be 7, 14 or 30")),
    }
}

/// The recorded decisions of the last `days` days, on the emulator clock.
fn window(d: &Data, now: i64, days: i64) -> Vec<&Decision> {
    d.decisions.iter().filter(|x| x.occurred_at > now - days * DAY && x.occurred_at <= now).collect()
}

/// The `resource.<field> == "<value>"` conditions of a statement (all must hold).
fn conditions(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("resource.") {
        rest = &rest[at + "resource.".len()..];
        let field: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after = rest[field.len()..].trim_start();
        if let Some(value) = after.strip_prefix("==").map(str::trim_start).and_then(|v| v.strip_prefix('"'))
            && let Some(end) = value.find('"')
        {
            out.push((field, value[..end].to_owned()));
        }
    }
    out
}

fn matches(statement: &Statement, x: &Decision) -> bool {
    let endpoint = statement.annotation("endpoint").is_none_or(|e| e == x.installation_id);
    endpoint
        && conditions(&statement.body).iter().all(|(field, value)| match field.as_str() {
            "provider" => x.provider == *value,
            "toolName" => x.tool_name == *value,
            "operation" => x.operation == *value,
            _ => true,
        })
}

/// Most calls a replay judges before it reports `truncated`.
const REPLAY_CAP: usize = 5_000;

pub async fn replay(State(st): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let f = Fields::new(&body);
    let enforcing = f.req_str("enforcingVersionId", 200)?;
    let observing = f.req_str("observingVersionId", 200)?;
    let days = days(match f.value("days") {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| ApiError::bad_request("days must be 7, 14 or 30"))?),
    })?;
    if let Some(baseline) = f.value("baselinePolicyText") {
        let text = baseline.as_str().ok_or_else(|| ApiError::bad_request("baselinePolicyText must be a string"))?;
        if let Err(d) = cedar::statements(text) {
            return Err(ApiError::bad_request(format!("baselinePolicyText is invalid: {}", d.message)));
        }
    }
    let now = st.now();
    st.read(|d| {
        find_version(d, &enforcing)?;
        let candidate = cedar::statements(&find_version(d, &observing)?.text).unwrap_or_default();
        let capture_full = d.org.settings.payload_capture_mode == "full";
        let calls = window(d, now, days);
        let truncated = calls.len() > REPLAY_CAP;
        let calls = &calls[..calls.len().min(REPLAY_CAP)];
        let policies: Vec<Value> = candidate
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let id = s.annotation("id").map_or_else(|| format!("policy{n}"), str::to_owned);
                let (mut block, mut allow, mut capture, mut unreplayable) = (0u64, 0u64, 0u64, 0u64);
                for x in calls {
                    if x.tool_name.is_empty() {
                        unreplayable += 1;
                    } else if !matches(s, x) {
                        allow += 1;
                    } else if s.body.contains("context.") && !capture_full {
                        capture += 1;
                    } else if s.effect == "forbid" {
                        block += 1;
                    } else {
                        allow += 1;
                    }
                }
                json!({"policyId": id, "wouldBlock": block, "wouldAllow": allow, "needsCapture": capture,
                    "notReplayable": unreplayable})
            })
            .collect();
        Ok(ok(json!({
            "days": days,
            "enforcingVersionId": enforcing,
            "observingVersionId": observing,
            "policies": policies,
            "truncated": truncated,
        })))
    })
}

pub async fn blocked(State(st): State<AppState>, q: Query) -> ApiResult<Response> {
    let days = match q.get("days") {
        None => 7,
        Some(raw) => days(raw.trim().parse().ok())?,
    };
    let now = st.now();
    Ok(ok(st.read(|d| {
        // Grouped by (policy, tool); the reason code stands for the policy that blocked.
        let mut groups: BTreeMap<(String, String), (u64, &Decision)> = BTreeMap::new();
        for x in window(d, now, days).into_iter().filter(|x| x.decision_result == "deny") {
            let entry = groups.entry((x.reason_code.clone(), x.tool_name.clone())).or_insert((0, x));
            entry.0 += 1;
            if x.occurred_at >= entry.1.occurred_at {
                entry.1 = x;
            }
        }
        let mut rows: Vec<_> = groups.into_iter().collect();
        rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        let items: Vec<Value> = rows
            .into_iter()
            .map(|((policy, tool), (count, last))| {
                json!({"policyId": policy, "toolName": tool, "count": count, "lastBlockedAt": ts(last.occurred_at),
                    "provider": last.provider, "operation": last.operation, "installationId": last.installation_id})
            })
            .collect();
        json!({ "days": days, "items": items })
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_read_from_the_statement() {
        let body = "forbid(principal, action, resource) when { resource.provider == \"github\" && resource.toolName==\"github.x\" && context.force };";
        assert_eq!(
            conditions(body),
            [("provider".to_owned(), "github".to_owned()), ("toolName".to_owned(), "github.x".to_owned())]
        );
        assert!(conditions("permit(principal, action, resource);").is_empty());
    }

    #[test]
    fn every_template_is_one_valid_statement_and_companions_exist() {
        for t in TEMPLATES {
            assert_eq!(cedar::statements(t.body).map(|s| s.len()), Ok(1), "{}", t.id);
            assert!(t.companions.iter().all(|c| template(c).is_some()), "{}", t.id);
        }
        assert_eq!(cedar::statements(DEFAULT_PERMIT).unwrap()[0].annotation("id"), Some("default-permit"));
    }
}
