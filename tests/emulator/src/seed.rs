//! Deterministic, believable seed data (`--seed N`, `POST /_emulator/seed`). Everything derives
//! from a SplitMix64 stream, so the same calls after a reset produce the same organization.
//! Cheap per item (one SHA-256 at most) so that 10,000 applications take milliseconds.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::applications::new_application;
use crate::api::integrations::new_integration;
use crate::api::service_accounts::new_service_account;
use crate::clock::{DAY, HOUR, MINUTE};
use crate::errors::{ApiError, ApiResult};
use crate::state::data::Data;
use crate::state::model::{Decision, Session, Trace, TraceEvent};
use crate::util::{self, Rng};

pub const MAX_PER_KIND: u64 = 100_000;

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub applications: u64,
    pub integrations: u64,
    pub service_accounts: u64,
    pub sessions: u64,
    pub traces: u64,
    pub decisions: u64,
}

#[derive(Debug, Default)]
pub struct Seeded {
    pub application_ids: Vec<Uuid>,
    pub integration_ids: Vec<Uuid>,
    pub service_account_ids: Vec<Uuid>,
    pub session_ids: Vec<Uuid>,
    pub trace_ids: Vec<Uuid>,
    pub decision_ids: Vec<Uuid>,
}

impl Seeded {
    pub fn to_json(&self) -> Value {
        let ids = |v: &[Uuid]| v.iter().map(|id| json!(id)).collect::<Vec<_>>();
        json!({
            "applicationIds": ids(&self.application_ids),
            "integrationIds": ids(&self.integration_ids),
            "serviceAccountIds": ids(&self.service_account_ids),
            "sessionIds": ids(&self.session_ids),
            "traceIds": ids(&self.trace_ids),
            "decisionIds": ids(&self.decision_ids),
        })
    }
}

const APP_NAMES: [&str; 16] = [
    "Support Copilot",
    "Sales Assistant",
    "Code Review Bot",
    "Release Captain",
    "Data Analyst",
    "Onboarding Buddy",
    "Incident Commander",
    "Docs Writer",
    "Billing Helper",
    "Research Agent",
    "QA Tester",
    "Security Triage",
    "Recruiting Scout",
    "Finance Close Agent",
    "Customer Success Agent",
    "Ops Autopilot",
];

/// (name, slug, authMode, tools)
const INTEGRATIONS: [(&str, &str, &str, &[&str]); 16] = [
    ("GitHub", "github", "oauth", &["search_issues", "create_pull_request", "get_file_contents"]),
    ("Linear", "linear", "oauth", &["create_issue", "list_issues", "update_issue"]),
    ("Slack", "slack", "oauth", &["post_message", "search_messages"]),
    ("Notion", "notion", "oauth", &["search", "create_page"]),
    ("Jira", "jira", "user_token", &["get_issue", "transition_issue"]),
    ("Google Drive", "google_drive", "oauth", &["search_files", "read_file"]),
    ("Salesforce", "salesforce", "oauth", &["query", "update_opportunity"]),
    ("Zendesk", "zendesk", "user_token", &["get_ticket", "reply_ticket"]),
    ("Stripe", "stripe", "server_token", &["list_charges", "create_refund"]),
    ("PagerDuty", "pagerduty", "server_token", &["list_incidents", "acknowledge_incident"]),
    ("Confluence", "confluence", "user_token", &["search_pages", "get_page"]),
    ("HubSpot", "hubspot", "oauth", &["get_contact", "create_note"]),
    ("Sentry", "sentry", "server_token", &["get_issue", "list_events"]),
    ("Datadog", "datadog", "server_token", &["query_metrics", "list_monitors"]),
    ("Figma", "figma", "oauth", &["get_file", "list_comments"]),
    ("Internal Docs", "internal_docs", "none", &["search_docs"]),
];

const SA_NAMES: [&str; 6] =
    ["CI Deployer", "Terraform", "Nightly Sync", "Backstage Plugin", "Audit Exporter", "Billing Reconciler"];
const HOSTS: [&str; 6] = ["alice-mbp", "bob-thinkpad", "ci-runner-7", "carol-dev-vm", "build-agent-2", "dana-mbp"];
const AGENTS: [(&str, &str); 4] =
    [("claude-code", "1.0.58"), ("cursor", "0.48.2"), ("codex-cli", "0.9.1"), ("goose", "1.2.0")];
const USERS: [&str; 3] = ["alice@acme.test", "bob@acme.test", "carol@acme.test"];

fn unique_name(taken: &HashMap<String, Uuid>, base: &str, round: u64) -> String {
    let mut k = round.max(1);
    loop {
        let name = if k == 1 { base.to_owned() } else { format!("{base} {k}") };
        if !taken.contains_key(&name) {
            return name;
        }
        k += 1;
    }
}

/// A stable user id for a seeded email (the same across seeds and restarts).
fn user_id(email: &str) -> Uuid {
    let h = util::sha256(email.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&h[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn weighted<'a>(rng: &mut Rng, items: &[(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (item, w) in items {
        if roll < *w {
            return item;
        }
        roll -= w;
    }
    items[0].0
}

/// `--seed N` and `reset {seed: N}`: amounts scale with N.
pub fn seed_scaled(d: &mut Data, n: u64, now: i64) {
    let n = n.min(1000);
    let counts = Counts {
        applications: 6 * n,
        integrations: 8 * n,
        service_accounts: 3 * n,
        sessions: 12 * n,
        traces: 40 * n,
        decisions: 30 * n,
    };
    let mut rng = Rng::new(n.wrapping_mul(0x51ED_5EED));
    // Infallible without an explicit application id.
    let _ = seed(d, &mut rng, now, counts, None);
}

pub fn seed(d: &mut Data, rng: &mut Rng, now: i64, c: Counts, app_for_sessions: Option<Uuid>) -> ApiResult<Seeded> {
    if let Some(id) = app_for_sessions {
        match d.apps.get(&id) {
            Some(a) if a.archived_at.is_none() => {}
            _ => return Err(ApiError::not_found("Application not found")),
        }
    }
    let mut out = Seeded::default();
    seed_integrations(d, rng, now, c.integrations, &mut out);
    seed_applications(d, rng, now, c.applications, &mut out);
    seed_service_accounts(d, now, c.service_accounts, &mut out);
    if c.sessions > 0 {
        let app = app_for_sessions
            .or_else(|| out.application_ids.first().copied())
            .or_else(|| d.apps.iter().find(|a| a.archived_at.is_none()).map(|a| a.id));
        let app = match app {
            Some(a) => a,
            None => {
                seed_applications(d, rng, now, 1, &mut out);
                out.application_ids[0]
            }
        };
        seed_sessions(d, rng, now, app, c.sessions, &mut out);
    }
    seed_traces(d, rng, now, c.traces, &mut out);
    seed_decisions(d, rng, now, c.decisions, &mut out);
    Ok(out)
}

fn seed_integrations(d: &mut Data, rng: &mut Rng, now: i64, n: u64, out: &mut Seeded) {
    // Start past the rounds earlier seeds used, so names are found without probing them all.
    let skip = d.integration_names.len() as u64 / 16;
    for i in 0..n {
        let (base, slug, mode, _) = INTEGRATIONS[(i % 16) as usize];
        let name = unique_name(&d.integration_names, base, i / 16 + 1 + skip);
        let id = rng.uuid();
        let seq = d.next_seq();
        let url = format!("https://mcp.{}.example/mcp", slug.replace('_', "-"));
        let mut x = new_integration(seq, id, name, url, now - (n - i) as i64 * MINUTE);
        x.auth_mode = mode.into();
        x.capabilities = json!({"tools": true, "resources": rng.chance(40), "prompts": rng.chance(20)});
        if mode == "oauth" {
            x.oauth = json!({"provider": slug, "scopes": ["read", "write"]}).as_object().cloned();
        }
        if mode == "server_token" {
            x.server_token_hash = Some(util::hex(&rng.uuid().into_bytes()));
        }
        if rng.chance(60) {
            x.validation_status = Some("ok".into());
            x.validated_at = Some(now - rng.range(1, 72) * HOUR);
        }
        out.integration_ids.push(id);
        d.insert_integration(x);
    }
}

fn seed_applications(d: &mut Data, rng: &mut Rng, now: i64, n: u64, out: &mut Seeded) {
    let mut pool: Vec<Uuid> = out.integration_ids.clone();
    if pool.is_empty() {
        pool = d.integrations.iter().filter(|i| i.archived_at.is_none()).take(50).map(|i| i.id).collect();
    }
    let skip = d.app_names.len() as u64 / 16;
    for i in 0..n {
        let base = APP_NAMES[(i % 16) as usize];
        let name = unique_name(&d.app_names, base, i / 16 + 1 + skip);
        let id = rng.uuid();
        let seq = d.next_seq();
        let kind = if rng.chance(70) { "confidential" } else { "public" };
        let description = Some(format!(
            "{base} agent for the {} team",
            rng.pick(&["support", "sales", "platform", "finance", "security"])
        ));
        let (mut app, _) = new_application(seq, id, name, description, now - (n - i) as i64 * MINUTE, kind);
        let slug = base.to_ascii_lowercase().replace(' ', "-");
        app.oauth.redirect_uris =
            vec![format!("https://{slug}.example.com/oauth/callback"), "http://127.0.0.1:8976/callback".into()];
        app.oauth.scopes = vec!["mcp:invoke".into()];
        app.oauth.allowed_resources = vec!["mcp-gateway".into()];
        for _ in 0..rng.below(4) {
            if !pool.is_empty() {
                let pick = *rng.pick(&pool);
                if !app.integration_ids.contains(&pick) {
                    app.integration_ids.push(pick);
                }
            }
        }
        out.application_ids.push(id);
        d.insert_app(app);
    }
}

fn seed_service_accounts(d: &mut Data, now: i64, n: u64, out: &mut Seeded) {
    let skip = d.sa_names.len() as u64 / 6;
    for i in 0..n {
        let base = SA_NAMES[(i % 6) as usize];
        let name = unique_name(&d.sa_names, base, i / 6 + 1 + skip);
        let seq = d.next_seq();
        let id = util::new_id();
        let (sa, _) =
            new_service_account(seq, id, name, Some(format!("{base} automation")), now - (n - i) as i64 * MINUTE);
        out.service_account_ids.push(id);
        d.insert_sa(sa);
    }
}

fn seed_sessions(d: &mut Data, rng: &mut Rng, now: i64, app: Uuid, n: u64, out: &mut Seeded) {
    for i in 0..n {
        let (agent, version) = *rng.pick(&AGENTS);
        let host = *rng.pick(&HOSTS);
        let created = now - rng.range(2, 48) * HOUR;
        let mut s = Session {
            id: rng.uuid(),
            seq: d.next_seq(),
            app_id: app,
            name: format!("{agent} on {host}"),
            status: "active".into(),
            token_expires_at: Some(now + rng.range(20, 60) * MINUTE),
            last_active_at: Some(now - rng.range(5, 90) * 1000),
            connected_at: Some(created),
            disconnected_at: None,
            created_at: created,
            hostname: Some(format!("{host}.local")),
            user_agent: Some(format!("{agent}/{version}")),
            client_info: Some(json!({"name": agent, "version": version})),
        };
        // Cycle through every derived status: active, idle, expired, disconnected.
        match i % 4 {
            1 => s.last_active_at = Some(now - rng.range(10, 50) * MINUTE),
            2 => s.token_expires_at = Some(now - rng.range(1, 30) * MINUTE),
            3 => {
                s.status = "disconnected".into();
                s.disconnected_at = Some(now - rng.range(1, 20) * HOUR);
            }
            _ => {}
        }
        out.session_ids.push(s.id);
        d.insert_session(s);
    }
}

fn seed_traces(d: &mut Data, rng: &mut Rng, now: i64, n: u64, out: &mut Seeded) {
    if n == 0 {
        return;
    }
    let mut apps: Vec<(Uuid, String)> =
        out.application_ids.iter().filter_map(|id| d.apps.get(id).map(|a| (a.id, a.name.clone()))).take(50).collect();
    if apps.is_empty() {
        apps = d.apps.iter().filter(|a| a.archived_at.is_none()).take(50).map(|a| (a.id, a.name.clone())).collect();
    }
    if apps.is_empty() {
        apps.push((rng.uuid(), "Support Copilot".into()));
    }
    let sessions: Vec<(Uuid, Uuid, String)> =
        out.session_ids.iter().filter_map(|id| d.sessions.get(id)).map(|s| (s.id, s.app_id, s.name.clone())).collect();
    let integrations: Vec<(Uuid, String)> =
        d.integrations.iter().filter(|i| i.archived_at.is_none()).take(50).map(|i| (i.id, i.name.clone())).collect();
    let mut users: Vec<(String, String)> = vec![(d.org.user_id.to_string(), d.org.user_email.clone())];
    users.extend(USERS.iter().map(|e| (user_id(e).to_string(), e.to_string())));
    let span = 20 * DAY;
    for i in 0..n {
        let (agent_id, agent_name) = rng.pick(&apps).clone();
        let session = if sessions.is_empty() || rng.chance(30) { None } else { Some(rng.pick(&sessions).clone()) };
        let (agent_id, agent_name) = match &session {
            Some((_, app, _)) => (*app, d.apps.get(app).map(|a| a.name.clone()).unwrap_or(agent_name)),
            None => (agent_id, agent_name),
        };
        let (owner_id, owner_email) = rng.pick(&users).clone();
        // Chronological in insertion order, the most recent ones inside the last day.
        let started = now - span + (i as i64 + 1) * (span / (n as i64 + 1)) - rng.range(0, 30) * 1000;
        let trace_id = rng.uuid();
        let session_id = session.as_ref().map(|s| s.0).unwrap_or_else(|| rng.uuid());
        let events = if i == 0 { 5 } else { 1 + rng.below(6) };
        let mut t = Trace {
            id: trace_id,
            seq: d.next_seq(),
            session_id,
            agent_id,
            agent_name,
            owner_user_id: owner_id.clone(),
            owner_email,
            agent_session_id: session.as_ref().map(|s| s.0),
            agent_session_name: session.as_ref().map(|s| s.2.clone()),
            started_at: started,
            ended_at: None,
            event_count: events,
            ok_count: 0,
            warn_count: 0,
            error_count: 0,
        };
        let mut at = started;
        let mut parent = None;
        let mut event_rows = Vec::new();
        for k in 0..events {
            let status = if i == 0 {
                crate::state::model::EVENT_STATUSES[k as usize]
            } else {
                weighted(rng, &[("ok", 70), ("warn", 10), ("error_remote", 8), ("error_proxy", 6), ("error_auth", 6)])
            };
            match status {
                "ok" => t.ok_count += 1,
                "warn" => t.warn_count += 1,
                _ => t.error_count += 1,
            }
            let (_, slug, _, tools) = *rng.pick(&INTEGRATIONS);
            let tool = format!("{slug}.{}", rng.pick(tools));
            let duration = if status == "warn" { rng.range(1500, 4000) } else { rng.range(40, 900) } as u64;
            let integration = if integrations.is_empty() { None } else { Some(rng.pick(&integrations).0) };
            let error = match status {
                "warn" => Some(format!("Slow response ({:.1} s)", duration as f64 / 1000.0)),
                "error_remote" => Some("Upstream MCP server returned 502 Bad Gateway".to_string()),
                "error_proxy" => Some("Gateway timed out after 30000 ms".to_string()),
                "error_auth" => Some("Integration token expired; the user must reconnect".to_string()),
                _ => None,
            };
            let ev = TraceEvent {
                id: rng.uuid(),
                seq: 0,
                trace_id,
                created_at: at,
                session_id,
                agent_id,
                owner_user_id: owner_id.clone(),
                api_key_id: None,
                event_type: "tool_call".into(),
                status: status.into(),
                duration_ms: Some(duration),
                integration_id: integration,
                tool_name: Some(tool.clone()),
                error_message: error,
                bytes_in: Some(rng.range(120, 4000) as u64),
                bytes_out: Some(
                    if status.starts_with("error") { rng.range(60, 300) } else { rng.range(300, 48_000) } as u64
                ),
                request_json: Some(json!({"method": "tools/call", "params": {"name": tool}})),
                response_json: if status.starts_with("error") {
                    None
                } else {
                    Some(json!({"content": [{"type": "text", "text": "ok"}]}))
                },
                parent_event_id: parent,
                agent_session_id: session.as_ref().map(|s| s.0),
            };
            parent = Some(ev.id);
            at += duration as i64 + rng.range(10, 400);
            event_rows.push(ev);
        }
        // The latest trace of a larger batch is still running.
        t.ended_at = if i + 1 == n && n > 3 { None } else { Some(at) };
        out.trace_ids.push(trace_id);
        d.insert_trace(t);
        for mut ev in event_rows {
            ev.seq = d.next_seq();
            d.insert_event(ev);
        }
    }
}

fn seed_decisions(d: &mut Data, rng: &mut Rng, now: i64, n: u64, out: &mut Seeded) {
    if n == 0 {
        return;
    }
    let installations: Vec<String> = (0..3).map(|_| format!("ins_{}", rng.hex(32))).collect();
    let apps: Vec<Uuid> = d.apps.iter().filter(|a| a.archived_at.is_none()).take(50).map(|a| a.id).collect();
    let sessions: Vec<String> = out.session_ids.iter().map(Uuid::to_string).collect();
    let version = d.org.deployment.policy_version_id;
    let mode = (d.org.deployment.rollout_mode != "disabled").then(|| d.org.deployment.rollout_mode.clone());
    let span = 7 * DAY;
    for i in 0..n {
        let (_, slug, _, tools) = *rng.pick(&INTEGRATIONS);
        let tool = *rng.pick(tools);
        let operation = if tool.starts_with("get")
            || tool.starts_with("list")
            || tool.starts_with("search")
            || tool.starts_with("read")
            || tool == "query"
        {
            "read"
        } else {
            "write"
        };
        let allow = rng.chance(75);
        let (category, reason) = if allow {
            ("policy", *rng.pick(&["policy_permit", "default_allow"]))
        } else {
            *rng.pick(&[
                ("policy", "policy_forbid"),
                ("risk", "risk_threshold_exceeded"),
                ("policy", "no_matching_permit"),
            ])
        };
        let x = Decision {
            id: rng.uuid(),
            seq: d.next_seq(),
            occurred_at: now - span + (i as i64 + 1) * (span / (n as i64 + 1)),
            tool_name: if rng.chance(5) { String::new() } else { format!("{slug}.{tool}") },
            session_id: if sessions.is_empty() {
                Some(rng.uuid().to_string())
            } else {
                Some(rng.pick(&sessions).clone())
            },
            installation_id: rng.pick(&installations).clone(),
            decision_result: if allow { "allow" } else { "deny" }.into(),
            decision_category: category.into(),
            reason_code: reason.into(),
            provider: slug.into(),
            operation: operation.into(),
            risk_level: weighted(rng, &[("low", 55), ("medium", 30), ("high", 12), ("critical", 3)]).into(),
            policy_version_id: version,
            rollout_mode: mode.clone(),
            application_id: if apps.is_empty() { None } else { Some(*rng.pick(&apps)) },
        };
        out.decision_ids.push(x.id);
        d.insert_decision(x);
    }
}
