//! Entity tags: weak `W/"{version}-{updatedMs}"` on OData entities, strong `"{v}-{ms}"` on DAV
//! resources, and `If-Match` evaluation (`spec/personium-api.md` §2.1, §2.4).

use crate::error::{codes, Error, Result};

/// The weak OData ETag of an entity.
pub fn weak(version: i64, updated: i64) -> String {
    format!("W/\"{version}-{updated}\"")
}

/// Checks `If-Match` against the current weak ETag (`PR412-OD-0002` on mismatch). An absent
/// header is unconditional; `*` matches any existing entity.
pub fn check_if_match(if_match: Option<&str>, current: &str) -> Result<()> {
    match if_match {
        Some(header) if !matches_any(header, current) => Err(Error::new(&codes::PR412_OD_0002)),
        _ => Ok(()),
    }
}

/// True when an `If-Match` / `If-None-Match` list names `current` (weak or strong form) or is
/// `*`.
pub fn matches_any(header: &str, current: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let current = bare(current);
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || bare(t) == current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match() {
        let cur = weak(2, 1000);
        assert_eq!(cur, "W/\"2-1000\"");
        let cases: &[(Option<&str>, bool)] = &[
            (None, true),
            (Some("*"), true),
            (Some("W/\"2-1000\""), true),
            (Some("\"2-1000\""), true),
            (Some("W/\"1-1000\", W/\"2-1000\""), true),
            (Some("W/\"1-1000\""), false),
            (Some(""), false),
        ];
        for (h, ok) in cases {
            assert_eq!(check_if_match(*h, &cur).is_ok(), *ok, "{h:?}");
        }
    }
}
