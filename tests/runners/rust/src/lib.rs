//! The engine of the shared scenario suite (`tests/scenarios/*.json`, format in
//! `tests/scenarios/SCHEMA.md`), executed through the Rust client against the emulator.
//!
//! Generic: no code knows any particular scenario. Reusable pieces:
//! - [`scenario`] — serde types of the file format, loading;
//! - [`vars`] — `${name.path}` substitution;
//! - [`matcher`] — partial matching with `$` matchers;
//! - [`requests`] — request-log assertions;
//! - [`validate`] — static checks of scenario files (and suite coverage);
//! - [`control`] — plain-HTTP calls to the emulator;
//! - [`runner`] — runs a scenario through `kontext-management` against an emulator or a live organization.

mod call_table;
pub mod control;
pub mod matcher;
pub mod methods;
pub mod requests;
pub mod runner;
pub mod scenario;
pub mod validate;
pub mod vars;

pub use runner::{Failure, Report, Target, run, run_file, run_with_emulator};
pub use scenario::{Scenario, Step, StepKind};
