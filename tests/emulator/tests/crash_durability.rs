//! `--db` durability under a crash: the binary is killed with SIGKILL in the middle of a write
//! load, restarted on the same file, and every write it acknowledged (answered 2xx) must be
//! there. Three rounds on one file; each round re-checks the writes of every earlier round.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ROUNDS: usize = 3;
const WRITERS: usize = 4;
/// Acknowledged writes to wait for before the kill, so it lands in the middle of the load.
const MIN_ACKED_BEFORE_KILL: usize = 100;

/// One acknowledged write.
#[derive(Debug, Clone)]
struct Acked {
    /// `applications`, `integrations` or `service-accounts`.
    collection: &'static str,
    id: String,
    name: String,
    round: usize,
}

struct Running {
    child: Child,
    // Kept open: the emulator never writes again, but a closed pipe must not be its problem.
    _stdout: BufReader<ChildStdout>,
    base: String,
    client_id: String,
    client_secret: String,
}

fn spawn(db: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kontext-management-emulator"))
        .args(["--db", db.to_str().expect("utf-8 path"), "--port", "0", "--json", "--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the emulator");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read the announcement");
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("announcement {line:?}: {e}"));
    let s = |k: &str| v[k].as_str().expect(k).to_owned();
    Running { child, _stdout: stdout, base: s("baseUrl"), client_id: s("clientId"), client_secret: s("clientSecret") }
}

fn temp_db() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kontext-management-emulator-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("k.db");
    (dir, db)
}

async fn mint(http: &reqwest::Client, emu: &Running) -> String {
    let r = http
        .post(format!("{}/oauth2/token", emu.base))
        .basic_auth(&emu.client_id, Some(&emu.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "management:all")])
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status(), 200, "token");
    let body: Value = r.json().await.expect("token json");
    body["access_token"].as_str().expect("access_token").to_owned()
}

/// One create of the rotation; returns what a 2xx acknowledged, `Err` when the server is gone.
async fn create(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
    name: &str,
) -> Result<Option<(&'static str, String)>, reqwest::Error> {
    let (collection, body, key) = match n % 3 {
        0 => ("applications", json!({"name": name, "oauth": {"redirectUris": ["https://app.test/cb"]}}), "application"),
        1 => ("integrations", json!({"name": name, "url": "https://mcp.crash.test/mcp"}), "integration"),
        _ => ("service-accounts", json!({"name": name, "description": "crash durability"}), "serviceAccount"),
    };
    let r = http.post(format!("{base}/api/v1/{collection}")).bearer_auth(token).json(&body).send().await?;
    if !r.status().is_success() {
        return Ok(None);
    }
    // Acknowledged means the whole answer arrived.
    let body: Value = r.json().await?;
    let id = body[key]["id"].as_str().unwrap_or_else(|| panic!("no {key}.id in {body}")).to_owned();
    Ok(Some((collection, id)))
}

#[test]
fn acknowledged_writes_survive_sigkill_mid_load() {
    let started = Instant::now();
    let (dir, db) = temp_db();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    // In a workspace build reqwest has `rustls-no-provider` (from the `kontext-management` crate): every client
    // needs a process-wide crypto provider, even for plain http.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("http client");
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let mut per_round = Vec::new();
    let mut sent_total = 0;

    for round in 1..=ROUNDS {
        let mut emu = spawn(&db);
        let (sent, in_flight_lost) = rt.block_on(async {
            let token = mint(&http, &emu).await;
            let stop = Arc::new(AtomicBool::new(false));
            let sent = Arc::new(AtomicUsize::new(0));
            let failed = Arc::new(AtomicUsize::new(0));
            let before = acked.lock().unwrap().len();
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (http, base, token) = (http.clone(), emu.base.clone(), token.clone());
                    let (stop, sent, failed, acked) = (stop.clone(), sent.clone(), failed.clone(), acked.clone());
                    tokio::spawn(async move {
                        let mut n = w;
                        while !stop.load(Ordering::Relaxed) {
                            let name = format!("crash-r{round}-w{w}-{n}");
                            sent.fetch_add(1, Ordering::Relaxed);
                            match create(&http, &base, &token, n, &name).await {
                                Ok(Some((collection, id))) => {
                                    acked.lock().unwrap().push(Acked { collection, id, name, round });
                                }
                                Ok(None) => panic!("write {name} refused while the server was up"),
                                // The kill: the connection is refused or reset.
                                Err(_) => {
                                    failed.fetch_add(1, Ordering::Relaxed);
                                    break;
                                }
                            }
                            n += WRITERS;
                        }
                    })
                })
                .collect();
            // Let the load build up, then kill in the middle of it.
            let deadline = Instant::now() + Duration::from_secs(5);
            while acked.lock().unwrap().len() - before < MIN_ACKED_BEFORE_KILL * round && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(37 * round as u64)).await;
            emu.child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix.
            let status = emu.child.wait().expect("reap");
            stop.store(true, Ordering::Relaxed);
            for w in writers {
                w.await.expect("writer task");
            }
            assert!(!status.success(), "the emulator was killed, not stopped: {status:?}");
            (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
        });
        let this_round = acked.lock().unwrap().iter().filter(|a| a.round == round).count();
        assert!(this_round >= MIN_ACKED_BEFORE_KILL, "round {round}: only {this_round} writes before the kill");

        // Restart on the same file and read back every acknowledged write so far.
        let mut emu = spawn(&db);
        let all = acked.lock().unwrap().clone();
        let verified = rt.block_on(async {
            let token = mint(&http, &emu).await;
            let mut verified = 0;
            let mut missing = Vec::new();
            for a in &all {
                let r = http
                    .get(format!("{}/api/v1/{}/{}", emu.base, a.collection, a.id))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("read back");
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                let key = match a.collection {
                    "applications" => "application",
                    "integrations" => "integration",
                    _ => "serviceAccount",
                };
                if status == 200 && body[key]["name"] == json!(a.name) {
                    verified += 1;
                } else {
                    missing.push(format!("{} {} ({}): {status} {body}", a.collection, a.id, a.name));
                }
            }
            assert!(
                missing.is_empty(),
                "round {round}: {} acknowledged write(s) lost:\n{}",
                missing.len(),
                missing.join("\n")
            );
            // Nothing but the acknowledged writes and, at most, the few cut off by the kill.
            let mut listed = 0;
            for collection in ["applications", "integrations", "service-accounts"] {
                let mut cursor: Option<String> = None;
                loop {
                    let mut url = format!("{}/api/v1/{collection}?limit=200", emu.base);
                    if let Some(c) = &cursor {
                        url.push_str(&format!("&cursor={c}"));
                    }
                    let page: Value =
                        http.get(url).bearer_auth(&token).send().await.expect("list").json().await.expect("page");
                    let items = page["items"].as_array().expect("items");
                    listed +=
                        items.iter().filter(|i| i["name"].as_str().is_some_and(|n| n.starts_with("crash-"))).count();
                    match page["nextCursor"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => break,
                    }
                }
            }
            let sent_so_far = sent_total + sent;
            assert!(
                listed >= all.len() && listed <= sent_so_far,
                "round {round}: {listed} items listed, {} acknowledged, {sent_so_far} sent",
                all.len()
            );
            // The file is still writable after the crash.
            let after = create(&http, &emu.base, &token, 0, &format!("after-crash-{round}")).await.expect("write");
            assert!(after.is_some(), "the restarted emulator refuses writes");
            (verified, listed)
        });
        let (verified, listed) = verified;
        sent_total += sent;
        emu.child.kill().expect("stop the verifier");
        let _ = emu.child.wait();
        println!(
            "round {round}: {sent} writes sent, {this_round} acknowledged, {in_flight_lost} cut by SIGKILL; \
             after restart {verified}/{} acknowledged writes (all rounds) read back, {listed} listed",
            all.len()
        );
        per_round.push((sent, this_round, verified));
    }
    let total_acked: usize = per_round.iter().map(|r| r.1).sum();
    println!(
        "crash durability: {ROUNDS} SIGKILLs mid-load, {total_acked} acknowledged writes, every one read back after \
         each restart ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir);
}
