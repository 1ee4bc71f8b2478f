//! The WebDAV `If` request header (RFC 4918 §10.4). Protocol only: parsing; the domain
//! evaluates the conditions against locks and ETags.
//!
//! ```text
//! If          = ( 1*No-tag-list | 1*Tagged-list )
//! No-tag-list = List
//! Tagged-list = Resource-Tag 1*List
//! List        = "(" 1*Condition ")"
//! Condition   = ["Not"] ( State-token | "[" entity-tag "]" )
//! State-token = "<" absolute-URI ">"      Resource-Tag = "<" Simple-ref ">"
//! ```

/// One condition of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// A state token (a lock token, e.g. `opaquelocktoken:…`, or `DAV:no-lock`).
    Token { not: bool, token: String },
    /// An entity tag, quotes included.
    ETag { not: bool, etag: String },
}

/// One parenthesised list: all its conditions must hold, for `resource` (the tag) or, when
/// untagged, for the request URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfList {
    pub resource: Option<String>,
    pub conditions: Vec<Condition>,
}

/// A parsed `If` header: true when any of its lists holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IfHeader {
    pub lists: Vec<IfList>,
}

impl IfHeader {
    /// Every lock token the client submitted (the ones not under `Not`).
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.lists
            .iter()
            .flat_map(|l| l.conditions.iter())
            .filter_map(|c| match c {
                Condition::Token { not: false, token } => Some(token.as_str()),
                _ => None,
            })
    }
}

/// Why an `If` header is malformed (detail for logs only).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("If header: {0}")]
pub struct IfError(pub String);

/// Parses an `If` header value.
pub fn parse(value: &str) -> Result<IfHeader, IfError> {
    let err = |m: &str| IfError(m.to_owned());
    let mut rest = value.trim_start();
    let mut header = IfHeader::default();
    let mut tag: Option<String> = None;
    let mut tagged: Option<bool> = None;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('<') {
            let (uri, r) = r
                .split_once('>')
                .ok_or_else(|| err("unclosed resource tag"))?;
            if tagged == Some(false) {
                return Err(err("tagged list after untagged ones"));
            }
            tagged = Some(true);
            tag = Some(uri.to_owned());
            rest = r.trim_start();
            if !rest.starts_with('(') {
                return Err(err("resource tag without list"));
            }
            continue;
        }
        let r = rest
            .strip_prefix('(')
            .ok_or_else(|| err("expected ( or <"))?;
        if tagged.is_none() {
            tagged = Some(false);
        }
        let (body, r) = r.split_once(')').ok_or_else(|| err("unclosed list"))?;
        header.lists.push(IfList {
            resource: tag.clone(),
            conditions: conditions(body)?,
        });
        rest = r.trim_start();
    }
    if header.lists.is_empty() {
        return Err(err("no list"));
    }
    Ok(header)
}

fn conditions(body: &str) -> Result<Vec<Condition>, IfError> {
    let err = |m: &str| IfError(m.to_owned());
    let mut out = Vec::new();
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let not = match rest.get(..3) {
            Some(w) if w.eq_ignore_ascii_case("not") => {
                rest = rest[3..].trim_start();
                true
            }
            _ => false,
        };
        if let Some(r) = rest.strip_prefix('<') {
            let (token, r) = r
                .split_once('>')
                .ok_or_else(|| err("unclosed state token"))?;
            out.push(Condition::Token {
                not,
                token: token.to_owned(),
            });
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('[') {
            let (etag, r) = r
                .split_once(']')
                .ok_or_else(|| err("unclosed entity tag"))?;
            out.push(Condition::ETag {
                not,
                etag: etag.to_owned(),
            });
            rest = r.trim_start();
        } else {
            return Err(err("expected a state token or an entity tag"));
        }
    }
    if out.is_empty() {
        return Err(err("empty list"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(not: bool, t: &str) -> Condition {
        Condition::Token {
            not,
            token: t.into(),
        }
    }

    fn et(not: bool, e: &str) -> Condition {
        Condition::ETag {
            not,
            etag: e.into(),
        }
    }

    fn list(resource: Option<&str>, conditions: Vec<Condition>) -> IfList {
        IfList {
            resource: resource.map(str::to_owned),
            conditions,
        }
    }

    #[test]
    fn headers() {
        let t = "opaquelocktoken:a-b";
        let cases: Vec<(&str, Option<Vec<IfList>>)> = vec![
            ("(<opaquelocktoken:a-b>)", Some(vec![list(None, vec![tok(false, t)])])),
            (
                "  (<opaquelocktoken:a-b> [\"1-2\"]) (Not <DAV:no-lock>)",
                Some(vec![
                    list(None, vec![tok(false, t), et(false, "\"1-2\"")]),
                    list(None, vec![tok(true, "DAV:no-lock")]),
                ]),
            ),
            (
                "<http://h/c/b/x> (<opaquelocktoken:a-b>) (NOT [W/\"e\"]) <http://h/c/b/y> ([\"f\"])",
                Some(vec![
                    list(Some("http://h/c/b/x"), vec![tok(false, t)]),
                    list(Some("http://h/c/b/x"), vec![et(true, "W/\"e\"")]),
                    list(Some("http://h/c/b/y"), vec![et(false, "\"f\"")]),
                ]),
            ),
            ("", None),
            ("()", None),
            ("(<a>", None),
            ("(<a)", None),
            ("([\"e\")", None),
            ("(<a>) <http://x> (<b>)", None),
            ("<http://x>", None),
            ("(x)", None),
            ("<a> junk", None),
        ];
        for (value, want) in cases {
            assert_eq!(
                parse(value).ok(),
                want.map(|lists| IfHeader { lists }),
                "{value}"
            );
        }
    }

    #[test]
    fn submitted_tokens() {
        let h = parse("(<a> Not <b>) ([\"e\"] <c>)").unwrap_or_default();
        assert_eq!(h.tokens().collect::<Vec<_>>(), ["a", "c"]);
    }
}
