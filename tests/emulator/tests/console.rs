//! `--console-dir`: the admin console's static files at `/console/`, next to the API.

mod common;

use std::path::PathBuf;

use reqwest::Method;

use common::{options, start, start_with};

/// A throwaway console folder: index.html, a module, a nested folder and a file beside it that
/// must stay unreachable.
fn console_dir() -> PathBuf {
    let root = std::env::temp_dir().join(format!("kontext-management-console-test-{}", uuid::Uuid::new_v4()));
    let dir = root.join("console");
    std::fs::create_dir_all(dir.join("views")).expect("mkdir");
    std::fs::create_dir_all(dir.join(".hidden")).expect("mkdir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>console</title>").expect("write");
    std::fs::write(dir.join("app.js"), "export const x = 1;").expect("write");
    std::fs::write(dir.join("views/list.mjs"), "export {};").expect("write");
    std::fs::write(dir.join("engine.wasm"), [0u8, 97, 115, 109]).expect("write");
    std::fs::write(dir.join(".hidden/secret"), "no").expect("write");
    std::fs::write(root.join("outside.txt"), "no").expect("write");
    dir
}

#[tokio::test]
async fn serves_the_console_files_with_their_types() {
    let dir = console_dir();
    let env = start_with(kontext_management_emulator::Options { console_dir: Some(dir.clone()), ..options() }).await;
    let get = |path: &str| env.http.get(env.url(path)).send();

    let r = get("/console").await.expect("send");
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()["location"], "/console/");

    for (path, ty, body) in [
        ("/console/", "text/html", "<!doctype html><title>console</title>"),
        ("/console/index.html", "text/html", "<!doctype html><title>console</title>"),
        ("/console/app.js", "text/javascript", "export const x = 1;"),
        ("/console/views/list.mjs", "text/javascript", "export {};"),
        ("/console/views/%6Cist.mjs", "text/javascript", "export {};"),
    ] {
        let r = get(path).await.expect("send");
        assert_eq!(r.status(), 200, "{path}");
        let content_type = r.headers()["content-type"].to_str().expect("ascii").to_owned();
        assert!(content_type.starts_with(ty), "{path}: {content_type}");
        assert_eq!(r.headers()["cache-control"], "no-cache");
        assert_eq!(r.text().await.expect("body"), body, "{path}");
    }
    let wasm = get("/console/engine.wasm").await.expect("send");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.bytes().await.expect("body").as_ref(), &[0u8, 97, 115, 109]);
    let head = env.http.head(env.url("/console/app.js")).send().await.expect("send");
    assert_eq!(head.status(), 200);

    for path in [
        "/console/missing.js",
        "/console/views/",
        "/console/../outside.txt",
        "/console/%2e%2e/outside.txt",
        "/console/views/%2e%2e/%2e%2e/outside.txt",
        "/console/.hidden/secret",
        "/console/views%2f..%2f..%2foutside.txt",
    ] {
        let r = get(path).await.expect("send");
        assert_eq!(r.status(), 404, "{path}");
    }

    // Outside the gateway: the request log only shows the API traffic.
    let log = env.control(Method::GET, "/_emulator/requests", None).await;
    let paths: Vec<&str> = log["items"].as_array().expect("items").iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(paths.iter().all(|p| !p.starts_with("/console")), "{paths:?}");
    // The API is unaffected.
    assert_eq!(env.get("/api/v1/applications").await.status, 200);
    let _ = std::fs::remove_dir_all(dir.parent().expect("root"));
}

#[tokio::test]
async fn off_without_a_console_dir() {
    let env = start().await;
    let r = env.http.get(env.url("/console/")).send().await.expect("send");
    assert_eq!(r.status(), 404);
}

/// The Content-Security-Policy of the real console: what the emulator sends as a header (with
/// `frame-ancestors`), what `packages/console/index.html` carries as a `<meta>` for static hosting
/// (the same, less `frame-ancestors`, which a `<meta>` cannot carry), and no inline script the
/// policy would block.
#[tokio::test]
async fn the_console_is_served_with_a_csp_and_cannot_be_framed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../packages/console");
    let env = start_with(kontext_management_emulator::Options { console_dir: Some(dir.clone()), ..options() }).await;
    let mut header_csp = String::new();
    for path in ["/console/", "/console/app.js", "/console/missing.js", "/console"] {
        let r = env.http.get(env.url(path)).send().await.expect("send");
        let h = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        header_csp = h("content-security-policy");
        assert!(header_csp.contains("frame-ancestors 'none'"), "{path}: {header_csp:?}");
        assert!(header_csp.contains("default-src 'none'"), "{path}: {header_csp:?}");
        assert!(header_csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{path}: {header_csp:?}");
        assert!(!header_csp.contains("unsafe-inline"), "{path}: {header_csp:?}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
    }

    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    let meta = html
        .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("index.html has a CSP <meta>");
    let directives = |csp: &str| -> Vec<String> {
        csp.split(';').map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|d| !d.is_empty()).collect()
    };
    let mut from_header = directives(&header_csp);
    from_header.retain(|d| !d.starts_with("frame-ancestors"));
    assert_eq!(directives(meta), from_header, "the <meta> and the header policies differ");
    // Every script has a src: an inline one would be blocked by the policy.
    for tag in html.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap_or("");
        assert!(open.contains("src="), "inline <script{open}> in index.html");
    }
}
