//! `cargo test -p kontext-scenarios`: one trial per file of `tests/scenarios`, each against its
//! own in-process emulator (or, with `KONTEXT_LIVE_*` set, the readOnly ones against a live
//! organization). Ends with the libtest summary and the line `N passed, N failed`.

use libtest_mimic::{Arguments, Failed, Trial};

use kontext_scenarios::{runner, scenario};

fn main() {
    let mut args = Arguments::from_args();
    // Trials mostly wait on sockets, sleeps and Retry-After; run more of them than cores.
    if args.test_threads.is_none() {
        args.test_threads =
            Some(std::env::var("KONTEXT_SCENARIO_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(6));
    }
    let dir = scenario::default_dir();
    let files = scenario::scenario_files(&dir)
        .unwrap_or_else(|e| panic!("cannot read the scenarios folder {}: {e}", dir.display()));
    let live = runner::Target::live_from_env().is_some();
    let trials: Vec<Trial> = files
        .into_iter()
        .map(|path| {
            let name = scenario::file_stem(&path);
            // In live mode only readOnly scenarios run; the others are listed as ignored.
            let ignored = live && !scenario::load_file(&path).map(|s| s.read_only).unwrap_or(false);
            Trial::test(name, move || runner::run_file(&path).map(drop).map_err(Failed::from))
                .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        if conclusion.num_ignored > 0 {
            println!(
                "{} passed, {} failed, {} skipped",
                conclusion.num_passed, conclusion.num_failed, conclusion.num_ignored
            );
        } else {
            println!("{} passed, {} failed", conclusion.num_passed, conclusion.num_failed);
        }
    }
    conclusion.exit();
}
