//! `POST /policy/actions` (`kontext-api-2.md` §3.5, DECISIONS V6): the inferred two-set model.
//!
//! The organization keeps named `@id` policies; every one observes, and those marked enforced
//! also enforce (so observing ⊇ enforced). Each slot's text is its set joined in order, and
//! every successful action stores the version(s) of those texts (same text, same version),
//! moves the deployment ETag on and answers with it.
//!
//! Statuses, in the order they are checked: 428 without `If-Match`, 400 for a malformed body,
//! 412 when `If-Match` is not the current deployment ETag (compared byte for byte: it is opaque,
//! DECISIONS V19), 404 for an unknown template, policy or endpoint, 409 for an id collision or a
//! policy in the wrong slot, 422 with `diagnostics` for Cedar that cannot be added. Error
//! answers carry `ETag: W/"error-response"`, as the vendor's mock does: a client must not pick
//! it up.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::ok;
use super::policy::{deployment_etag, deployment_view, header_str, next_stamp, version_of, with_etag};
use super::policy_history::{AGENT_IDS, TEMPLATES, template};
use crate::cedar;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{Fields, JsonBody};
use crate::state::AppState;
use crate::state::data::Data;
use crate::state::model::NamedPolicy;

/// The largest policy text the data plane accepts.
const MAX_TEXT: usize = 1_048_576;

/// What the mock server sends with every error: never a tag to reuse.
const ERROR_ETAG: &str = "W/\"error-response\"";

fn unprocessable(message: impl Into<String>, diagnostics: Vec<Value>) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message);
    e.extra.insert("diagnostics".into(), Value::Array(diagnostics));
    e
}

fn diagnostic(message: &str, line: usize, column: usize) -> Value {
    json!({"severity": "error", "message": message, "line": line, "column": column})
}

/// One scope of an `add`: an agent and/or an endpoint.
#[derive(Clone, Default)]
struct Scope {
    agent: Option<String>,
    endpoint: Option<String>,
}

impl Scope {
    fn is_empty(&self) -> bool {
        self.agent.is_none() && self.endpoint.is_none()
    }

    /// `base` for no scope, else `base:<agent>:<endpoint>` (the parts given).
    fn policy_id(&self, base: &str) -> String {
        let mut id = base.to_owned();
        for part in [&self.agent, &self.endpoint].into_iter().flatten() {
            id.push(':');
            id.push_str(part);
        }
        id
    }

    fn annotations(&self) -> String {
        let mut out = String::new();
        if let Some(a) = &self.agent {
            out.push_str(&format!("@agent(\"{a}\")\n"));
        }
        if let Some(e) = &self.endpoint {
            out.push_str(&format!("@endpoint(\"{e}\")\n"));
        }
        out
    }
}

fn scope_of(f: &Fields<'_>) -> ApiResult<Scope> {
    let agent = f.opt_nonblank("agentId", 100)?;
    if let Some(a) = &agent
        && !AGENT_IDS.contains(&a.as_str())
    {
        return Err(ApiError::bad_request(format!("{} must be one of {}", f.name("agentId"), AGENT_IDS.join(", "))));
    }
    let endpoint = f.opt_nonblank("endpointId", 100)?;
    if let Some(e) = &endpoint {
        let ok = e.strip_prefix("ins_").is_some_and(|rest| {
            rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if !ok {
            return Err(ApiError::bad_request(format!(
                "{} must be an installation id (ins_ and 32 letters, digits, _ or -)",
                f.name("endpointId")
            )));
        }
    }
    Ok(Scope { agent, endpoint })
}

/// A parsed action body.
enum Action {
    AddTemplate { template: String, scopes: Vec<Scope> },
    AddCedar { cedar: String, scopes: Vec<Scope> },
    Enforce(String),
    Stop(String),
    Delete { policy: String, enforced: bool },
}

impl Action {
    fn kind(&self) -> &'static str {
        match self {
            Action::AddTemplate { .. } | Action::AddCedar { .. } => "add",
            Action::Enforce(_) => "enforce",
            Action::Stop(_) => "stop",
            Action::Delete { .. } => "delete",
        }
    }
}

fn parse(body: &Map<String, Value>) -> ApiResult<Action> {
    let f = Fields::new(body);
    let kind = f
        .opt_enum("action", &["add", "enforce", "stop", "delete"])?
        .ok_or_else(|| ApiError::bad_request("action is required (add, enforce, stop or delete)"))?;
    match kind.as_str() {
        "add" => {
            let top = scope_of(&f)?;
            let scopes = match f.value("scopes") {
                None => vec![top],
                Some(_) if !top.is_empty() => {
                    return Err(ApiError::bad_request("scopes is used instead of agentId / endpointId, not with them"));
                }
                Some(Value::Array(list)) if !list.is_empty() => {
                    let mut scopes = Vec::new();
                    for (i, item) in list.iter().enumerate() {
                        let Value::Object(map) = item else {
                            return Err(ApiError::bad_request(format!("scopes[{i}] must be an object")));
                        };
                        let scope = scope_of(&Fields::nested(map, &format!("scopes[{i}]")))?;
                        if scope.is_empty() {
                            return Err(ApiError::bad_request(format!("scopes[{i}] needs agentId and/or endpointId")));
                        }
                        scopes.push(scope);
                    }
                    scopes
                }
                Some(_) => return Err(ApiError::bad_request("scopes must be a non-empty array")),
            };
            let template = f.opt_nonblank("templateId", 200)?;
            let cedar = match f.value("cedar") {
                None => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(ApiError::bad_request("cedar must be a string")),
            };
            match (template, cedar) {
                (Some(template), None) => Ok(Action::AddTemplate { template, scopes }),
                (None, Some(cedar)) => Ok(Action::AddCedar { cedar, scopes }),
                _ => Err(ApiError::bad_request("add takes exactly one of templateId or cedar")),
            }
        }
        other => {
            let policy = f.req_str("policyId", 300)?;
            Ok(match other {
                "enforce" => Action::Enforce(policy),
                "stop" => Action::Stop(policy),
                _ => {
                    let slot = f
                        .opt_enum("where", &["observing", "enforced"])?
                        .ok_or_else(|| ApiError::bad_request("where is required (observing or enforced)"))?;
                    Action::Delete { policy, enforced: slot == "enforced" }
                }
            })
        }
    }
}

/// An endpoint is enrolled when it has reported a decision.
fn enrolled(d: &Data, endpoint: &str) -> bool {
    d.decisions.iter().any(|x| x.installation_id == endpoint)
}

fn check_scopes(d: &Data, scopes: &[Scope]) -> ApiResult<()> {
    for e in scopes.iter().filter_map(|s| s.endpoint.as_deref()) {
        if !enrolled(d, e) {
            return Err(ApiError::not_found(format!("Endpoint {e} is not enrolled")));
        }
    }
    Ok(())
}

fn add(policies: &mut Vec<NamedPolicy>, id: String, source: String, template_id: Option<String>) -> ApiResult<()> {
    if policies.iter().any(|p| p.id == id) {
        return Err(ApiError::conflict(format!("A policy with id {id} already exists")));
    }
    policies.push(NamedPolicy { id, source, enforced: false, template_id });
    Ok(())
}

/// What an action did: the policy it named, every policy it added, the companions.
struct Outcome {
    policy_id: String,
    policy_ids: Vec<String>,
    companions: Vec<String>,
}

fn apply(d: &Data, action: &Action, policies: &mut Vec<NamedPolicy>) -> ApiResult<Outcome> {
    let find = |policies: &[NamedPolicy], id: &str| -> ApiResult<usize> {
        policies.iter().position(|p| p.id == id).ok_or_else(|| ApiError::not_found(format!("Policy {id} not found")))
    };
    match action {
        Action::AddTemplate { template: id, scopes } => {
            let t = template(id).ok_or_else(|| ApiError::not_found(format!("Rule template {id} not found")))?;
            check_scopes(d, scopes)?;
            let (mut added, mut companions) = (Vec::new(), Vec::new());
            for scope in scopes {
                let pid = scope.policy_id(t.id);
                add(
                    policies,
                    pid.clone(),
                    format!("@id(\"{pid}\")\n{}{}", scope.annotations(), t.body),
                    Some(t.id.into()),
                )?;
                added.push(pid);
                for c in t.companions.iter().filter_map(|c| template(c)) {
                    let cid = scope.policy_id(c.id);
                    // A guard already in place is not a collision: it is shared.
                    if !policies.iter().any(|p| p.id == cid) {
                        let source = format!("@id(\"{cid}\")\n{}{}", scope.annotations(), c.body);
                        add(policies, cid.clone(), source, Some(c.id.into()))?;
                        companions.push(cid);
                    }
                }
            }
            Ok(Outcome { policy_id: added[0].clone(), policy_ids: added, companions })
        }
        Action::AddCedar { cedar, scopes } => {
            if cedar.len() > MAX_TEXT {
                return Err(unprocessable("cedar is too large", vec![diagnostic("policy text over 1 MiB", 1, 1)]));
            }
            let statements = cedar::statements(cedar).map_err(|e| {
                unprocessable("cedar is not valid Cedar", vec![diagnostic(&e.message, e.line, e.column)])
            })?;
            let [statement] = statements.as_slice() else {
                let at = statements.get(1).map_or((1, 1), |s| (s.line, s.column));
                let message = format!("cedar must hold exactly one statement, not {}", statements.len());
                return Err(unprocessable(message.clone(), vec![diagnostic(&message, at.0, at.1)]));
            };
            let here = (statement.line, statement.column);
            let Some(base) = statement.annotation("id").filter(|id| !id.trim().is_empty()) else {
                let message = "the statement needs a non-empty @id(\"...\")";
                return Err(unprocessable(message, vec![diagnostic(message, here.0, here.1)]));
            };
            if statement.annotations.iter().filter(|(n, _)| n == "id").count() > 1 {
                let message = "the statement has more than one @id";
                return Err(unprocessable(message, vec![diagnostic(message, here.0, here.1)]));
            }
            if let Some((_, ask)) = statement.annotations.iter().find(|(n, _)| n == "ask")
                && ask.as_deref() != Some("prompt")
            {
                let message = "the only @ask value allowed is \"prompt\"";
                return Err(unprocessable(message, vec![diagnostic(message, here.0, here.1)]));
            }
            if let Some(t) = TEMPLATES.iter().find(|t| base.starts_with(t.id)) {
                return Err(ApiError::conflict(format!(
                    "@id {base} overlaps the reserved prefix of template {}",
                    t.id
                )));
            }
            check_scopes(d, scopes)?;
            let others: String = statement
                .annotations
                .iter()
                .filter(|(n, _)| n != "id")
                .map(|(n, v)| format!("@{n}(\"{}\")\n", v.as_deref().unwrap_or_default()))
                .collect();
            let mut added = Vec::new();
            for scope in scopes {
                let pid = scope.policy_id(base);
                let source = format!("@id(\"{pid}\")\n{others}{}{}", scope.annotations(), statement.body);
                add(policies, pid.clone(), source, None)?;
                added.push(pid);
            }
            Ok(Outcome { policy_id: added[0].clone(), policy_ids: added, companions: Vec::new() })
        }
        Action::Enforce(id) => {
            let i = find(policies, id)?;
            if policies[i].enforced {
                return Err(ApiError::conflict(format!("Policy {id} is already enforced")));
            }
            policies[i].enforced = true;
            Ok(Outcome { policy_id: id.clone(), policy_ids: vec![id.clone()], companions: Vec::new() })
        }
        Action::Stop(id) => {
            let i = find(policies, id)?;
            if !policies[i].enforced {
                return Err(ApiError::conflict(format!("Policy {id} is not enforced")));
            }
            policies[i].enforced = false;
            Ok(Outcome { policy_id: id.clone(), policy_ids: vec![id.clone()], companions: Vec::new() })
        }
        Action::Delete { policy: id, enforced } => {
            let i = find(policies, id)?;
            match (*enforced, policies[i].enforced) {
                (true, false) => return Err(ApiError::conflict(format!("Policy {id} is not in the enforced slot"))),
                (false, true) => {
                    return Err(ApiError::conflict(format!(
                        "Policy {id} is enforced: stop it first, or delete it where=enforced"
                    )));
                }
                // Deleting an enforced policy also removes its observing copy.
                _ => {
                    policies.remove(i);
                }
            }
            Ok(Outcome { policy_id: id.clone(), policy_ids: vec![id.clone()], companions: Vec::new() })
        }
    }
}

fn slot_text<'a>(policies: impl Iterator<Item = &'a NamedPolicy>) -> Option<String> {
    let parts: Vec<&str> = policies.map(|p| p.source.as_str()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

pub async fn apply_action(State(st): State<AppState>, headers: HeaderMap, JsonBody(body): JsonBody) -> Response {
    match run(&st, &headers, &body) {
        Ok(resp) => resp,
        Err(e) => axum::response::IntoResponse::into_response(e.with_header(header::ETAG, ERROR_ETAG)),
    }
}

fn run(st: &AppState, headers: &HeaderMap, body: &Map<String, Value>) -> ApiResult<Response> {
    let Some(if_match) = header_str(headers, header::IF_MATCH).map(str::to_owned) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match is required: send the deployment ETag from GET /policy/deployment or the last action",
        ));
    };
    let action = parse(body)?;
    let now = st.now();
    st.write(|d| {
        if if_match != deployment_etag(d) {
            return Err(ApiError::precondition_failed(
                "The deployment has changed since its ETag was read (stale If-Match); read it again and reconcile",
            ));
        }
        let mut policies = d.org.policies.clone();
        let outcome = apply(d, &action, &mut policies)?;
        // Saved and deployed in one step: nothing above changed `d`.
        let observing = slot_text(policies.iter()).map(|t| version_of(d, &t, action.kind(), now));
        let enforced = slot_text(policies.iter().filter(|p| p.enforced)).map(|t| version_of(d, &t, action.kind(), now));
        d.org.policies = policies;
        d.org.revision += 1;
        let dep = &mut d.org.deployment;
        if matches!(action, Action::Enforce(_)) && dep.rollout_mode == "observe" {
            dep.rollout_mode = "enforce".into();
        }
        (dep.policy_version_id, dep.observing_version_id) = match dep.rollout_mode.as_str() {
            "observe" => (observing, observing),
            _ => (enforced, observing),
        };
        dep.updated_at = next_stamp(now, dep.updated_at);
        dep.revision = d.org.revision;
        d.put_org();
        let mut view = deployment_view(d);
        view.insert("policyId".into(), json!(outcome.policy_id));
        view.insert("policyIds".into(), json!(outcome.policy_ids));
        view.insert("companionPolicyIds".into(), json!(outcome.companions));
        Ok(with_etag(ok(Value::Object(view)), &deployment_etag(d)))
    })
}
