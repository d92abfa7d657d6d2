//! `cargo test -p kontext-management-scenarios`: one trial per file of `tests/scenarios`, each against its
//! own in-process emulator; with `KONTEXT_LIVE_*` set, also one `live/<name>` trial per readOnly
//! scenario against that real organization. Ends with the libtest summary and the line
//! `N passed, N failed`.

use libtest_mimic::{Arguments, Failed, Trial};

use kontext_management_scenarios::{runner, scenario};

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
    let live = runner::Target::live_from_env();
    let mut trials: Vec<Trial> = Vec::new();
    for path in files {
        let name = scenario::file_stem(&path);
        if let Some(target) = &live
            && scenario::load_file(&path).is_ok_and(|s| s.read_only)
        {
            let (path, target) = (path.clone(), target.clone());
            trials.push(Trial::test(format!("live/{name}"), move || {
                runner::run_file_live(&path, &target).map(drop).map_err(Failed::from)
            }));
        }
        trials.push(Trial::test(name, move || runner::run_file(&path).map(drop).map_err(Failed::from)));
    }
    if live.is_none() {
        println!(
            "live mode: skipped (set KONTEXT_LIVE_BASE_URL, KONTEXT_LIVE_CLIENT_ID and KONTEXT_LIVE_CLIENT_SECRET to also run the read-only scenarios against a real organization)"
        );
    }
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
