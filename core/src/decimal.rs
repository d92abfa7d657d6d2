//! Decimal number text, read without `str::parse::<f64>`.
//!
//! The SDK reads numbers from text in two places: a `Retry-After`/`retry-after-ms` header, and
//! the words of a serde error message it drops (they may quote a secret). `f64`'s parser brings
//! core's `dec2flt` into the WebAssembly engine: its code and a 10 KB table of powers of five
//! that does not compress, for two call sites that need a duration and a yes/no. This reads the
//! same grammar exactly, in integers. What it saved is in bindings/ENGINE.md.

use std::time::Duration;

/// A number as written: `digits × 10^exponent`, with its sign. Digits beyond the 38th are
/// dropped (their weight kept in `exponent`): far below a nanosecond for any wait we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: u128,
    exponent: i64,
}

/// The most digits `Decimal::digits` keeps (`u128` holds any 38).
const KEPT_DIGITS: u32 = 38;

/// Parses what `str::parse::<f64>` accepts as a finite number: an optional sign, digits with at
/// most one `.` (at least one digit on either side), and an optional exponent (`e` or `E`, an
/// optional sign, at least one digit). No surrounding whitespace, no `_`.
fn parse(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let (negative, mut i) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut digits: u128 = 0;
    let mut kept = 0;
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                if kept < KEPT_DIGITS {
                    digits = digits * 10 + u128::from(b - b'0');
                    if digits > 0 {
                        kept += 1;
                    }
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    exponent += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let exponent_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut written: i64 = 0;
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            // Past a million the number is zero or infinite either way.
            written = (written * 10 + i64::from(b - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exponent += if exponent_negative { -written } else { written };
    }
    (i == bytes.len()).then_some(Decimal { negative, digits, exponent })
}

/// Whether `text` is a number to `str::parse::<f64>`: a finite one as [`parse`] reads it, or
/// `inf`, `infinity` or `nan` in any case, with an optional sign.
pub(crate) fn is_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    parse(text).is_some() || ["inf", "infinity", "nan"].iter().any(|word| unsigned.eq_ignore_ascii_case(word))
}

/// A non-negative decimal number of `unit_nanos`-nanosecond units (`1_000_000` for a header in
/// milliseconds), as a duration of at most `max`, rounded to the nearest nanosecond as
/// `Duration::from_secs_f64` rounds; `None` for a negative number or other text.
pub(crate) fn duration(text: &str, unit_nanos: u64, max: Duration) -> Option<Duration> {
    let Decimal { negative, digits, exponent } = parse(text)?;
    if digits == 0 {
        return Some(Duration::ZERO);
    }
    if negative {
        return None;
    }
    let max_nanos = max.as_nanos();
    let nanos = if exponent >= 0 {
        // Anything from 10^39 up is above every cap (it overflows u128 anyway).
        let scale = u32::try_from(exponent).ok().filter(|e| *e <= KEPT_DIGITS).and_then(|e| 10u128.checked_pow(e));
        scale.and_then(|scale| digits.checked_mul(scale)).and_then(|n| n.checked_mul(u128::from(unit_nanos)))
    } else {
        let scale = u32::try_from(-exponent).ok().filter(|e| *e <= KEPT_DIGITS).and_then(|e| 10u128.checked_pow(e));
        // digits < 10^38 and unit_nanos < 2^64: the product may overflow, then the value is huge.
        Some(match (scale, digits.checked_mul(u128::from(unit_nanos))) {
            (None, _) => 0,
            (Some(scale), Some(units)) => units.saturating_add(scale / 2) / scale,
            (Some(_), None) => u128::MAX,
        })
    };
    let nanos = nanos.unwrap_or(u128::MAX).min(max_nanos);
    Some(Duration::new((nanos / 1_000_000_000) as u64, (nanos % 1_000_000_000) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly the texts `f64`'s parser accepts, including the odd ones.
    #[test]
    fn accepts_what_the_float_parser_accepts() {
        let words = concat!(
            "0|2|+2|-2|1.5|.5|5.|-.5|1e3|1E3|1e+3|1e-3|1.5e2|.5e1|5.e1|007|0.000|1e999999999|1e-999999999|",
            "123456789012345678901234567890123456789012345|inf|-inf|+Infinity|NaN|nan|INF||.|-|+|e5|.e5|1e|",
            "1e+|1.2.3|1 | 1|1_000|0x10|1,5|--1|+-1|1e5.5|infinit|nana|١|½|1f|∞",
        );
        for word in words.split('|') {
            assert_eq!(is_float(word), word.parse::<f64>().is_ok(), "{word:?}");
        }
    }

    /// The same durations as `Duration::from_secs_f64` of the parsed float, to the nanosecond
    /// for the texts a server sends (the float's own rounding aside).
    #[test]
    fn durations_match_the_float_reading() {
        let max = Duration::from_secs(60);
        let second = 1_000_000_000;
        let texts = ["0", "2", "1.5", "0.25", ".5", "59.999", "60", "1e1", "12e-1", "+3", "-0", "-0.0", "0.000000001"];
        for text in texts.into_iter().chain(["0.0000000016", "1.0000000004", "7.123456789"]) {
            let float: f64 = text.parse().unwrap();
            let expected = Duration::from_secs_f64(float.abs().min(60.0));
            assert_eq!(duration(text, second, max), Some(expected), "{text}");
        }
        assert_eq!(duration("250", 1_000_000, max), Some(Duration::from_millis(250)));
        assert_eq!(duration("0.5", 1_000_000, max), Some(Duration::from_micros(500)));
        assert_eq!(duration("86400", second, max), Some(max));
        assert_eq!(duration("1e999999999", second, max), Some(max));
        assert_eq!(duration("123456789012345678901234567890123456789012345", second, max), Some(max));
        assert_eq!(duration("1e-999999999", second, max), Some(Duration::ZERO));
        assert_eq!(duration("1e-10", second, max), Some(Duration::ZERO));
        for junk in ["-1", "-0.5", "", "soon", "inf", "NaN", "1e", " 2"] {
            assert_eq!(duration(junk, second, max), None, "{junk:?}");
        }
    }
}
