//! `just codegen`: writes every per-language surface of the SDK from the one API description.
//! `just codegen --check` writes nothing and fails, naming each file, when a committed one is
//! stale.
//!
//! The source is Rust: the serde models in `core/src/models/` (field names, types, docs) and the
//! method table in `core/src/api.rs` (names, HTTP method and path, arguments, result, pagination,
//! retry class, scope). Both are read by *running* them: the models derive `Describe`
//! (`core/derive`), which reads the very `#[serde]` attributes serde and `FromArg` use, and this
//! binary links the core with its `describe` feature. That is the approach of the projects that
//! keep one Rust core behind several languages — bitwarden's SDK derives its TypeScript types
//! (tsify) and its Swift/Kotlin interfaces (uniffi) from the Rust types themselves, as do
//! specta/ts-rs — rather than a separate OpenAPI file from which Stainless- or openapi-generator-
//! style generators work: here the Rust types *are* the contract, so a second source would be a
//! second place to keep in step. A hand-written derive instead of JSON Schema (`schemars`)
//! keeps what JSON Schema would blur and the surfaces need (open enums, secrets that every
//! `repr` redacts, "always sent as null" versus "left out"), costs no new dependency, and is
//! compiled only into this binary: the SDK, its bindings and the WebAssembly engine never carry it.
//!
//! Outputs (each says "generated — do not edit"):
//! - `core/src/dispatch/table.rs`: `METHODS`, `LIST_ALL_METHODS` and the method → call table;
//! - `packages/python/python/kontext_management/{_models,_resources,_async_resources,oauth,async_oauth}.py`;
//! - `packages/npm/src/resources.js` and `packages/npm/index.d.ts` (frame: `templates/index.d.ts`);
//! - the export lists of the npm package's ES entries (between `// @generated` markers), from
//!   the runtime names of `index.d.ts`;
//! - `tests/runners/rust/src/call_table.rs`: the runner's call table;
//! - the call list in `tests/scenarios/SCHEMA.md`, and the method table and scenario count in
//!   `README.md` (between `@generated` markers).
//!
//! This binary links the core, and the core includes its generated dispatch table: a change that
//! leaves the committed table unable to compile (a model or Rust method renamed or removed) must
//! first be fixed in `core/src/dispatch/table.rs` by hand (or its stale arms deleted), then
//! `just codegen` writes it again. Adding methods and models never runs into this.

mod api;
mod docs;
mod js;
mod python;
mod rust;
mod text;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// The repository root (this crate is `tools/codegen`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

/// `rustfmt` with the repository's settings, so the output is what `cargo fmt` would leave.
fn rustfmt(root: &Path, code: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--config-path"])
        .arg(root.join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run rustfmt: {e}"))?;
    child.stdin.take().expect("piped").write_all(code.as_bytes()).map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("rustfmt failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
}

fn scenario_count(root: &Path) -> Result<usize, String> {
    let dir = root.join("tests/scenarios");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(entries.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "json")).count())
}

/// Every generated file: (path from the root, content).
fn outputs(root: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let api = api::Api::load()?;
    python::check_model_support(&api, &read(root, "packages/python/python/kontext_management/_model.py")?)?;
    let mut out = vec![
        ("core/src/dispatch/table.rs", rustfmt(root, &rust::dispatch_table(&api))?),
        ("tests/runners/rust/src/call_table.rs", rustfmt(root, &rust::runner_table(&api))?),
        ("packages/python/python/kontext_management/_models.py", python::models(&api)),
        ("packages/python/python/kontext_management/_resources.py", python::resources(&api, false)),
        ("packages/python/python/kontext_management/_async_resources.py", python::resources(&api, true)),
        ("packages/python/python/kontext_management/oauth.py", python::oauth(&api, false)),
        ("packages/python/python/kontext_management/async_oauth.py", python::oauth(&api, true)),
        ("packages/npm/src/resources.js", js::resources_js(&api)),
    ];
    let template = read(root, "tools/codegen/templates/index.d.ts")?;
    let index_d_ts = js::index_d_ts(&api, &template);
    // The npm packaging test forbids the word (it looks for the type `any`), docs included.
    if let Some(line) = index_d_ts.lines().find(|l| l.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "any")) {
        return Err(format!("index.d.ts would contain the word `any` (reword the doc it comes from): {line}"));
    }
    let names = js::entry_names(&index_d_ts, &read(root, "packages/npm/src/errors.js")?)?;
    out.push(("packages/npm/index.d.ts", index_d_ts));
    let begin = |name: &str| format!("// @generated {name} by `just codegen` from index.d.ts: do not edit");
    let end = |name: &str| format!("// @end {name}");
    let entries: [(&'static str, &str, String); 6] = [
        ("packages/npm/index.node.mjs", "exports", js::all_from_api(&names)),
        ("packages/npm/native/index.mjs", "exports", js::all_from_api(&names)),
        ("packages/npm/index.deno.mjs", "exports", js::all_from_api(&names)),
        ("packages/npm/src/index.js", "errors", js::errors_from(&names, "./errors.js")),
        ("packages/npm/wasm-surface.mjs", "errors", js::errors_from(&names, "./src/index.js")),
        ("packages/npm/wasm-surface.mjs", "engine", js::engine_from_create_api(&names)),
    ];
    for (path, name, content) in entries {
        let current = match out.iter().position(|(p, _)| *p == path) {
            Some(i) => out.remove(i).1,
            None => read(root, path)?,
        };
        out.push((path, docs::fill_between(&current, &begin(name), &end(name), &content, path)?));
    }

    let schema_path = "tests/scenarios/SCHEMA.md";
    let schema = docs::fill(&read(root, schema_path)?, "calls", &docs::schema_calls(&api), schema_path)?;
    out.push((schema_path, schema));
    let readme_path = "README.md";
    let readme = read(root, readme_path)?;
    let readme = docs::fill(&readme, "methods", &docs::readme_methods(&api), readme_path)?;
    let readme = docs::fill(&readme, "scenario-count", &format!("{} scenarios", scenario_count(root)?), readme_path)?;
    out.push((readme_path, readme));
    Ok(out)
}

fn main() -> ExitCode {
    let check = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("usage: codegen [--check]");
            return ExitCode::from(2);
        }
    };
    let root = root();
    let outputs = match outputs(&root) {
        Ok(outputs) => outputs,
        Err(e) => {
            eprintln!("codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stale: Vec<&str> = outputs
        .iter()
        .filter(|(path, content)| std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str()))
        .map(|(path, _)| *path)
        .collect();
    if check {
        if stale.is_empty() {
            println!("codegen: {} generated files are up to date", outputs.len());
            return ExitCode::SUCCESS;
        }
        eprintln!("codegen: these generated files are stale (edited by hand, or the API description changed):");
        for path in &stale {
            eprintln!("  {path}");
        }
        eprintln!("run `just codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    for (path, content) in outputs.iter().filter(|(path, _)| stale.contains(path)) {
        if let Err(e) = std::fs::write(root.join(path), content) {
            eprintln!("codegen: {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("codegen: wrote {path}");
    }
    println!("codegen: {} files, {} rewritten", outputs.len(), stale.len());
    ExitCode::SUCCESS
}
