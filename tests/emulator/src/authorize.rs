//! The authorization endpoint (`/oauth2/auth`, `/oauth2/authorize`): a consent page for the
//! local user, and the decision that redirects back with a code. `POST /_emulator/authorize`
//! reuses the same validation and decision without a browser.
//!
//! The local user is always signed in, so the consent POST is what a forged cross-site form
//! would aim at (CSRF: a code issued to an attacker's redirect of a registered loopback app, or
//! consent given without the user's click). The form carries a token only the consent page
//! knows, bound to the authorization request it shows ([`consent_token`]), and a POST from a
//! page of another origin is refused. The page cannot be framed (clickjacking). Every answer
//! names the issuer (`iss`, RFC 9207), so clients can detect a mix-up.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use uuid::Uuid;

use crate::clock;
use crate::errors::ApiResult;
use crate::extract::{Query, read_body};
use crate::oauth::{CODE_TTL_MS, parse_scopes};
use crate::state::data::Data;
use crate::state::model::AuthCode;
use crate::state::{AppState, Shared};
use crate::util;

/// A request that passed validation and can be approved or denied.
pub struct Valid {
    app_id: Uuid,
    app_name: String,
    client_id: String,
    redirect_uri: String,
    redirect_param: Option<String>,
    state: Option<String>,
    scopes: Vec<String>,
    challenge: Option<String>,
}

pub enum Invalid {
    /// Cannot be sent back to the client (unknown client or redirect URI): shown as a page.
    Fatal(String),
    /// Reported to the client on its redirect URI.
    Redirect { url: String, error: &'static str, state: Option<String> },
}

fn is_loopback(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Exact match, or (RFC 8252 §7.3) the same loopback URI with any port.
pub(crate) fn redirect_registered(registered: &[String], given: &str) -> bool {
    let Ok(g) = url::Url::parse(given) else { return false };
    registered.iter().any(|r| {
        if r == given {
            return true;
        }
        let Ok(r) = url::Url::parse(r) else { return false };
        r.scheme() == "http"
            && g.scheme() == "http"
            && is_loopback(r.host())
            && r.host_str() == g.host_str()
            && r.path() == g.path()
            && r.query() == g.query()
    })
}

fn with_params(base: &str, params: &[(&str, Option<&str>)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in params {
                    if let Some(v) = v {
                        q.append_pair(k, v);
                    }
                }
            }
            u.to_string()
        }
        Err(_) => base.to_owned(),
    }
}

pub fn validate(d: &Data, q: &Query) -> Result<Valid, Invalid> {
    let client_id = q.filter("client_id").ok_or_else(|| Invalid::Fatal("client_id is required".into()))?;
    let app = d
        .app_clients
        .get(client_id)
        .and_then(|id| d.apps.get(id))
        .filter(|a| a.archived_at.is_none())
        .ok_or_else(|| Invalid::Fatal(format!("Unknown client_id: {client_id}")))?;
    let redirect_param = q.filter("redirect_uri").map(str::to_owned);
    let redirect_uri = match &redirect_param {
        Some(r) if redirect_registered(&app.oauth.redirect_uris, r) => r.clone(),
        Some(r) => return Err(Invalid::Fatal(format!("redirect_uri is not registered for this application: {r}"))),
        None if app.oauth.redirect_uris.len() == 1 => app.oauth.redirect_uris[0].clone(),
        None => return Err(Invalid::Fatal("redirect_uri is required".into())),
    };
    let state = q.get("state").map(str::to_owned);
    let fail = |error: &'static str, description: &str| Invalid::Redirect {
        url: with_params(
            &redirect_uri,
            &[("error", Some(error)), ("error_description", Some(description)), ("state", state.as_deref())],
        ),
        error,
        state: state.clone(),
    };
    if q.get("response_type") != Some("code") {
        return Err(fail("unsupported_response_type", "response_type must be code"));
    }
    let challenge = q.filter("code_challenge").map(str::to_owned);
    match (challenge.as_deref(), q.filter("code_challenge_method")) {
        (None, _) if app.oauth.pkce_required => {
            return Err(fail("invalid_request", "code_challenge is required (PKCE)"));
        }
        (Some(_), Some(m)) if m != "S256" => {
            return Err(fail("invalid_request", "code_challenge_method must be S256"));
        }
        (Some(c), _) if c.len() < 43 || c.len() > 128 => {
            return Err(fail("invalid_request", "code_challenge must be 43 to 128 characters"));
        }
        _ => {}
    }
    let mut scopes = parse_scopes(q.get("scope")).map_err(|m| fail("invalid_scope", &m))?;
    // A user token works on the management API; without any management scope requested it
    // gets all of it.
    if !scopes.iter().any(|s| s.starts_with("management:")) {
        scopes.push("management:all".into());
    }
    Ok(Valid {
        app_id: app.id,
        app_name: app.name.clone(),
        client_id: client_id.to_owned(),
        redirect_uri,
        redirect_param,
        state,
        scopes,
        challenge,
    })
}

/// `url` (an authorization response) with `iss`: the issuer (RFC 9207), the emulator's origin as
/// in its discovery document.
pub fn with_issuer(st: &Shared, url: &str) -> String {
    with_params(url, &[("iss", Some(&st.base_url))])
}

/// The consent form's hidden field.
const CSRF_FIELD: &str = "consent_token";
/// How long a consent page may stay open before its form is refused.
const CONSENT_TTL_MS: i64 = 15 * 60 * 1000;

/// What a consent token is bound to: everything the decision acts on.
fn consent_binding(v: &Valid) -> String {
    format!("{:?}\n{:?}\n{:?}\n{:?}\n{:?}", v.client_id, v.redirect_param, v.state, v.challenge, v.scopes)
}

/// `ISSUED_MS.MAC`: an HMAC under the emulator's per-start key over the time and the
/// authorization request, so it can be neither forged nor moved to another request.
fn consent_token(st: &Shared, v: &Valid, issued_ms: i64) -> String {
    let mac = util::hmac_sha256(&st.consent_key, format!("{issued_ms}\n{}", consent_binding(v)).as_bytes());
    format!("{issued_ms}.{}", util::b64url(&mac))
}

fn consent_token_valid(st: &Shared, v: &Valid, token: Option<&str>) -> bool {
    let Some((issued, _)) = token.and_then(|t| t.split_once('.')) else { return false };
    let Ok(issued_ms) = issued.parse::<i64>() else { return false };
    let age = clock::system_ms() - issued_ms;
    (0..CONSENT_TTL_MS).contains(&age)
        && util::constant_time_eq(consent_token(st, v, issued_ms).as_bytes(), token.unwrap_or("").as_bytes())
}

/// Whether a form post came from a page of the emulator's own origin, as far as the browser
/// tells: `Origin` (sent on every POST by current browsers) must be this server, and
/// `Sec-Fetch-Site` must not say another site. Tools send neither.
fn same_origin_post(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    if get("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return false;
    }
    match (get("origin"), get("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin.eq_ignore_ascii_case(&format!("http://{host}")),
        (Some(_), None) => false,
    }
}

/// Approves (issuing a code) or denies; returns the redirect URL and the code.
pub fn decide(st: &AppState, v: Valid, approve: bool) -> ApiResult<(String, Option<String>)> {
    if !approve {
        let url = with_params(
            &v.redirect_uri,
            &[
                ("error", Some("access_denied")),
                ("error_description", Some("The user denied the request")),
                ("state", v.state.as_deref()),
                ("iss", Some(&st.base_url)),
            ],
        );
        return Ok((url, None));
    }
    let code = util::secret("ory_ac_");
    let now = st.now();
    st.write(|d| {
        if d.codes.len() > 1000 {
            d.codes.retain(|_, c| c.expires_at > now);
        }
        d.codes.insert(
            util::sha256(code.as_bytes()),
            AuthCode {
                client_id: v.client_id.clone(),
                app_id: v.app_id,
                redirect_uri: v.redirect_param.clone(),
                code_challenge: v.challenge.clone(),
                scopes: v.scopes.clone(),
                expires_at: now + CODE_TTL_MS,
            },
        );
        Ok(())
    })?;
    let url = with_params(
        &v.redirect_uri,
        &[("code", Some(&code)), ("state", v.state.as_deref()), ("iss", Some(&st.base_url))],
    );
    Ok((url, Some(code)))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The pages of this endpoint: no script, no framing, not cached, no referrer to other origins.
/// (Not `no-referrer`: a browser then sends `Origin: null` with the consent form, and the
/// origin check below could not tell it from a forged one.)
fn html_page(status: StatusCode, html: String) -> Response {
    let mut resp = (status, Html(html)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    resp
}

fn error_page(message: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization error</title></head>\
         <body><h1>Invalid authorization request</h1><p id=\"error\">{}</p></body></html>",
        escape(message)
    );
    html_page(StatusCode::BAD_REQUEST, html)
}

fn redirect(url: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(url) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

pub async fn page(State(st): State<AppState>, uri: Uri) -> Response {
    let q = Query::parse(uri.query().unwrap_or(""));
    let valid = match st.read(|d| validate(d, &q)) {
        Ok(v) => v,
        Err(Invalid::Fatal(m)) => return error_page(&m),
        Err(Invalid::Redirect { url, .. }) => return redirect(&with_issuer(&st, &url)),
    };
    let token = consent_token(&st, &valid, clock::system_ms());
    let Valid { app_name, scopes, client_id, .. } = valid;
    let email = st.read(|d| d.org.user_email.clone());
    let hidden: String =
        q.0.iter()
            .filter(|(k, _)| k != "decision" && k != CSRF_FIELD)
            .chain(std::iter::once(&(CSRF_FIELD.to_owned(), token)))
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
            .collect();
    let scope_items: String = scopes.iter().map(|s| format!("<li><code>{}</code></li>", escape(s))).collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign in to Kontext (emulator)</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}}\
         button{{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}}</style></head><body>\
         <h1>Kontext emulator</h1><p>Signed in as <strong id=\"user\">{email}</strong>.</p>\
         <p><strong id=\"app\">{app}</strong> (<code>{client}</code>) asks for:</p><ul>{scope_items}</ul>\
         <form method=\"post\" action=\"{action}\">{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form></body></html>",
        email = escape(&email),
        app = escape(&app_name),
        client = escape(&client_id),
        action = escape(uri.path()),
    );
    html_page(StatusCode::OK, html)
}

pub async fn submit(State(st): State<AppState>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(e) => return error_page(&e.message),
    };
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !bytes.is_empty() && !ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return error_page("The form must be posted as application/x-www-form-urlencoded");
    }
    // Form fields first, then anything left in the query string.
    let mut q = Query::parse(uri.query().unwrap_or(""));
    q.0.extend(Query::parse(&String::from_utf8_lossy(&bytes)).0);
    let approve = match q.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => return error_page("decision must be approve or deny"),
    };
    let valid = st.read(|d| validate(d, &q));
    match valid {
        Ok(v) if !same_origin_post(&headers) || !consent_token_valid(&st, &v, q.get(CSRF_FIELD)) => error_page(
            "This decision did not come from the consent page (or the page was open too long). \
             Start the sign-in again from the application.",
        ),
        Ok(v) => match decide(&st, v, approve) {
            Ok((url, _)) => redirect(&url),
            Err(e) => e.into_response(),
        },
        Err(Invalid::Fatal(m)) => error_page(&m),
        Err(Invalid::Redirect { url, .. }) => redirect(&with_issuer(&st, &url)),
    }
}
