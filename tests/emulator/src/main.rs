//! `kontext-management-emulator` binary: parse flags, start, announce, wait for SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use kontext_management_emulator::Emulator;
use kontext_management_emulator::cli::{self, Command};

fn main() -> ExitCode {
    let (options, json) = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run { options, json }) => (options, json),
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
        let emu = match Emulator::start(options).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("kontext-management-emulator: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Handlers go in before the announcement, so a signal sent right after it is not lost.
        let signals = Signals::install();
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

/// SIGINT and SIGTERM (Ctrl-C elsewhere).
struct Signals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let unix = signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?))).ok();
            Signals { unix }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.unix {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
