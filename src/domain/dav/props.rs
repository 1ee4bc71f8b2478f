//! `PROPPATCH` on the box and every node below it (`spec/personium-api.md` §6, §3.2;
//! Personium's `DavCmpFsImpl.proppatch`): dead properties in any namespace, set and removed in
//! one go, stored in `dav_nodes.props` in the same format as the cell's (`webdav::props`).

use crate::auth::privilege::Privilege;
use crate::db;
use crate::db::dav as repo;
use crate::db::dead_props::{self, Owner};
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::webdav::proppatch::{self, PropStatus, Semantics};
use crate::webdav::props::DeadProps;

use super::locks::{self, parse_if, Scope};
use super::ops::{etag, Root};
use super::path::On;
use super::tree::DavPath;

/// How often a PROPPATCH retries when another write changed the node under it.
const MAX_ATTEMPTS: usize = 5;

/// The answer to a PROPPATCH: the 207 body and the resource's new ETag.
pub struct Patched {
    pub multistatus: String,
    pub etag: String,
}

/// `PROPPATCH {C}{box}[/{path}]` (privilege `write-properties`): applies every set and remove
/// atomically; a refused body changes nothing. `webdav.rfc4918` picks RFC 4918's semantics
/// over Personium's ([`Semantics`]).
#[tracing::instrument(skip_all, fields(cell = %cell.name))]
pub async fn proppatch(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    body: &[u8],
    if_header: Option<&str>,
) -> Result<Patched> {
    target.require(cell, Privilege::WriteProperties, On::Resource)?;
    let update = proppatch::parse(body)?;
    let if_header = parse_if(if_header)?;
    let scope = Scope::of(target, false, false);
    let node = target.deepest();
    let (node_id, url) = (node.row.id.clone(), target.url());
    let root = Root::of(target);
    let semantics = if state.settings.webdav.rfc4918 {
        Semantics::Rfc4918
    } else {
        Semantics::Personium
    };
    state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                locks::require_unlocked(conn, &scope, if_header.as_ref(), now_ms())?;
                root.ensure(conn)?;
                for _ in 0..MAX_ATTEMPTS {
                    let row = repo::find(conn, &node_id)?
                        .ok_or_else(|| Error::new(&codes::PR404_DV_0001).param(&url))?;
                    let mut props =
                        DeadProps::from_json(row.props.as_deref()).map_err(Error::internal)?;
                    let results: Vec<PropStatus> = update.apply_as(&mut props, semantics);
                    let now = now_ms();
                    if dead_props::replace(
                        conn,
                        Owner::DavNode,
                        &node_id,
                        &props.to_json(),
                        row.version,
                        now,
                    )? {
                        return Ok(Patched {
                            multistatus: proppatch::render_multistatus(&url, &results),
                            etag: etag(row.version + 1, now),
                        });
                    }
                }
                Err(Error::internal(anyhow::anyhow!(
                    "node kept changing during PROPPATCH"
                )))
            })
        })
        .await
}
