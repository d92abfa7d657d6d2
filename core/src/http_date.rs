//! HTTP dates (RFC 9110 §5.6.7), read for `Retry-After`: the IMF-fixdate a server should send,
//! and the two obsolete forms a recipient must still accept (RFC 850 and asctime).
//!
//! It reads exactly what the `httpdate` crate reads (a test holds the two together) in less
//! code: `httpdate`'s parser was ~4.1 KB of the gzipped WebAssembly engine, this one is ~1.3 KB
//! (bindings/ENGINE.md).

/// Seconds since the Unix epoch of an HTTP date, or `None` for anything else: a malformed text,
/// a day the month does not have, a weekday that is not the date's, a year outside 1970–9999.
pub(crate) fn parse(text: &str) -> Option<u64> {
    let s = text.trim().as_bytes();
    if !text.is_ascii() {
        return None;
    }
    let date = imf_fixdate(s).or_else(|| rfc850(s)).or_else(|| asctime(s))?;
    date.seconds()
}

struct Date {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    minute: u64,
    second: u64,
    /// 1 (Monday) to 7 (Sunday), as written.
    weekday: u64,
}

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn digits(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0, |n, &b| b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0')))
}

fn month(s: &[u8]) -> Option<u64> {
    MONTHS.iter().position(|m| m.as_slice() == s).map(|i| i as u64 + 1)
}

/// The weekday whose name starts `s` (its first three letters, or all of it with `long`).
fn weekday(s: &[u8], long: bool) -> Option<(u64, usize)> {
    DAYS.iter().enumerate().find_map(|(i, name)| {
        let name = if long { name.as_bytes() } else { &name.as_bytes()[..3] };
        s.starts_with(name).then_some((i as u64 + 1, name.len()))
    })
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(s: &[u8]) -> Option<Date> {
    if s.len() != 29 || &s[25..] != b" GMT" || s[16] != b' ' || s[19] != b':' || s[22] != b':' {
        return None;
    }
    let (weekday, _) = weekday(s, false)?;
    if &s[3..5] != b", " || s[7] != b' ' || s[11] != b' ' {
        return None;
    }
    Some(Date {
        year: digits(&s[12..16])?,
        month: month(&s[8..11])?,
        day: digits(&s[5..7])?,
        hour: digits(&s[17..19])?,
        minute: digits(&s[20..22])?,
        second: digits(&s[23..25])?,
        weekday,
    })
}

/// `Sunday, 06-Nov-94 08:49:37 GMT` (years 70–99 are 19xx, 00–69 are 20xx).
fn rfc850(s: &[u8]) -> Option<Date> {
    if s.len() < 23 {
        return None;
    }
    let (weekday, len) = weekday(s, true)?;
    let s = s[len..].strip_prefix(b", ")?;
    // As `httpdate` reads it: the byte between the year and the hour is not looked at.
    if s.len() != 22 || s[2] != b'-' || s[6] != b'-' || s[12] != b':' || s[15] != b':' || &s[18..] != b" GMT" {
        return None;
    }
    let year = digits(&s[7..9])?;
    Some(Date {
        year: if year < 70 { 2000 + year } else { 1900 + year },
        month: month(&s[3..6])?,
        day: digits(&s[0..2])?,
        hour: digits(&s[10..12])?,
        minute: digits(&s[13..15])?,
        second: digits(&s[16..18])?,
        weekday,
    })
}

/// `Sun Nov  6 08:49:37 1994`
fn asctime(s: &[u8]) -> Option<Date> {
    if s.len() != 24 || s[3] != b' ' || s[7] != b' ' || s[10] != b' ' || s[13] != b':' || s[16] != b':' || s[19] != b' '
    {
        return None;
    }
    let (weekday, _) = weekday(s, false)?;
    let day = if s[8] == b' ' { digits(&s[9..10])? } else { digits(&s[8..10])? };
    Some(Date {
        year: digits(&s[20..24])?,
        month: month(&s[4..7])?,
        day,
        hour: digits(&s[11..13])?,
        minute: digits(&s[14..16])?,
        second: digits(&s[17..19])?,
        weekday,
    })
}

impl Date {
    /// Seconds since the epoch, if the date exists and `weekday` is its weekday.
    fn seconds(&self) -> Option<u64> {
        let leap = self.year.is_multiple_of(4) && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400));
        let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if !(1970..=9999).contains(&self.year)
            || !(1..=12).contains(&self.month)
            || self.day == 0
            || self.day > month_days[self.month as usize - 1]
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
        {
            return None;
        }
        // Days before this year, then before this month, since 1970-01-01 (a Thursday).
        let years = self.year - 1970;
        let leaps = (self.year - 1) / 4 - (self.year - 1) / 100 + (self.year - 1) / 400 - 477;
        let days = years * 365 + leaps + month_days[..self.month as usize - 1].iter().sum::<u64>() + self.day - 1;
        if (days + 3) % 7 + 1 != self.weekday {
            return None;
        }
        Some(days * 86_400 + self.hour * 3_600 + self.minute * 60 + self.second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn reference(text: &str) -> Option<u64> {
        httpdate::parse_http_date(text).ok().map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs())
    }

    /// The three forms of dates over the whole range (leap days, month ends, both centuries of
    /// RFC 850 years), and each with one byte changed: the same answer as `httpdate` for all.
    #[test]
    fn reads_what_httpdate_reads() {
        let mut texts = vec![
            "Sun, 06 Nov 1994 08:49:37 GMT".to_owned(),
            "Sunday, 06-Nov-94 08:49:37 GMT".to_owned(),
            "Sun Nov  6 08:49:37 1994".to_owned(),
            " Sun, 06 Nov 1994 08:49:37 GMT ".to_owned(),
            "Tue, 29 Feb 2000 00:00:00 GMT".to_owned(),
            "Thu, 29 Feb 2001 00:00:00 GMT".to_owned(),
            "Wed, 31 Dec 1969 23:59:59 GMT".to_owned(),
            "Fri, 31 Dec 9999 23:59:59 GMT".to_owned(),
            "Sat, 01 Jan 10000 00:00:00 GMT".to_owned(),
            "Sunday, 06-Nov-94X08:49:37 GMT".to_owned(),
            "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}".to_owned(),
            String::new(),
        ];
        let mut seconds: u64 = 0;
        while seconds < 253_402_300_800 {
            let imf = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds));
            // `Sun, 06 Nov 1994 08:49:37 GMT` → the RFC 850 and asctime spellings.
            let (wday, day, month, year, clock) = (&imf[0..3], &imf[5..7], &imf[8..11], &imf[12..16], &imf[17..25]);
            let long = DAYS.iter().find(|d| d.starts_with(wday)).unwrap();
            texts.push(format!("{long}, {day}-{month}-{} {clock} GMT", &year[2..]));
            let short_day = day.strip_prefix('0').unwrap_or(day);
            texts.push(format!("{wday} {month} {short_day:>2} {clock} {year}"));
            texts.push(imf);
            seconds = seconds * 3 / 2 + 86_400 * 29 + 3_599;
        }
        let mut all = texts.clone();
        for text in &texts {
            for i in 0..text.len() {
                for b in [b'0', b'9', b' ', b'-', b',', b'x', b'N', b':'] {
                    let mut bytes = text.clone().into_bytes();
                    bytes[i] = b;
                    all.extend(String::from_utf8(bytes).ok());
                }
            }
        }
        assert!(all.len() > 5_000, "{}", all.len());
        let accepted = all.iter().filter(|t| reference(t).is_some()).count();
        assert!(accepted > 100, "{accepted}");
        for text in &all {
            assert_eq!(parse(text), reference(text), "{text:?}");
        }
    }
}
