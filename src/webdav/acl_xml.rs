//! The WebDAV ACL document (`spec/personium-api.md` §3.3; RFC 3744 §5.5, §8.1): parsing the
//! `ACL` method body, resolving its principal hrefs to role URLs of this cell, and rendering
//! the `<acl>` property that PROPFIND shows ([`render_acl`]).
//!
//! Parsing follows Personium in two passes, so its error precedence holds: first the XML is read
//! leniently, as JAXB does (unknown elements and attributes are ignored; anything unreadable is
//! `PR400-DV-0002`), then the result is validated (`PR400-DV-0006`, with Personium's causes).
//! Role lookups (`PR400-DV-0004`, `PR400-DV-0005`) are the caller's, through [`AclDoc::to_acl`].

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use url::Url;

use crate::auth::acl::{Ace, AcePrincipal, Acl, RoleId, SchemaAuthz};
use crate::auth::privilege::{Privilege, NS_DAV, NS_PERSONIUM};

mod render;

pub use render::{
    render_acl, role_base_url, role_href, AclXmlStyle, RenderAce, RenderAcl, RenderPrincipal,
};

/// The `xml:` namespace (`xml:base`).
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Most ACEs one ACL may hold (hostile-input limit; Personium has none).
pub const MAX_ACES: usize = 1000;
/// Most `<D:privilege>` elements in one ACE.
pub const MAX_PRIVILEGES_PER_ACE: usize = 100;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// Longest principal href accepted.
pub const MAX_HREF_LEN: usize = 4096;

/// Why an ACL body was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AclError {
    /// The body is not a readable `{DAV:}acl` document (detail for logs only).
    #[error("XML content error: {0}")]
    Content(String),
    /// The document breaks the ACL rules; the text is Personium's cause.
    #[error("XML validate error. Cause:[{0}].")]
    Validate(String),
    /// A principal href is not a role instance URL of this cell, or names no role.
    #[error("Role not found.")]
    RoleNotFound,
    /// The box of a role URL does not exist; the text is the message parameter.
    // COMPAT(personium): Personium fills the parameter with the ACL's xml:base, not the box URL.
    #[error("Box not found url:[{0}].")]
    BoxNotFound(String),
}

impl AclError {
    /// The Personium error code.
    pub fn pr_code(&self) -> &'static str {
        match self {
            AclError::Content(_) => "PR400-DV-0002",
            AclError::Validate(_) => "PR400-DV-0006",
            AclError::RoleNotFound => "PR400-DV-0004",
            AclError::BoxNotFound(_) => "PR400-DV-0005",
        }
    }

    /// The `{0}` of the code's message, if it has one.
    pub fn param(&self) -> Option<&str> {
        match self {
            AclError::Validate(cause) | AclError::BoxNotFound(cause) => Some(cause),
            AclError::Content(_) | AclError::RoleNotFound => None,
        }
    }
}

/// Which resource the ACL is for: a cell ACL accepts cell and box privileges, a box-level ACL
/// (box, collection, file) only box privileges (§3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclLevel {
    Cell,
    Box,
}

/// `<D:principal>`: `<D:all/>` or `<D:href>` (as written, unresolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalRef {
    All,
    Href(String),
}

/// A parsed and validated `ACL` request body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclDoc {
    /// `xml:base` (empty counts as absent).
    pub base: Option<String>,
    pub require_schema_authz: Option<SchemaAuthz>,
    /// Each ACE: principal and granted privileges, in document order.
    pub aces: Vec<(PrincipalRef, Vec<Privilege>)>,
}

impl AclDoc {
    /// The ACL to store: each href resolved with [`resolve_href`] against `xml:base` and
    /// `cell_url`, then turned into a role id by `role_id(box, role)` (box `None` = box-less
    /// role), which reports `PR400-DV-0005` / `PR400-DV-0004` in the caller's error type.
    pub fn to_acl<E: From<AclError>>(
        &self,
        cell_url: &str,
        mut role_id: impl FnMut(Option<&str>, &str) -> Result<RoleId, E>,
    ) -> Result<Acl, E> {
        let mut aces = Vec::with_capacity(self.aces.len());
        for (principal, privileges) in &self.aces {
            let principal = match principal {
                PrincipalRef::All => AcePrincipal::All,
                PrincipalRef::Href(href) => {
                    let (bx, role) = resolve_href(self.base.as_deref(), href, cell_url)?;
                    AcePrincipal::Role(role_id(bx.as_deref(), &role)?)
                }
            };
            let grant = privileges.iter().copied().collect();
            aces.push(Ace { principal, grant });
        }
        Ok(Acl {
            aces,
            require_schema_authz: self.require_schema_authz,
        })
    }
}

/// Parses and validates an `ACL` method body.
pub fn parse_acl(body: &[u8], level: AclLevel) -> Result<AclDoc, AclError> {
    let raw = read(body)?;
    validate(raw, level)
}

/// Resolves a principal href against `xml:base` (§3.3: relative hrefs such as `doctor` or
/// `../box2/guest`) and checks it is a role instance URL of this cell,
/// `{cell_url}__role/{box or __}/{role}`. Returns the box (`None` for `__`) and the role name;
/// whether they exist is for the caller to check. Pass `base` in http form
/// (`personium-localunit:` already resolved, as Personium's `Acl.getBase()` does).
pub fn resolve_href(
    base: Option<&str>,
    href: &str,
    cell_url: &str,
) -> Result<(Option<String>, String), AclError> {
    // COMPAT(personium): java.net.URL ignores leading and trailing spaces and controls.
    let href = href.trim_matches(|c: char| c <= ' ');
    let url = match base.filter(|b| !b.is_empty()) {
        Some(base) => Url::parse(base).and_then(|b| b.join(href)),
        None => Url::parse(href),
    }
    .map_err(|_| AclError::RoleNotFound)?;
    let (role_base, bx, role) = split_role_url(url.as_str()).ok_or(AclError::RoleNotFound)?;
    // A role name never holds '/': Personium's lookup by such a name finds nothing.
    if role.contains('/') || !same_cell_ignoring_port(cell_url, role_base) {
        return Err(AclError::RoleNotFound);
    }
    let bx = (bx != "__").then(|| bx.to_owned());
    Ok((bx, role.to_owned()))
}

/// Splits a role URL the way Personium's regex `(.+/)__role/([^/]+)/(.+)` does: the last
/// `/__role/{box}/{name}` wins (the first group is greedy).
fn split_role_url(url: &str) -> Option<(&str, &str, &str)> {
    const MARK: &str = "/__role/";
    let starts: Vec<usize> = url.match_indices(MARK).map(|(i, _)| i).collect();
    starts.into_iter().rev().filter(|&i| i >= 1).find_map(|i| {
        let rest = &url[i + MARK.len()..];
        let (bx, role) = rest.split_once('/')?;
        (!bx.is_empty() && !role.is_empty()).then_some((&url[..=i], bx, role))
    })
}

/// Personium's `UriUtils.equalIgnoringPort`: scheme, host, path, query and fragment.
fn same_cell_ignoring_port(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.path() == b.path()
                && a.query() == b.query()
                && a.fragment() == b.fragment()
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: read the XML as leniently as JAXB.
// ---------------------------------------------------------------------------------------------

/// The document as read, before validation (`None` = element absent, as a null JAXB field).
#[derive(Default)]
struct RawAcl {
    base: Option<String>,
    require_schema_authz: Option<String>,
    aces: Vec<RawAce>,
}

#[derive(Default)]
struct RawAce {
    principal: Option<RawPrincipal>,
    /// `Some(vec![])`: a grant without privileges.
    grant: Option<Vec<Option<(String, String)>>>,
}

#[derive(Default)]
struct RawPrincipal {
    href: Option<String>,
    all: bool,
}

/// What an open element is, for the parser's stack.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Acl,
    Ace,
    Principal,
    Href,
    Grant,
    Privilege,
    /// Anything else, including the content of `<D:all>` and of a privilege element.
    Ignored,
}

fn content(detail: impl Into<String>) -> AclError {
    AclError::Content(detail.into())
}

fn read(body: &[u8]) -> Result<RawAcl, AclError> {
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = Vec::new();
    let mut acl: Option<RawAcl> = None;
    let mut root_closed = false;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((res, ev)) => (namespace(res)?, ev),
            Err(e) => return Err(content(e.to_string())),
        };
        match event {
            Event::Start(e) | Event::Empty(e) if root_closed => {
                return Err(content(format!("second root element {:?}", e.name())))
            }
            Event::Start(e) => {
                let node = open(&reader, &e, ns.as_deref(), &stack, &mut acl)?;
                stack.push(node);
                if stack.len() > MAX_DEPTH {
                    return Err(content("elements nested too deeply"));
                }
            }
            Event::Empty(e) => {
                open(&reader, &e, ns.as_deref(), &stack, &mut acl)?;
                root_closed |= stack.is_empty();
            }
            Event::End(_) => {
                stack.pop();
                root_closed |= stack.is_empty();
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| content(e.to_string()))?;
                append_text(&stack, &mut acl, &text)?;
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| content(e.to_string()))?;
                append_text(&stack, &mut acl, &text)?;
            }
            Event::GeneralRef(r) => {
                let text = resolve_reference(&r)?;
                append_text(&stack, &mut acl, text.encode_utf8(&mut [0; 4]))?;
            }
            // No DTDs: no entity expansion, no external fetches.
            Event::DocType(_) => return Err(content("DOCTYPE is not accepted")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(content("unexpected end of document"));
    }
    acl.ok_or_else(|| content("no acl element"))
}

/// The element's namespace as text (`None` = no namespace); an undeclared prefix is an error.
fn namespace(res: ResolveResult<'_>) -> Result<Option<String>, AclError> {
    match res {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(content(format!(
            "undeclared prefix {}",
            String::from_utf8_lossy(&p)
        ))),
    }
}

/// A character reference, or one of the five predefined entities.
fn resolve_reference(r: &BytesRef<'_>) -> Result<char, AclError> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| content(e.to_string()))? {
        return Ok(c);
    }
    let name = r.decode().map_err(|e| content(e.to_string()))?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .and_then(|s| s.chars().next())
        .ok_or_else(|| content(format!("undeclared entity &{name};")))
}

/// Handles an opening tag; returns what it is. `{DAV:}x` is matched by namespace and local
/// name, whatever the prefix.
fn open(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    ns: Option<&str>,
    stack: &[Node],
    acl: &mut Option<RawAcl>,
) -> Result<Node, AclError> {
    let local = std::str::from_utf8(e.local_name().into_inner())
        .map_err(|_| content("element name is not UTF-8"))?;
    let dav = ns == Some(NS_DAV);
    let Some(&parent) = stack.last() else {
        // The root element.
        if !(dav && local == "acl") {
            return Err(content(format!(
                "root element is {{{}}}{local}",
                ns.unwrap_or("")
            )));
        }
        *acl = Some(root_attributes(reader, e)?);
        return Ok(Node::Acl);
    };
    let Some(acl) = acl.as_mut() else {
        return Err(content("no acl element"));
    };
    if parent == Node::Acl {
        if !(dav && local == "ace") {
            return Ok(Node::Ignored);
        }
        if acl.aces.len() >= MAX_ACES {
            return Err(invalid(format!("More than {MAX_ACES} ace elements")));
        }
        acl.aces.push(RawAce::default());
        return Ok(Node::Ace);
    }
    let Some(ace) = acl.aces.last_mut() else {
        return Ok(Node::Ignored);
    };
    let node = match parent {
        // COMPAT(personium): JAXB keeps the last of repeated single elements.
        Node::Ace if dav && local == "principal" => {
            ace.principal = Some(RawPrincipal::default());
            Node::Principal
        }
        Node::Ace if dav && local == "grant" => {
            ace.grant = Some(Vec::new());
            Node::Grant
        }
        Node::Principal if dav && (local == "href" || local == "all") => {
            let principal = ace.principal.get_or_insert_with(RawPrincipal::default);
            if local == "all" {
                principal.all = true;
                Node::Ignored
            } else {
                principal.href = Some(String::new());
                Node::Href
            }
        }
        Node::Grant if dav && local == "privilege" => {
            let grant = ace.grant.get_or_insert_with(Vec::new);
            if grant.len() >= MAX_PRIVILEGES_PER_ACE {
                return Err(invalid(format!(
                    "More than {MAX_PRIVILEGES_PER_ACE} privilege elements"
                )));
            }
            grant.push(None);
            Node::Privilege
        }
        Node::Privilege => {
            // The privilege is the element inside <D:privilege>; the last one counts.
            if let Some(slot) = ace.grant.as_mut().and_then(|g| g.last_mut()) {
                *slot = Some((ns.unwrap_or("").to_owned(), local.to_owned()));
            }
            Node::Ignored
        }
        // COMPAT(personium): JAXB would keep a client-sent <D:inherited>; it is dropped here.
        _ => Node::Ignored,
    };
    Ok(node)
}

/// `xml:base` and `p:requireSchemaAuthz` on the root; other attributes are ignored.
fn root_attributes(reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> Result<RawAcl, AclError> {
    let mut acl = RawAcl::default();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| content(err.to_string()))?;
        let (res, local) = reader.resolve_attribute(attr.key);
        let ns = match res {
            ResolveResult::Bound(ns) => ns.into_inner(),
            ResolveResult::Unbound => continue,
            ResolveResult::Unknown(_) => return Err(content("undeclared attribute prefix")),
        };
        let value = attr
            .decode_and_unescape_value(reader.decoder())
            .map_err(|err| content(err.to_string()))?;
        match (ns, local.into_inner()) {
            (ns, b"base") if ns == NS_XML.as_bytes() => {
                acl.base = Some(value.into_owned()).filter(|b| !b.is_empty());
            }
            (ns, b"requireSchemaAuthz") if ns == NS_PERSONIUM.as_bytes() => {
                acl.require_schema_authz = Some(value.into_owned());
            }
            _ => {}
        }
    }
    Ok(acl)
}

/// Text counts only directly inside `<D:href>` (JAXB drops the text of nested elements);
/// non-blank text outside the root is malformed.
fn append_text(stack: &[Node], acl: &mut Option<RawAcl>, text: &str) -> Result<(), AclError> {
    if stack.is_empty() {
        if text.trim().is_empty() {
            return Ok(());
        }
        return Err(content("text outside the root element"));
    }
    if stack.last() != Some(&Node::Href) {
        return Ok(());
    }
    let href = acl
        .as_mut()
        .and_then(|a| a.aces.last_mut())
        .and_then(|ace| ace.principal.as_mut())
        .and_then(|p| p.href.as_mut());
    if let Some(href) = href {
        if href.len() + text.len() > MAX_HREF_LEN {
            return Err(AclError::Validate("href in principal is too long".into()));
        }
        href.push_str(text);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pass 2: validate, in the order of Personium's Acl.validateAcl.
// ---------------------------------------------------------------------------------------------

fn invalid(cause: impl Into<String>) -> AclError {
    AclError::Validate(cause.into())
}

fn validate(raw: RawAcl, level: AclLevel) -> Result<AclDoc, AclError> {
    let require_schema_authz = match raw.require_schema_authz {
        None => None,
        Some(v) => Some(
            SchemaAuthz::parse(&v)
                .ok_or_else(|| invalid(format!("Value [{v}] for requireSchemaAuthz is invalid")))?,
        ),
    };
    let mut aces = Vec::with_capacity(raw.aces.len());
    for ace in raw.aces {
        let grant = ace.grant.ok_or_else(|| invalid("Can not read grant"))?;
        let principal = ace
            .principal
            .ok_or_else(|| invalid("Can not read principal"))?;
        if grant.is_empty() {
            return Err(invalid("Can not read privilege"));
        }
        let mut privileges = Vec::with_capacity(grant.len());
        for body in grant {
            let (ns, local) = body.ok_or_else(|| invalid("Privilege is empty"))?;
            let privilege = Privilege::parse(&ns, &local)
                .filter(|p| level == AclLevel::Cell || !p.is_cell_level());
            match privilege {
                Some(p) => privileges.push(p),
                None => {
                    // Java's QName.toString(): `{ns}local`, or `local` without a namespace.
                    let qname = if ns.is_empty() {
                        local
                    } else {
                        format!("{{{ns}}}{local}")
                    };
                    return Err(invalid(format!(
                        "[{qname}] that can not be set in privilege"
                    )));
                }
            }
        }
        let all = principal.all;
        let principal = match principal.href {
            // COMPAT(personium): with both, validation sees `all` but the href is what gets
            // stored (Ace.setPrincipalHref clears `all`).
            Some(href) if all || !href.is_empty() => PrincipalRef::Href(href),
            Some(_) => return Err(invalid("href in principal is empty")),
            None if all => PrincipalRef::All,
            None => return Err(invalid("Principal is neither href nor all")),
        };
        aces.push((principal, privileges));
    }
    Ok(AclDoc {
        base: raw.base,
        require_schema_authz,
        aces,
    })
}

#[cfg(test)]
mod tests;
