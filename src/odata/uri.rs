//! OData v2 resource paths under a service root (`spec/personium-api.md` §2.4 keys, §4.3
//! operations): entity sets, entities by key (single or compound, `null` parts), navigation
//! properties, `$links`, `$metadata`, `$batch` and the service document.

use std::borrow::Cow;

/// One part of a key predicate: `Name='r'` (named) or `'r'` (positional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPart {
    pub name: Option<String>,
    /// `None` is the literal `null`.
    pub value: Option<String>,
}

/// A key predicate, e.g. `(Name='r',_Box.Name=null)`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Key(pub Vec<KeyPart>);

/// What a path under a service root addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourcePath {
    /// The service root itself (AtomPub service document).
    ServiceDocument,
    /// `$metadata`
    Metadata,
    /// `$batch`
    Batch,
    /// `Set`
    EntitySet { set: String },
    /// `Set/$count` (OData v2: the number of entities, as plain text)
    Count { set: String },
    /// `Set(key)`
    Entity { set: String, key: Key },
    /// `Set(key)/_Nav`
    NavProp { set: String, key: Key, nav: String },
    /// `Set(key)/$links/_Nav[(key)]`
    Links {
        set: String,
        key: Key,
        nav: String,
        target: Option<Key>,
    },
}

/// Why a path could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriError {
    /// Key predicate malformed (`PR400-OD-0004`).
    BadKey,
    /// A key given on a navigation property outside `$links` (`PR400-OD-0010`).
    KeyOnNavProp,
    /// Anything else that is not a resource path of the service (`PR404-OD-0001`).
    NotFound,
}

/// Parses the path below a service root (without leading `/`), still percent-encoded.
pub fn parse_resource_path(raw: &str) -> Result<ResourcePath, UriError> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let path: Cow<'_, str> = decoded;
    let segments = split_segments(path.trim_end_matches('/'))?;
    match segments.as_slice() {
        [] => Ok(ResourcePath::ServiceDocument),
        ["$metadata"] => Ok(ResourcePath::Metadata),
        ["$batch"] => Ok(ResourcePath::Batch),
        [first] => {
            let (set, key) = split_key(first)?;
            Ok(match key {
                None => ResourcePath::EntitySet { set },
                Some(key) => ResourcePath::Entity { set, key },
            })
        }
        [first, "$count"] => match split_key(first)? {
            (set, None) => Ok(ResourcePath::Count { set }),
            (_, Some(_)) => Err(UriError::NotFound),
        },
        [first, nav] => {
            let (set, key) = entity_segment(first)?;
            let (nav, nav_key) = split_key(nav)?;
            if nav_key.is_some() {
                return Err(UriError::KeyOnNavProp);
            }
            check_nav_name(&nav)?;
            Ok(ResourcePath::NavProp { set, key, nav })
        }
        [first, "$links", nav] => {
            let (set, key) = entity_segment(first)?;
            let (nav, target) = split_key(nav)?;
            check_nav_name(&nav)?;
            Ok(ResourcePath::Links {
                set,
                key,
                nav,
                target,
            })
        }
        _ => Err(UriError::NotFound),
    }
}

fn check_nav_name(nav: &str) -> Result<(), UriError> {
    if nav.is_empty() || nav.starts_with('$') {
        return Err(UriError::NotFound);
    }
    Ok(())
}

fn entity_segment(seg: &str) -> Result<(String, Key), UriError> {
    match split_key(seg)? {
        (set, Some(key)) => Ok((set, key)),
        (_, None) => Err(UriError::NotFound),
    }
}

/// Splits on `/` outside quoted strings.
fn split_segments(path: &str) -> Result<Vec<&str>, UriError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let mut segments = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    for (i, c) in path.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '/' if !in_quote => {
                segments.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_quote {
        return Err(UriError::BadKey);
    }
    segments.push(&path[start..]);
    if segments.iter().any(|s| s.is_empty()) {
        return Err(UriError::NotFound);
    }
    Ok(segments)
}

/// `Name(key)` -> (`Name`, key); `Name` -> (`Name`, None).
fn split_key(seg: &str) -> Result<(String, Option<Key>), UriError> {
    let Some(open) = seg.find('(') else {
        return Ok((seg.to_owned(), None));
    };
    let name = &seg[..open];
    let inner = seg[open + 1..].strip_suffix(')').ok_or(UriError::BadKey)?;
    if name.is_empty() {
        return Err(UriError::NotFound);
    }
    Ok((name.to_owned(), Some(parse_key(inner)?)))
}

/// Parses the inside of a key predicate: `'v'`, `Name='v'`, `A='x',B=null`.
pub fn parse_key(inner: &str) -> Result<Key, UriError> {
    let mut parts = Vec::new();
    let mut rest = inner.trim();
    if rest.is_empty() {
        return Err(UriError::BadKey);
    }
    loop {
        let (part, after) = parse_key_part(rest)?;
        parts.push(part);
        let after = after.trim_start();
        if after.is_empty() {
            break;
        }
        rest = after
            .strip_prefix(',')
            .ok_or(UriError::BadKey)?
            .trim_start();
    }
    let named = parts.iter().filter(|p| p.name.is_some()).count();
    if named != 0 && named != parts.len() || named == 0 && parts.len() > 1 {
        return Err(UriError::BadKey);
    }
    Ok(Key(parts))
}

fn parse_key_part(s: &str) -> Result<(KeyPart, &str), UriError> {
    let (name, value_text) = match s.find('=') {
        Some(eq) if !s[..eq].contains('\'') => {
            (Some(s[..eq].trim().to_owned()), s[eq + 1..].trim_start())
        }
        _ => (None, s),
    };
    if name.as_deref() == Some("") {
        return Err(UriError::BadKey);
    }
    let (value, rest) = parse_literal(value_text)?;
    Ok((KeyPart { name, value }, rest))
}

/// A quoted string (with `''` escapes) or `null`.
fn parse_literal(s: &str) -> Result<(Option<String>, &str), UriError> {
    if let Some(rest) = s.strip_prefix("null") {
        return Ok((None, rest));
    }
    let body = s.strip_prefix('\'').ok_or(UriError::BadKey)?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                value.push('\'');
                chars.next();
                continue;
            }
            return Ok((Some(value), &body[i + 1..]));
        }
        value.push(c);
    }
    Err(UriError::BadKey)
}

/// Renders a key predicate for URLs (`('v')`, `(Name='r',_Box.Name='b')`), percent-encoding
/// values that would break a URL the way Personium does for ExtCell URLs.
pub fn format_key(parts: &[(&str, Option<&str>)]) -> String {
    fn lit(v: Option<&str>) -> String {
        match v {
            None => "null".to_owned(),
            Some(v) => format!("'{}'", encode_key_value(&v.replace('\'', "''"))),
        }
    }
    match parts {
        [(_, v)] => format!("({})", lit(*v)),
        _ => {
            let inner: Vec<String> = parts
                .iter()
                .map(|(n, v)| format!("{n}={}", lit(*v)))
                .collect();
            format!("({})", inner.join(","))
        }
    }
}

fn encode_key_value(v: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'\'');
    percent_encoding::utf8_percent_encode(v, SET).to_string()
}

#[cfg(test)]
mod tests;
