//! `LOCK` and `UNLOCK` on box resources (beyond Personium; RFC 4918 §9.10-9.11): new locks,
//! refreshes (LOCK without body, token in `If`), and removal. The lock model and the check
//! every write runs are in [`super::locks`].

use crate::auth::privilege::Privilege;
use crate::db;
use crate::db::dav_files as files_repo;
use crate::db::dav_locks::{self as repo, LockRow};
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::webdav::lock_xml;

use super::files;
use super::locks::{self, covers, parse_if, Scope, DEFAULT_TIMEOUT, MAX_TIMEOUT};
use super::ops::Root;
use super::path::On;
use super::tree::DavPath;

/// The headers LOCK reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct LockHeaders<'a> {
    pub depth: Option<&'a str>,
    pub timeout: Option<&'a str>,
    pub if_header: Option<&'a str>,
}

/// A granted or refreshed lock.
#[derive(Debug)]
pub struct Locked {
    /// 201: the URL was unmapped.
    pub created: bool,
    pub token: String,
    /// The `<prop><lockdiscovery>` body.
    pub body: String,
}

/// The privilege to lock or unlock: `write-content` on a resource, `bind` on the parent of an
/// unmapped URL (whose parent must exist: `PR409-DV-0001`).
fn require(cell: &CellAccess, target: &DavPath) -> Result<()> {
    match target.unresolved() {
        0 => target.require(cell, Privilege::WriteContent, On::Resource),
        1 => target.require(cell, Privilege::Bind, On::Parent),
        _ => {
            let parent = target.url_at(target.segments.len() - 1);
            Err(Error::new(&codes::PR409_DV_0001).param(parent))
        }
    }
}

/// `LOCK {C}{box}[/{path}]`.
pub async fn lock(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    body: &[u8],
    h: LockHeaders<'_>,
) -> Result<Locked> {
    require(cell, target)?;
    let timeout = lock_xml::timeout(h.timeout, DEFAULT_TIMEOUT, MAX_TIMEOUT);
    let if_header = parse_if(h.if_header)?;
    let info = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(
            lock_xml::parse(body)
                .map_err(|e| Error::new(&codes::PR400_DV_0001).source(anyhow::anyhow!(e)))?,
        )
    };
    let infinite = match h.depth {
        None => true,
        Some(d) if d.eq_ignore_ascii_case("infinity") => true,
        Some("0") => false,
        Some(d) => return Err(Error::new(&codes::PR400_DV_0003).param(d)),
    };
    let (cell_id, root_id, box_url) = (
        cell.id.clone(),
        target.root_id().to_owned(),
        target.box_url(),
    );
    let path = target.segments.join("/");
    let created = target.unresolved() > 0;
    // RFC 4918 §7.3: a new lock on an unmapped URL creates an empty file there, a new member
    // of its parent (whose locks apply as to a PUT).
    let file = match (&info, target.unresolved()) {
        (Some(_), 1) => Some(files::empty_file(state, target).await?),
        _ => None,
    };
    let key = file.as_ref().map(|f| f.key().to_owned());
    let (root, member) = (Root::of(target), Scope::of(target, false, true));
    let outcome = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                if let Some(file) = &file {
                    files_repo::lock_node(conn, file.parent_id())?;
                }
                let (now, mut named) = (now_ms(), false);
                repo::purge_expired(conn, &root_id, now)?;
                let active = repo::list_active(conn, &root_id, now)?;
                let expires = now + timeout * 1000;
                let row = match info {
                    // A refresh: the token comes in the If header.
                    None => {
                        let tokens: Vec<&str> = if_header.iter().flat_map(|h| h.tokens()).collect();
                        let mut row = active
                            .into_iter()
                            .find(|l| tokens.contains(&l.token.as_str()) && covers(l, &path))
                            .ok_or_else(|| Error::new(&codes::PR412_DV_0001))?;
                        repo::refresh(conn, &row.token, timeout, expires)?;
                        (row.timeout_secs, row.expires) = (timeout, expires);
                        row
                    }
                    Some(info) => {
                        let conflict = active.iter().any(|l| {
                            (covers(l, &path) || (infinite && locks::is_below(&l.path, &path)))
                                && (l.exclusive || info.exclusive)
                        });
                        if conflict {
                            return Err(Error::new(&codes::PR423_DV_0001).param(&path));
                        }
                        if let Some(file) = &file {
                            locks::require_unlocked(conn, &member, if_header.as_ref(), now)?;
                            root.ensure(conn)?;
                            if file.is_free(conn)? {
                                file.apply(conn)?;
                                named = true;
                            }
                        }
                        let row = LockRow {
                            token: format!("opaquelocktoken:{}", uuid::Uuid::new_v4()),
                            cell_id,
                            root_id,
                            path,
                            exclusive: info.exclusive,
                            infinite,
                            owner: info.owner,
                            timeout_secs: timeout,
                            expires,
                            created: now,
                        };
                        repo::insert(conn, &row)?;
                        row
                    }
                };
                let body = lock_xml::lock_response(&locks::active(&row, &box_url, now));
                let locked = Locked {
                    created: created && row.created == now,
                    token: row.token,
                    body,
                };
                Ok((locked, named))
            })
        })
        .await;
    // A body no row names (the LOCK failed, or a concurrent write took the name) goes.
    match (&outcome, key) {
        (Ok((_, true)), _) | (_, None) => {}
        (_, Some(key)) => files::remove_blob(state.blobs.as_ref(), &key).await,
    }
    outcome.map(|(locked, _)| locked)
}

/// `UNLOCK {C}{box}[/{path}]` with `Lock-Token: <token>`: removes a lock that applies to the
/// URL (else `PR400-DV-0009`; RFC 4918 says 409, Personium has no code for it).
pub async fn unlock(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    lock_token: Option<&str>,
) -> Result<()> {
    require(cell, target)?;
    let Some(raw) = lock_token else {
        return Err(Error::new(&codes::PR400_DV_0010).param("Lock-Token"));
    };
    let token = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let invalid = Error::new(&codes::PR400_DV_0009)
        .param("Lock-Token")
        .param(raw);
    let (root_id, path) = (target.root_id().to_owned(), target.segments.join("/"));
    state
        .db
        .run(move |conn| {
            let found = repo::list_active(conn, &root_id, now_ms())?
                .into_iter()
                .any(|l| l.token == token && covers(&l, &path));
            if !found {
                return Err(invalid);
            }
            repo::delete(conn, &[token])?;
            Ok(())
        })
        .await
}
