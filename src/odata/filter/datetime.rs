//! `datetime'…'` and `datetimeoffset'…'` literal bodies (`spec/personium-api.md` §8.3) to
//! milliseconds since the Unix epoch (UTC), the form `Value::DateTime` carries.
//!
//! Personium parses `datetime` with Java's strict `ISO_LOCAL_DATE_TIME` (no offset, read as UTC)
//! and `datetimeoffset` with `ISO_DATE_TIME` (offset optional, UTC when absent): seconds are
//! optional, a fraction takes up to 9 digits and is cut to milliseconds.

/// `yyyy-MM-ddTHH:mm[:ss[.fffffffff]]`, read as UTC.
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let (ms, rest) = parse_local(s)?;
    rest.is_empty().then_some(ms)
}

/// As [`parse_datetime`], then an optional `Z`, `±hh:mm` or `±hh:mm:ss` offset.
pub(crate) fn parse_datetimeoffset(s: &str) -> Option<i64> {
    // COMPAT(personium): Java also takes a trailing `[Region/Zone]` id; we do not (400 instead).
    let (ms, rest) = parse_local(s)?;
    let offset_secs = parse_offset(rest)?;
    ms.checked_sub(offset_secs.checked_mul(1000)?)
}

/// A small cursor over ASCII digits and separators.
struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let end = self.at.checked_add(n)?;
        let part = self.s.get(self.at..end)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at = end;
        Some(part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.s.get(self.at) == Some(&c);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn rest(&self) -> &'a [u8] {
        self.s.get(self.at..).unwrap_or_default()
    }
}

/// Parses the local date-time part; returns epoch milliseconds (as if UTC) and the unread rest.
fn parse_local(s: &str) -> Option<(i64, &str)> {
    let mut c = Cursor {
        s: s.as_bytes(),
        at: 0,
    };
    let year = c.digits(4)?;
    c.eat(b'-').then_some(())?;
    let month = c.digits(2)?;
    c.eat(b'-').then_some(())?;
    let day = c.digits(2)?;
    c.eat(b'T').then_some(())?;
    let hour = c.digits(2)?;
    c.eat(b':').then_some(())?;
    let minute = c.digits(2)?;
    let (second, nanos) = if c.eat(b':') {
        let second = c.digits(2)?;
        let nanos = if c.eat(b'.') { fraction(&mut c)? } else { 0 };
        (second, nanos)
    } else {
        (0, 0)
    };
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let rest = std::str::from_utf8(c.rest()).ok()?;
    Some((secs * 1000 + nanos / 1_000_000, rest))
}

/// Up to 9 fraction digits (Java also allows none after the dot) as nanoseconds.
fn fraction(c: &mut Cursor<'_>) -> Option<i64> {
    let mut nanos = 0;
    let mut n = 0;
    while let Some(d) = c.rest().first().filter(|d| d.is_ascii_digit()) {
        if n == 9 {
            return None;
        }
        nanos = nanos * 10 + i64::from(d - b'0');
        n += 1;
        c.at += 1;
    }
    Some(nanos * 10_i64.pow(9 - n))
}

/// `""` or `Z` → 0; `±hh:mm[:ss]` → signed seconds east of UTC (at most ±18:00).
fn parse_offset(s: &str) -> Option<i64> {
    if s.is_empty() || s == "Z" {
        return Some(0);
    }
    let mut c = Cursor {
        s: s.as_bytes(),
        at: 0,
    };
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let hours = c.digits(2)?;
    c.eat(b':').then_some(())?;
    let minutes = c.digits(2)?;
    let seconds = if c.eat(b':') { c.digits(2)? } else { 0 };
    let total = hours * 3600 + minutes * 60 + seconds;
    let valid = c.rest().is_empty() && minutes < 60 && seconds < 60 && total <= 18 * 3600;
    valid.then_some(sign * total)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
