//! `COPY` inside a box (beyond Personium, for desktop WebDAV clients; RFC 4918 §9.8): a
//! collection with `Depth: 0` (the collection alone) or `infinity` (its whole subtree), or a
//! node, copied row by row in one transaction. Dead properties are copied; ACLs are not (the
//! copy inherits its new parent's). File bodies are copied into new blobs before that
//! transaction ([`Bodies`]), and removed again when it fails.

use crate::auth::privilege::Privilege;
use crate::db::dav::{self as repo, NodeRow};
use crate::db::{self, DbConn};
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

use super::copy_bodies::Bodies;
use super::destination;
use super::locks::{self, Scope};
use super::moves::{validate, MoveHeaders, Moved, Replace};
use super::ops::etag;
use super::path::{NodeKind, On, SERVICE_SRC};
use super::tree::DavPath;

/// `COPY {C}{box}/{path}` (privilege `read` on the source, `bind` — and `unbind` when
/// replacing — on the destination's parent). `Overwrite` defaults to `T` (RFC 4918 §10.6).
#[tracing::instrument(skip_all, fields(cell = %cell.name))]
pub async fn copy(
    state: &AppState,
    cell: &CellAccess,
    source: &DavPath,
    h: MoveHeaders<'_>,
) -> Result<Moved> {
    source.require(cell, Privilege::Read, On::Resource)?;
    let deep = match h.depth {
        None => true,
        Some(d) if d.eq_ignore_ascii_case("infinity") => true,
        Some("0") => false,
        Some(d) => return Err(Error::new(&codes::PR400_DV_0003).param(d)),
    };
    let overwrite = destination::overwrite(h.overwrite.or(Some("T")))?;
    let segments = destination::segments(source, h.destination)?;
    if deep && segments.starts_with(&source.segments) {
        return Err(Error::new(&codes::PR400_DV_0009)
            .param("Destination")
            .param(h.destination.unwrap_or("")));
    }
    let node = source.deepest();
    let dest = destination::load(state, source, h.destination.unwrap_or(""), segments).await?;
    validate(&dest, overwrite, node.kind, Replace::Any)?;
    let slot = dest.claim(cell)?;
    let if_header = locks::parse_if(h.if_header)?;
    let to = Scope::destination(&dest.path);
    let from = node.row.clone();
    let bodies = Bodies::stage(state, &from, deep).await?;
    let bodies = std::sync::Arc::new(bodies);
    let staged = bodies.clone();
    let outcome = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                locks::require_unlocked(conn, &to, if_header.as_ref(), now_ms())?;
                let height = if deep {
                    destination::height(conn, &from.id)?
                } else {
                    0
                };
                let replaced = slot.prepare(conn, height)?;
                let now = now_ms();
                let copy = Copy {
                    bodies: &staged,
                    deep,
                    now,
                };
                copy.tree(conn, &from, &slot.parent_id, &slot.name)?;
                let copied = Moved {
                    created: slot.replaced.is_none(),
                    location: slot.location.clone(),
                    etag: etag(1, now),
                };
                Ok((copied, replaced))
            })
        })
        .await;
    match outcome {
        Ok((copied, replaced)) => {
            super::files::remove_blobs(state.blobs.as_ref(), &replaced).await;
            Ok(copied)
        }
        Err(e) => {
            bodies.remove(state).await;
            Err(e)
        }
    }
}

/// One COPY's rows.
struct Copy<'a> {
    bodies: &'a Bodies,
    deep: bool,
    now: i64,
}

impl Copy<'_> {
    /// Copies `from` as `name` under `parent_id`, and with `deep` everything below it. An
    /// Engine service collection always gets its `__src` (with `deep`, its files too).
    fn tree(&self, conn: &mut DbConn, from: &NodeRow, parent_id: &str, name: &str) -> Result<()> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        if !repo::copy_row(conn, &from.id, &id, parent_id, name, self.now)? {
            return Err(Error::new(&codes::PR404_DV_0001).param(name));
        }
        if from.kind == NodeKind::File.as_str() {
            if !self.bodies.apply(conn, from, &id)? {
                // Written after the bodies were copied: not part of this COPY.
                repo::delete(conn, &id)?;
            }
            return Ok(());
        }
        let service = from.kind == NodeKind::Service.as_str();
        if !self.deep && !service {
            return Ok(());
        }
        for child in repo::children(conn, &from.id)? {
            let src = service && child.name == SERVICE_SRC;
            if self.deep || src {
                self.tree(conn, &child, &id, &child.name)?;
            }
        }
        Ok(())
    }
}
