//! Command-line parsing for the `kontext-management-emulator` binary (hand-rolled: a dozen flags do not
//! justify a parser dependency).

use std::path::PathBuf;

use crate::Options;

pub const USAGE: &str = "\
Usage: kontext-management-emulator [OPTIONS]

A stateful local emulator of the Kontext Management API.

Options:
  --host HOST            Address to bind (default 127.0.0.1)
  --port PORT            Port to bind; 0 picks a free one (default 4010)
  --db FILE              Keep state in this SQLite file (default: in memory)
  --seed N               Fill the organization with deterministic data (N scales the amounts)
  --client-id ID         Bootstrap service account client id (default sa_local_dev)
  --client-secret SECRET Bootstrap service account secret (default local-dev-secret)
  --token-ttl SECONDS    Access token lifetime (default 3600)
  --rate-limit N         Requests per minute per credential; 0 = off (default 120)
  --console-dir DIR      Serve the admin console's files from DIR at /console/
  --no-device-grant      Turn the device authorization grant off (as on hosted deployments)
  --json                 Print one JSON line {baseUrl, clientId, clientSecret} when ready
  --exit-on-stdin-close  Stop when stdin reaches its end (so a test helper that started it
                         and then died, even by SIGKILL, leaves no emulator behind)
  -h, --help             Show this help
  -V, --version          Show the version
";

#[derive(Debug)]
pub enum Command {
    Run { options: Options, json: bool, exit_on_stdin_close: bool },
    Help,
    Version,
}

pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut options = Options { port: 4010, ..Options::default() };
    let mut json = false;
    let mut exit_on_stdin_close = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: invalid number {v:?}"))
        }
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--json" => json = true,
            "--exit-on-stdin-close" => exit_on_stdin_close = true,
            "--host" => options.host = value("--host")?,
            "--port" => options.port = num("--port", value("--port")?)?,
            "--db" => options.db = Some(PathBuf::from(value("--db")?)),
            "--seed" => options.seed = Some(num("--seed", value("--seed")?)?),
            "--client-id" => options.client_id = value("--client-id")?,
            "--client-secret" => options.client_secret = value("--client-secret")?,
            "--token-ttl" => {
                options.token_ttl_seconds = num("--token-ttl", value("--token-ttl")?)?;
                if options.token_ttl_seconds == 0 {
                    return Err("--token-ttl must be at least 1".into());
                }
            }
            "--rate-limit" => options.rate_limit_per_minute = num("--rate-limit", value("--rate-limit")?)?,
            "--no-device-grant" => options.device_grant = false,
            "--console-dir" => options.console_dir = Some(PathBuf::from(value("--console-dir")?)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.client_id.is_empty() || options.client_secret.is_empty() {
        return Err("--client-id and --client-secret must not be empty".into());
    }
    Ok(Command::Run { options, json, exit_on_stdin_close })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<(Options, bool), String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run { options, json, .. } => Ok((options, json)),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn parses_flags() {
        let (o, json) = run(&["--port", "0", "--json", "--rate-limit=0", "--seed", "3", "--db", "x.db"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.port, o.rate_limit_per_minute, o.seed, json), (0, 0, Some(3), true));
        assert_eq!(o.db, Some(PathBuf::from("x.db")));
        let (o, json) = run(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.port, o.client_id.as_str(), o.token_ttl_seconds, json), (4010, "sa_local_dev", 3600, false));
        let (o, _) = run(&["--console-dir", "packages/console"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.console_dir, Some(PathBuf::from("packages/console")));
        let Ok(Command::Run { exit_on_stdin_close, .. }) = parse(["--exit-on-stdin-close".to_string()]) else {
            panic!("--exit-on-stdin-close")
        };
        assert!(exit_on_stdin_close);
        assert!(o.device_grant);
        assert!(!run(&["--no-device-grant"]).unwrap_or_else(|e| panic!("{e}")).0.device_grant);
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--port", "x"]).is_err());
    }
}
