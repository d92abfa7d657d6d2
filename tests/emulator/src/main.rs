//! `kontext-management-emulator` binary: parse flags, start, announce, wait for SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use kontext_management_emulator::Emulator;
use kontext_management_emulator::cli::{self, Command};

fn main() -> ExitCode {
    let (options, json, exit_on_stdin_close) = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run { options, json, exit_on_stdin_close }) => (options, json, exit_on_stdin_close),
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("kontext-management-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("kontext-management-emulator: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kontext-management-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let emu = match Emulator::start_with(options).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("kontext-management-emulator: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Handlers go in before the announcement, so a signal sent right after it is not lost.
        let signals = Signals::install(exit_on_stdin_close);
        let mut out = std::io::stdout().lock();
        let announced = if json {
            let line = serde_json::json!({
                "baseUrl": emu.base_url(),
                "clientId": emu.client_id(),
                "clientSecret": emu.client_secret(),
            });
            writeln!(out, "{line}")
        } else {
            writeln!(
                out,
                "kontext-management-emulator listening on {}\n  client id:     {}\n  client secret: {}\nPress Ctrl-C to stop.",
                emu.base_url(),
                emu.client_id(),
                emu.client_secret()
            )
        };
        let _ = announced.and_then(|_| out.flush());
        drop(out);
        signals.wait().await;
        emu.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// What stops the server: SIGINT and SIGTERM (Ctrl-C elsewhere), and with
/// `--exit-on-stdin-close` the end of stdin.
struct Signals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
    stdin_closed: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl Signals {
    fn install(exit_on_stdin_close: bool) -> Signals {
        let stdin_closed = exit_on_stdin_close.then(watch_stdin);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let unix = signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?))).ok();
            Signals { unix, stdin_closed }
        }
        #[cfg(not(unix))]
        Signals { stdin_closed }
    }

    async fn wait(self) {
        let stdin_closed = async {
            match self.stdin_closed {
                Some(rx) => {
                    let _ = rx.await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.unix {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
                _ = stdin_closed => {}
            }
            return;
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = stdin_closed => {}
        }
    }
}

/// Resolves when stdin reaches its end (or fails): the parent closed it or died. A plain thread,
/// not tokio's blocking pool, whose read would hold up the runtime's shutdown on a signal.
fn watch_stdin() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 256];
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    rx
}
