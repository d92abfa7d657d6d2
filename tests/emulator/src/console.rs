//! Static files of the admin console (`--console-dir DIR`, off when absent): `GET /console/…`
//! serves DIR, so the console, the SDK files it imports (`DIR/npm` is a link to `packages/npm`)
//! and the API share one origin — no CORS, and the OAuth redirect comes back to the emulator.
//!
//! These routes sit outside the gateway: never logged, faulted, rate-limited or authenticated.
//! Only plain path segments are served (no `..`, no dot-files); links inside DIR are followed.
//! Every answer carries the console's Content-Security-Policy (see [`CSP`]).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::errors::ApiError;

/// The console's Content-Security-Policy: scripts, styles and the WASM engine from this origin
/// only (`'wasm-unsafe-eval'` lets the engine compile; the console has no inline script), API
/// calls to this origin only (the console and the API share it here), and no framing at all
/// (clickjacking of "Rotate secret" or "Revoke all"). `index.html` carries the same policy as a
/// `<meta>` for static hosting, where `frame-ancestors` cannot be set: a header can.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                       img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                       frame-ancestors 'none'";

/// The routes under `/console`, serving the files of `dir`.
pub fn router(dir: PathBuf) -> Router {
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route("/console/", get(index))
        .route("/console/{*path}", get(file))
        .layer(axum::middleware::map_response(harden))
        .with_state(Arc::new(dir))
}

/// The security headers of every console answer (the files, the redirect and the 404s).
async fn harden(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    // For browsers that predate `frame-ancestors`.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

async fn index(State(dir): State<Arc<PathBuf>>) -> Response {
    serve(&dir, "").await
}

async fn file(State(dir): State<Arc<PathBuf>>, UrlPath(path): UrlPath<String>) -> Response {
    serve(&dir, &path).await
}

/// `rel` (already percent-decoded) → a file under `dir`; a folder serves its `index.html`.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = dir.to_path_buf();
    for segment in rel.split('/').filter(|s| !s.is_empty()) {
        let mut parts = Path::new(segment).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(name)), None) if !segment.starts_with('.') && !segment.contains('\\') => {
                out.push(name)
            }
            _ => return None,
        }
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" | "ts" | "cts" | "mts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn serve(dir: &Path, rel: &str) -> Response {
    let Some(mut path) = resolve(dir, rel) else {
        return ApiError::not_found(format!("No console file /console/{rel}")).into_response();
    };
    // Small files from a local disk; read off the async workers all the same.
    let read = tokio::task::spawn_blocking(move || {
        if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            path.push("index.html");
        }
        std::fs::read(&path).map(|bytes| (path, bytes))
    })
    .await;
    match read {
        Ok(Ok((path, bytes))) => {
            let mut resp = (StatusCode::OK, bytes).into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
            // A development server: always revalidate, so edits show up on reload.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        _ => ApiError::not_found(format!("No console file /console/{rel}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_plain_segments_only() {
        let dir = Path::new("/srv/console");
        assert_eq!(resolve(dir, ""), Some(PathBuf::from("/srv/console")));
        assert_eq!(resolve(dir, "views/app.js"), Some(PathBuf::from("/srv/console/views/app.js")));
        assert_eq!(resolve(dir, "npm//wasm.mjs"), Some(PathBuf::from("/srv/console/npm/wasm.mjs")));
        // A leading slash cannot reach the root: segments always stay under the folder.
        assert_eq!(resolve(dir, "/etc/passwd"), Some(PathBuf::from("/srv/console/etc/passwd")));
        for bad in ["..", "../secret", "views/../../x", "./x", ".git/config", "a\\..\\b"] {
            assert_eq!(resolve(dir, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("wasm.mjs")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("k_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }
}
