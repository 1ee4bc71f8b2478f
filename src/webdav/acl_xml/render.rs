//! The `<acl>` property as PROPFIND shows it to callers with `read-acl` (box) or `acl-read`
//! (cell): `xml:base` = `{C}__role/{box}/` in a box and `{C}__role/__/` at cell level, role
//! hrefs relative to it, `p:requireSchemaAuthz` when set, and the ACEs inherited from the
//! parent collections up to the box, each with `<inherited><href>{parent URL}</href>`
//! (`spec/personium-api.md` §3.3; RFC 3744 §5.5).

use std::fmt::Write as _;

use quick_xml::escape::{escape, partial_escape};

use crate::auth::acl::SchemaAuthz;
use crate::auth::privilege::{PrivSet, Privilege, NS_PERSONIUM};

/// How the element is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclXmlStyle {
    /// Byte for byte what Personium writes inside its `<multistatus xmlns="DAV:">`: DAV
    /// elements unprefixed (the default namespace must be `DAV:` where this is embedded),
    /// `D:` privileges as `<D:read xmlns:D="DAV:"/>`, `p:` ones as `<p:exec/>`.
    Personium,
    /// Self-contained, for a multistatus that uses the `D:` prefix: `<D:acl xmlns:D="DAV:" …>`.
    Prefixed,
}

/// An ACE's principal, as shown: `<all/>` or a role href relative to `xml:base`
/// (see [`role_href`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderPrincipal<'a> {
    All,
    Href(&'a str),
}

/// One ACE to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderAce<'a> {
    pub principal: RenderPrincipal<'a>,
    pub grant: PrivSet,
    /// For an ACE of an ancestor collection (or of the box): that resource's URL.
    pub inherited: Option<&'a str>,
}

/// The ACL of one resource as PROPFIND shows it. ACEs whose role no longer exists are left
/// out by the caller, as Personium does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderAcl<'a> {
    /// `xml:base`: [`role_base_url`] of the resource's box (`None` at cell level). A box export
    /// writes `{schema}__role/__/` instead.
    pub base: &'a str,
    /// The value set on this resource itself (not the inherited one).
    pub require_schema_authz: Option<SchemaAuthz>,
    /// The resource's own ACEs, then its parent's (inherited), up to the box.
    pub aces: &'a [RenderAce<'a>],
    pub style: AclXmlStyle,
}

/// `{cell_url}__role/{box or __}/`, the `xml:base` of an ACL in that box (`None` = cell level,
/// which uses the main box `__`).
pub fn role_base_url(cell_url: &str, bx: Option<&str>) -> String {
    format!("{cell_url}__role/{}/", bx.unwrap_or("__"))
}

/// A role's href relative to `xml:base`: the bare name when the role belongs to the same box
/// as the base (`None` = `__`), else `../{box or __}/{name}`.
pub fn role_href(base_box: Option<&str>, role_box: Option<&str>, role: &str) -> String {
    let (base_box, role_box) = (base_box.unwrap_or("__"), role_box.unwrap_or("__"));
    if base_box == role_box {
        role.to_owned()
    } else {
        format!("../{role_box}/{role}")
    }
}

/// Renders the `<acl>` element (no XML declaration, no whitespace between elements).
pub fn render_acl(doc: &RenderAcl<'_>) -> String {
    let d = match doc.style {
        AclXmlStyle::Personium => "",
        AclXmlStyle::Prefixed => "D:",
    };
    let mut out = String::with_capacity(128 + doc.aces.len() * 160);
    let base = escape(doc.base);
    let rsa = doc.require_schema_authz.map(SchemaAuthz::as_str);
    match doc.style {
        // COMPAT(personium): attributes in the order Personium's serializer writes them, sorted by
        // qualified name, with the `DAV:` default namespace inherited from <multistatus>.
        AclXmlStyle::Personium => {
            out.push_str("<acl");
            if let Some(v) = rsa {
                let _ = write!(out, " p:requireSchemaAuthz=\"{v}\"");
            }
            let _ = write!(out, " xml:base=\"{base}\" xmlns:p=\"{NS_PERSONIUM}\"");
        }
        AclXmlStyle::Prefixed => {
            let _ = write!(
                out,
                "<D:acl xmlns:D=\"DAV:\" xmlns:p=\"{NS_PERSONIUM}\" xml:base=\"{base}\""
            );
            if let Some(v) = rsa {
                let _ = write!(out, " p:requireSchemaAuthz=\"{v}\"");
            }
        }
    }
    if doc.aces.is_empty() {
        out.push_str("/>");
        return out;
    }
    out.push('>');
    for ace in doc.aces {
        let _ = write!(out, "<{d}ace><{d}principal>");
        match ace.principal {
            RenderPrincipal::All => {
                let _ = write!(out, "<{d}all/>");
            }
            RenderPrincipal::Href(href) => {
                let _ = write!(out, "<{d}href>{}</{d}href>", partial_escape(href));
            }
        }
        let _ = write!(out, "</{d}principal><{d}grant>");
        for p in ace.grant.iter() {
            let _ = write!(out, "<{d}privilege>");
            privilege_element(&mut out, p, doc.style);
            let _ = write!(out, "</{d}privilege>");
        }
        let _ = write!(out, "</{d}grant>");
        if let Some(url) = ace.inherited {
            let _ = write!(
                out,
                "<{d}inherited><{d}href>{}</{d}href></{d}inherited>",
                partial_escape(url)
            );
        }
        let _ = write!(out, "</{d}ace>");
    }
    let _ = write!(out, "</{d}acl>");
    out
}

fn privilege_element(out: &mut String, p: Privilege, style: AclXmlStyle) {
    let (prefix, name) = (p.prefix(), p.name());
    match (style, prefix) {
        // COMPAT(personium): stored privileges come back as `D:`-prefixed DOM elements, which
        // Personium's writer re-declares because `D` is not bound in its output.
        (AclXmlStyle::Personium, "D") => {
            let _ = write!(out, "<D:{name} xmlns:D=\"DAV:\"/>");
        }
        _ => {
            let _ = write!(out, "<{prefix}:{name}/>");
        }
    }
}
