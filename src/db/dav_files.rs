//! File nodes of the `dav_nodes` table (`spec/personium-api.md` §6): their body columns
//! (`content_type`, `size`, `blob_key`, `sha256`; the ownCloud `sha1`, `md5`, `mtime`). The body itself lives in the blob store under
//! `blob_key`; a row names exactly one committed blob.

use diesel::prelude::*;

use super::schema::dav_nodes;
use super::{on_backend, DbConn, DbResult};

/// A file node to insert.
#[derive(Insertable)]
#[diesel(table_name = dav_nodes)]
pub struct NewFile<'a> {
    pub id: &'a str,
    pub cell_id: &'a str,
    pub box_id: Option<&'a str>,
    pub parent_id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub blob_key: &'a str,
    pub sha256: &'a str,
    pub sha1: &'a str,
    pub md5: &'a str,
    pub mtime: Option<i64>,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
}

/// The body columns of a file.
#[derive(AsChangeset)]
#[diesel(table_name = dav_nodes, treat_none_as_null = true)]
pub struct FileBody<'a> {
    pub content_type: &'a str,
    pub size: i64,
    pub blob_key: &'a str,
    pub sha256: &'a str,
    pub sha1: &'a str,
    pub md5: &'a str,
    /// The client's modification time (`X-OC-Mtime`), epoch ms; `None` clears it.
    pub mtime: Option<i64>,
}

/// Inserts a file node.
pub fn insert(conn: &mut DbConn, file: &NewFile<'_>) -> DbResult<()> {
    // On the backend's own connection, so the prepared insert is found in its cache by type
    // (see `db::on_backend!`).
    on_backend!(conn, |c| diesel::insert_into(dav_nodes::table)
        .values(file)
        .execute(c))?;
    Ok(())
}

/// Points a file at a new body; bumps its version. False when the node is gone.
pub fn replace_body(conn: &mut DbConn, id: &str, body: &FileBody<'_>, now: i64) -> DbResult<bool> {
    let n = diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set((
            body,
            dav_nodes::version.eq(dav_nodes::version + 1),
            dav_nodes::updated.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Which of `keys` some row names.
pub fn referenced(conn: &mut DbConn, keys: &[String]) -> DbResult<Vec<String>> {
    let mut found = Vec::new();
    for batch in keys.chunks(500) {
        let rows: Vec<Option<String>> = dav_nodes::table
            .filter(dav_nodes::blob_key.eq_any(batch))
            .select(dav_nodes::blob_key)
            .load(conn)?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

/// The blob keys of every file in the subtree below `id` (one query per level; the tree is at
/// most `dav.depth.maxnum` deep).
pub fn subtree_blob_keys(conn: &mut DbConn, id: &str) -> DbResult<Vec<String>> {
    Ok(subtree_files(conn, id)?
        .into_iter()
        .map(|f| f.blob_key)
        .collect())
}

/// A file of a subtree, as a body copy needs it.
#[derive(Clone, Debug)]
pub struct SubtreeFile {
    pub id: String,
    pub blob_key: String,
    pub content_type: Option<String>,
}

/// Every file in the subtree below `id` (one query per level).
pub fn subtree_files(conn: &mut DbConn, id: &str) -> DbResult<Vec<SubtreeFile>> {
    let mut files = Vec::new();
    let mut level = vec![id.to_owned()];
    while !level.is_empty() {
        let mut next = Vec::new();
        for batch in level.chunks(500) {
            let rows: Vec<(String, Option<String>, Option<String>)> = dav_nodes::table
                .filter(dav_nodes::parent_id.eq_any(batch))
                .select((dav_nodes::id, dav_nodes::blob_key, dav_nodes::content_type))
                .load(conn)?;
            for (child, key, content_type) in rows {
                match key {
                    Some(blob_key) => files.push(SubtreeFile {
                        id: child,
                        blob_key,
                        content_type,
                    }),
                    None => next.push(child),
                }
            }
        }
        level = next;
    }
    Ok(files)
}

/// Gives a freshly copied file node its own body (no version bump: the copy is new).
pub fn set_body(conn: &mut DbConn, id: &str, body: &FileBody<'_>) -> DbResult<bool> {
    let n = diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set(body)
        .execute(conn)?;
    Ok(n == 1)
}

/// The blob keys of a node (a file) and of every file below it: what deleting it orphans.
pub fn blob_keys_of(conn: &mut DbConn, id: &str) -> DbResult<Vec<String>> {
    let own: Option<Option<String>> = dav_nodes::table
        .filter(dav_nodes::id.eq(id))
        .select(dav_nodes::blob_key)
        .first(conn)
        .optional()?;
    let mut keys: Vec<String> = own.flatten().into_iter().collect();
    keys.extend(subtree_blob_keys(conn, id)?);
    Ok(keys)
}

/// The blob keys of every file of a cell, in all its boxes (what a recursive cell delete
/// orphans).
pub fn cell_blob_keys(conn: &mut DbConn, cell_id: &str) -> DbResult<Vec<String>> {
    let keys: Vec<Option<String>> = dav_nodes::table
        .filter(dav_nodes::cell_id.eq(cell_id))
        .filter(dav_nodes::blob_key.is_not_null())
        .select(dav_nodes::blob_key)
        .load(conn)?;
    Ok(keys.into_iter().flatten().collect())
}

/// Takes the write lock for a change below `id` before anything is read. On PostgreSQL that is
/// the node's row lock, so concurrent writes into one collection queue up. On SQLite it is a
/// no-op: [`super::transaction`] begins the outermost transaction `IMMEDIATE`, which already
/// holds the database's write lock, and both callers run inside one.
pub fn lock_node(conn: &mut DbConn, id: &str) -> DbResult<()> {
    if matches!(conn, DbConn::Sqlite(_)) {
        return Ok(());
    }
    diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set(dav_nodes::version.eq(dav_nodes::version))
        .execute(conn)?;
    Ok(())
}
