//! `/deployments/releases*` (spec-2 §6) and the pre-signed artifact downloads they point to.
//!
//! Releases are the vendor's, not the organization's: a fixed catalog, the same after every
//! reset. Each artifact's bytes are made from its version and kind, and the manifest lists their
//! SHA-256 — except for release `1.3.1-bad-digest`, whose `package` digest is wrong on purpose,
//! so that clients can prove they refuse a download that does not match. A download URL lives 15
//! minutes on the emulator's clock and needs no `Authorization` (it is signed with a per-process
//! key); the artifact route is outside `/api/v1`, like the vendor's storage.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::ok;
use crate::clock::{self, MINUTE};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{PathIds, Query};
use crate::pagination;
use crate::state::AppState;
use crate::util;

struct ReleaseDef {
    version: &'static str,
    published_at: &'static str,
    changelog: &'static str,
    /// The manifest's `package` digest is not that of the bytes served.
    bad_digest: bool,
}

/// Newest first.
const RELEASES: [ReleaseDef; 3] = [
    ReleaseDef {
        version: "1.4.0",
        published_at: "2026-11-30T09:00:00.000Z",
        changelog: "Observing policy slot; faster policy sync.",
        bad_digest: false,
    },
    ReleaseDef {
        version: "1.3.2",
        published_at: "2026-11-12T09:00:00.000Z",
        changelog: "Fixes a crash when the policy text is empty.",
        bad_digest: false,
    },
    ReleaseDef {
        version: "1.3.1-bad-digest",
        published_at: "2026-11-01T09:00:00.000Z",
        changelog: "Emulator test release: its package's manifest digest does not match the bytes served.",
        bad_digest: true,
    },
];

const KINDS: [&str; 2] = ["package", "install_script"];
const URL_LIFETIME_MS: i64 = 15 * MINUTE;
/// Size of a package artifact: more than one read chunk, small enough for every test.
const PACKAGE_BYTES: usize = 48 * 1024;

fn find(version: &str) -> Option<&'static ReleaseDef> {
    RELEASES.iter().find(|r| r.version == version)
}

fn filename(version: &str, kind: &str) -> String {
    match kind {
        "package" => format!("kontext-endpoint-{version}.tar.gz"),
        _ => format!("install-kontext-endpoint-{version}.sh"),
    }
}

/// The bytes served for an artifact: deterministic, so their digest is too.
fn content(version: &str, kind: &str) -> Vec<u8> {
    if kind == "install_script" {
        return format!(
            "#!/bin/sh\n# Kontext endpoint installer {version} (emulator test artifact)\nset -eu\n\
             : \"${{KONTEXT_INSTALL_TOKEN:?set KONTEXT_INSTALL_TOKEN}}\"\necho \"would install kontext-endpoint {version}\"\n"
        )
        .into_bytes();
    }
    let mut out = Vec::with_capacity(PACKAGE_BYTES);
    let mut block = util::sha256(format!("kontext-endpoint {version}").as_bytes());
    while out.len() < PACKAGE_BYTES {
        out.extend_from_slice(&block);
        block = util::sha256(&block);
    }
    out.truncate(PACKAGE_BYTES);
    out
}

/// The digest the manifest lists for an artifact.
fn manifest_sha256(r: &ReleaseDef, kind: &str) -> String {
    let bytes = content(r.version, kind);
    if r.bad_digest && kind == "package" {
        // The digest of other bytes: what a tampered or corrupted download looks like.
        let mut other = bytes;
        other.extend_from_slice(b"tampered");
        return util::hex(&util::sha256(&other));
    }
    util::hex(&util::sha256(&bytes))
}

fn release_view(r: &ReleaseDef) -> Value {
    let artifacts: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            json!({
                "kind": kind,
                "sha256": manifest_sha256(r, kind),
                "filename": filename(r.version, kind),
                "size": content(r.version, kind).len(),
            })
        })
        .collect();
    json!({"version": r.version, "changelog": r.changelog, "publishedAt": r.published_at, "artifacts": artifacts})
}

/// Cursor: the index of the next release, base64url of `releases:N`.
fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(util::b64url_decode(cursor)?).ok()?;
    text.strip_prefix("releases:")?.parse().ok()
}

pub async fn list(q: Query) -> ApiResult<Response> {
    let limit = pagination::limit(&q, pagination::DEFAULT_LIMIT)?;
    let start = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => decode_cursor(c)
            .filter(|i| *i <= RELEASES.len())
            .ok_or_else(|| ApiError::bad_request("cursor is invalid"))?,
    };
    let end = (start + limit).min(RELEASES.len());
    let items: Vec<Value> = RELEASES[start..end].iter().map(release_view).collect();
    let next = (end < RELEASES.len()).then(|| util::b64url(format!("releases:{end}").as_bytes()));
    Ok(ok(pagination::list_body(items, next)))
}

pub async fn latest() -> Response {
    ok(release_view(&RELEASES[0]))
}

fn signature(st: &AppState, version: &str, kind: &str, expires: i64) -> String {
    util::hex(&util::hmac_sha256(&st.consent_key, format!("release|{version}|{kind}|{expires}").as_bytes()))
}

/// Percent-encodes a path segment (versions are opaque).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A new pre-signed URL on every call; nothing is stored (DECISIONS V11: safe to repeat).
pub async fn download_url(State(st): State<AppState>, ids: PathIds) -> ApiResult<Response> {
    let (version, kind) = (ids.raw("version"), ids.raw("kind"));
    let release = find(version).ok_or_else(|| ApiError::not_found("Release not found"))?;
    if !KINDS.contains(&kind) {
        return Err(ApiError::not_found("Artifact not found"));
    }
    let expires = st.now() + URL_LIFETIME_MS;
    let sig = signature(&st, release.version, kind, expires);
    let url = format!(
        "{}/downloads/releases/{}/{kind}?expires={expires}&sig={sig}",
        st.base_url.trim_end_matches('/'),
        segment(release.version)
    );
    Ok(ok(json!({ "url": url, "expiresAt": clock::fmt(expires) })))
}

/// `GET /downloads/releases/{version}/{kind}?expires=…&sig=…`: the artifact, for whoever holds a
/// valid URL (403 when the signature is wrong or the URL expired).
pub async fn artifact(State(st): State<AppState>, ids: PathIds, q: Query) -> ApiResult<Response> {
    let (version, kind) = (ids.raw("version"), ids.raw("kind"));
    let release = find(version).filter(|_| KINDS.contains(&kind));
    let release = release.ok_or_else(|| ApiError::not_found("Artifact not found"))?;
    let expires = q.get("expires").and_then(|e| e.parse::<i64>().ok());
    let valid = expires.is_some_and(|expires| {
        let expected = signature(&st, release.version, kind, expires);
        util::constant_time_eq(expected.as_bytes(), q.get("sig").unwrap_or("").as_bytes())
    });
    if !valid {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "The download URL's signature is invalid"));
    }
    if expires.is_some_and(|expires| st.now() > expires) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "The download URL has expired"));
    }
    let content_type = if kind == "package" { "application/gzip" } else { "text/x-shellscript" };
    Ok(([(header::CONTENT_TYPE, content_type)], content(release.version, kind)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_match_their_bytes_except_the_bad_digest_release() {
        for r in &RELEASES {
            for kind in KINDS {
                let actual = util::hex(&util::sha256(&content(r.version, kind)));
                assert_eq!(actual == manifest_sha256(r, kind), !(r.bad_digest && kind == "package"), "{}", r.version);
            }
        }
        assert_eq!(content("1.4.0", "package").len(), PACKAGE_BYTES);
    }

    #[test]
    fn cursors_round_trip_and_versions_are_encoded() {
        assert_eq!(decode_cursor(&util::b64url(b"releases:2")), Some(2));
        assert_eq!(decode_cursor("nope"), None);
        assert_eq!(segment("1.3.1-bad digest/x"), "1.3.1-bad%20digest%2Fx");
    }
}
