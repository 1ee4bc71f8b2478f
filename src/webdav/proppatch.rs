//! The WebDAV `PROPPATCH` body and its multistatus answer (RFC 4918 §9.2, §14.18-19;
//! `spec/personium-api.md` §4.2 cell PROPPATCH, §6 box-level PROPPATCH): parsing
//! `<D:propertyupdate>` into set/remove instructions of arbitrary dead properties, applying them
//! to a [`DeadProps`] store in Personium's order, and rendering the 207 body. Protocol only:
//! the caller loads and saves the store and decides who may write.
//!
//! ```text
//! propertyupdate = <D:propertyupdate> (set | remove)* </D:propertyupdate>
//! set            = <D:set> <D:prop> property* </D:prop> </D:set>
//! remove         = <D:remove> <D:prop> property* </D:prop> </D:remove>
//! ```
//!
//! Reading is as lenient as Personium's JAXB binding: unknown elements and text outside the
//! properties are ignored, a repeated `<D:prop>` keeps the last one. A body that is not
//! well-formed XML or whose root is not `{DAV:}propertyupdate` is `PR400-DV-0001`; a `set` or
//! `remove` without `<D:prop>` is `PR400-DV-0002`.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

pub use super::props::{DeadProps, Property};
use crate::auth::privilege::NS_DAV;

/// Deepest element nesting accepted (property values included).
pub const MAX_DEPTH: usize = 64;
/// Most properties one request may set or remove.
pub const MAX_PROPERTIES: usize = 1000;

/// Why a PROPPATCH body was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProppatchError {
    /// Not well-formed, or not a `{DAV:}propertyupdate` document (detail for logs only).
    #[error("XML parse error: {0}")]
    Parse(String),
    /// A `set` or `remove` without its `prop` (detail for logs only).
    #[error("XML content error: {0}")]
    Content(String),
}

impl ProppatchError {
    /// The Personium error code.
    pub fn pr_code(&self) -> &'static str {
        match self {
            ProppatchError::Parse(_) => "PR400-DV-0001",
            ProppatchError::Content(_) => "PR400-DV-0002",
        }
    }
}

/// One `<D:set>` or `<D:remove>`, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instruction {
    Set(Vec<Property>),
    Remove(Vec<Property>),
}

/// A parsed `<D:propertyupdate>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertyUpdate {
    pub instructions: Vec<Instruction>,
}

/// The outcome of one property: `200` (set, or removed) or `404` (removed but absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropStatus {
    pub property: Property,
    pub status: u16,
}

/// How a PROPPATCH is applied where Personium and RFC 4918 differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semantics {
    /// Personium's `DavCmpFsImpl.proppatch`: every `set` before any `remove`, whatever their
    /// order in the document; removing an absent property answers `404` for it.
    Personium,
    /// RFC 4918 §9.2: document order; removing an absent property is not an error (`200`).
    Rfc4918,
}

impl PropertyUpdate {
    /// Applies the update to `store`.
    // COMPAT(personium): see [`Semantics::Personium`] (RFC 4918 says document order).
    pub fn apply(&self, store: &mut DeadProps) -> Vec<PropStatus> {
        self.apply_as(store, Semantics::Personium)
    }

    /// Applies the update to `store` with the given semantics.
    pub fn apply_as(&self, store: &mut DeadProps, semantics: Semantics) -> Vec<PropStatus> {
        let mut results = Vec::new();
        let passes: &[Option<bool>] = match semantics {
            // Sets (true), then removes (false).
            Semantics::Personium => &[Some(true), Some(false)],
            Semantics::Rfc4918 => &[None],
        };
        for pass in passes {
            for instruction in &self.instructions {
                let (set, props) = match instruction {
                    Instruction::Set(props) => (true, props),
                    Instruction::Remove(props) => (false, props),
                };
                if pass.is_some_and(|p| p != set) {
                    continue;
                }
                for p in props {
                    let status = if set {
                        store.set(p.clone());
                        200
                    } else if store.remove(&p.key()) || semantics == Semantics::Rfc4918 {
                        200
                    } else {
                        404
                    };
                    results.push(PropStatus {
                        property: p.clone(),
                        status,
                    });
                }
            }
        }
        results
    }
}

/// The 207 body: one `<response>` for `href`, one `<propstat>` per status in order of first
/// use, each property element as it was sent.
pub fn render_multistatus(href: &str, results: &[PropStatus]) -> String {
    let mut statuses: Vec<u16> = Vec::new();
    for r in results {
        if !statuses.contains(&r.status) {
            statuses.push(r.status);
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><multistatus xmlns=\"DAV:\"><response><href>",
    );
    out.push_str(&quick_xml::escape::escape(href));
    out.push_str("</href>");
    for status in statuses {
        out.push_str("<propstat><prop>");
        for r in results.iter().filter(|r| r.status == status) {
            out.push_str(&r.property.xml);
        }
        out.push_str("</prop><status>HTTP/1.1 ");
        out.push_str(match status {
            200 => "200 OK",
            _ => "404 Not Found",
        });
        out.push_str("</status></propstat>");
    }
    out.push_str("</response></multistatus>");
    out
}

/// What an open element is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Update,
    Instruction,
    Prop,
    /// A property element: its value is copied raw, not interpreted.
    Property,
    Ignored,
}

/// A property being read: its start tag as sent and where its content begins.
struct Open {
    namespace: String,
    local: String,
    raw_start: String,
    qname: String,
    content_from: usize,
}

struct Parser<'a> {
    body: &'a [u8],
    stack: Vec<Node>,
    /// Namespace declarations per open element: (prefix, URI); prefix "" = default.
    scopes: Vec<Vec<(String, String)>>,
    update: Option<PropertyUpdate>,
    /// Properties of the `<D:prop>` being read, and whether the current instruction has one.
    current: Option<Vec<Property>>,
    open: Option<Open>,
    count: usize,
}

fn parse_err(detail: impl Into<String>) -> ProppatchError {
    ProppatchError::Parse(detail.into())
}

/// Parses a PROPPATCH body.
pub fn parse(body: &[u8]) -> Result<PropertyUpdate, ProppatchError> {
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().trim_text(false);
    let mut p = Parser {
        body,
        stack: Vec::new(),
        scopes: Vec::new(),
        update: None,
        current: None,
        open: None,
        count: 0,
    };
    let mut root_closed = false;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (ns, event) = match reader.read_resolved_event() {
            Ok((res, ev)) => (namespace(res)?, ev),
            Err(e) => return Err(parse_err(e.to_string())),
        };
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(e) | Event::Empty(e) if root_closed => {
                return Err(parse_err(format!("second root element {:?}", e.name())))
            }
            Event::Start(e) => {
                p.start(&e, ns, before, after)?;
                if p.stack.len() > MAX_DEPTH {
                    return Err(parse_err("elements nested too deeply"));
                }
            }
            Event::Empty(e) => {
                p.start(&e, ns, before, after)?;
                p.end(before)?;
                root_closed |= p.stack.is_empty();
            }
            Event::End(_) => {
                p.end(before)?;
                root_closed |= p.stack.is_empty();
            }
            Event::Text(t) => {
                // Checks the text is well-formed; its value only matters inside a property,
                // which is copied raw.
                t.xml10_content().map_err(|e| parse_err(e.to_string()))?;
            }
            Event::GeneralRef(r) => {
                if r.resolve_char_ref()
                    .map_err(|e| parse_err(e.to_string()))?
                    .is_none()
                {
                    let name = r.decode().map_err(|e| parse_err(e.to_string()))?;
                    if quick_xml::escape::resolve_predefined_entity(&name).is_none() {
                        return Err(parse_err(format!("undeclared entity &{name};")));
                    }
                }
            }
            // No DTDs: no entity expansion, no external fetches.
            Event::DocType(_) => return Err(parse_err("DOCTYPE is not accepted")),
            Event::CData(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !p.stack.is_empty() {
        return Err(parse_err("unexpected end of document"));
    }
    p.update
        .ok_or_else(|| parse_err("no propertyupdate element"))
}

/// The element's namespace as text ("" = no namespace); an undeclared prefix is an error.
fn namespace(res: ResolveResult<'_>) -> Result<String, ProppatchError> {
    match res {
        ResolveResult::Bound(ns) => Ok(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(p) => Err(parse_err(format!(
            "undeclared prefix {}",
            String::from_utf8_lossy(&p)
        ))),
    }
}

/// The `xmlns` / `xmlns:p` declarations of a start tag.
fn declarations(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, ProppatchError> {
    let mut decls = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| parse_err(err.to_string()))?;
        let key = std::str::from_utf8(attr.key.as_ref()).map_err(|_| parse_err("bad name"))?;
        let prefix = match key.strip_prefix("xmlns") {
            Some("") => "",
            Some(rest) => match rest.strip_prefix(':') {
                Some(p) => p,
                None => continue,
            },
            None => continue,
        };
        let value = attr
            .unescape_value()
            .map_err(|err| parse_err(err.to_string()))?;
        decls.push((prefix.to_owned(), value.into_owned()));
    }
    Ok(decls)
}

impl Parser<'_> {
    fn start(
        &mut self,
        e: &BytesStart<'_>,
        ns: String,
        before: usize,
        after: usize,
    ) -> Result<(), ProppatchError> {
        let local = std::str::from_utf8(e.local_name().into_inner())
            .map_err(|_| parse_err("element name is not UTF-8"))?
            .to_owned();
        let own = declarations(e)?;
        let dav = ns == NS_DAV;
        let node = match self.stack.last().copied() {
            None if dav && local == "propertyupdate" => {
                self.update = Some(PropertyUpdate::default());
                Node::Update
            }
            None => return Err(parse_err(format!("root element is {{{ns}}}{local}"))),
            Some(Node::Update) if dav && (local == "set" || local == "remove") => {
                let props = Vec::new();
                if let Some(u) = self.update.as_mut() {
                    u.instructions.push(if local == "set" {
                        Instruction::Set(props)
                    } else {
                        Instruction::Remove(props)
                    });
                }
                self.current = None;
                Node::Instruction
            }
            // COMPAT(personium): JAXB keeps the last of repeated `<D:prop>` elements.
            Some(Node::Instruction) if dav && local == "prop" => {
                self.current = Some(Vec::new());
                Node::Prop
            }
            Some(Node::Prop) => {
                self.count += 1;
                if self.count > MAX_PROPERTIES {
                    return Err(parse_err("too many properties"));
                }
                let raw = self
                    .body
                    .get(before..after)
                    .ok_or_else(|| parse_err("bad position"))?;
                let raw = std::str::from_utf8(raw).map_err(|_| parse_err("not UTF-8"))?;
                let qname = std::str::from_utf8(e.name().into_inner())
                    .map_err(|_| parse_err("element name is not UTF-8"))?
                    .to_owned();
                self.open = Some(Open {
                    namespace: ns,
                    local,
                    raw_start: raw.to_owned(),
                    qname,
                    content_from: after,
                });
                Node::Property
            }
            Some(_) => Node::Ignored,
        };
        self.stack.push(node);
        self.scopes.push(own);
        Ok(())
    }

    /// The property element as sent, with the declarations of its ancestors that it uses
    /// added to its start tag, so that it reads the same wherever it is stored or rendered.
    /// `scopes` = the ancestors' declarations, `own` = the element's.
    fn self_contained(
        open: &Open,
        inner: &str,
        scopes: &[Vec<(String, String)>],
        own: &[(String, String)],
    ) -> String {
        let text = format!("{}{inner}", open.raw_start);
        let mut seen: Vec<&str> = own.iter().map(|(p, _)| p.as_str()).collect();
        let mut extra = String::new();
        for (prefix, uri) in scopes.iter().rev().flat_map(|s| s.iter().rev()) {
            if seen.contains(&prefix.as_str()) {
                continue;
            }
            seen.push(prefix);
            // A prefix mentioned anywhere in the element is declared (an unneeded declaration
            // is harmless); the default namespace always is.
            if !prefix.is_empty() && !text.contains(&format!("{prefix}:")) {
                continue;
            }
            extra.push_str(" xmlns");
            if !prefix.is_empty() {
                extra.push(':');
                extra.push_str(prefix);
            }
            extra.push_str("=\"");
            extra.push_str(&quick_xml::escape::escape(uri.as_str()));
            extra.push('"');
        }
        // No default namespace in scope: say so, so that unprefixed elements stay in no
        // namespace when rendered inside a document with a default one (PROPFIND's DAV:).
        if !seen.contains(&"") && has_unprefixed_element(&text) {
            extra.push_str(" xmlns=\"\"");
        }
        let rest = open.raw_start.get(1 + open.qname.len()..).unwrap_or("");
        if rest.ends_with("/>") {
            format!("<{}{extra}{rest}", open.qname)
        } else {
            format!("<{}{extra}{rest}{inner}</{}>", open.qname, open.qname)
        }
    }

    fn end(&mut self, before: usize) -> Result<(), ProppatchError> {
        let node = self.stack.pop();
        let own = self.scopes.pop().unwrap_or_default();
        match node {
            Some(Node::Property) => {
                let open = self
                    .open
                    .take()
                    .ok_or_else(|| parse_err("property state lost"))?;
                let inner = self
                    .body
                    .get(open.content_from..before.max(open.content_from))
                    .ok_or_else(|| parse_err("bad position"))?;
                let inner = std::str::from_utf8(inner).map_err(|_| parse_err("not UTF-8"))?;
                let xml = Self::self_contained(&open, inner, &self.scopes, &own);
                if let Some(props) = self.current.as_mut() {
                    props.push(Property {
                        namespace: open.namespace,
                        local_name: open.local,
                        xml,
                    });
                }
            }
            Some(Node::Instruction) => {
                let Some(props) = self.current.take() else {
                    return Err(ProppatchError::Content("set or remove without prop".into()));
                };
                match self.update.as_mut().and_then(|u| u.instructions.last_mut()) {
                    Some(Instruction::Set(v) | Instruction::Remove(v)) => *v = props,
                    None => return Err(parse_err("instruction state lost")),
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Whether some start tag in `xml` has a name without a prefix.
fn has_unprefixed_element(xml: &str) -> bool {
    xml.split('<').skip(1).any(|tag| {
        let name: &str = tag
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or("");
        !name.is_empty() && !name.starts_with(['!', '?']) && !name.contains(':')
    })
}

#[cfg(test)]
mod tests;
