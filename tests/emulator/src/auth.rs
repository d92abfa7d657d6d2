//! Bearer-token checks, scope rules and the per-credential rate limit of `/api/v1`.

use axum::http::{HeaderMap, Method, header};

use crate::errors::{ApiError, ApiResult};
use crate::state::Shared;
use crate::state::lock;
use crate::state::model::{Subject, TokenKind};
use crate::util;

/// Who is calling: attached to the request for handlers that act per user.
#[derive(Debug, Clone)]
pub struct Principal {
    pub client_id: String,
    pub subject: Subject,
    pub scopes: Vec<String>,
}

pub const MANAGEMENT_AREAS: [&str; 7] =
    ["providers", "applications", "policy", "directory", "settings", "logs", "deployments"];
pub const OTHER_SCOPES: [&str; 5] = ["openid", "email", "profile", "offline_access", "mcp:invoke"];

pub fn known_scopes() -> Vec<String> {
    let mut all = vec!["management:all".to_string()];
    for area in MANAGEMENT_AREAS {
        all.push(format!("management:{area}:read"));
        all.push(format!("management:{area}:write"));
    }
    all.extend(OTHER_SCOPES.iter().map(|s| s.to_string()));
    all
}

pub fn is_known_scope(scope: &str) -> bool {
    if scope == "management:all" || OTHER_SCOPES.contains(&scope) {
        return true;
    }
    scope
        .strip_prefix("management:")
        .and_then(|rest| rest.rsplit_once(':'))
        .is_some_and(|(area, access)| MANAGEMENT_AREAS.contains(&area) && matches!(access, "read" | "write"))
}

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The caller behind a bearer token, with the token's scopes narrowed to the client's current
/// grant: the grant is read on every request, so a change applies to the next one (spec-2 §2,
/// DECISIONS V18). A token without scopes (a client-credentials request that named none) is
/// refused with 401 like an unknown one: it can call nothing.
pub fn authenticate(st: &Shared, headers: &HeaderMap) -> ApiResult<Principal> {
    let token = bearer_token(headers).ok_or_else(ApiError::unauthorized)?;
    let hash = util::sha256(token.as_bytes());
    let now = st.now();
    st.read(|d| {
        d.tokens.get(&hash).filter(|t| t.kind == TokenKind::Access && t.expires_at > now).map(|t| Principal {
            client_id: t.client_id.clone(),
            subject: t.subject.clone(),
            scopes: narrow_to_grant(&t.scopes, d.scope_grants.get(&t.client_id)),
        })
    })
    .filter(|p| !p.scopes.is_empty())
    .ok_or_else(ApiError::unauthorized)
}

/// `requested` ∩ `grant` (DECISIONS V18): with no grant stored for the client, or a grant of
/// `management:all`, everything requested; otherwise each requested scope the grant covers
/// (a `:write` grant covers `:read`), and for a requested `management:all` the granted
/// management scopes themselves. Scopes outside the management API pass unchanged.
pub fn narrow_to_grant(requested: &[String], grant: Option<&Vec<String>>) -> Vec<String> {
    let Some(grant) = grant else { return requested.to_vec() };
    if grant.iter().any(|g| g == "management:all") {
        return requested.to_vec();
    }
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
    };
    for s in requested {
        if s == "management:all" {
            grant.iter().filter(|g| g.starts_with("management:")).for_each(|g| add(g));
        } else if !s.starts_with("management:") || has_scope(grant, s) {
            add(s);
        }
    }
    out
}

/// The fine-grained scope a call needs, from its path below `/api/v1` and its method.
pub fn required_scope(method: &Method, api_path: &str) -> Option<String> {
    let mut segments = api_path.trim_start_matches('/').split('/');
    let first = segments.next()?;
    let second = segments.next();
    let area = match first {
        "applications" => "applications",
        "integrations" => "providers",
        "service-accounts" => "settings",
        "policy" if second == Some("settings") => "settings",
        "policy" => "policy",
        "traces" | "mcp-events" | "decisions" => "logs",
        // Issue 23's admin surface (spec-2 §4–§7).
        "organizations" if second == Some("current") => match segments.next() {
            Some("directory") => "directory",
            Some("install-tokens") => "deployments",
            // Only the dashboard may change it: the handler answers every write with a 403
            // that names no scope (spec-2 §2.1, the "other" 403).
            Some("agent-access") if *method == Method::GET => "settings",
            _ => return None,
        },
        // All three release routes, the download-url POST included, are reads.
        "deployments" => return Some("management:deployments:read".into()),
        _ => return None,
    };
    // Replay is a POST that needs only policy read access; validating a policy text needs
    // policy write access although it changes nothing (DECISIONS V4).
    let read = matches!(*method, Method::GET | Method::HEAD) || (first == "policy" && second == Some("replay"));
    Some(format!("management:{area}:{}", if read { "read" } else { "write" }))
}

pub fn has_scope(scopes: &[String], required: &str) -> bool {
    if scopes.iter().any(|s| s == "management:all" || s == required) {
        return true;
    }
    match required.strip_suffix(":read") {
        Some(area) => scopes.iter().any(|s| s.strip_suffix(":write") == Some(area)),
        None => false,
    }
}

/// Sliding 60-second window per credential, on the emulator clock (so moving the clock a
/// minute forward also empties the window).
pub fn rate_limit(st: &Shared, key: &str) -> ApiResult<()> {
    let limit = st.config().rate_limit_per_minute as usize;
    if limit == 0 {
        return Ok(());
    }
    let now = st.now();
    let mut windows = lock(&st.rate);
    let window = windows.entry(key.to_owned()).or_default();
    while window.front().is_some_and(|t| *t <= now - 60_000) {
        window.pop_front();
    }
    if window.len() >= limit {
        let oldest = window.front().copied().unwrap_or(now);
        let wait_ms = (oldest + 60_000 - now).max(0);
        let secs = ((wait_ms + 999) / 1000).max(1) as u64;
        return Err(ApiError::rate_limited(secs));
    }
    window.push_back(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(required_scope(&Method::GET, "/applications/x").as_deref(), Some("management:applications:read"));
        assert_eq!(required_scope(&Method::PATCH, "/policy/settings").as_deref(), Some("management:settings:write"));
        assert_eq!(required_scope(&Method::POST, "/policy/validations").as_deref(), Some("management:policy:write"));
        assert_eq!(required_scope(&Method::POST, "/policy/replay").as_deref(), Some("management:policy:read"));
        assert_eq!(required_scope(&Method::POST, "/policy/actions").as_deref(), Some("management:policy:write"));
        assert_eq!(required_scope(&Method::GET, "/policy/blocked").as_deref(), Some("management:policy:read"));
        assert_eq!(required_scope(&Method::POST, "/integrations").as_deref(), Some("management:providers:write"));
        assert!(has_scope(&["management:logs:write".into()], "management:logs:read"));
        assert!(!has_scope(&["management:logs:read".into()], "management:logs:write"));
        assert!(is_known_scope("management:directory:write"));
        let admin = |m: &Method, p: &str| required_scope(m, p);
        assert_eq!(
            admin(&Method::POST, "/organizations/current/directory/scim-tokens").as_deref(),
            Some("management:directory:write")
        );
        assert_eq!(
            admin(&Method::GET, "/organizations/current/install-tokens").as_deref(),
            Some("management:deployments:read")
        );
        assert_eq!(
            admin(&Method::POST, "/deployments/releases/1.4.0/artifacts/package/download-url").as_deref(),
            Some("management:deployments:read")
        );
        assert_eq!(
            admin(&Method::GET, "/organizations/current/agent-access").as_deref(),
            Some("management:settings:read")
        );
        assert_eq!(admin(&Method::PATCH, "/organizations/current/agent-access"), None);
        assert!(!is_known_scope("management:nope:read"));
        assert_eq!(known_scopes().len(), 20);
    }

    #[test]
    fn grants_narrow_what_was_requested() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let all = v(&["management:all"]);
        assert_eq!(narrow_to_grant(&all, None), all);
        let grant = v(&["management:providers:write", "management:logs:read"]);
        assert_eq!(narrow_to_grant(&all, Some(&grant)), grant);
        assert_eq!(
            narrow_to_grant(&v(&["management:providers:read", "management:policy:write", "openid"]), Some(&grant)),
            v(&["management:providers:read", "openid"])
        );
        assert!(narrow_to_grant(&v(&["management:policy:read"]), Some(&grant)).is_empty());
        assert!(narrow_to_grant(&[], Some(&all)).is_empty());
        assert_eq!(narrow_to_grant(&grant, Some(&all)), grant);
    }
}
