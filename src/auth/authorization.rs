//! The `Authorization` request header (`spec/personium-api.md` §2.1, §3.4; RFC 9110 §11.6.2):
//! its scheme and credentials, read in one place for every caller.
//!
//! The scheme is everything before the first space, matched without regard to case (RFC 9110
//! §11.1); the credentials are the rest with surrounding whitespace removed, and may be empty
//! (`Bearer` alone is a Bearer with an empty token).

/// The scheme of an `Authorization` value and its credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authorization<'a> {
    /// `Bearer {token}`.
    Bearer(&'a str),
    /// `Basic {base64}` (not decoded here).
    Basic(&'a str),
    /// Any other scheme.
    Other,
}

impl<'a> Authorization<'a> {
    /// Splits an `Authorization` header value.
    pub fn parse(value: &'a str) -> Authorization<'a> {
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("Bearer") {
            Authorization::Bearer(rest.trim())
        } else if scheme.eq_ignore_ascii_case("Basic") {
            Authorization::Basic(rest.trim())
        } else {
            Authorization::Other
        }
    }

    /// The token of a Bearer value.
    pub fn bearer(self) -> Option<&'a str> {
        match self {
            Authorization::Bearer(token) => Some(token),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Authorization::{self, Basic, Bearer, Other};

    #[test]
    fn parse() {
        let cases: &[(&str, Authorization<'_>)] = &[
            ("Bearer tok", Bearer("tok")),
            ("bearer tok", Bearer("tok")),
            ("BEARER tok", Bearer("tok")),
            ("Bearer   tok  ", Bearer("tok")),
            ("Bearer tok\t", Bearer("tok")),
            ("Bearer a b", Bearer("a b")),
            ("Bearer ", Bearer("")),
            ("Bearer", Bearer("")),
            ("Basic YTpi", Basic("YTpi")),
            ("basic YTpi", Basic("YTpi")),
            ("Basic  YTpi ", Basic("YTpi")),
            ("Basic", Basic("")),
            ("Digest x", Other),
            ("Bearertok", Other),
            ("Bearer\ttok", Other),
            (" Bearer tok", Other),
            ("", Other),
        ];
        for (value, expected) in cases {
            assert_eq!(Authorization::parse(value), *expected, "{value:?}");
        }
    }
}
