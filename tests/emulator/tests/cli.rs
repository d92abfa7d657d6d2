//! The binary as the test helpers run it: `--port 0 --json --exit-on-stdin-close`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start(extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kontext-management-emulator"))
        .args(["--port", "0", "--json"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read the announcement");
    (child, line)
}

fn exited_within(child: &mut std::process::Child, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn exit_on_stdin_close_stops_when_the_parent_lets_go() {
    let (mut child, line) = start(&["--exit-on-stdin-close"]);
    assert!(line.contains("\"baseUrl\":\"http://127.0.0.1:"), "{line}");
    drop(child.stdin.take());
    assert!(exited_within(&mut child, Duration::from_secs(10)), "still running after stdin closed");
    assert!(child.wait().expect("wait").success());
}

#[test]
fn without_the_flag_a_closed_stdin_changes_nothing() {
    let (mut child, _) = start(&[]);
    drop(child.stdin.take());
    assert!(!exited_within(&mut child, Duration::from_millis(500)), "exited without --exit-on-stdin-close");
    child.kill().expect("kill");
    child.wait().expect("wait");
}
