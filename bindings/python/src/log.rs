//! The core's log records, handed to Python's `logging` (see `kontext_management/_logging.py`).
//!
//! Python's loggers are process-wide, so one sink serves every client: it is the default logger
//! of `kontext_management::log`, and this module's subscriber is the process's `tracing` dispatcher (the
//! extension owns `tracing` in a Python process). The Python layer re-sends the effective level
//! whenever the `kontext_management` logger's level may have changed, so a disabled level costs nothing in
//! Rust and never crosses into Python.

use std::sync::{Arc, OnceLock};

use kontext_management::log::{Level, Logger};

/// Implemented in Python: receives each record on the thread that emitted it (a runtime
/// worker); uniffi takes the GIL for the call.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    /// `level` is the lowercase level name, `line` the message with its fields as `key=value`,
    /// `fields_json` the fields as a JSON object. Everything is already redacted.
    fn log(&self, level: String, target: String, line: String, fields_json: String);
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Sends records at `level` (`off`, `error`, `warn`, `info`, `debug`, `trace`) and above to
/// `sink`. The first call installs the sink; later calls only change the level.
#[uniffi::export]
pub fn configure_logging(sink: Arc<dyn LogSink>, level: String) {
    let level = Level::parse(&level).unwrap_or(Level::Off);
    let logger = LOGGER.get_or_init(|| {
        kontext_management::log::install();
        let logger = Logger::new(level, move |record| {
            sink.log(record.level.as_str().to_owned(), record.target.to_owned(), record.line(), record.fields_json());
        });
        kontext_management::log::set_default(Some(logger.clone()));
        logger
    });
    logger.set_level(level);
}
