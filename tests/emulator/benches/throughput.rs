//! Throughput of authenticated reads: starts an emulator in-process, mints a token, creates an
//! application, then hammers `GET /api/v1/applications/{id}` over N keep-alive connections
//! with a minimal HTTP/1.1 client (so the client costs little of the shared CPU).
//!
//!     cargo bench -p kontext-emulator --bench throughput -- --connections 32 --seconds 5

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kontext_emulator::{Emulator, Options};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends one request and reads one full response; returns the status code.
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

fn main() {
    let connections = arg("--connections", 32);
    let seconds = arg("--seconds", 5);
    let threads = arg("--threads", 2) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build().expect("runtime");
    rt.block_on(async move {
        let emu = Emulator::start(Options { rate_limit_per_minute: 0, ..Options::default() }).await.expect("start");
        let base = emu.base_url();
        // The workspace builds reqwest with `rustls-no-provider`; give it one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let token: Value = http
            .post(format!("{base}/oauth2/token"))
            .basic_auth(emu.client_id(), Some(emu.client_secret()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        let token = token["access_token"].as_str().expect("access_token").to_owned();
        let app: Value = http
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(&token)
            .json(&json!({"name": "Bench App", "oauth": {"redirectUris": ["https://bench.test/cb"]}}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("create json");
        let id = app["application"]["id"].as_str().expect("id").to_owned();
        let addr = base.trim_start_matches("http://").to_owned();
        let request = Arc::new(
            format!("GET /api/v1/applications/{id} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\naccept: application/json\r\n\r\n")
                .into_bytes(),
        );
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
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
        let n = ok.load(Ordering::Relaxed);
        println!(
            "GET /api/v1/applications/{{id}}: {n} ok, {} failed, {connections} connections, {elapsed:.1} s: {:.0} requests/s",
            failed.load(Ordering::Relaxed),
            n as f64 / elapsed
        );
        emu.shutdown().await;
    });
}
