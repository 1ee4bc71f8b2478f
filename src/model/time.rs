//! Timestamps: milliseconds since the Unix epoch, Personium's `/Date(ms)/` unit.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// (year, month, day, hour, minute, second, millisecond, weekday 0=Sunday) of epoch ms, UTC.
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Days to civil date (proleptic Gregorian), after H. Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7) as u32;
    (
        year,
        month,
        day,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        millis,
        weekday,
    )
}

/// ISO 8601 with milliseconds, UTC: `2024-01-02T03:04:05.678Z`.
pub fn iso8601(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli, _) = civil(ms);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z");
    }
    let mut out = *b"0000-00-00T00:00:00.000Z";
    put_digits(&mut out[0..4], y as u64);
    put_digits(&mut out[5..7], mo as u64);
    put_digits(&mut out[8..10], d as u64);
    put_digits(&mut out[11..13], h as u64);
    put_digits(&mut out[14..16], mi as u64);
    put_digits(&mut out[17..19], s as u64);
    put_digits(&mut out[20..23], milli as u64);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `value` as decimal digits filling `out`, zero-padded (high digits beyond its width
/// are dropped; callers pass widths that fit). Dates are formatted for every resource of a
/// PROPFIND listing: this avoids the formatting machinery.
fn put_digits(out: &mut [u8], mut value: u64) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// RFC 1123 (HTTP date): `Tue, 02 Jan 2024 03:04:05 GMT`.
pub fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, _, wd) = civil(ms);
    let (day, month) = (DAYS[wd as usize], MONTHS[(mo - 1) as usize]);
    if !(0..=9999).contains(&y) {
        return format!("{day}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT");
    }
    let mut out = *b"Thu, 00 Jan 0000 00:00:00 GMT";
    out[0..3].copy_from_slice(day.as_bytes());
    put_digits(&mut out[5..7], d as u64);
    out[8..11].copy_from_slice(month.as_bytes());
    put_digits(&mut out[12..16], y as u64);
    put_digits(&mut out[17..19], h as u64);
    put_digits(&mut out[20..22], mi as u64);
    put_digits(&mut out[23..25], s as u64);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases = [
            (
                0,
                "1970-01-01T00:00:00.000Z",
                "Thu, 01 Jan 1970 00:00:00 GMT",
            ),
            (
                951_782_400_123,
                "2000-02-29T00:00:00.123Z",
                "Tue, 29 Feb 2000 00:00:00 GMT",
            ),
            (
                1_704_164_645_678,
                "2024-01-02T03:04:05.678Z",
                "Tue, 02 Jan 2024 03:04:05 GMT",
            ),
            (
                -1,
                "1969-12-31T23:59:59.999Z",
                "Wed, 31 Dec 1969 23:59:59 GMT",
            ),
            (
                253_402_300_799_999,
                "9999-12-31T23:59:59.999Z",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ),
            (
                253_402_300_800_000,
                "10000-01-01T00:00:00.000Z",
                "Sat, 01 Jan 10000 00:00:00 GMT",
            ),
        ];
        for (ms, iso, http) in cases {
            assert_eq!(iso8601(ms), iso);
            assert_eq!(http_date(ms), http);
        }
    }
}
