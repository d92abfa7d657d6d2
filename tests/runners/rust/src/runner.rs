//! Executes a scenario through the Rust client (`kontext-management`) against an emulator.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::control::Control;
use crate::matcher;
use crate::methods;
use crate::requests;
use crate::scenario::{self, Scenario, Step, StepKind};
use crate::vars::{Vars, get_path, short};

/// What a scenario runs against.
#[derive(Clone)]
pub struct Target {
    /// Origin, without `/api/v1`.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// A real organization (`KONTEXT_LIVE_*`): no reset, no emulator control, `requests` and
    /// `clearRequests` steps skipped; only `readOnly` scenarios may run.
    pub live: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret may belong to a real organization (live mode): never print it.
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// The live organization named by `KONTEXT_LIVE_BASE_URL`, `KONTEXT_LIVE_CLIENT_ID` and
    /// `KONTEXT_LIVE_CLIENT_SECRET`, when all three are set.
    pub fn live_from_env() -> Option<Target> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Some(Target {
            base_url: get("KONTEXT_LIVE_BASE_URL")?,
            client_id: get("KONTEXT_LIVE_CLIENT_ID")?,
            client_secret: get("KONTEXT_LIVE_CLIENT_SECRET")?,
            live: true,
        })
    }
}

/// Why a scenario failed: where, and what was expected versus what happened.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub scenario: String,
    /// 1-based step number; `None` for setup.
    pub step: Option<usize>,
    /// `call applications.get` …
    pub label: String,
    pub message: String,
    /// The step as run (after substitution).
    pub step_json: Option<Value>,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
    /// Details of the SDK error, when there was one.
    pub error: Option<Value>,
    /// Partial-match mismatches.
    pub mismatches: Vec<String>,
    /// One line per step already run.
    pub trail: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(n) => {
                writeln!(f, "scenario `{}` failed at step {n} ({}): {}", self.scenario, self.label, self.message)?
            }
            None => writeln!(f, "scenario `{}` failed in {}: {}", self.scenario, self.label, self.message)?,
        }
        if let Some(step) = &self.step_json {
            writeln!(f, "  step:     {}", short_long(step))?;
        }
        if let Some(expected) = &self.expected {
            writeln!(f, "  expected: {}", short_long(expected))?;
        }
        if let Some(actual) = &self.actual {
            writeln!(f, "  actual:   {}", short_long(actual))?;
        }
        if let Some(error) = &self.error {
            writeln!(f, "  error:    {}", short_long(error))?;
        }
        if !self.mismatches.is_empty() {
            writeln!(f, "  mismatches:")?;
            for m in self.mismatches.iter().take(20) {
                writeln!(f, "    - {m}")?;
            }
            if self.mismatches.len() > 20 {
                writeln!(f, "    … and {} more", self.mismatches.len() - 20)?;
            }
        }
        if !self.trail.is_empty() {
            writeln!(f, "  steps run before:")?;
            for line in &self.trail {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// JSON shortened to a few KB for messages.
fn short_long(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 4000 {
        let mut cut = 4000;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}… ({} chars)", &text[..cut], text.len())
    } else {
        text
    }
}

/// What one finished run reports.
#[derive(Debug, Clone)]
pub struct Report {
    pub scenario: String,
    pub steps: usize,
    pub elapsed: Duration,
}

/// An SDK call's outcome as JSON: the result, or the error's details.
type Outcome = Result<Value, Value>;

fn error_json(err: &kontext_management::Error) -> Value {
    serde_json::to_value(err.details())
        .unwrap_or_else(|e| json!({"kind": "<unserializable>", "message": e.to_string()}))
}

/// Calls one SDK method; `*.listAll` collects every page into one array.
pub async fn call_method(
    client: &kontext_management::Client,
    method: &str,
    args: Vec<Value>,
    options: Option<kontext_management::RequestOptions>,
) -> Result<Value, kontext_management::Error> {
    if methods::is_list_all(method) {
        let mut pages = kontext_management::dispatch::list_all(client, method, args, options)?;
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await? {
            all.extend(page);
        }
        Ok(Value::Array(all))
    } else {
        kontext_management::dispatch::call(client, method, args, options).await
    }
}

/// The client options every scenario starts from: the target's origin and bootstrap account.
pub fn default_client_options(target: &Target) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("baseUrl".into(), json!(target.base_url));
    m.insert("credentials".into(), json!({"clientId": target.client_id, "clientSecret": target.client_secret}));
    m
}

/// `over` merged over `base`, key by key; `credentials` and `accessToken` replace each other.
pub fn merge_client_options(base: &Map<String, Value>, over: &Map<String, Value>) -> Map<String, Value> {
    let mut out = base.clone();
    if over.contains_key("accessToken") && !over.contains_key("credentials") {
        out.remove("credentials");
    }
    if over.contains_key("credentials") && !over.contains_key("accessToken") {
        out.remove("accessToken");
    }
    for (k, v) in over {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// Builds a client; `Err(Ok(details))` is an SDK error, `Err(Err(text))` options that do not
/// even deserialize.
fn build_client(options: &Map<String, Value>) -> Result<kontext_management::Client, Result<Value, String>> {
    let opts: kontext_management::ClientOptions = serde_json::from_value(Value::Object(options.clone()))
        .map_err(|e| Err(format!("client options do not deserialize into kontext_management::ClientOptions: {e}")))?;
    kontext_management::Client::from_options(opts).map_err(|e| Ok(error_json(&e)))
}

struct Run<'a> {
    scenario: &'a Scenario,
    target: &'a Target,
    control: Control,
    vars: Vars,
    client_options: Map<String, Value>,
    client: Option<kontext_management::Client>,
    trail: Vec<String>,
    progress: Arc<AtomicUsize>,
}

impl Run<'_> {
    fn fail(&self, step: Option<usize>, label: impl Into<String>, message: impl Into<String>) -> Box<Failure> {
        Box::new(Failure {
            scenario: self.scenario.name.clone(),
            step,
            label: label.into(),
            message: message.into(),
            trail: self.trail.clone(),
            ..Failure::default()
        })
    }

    async fn setup(&mut self) -> Result<(), Box<Failure>> {
        let setup = &self.scenario.setup;
        let at = |what: &str| format!("setup.{what}");
        if self.target.live {
            if !self.scenario.read_only {
                return Err(self.fail(None, "setup", "only readOnly scenarios run against a live organization"));
            }
        } else {
            self.control.reset().await.map_err(|e| self.fail(None, "reset", e))?;
            if let Some(config) = &setup.emulator {
                self.control
                    .expect_ok("POST", "/_emulator/config", Some(&Value::Object(config.clone())))
                    .await
                    .map_err(|e| self.fail(None, at("emulator"), e))?;
            }
            if let Some(seed) = &setup.seed {
                let answer = self
                    .control
                    .expect_ok("POST", "/_emulator/seed", Some(&Value::Object(seed.clone())))
                    .await
                    .map_err(|e| self.fail(None, at("seed"), e))?;
                self.vars.set("seed", answer);
            }
            for (i, fault) in setup.faults.iter().enumerate() {
                let fault = self
                    .vars
                    .substitute(&Value::Object(fault.clone()))
                    .map_err(|e| self.fail(None, at(&format!("faults.{i}")), e))?;
                self.control
                    .expect_ok("POST", "/_emulator/faults", Some(&fault))
                    .await
                    .map_err(|e| self.fail(None, at(&format!("faults.{i}")), e))?;
            }
        }
        let mut options = default_client_options(self.target);
        if let Some(client) = &setup.client {
            let client = self.vars.substitute_map(client).map_err(|e| self.fail(None, at("client"), e))?;
            options = merge_client_options(&options, &client);
        }
        match build_client(&options) {
            Ok(client) => self.client = Some(client),
            Err(Ok(details)) => {
                let mut f = self.fail(None, at("client"), "the client could not be built");
                f.step_json = Some(Value::Object(options.clone()));
                f.error = Some(details);
                return Err(f);
            }
            Err(Err(text)) => return Err(self.fail(None, at("client"), text)),
        }
        self.client_options = options;
        if !self.target.live {
            self.control.clear_requests().await.map_err(|e| self.fail(None, "clearing the request log", e))?;
        }
        Ok(())
    }

    async fn run_steps(&mut self) -> Result<(), Box<Failure>> {
        for (i, step) in self.scenario.steps.iter().enumerate() {
            self.progress.store(i + 1, Ordering::SeqCst);
            let started = Instant::now();
            let summary = self.run_step(i + 1, step).await?;
            self.trail.push(format!(
                "{}. {} — {} ({} ms)",
                i + 1,
                step.kind.label(),
                summary,
                started.elapsed().as_millis()
            ));
        }
        Ok(())
    }

    /// Runs one step; returns a one-line summary for the trail.
    async fn run_step(&mut self, n: usize, step: &Step) -> Result<String, Box<Failure>> {
        let label = step.kind.label();
        let sub = |v: &Value| self.vars.substitute(v).map_err(|e| self.fail(Some(n), &label, e));
        match &step.kind {
            StepKind::Call { method, args } => {
                let args = match sub(&Value::Array(args.clone()))? {
                    Value::Array(a) => a,
                    _ => unreachable!(),
                };
                let options = match &step.options {
                    Some(o) => Some(sub(&Value::Object(o.clone()))?),
                    None => None,
                };
                let mut step_json = json!({"call": method, "args": args});
                if let Some(o) = &options {
                    step_json["options"] = o.clone();
                }
                let request_options = match &options {
                    Some(o) => {
                        Some(serde_json::from_value::<kontext_management::RequestOptions>(o.clone()).map_err(|e| {
                            let mut f = self.fail(
                                Some(n),
                                &label,
                                format!("options do not deserialize into kontext_management::RequestOptions: {e}"),
                            );
                            f.step_json = Some(step_json.clone());
                            f
                        })?)
                    }
                    None => None,
                };
                let client = self.client.clone().expect("the client is built in setup");
                let outcomes = run_repeated(&client, method, args, request_options, step.repeat).await;
                self.check_outcomes(n, &label, step, step_json, outcomes)
            }
            StepKind::Emulator { method, path, body } => {
                if self.target.live {
                    return Err(self.fail(Some(n), &label, "emulator steps cannot run against a live organization"));
                }
                let path = match sub(&Value::String(path.clone()))? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let body = match body {
                    Some(b) => Some(sub(b)?),
                    None => None,
                };
                let mut step_json = json!({"emulator": format!("{method} {path}")});
                if let Some(b) = &body {
                    step_json["body"] = b.clone();
                }
                let calls = (0..step.repeat).map(|_| self.control.send(method, &path, body.as_ref()));
                let answers = futures_util::future::join_all(calls).await;
                let mut outcomes = Vec::new();
                for answer in answers {
                    let answer = answer.map_err(|e| {
                        let mut f = self.fail(Some(n), &label, e);
                        f.step_json = Some(step_json.clone());
                        f
                    })?;
                    outcomes.push(if answer.is_success() {
                        Ok(answer.body)
                    } else {
                        let message = answer.body.get("message").cloned().unwrap_or(Value::Null);
                        Err(json!({"status": answer.status, "message": message, "body": answer.body}))
                    });
                }
                self.check_outcomes(n, &label, step, step_json, outcomes)
            }
            StepKind::Client { options } => {
                let over = sub(&Value::Object(options.clone()))?;
                let Value::Object(over) = over else { unreachable!() };
                let merged = merge_client_options(&self.client_options, &over);
                let step_json = json!({"client": Value::Object(merged.clone())});
                match build_client(&merged) {
                    Ok(client) => {
                        if let Some(expected) = &step.expect_error {
                            let mut f = self.fail(Some(n), &label, "the client was built, but an error was expected");
                            f.step_json = Some(step_json);
                            f.expected = Some(sub(expected)?);
                            return Err(f);
                        }
                        self.client = Some(client);
                        self.client_options = merged;
                        Ok("built".into())
                    }
                    Err(Ok(details)) => match &step.expect_error {
                        Some(expected) => {
                            let expected = sub(expected)?;
                            self.match_error(n, &label, &step_json, &expected, &details)?;
                            Ok(format!("failed as expected: {}", kind_of(&details)))
                        }
                        None => {
                            let mut f = self.fail(Some(n), &label, "the client could not be built");
                            f.step_json = Some(step_json);
                            f.error = Some(details);
                            Err(f)
                        }
                    },
                    Err(Err(text)) => {
                        let mut f = self.fail(Some(n), &label, text);
                        f.step_json = Some(step_json);
                        Err(f)
                    }
                }
            }
            StepKind::Sleep { ms } => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                Ok("slept".into())
            }
            StepKind::Requests(assertion) => {
                if self.target.live {
                    return Ok("skipped (live)".into());
                }
                let mut assertion = assertion.clone();
                if let Some(path) = &assertion.path {
                    assertion.path = Some(match sub(&Value::String(path.clone()))? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    });
                }
                if let Some(header) = &assertion.header {
                    let Value::Object(h) = sub(&Value::Object(header.clone()))? else { unreachable!() };
                    assertion.header = Some(h);
                }
                assertion.count = sub(&assertion.count)?;
                let assertion = &assertion;
                let entries = self.control.requests().await.map_err(|e| self.fail(Some(n), &label, e))?;
                match requests::check(assertion, &entries) {
                    Ok(()) => Ok(format!("{} log entries checked", entries.len())),
                    Err(message) => {
                        let mut f = self.fail(Some(n), &label, message);
                        let mut shown = Map::new();
                        if let Some(m) = &assertion.method {
                            shown.insert("method".into(), json!(m));
                        }
                        if let Some(p) = &assertion.path {
                            shown.insert("path".into(), json!(p));
                        }
                        if let Some(s) = assertion.status {
                            shown.insert("status".into(), json!(s));
                        }
                        if let Some(h) = &assertion.header {
                            shown.insert("header".into(), Value::Object(h.clone()));
                        }
                        shown.insert("count".into(), assertion.count.clone());
                        f.step_json = Some(json!({ "requests": shown }));
                        Err(f)
                    }
                }
            }
            StepKind::ClearRequests => {
                if self.target.live {
                    return Ok("skipped (live)".into());
                }
                self.control.clear_requests().await.map_err(|e| self.fail(Some(n), &label, e))?;
                Ok("cleared".into())
            }
        }
    }

    fn match_error(
        &self,
        n: usize,
        label: &str,
        step_json: &Value,
        expected: &Value,
        details: &Value,
    ) -> Result<(), Box<Failure>> {
        // `message` is a substring match; everything else a partial match.
        let mut expected = expected.clone();
        let mut mismatches = Vec::new();
        if let Some(Value::String(want)) = expected.as_object_mut().and_then(|m| m.remove("message")) {
            let got = details.get("message").and_then(Value::as_str).unwrap_or_default();
            if !got.contains(&want) {
                mismatches.push(format!("$.message: expected a message containing {want:?}, got {got:?}"));
            }
        }
        if let Err(errs) = matcher::check(&expected, Some(details)) {
            mismatches.extend(errs);
        }
        if mismatches.is_empty() {
            return Ok(());
        }
        let mut f = self.fail(Some(n), label, "the error does not match expectError");
        f.step_json = Some(step_json.clone());
        f.expected = Some(expected);
        f.error = Some(details.clone());
        f.mismatches = mismatches;
        Err(f)
    }

    fn check_outcomes(
        &mut self,
        n: usize,
        label: &str,
        step: &Step,
        step_json: Value,
        outcomes: Vec<Outcome>,
    ) -> Result<String, Box<Failure>> {
        let expect = match &step.expect {
            Some(e) => Some(self.vars.substitute(e).map_err(|e| self.fail(Some(n), label, e))?),
            None => None,
        };
        let expect_error = match &step.expect_error {
            Some(e) => Some(self.vars.substitute(e).map_err(|e| self.fail(Some(n), label, e))?),
            None => None,
        };
        let total = outcomes.len();
        for (i, outcome) in outcomes.iter().enumerate() {
            let which = if total > 1 { format!(" (run {} of {total})", i + 1) } else { String::new() };
            match (outcome, &expect_error) {
                (Ok(result), Some(expected)) => {
                    let mut f = self.fail(Some(n), label, format!("succeeded, but an error was expected{which}"));
                    f.step_json = Some(step_json);
                    f.expected = Some(expected.clone());
                    f.actual = Some(result.clone());
                    return Err(f);
                }
                (Err(details), Some(expected)) => {
                    self.match_error(n, label, &step_json, expected, details).map_err(|mut f| {
                        f.message.push_str(&which);
                        f
                    })?;
                }
                (Err(details), None) => {
                    let mut f = self.fail(Some(n), label, format!("failed unexpectedly{which}"));
                    f.step_json = Some(step_json);
                    f.expected = expect.clone();
                    f.error = Some(details.clone());
                    return Err(f);
                }
                (Ok(result), None) => {
                    if let Some(expected) = &expect
                        && let Err(mismatches) = matcher::check(expected, Some(result))
                    {
                        let mut f = self.fail(Some(n), label, format!("the result does not match expect{which}"));
                        f.step_json = Some(step_json);
                        f.expected = Some(expected.clone());
                        f.actual = Some(result.clone());
                        f.mismatches = mismatches;
                        return Err(f);
                    }
                }
            }
        }
        if let Some(Ok(first)) = outcomes.first() {
            for (name, path) in &step.save {
                match get_path(first, path) {
                    Some(v) => self.vars.set(name.clone(), v.clone()),
                    None => {
                        let mut f =
                            self.fail(Some(n), label, format!("save `{name}`: path `{path}` not found in the result"));
                        f.step_json = Some(step_json);
                        f.actual = Some(first.clone());
                        return Err(f);
                    }
                }
            }
        }
        Ok(match outcomes.first() {
            Some(Ok(v)) => format!("ok{}: {}", if total > 1 { format!(" ×{total}") } else { String::new() }, short(v)),
            Some(Err(e)) => format!("failed as expected: {}", kind_of(e)),
            None => "nothing ran".into(),
        })
    }
}

fn kind_of(details: &Value) -> String {
    let s = |k: &str| details.get(k).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
    match (s("kind"), s("status")) {
        (Some(k), Some(st)) => format!("{k} {st}"),
        (Some(k), None) => k,
        (None, Some(st)) => format!("status {st}"),
        (None, None) => short(details),
    }
}

/// Runs a call `repeat` times concurrently on the same client (each run its own task).
async fn run_repeated(
    client: &kontext_management::Client,
    method: &str,
    args: Vec<Value>,
    options: Option<kontext_management::RequestOptions>,
    repeat: u32,
) -> Vec<Outcome> {
    if repeat <= 1 || methods::is_list_all(method) {
        let runs = (0..repeat.max(1)).map(|_| call_method(client, method, args.clone(), options.clone()));
        return futures_util::future::join_all(runs).await.into_iter().map(|r| r.map_err(|e| error_json(&e))).collect();
    }
    let handles: Vec<_> = (0..repeat)
        .map(|_| {
            let client = client.clone();
            let method = method.to_string();
            let args = args.clone();
            let options = options.clone();
            tokio::spawn(async move {
                kontext_management::dispatch::call(&client, &method, args, options).await.map_err(|e| error_json(&e))
            })
        })
        .collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(match h.await {
            Ok(r) => r,
            Err(e) => Err(json!({"kind": "<panicked>", "message": e.to_string()})),
        });
    }
    out
}

/// Longest a scenario may run before it counts as hung.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(90);

/// Runs one scenario against `target` (must be called inside a tokio runtime).
pub async fn run(scenario: &Scenario, target: &Target) -> Result<Report, Box<Failure>> {
    let started = Instant::now();
    let progress = Arc::new(AtomicUsize::new(0));
    let mut vars = Vars::new();
    vars.set("baseUrl", json!(target.base_url.trim_end_matches('/')));
    vars.set("clientId", json!(target.client_id));
    vars.set("clientSecret", json!(target.client_secret));
    let mut run = Run {
        scenario,
        target,
        control: Control::new(&target.base_url),
        vars,
        client_options: Map::new(),
        client: None,
        trail: Vec::new(),
        progress: progress.clone(),
    };
    let work = async {
        run.setup().await?;
        run.run_steps().await
    };
    match tokio::time::timeout(SCENARIO_TIMEOUT, work).await {
        Ok(Ok(())) => {
            Ok(Report { scenario: scenario.name.clone(), steps: scenario.steps.len(), elapsed: started.elapsed() })
        }
        Ok(Err(f)) => Err(f),
        Err(_) => {
            let step = progress.load(Ordering::SeqCst);
            Err(Box::new(Failure {
                scenario: scenario.name.clone(),
                step: (step > 0).then_some(step),
                label: if step > 0 { scenario.steps[step - 1].kind.label() } else { "setup".into() },
                message: format!("the scenario did not finish within {} s", SCENARIO_TIMEOUT.as_secs()),
                ..Failure::default()
            }))
        }
    }
}

/// Runs one scenario against a fresh in-process emulator, on a runtime of its own.
pub fn run_with_emulator(scenario: &Scenario) -> Result<Report, Box<Failure>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime");
    runtime.block_on(async {
        let options = kontext_management_emulator::Options { rate_limit_per_minute: 0, ..Default::default() };
        let emulator = kontext_management_emulator::Emulator::start_with(options).await.map_err(|e| {
            Box::new(Failure {
                scenario: scenario.name.clone(),
                label: "starting the emulator".into(),
                message: e.to_string(),
                ..Failure::default()
            })
        })?;
        let target = Target {
            base_url: emulator.base_url().to_string(),
            client_id: emulator.client_id().to_string(),
            client_secret: emulator.client_secret().to_string(),
            live: false,
        };
        let result = run(scenario, &target).await;
        emulator.shutdown().await;
        result
    })
}

/// Loads and runs one scenario file against a fresh in-process emulator.
pub fn run_file(path: &Path) -> Result<Report, String> {
    let scenario = scenario::load_file(path).map_err(|e| e.to_string())?;
    run_with_emulator(&scenario).map_err(|f| f.to_string())
}

/// Loads and runs one readOnly scenario file against a live organization.
pub fn run_file_live(path: &Path, target: &Target) -> Result<Report, String> {
    let scenario = scenario::load_file(path).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime");
    runtime.block_on(run(&scenario, target)).map_err(|f| f.to_string())
}
