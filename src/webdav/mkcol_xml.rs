//! The extended MKCOL body (RFC 5689 §5.1; `spec/personium-api.md` §6):
//! `D:mkcol/D:set/D:prop/D:resourcetype` with `D:collection` and at most one Personium
//! extension, `p:odata`, `p:service` or `p:stream`.
//!
//! As Personium (`Mkcol.getWebdavColType`): an unreadable body is [`MkcolError::Xml`]
//! (`PR400-DV-0001`); a readable one that asks for no or an unsupported collection type is
//! [`MkcolError::Request`] (403 with an `mkcol-response`).

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::auth::privilege::{NS_DAV, NS_PERSONIUM};

/// The collection types MKCOL creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    WebDav,
    OData,
    Service,
    Stream,
}

/// Why a MKCOL body was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MkcolError {
    /// Not well-formed XML, or not an `{DAV:}mkcol` document (detail for logs).
    #[error("XML error: {0}")]
    Xml(String),
    /// Readable, but the resource type cannot be created; the text is Personium's message.
    #[error("{0}")]
    Request(&'static str),
}

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 32;

/// True for a `Content-Type` an extended MKCOL body may carry: `application/xml`,
/// `text/xml` or any `+xml` type (RFC 7303), parameters ignored.
pub fn is_xml_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/xml")
        || essence.eq_ignore_ascii_case("text/xml")
        || essence.to_ascii_lowercase().ends_with("+xml")
}

/// Parses an extended MKCOL body.
pub fn parse_mkcol(body: &[u8]) -> Result<ColType, MkcolError> {
    let xml = |d: String| MkcolError::Xml(d);
    let mut reader = NsReader::from_reader(body);
    // The path of open elements, as (namespace, local name).
    let mut stack: Vec<(Option<String>, String)> = Vec::new();
    let mut seen_root = false;
    let mut resourcetype: Option<Vec<(Option<String>, String)>> = None;
    loop {
        let (res, event) = reader
            .read_resolved_event()
            .map_err(|e| xml(e.to_string()))?;
        let ns = match res {
            ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(xml(format!(
                    "undeclared prefix {}",
                    String::from_utf8_lossy(&p)
                )))
            }
        };
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::DocType(_) => return Err(xml("DOCTYPE is not accepted".into())),
            Event::Eof => break,
            _ => continue,
        };
        let local = String::from_utf8_lossy(e.local_name().into_inner()).into_owned();
        if stack.is_empty() {
            if seen_root || ns.as_deref() != Some(NS_DAV) || local != "mkcol" {
                return Err(xml(format!(
                    "unexpected root {{{}}}{local}",
                    ns.unwrap_or_default()
                )));
            }
            seen_root = true;
        }
        let path: Vec<&str> = stack.iter().map(|(_, l)| l.as_str()).collect();
        let in_dav = stack.iter().all(|(n, _)| n.as_deref() == Some(NS_DAV));
        if in_dav && path == ["mkcol", "set", "prop", "resourcetype"] {
            if let Some(rt) = resourcetype.as_mut() {
                rt.push((ns.clone(), local.clone()));
            }
        } else if in_dav
            && path == ["mkcol", "set", "prop"]
            && ns.as_deref() == Some(NS_DAV)
            && local == "resourcetype"
        {
            resourcetype.get_or_insert_with(Vec::new);
        }
        if !empty {
            stack.push((ns, local));
            if stack.len() > MAX_DEPTH {
                return Err(xml("elements nested too deeply".into()));
            }
        }
    }
    if !seen_root || !stack.is_empty() {
        return Err(xml("no complete mkcol element".into()));
    }
    col_type(resourcetype)
}

fn col_type(resourcetype: Option<Vec<(Option<String>, String)>>) -> Result<ColType, MkcolError> {
    let Some(types) = resourcetype else {
        return Err(MkcolError::Request(
            "resourcetype should be defined in mkcol request, See RFC5689 : extended MKCOL",
        ));
    };
    let is_collection =
        |(ns, l): &(Option<String>, String)| ns.as_deref() == Some(NS_DAV) && l == "collection";
    if !types.iter().any(is_collection) {
        return Err(MkcolError::Request(
            "collection should be included in request. See RFC5689 : extended MKCOL",
        ));
    }
    let extensions: Vec<_> = types.iter().filter(|t| !is_collection(t)).collect();
    let Some((ns, local)) = extensions.first() else {
        return Ok(ColType::WebDav);
    };
    if extensions.len() != 1 {
        return Err(MkcolError::Request(
            "only 1 extension to collection specified in RFC5689 is allowed on this server. ",
        ));
    }
    match (ns.as_deref(), local.as_str()) {
        (Some(NS_PERSONIUM), "odata") => Ok(ColType::OData),
        (Some(NS_PERSONIUM), "service") => Ok(ColType::Service),
        (Some(NS_PERSONIUM), "stream") => Ok(ColType::Stream),
        (Some(NS_PERSONIUM), _) => Err(MkcolError::Request(
            "such DC1 extension not supported on this server",
        )),
        (Some("urn:ietf:params:xml:ns:caldav"), _) => Err(MkcolError::Request(
            "such Caldav extension not supported on this server",
        )),
        _ => Err(MkcolError::Request(
            "such RFC5689 extension not supported on this server",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(rt: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><D:mkcol xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\">\
             <D:set><D:prop><D:resourcetype>{rt}</D:resourcetype></D:prop></D:set></D:mkcol>"
        )
    }

    #[test]
    fn xml_media_types() {
        for (t, want) in [
            ("application/xml", true),
            ("text/xml; charset=utf-8", true),
            ("Application/XML", true),
            ("application/atom+xml", true),
            ("xzy-foo/bar-512", false),
            ("application/x-www-form-urlencoded", false),
            ("", false),
        ] {
            assert_eq!(is_xml_media_type(t), want, "{t}");
        }
    }

    #[test]
    fn mkcol_bodies() {
        let req = |m: &'static str| Err(MkcolError::Request(m));
        let cases: Vec<(String, Result<ColType, MkcolError>)> = vec![
            (body("<D:collection/>"), Ok(ColType::WebDav)),
            (body("<D:collection/><p:odata/>"), Ok(ColType::OData)),
            (body("<p:service/><D:collection/>"), Ok(ColType::Service)),
            (body("<D:collection/><p:stream/>"), Ok(ColType::Stream)),
            (
                body("<D:collection></D:collection><p:odata></p:odata>"),
                Ok(ColType::OData),
            ),
            (
                body("<p:odata/>"),
                req("collection should be included in request. See RFC5689 : extended MKCOL"),
            ),
            (
                body("<D:collection/><p:odata/><p:service/>"),
                req("only 1 extension to collection specified in RFC5689 is allowed on this server. "),
            ),
            (
                body("<D:collection/><p:calendar/>"),
                req("such DC1 extension not supported on this server"),
            ),
            (
                body("<D:collection/><x:y xmlns:x=\"urn:other\"/>"),
                req("such RFC5689 extension not supported on this server"),
            ),
            (
                "<D:mkcol xmlns:D=\"DAV:\"><D:set><D:prop/></D:set></D:mkcol>".into(),
                req("resourcetype should be defined in mkcol request, See RFC5689 : extended MKCOL"),
            ),
        ];
        for (b, want) in cases {
            assert_eq!(parse_mkcol(b.as_bytes()), want, "{b}");
        }
    }

    #[test]
    fn unreadable_bodies() {
        for b in [
            "not xml",
            "<D:mkcol xmlns:D=\"DAV:\">",
            "<mkcol/>",
            "<D:propfind xmlns:D=\"DAV:\"/>",
            "<x:mkcol xmlns:D=\"DAV:\"/>",
            "<!DOCTYPE x><D:mkcol xmlns:D=\"DAV:\"/>",
        ] {
            assert!(
                matches!(parse_mkcol(b.as_bytes()), Err(MkcolError::Xml(_))),
                "{b}"
            );
        }
    }
}
