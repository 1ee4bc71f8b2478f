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
    };
    let mut body = String::from(
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

struct Render<'a> {
    target: &'a DavPath,
    roles: &'a [(String, String, Option<String>)],
    show_acl: bool,
    selection: &'a Selection,
    locks: &'a [LockRow],
    now: i64,
    /// `xml:base` of the box's ACLs: `{C}__role/{box}/`.
    base: String,
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
        let _ = write!(out, "<response><href>{}</href>", escape(href));
        let path = href
            .strip_prefix(&self.target.box_url())
            .unwrap_or("")
            .trim_start_matches('/');
        let mut live = self.live(row, kind, acl, depth);
        let found = locks::discovery(self.locks, &self.target.box_url(), path, self.now);
        // Personium has no locks: its allprop answer gains them only while a lock exists.
        if !found.is_empty() || *self.selection != Selection::AllProp {
            live.push((NS_DAV, "lockdiscovery", lock_xml::lockdiscovery(&found)));
            live.push((NS_DAV, "supportedlock", lock_xml::SUPPORTEDLOCK.to_owned()));
        }
        // Ours beyond Personium: ownCloud's checksums, for clients that name them (rclone);
        // `allprop` stays Personium's answer.
        if let (Some(sha1), Some(md5), false) =
            (&row.sha1, &row.md5, *self.selection == Selection::AllProp)
        {
            live.push((NS_OC, "checksums", Checksums { sha1, md5 }.to_string()));
        }
        let dead = DeadProps::from_json(row.props.as_deref()).map_err(Error::internal)?;
        let (mut found, mut missing) = (String::new(), String::new());
        match self.selection {
            Selection::AllProp => {
                for (_, _, xml) in &live {
                    found.push_str(xml);
                }
                found.push_str(&dead.render());
            }
            Selection::PropName => {
                for (ns, local, _) in &live {
                    found.push_str(&propfind_xml::empty_element(ns, local));
                }
                for (ns, local) in dead.names() {
                    found.push_str(&propfind_xml::empty_element(&ns, &local));
                }
            }
            Selection::Prop(names) => {
                for (ns, local) in names {
                    let live = live.iter().find(|(n, l, _)| n == ns && l == local);
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

    /// The live properties of a resource, in Personium's order: (namespace, name, element).
    fn live(
        &self,
        row: &NodeRow,
        kind: NodeKind,
        acl: &Acl,
        depth: usize,
    ) -> Vec<(&'static str, &'static str, String)> {
        let mut live = vec![
            (
                NS_DAV,
                "creationdate",
                format!("<creationdate>{}</creationdate>", iso8601(row.published)),
            ),
            (
                NS_DAV,
                "getlastmodified",
                format!(
                    "<getlastmodified>{}</getlastmodified>",
                    http_date(row.last_modified())
                ),
            ),
        ];
        let resourcetype = match kind {
            NodeKind::File => "<resourcetype/>",
            NodeKind::OData => "<resourcetype><collection/><p:odata/></resourcetype>",
            NodeKind::Service => "<resourcetype><collection/><p:service/></resourcetype>",
            NodeKind::Stream => "<resourcetype><collection/><p:stream/></resourcetype>",
            NodeKind::Box | NodeKind::Col => "<resourcetype><collection/></resourcetype>",
        };
        live.push((NS_DAV, "resourcetype", resourcetype.to_owned()));
        if kind == NodeKind::File {
            live.push((
                NS_DAV,
                "getcontentlength",
                format!(
                    "<getcontentlength>{}</getcontentlength>",
                    row.size.unwrap_or(0)
                ),
            ));
            live.push((
                NS_DAV,
                "getcontenttype",
                format!(
                    "<getcontenttype>{}</getcontenttype>",
                    escape(row.content_type.as_deref().unwrap_or(""))
                ),
            ));
            // Ours beyond Personium: `getetag`, which RFC 4918 clients (rclone, litmus)
            // compare to tell a changed file.
            live.push((
                NS_DAV,
                "getetag",
                format!("<getetag>{}</getetag>", etag(row.version, row.updated)),
            ));
        }
        if self.show_acl {
            let mut xml = String::new();
            self.acl(&mut xml, acl, depth);
            live.push((NS_DAV, "acl", xml));
        }
        live
    }

    fn acl(&self, out: &mut String, own: &Acl, depth: usize) {
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
