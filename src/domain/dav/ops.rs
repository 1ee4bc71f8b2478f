//! Writes to the box tree (`spec/personium-api.md` §6, §3.3): `ACL` on the box and its
//! collections, MKCOL (plain and extended), DELETE of collections. Each operation checks its
//! privilege (§3.2) in Personium's order, then changes the tree in one transaction.

use crate::auth::privilege::Privilege;
use crate::db::dav::{self as repo, NewNode};
use crate::db::{self, DbConn};
use crate::domain::access::CellAccess;
use crate::domain::acl::to_stored_acl;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::webdav::acl_xml::{self, AclLevel};
use crate::webdav::mkcol_xml::{self, ColType, MkcolError};

use super::locks;
use super::path::{self, NodeKind, On, MAX_CHILDREN, MAX_DEPTH, SERVICE_SRC};
use super::tree::DavPath;

/// A DAV resource's strong ETag, `"{version}-{updated}"`.
pub fn etag(version: i64, updated: i64) -> String {
    format!("\"{version}-{updated}\"")
}

/// `ACL {C}{box}[/{path}]`: replaces the resource's ACL (privilege `write-acl`); returns the
/// new ETag.
pub async fn set_acl(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    body: &[u8],
) -> Result<String> {
    target.require(cell, Privilege::WriteAcl, On::Resource)?;
    let doc = acl_xml::parse_acl(body, AclLevel::Box)?;
    let node = target.deepest();
    let (cell_id, cell_url) = (cell.id.clone(), cell.url.clone());
    let (node_id, url) = (node.row.id.clone(), target.url());
    let root = Root::of(target);
    state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                let acl = to_stored_acl(conn, &cell_id, &cell_url, &doc)?;
                root.ensure(conn)?;
                let now = now_ms();
                if !repo::set_acl(conn, &node_id, &acl.to_json(), now)? {
                    return Err(Error::new(&codes::PR404_DV_0001).param(&url));
                }
                let row = repo::find(conn, &node_id)?
                    .ok_or_else(|| Error::new(&codes::PR404_DV_0001).param(&url))?;
                Ok(etag(row.version, row.updated))
            })
        })
        .await
}

/// The outcome of a MKCOL that passed the access check.
#[derive(Debug)]
pub enum Mkcol {
    /// Created; the new collection's ETag.
    Created(String),
    /// The body asks for a collection type that cannot be made (403 `mkcol-response`).
    Refused(&'static str),
}

/// `MKCOL {C}{box}/{path}` on a missing resource: a WebDAV collection, or with an extended
/// MKCOL body an OData, Engine service (with its `__src`) or stream collection. A body that is
/// not an `mkcol` document and whose `Content-Type` is not XML is refused (415).
pub async fn mkcol(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    body: &[u8],
    content_type: Option<&str>,
    if_header: Option<&str>,
) -> Result<Mkcol> {
    let unresolved = target.unresolved();
    if unresolved == 1 {
        target.require(cell, Privilege::Bind, On::Parent)?;
    } else {
        // COMPAT(personium): below a missing collection there is no access check: 409 first.
        let parent = target.url_at(target.segments.len() - 1);
        return Err(Error::new(&codes::PR409_DV_0001).param(parent));
    }
    let name = target.segments.last().map(String::as_str).unwrap_or("");
    if !path::is_valid_name(name) {
        return Err(Error::new(&codes::PR403_DV_0004).param(name));
    }
    let kind = if body.is_empty() {
        NodeKind::Col
    } else {
        match mkcol_xml::parse_mkcol(body) {
            Ok(t) => kind_of(t),
            // RFC 4918 §9.3: a body of a type MKCOL does not understand is 415. The type alone
            // does not decide, as Personium clients send XML with curl's form type.
            Err(MkcolError::Xml(_))
                if content_type.is_some_and(|t| !mkcol_xml::is_xml_media_type(t)) =>
            {
                return Err(Error::new(&codes::PR415_MC_0001))
            }
            Err(MkcolError::Xml(detail)) => {
                return Err(Error::new(&codes::PR400_DV_0001).source(anyhow::anyhow!(detail)))
            }
            Err(MkcolError::Request(message)) => return Ok(Mkcol::Refused(message)),
        }
    };
    if target.segments.len() > MAX_DEPTH {
        return Err(Error::new(&codes::PR400_DV_0008));
    }
    let if_header = locks::parse_if(if_header)?;
    let scope = locks::Scope::of(target, false, true);
    let parent = target.deepest();
    let (cell_id, name) = (cell.id.clone(), name.to_owned());
    let parent_id = parent.row.id.clone();
    let root = Root::of(target);
    let box_id = target.bx.id.clone();
    state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                locks::require_unlocked(conn, &scope, if_header.as_ref(), now_ms())?;
                root.ensure(conn)?;
                if repo::child(conn, &parent_id, &name)?.is_some() {
                    return Err(Error::new(&codes::PR405_DV_0001));
                }
                if repo::child_count(conn, &parent_id)? >= MAX_CHILDREN {
                    return Err(Error::new(&codes::PR400_DV_0007));
                }
                let now = now_ms();
                let id = uuid::Uuid::new_v4().simple().to_string();
                let at = Place {
                    cell_id: &cell_id,
                    box_id: box_id.as_deref(),
                    now,
                };
                at.insert(conn, &id, &parent_id, &name, kind)?;
                if kind == NodeKind::Service {
                    let src = uuid::Uuid::new_v4().simple().to_string();
                    at.insert(conn, &src, &id, SERVICE_SRC, NodeKind::Col)?;
                }
                Ok(Mkcol::Created(etag(1, now)))
            })
        })
        .await
}

/// `DELETE {C}{box}/{path}` on a collection (privilege `unbind` on the parent): refused with
/// `PR403-DV-0003` while it has children, unless `X-Personium-Recursive: true` (or, with
/// `webdav.rfc4918`, unless the header is `false`: RFC 4918 §9.6.1).
pub async fn delete(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    recursive: Option<&str>,
    if_header: Option<&str>,
) -> Result<()> {
    let recursive = match recursive {
        None => state.settings.webdav.rfc4918,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(Error::new(&codes::PR400_DV_0009)
                .param("X-Personium-Recursive")
                .param(v))
        }
    };
    target.require(cell, Privilege::Unbind, On::Parent)?;
    let if_header = locks::parse_if(if_header)?;
    let scope = locks::Scope::of(target, true, true);
    let node = target.deepest();
    let (id, kind, url) = (node.row.id.clone(), node.kind, target.url());
    let bodies = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                let now = now_ms();
                locks::require_unlocked(conn, &scope, if_header.as_ref(), now)?;
                locks::release_under(conn, &scope.root_id, &scope.path, now)?;
                if !recursive && !is_empty(conn, &id, kind)? {
                    return Err(Error::new(&codes::PR403_DV_0003));
                }
                let bodies = crate::db::dav_files::subtree_blob_keys(conn, &id)?;
                // Children go with it (ON DELETE CASCADE).
                if !repo::delete(conn, &id)? {
                    return Err(Error::new(&codes::PR404_DV_0001).param(&url));
                }
                if kind != NodeKind::File {
                    // OData collections below went with it; their indexes do not cascade.
                    crate::db::odata_data::drop_orphan_indexes(conn)?;
                }
                Ok(bodies)
            })
        })
        .await?;
    // The files' bodies go once no row names them.
    super::files::remove_blobs(state.blobs.as_ref(), &bodies).await;
    Ok(())
}

/// No children; for an Engine service collection its `__src` counts while it is empty; an
/// OData collection with EntityTypes or ComplexTypes is not empty (Personium's `isEmpty`).
fn is_empty(conn: &mut DbConn, id: &str, kind: NodeKind) -> Result<bool> {
    if kind == NodeKind::OData {
        use crate::db::odata_schema::count;
        if count(conn, "odata_entity_types", id)? > 0 || count(conn, "odata_complex_types", id)? > 0
        {
            return Ok(false);
        }
    }
    let children = repo::children(conn, id)?;
    for child in &children {
        let src = kind == NodeKind::Service && child.name == SERVICE_SRC;
        if !src || repo::has_children(conn, &child.id)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn kind_of(t: ColType) -> NodeKind {
    match t {
        ColType::WebDav => NodeKind::Col,
        ColType::OData => NodeKind::OData,
        ColType::Service => NodeKind::Service,
        ColType::Stream => NodeKind::Stream,
    }
}

/// The box root node as a write needs it: created in the write transaction by
/// [`Root::ensure`] when nothing was ever written into the box (a box's root row is made
/// lazily, see `db::dav`).
pub(super) struct Root(Option<NewRoot>);

/// A root row to insert.
struct NewRoot {
    id: String,
    cell_id: String,
    box_id: Option<String>,
    published: i64,
    updated: i64,
}

impl Root {
    /// What `target`'s box needs: nothing when its root node is stored.
    pub(super) fn of(target: &DavPath) -> Root {
        let stored = target.nodes.first().is_some_and(|n| n.stored);
        Root((!stored).then(|| NewRoot {
            id: target.root_id().to_owned(),
            cell_id: target.cell_id.clone(),
            box_id: target.bx.id.clone(),
            published: target.bx.published,
            updated: target.bx.updated,
        }))
    }

    /// Creates the root node if the box has none yet; call it inside the write transaction,
    /// before the write.
    pub(super) fn ensure(&self, conn: &mut DbConn) -> Result<()> {
        let Some(root) = &self.0 else {
            return Ok(());
        };
        repo::ensure_root(
            conn,
            &NewNode {
                id: &root.id,
                cell_id: &root.cell_id,
                box_id: root.box_id.as_deref(),
                parent_id: None,
                name: "",
                kind: NodeKind::Box.as_str(),
                version: 1,
                published: root.published,
                updated: root.updated,
            },
        )?;
        Ok(())
    }
}

/// Where new nodes go.
struct Place<'a> {
    cell_id: &'a str,
    box_id: Option<&'a str>,
    now: i64,
}

impl Place<'_> {
    fn insert(
        &self,
        conn: &mut DbConn,
        id: &str,
        parent_id: &str,
        name: &str,
        kind: NodeKind,
    ) -> Result<()> {
        repo::insert(
            conn,
            &NewNode {
                id,
                cell_id: self.cell_id,
                box_id: self.box_id,
                parent_id: Some(parent_id),
                name,
                kind: kind.as_str(),
                version: 1,
                published: self.now,
                updated: self.now,
            },
        )
        .map_err(|e| {
            // A concurrent MKCOL of the same name won.
            if e.is_unique_violation() {
                Error::new(&codes::PR405_DV_0001)
            } else {
                e.into()
            }
        })
    }
}
