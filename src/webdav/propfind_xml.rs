//! The `PROPFIND` request body (RFC 4918 §9.1, §14.20; `spec/personium-api.md` §6): which
//! properties the client asks for. Protocol only.
//!
//! ```text
//! propfind = <D:propfind> ( <D:allprop/> [<D:include>...</D:include>] | <D:propname/>
//!                         | <D:prop> property-name* </D:prop> ) </D:propfind>
//! ```
//! An empty body means `allprop`. `include` is accepted and ignored (allprop already shows
//! every property this server has).

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::auth::privilege::NS_DAV;

/// What a PROPFIND asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    AllProp,
    PropName,
    /// These properties, as (namespace URI, local name); "" = no namespace.
    Prop(Vec<(String, String)>),
}

/// Why a PROPFIND body was refused (detail for logs only): `PR400-DV-0001`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("PROPFIND body: {0}")]
pub struct PropfindError(pub String);

fn err(detail: impl Into<String>) -> PropfindError {
    PropfindError(detail.into())
}

/// Parses a PROPFIND body.
pub fn parse(body: &[u8]) -> Result<Selection, PropfindError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Selection::AllProp);
    }
    let mut reader = NsReader::from_reader(body);
    let mut depth = 0usize;
    let mut in_prop = false;
    let mut root = false;
    let mut selection: Option<Selection> = None;
    loop {
        let (res, event) = reader
            .read_resolved_event()
            .map_err(|e| err(e.to_string()))?;
        let ns = match res {
            ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => {
                return Err(err(format!(
                    "undeclared prefix {}",
                    String::from_utf8_lossy(&p)
                )))
            }
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.local_name().as_ref().to_vec()), false),
            Event::Empty(e) => (Some(e.local_name().as_ref().to_vec()), true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    in_prop = false;
                }
                continue;
            }
            Event::DocType(_) => return Err(err("DOCTYPE is not accepted")),
            Event::Eof => break,
            _ => continue,
        };
        let local = String::from_utf8(start.unwrap_or_default())
            .map_err(|_| err("element name is not UTF-8"))?;
        let dav = ns == NS_DAV;
        match depth {
            0 if root => return Err(err("second root element")),
            0 if dav && local == "propfind" => root = true,
            0 => return Err(err(format!("root element is {{{ns}}}{local}"))),
            1 if dav && local == "allprop" => selection = Some(Selection::AllProp),
            1 if dav && local == "propname" => selection = Some(Selection::PropName),
            1 if dav && local == "prop" => {
                selection = Some(Selection::Prop(Vec::new()));
                in_prop = !empty;
            }
            2 if in_prop => {
                if let Some(Selection::Prop(names)) = selection.as_mut() {
                    names.push((ns, local));
                }
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        } else if depth == 0 {
            // `<D:propfind/>`: nothing asked, RFC 4918 reads it as allprop.
            selection.get_or_insert(Selection::AllProp);
        }
    }
    if !root || depth != 0 {
        return Err(err("no complete propfind element"));
    }
    Ok(selection.unwrap_or(Selection::AllProp))
}

/// An empty element naming `{namespace}local`, to list in a `<prop>` whose default namespace
/// is `DAV:`.
pub fn empty_element(namespace: &str, local: &str) -> String {
    if namespace == NS_DAV {
        format!("<{local}/>")
    } else {
        format!(
            "<{local} xmlns=\"{}\"/>",
            quick_xml::escape::escape(namespace)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[(&str, &str)]) -> Selection {
        Selection::Prop(
            list.iter()
                .map(|(n, l)| ((*n).to_owned(), (*l).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn bodies() {
        let cases: &[(&str, Option<Selection>)] = &[
            ("", Some(Selection::AllProp)),
            ("  \n", Some(Selection::AllProp)),
            (
                r#"<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#,
                Some(Selection::AllProp),
            ),
            (r#"<propfind xmlns="DAV:"/>"#, Some(Selection::AllProp)),
            (
                r#"<propfind xmlns="DAV:"><propname/></propfind>"#,
                Some(Selection::PropName),
            ),
            (
                r#"<D:propfind xmlns:D="DAV:" xmlns:x="urn:x"><D:prop><D:getetag/><x:color/><plain xmlns=""/></D:prop></D:propfind>"#,
                Some(names(&[
                    ("DAV:", "getetag"),
                    ("urn:x", "color"),
                    ("", "plain"),
                ])),
            ),
            (
                r#"<D:propfind xmlns:D="DAV:"><D:prop/></D:propfind>"#,
                Some(names(&[])),
            ),
            (
                r#"<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:x/></D:include></D:propfind>"#,
                Some(Selection::AllProp),
            ),
            ("<oops", None),
            (r#"<D:propfind xmlns:D="DAV:"><D:prop>"#, None),
            (r#"<x:propfind xmlns:x="urn:x"/>"#, None),
            (r#"<D:propfind xmlns:D="DAV:"><y:a/></D:propfind>"#, None),
            (r#"<!DOCTYPE x><D:propfind xmlns:D="DAV:"/>"#, None),
            (
                r#"<D:propfind xmlns:D="DAV:"/><D:propfind xmlns:D="DAV:"/>"#,
                None,
            ),
        ];
        for (body, want) in cases {
            assert_eq!(parse(body.as_bytes()).ok(), *want, "{body}");
        }
    }

    #[test]
    fn empty_elements() {
        assert_eq!(empty_element("DAV:", "getetag"), "<getetag/>");
        assert_eq!(empty_element("urn:x", "c"), "<c xmlns=\"urn:x\"/>");
        assert_eq!(empty_element("", "c"), "<c xmlns=\"\"/>");
    }
}
