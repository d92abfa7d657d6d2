//! Log records for the language bindings.
//!
//! The core logs through `tracing` (target `kontext_management`). A Rust program sees those events through
//! whatever subscriber it installs, and nothing here runs. Python and JavaScript users cannot
//! install a `tracing` subscriber, so their binding, which owns the process's `tracing`, calls
//! [`install`] and hands the records to the language's logger through a [`Logger`]:
//!
//! ```
//! use kontext_management::log::{Level, Logger};
//!
//! let logger = Logger::new(Level::Debug, |record| eprintln!("{} {}", record.level.as_str(), record.line()));
//! kontext_management::log::install();
//! kontext_management::log::set_default(Some(logger)); // or `scoped(Some(logger), future)` per client
//! ```
//!
//! Each event becomes a [`Record`]: level, target, message and fields, already redacted. The
//! core never logs a secret; redaction is a second line of defence against a future event that
//! would: any field named like `authorization`, `token`, `secret`, `password`, `cookie` or
//! `api_key`, any `Bearer …`/`Basic …` credential and any `client_secret=…`, `token: …` or
//! `"accessToken":"…"` pair inside a text.
//!
//! Cost when nothing wants the records: the subscriber tells `tracing` which levels anyone
//! listens to, so a disabled event costs the same atomic load as with no subscriber at all.
//!
//! Routing: `tracing` has one dispatcher per process, but the JS clients each have their own
//! logger. A binding runs each client's futures inside [`scoped`], which names the logger for
//! the events emitted while that future is polled; events outside any scope go to the logger
//! set with [`set_default`] (Python's `logging`, which is process-wide anyway).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record as SpanRecord};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// How verbose a logger is, and the level of a [`Record`] (never `Off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing.
    Off = 0,
    /// Failures.
    Error = 1,
    /// Problems the SDK recovered from.
    Warn = 2,
    /// Notable events.
    Info = 3,
    /// Every request's outcome, retries and token renewals.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl Level {
    const ALL: [Level; 6] = [Level::Off, Level::Error, Level::Warn, Level::Info, Level::Debug, Level::Trace];

    /// `off`, `error`, `warn` (or `warning`), `info`, `debug` or `trace`, in any case.
    pub fn parse(name: &str) -> Option<Level> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|level| name.eq_ignore_ascii_case(level.as_str()))
            .or_else(|| name.eq_ignore_ascii_case("warning").then_some(Level::Warn))
    }

    /// The lowercase name (`debug`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    fn of(level: &tracing::Level) -> Level {
        [Level::Error, Level::Warn, Level::Info, Level::Debug]
            .into_iter()
            .find(|l| l.filter() == *level)
            .unwrap_or(Level::Trace)
    }

    fn from_u8(value: u8) -> Level {
        Self::ALL.get(usize::from(value)).copied().unwrap_or(Level::Trace)
    }

    fn filter(self) -> LevelFilter {
        match self {
            Level::Off => LevelFilter::OFF,
            Level::Error => LevelFilter::ERROR,
            Level::Warn => LevelFilter::WARN,
            Level::Info => LevelFilter::INFO,
            Level::Debug => LevelFilter::DEBUG,
            Level::Trace => LevelFilter::TRACE,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One log event of the core, redacted.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Never [`Level::Off`].
    pub level: Level,
    /// `kontext_management` (or `kontext_management::…`).
    pub target: &'static str,
    /// The event's message, e.g. `response`.
    pub message: String,
    /// The event's fields in order, e.g. `method`, `path`, `status`, `request_id`. A field whose
    /// value is `None` is left out; strings are unquoted, numbers and booleans stay typed.
    pub fields: Vec<(&'static str, Value)>,
}

/// The value of a [`Record`] field.
///
/// Not `serde_json::Value`: building JSON by hand keeps `serde_json`'s value machinery out of
/// the wasm engine, which otherwise no longer needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text (also what `Debug`/`Display` fields render to).
    Str(String),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float (`null` in JSON when not finite).
    F64(f64),
    /// A boolean.
    Bool(bool),
}

impl Value {
    /// The text, for [`Value::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Value::Str(text) => write_json_string(out, text),
            Value::F64(x) if !x.is_finite() => out.push_str("null"),
            other => out.push_str(&other.to_string()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(text) => f.write_str(text),
            Value::I64(n) => n.fmt(f),
            Value::U64(n) => n.fmt(f),
            Value::F64(x) => x.fmt(f),
            Value::Bool(b) => b.fmt(f),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Str(text.to_owned())
    }
}

fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Record {
    /// The message followed by the fields as `key=value` (values with spaces quoted):
    /// `response method=GET path=/api/v1/applications status=200 request_id=req_1`.
    ///
    /// One record is one line: control characters in the message (text that may come from a
    /// server) are escaped, and values holding any are quoted with escapes, so nothing a server
    /// sends can start a forged line.
    pub fn line(&self) -> String {
        let mut line = String::with_capacity(self.message.len() + 32 * self.fields.len());
        for c in self.message.chars() {
            if c.is_control() {
                line.extend(c.escape_default());
            } else {
                line.push(c);
            }
        }
        for (name, value) in &self.fields {
            line.push(' ');
            line.push_str(name);
            line.push('=');
            match value {
                Value::Str(text) if needs_quotes(text) => line.push_str(&format!("{text:?}")),
                other => line.push_str(&other.to_string()),
            }
        }
        line
    }

    /// `{"level":"debug","target":"kontext_management","message":"response","fields":{"status":200,…}}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.message.len() + 32 * self.fields.len());
        out.push_str("{\"level\":\"");
        out.push_str(self.level.as_str());
        out.push_str("\",\"target\":");
        write_json_string(&mut out, self.target);
        out.push_str(",\"message\":");
        write_json_string(&mut out, &self.message);
        out.push_str(",\"fields\":");
        self.write_fields_json(&mut out);
        out.push('}');
        out
    }

    /// The fields as a JSON object: `{"method":"GET","status":200}`.
    pub fn fields_json(&self) -> String {
        let mut out = String::with_capacity(2 + 32 * self.fields.len());
        self.write_fields_json(&mut out);
        out
    }

    fn write_fields_json(&self, out: &mut String) {
        out.push('{');
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(out, name);
            out.push(':');
            value.write_json(out);
        }
        out.push('}');
    }
}

fn needs_quotes(text: &str) -> bool {
    text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '=')
}

type Sink = dyn Fn(Record) + Send + Sync;

/// Where records go: a level and a function called with each record at or above it.
///
/// The function runs on the thread that emitted the event (a runtime worker in the native
/// bindings), inside the request's future: keep it short and non-blocking. A panic in it is
/// caught and the record dropped; the request carries on.
#[derive(Clone)]
pub struct Logger(Arc<Inner>);

struct Inner {
    level: AtomicU8,
    sink: Box<Sink>,
}

impl Logger {
    /// A logger passing records at `level` and above to `sink`.
    pub fn new(level: Level, sink: impl Fn(Record) + Send + Sync + 'static) -> Logger {
        census(None, level);
        Logger(Arc::new(Inner { level: AtomicU8::new(level as u8), sink: Box::new(sink) }))
    }

    /// The logger of a client's `logLevel` option, for the JS bindings: `None` when nothing is to
    /// be logged (`off`); an absent or unknown level means `warn`. Installs the subscriber.
    pub fn for_client(level: Option<&str>, sink: impl Fn(Record) + Send + Sync + 'static) -> Option<Logger> {
        let level = level.and_then(Level::parse).unwrap_or(Level::Warn);
        if level == Level::Off {
            return None;
        }
        install();
        Some(Logger::new(level, sink))
    }

    /// The current level.
    pub fn level(&self) -> Level {
        Level::from_u8(self.0.level.load(Ordering::Relaxed))
    }

    /// Changes the level; takes effect for the next event.
    pub fn set_level(&self, level: Level) {
        let old = Level::from_u8(self.0.level.swap(level as u8, Ordering::Relaxed));
        if old != level {
            census(Some(old), level);
        }
    }

    fn emit(&self, level: Level, event: &Event<'_>) {
        if level > self.level() {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let record = Record {
            level,
            target: event.metadata().target(),
            message: scrub(&fields.message).into_owned(),
            fields: fields.fields,
        };
        // A logger that throws must not fail the request it reports on.
        let _ = catch_unwind(AssertUnwindSafe(|| (self.0.sink)(record)));
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger").field("level", &self.level()).finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        census(Some(Level::from_u8(*self.level.get_mut())), Level::Off);
    }
}

/// Makes this module's subscriber the process's global `tracing` dispatcher, once. Returns
/// whether it is (false when another subscriber was installed first, which keeps it).
///
/// Only the bindings call this: a Rust program keeps its own subscriber.
pub fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| tracing::dispatcher::set_global_default(tracing::Dispatch::new(Hub)).is_ok())
}

/// The logger for events emitted outside any [`scoped`] future (`None`: drop them).
pub fn set_default(logger: Option<Logger>) {
    *DEFAULT.write().unwrap_or_else(PoisonError::into_inner) = logger;
}

/// `future`, with the events emitted while it is polled going to `logger` (with `None`, to the
/// default logger). Nests: the innermost scope wins.
pub fn scoped<F: IntoFuture>(logger: Option<Logger>, future: F) -> Scoped<F::IntoFuture> {
    Scoped { logger, future: future.into_future() }
}

pin_project_lite::pin_project! {
    /// The future [`scoped`] returns. A named type rather than an `async fn`: a call's future is
    /// kilobytes, and an `async fn` wrapper would hold it twice (as its argument and as the value
    /// it awaits), doubling what every layer above copies.
    #[must_use = "futures do nothing unless polled"]
    pub struct Scoped<F> {
        logger: Option<Logger>,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let this = self.project();
        let _scope = this.logger.as_ref().map(Scope::enter);
        this.future.poll(cx)
    }
}

static DEFAULT: RwLock<Option<Logger>> = RwLock::new(None);

thread_local! {
    /// The logger of the future being polled on this thread.
    static CURRENT: Cell<Option<Logger>> = const { Cell::new(None) };
    /// Set while a sink runs: an event its code emits is dropped instead of recursing.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

struct Scope(Option<Logger>);

impl Scope {
    fn enter(logger: &Logger) -> Scope {
        Scope(CURRENT.try_with(|current| current.replace(Some(logger.clone()))).ok().flatten())
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = CURRENT.try_with(|current| current.set(previous));
    }
}

fn current_logger() -> Option<Logger> {
    let scoped = CURRENT
        .try_with(|current| {
            let logger = current.take();
            current.set(logger.clone());
            logger
        })
        .ok()
        .flatten();
    scoped.or_else(|| DEFAULT.read().unwrap_or_else(PoisonError::into_inner).clone())
}

// The most verbose level any live logger wants: what `tracing` is told to enable. Kept exact (a
// count of live loggers per level) so that dropping the last debug logger makes debug events
// free again.
static LIVE: [AtomicUsize; 6] = [const { AtomicUsize::new(0) }; 6];
static MAX: AtomicU8 = AtomicU8::new(Level::Off as u8);
static CENSUS: Mutex<()> = Mutex::new(());

fn census(leaving: Option<Level>, joining: Level) {
    let _serial = CENSUS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(level) = leaving {
        LIVE[level as usize].fetch_sub(1, Ordering::Relaxed);
    }
    LIVE[joining as usize].fetch_add(1, Ordering::Relaxed);
    let max = Level::ALL.into_iter().rev().find(|l| *l != Level::Off && LIVE[*l as usize].load(Ordering::Relaxed) > 0);
    let max = max.unwrap_or(Level::Off) as u8;
    if MAX.swap(max, Ordering::Relaxed) != max {
        // `tracing` caches each call site's interest; ask again with the new level.
        tracing::callsite::rebuild_interest_cache();
    }
}

fn max_level() -> Level {
    Level::from_u8(MAX.load(Ordering::Relaxed))
}

fn is_ours(target: &str) -> bool {
    target.strip_prefix("kontext_management").is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// The global subscriber: events of the `kontext_management` targets only, no spans, no state.
struct Hub;

impl Subscriber for Hub {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // Re-asked on every level change (see `census`), so `always`/`never` are exact.
        if self.enabled(metadata) { Interest::always() } else { Interest::never() }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Events, and the hints of `tracing::enabled!`; spans carry nothing a record needs.
        !metadata.is_span() && is_ours(metadata.target()) && Level::of(metadata.level()) <= max_level()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(max_level().filter())
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Never reached: `enabled` refuses every span.
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &SpanRecord<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        struct Busy;
        impl Drop for Busy {
            fn drop(&mut self) {
                let _ = IN_SINK.try_with(|flag| flag.set(false));
            }
        }
        if IN_SINK.try_with(|flag| flag.replace(true)).unwrap_or(true) {
            return;
        }
        let _busy = Busy;
        if let Some(logger) = current_logger() {
            logger.emit(Level::of(event.metadata().level()), event);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Fields {
    message: String,
    fields: Vec<(&'static str, Value)>,
}

impl Fields {
    fn push(&mut self, field: &Field, value: Value) {
        let name = field.name();
        let value = if is_sensitive_name(name) {
            Value::Str(REDACTED.to_owned())
        } else {
            match value {
                Value::Str(text) => Value::Str(scrub(&text).into_owned()),
                other => other,
            }
        };
        self.fields.push((name, value));
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.message);
        } else {
            self.push(field, Value::Str(value.to_owned()));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, Value::U64(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::I64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, Value::F64(value));
    }

    // tracing's own `record_u128`/`record_i128` print through `Debug` (the same text), which
    // brings 128-bit formatting into the WebAssembly engine for fields the core never logs.
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.record_str(field, &u128_text(value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        let digits = u128_text(value.unsigned_abs());
        self.record_str(field, &if value < 0 { format!("-{digits}") } else { digits });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else if let Some(text) = tidy_debug(&text) {
            self.push(field, Value::Str(text.to_owned()));
        }
    }
}

/// The decimal digits of `value`, as `{}` prints them, in 64-bit pieces of 19 digits.
fn u128_text(mut value: u128) -> String {
    const PIECE: u128 = 10_000_000_000_000_000_000;
    let mut pieces = Vec::with_capacity(3);
    loop {
        pieces.push((value % PIECE) as u64);
        value /= PIECE;
        if value == 0 {
            break;
        }
    }
    let mut text = pieces.pop().unwrap_or(0).to_string();
    for piece in pieces.iter().rev() {
        text.push_str(&format!("{piece:019}"));
    }
    text
}

/// `?option` fields print as `Some("x")`/`None`: keep `x`, drop `None`.
fn tidy_debug(text: &str) -> Option<&str> {
    if text == "None" {
        return None;
    }
    let inner = text.strip_prefix("Some(").and_then(|t| t.strip_suffix(')')).unwrap_or(text);
    let unquoted = inner.strip_prefix('"').and_then(|t| t.strip_suffix('"')).filter(|t| !t.contains(['\\', '"']));
    Some(unquoted.unwrap_or(inner))
}

// --- redaction ---------------------------------------------------------------------------------

const REDACTED: &str = "[redacted]";

/// What a name holding a credential contains once lowercased and stripped of separators
/// (`client_secret`, `clientSecret`, `x-api-key`, `codeVerifier`, `device_code`, `Set-Cookie`, …).
const SENSITIVE: [&str; 11] = [
    "authorization",
    "token",
    "secret",
    "password",
    "passwd",
    "cookie",
    "apikey",
    "privatekey",
    "credential",
    "verifier",
    "devicecode",
];

fn is_sensitive_name(name: &str) -> bool {
    let folded: String = name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    SENSITIVE.iter().any(|word| folded.contains(word))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The characters of an HTTP credential (RFC 9110 token68).
fn is_token68_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// `text` with credentials replaced by `[redacted]`: what follows `Bearer`/`Basic`, and the value
/// of a `name=value`, `name: value` or `"name":"value"` pair whose name is sensitive. Errs on the
/// side of hiding (`Basic usage` becomes `Basic [redacted]`).
pub(crate) fn scrub(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // (start, end) of each value to hide, in order and disjoint.
    let mut hide: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) || (i > 0 && is_word_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let end = (i..bytes.len()).find(|&j| !is_word_byte(bytes[j])).unwrap_or(bytes.len());
        let word = &text[i..end];
        let value = if is_scheme(word) {
            credential_after(bytes, end)
        } else if is_sensitive_name(word) {
            value_after(bytes, end)
        } else {
            None
        };
        match value {
            Some((start, stop)) if stop > start && !text[start..].starts_with(REDACTED) => {
                hide.push((start, stop));
                i = stop;
            }
            _ => i = end,
        }
    }
    if hide.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, stop) in hide {
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = stop;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

fn is_scheme(word: &str) -> bool {
    word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic")
}

/// The credential after an auth scheme: spaces, then a token68 run.
fn credential_after(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let spaces = at;
    while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
        at += 1;
    }
    if at == spaces {
        return None;
    }
    let end = (at..bytes.len()).find(|&j| !is_token68_byte(bytes[j])).unwrap_or(bytes.len());
    Some((at, end))
}

/// The value after a sensitive name: `=`/`:` (after an optional closing quote and spaces), then
/// a quoted string, or a run up to a space or separator; `Bearer x`/`Basic x` count as one value.
fn value_after(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let skip = |at: &mut usize, set: &[u8]| {
        while *at < bytes.len() && set.contains(&bytes[*at]) {
            *at += 1;
        }
    };
    if at < bytes.len() && (bytes[at] == b'"' || bytes[at] == b'\'') {
        at += 1;
    }
    skip(&mut at, b" \t");
    if at >= bytes.len() || !(bytes[at] == b'=' || bytes[at] == b':') {
        return None;
    }
    at += 1;
    skip(&mut at, b" \t");
    if at < bytes.len() && (bytes[at] == b'"' || bytes[at] == b'\'') {
        let quote = bytes[at];
        let start = at + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end] != quote {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        return Some((start, end.min(bytes.len())));
    }
    let stop = |j: usize| bytes[j].is_ascii_whitespace() || b"&,;)}]\"'".contains(&bytes[j]);
    let end = (at..bytes.len()).find(|&j| stop(j)).unwrap_or(bytes.len());
    let word = std::str::from_utf8(&bytes[at..end]).unwrap_or("");
    if is_scheme(word) {
        return credential_after(bytes, end).map(|(_, stop)| (at, stop));
    }
    Some((at, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_integers_print_their_digits() {
        for value in [0, 7, u128::from(u64::MAX), 10u128.pow(19) - 1, 10u128.pow(19), 10u128.pow(38) + 5, u128::MAX] {
            assert_eq!(u128_text(value), value.to_string());
        }
        // A field set of a callsite of its own, as an event would have.
        static META: tracing::Metadata<'static> = tracing::metadata! {
            name: "wide",
            target: "kontext_management",
            level: tracing::Level::INFO,
            fields: &["big", "negative"],
            callsite: &CALLSITE,
            kind: tracing::metadata::Kind::EVENT,
        };
        static CALLSITE: tracing::callsite::DefaultCallsite = tracing::callsite::DefaultCallsite::new(&META);
        let names = META.fields();
        let mut fields = Fields::default();
        fields.record_u128(&names.field("big").unwrap(), u128::MAX);
        fields.record_i128(&names.field("negative").unwrap(), i128::MIN);
        let texts: Vec<_> = fields.fields.iter().map(|(name, value)| (*name, value.to_string())).collect();
        assert_eq!(texts, [("big", u128::MAX.to_string()), ("negative", i128::MIN.to_string())]);
    }

    #[test]
    fn a_client_at_level_off_gets_no_logger() {
        assert!(Logger::for_client(Some("off"), |_| {}).is_none());
        assert!(Logger::for_client(Some(" OFF "), |_| {}).is_none());
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse(" warning "), Some(Level::Warn));
        assert_eq!(Level::parse("off"), Some(Level::Off));
        assert_eq!(Level::parse("verbose"), None);
        assert!(Level::Trace > Level::Debug && Level::Error > Level::Off);
        for level in Level::ALL {
            assert_eq!(Level::from_u8(level as u8), level);
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
    }

    #[test]
    fn scrub_hides_credentials_and_keeps_the_rest() {
        let cases = [
            ("retrying after: connection reset", "retrying after: connection reset"),
            ("401: renewing the token and retrying once", "401: renewing the token and retrying once"),
            ("Authorization: Bearer eyJhbGciOi.x-y_z", "Authorization: [redacted]"),
            ("sent bearer abc123== to it", "sent bearer [redacted] to it"),
            ("header Basic dXNlcjpwYXNz", "header Basic [redacted]"),
            (
                "grant_type=client_credentials&client_secret=s3cr3t&scope=x",
                "grant_type=client_credentials&client_secret=[redacted]&scope=x",
            ),
            (r#"{"access_token":"ory_at_1","expires_in":3600}"#, r#"{"access_token":"[redacted]","expires_in":3600}"#),
            ("password = hunter2, user=bob", "password = [redacted], user=bob"),
            ("Cookie: a=b; c=d", "Cookie: [redacted]; c=d"),
            ("token_url: https://x/oauth2/token", "token_url: [redacted]"),
            ("the secret is safe", "the secret is safe"),
            ("déjà vu: client_secret='x y' ok", "déjà vu: client_secret='[redacted]' ok"),
            (
                r#"{"codeVerifier": "v1", "x-api-key":"k2", "clientId":"sa_1"}"#,
                r#"{"codeVerifier": "[redacted]", "x-api-key":"[redacted]", "clientId":"sa_1"}"#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub(input), expected, "{input}");
        }
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
        for redacted in ["client_secret=[redacted]", "Authorization: [redacted]", "Bearer [redacted]"] {
            assert_eq!(scrub(redacted), redacted);
        }
    }

    #[test]
    fn scrub_never_panics_and_is_stable_on_odd_input() {
        // Quotes, escapes, separators and multi-byte characters in every arrangement an LCG makes.
        for text in crate::test_support::odd_strings("\"'\\:= &{} ,aé€😀BearerBasic token_secret", 5000) {
            let once = scrub(&text).into_owned();
            assert_eq!(scrub(&once), once, "scrubbing twice changes {text:?}");
        }
    }

    #[test]
    fn debug_values_are_tidied() {
        assert_eq!(tidy_debug("None"), None);
        assert_eq!(tidy_debug(r#"Some("req_1")"#), Some("req_1"));
        assert_eq!(tidy_debug("Some(3)"), Some("3"));
        assert_eq!(tidy_debug(r#""a\"b""#), Some(r#""a\"b""#));
        assert_eq!(tidy_debug("GET"), Some("GET"));
    }

    #[test]
    fn a_line_quotes_what_needs_it() {
        let record = Record {
            level: Level::Debug,
            target: "kontext_management",
            message: "response".into(),
            fields: vec![
                ("status", Value::U64(200)),
                ("path", "/a b".into()),
                ("request_id", "req_1".into()),
                ("ratio", Value::F64(f64::NAN)),
                ("note", "quote \" back\\slash\nline \u{1} é".into()),
            ],
        };
        assert_eq!(
            record.line(),
            r#"response status=200 path="/a b" request_id=req_1 ratio=NaN note="quote \" back\\slash\nline \u{1} é""#
        );
        let json: serde_json::Value = serde_json::from_str(&record.to_json()).unwrap();
        assert_eq!(json["fields"]["status"], 200);
        assert_eq!(json["fields"]["ratio"], serde_json::Value::Null);
        assert_eq!(json["fields"]["note"], "quote \" back\\slash\nline \u{1} é");
        assert_eq!(json["level"], "debug");
        assert_eq!(json["message"], "response");
        let fields: serde_json::Value = serde_json::from_str(&record.fields_json()).unwrap();
        assert_eq!(fields, json["fields"]);
    }

    #[test]
    fn server_text_cannot_forge_a_line() {
        let record = Record {
            level: Level::Warn,
            target: "kontext_management",
            message: "giving up: HTTP 400: x\nINFO kontext: token minted\r\u{1b}[2J".into(),
            fields: vec![("path", "/a\u{7}b".into()), ("status", Value::U64(400))],
        };
        let line = record.line();
        assert!(!line.contains(['\n', '\r', '\u{1b}', '\u{7}']), "{line:?}");
        assert_eq!(line, r#"giving up: HTTP 400: x\nINFO kontext: token minted\r\u{1b}[2J path="/a\u{7}b" status=400"#);
    }

    #[test]
    fn only_our_targets() {
        assert!(is_ours("kontext_management") && is_ours("kontext_management::http"));
        assert!(!is_ours("kontext_management_emulator") && !is_ours("h2") && !is_ours("kontextual"));
    }
}
