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
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// RFC 1123 (HTTP date): `Tue, 02 Jan 2024 03:04:05 GMT`.
pub fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, _, wd) = civil(ms);
    format!(
        "{}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
        DAYS[wd as usize],
        MONTHS[(mo - 1) as usize]
    )
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
        ];
        for (ms, iso, http) in cases {
            assert_eq!(iso8601(ms), iso);
            assert_eq!(http_date(ms), http);
        }
    }
}
