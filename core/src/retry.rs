//! Retry policy: which failures are retried, and how long to wait in between.
//!
//! Pure functions, so the maths is unit-tested without a network.

use std::time::Duration;

use web_time::SystemTime;

/// Whether the SDK may send a method's request again after a failure (DECISIONS V8, V10, V11).
///
/// Each method's class is written once, in `api.rs`; `just codegen` copies it into the dispatch
/// table's route list, and every request the client sends takes the class of its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Idempotent (GET, PUT, DELETE) or stores nothing: retried on transient failures.
    Safe,
    /// A POST or PATCH without a precondition: retried only with a caller-set `Idempotency-Key`.
    Keyed,
    /// Mints a credential shown once (V8): never re-sent once it may have reached the server.
    CredentialMinting,
    /// Carries `If-Match` or `expectedUpdatedAt` (V11): never re-sent once it may have reached the
    /// server; on an unknown outcome the caller re-reads.
    Precondition,
}

/// First backoff delay; doubles per retry.
const INITIAL_DELAY: Duration = Duration::from_millis(500);
/// Longest computed backoff.
const MAX_DELAY: Duration = Duration::from_secs(8);
/// Longest wait we accept from a `Retry-After` header; a server asking for more is capped.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Statuses worth another attempt: timeouts, rate limits and transient server failures.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Delay before retry number `retry` (0 for the first retry): exponential with up to 25 %
/// jitter below the nominal value, so clients that failed together do not come back together.
/// `unit_random` is uniform in `[0, 1)`.
pub(crate) fn backoff(retry: u32, unit_random: f64) -> Duration {
    let nominal = INITIAL_DELAY.saturating_mul(2u32.saturating_pow(retry.min(16))).min(MAX_DELAY);
    nominal.mul_f64(1.0 - 0.25 * unit_random.clamp(0.0, 1.0))
}

/// Shortest wait after a `Retry-After`: `0` (or a date in the past) must not make a tight loop.
pub(crate) const MIN_RETRY_AFTER: Duration = Duration::from_millis(100);

/// The wait for a server that asked for `asked`: at least [`MIN_RETRY_AFTER`], plus up to 10 %
/// jitter above it (never below what was asked), so clients rate-limited together do not all
/// come back at the same instant; at most [`MAX_RETRY_AFTER`] plus that jitter.
/// `unit_random` is uniform in `[0, 1)`.
pub(crate) fn retry_after_delay(asked: Duration, unit_random: f64) -> Duration {
    let base = asked.clamp(MIN_RETRY_AFTER, MAX_RETRY_AFTER);
    base.mul_f64(1.0 + 0.1 * unit_random.clamp(0.0, 1.0))
}

/// `x-should-retry` as openai-python reads it: `true` or `false`, anything else is no opinion.
pub(crate) fn parse_should_retry(value: Option<&str>) -> Option<bool> {
    match value.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Parses `Retry-After` (delta-seconds or an HTTP date) and `retry-after-ms`, capped at
/// [`MAX_RETRY_AFTER`]. Returns `None` when absent or unparseable. Numbers are read as
/// `str::parse::<f64>` reads them (`1.5`, `1e3`), without it (see `decimal.rs`).
pub(crate) fn parse_retry_after(
    retry_after: Option<&str>,
    retry_after_ms: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    const MS: u64 = 1_000_000;
    const SECOND: u64 = 1_000_000_000;
    let parsed =
        retry_after_ms.and_then(|ms| crate::decimal::duration(ms.trim(), MS, MAX_RETRY_AFTER)).or_else(|| {
            let value = retry_after?.trim();
            if crate::decimal::is_float(value) {
                // A number, never a date: `None` when it is negative or not finite.
                return crate::decimal::duration(value, SECOND, MAX_RETRY_AFTER);
            }
            let when = Duration::from_secs(crate::http_date::parse(value)?);
            let now = now.duration_since(web_time::UNIX_EPOCH).ok()?;
            Some(when.saturating_sub(now))
        })?;
    Some(parsed.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses_are_exactly_the_transient_ones() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409, 412, 422, 501, 505] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_a_cap() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_millis(1000));
        assert_eq!(backoff(2, 0.0), Duration::from_millis(2000));
        assert_eq!(backoff(10, 0.0), MAX_DELAY);
        assert_eq!(backoff(u32::MAX, 0.0), MAX_DELAY);
        let jittered = backoff(1, 0.999_999);
        assert!(jittered > Duration::from_millis(750) && jittered <= Duration::from_millis(1000), "{jittered:?}");
    }

    #[test]
    fn retry_after_waits_have_a_floor_and_jitter_above_what_was_asked() {
        assert_eq!(retry_after_delay(Duration::ZERO, 0.0), MIN_RETRY_AFTER);
        assert_eq!(retry_after_delay(Duration::from_secs(2), 0.0), Duration::from_secs(2));
        let jittered = retry_after_delay(Duration::from_secs(2), 0.999_999);
        assert!(jittered > Duration::from_millis(2190) && jittered <= Duration::from_millis(2200), "{jittered:?}");
        assert!(retry_after_delay(Duration::from_secs(3600), 0.5) <= MAX_RETRY_AFTER.mul_f64(1.1));
        // Two clients told the same thing come back at different times.
        assert_ne!(retry_after_delay(Duration::from_secs(1), 0.1), retry_after_delay(Duration::from_secs(1), 0.7));
    }

    #[test]
    fn should_retry_reads_true_and_false_only() {
        assert_eq!(parse_should_retry(Some("true")), Some(true));
        assert_eq!(parse_should_retry(Some(" False ")), Some(false));
        for other in [None, Some(""), Some("1"), Some("yes")] {
            assert_eq!(parse_should_retry(other), None, "{other:?}");
        }
    }

    #[test]
    fn retry_after_seconds_dates_and_ms() {
        let now = web_time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(Some("2"), None, now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(Some(" 1.5 "), None, now), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after(Some("86400"), None, now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after(None, Some("250"), now), Some(Duration::from_millis(250)));
        assert_eq!(parse_retry_after(Some("9"), Some("100"), now), Some(Duration::from_millis(100)));
        let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_030));
        assert_eq!(parse_retry_after(Some(&date), None, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(1_600_000_000));
        assert_eq!(parse_retry_after(Some(&past), None, now), Some(Duration::ZERO));
        for junk in ["", "soon", "-1", "NaN", "inf"] {
            assert_eq!(parse_retry_after(Some(junk), None, now), None, "{junk}");
        }
        assert_eq!(parse_retry_after(None, None, now), None);
    }
}
