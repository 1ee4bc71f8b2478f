//! File nodes of the `dav_nodes` table (`spec/personium-api.md` §6): their body columns
//! (`content_type`, `size`, `blob_key`, `sha256`; the ownCloud `sha1`, `md5`, `mtime`). The body itself lives in the blob store under
//! `blob_key`; a row names exactly one committed blob.

use diesel::prelude::*;

use super::schema::dav_nodes;
use super::{DbConn, DbResult};

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
    diesel::insert_into(dav_nodes::table)
        .values(file)
        .execute(conn)?;
    Ok(())
}

/// Points a file at a new body; bumps its version. False when the node is gone.
pub fn replace_body(conn: &mut DbConn, id: &str, body: &FileBody<'_>, now: i64) -> DbResult<bool> {
    let n = diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set((
            dav_nodes::content_type.eq(body.content_type),
            dav_nodes::size.eq(body.size),
            dav_nodes::blob_key.eq(body.blob_key),
            dav_nodes::sha256.eq(body.sha256),
            dav_nodes::sha1.eq(body.sha1),
            dav_nodes::md5.eq(body.md5),
            dav_nodes::mtime.eq(body.mtime),
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
    let mut keys = Vec::new();
    let mut level = vec![id.to_owned()];
    while !level.is_empty() {
        let mut next = Vec::new();
        for batch in level.chunks(500) {
            let rows: Vec<(String, Option<String>)> = dav_nodes::table
                .filter(dav_nodes::parent_id.eq_any(batch))
                .select((dav_nodes::id, dav_nodes::blob_key))
                .load(conn)?;
            for (child, key) in rows {
                match key {
                    Some(key) => keys.push(key),
                    None => next.push(child),
                }
            }
        }
        level = next;
    }
    Ok(keys)
}

/// Takes the write lock for a change below `id` before anything is read: on PostgreSQL the
/// node's row lock (concurrent writes into one collection queue up), on SQLite the database's
/// write lock up front (a deferred transaction that reads first cannot wait for it later).
pub fn lock_node(conn: &mut DbConn, id: &str) -> DbResult<()> {
    diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set(dav_nodes::version.eq(dav_nodes::version))
        .execute(conn)?;
    Ok(())
}
