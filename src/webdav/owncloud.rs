//! ownCloud / Nextcloud WebDAV extensions (beyond Personium and RFC 4918; `spec/personium-api.md`
//! §6 PUT and PROPFIND), as the sync clients use them (rclone's `owncloud` / `nextcloud` vendors,
//! the ownCloud desktop client). Protocol only.
//!
//! - `X-OC-Mtime: <unix seconds>` on PUT: the file's modification time, shown as
//!   `getlastmodified` and `Last-Modified`; the answer carries `X-OC-MTime: accepted`.
//! - `OC-Checksum: <ALGO>:<hex>` on PUT: the client's hash of the body; a `SHA1` or `MD5` one
//!   that does not match refuses the PUT (other algorithms are ignored, as ownCloud does).
//! - `<oc:checksums><oc:checksum>SHA1:<hex> MD5:<hex></oc:checksum></oc:checksums>`: a file's
//!   hashes, shown when a PROPFIND names the property (not in `allprop`).

use std::fmt;

/// The ownCloud property namespace.
pub const NS_OC: &str = "http://owncloud.org/ns";

/// The header a PUT sends its body's modification time in.
pub const MTIME_HEADER: &str = "X-OC-Mtime";

/// The answer header saying the modification time was kept.
pub const MTIME_ACCEPTED: (&str, &str) = ("X-OC-MTime", "accepted");

/// The header a PUT sends its body's checksum in.
pub const CHECKSUM_HEADER: &str = "OC-Checksum";

/// Seconds of 9999-12-31T23:59:59Z, the last instant an HTTP date can show.
const MAX_MTIME_SECS: i64 = 253_402_300_799;

/// Reads `X-OC-Mtime`: whole seconds since the epoch, `0 ..= 9999-12-31`, surrounding blanks
/// allowed; epoch milliseconds, or `None` for anything else (a signed, fractional or hex value).
// COMPAT(ownCloud): ownCloud and Nextcloud refuse a non-numeric value with 400 too; they also
// take a fraction, which no client we know sends.
pub fn parse_mtime(value: &str) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = v.parse().ok()?;
    (secs <= MAX_MTIME_SECS).then_some(secs * 1000)
}

/// A hash algorithm `OC-Checksum` and `oc:checksum` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Md5,
}

/// One `ALGO:hex` of an `OC-Checksum` header, hex in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checksum {
    pub algorithm: Algorithm,
    pub hex: String,
}

/// Reads `OC-Checksum`: the `SHA1:` and `MD5:` entries (blank-separated, case-insensitive);
/// other algorithms (`ADLER32:`…) are skipped. `None` when a known one's value is not hex of
/// its length.
pub fn parse_checksums(value: &str) -> Option<Vec<Checksum>> {
    let mut out = Vec::new();
    for entry in value.split_ascii_whitespace() {
        let Some((name, hex)) = entry.split_once(':') else {
            continue;
        };
        let (algorithm, len) = match name.to_ascii_uppercase().as_str() {
            "SHA1" => (Algorithm::Sha1, 40),
            "MD5" => (Algorithm::Md5, 32),
            _ => continue,
        };
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        out.push(Checksum {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        });
    }
    Some(out)
}

/// True when every checksum in `expected` equals the body's (`sha1`, `md5`: lower-case hex).
pub fn all_match(expected: &[Checksum], sha1: &str, md5: &str) -> bool {
    expected.iter().all(|c| match c.algorithm {
        Algorithm::Sha1 => c.hex == sha1,
        Algorithm::Md5 => c.hex == md5,
    })
}

/// A file's stored hashes, rendered as the `oc:checksums` property.
#[derive(Clone, Copy, Debug)]
pub struct Checksums<'a> {
    pub sha1: &'a str,
    pub md5: &'a str,
}

impl fmt::Display for Checksums<'_> {
    /// `<checksums xmlns="http://owncloud.org/ns"><checksum>SHA1:… MD5:…</checksum></checksums>`
    /// (the hex as ownCloud writes it; clients compare case-insensitively).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<checksums xmlns=\"{NS_OC}\"><checksum>SHA1:{} MD5:{}</checksum></checksums>",
            self.sha1, self.md5
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtimes() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1700000000", Some(1_700_000_000_000)),
            (" 0 ", Some(0)),
            ("253402300799", Some(253_402_300_799_000)),
            ("253402300800", None),
            ("-1", None),
            ("+5", None),
            ("1.5", None),
            ("0x10", None),
            ("", None),
            ("99999999999999999999", None),
            ("soon", None),
        ];
        for (v, want) in cases {
            assert_eq!(parse_mtime(v), *want, "{v:?}");
        }
    }

    #[test]
    fn checksum_headers() {
        let sha1 = "F572D396FAE9206628714FB2CE00F72E94F2258F";
        let md5 = "b1946ac92492d2347c6235b4d2611184";
        assert_eq!(
            parse_checksums(&format!("SHA1:{sha1}")),
            Some(vec![Checksum {
                algorithm: Algorithm::Sha1,
                hex: sha1.to_ascii_lowercase()
            }])
        );
        assert_eq!(
            parse_checksums(&format!("md5:{md5} ADLER32:084b021f")),
            Some(vec![Checksum {
                algorithm: Algorithm::Md5,
                hex: md5.to_owned()
            }])
        );
        assert_eq!(parse_checksums("ADLER32:084b021f"), Some(vec![]));
        let both = parse_checksums(&format!("SHA1:{sha1} MD5:{md5}")).unwrap();
        let sha1 = sha1.to_ascii_lowercase();
        assert!(all_match(&both, &sha1, md5));
        assert!(!all_match(&both, &sha1, "00"));
        assert!(all_match(&[], "x", "y"));
        assert_eq!(parse_checksums("nonsense"), Some(vec![]));
        assert_eq!(parse_checksums("SHA1:abc"), None);
        assert_eq!(parse_checksums(&format!("MD5:{}", "z".repeat(32))), None);
    }

    #[test]
    fn rendering() {
        let c = Checksums {
            sha1: "aa",
            md5: "bb",
        };
        assert_eq!(
            c.to_string(),
            "<checksums xmlns=\"http://owncloud.org/ns\"><checksum>SHA1:aa MD5:bb</checksum></checksums>"
        );
    }
}
