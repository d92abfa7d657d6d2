//! Workload 8: the emulator's throughput. `--connections` keep-alive connections, each sending
//! `GET /api/v1/applications/{id}` with a bearer token back to back for `--seconds`, through a
//! minimal HTTP/1.1 client (so the load generator costs little of the shared CPU).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::clients::Env;
use crate::{Args, Res};

/// Sends one request and reads one whole response (Content-Length bodies); returns the status.
async fn roundtrip(sock: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> std::io::Result<u16> {
    sock.write_all(request).await?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = std::str::from_utf8(&buf[..end]).map_err(std::io::Error::other)?;
        let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < end + 4 + len {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed mid-body"));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        return Ok(status);
    }
}

pub async fn run(env: &Env, args: &Args) -> Res<Vec<Value>> {
    let id = args.required("app-id");
    let connections = args.num("connections", 32);
    let seconds = args.num("seconds", 5) as u64;
    let rounds = args.num("rounds", 3);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let grant: Value = http
        .post(format!("{}/oauth2/token", env.base))
        .basic_auth(&env.client_id, Some(&env.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "management:all")])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = grant["access_token"].as_str().ok_or("no access_token")?.to_owned();
    let addr = env.base.trim_start_matches("http://").to_owned();
    let request = Arc::new(
        format!(
            "GET /api/v1/applications/{id} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\naccept: application/json\r\n\r\n"
        )
        .into_bytes(),
    );
    let mut out = Vec::new();
    for round in 0..rounds {
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (addr, request, ok, failed) = (addr.clone(), request.clone(), ok.clone(), failed.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(mut sock) = TcpStream::connect(&addr).await else {
                    failed.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let _ = sock.set_nodelay(true);
                let mut buf = Vec::with_capacity(4096);
                while Instant::now() < deadline {
                    match roundtrip(&mut sock, &request, &mut buf).await {
                        Ok(200) => ok.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
        if ok == 0 || failed > 0 {
            return Err(format!("loadgen: {ok} ok, {failed} failed"));
        }
        out.push(json!({"workload": "emulator_rps", "client": "loadgen", "round": round, "connections": connections,
            "ok": ok, "failed": failed, "seconds": elapsed, "rps": ok as f64 / elapsed}));
    }
    Ok(out)
}
