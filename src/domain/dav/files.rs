//! Files in boxes (`spec/personium-api.md` §6, §2.1; privileges §3.2; Personium's
//! `DavFileResource`, `NullResource.put`, `DavCmpFsImpl`): PUT (create or replace), GET/HEAD
//! (whole, one range, or 304), DELETE. Bodies go to the blob store; the row is committed in one
//! transaction after the body is visible, and a replaced or deleted body is removed only after
//! that commit, so a failure at any step leaves the old file whole.

use crate::auth::privilege::Privilege;
use crate::db::dav::{self as repo, NodeRow};
use crate::db::dav_files::{self as files_repo, FileBody, NewFile};
use crate::db::{self, DbConn, DbPool};
use crate::domain::access::CellAccess;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;
use crate::storage::{
    BlobStore, ByteRange, ByteStream, ChunkStream, Digests, LocalStore, StoreError,
};
use crate::webdav::owncloud::{self, Checksum};
use crate::webdav::range::{self, Ranges, Span};

use super::locks;
use super::ops::{etag, Root};
use super::path::{self, NodeKind, On, Target, MAX_CHILDREN};
use super::tree::DavPath;

/// Content type of a file PUT without one.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// The request headers a PUT looks at.
#[derive(Clone, Copy, Debug, Default)]
pub struct PutHeaders<'a> {
    pub content_type: Option<&'a str>,
    pub content_length: Option<u64>,
    pub if_match: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    /// The WebDAV `If` header (lock tokens, ETags).
    pub if_header: Option<&'a str>,
    /// ownCloud's `X-OC-Mtime` (`webdav::owncloud`): the body's modification time.
    pub oc_mtime: Option<&'a str>,
    /// ownCloud's `OC-Checksum`: the client's hash of the body, checked.
    pub oc_checksum: Option<&'a str>,
}

/// A PUT that succeeded: created (201) or replaced (204), with the new ETag.
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    Created(String),
    Replaced(String),
}

/// `PUT {C}{box}/{path}`: stores `body` as the file, creating it (privilege `bind` on the
/// parent) or replacing it (`write-content`).
pub async fn put(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    headers: PutHeaders<'_>,
    body: ChunkStream<'_>,
) -> Result<Put> {
    let existing = check_put(cell, target, headers)?;
    let (mtime, checksums) = owncloud_headers(headers)?;
    let if_header = locks::parse_if(headers.if_header)?;
    // A new file also adds a member to its parent (a lock there covers it).
    let scope = locks::Scope::of(target, false, !existing);
    let limit = state.settings.storage.max_file_bytes;
    if headers.content_length.is_some_and(|n| n > limit) {
        return Err(Error::new(&codes::PR413_MC_0001).param(limit));
    }
    let staged = state.blobs.write(body, limit).await.map_err(store_error)?;
    let d = &staged.digests;
    if !owncloud::all_match(&checksums, &d.sha1, &d.md5) {
        let _ = state.blobs.discard(&staged).await;
        return Err(header_error(owncloud::CHECKSUM_HEADER, headers.oc_checksum));
    }
    if let Err(e) = state.blobs.commit(&staged).await {
        let _ = state.blobs.discard(&staged).await;
        return Err(store_error(e));
    }
    let write = Write {
        cell_id: cell.id.clone(),
        box_id: target.bx.id.clone(),
        parent_id: parent_row(target, existing).id.clone(),
        name: target.segments.last().cloned().unwrap_or_default(),
        url: target.url(),
        content_type: headers
            .content_type
            .unwrap_or(DEFAULT_CONTENT_TYPE)
            .to_owned(),
        if_match: headers.if_match.map(str::to_owned),
        if_none_match: headers.if_none_match.map(str::to_owned),
        key: staged.key.clone(),
        size: i64::try_from(staged.size).map_err(Error::internal)?,
        digests: staged.digests.clone(),
        mtime,
    };
    let root = Root::of(target);
    let outcome = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                files_repo::lock_node(conn, &write.parent_id)?;
                locks::require_unlocked(conn, &scope, if_header.as_ref(), now_ms())?;
                root.ensure(conn)?;
                write.apply(conn)
            })
        })
        .await;
    match outcome {
        Ok((put, old)) => {
            if let Some(old) = old {
                remove_blob(state.blobs.as_ref(), &old).await;
            }
            Ok(put)
        }
        Err(e) => {
            remove_blob(state.blobs.as_ref(), &staged.key).await;
            Err(e)
        }
    }
}

/// The checks of a PUT before its body is read, in Personium's order; true when the file
/// exists.
fn check_put(cell: &CellAccess, target: &DavPath, h: PutHeaders<'_>) -> Result<bool> {
    match target.target() {
        Target::Node(NodeKind::File) => {
            target.require(cell, Privilege::WriteContent, On::Resource)?;
            let row = &target.deepest().row;
            check_preconditions(row, h.if_match, h.if_none_match)?;
            Ok(true)
        }
        Target::Missing { parent_exists } => {
            if parent_exists {
                target.require(cell, Privilege::Bind, On::Parent)?;
            }
            let name = target.segments.last().map(String::as_str).unwrap_or("");
            if !path::is_valid_name(name) {
                return Err(Error::new(&codes::PR403_DV_0004).param(name));
            }
            if !parent_exists {
                let parent = target.url_at(target.segments.len() - 1);
                return Err(Error::new(&codes::PR409_DV_0001).param(parent));
            }
            Ok(false)
        }
        _ => Err(Error::new(&codes::PR405_MC_0001)),
    }
}

/// `X-OC-Mtime` (epoch ms) and the `OC-Checksum` entries to check; a malformed one is a 400
/// before the body is read.
fn owncloud_headers(h: PutHeaders<'_>) -> Result<(Option<i64>, Vec<Checksum>)> {
    let mtime = match h.oc_mtime {
        Some(v) => Some(
            owncloud::parse_mtime(v)
                .ok_or_else(|| header_error(owncloud::MTIME_HEADER, Some(v)))?,
        ),
        None => None,
    };
    let checksums = match h.oc_checksum {
        Some(v) => owncloud::parse_checksums(v)
            .ok_or_else(|| header_error(owncloud::CHECKSUM_HEADER, Some(v)))?,
        None => Vec::new(),
    };
    Ok((mtime, checksums))
}

fn header_error(name: &str, value: Option<&str>) -> Error {
    Error::new(&codes::PR400_DV_0009)
        .param(name)
        .param(value.unwrap_or(""))
}

/// `If-Match` (`*` or the ETag, weak or strong: Personium's `matchesETag`) and, ours beyond
/// Personium, `If-None-Match: *` (create only).
fn check_preconditions(
    row: &NodeRow,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
) -> Result<()> {
    let current = etag(row.version, row.updated);
    if if_match.is_some_and(|m| m != "*" && !matches_etag(m, &current)) {
        return Err(Error::new(&codes::PR412_DV_0001));
    }
    if if_none_match.is_some_and(|m| m.trim() == "*") {
        return Err(Error::new(&codes::PR412_DV_0001));
    }
    Ok(())
}

/// Personium's `matchesETag`: the stored ETag, or the same marked weak.
fn matches_etag(given: &str, current: &str) -> bool {
    given == current || given.strip_prefix("W/") == Some(current)
}

fn parent_row(target: &DavPath, existing: bool) -> &NodeRow {
    let n = target.nodes.len();
    if existing {
        &target.nodes[n - 2].row
    } else {
        &target.nodes[n - 1].row
    }
}

/// The database side of a PUT (or of the empty file a LOCK creates), run in one transaction.
pub(super) struct Write {
    cell_id: String,
    box_id: Option<String>,
    parent_id: String,
    name: String,
    url: String,
    content_type: String,
    if_match: Option<String>,
    if_none_match: Option<String>,
    key: String,
    size: i64,
    digests: Digests,
    /// `X-OC-Mtime`, epoch ms.
    mtime: Option<i64>,
}

impl Write {
    /// Creates or replaces the file by parent and name (what is there now decides, as in
    /// Personium's `putForCreate` / `putForUpdate`); returns the old body's key.
    pub(super) fn apply(&self, conn: &mut DbConn) -> Result<(Put, Option<String>)> {
        match self.apply_once(conn)? {
            Some(done) => Ok(done),
            // A concurrent PUT created the file first: replace what it wrote.
            None => self
                .apply_once(conn)?
                .ok_or_else(|| Error::new(&codes::PR409_DV_0002).param(&self.url)),
        }
    }

    /// `None` when the insert lost a race to a concurrent create (rolled back to a savepoint).
    fn apply_once(&self, conn: &mut DbConn) -> Result<Option<(Put, Option<String>)>> {
        let now = now_ms();
        let body = FileBody {
            content_type: &self.content_type,
            size: self.size,
            blob_key: &self.key,
            sha256: &self.digests.sha256,
            sha1: &self.digests.sha1,
            md5: &self.digests.md5,
            mtime: self.mtime,
        };
        if let Some(row) = repo::child(conn, &self.parent_id, &self.name)? {
            if row.kind != NodeKind::File.as_str() {
                return Err(Error::new(&codes::PR405_MC_0001));
            }
            check_preconditions(
                &row,
                self.if_match.as_deref(),
                self.if_none_match.as_deref(),
            )?;
            if !files_repo::replace_body(conn, &row.id, &body, now)? {
                return Err(Error::new(&codes::PR404_DV_0001).param(&self.url));
            }
            return Ok(Some((
                Put::Replaced(etag(row.version + 1, now)),
                row.blob_key,
            )));
        }
        // COMPAT(personium): `If-Match` on a file that does not exist is not checked.
        if repo::child_count(conn, &self.parent_id)? >= MAX_CHILDREN {
            return Err(Error::new(&codes::PR400_DV_0007));
        }
        if repo::find(conn, &self.parent_id)?.is_none() {
            return Err(Error::new(&codes::PR409_DV_0001).param(&self.url));
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let file = NewFile {
            id: &id,
            cell_id: &self.cell_id,
            box_id: self.box_id.as_deref(),
            parent_id: &self.parent_id,
            name: &self.name,
            kind: NodeKind::File.as_str(),
            content_type: body.content_type,
            size: body.size,
            blob_key: body.blob_key,
            sha256: body.sha256,
            sha1: body.sha1,
            md5: body.md5,
            mtime: body.mtime,
            version: 1,
            published: now,
            updated: now,
        };
        // A unique violation (a concurrent PUT of the same name won) leaves the transaction usable.
        match db::recoverable(conn, |conn| files_repo::insert(conn, &file)) {
            Ok(()) => Ok(Some((Put::Created(etag(1, now)), None))),
            Err(e) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// What a GET or HEAD of a file answers.
pub enum Get {
    /// `If-None-Match` matched: 304 with the ETag.
    NotModified { etag: String },
    /// The body (200), or one range of it (206).
    Body(FileResponse),
}

/// A file body ready to stream.
pub struct FileResponse {
    pub body: ByteStream,
    /// The whole file's size.
    pub size: u64,
    /// `Some` for a 206.
    pub range: Option<Span>,
    pub content_type: String,
    pub etag: String,
    /// `Last-Modified`, epoch ms.
    pub last_modified: i64,
}

/// `GET {C}{box}/{file}` (privilege `read`): 304 on a matching `If-None-Match`, else the body,
/// whole or the one range asked for.
pub async fn get(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    if_none_match: Option<&str>,
    range_header: Option<&str>,
) -> Result<Get> {
    target.require(cell, Privilege::Read, On::Resource)?;
    let mut row = target.deepest().row.clone();
    for attempt in 0..2 {
        let etag = etag(row.version, row.updated);
        if if_none_match.is_some_and(|m| matches_etag(m, &etag)) {
            return Ok(Get::NotModified { etag });
        }
        let size = u64::try_from(row.size.unwrap_or(0)).unwrap_or(0);
        let span = match range::parse(range_header, size) {
            Ranges::Whole => None,
            Ranges::One(span) => Some(span),
            Ranges::Unsatisfiable => return Err(Error::new(&codes::PR416_DV_0001)),
            Ranges::Many => return Err(Error::new(&codes::PR501_MC_0002).param("Range-MultiPart")),
        };
        let key = row.blob_key.clone().unwrap_or_default();
        let wanted = span.map(|s| ByteRange {
            start: s.first,
            len: s.length(),
        });
        match state.blobs.open(&key, wanted).await {
            Ok(body) => {
                return Ok(Get::Body(FileResponse {
                    body,
                    size,
                    range: span,
                    content_type: row.content_type.clone().unwrap_or_default(),
                    etag,
                    last_modified: row.last_modified(),
                }))
            }
            // Replaced meanwhile: read the row again, once.
            Err(StoreError::NotFound(_)) if attempt == 0 => {
                row = reload(state, &row.id, &target.url()).await?;
            }
            Err(e) => return Err(Error::new(&codes::PR503_DV_0001).source(e)),
        }
    }
    Err(Error::new(&codes::PR503_DV_0001))
}

async fn reload(state: &AppState, id: &str, url: &str) -> Result<NodeRow> {
    let (id, url) = (id.to_owned(), url.to_owned());
    state
        .db
        .read(move |conn| {
            repo::find(conn, &id)?.ok_or_else(|| Error::new(&codes::PR404_DV_0001).param(url))
        })
        .await
}

/// `DELETE {C}{box}/{file}` (privilege `unbind` on the parent; `If-Match`): the row, then the
/// body.
pub async fn delete(
    state: &AppState,
    cell: &CellAccess,
    target: &DavPath,
    if_match: Option<&str>,
    if_header: Option<&str>,
) -> Result<()> {
    target.require(cell, Privilege::Unbind, On::Parent)?;
    check_preconditions(&target.deepest().row, if_match, None)?;
    let if_header = locks::parse_if(if_header)?;
    let scope = locks::Scope::of(target, true, true);
    let (id, url) = (target.deepest().row.id.clone(), target.url());
    let parent_id = parent_row(target, true).id.clone();
    let if_match = if_match.map(str::to_owned);
    let key = state
        .db
        .run(move |conn| {
            db::transaction(conn, |conn| {
                files_repo::lock_node(conn, &parent_id)?;
                let row = repo::find(conn, &id)?
                    .ok_or_else(|| Error::new(&codes::PR404_DV_0001).param(&url))?;
                check_preconditions(&row, if_match.as_deref(), None)?;
                let now = now_ms();
                locks::require_unlocked(conn, &scope, if_header.as_ref(), now)?;
                repo::delete(conn, &id)?;
                locks::release_under(conn, &scope.root_id, &scope.path, now)?;
                Ok::<_, Error>(row.blob_key)
            })
        })
        .await?;
    if let Some(key) = key {
        remove_blob(state.blobs.as_ref(), &key).await;
    }
    Ok(())
}

/// An empty file at `target`'s unmapped URL (RFC 4918 §7.3: a LOCK there creates one): its
/// body is stored and committed here, its row is written by [`Write::apply`] in the caller's
/// transaction (`parent_id` locked with [`files_repo::lock_node`] first). A body left unnamed
/// goes with [`remove_blob`].
pub(super) async fn empty_file(state: &AppState, target: &DavPath) -> Result<Write> {
    let name = target.segments.last().cloned().unwrap_or_default();
    if !path::is_valid_name(&name) {
        return Err(Error::new(&codes::PR403_DV_0004).param(name));
    }
    let empty: ChunkStream<'_> = Box::pin(futures_util::stream::empty());
    let staged = state.blobs.write(empty, 0).await.map_err(store_error)?;
    if let Err(e) = state.blobs.commit(&staged).await {
        let _ = state.blobs.discard(&staged).await;
        return Err(store_error(e));
    }
    Ok(Write {
        cell_id: target.cell_id.clone(),
        box_id: target.bx.id.clone(),
        parent_id: parent_row(target, false).id.clone(),
        name,
        url: target.url(),
        content_type: DEFAULT_CONTENT_TYPE.to_owned(),
        if_match: None,
        if_none_match: None,
        key: staged.key.clone(),
        size: 0,
        digests: staged.digests.clone(),
        mtime: None,
    })
}

impl Write {
    /// The parent collection's id.
    pub(super) fn parent_id(&self) -> &str {
        &self.parent_id
    }

    /// The body's key.
    pub(super) fn key(&self) -> &str {
        &self.key
    }

    /// Whether the name is still free (a concurrent write may have taken it).
    pub(super) fn is_free(&self, conn: &mut DbConn) -> Result<bool> {
        Ok(repo::child(conn, &self.parent_id, &self.name)?.is_none())
    }
}

/// Deletes a body no row names any more; a failure only leaves an orphan for the start-up
/// sweep.
pub(super) async fn remove_blob(store: &dyn BlobStore, key: &str) {
    if let Err(e) = store.delete(key).await {
        tracing::warn!(key, error = %e, "could not delete a file body");
    }
}

/// [`remove_blob`] for every body a committed cascade (a collection, a replaced MOVE or COPY
/// destination, a cell) left unnamed.
pub async fn remove_blobs(store: &dyn BlobStore, keys: &[String]) {
    for key in keys {
        remove_blob(store, key).await;
    }
}

fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::TooLarge(limit) => Error::new(&codes::PR413_MC_0001).param(limit),
        StoreError::Input(e) => Error::new(&codes::PR400_OD_0001).source(e),
        e => Error::new(&codes::PR500_DV_0001).source(e),
    }
}

/// Start-up: deletes committed bodies that no row names (a crash between the body's commit and
/// its row's, or a deleted box / cell), once older than `grace` (younger ones may belong to a
/// write in flight in another process sharing the store). Blocking.
pub fn sweep_orphans(
    db: &DbPool,
    store: &LocalStore,
    grace: std::time::Duration,
) -> anyhow::Result<()> {
    let now = std::time::SystemTime::now();
    let old: Vec<String> = store
        .list()?
        .into_iter()
        .filter(|(_, modified)| now.duration_since(*modified).unwrap_or_default() >= grace)
        .map(|(key, _)| key)
        .collect();
    if old.is_empty() {
        return Ok(());
    }
    let mut conn = db.get()?;
    let referenced: std::collections::HashSet<String> = files_repo::referenced(&mut conn, &old)?
        .into_iter()
        .collect();
    let mut removed = 0usize;
    for key in old.iter().filter(|k| !referenced.contains(*k)) {
        store.remove(key)?;
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "removed file bodies no resource names");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matching() {
        let cases: &[(&str, bool)] = &[
            ("\"2-5\"", true),
            ("W/\"2-5\"", true),
            ("\"2-6\"", false),
            ("2-5", false),
            ("*", false),
            ("w/\"2-5\"", false),
        ];
        for (given, want) in cases {
            assert_eq!(matches_etag(given, "\"2-5\""), *want, "{given}");
        }
    }
}
