//! `PROPFIND` on the box and its collections (`spec/personium-api.md` §6; Personium's
//! `DavRsCmp.doPropfind` / `createDavResponse`): Depth 0 or 1, one `<response>` per resource
//! with `creationdate`, `getlastmodified`, `resourcetype` (file: `getcontentlength`,
//! `getcontenttype`), the `<acl>` for callers with `read-acl` (own ACEs, then the inherited
//! ones of each ancestor up to the box), and the dead properties.
//!
//! Beyond Personium (which answers every PROPFIND as `allprop`): a `<prop>` list answers
//! only the named properties (found ones in a 200 propstat, the others in a 404 one), and
//! `<propname/>` lists the names (RFC 4918 §9.1). An empty body or `<allprop/>` gives
//! Personium's answer unchanged. Named requests can also get ownCloud's `oc:checksums`
//! (`webdav::owncloud`); `getlastmodified` shows a modification time set by `X-OC-Mtime`.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::auth::acl::{AcePrincipal, Acl};
use crate::auth::privilege::Privilege;
use crate::auth::privilege::NS_DAV;
use crate::db::access as role_repo;
use crate::db::dav::{self as repo, NodeRow};
use crate::db::dav_locks::{self as lock_repo, LockRow};
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::model::time::{http_date, iso8601};
use crate::state::AppState;
use crate::webdav::acl_xml::{self, AclXmlStyle, RenderAce, RenderAcl, RenderPrincipal};
use crate::webdav::lock_xml;
use crate::webdav::owncloud::{Checksums, NS_OC};
use crate::webdav::propfind_xml::{self, Selection};
use crate::webdav::props::DeadProps;

use super::locks;
use super::ops::etag;
use super::path::{NodeKind, On};
use super::tree::DavPath;

/// A multistatus ready to send, and the target's ETag.
pub struct Multistatus {
    pub body: String,
    pub etag: String,
}

/// `PROPFIND {C}{box}[/{path}]` (privilege `read-properties`; the ACL needs `read-acl`).
pub async fn propfind(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    depth: Option<&str>,
    body: &[u8],
) -> Result<Multistatus> {
    target.require(cell, Privilege::ReadProperties, On::Resource)?;
    let selection = propfind_xml::parse(body)
        .map_err(|e| Error::new(&codes::PR400_DV_0001).source(anyhow::anyhow!(e)))?;
    let with_children = match depth {
        Some("0") => false,
        Some("1") => true,
        Some("infinity") => return Err(Error::new(&codes::PR403_DV_0001)),
        other => return Err(Error::new(&codes::PR400_DV_0003).param(other.unwrap_or("null"))),
    };
    let chain = target.chain(On::Resource);
    let show_acl = cell.can_read_acl_at(target.level(), &chain, Privilege::ReadAcl);
    let node = target.deepest();
    let (id, root_id, stored) = (
        node.row.id.clone(),
        target.root_id().to_owned(),
        node.stored,
    );
    let now = now_ms();
    let (children, locks) = state
        .db
        .read(move |conn| {
            let children = if with_children && stored {
                repo::children(conn, &id)?
            } else {
                Vec::new()
            };
            Ok::<_, Error>((children, lock_repo::list_active(conn, &root_id, now)?))
        })
        .await?;
    let roles = if show_acl {
        role_names(state, target, &children).await?
    } else {
        Vec::new()
    };
    let ctx = Render {
        target,
        roles: &roles,
        show_acl,
        selection: &selection,
        locks: &locks,
        now,
        base: acl_xml::role_base_url(&target.cell_url, Some(&target.bx.name)),
        box_url: target.box_url(),
        child_acl: std::cell::OnceCell::new(),
    };
    // About 700 bytes per response with an ACL: sized once rather than grown by copying.
    let mut body = String::with_capacity(1024 + 768 * children.len());
    body.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <multistatus xmlns=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\">",
    );
    let href = target.url();
    ctx.response(
        &mut body,
        &href,
        &node.row,
        node.kind,
        &node.acl,
        target.nodes.len() - 1,
    )?;
    for child in &children {
        let kind = NodeKind::parse(&child.kind)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("unknown node kind {}", child.kind)))?;
        let acl = parse_acl(child.acl.as_deref())?;
        let href = format!("{href}/{}", child.name);
        ctx.response(&mut body, &href, child, kind, &acl, target.nodes.len())?;
    }
    body.push_str("</multistatus>");
    Ok(Multistatus {
        body,
        etag: etag(node.row.version, node.row.updated),
    })
}

fn parse_acl(json: Option<&str>) -> Result<Acl> {
    match json {
        Some(j) => Acl::from_json(j).map_err(Error::internal),
        None => Ok(Acl::default()),
    }
}

/// (role id, role name, box name) of every role the shown ACLs name.
async fn role_names(
    state: &AppState,
    target: &DavPath,
    children: &[NodeRow],
) -> Result<Vec<(String, String, Option<String>)>> {
    let mut ids: Vec<String> = Vec::new();
    let mut add = |acl: &Acl| {
        for ace in &acl.aces {
            if let AcePrincipal::Role(id) = &ace.principal {
                ids.push(id.as_str().to_owned());
            }
        }
    };
    for node in &target.nodes {
        add(&node.acl);
    }
    for child in children {
        add(&parse_acl(child.acl.as_deref())?);
    }
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    state
        .db
        .read(move |conn| Ok::<_, Error>(role_repo::roles_by_ids(conn, &ids)?))
        .await
}

/// The resource one `<response>` describes.
struct Live<'a> {
    row: &'a NodeRow,
    kind: NodeKind,
    acl: &'a Acl,
    depth: usize,
    /// Its path below the box, for lock discovery.
    path: &'a str,
}

struct Render<'a> {
    target: &'a DavPath,
    roles: &'a [(String, String, Option<String>)],
    show_acl: bool,
    selection: &'a Selection,
    locks: &'a [LockRow],
    now: i64,
    /// `xml:base` of the box's ACLs: `{C}__role/{box}/`.
    base: String,
    /// The box URL (`target.box_url()`), formatted once for every response.
    box_url: String,
    /// The `<acl>` of a child without an ACL of its own, once rendered.
    child_acl: std::cell::OnceCell<String>,
}

impl Render<'_> {
    /// One `<response>`; `depth` = how many ancestors the resource has below the box root
    /// (0 = the box itself): the ACLs of `target.nodes[..depth]` are inherited.
    fn response(
        &self,
        out: &mut String,
        href: &str,
        row: &NodeRow,
        kind: NodeKind,
        acl: &Acl,
        depth: usize,
    ) -> Result<()> {
        out.push_str("<response><href>");
        out.push_str(&escape(href));
        out.push_str("</href>");
        let dead = DeadProps::from_json(row.props.as_deref()).map_err(Error::internal)?;
        let live = Live {
            row,
            kind,
            acl,
            depth,
            path: href
                .strip_prefix(&self.box_url)
                .unwrap_or("")
                .trim_start_matches('/'),
        };
        if *self.selection == Selection::AllProp {
            // Personium's answer, written straight into the body.
            out.push_str("<propstat><prop>");
            self.each_live(&live, &mut |_, _, xml| out.push_str(xml));
            dead.write_to(out);
            out.push_str("</prop><status>HTTP/1.1 200 OK</status></propstat></response>");
            return Ok(());
        }
        let mut props: Vec<(&'static str, &'static str, String)> = Vec::new();
        self.each_live(&live, &mut |ns, local, xml| {
            props.push((ns, local, xml.to_owned()))
        });
        let (mut found, mut missing) = (String::new(), String::new());
        match self.selection {
            Selection::AllProp => {}
            Selection::PropName => {
                for (ns, local, _) in &props {
                    found.push_str(&propfind_xml::empty_element(ns, local));
                }
                for (ns, local) in dead.names() {
                    found.push_str(&propfind_xml::empty_element(&ns, &local));
                }
            }
            Selection::Prop(names) => {
                for (ns, local) in names {
                    let live = props.iter().find(|(n, l, _)| n == ns && l == local);
                    match (live, dead.get(ns, local)) {
                        (Some((_, _, xml)), _) => found.push_str(xml),
                        (None, Some(v)) => found.push_str(v.0),
                        (None, None) => missing.push_str(&propfind_xml::empty_element(ns, local)),
                    }
                }
            }
        }
        if !found.is_empty() || missing.is_empty() {
            let _ = write!(
                out,
                "<propstat><prop>{found}</prop><status>HTTP/1.1 200 OK</status></propstat>"
            );
        }
        if !missing.is_empty() {
            let _ = write!(
                out,
                "<propstat><prop>{missing}</prop><status>HTTP/1.1 404 Not Found</status></propstat>"
            );
        }
        out.push_str("</response>");
        Ok(())
    }

    /// Hands each live property of a resource to `f` as (namespace, name, element), in
    /// Personium's order, then the lock properties and (named requests only) the checksums.
    fn each_live(&self, r: &Live<'_>, f: &mut dyn FnMut(&'static str, &'static str, &str)) {
        let row = r.row;
        let mut xml = String::with_capacity(128);
        let mut emit = |ns, local, xml: &mut String| {
            f(ns, local, xml);
            xml.clear();
        };
        xml.push_str("<creationdate>");
        xml.push_str(&iso8601(row.published));
        xml.push_str("</creationdate>");
        emit(NS_DAV, "creationdate", &mut xml);
        xml.push_str("<getlastmodified>");
        xml.push_str(&http_date(row.last_modified()));
        xml.push_str("</getlastmodified>");
        emit(NS_DAV, "getlastmodified", &mut xml);
        xml.push_str(match r.kind {
            NodeKind::File => "<resourcetype/>",
            NodeKind::OData => "<resourcetype><collection/><p:odata/></resourcetype>",
            NodeKind::Service => "<resourcetype><collection/><p:service/></resourcetype>",
            NodeKind::Stream => "<resourcetype><collection/><p:stream/></resourcetype>",
            NodeKind::Box | NodeKind::Col => "<resourcetype><collection/></resourcetype>",
        });
        emit(NS_DAV, "resourcetype", &mut xml);
        if r.kind == NodeKind::File {
            let _ = write!(
                xml,
                "<getcontentlength>{}</getcontentlength>",
                row.size.unwrap_or(0)
            );
            emit(NS_DAV, "getcontentlength", &mut xml);
            xml.push_str("<getcontenttype>");
            xml.push_str(&escape(row.content_type.as_deref().unwrap_or("")));
            xml.push_str("</getcontenttype>");
            emit(NS_DAV, "getcontenttype", &mut xml);
            // Ours beyond Personium: `getetag`, which RFC 4918 clients (rclone, litmus)
            // compare to tell a changed file.
            xml.push_str("<getetag>");
            xml.push_str(&etag(row.version, row.updated));
            xml.push_str("</getetag>");
            emit(NS_DAV, "getetag", &mut xml);
        }
        if self.show_acl {
            self.acl(&mut xml, r.acl, r.depth);
            emit(NS_DAV, "acl", &mut xml);
        }
        let found = locks::discovery(self.locks, &self.box_url, r.path, self.now);
        // Personium has no locks: its allprop answer gains them only while a lock exists.
        if !found.is_empty() || *self.selection != Selection::AllProp {
            xml.push_str(&lock_xml::lockdiscovery(&found));
            emit(NS_DAV, "lockdiscovery", &mut xml);
            xml.push_str(lock_xml::SUPPORTEDLOCK);
            emit(NS_DAV, "supportedlock", &mut xml);
        }
        // Ours beyond Personium: ownCloud's checksums, for clients that name them (rclone);
        // `allprop` stays Personium's answer.
        if let (Some(sha1), Some(md5), false) =
            (&row.sha1, &row.md5, *self.selection == Selection::AllProp)
        {
            let _ = write!(xml, "{}", Checksums { sha1, md5 });
            emit(NS_OC, "checksums", &mut xml);
        }
    }

    /// Appends the `<acl>` of a resource with ACL `own` and `depth` ancestors. The children of
    /// a Depth 1 listing that have no ACL of their own all show the same one: it is rendered
    /// once.
    fn acl(&self, out: &mut String, own: &Acl, depth: usize) {
        if depth == self.target.nodes.len() && *own == Acl::default() {
            let shared = self.child_acl.get_or_init(|| {
                let mut xml = String::new();
                self.render_acl(&mut xml, own, depth);
                xml
            });
            out.push_str(shared);
            return;
        }
        self.render_acl(out, own, depth);
    }

    fn render_acl(&self, out: &mut String, own: &Acl, depth: usize) {
        let bx = Some(self.target.bx.name.as_str());
        let hrefs: Vec<Option<String>> = std::iter::once(own)
            .chain(self.target.nodes[..depth].iter().rev().map(|n| &n.acl))
            .flat_map(|acl| acl.aces.iter())
            .map(|ace| match &ace.principal {
                AcePrincipal::All => None,
                AcePrincipal::Role(id) => self
                    .roles
                    .iter()
                    .find(|(rid, _, _)| rid == id.as_str())
                    .map(|(_, name, role_box)| acl_xml::role_href(bx, role_box.as_deref(), name)),
            })
            .collect();
        let inherited: Vec<String> = (0..depth).rev().map(|d| self.target.url_at(d)).collect();
        let sources = std::iter::once((own, None)).chain(
            self.target.nodes[..depth]
                .iter()
                .rev()
                .zip(&inherited)
                .map(|(n, url)| (&n.acl, Some(url.as_str()))),
        );
        let mut aces = Vec::new();
        let mut href = hrefs.iter();
        for (acl, from) in sources {
            for ace in &acl.aces {
                let h = href.next().and_then(Option::as_deref);
                let principal = match (&ace.principal, h) {
                    (AcePrincipal::All, _) => RenderPrincipal::All,
                    (AcePrincipal::Role(_), Some(h)) => RenderPrincipal::Href(h),
                    // A deleted role's ACE is not shown.
                    (AcePrincipal::Role(_), None) => continue,
                };
                aces.push(RenderAce {
                    principal,
                    grant: ace.grant,
                    inherited: from,
                });
            }
        }
        out.push_str(&acl_xml::render_acl(&RenderAcl {
            base: &self.base,
            require_schema_authz: own.require_schema_authz,
            aces: &aces,
            style: AclXmlStyle::Personium,
        }));
    }
}
