//! The `LOCK` request body and the lock properties (RFC 4918 §9.10, §14.11-14.13, §15.8,
//! §15.10). Protocol only.
//!
//! ```text
//! lockinfo = <D:lockinfo> <D:lockscope>(<D:exclusive/>|<D:shared/>)</D:lockscope>
//!            <D:locktype><D:write/></D:locktype> [<D:owner>…</D:owner>] </D:lockinfo>
//! ```
//! The owner is kept as its `DAV:href` or, without one, its text, and shown back as
//! `<owner><href>…</href></owner>` / `<owner>…</owner>`.

use quick_xml::escape::escape;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::auth::privilege::NS_DAV;

/// A parsed `<D:lockinfo>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub exclusive: bool,
    /// The `<owner>` element to show in `lockdiscovery` (DAV: as default namespace).
    pub owner: Option<String>,
}

/// Why a LOCK body was refused (detail for logs only): `PR400-DV-0001`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("LOCK body: {0}")]
pub struct LockXmlError(pub String);

/// Parses a LOCK body.
pub fn parse(body: &[u8]) -> Result<LockInfo, LockXmlError> {
    let err = |m: &str| LockXmlError(m.to_owned());
    let mut reader = NsReader::from_reader(body);
    let mut stack: Vec<String> = Vec::new();
    let (mut scope, mut write, mut root) = (None, false, false);
    let (mut owner, mut href, mut text) = (false, String::new(), String::new());
    loop {
        let (res, event) = reader
            .read_resolved_event()
            .map_err(|e| err(&e.to_string()))?;
        let dav = matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == NS_DAV.as_bytes());
        let (name, empty) = match &event {
            Event::Start(e) => (
                String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                false,
            ),
            Event::Empty(e) => (
                String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                true,
            ),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Text(t) if owner_depth(&stack).is_some() => {
                let t = t.xml10_content().map_err(|e| err(&e.to_string()))?;
                if stack.last().map(String::as_str) == Some("D:href") {
                    href.push_str(&t);
                } else {
                    text.push_str(&t);
                }
                continue;
            }
            Event::GeneralRef(r) if owner_depth(&stack).is_some() => {
                let name = r.decode().map_err(|e| err(&e.to_string()))?;
                let c = match r.resolve_char_ref().map_err(|e| err(&e.to_string()))? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| err("undeclared entity"))?
                        .to_owned(),
                };
                if stack.last().map(String::as_str) == Some("D:href") {
                    href.push_str(&c);
                } else {
                    text.push_str(&c);
                }
                continue;
            }
            Event::DocType(_) => return Err(err("DOCTYPE is not accepted")),
            Event::Eof => break,
            _ => continue,
        };
        let qualified = if dav { format!("D:{name}") } else { name };
        match (stack.len(), qualified.as_str()) {
            (0, "D:lockinfo") if !root => root = true,
            (0, _) => return Err(err("root element is not DAV:lockinfo")),
            (2, "D:exclusive") if stack[1] == "D:lockscope" => scope = Some(true),
            (2, "D:shared") if stack[1] == "D:lockscope" => scope = Some(false),
            (2, "D:write") if stack[1] == "D:locktype" => write = true,
            (1, "D:owner") => owner = true,
            _ => {}
        }
        if !empty {
            stack.push(qualified);
        }
    }
    if !root || !stack.is_empty() {
        return Err(err("no complete lockinfo"));
    }
    let exclusive = scope.ok_or_else(|| err("no lockscope"))?;
    if !write {
        return Err(err("locktype is not write"));
    }
    let owner = owner.then(|| {
        let (href, text) = (href.trim(), text.trim());
        if href.is_empty() {
            format!("<owner>{}</owner>", escape(text))
        } else {
            format!("<owner><href>{}</href></owner>", escape(href))
        }
    });
    Ok(LockInfo { exclusive, owner })
}

fn owner_depth(stack: &[String]) -> Option<usize> {
    (stack.get(1).map(String::as_str) == Some("D:owner")).then_some(stack.len())
}

/// One lock, as `lockdiscovery` shows it.
#[derive(Clone, Debug)]
pub struct ActiveLock<'a> {
    pub exclusive: bool,
    pub infinite: bool,
    pub owner: Option<&'a str>,
    /// Seconds left.
    pub timeout_secs: i64,
    pub token: &'a str,
    /// The URL the lock was taken on.
    pub root: String,
}

/// `<lockdiscovery>` with the given locks (DAV: as default namespace).
pub fn lockdiscovery(locks: &[ActiveLock<'_>]) -> String {
    let mut out = String::from("<lockdiscovery>");
    for l in locks {
        out.push_str("<activelock><locktype><write/></locktype><lockscope>");
        out.push_str(if l.exclusive {
            "<exclusive/>"
        } else {
            "<shared/>"
        });
        out.push_str("</lockscope><depth>");
        out.push_str(if l.infinite { "infinity" } else { "0" });
        out.push_str("</depth>");
        out.push_str(l.owner.unwrap_or(""));
        out.push_str(&format!(
            "<timeout>Second-{}</timeout><locktoken><href>{}</href></locktoken>\
             <lockroot><href>{}</href></lockroot></activelock>",
            l.timeout_secs.max(0),
            escape(l.token),
            escape(&l.root)
        ));
    }
    out.push_str("</lockdiscovery>");
    out
}

/// `<supportedlock>`: exclusive and shared write locks.
pub const SUPPORTEDLOCK: &str = "<supportedlock>\
    <lockentry><lockscope><exclusive/></lockscope><locktype><write/></locktype></lockentry>\
    <lockentry><lockscope><shared/></lockscope><locktype><write/></locktype></lockentry>\
    </supportedlock>";

/// The body of a successful LOCK.
pub fn lock_response(lock: &ActiveLock<'_>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><prop xmlns=\"DAV:\">{}</prop>",
        lockdiscovery(std::slice::from_ref(lock))
    )
}

/// The `Timeout` header (RFC 4918 §10.7): the first `Second-N` or `Infinite`, capped at
/// `max`; `default` when absent or unreadable.
pub fn timeout(value: Option<&str>, default: i64, max: i64) -> i64 {
    let Some(value) = value else {
        return default;
    };
    for t in value.split(',').map(str::trim) {
        if t.eq_ignore_ascii_case("infinite") {
            return max;
        }
        let secs = t
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("second-"))
            .and_then(|_| t[7..].parse::<i64>().ok());
        if let Some(s) = secs {
            return s.clamp(1, max);
        }
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockinfo_bodies() {
        let ok = |scope: &str, owner: &str| {
            format!(
                "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:{scope}/></D:lockscope>\
                 <D:locktype><D:write/></D:locktype>{owner}</D:lockinfo>"
            )
        };
        let cases: Vec<(String, Option<LockInfo>)> =
            vec![
            (
                ok("exclusive", ""),
                Some(LockInfo { exclusive: true, owner: None }),
            ),
            (
                ok("shared", "<D:owner><D:href>mailto:a@b</D:href></D:owner>"),
                Some(LockInfo {
                    exclusive: false,
                    owner: Some("<owner><href>mailto:a@b</href></owner>".into()),
                }),
            ),
            (
                ok("exclusive", "<D:owner> Ann &amp; Bob </D:owner>"),
                Some(LockInfo {
                    exclusive: true,
                    owner: Some("<owner>Ann &amp; Bob</owner>".into()),
                }),
            ),
            (ok("other", ""), None),
            (
                "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:shared/></D:lockscope></D:lockinfo>"
                    .into(),
                None,
            ),
            ("<oops".into(), None),
            ("<x:lockinfo xmlns:x=\"urn:x\"/>".into(), None),
        ];
        for (body, want) in cases {
            assert_eq!(parse(body.as_bytes()).ok(), want, "{body}");
        }
    }

    #[test]
    fn timeouts() {
        let cases: &[(Option<&str>, i64)] = &[
            (None, 3600),
            (Some("Second-60"), 60),
            (Some("second-999999"), 86400),
            (Some("Infinite, Second-4100000000"), 86400),
            (Some("Second-x, Second-5"), 5),
            (Some("Second-0"), 1),
            (Some("junk"), 3600),
        ];
        for (value, want) in cases {
            assert_eq!(timeout(*value, 3600, 86400), *want, "{value:?}");
        }
    }

    #[test]
    fn renders() {
        let l = ActiveLock {
            exclusive: true,
            infinite: false,
            owner: Some("<owner>me</owner>"),
            timeout_secs: 10,
            token: "opaquelocktoken:x",
            root: "http://h/c/b/d".into(),
        };
        assert_eq!(
            lockdiscovery(&[l]),
            "<lockdiscovery><activelock><locktype><write/></locktype><lockscope><exclusive/>\
             </lockscope><depth>0</depth><owner>me</owner><timeout>Second-10</timeout>\
             <locktoken><href>opaquelocktoken:x</href></locktoken><lockroot>\
             <href>http://h/c/b/d</href></lockroot></activelock></lockdiscovery>"
        );
    }
}
