//! `kontext-management-bench`: the Rust side of `just bench` (driven by `tests/bench/run.py`; see
//! `BENCHMARKS.md`). Runs one workload over several clients against a running emulator and prints
//! exactly one JSON object on stdout: `{"program": "rust", "command": ..., "results": [...]}`.
//!
//! Clients: `kontext` (this SDK), `reqwest` (raw reqwest + serde, the same HTTP work by hand) and,
//! built with `--features vendor`, `vendor` (the vendor's crate `kontext-dev-sdk` 0.2.1).
//!
//! ```text
//! kontext-management-bench reads   --clients kontext,reqwest,vendor --app-id ID [--gets 2000] [--concurrent 1000]
//!                       [--page-items 10000] [--page-limit 200] [--rounds 5] [--warmup 200]
//!                       [--runtime current|multi [--workers 2]]
//! kontext-management-bench creates --clients ... [--creates 1000] [--rounds 3] [--prefix bench]
//! kontext-management-bench cold    --clients ... --app-id ID [--rounds 5]
//! kontext-management-bench memory  --client kontext [--items 100000] [--page-limit 200]
//! kontext-management-bench loadgen --app-id ID [--connections 32] [--seconds 5] [--rounds 3] [--threads 1]
//! kontext-management-bench micro   --app-id ID [--iters 20000]   (CPU cost of decoding and re-encoding, no HTTP)
//! kontext-management-bench clients   (the clients this build has)
//! ```
//!
//! Credentials come from `KONTEXT_BASE_URL`, `KONTEXT_CLIENT_ID`, `KONTEXT_CLIENT_SECRET`.
//! Every workload runs on a current-thread tokio runtime (the lowest latency for one caller; the
//! machine has 2 shared cores and the emulator needs one), except `loadgen`, which takes `--threads`.

mod clients;
mod loadgen;
mod stats;

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Value, json};

use clients::{Bench, Env};
use stats::{cpu_us, percentile, us};

/// `--key value` arguments after the command.
struct Args(HashMap<String, String>);

impl Args {
    fn parse(args: &[String]) -> Self {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let key = k.strip_prefix("--").unwrap_or_else(|| fail(&format!("unexpected argument {k:?}")));
            let value = it.next().unwrap_or_else(|| fail(&format!("--{key} needs a value")));
            map.insert(key.to_owned(), value.clone());
        }
        Self(map)
    }
    fn str(&self, key: &str, default: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| default.to_owned())
    }
    fn num(&self, key: &str, default: usize) -> usize {
        self.0.get(key).map_or(default, |v| v.parse().unwrap_or_else(|_| fail(&format!("--{key}: not a number"))))
    }
    fn required(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| fail(&format!("--{key} is required")))
    }
    fn clients(&self) -> Vec<String> {
        self.str("clients", "kontext,reqwest,vendor").split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}

fn fail(message: &str) -> ! {
    eprintln!("kontext-management-bench: {message}");
    std::process::exit(2);
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = argv.split_first() else {
        fail("usage: kontext-management-bench <reads|creates|cold|memory|loadgen|clients> [--key value]...");
    };
    if command == "clients" {
        // What this build can run (the vendor client needs `--features vendor`).
        let vendor = cfg!(feature = "vendor").then_some("vendor");
        let clients: Vec<&str> = ["kontext", "reqwest", "kontext_dispatch"].into_iter().chain(vendor).collect();
        println!("{}", json!({"program": "rust", "command": "clients", "clients": clients}));
        return;
    }
    let args = Args::parse(rest);
    let env = Env::from_env();
    let threads = args.num("threads", 1);
    // `--runtime multi`: block_on from this (non-worker) thread of a 2-worker runtime, as the
    // Python engine's sync path does; shows what the runtime flavour costs apart from any FFI.
    let multi = args.str("runtime", "current") == "multi";
    let threads = if multi { args.num("workers", 2) } else { threads };
    let rt = if multi || (command == "loadgen" && threads > 1) {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    }
    .expect("tokio runtime");
    let results = rt.block_on(async {
        match command.as_str() {
            "reads" => reads(&env, &args).await,
            "creates" => creates(&env, &args).await,
            "cold" => cold(&env, &args).await,
            "memory" => memory(&env, &args).await,
            "loadgen" => loadgen::run(&env, &args).await,
            "micro" => micro(&env, &args).await,
            other => fail(&format!("unknown command {other:?}")),
        }
    });
    let results = results.unwrap_or_else(|e| {
        eprintln!("kontext-management-bench {command}: {e}");
        std::process::exit(1);
    });
    println!("{}", json!({"program": "rust", "command": command, "results": results}));
}

type Res<T> = Result<T, String>;

/// Workloads 1–3: sequential GETs, concurrent GETs, paging; rounds interleave the clients.
async fn reads(env: &Env, args: &Args) -> Res<Vec<Value>> {
    let id = args.required("app-id");
    let gets = args.num("gets", 2000);
    let concurrent = args.num("concurrent", 1000);
    let page_items = args.num("page-items", 10_000);
    let page_limit = args.num("page-limit", 200);
    let rounds = args.num("rounds", 5);
    let warmup = args.num("warmup", 200);
    let mut benches = Vec::new();
    for name in args.clients() {
        let b = Bench::new(&name, env)?;
        // Warm-up: the token, the connection pool (also for the concurrent burst), the allocator.
        for _ in 0..warmup {
            b.get(&id).await?;
        }
        b.concurrent(&id, concurrent).await?;
        benches.push(b);
    }
    let mut out = Vec::new();
    for round in 0..rounds {
        for b in &benches {
            let mut lat = Vec::with_capacity(gets);
            let cpu = cpu_us();
            let start = Instant::now();
            for _ in 0..gets {
                let t = Instant::now();
                b.get(&id).await?;
                lat.push(us(t.elapsed()));
            }
            let total = us(start.elapsed());
            let cpu = cpu_us() - cpu;
            lat.sort_by(f64::total_cmp);
            out.push(json!({"workload": "get_seq", "client": b.name, "round": round, "n": gets,
                "p50_us": percentile(&lat, 50.0), "p99_us": percentile(&lat, 99.0), "mean_us": total / gets as f64,
                "cpu_us_per_call": cpu / gets as f64}));
        }
        for b in &benches {
            let t = Instant::now();
            b.concurrent(&id, concurrent).await?;
            out.push(json!({"workload": "get_concurrent", "client": b.name, "round": round, "n": concurrent,
                "wall_ms": us(t.elapsed()) / 1000.0}));
        }
        for b in &benches {
            let cpu = cpu_us();
            let t = Instant::now();
            let n = b.page(page_limit, page_items).await?;
            let wall = us(t.elapsed());
            let cpu = cpu_us() - cpu;
            if n != page_items {
                return Err(format!("{}: paged {n} items, expected {page_items}", b.name));
            }
            out.push(json!({"workload": "paging", "client": b.name, "round": round, "n": n,
                "wall_ms": wall / 1000.0, "us_per_item": wall / n as f64, "cpu_us_per_item": cpu / n as f64}));
        }
    }
    Ok(out)
}

/// Workload 4: sequential creates.
async fn creates(env: &Env, args: &Args) -> Res<Vec<Value>> {
    let n = args.num("creates", 1000);
    let rounds = args.num("rounds", 3);
    let prefix = args.str("prefix", "bench");
    let mut benches = Vec::new();
    for name in args.clients() {
        let b = Bench::new(&name, env)?;
        b.create(&format!("{prefix} {name} warmup")).await?;
        benches.push(b);
    }
    let mut out = Vec::new();
    for round in 0..rounds {
        for b in &benches {
            let cpu = cpu_us();
            let t = Instant::now();
            for i in 0..n {
                b.create(&format!("{prefix} {} r{round} #{i}", b.name)).await?;
            }
            let wall = us(t.elapsed());
            let cpu = cpu_us() - cpu;
            out.push(json!({"workload": "create_seq", "client": b.name, "round": round, "n": n,
                "wall_ms": wall / 1000.0, "us_per_call": wall / n as f64, "cpu_us_per_call": cpu / n as f64}));
        }
    }
    Ok(out)
}

/// Workload 5: a new client (nothing to import in Rust: construction only) and its first call,
/// which mints the token and opens the connection.
async fn cold(env: &Env, args: &Args) -> Res<Vec<Value>> {
    let id = args.required("app-id");
    let rounds = args.num("rounds", 5);
    let mut out = Vec::new();
    for round in 0..rounds {
        for name in args.clients() {
            let t = Instant::now();
            let b = Bench::new(&name, env)?;
            let built = us(t.elapsed());
            let t = Instant::now();
            b.get(&id).await?;
            let first = us(t.elapsed());
            out.push(json!({"workload": "cold", "client": name, "round": round,
                "init_ms": built / 1000.0, "first_call_ms": first / 1000.0}));
        }
    }
    Ok(out)
}

/// Workload 6: streams every item once; run in a process of its own so its peak RSS is its own.
async fn memory(env: &Env, args: &Args) -> Res<Vec<Value>> {
    let name = args.str("client", "kontext");
    let items = args.num("items", 100_000);
    let limit = args.num("page-limit", 200);
    let b = Bench::new(&name, env)?;
    let rss_before = stats::proc_status_kb("VmRSS");
    let t = Instant::now();
    let n = b.page(limit, items).await?;
    let wall = us(t.elapsed());
    if n != items {
        return Err(format!("{name}: streamed {n} items, expected {items}"));
    }
    Ok(vec![json!({"workload": "memory", "client": name, "n": n, "wall_ms": wall / 1000.0,
        "rss_before_kb": rss_before, "hwm_kb": stats::proc_status_kb("VmHWM")})])
}

/// A page whose items stay JSON text: what a binding could hand across without decoding and
/// re-encoding them.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawItems<'a> {
    #[serde(borrow)]
    items: &'a serde_json::value::RawValue,
    next_cursor: Option<String>,
}

/// Where the time of a call goes besides the network: the CPU cost of decoding one `GET`
/// answer and one page of 200 items into the core's models (which keep unknown fields through
/// `#[serde(flatten)]`), into plain typed structs (the raw baseline), into `serde_json::Value`,
/// and of re-encoding a page to JSON text (what `kontext_management::dispatch` hands to every binding).
async fn micro(env: &Env, args: &Args) -> Res<Vec<Value>> {
    use kontext_management::models::{Application, ApplicationResponse};
    let id = args.required("app-id");
    let iters = args.num("iters", 20_000);
    let raw = clients::Raw::new(env)?;
    let one = raw.get_body(&format!("/applications/{id}")).await?;
    let page = raw.get_body("/applications?limit=200").await?;
    fn time<T>(iters: usize, mut f: impl FnMut() -> T) -> f64 {
        for _ in 0..iters / 10 {
            std::hint::black_box(f());
        }
        let t = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(f());
        }
        us(t.elapsed()) * 1000.0 / iters as f64
    }
    let page_iters = (iters / 100).max(10);
    let typed_page: kontext_management::Page<Application> = serde_json::from_slice(&page).map_err(|e| e.to_string())?;
    let rows = [
        ("decode get: kontext model", time(iters, || serde_json::from_slice::<ApplicationResponse>(&one).map(drop))),
        (
            "decode get: plain struct",
            time(iters, || serde_json::from_slice::<clients::RawApplicationResponse>(&one).map(drop)),
        ),
        ("decode get: serde_json::Value", time(iters, || serde_json::from_slice::<Value>(&one).map(drop))),
        (
            "decode page 200: kontext model",
            time(page_iters, || serde_json::from_slice::<kontext_management::Page<Application>>(&page).map(drop)),
        ),
        (
            "decode page 200: plain struct",
            time(page_iters, || serde_json::from_slice::<clients::RawPage>(&page).map(drop)),
        ),
        ("decode page 200: serde_json::Value", time(page_iters, || serde_json::from_slice::<Value>(&page).map(drop))),
        ("encode page 200 items to JSON text", time(page_iters, || serde_json::to_string(&typed_page.items).map(drop))),
        (
            "page 200: items as raw JSON text (RawValue, no re-encode)",
            time(page_iters, || serde_json::from_slice::<RawItems<'_>>(&page).map(|p| p.items.get().len())),
        ),
        (
            "page 200: validate only (IgnoredAny)",
            time(page_iters, || serde_json::from_slice::<serde::de::IgnoredAny>(&page).map(drop)),
        ),
    ];
    Ok(rows
        .into_iter()
        .map(|(op, ns)| json!({"workload": "micro", "client": op, "ns_per_op": ns, "get_bytes": one.len(), "page_bytes": page.len()}))
        .collect())
}
