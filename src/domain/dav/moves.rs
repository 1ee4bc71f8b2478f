//! `MOVE` of collections and nodes inside a box (`spec/personium-api.md` §6, §3.2;
//! Personium's `DavMoveResource`, `DavDestination`, `DavCmpFsImpl.move`): one row renamed
//! and/or reparented in one transaction; its subtree follows.

use crate::auth::privilege::Privilege;
use crate::db;
use crate::db::dav as repo;
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

use super::destination::{self, Dest};
use super::locks::{self, Scope};
use super::ops::etag;
use super::path::{NodeKind, On, SERVICE_SRC};
use super::tree::DavPath;

/// The request headers MOVE reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct MoveHeaders<'a> {
    pub destination: Option<&'a str>,
    pub overwrite: Option<&'a str>,
    pub depth: Option<&'a str>,
    pub if_match: Option<&'a str>,
    /// The WebDAV `If` header (locks).
    pub if_header: Option<&'a str>,
}

/// A done MOVE (or COPY): 201 when the destination was new, 204 when it was replaced.
#[derive(Debug)]
pub struct Moved {
    pub created: bool,
    /// Answered as `Location`.
    pub location: String,
    pub etag: String,
}

/// `MOVE {C}{box}/{path}` (privilege `unbind` on the source's parent, `bind` — and `unbind`
/// when replacing — on the destination's parent).
#[tracing::instrument(skip_all, fields(cell = %cell.name))]
pub async fn move_node(
    state: &AppState,
    cell: &CellAccess,
    source: &DavPath,
    h: MoveHeaders<'_>,
) -> Result<Moved> {
    source.require(cell, Privilege::Unbind, On::Parent)?;
    let depth = h.depth.unwrap_or("infinity");
    if !depth.eq_ignore_ascii_case("infinity") {
        return Err(Error::new(&codes::PR400_DV_0003).param(depth));
    }
    let overwrite = destination::overwrite(h.overwrite)?;
    let segments = destination::segments(source, h.destination)?;
    // COMPAT(personium): a move into the source's own subtree fails there with a 500 from
    // the file system; here it is an invalid Destination.
    if segments.starts_with(&source.segments) {
        return Err(Error::new(&codes::PR400_DV_0009)
            .param("Destination")
            .param(h.destination.unwrap_or("")));
    }
    let node = source.deepest();
    let current = etag(node.row.version, node.row.updated);
    if let Some(m) = h.if_match.filter(|m| *m != "*") {
        if m != current {
            return Err(Error::new(&codes::PR412_DV_0001));
        }
    }
    let dest = destination::load(state, source, h.destination.unwrap_or(""), segments).await?;
    let replace = if state.settings.webdav.rfc4918 {
        Replace::Any
    } else {
        Replace::Files
    };
    validate(&dest, overwrite, node.kind, replace)?;
    if dest.current().is_some_and(|c| c.row.id == node.row.id) {
        return Err(Error::new(&codes::PR404_DV_0001).param(source.url()));
    }
    let slot = dest.claim(cell)?;
    let if_header = locks::parse_if(h.if_header)?;
    let from = Scope::of(source, true, true);
    let to = Scope::destination(&dest.path);
    let (id, url) = (node.row.id.clone(), source.url());
    let (moved, replaced) = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                let now = now_ms();
                locks::require_unlocked(conn, &from, if_header.as_ref(), now)?;
                locks::require_unlocked(conn, &to, if_header.as_ref(), now)?;
                locks::release_under(conn, &from.root_id, &from.path, now)?;
                let height = destination::height(conn, &id)?;
                let replaced = slot.prepare(conn, height)?;
                if !repo::move_node(conn, &id, &slot.parent_id, &slot.name, now)? {
                    return Err(Error::new(&codes::PR404_DV_0001).param(&url));
                }
                let row = repo::find(conn, &id)?
                    .ok_or_else(|| Error::new(&codes::PR404_DV_0001).param(&url))?;
                let moved = Moved {
                    created: slot.replaced.is_none(),
                    location: slot.location.clone(),
                    etag: etag(row.version, row.updated),
                };
                Ok::<_, Error>((moved, replaced))
            })
        })
        .await?;
    // A replaced destination's bodies go once no row names them.
    super::files::remove_blobs(state.blobs.as_ref(), &replaced).await;
    Ok(moved)
}

/// What may be replaced at the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Personium's MOVE: files only (`PR400-DV-0012` for collections).
    Files,
    /// COPY (RFC 4918 §9.8.4), and MOVE with `webdav.rfc4918` (§9.9.3): any
    /// resource but a service's `__src`.
    Any,
}

/// Personium's `DavDestination.validateDestinationResource`, in its order.
pub fn validate(dest: &Dest, overwrite: bool, source: NodeKind, replace: Replace) -> Result<()> {
    dest.require_parent()?;
    let parent = dest.parent().map(|p| p.kind);
    match dest.current() {
        Some(_) if !overwrite => return Err(Error::new(&codes::PR412_DV_0002)),
        Some(c) if parent == Some(NodeKind::Service) && c.row.name == SERVICE_SRC => {
            return Err(Error::new(&codes::PR400_DV_0017))
        }
        Some(c) if c.kind != NodeKind::File && replace == Replace::Files => {
            return Err(Error::new(&codes::PR400_DV_0012))
        }
        Some(_) => {}
        None => match parent {
            Some(NodeKind::OData) => return Err(Error::new(&codes::PR400_DV_0013)),
            Some(NodeKind::File) => return Err(Error::new(&codes::PR400_DV_0014)),
            Some(NodeKind::Service) => return Err(Error::new(&codes::PR400_DV_0016)),
            // Beyond Personium (which has no stream collections): nothing is moved into one.
            Some(NodeKind::Stream) => return Err(Error::new(&codes::PR400_DV_0013)),
            _ => {}
        },
    }
    if dest.grandparent().map(|g| g.kind) == Some(NodeKind::Service) && source != NodeKind::File {
        return Err(Error::new(&codes::PR400_DV_0018));
    }
    Ok(())
}

/// `MOVE` below an Engine service collection: its `__src` never moves (`write` checked
/// first); the files inside it are the next step.
pub fn move_below_service(cell: &CellAccess, target: &DavPath) -> Result<()> {
    let svc = target.nodes.len() - 1;
    if target.segments.len() == svc + 1 && target.segments[svc] == SERVICE_SRC {
        // COMPAT(personium): checked against the service collection's ACL chain, as the
        // `__src` node carries no ACL of its own here.
        target.require(cell, Privilege::Write, On::Resource)?;
        return Err(Error::new(&codes::PR400_DV_0011));
    }
    Err(Error::new(&codes::PR501_MC_0001))
}
