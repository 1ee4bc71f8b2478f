//! The `dav_nodes` table: the WebDAV tree of every box (`spec/personium-api.md` §6, §3.3).
//!
//! A box's root node has the box id as its id (the cell id for the main box `__`) and is
//! created lazily by [`ensure_root`] on the first write into the box; until then the box has
//! the defaults of a root (empty ACL, no children). Children are unique by name per parent;
//! deleting a node deletes its subtree (`ON DELETE CASCADE`).

use diesel::prelude::*;

use super::dialect;
use super::on_backend;
use super::schema::{boxes, dav_nodes};
use super::{DbConn, DbResult};
use crate::odata::sql::{SqlBuilder, SqlValue};

/// One node as the WebDAV layer reads it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = dav_nodes)]
pub struct NodeRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    /// `box`, `col`, `file`, `odata`, `service` or `stream`.
    pub kind: String,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
    /// JSON, principals by role id (`None` = empty ACL).
    pub acl: Option<String>,
    /// JSON object `"localname@namespace"` -> raw XML.
    pub props: Option<String>,
    /// A file's body in the blob store.
    pub blob_key: Option<String>,
    /// A file's hashes (hex), for `<oc:checksums>`.
    pub sha1: Option<String>,
    pub md5: Option<String>,
    /// The modification time a client set (`X-OC-Mtime`), epoch ms.
    pub mtime: Option<i64>,
}

impl NodeRow {
    /// `getlastmodified` / `Last-Modified`: the client's modification time, else `updated`.
    pub fn last_modified(&self) -> i64 {
        self.mtime.unwrap_or(self.updated)
    }
}

/// A node to insert.
#[derive(Insertable)]
#[diesel(table_name = dav_nodes)]
pub struct NewNode<'a> {
    pub id: &'a str,
    pub cell_id: &'a str,
    pub box_id: Option<&'a str>,
    pub parent_id: Option<&'a str>,
    pub name: &'a str,
    pub kind: &'a str,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
}

/// A box as the WebDAV layer needs it.
#[derive(Clone, Debug, Queryable)]
pub struct BoxRow {
    pub id: String,
    pub name: String,
    pub schema_url: Option<String>,
    pub published: i64,
    pub updated: i64,
}

/// A box of the cell by name.
pub fn find_box(conn: &mut DbConn, cell_id: &str, name: &str) -> DbResult<Option<BoxRow>> {
    Ok(on_backend!(conn, |c| boxes::table
        .filter(boxes::cell_id.eq(cell_id))
        .filter(boxes::name.eq(name))
        .select((
            boxes::id,
            boxes::name,
            boxes::schema_url,
            boxes::published,
            boxes::updated,
        ))
        .first(c)
        .optional())?)
}

/// A node by id.
pub fn find(conn: &mut DbConn, id: &str) -> DbResult<Option<NodeRow>> {
    Ok(on_backend!(conn, |c| dav_nodes::table
        .filter(dav_nodes::id.eq(id))
        .select(NodeRow::as_select())
        .first(c)
        .optional())?)
}

/// The child of `parent_id` named `name`.
pub fn child(conn: &mut DbConn, parent_id: &str, name: &str) -> DbResult<Option<NodeRow>> {
    Ok(on_backend!(conn, |c| dav_nodes::table
        .filter(dav_nodes::parent_id.eq(parent_id))
        .filter(dav_nodes::name.eq(name))
        .select(NodeRow::as_select())
        .first(c)
        .optional())?)
}

/// The children of a node, by name.
pub fn children(conn: &mut DbConn, parent_id: &str) -> DbResult<Vec<NodeRow>> {
    Ok(on_backend!(conn, |c| dav_nodes::table
        .filter(dav_nodes::parent_id.eq(parent_id))
        .order(dav_nodes::name)
        .select(NodeRow::as_select())
        .load(c))?)
}

/// How many children a node has.
pub fn child_count(conn: &mut DbConn, parent_id: &str) -> DbResult<i64> {
    Ok(dav_nodes::table
        .filter(dav_nodes::parent_id.eq(parent_id))
        .count()
        .get_result(conn)?)
}

/// True when the node (a box root: the box id) has any child.
pub fn has_children(conn: &mut DbConn, parent_id: &str) -> DbResult<bool> {
    use diesel::dsl::exists;
    Ok(diesel::select(exists(
        dav_nodes::table.filter(dav_nodes::parent_id.eq(parent_id)),
    ))
    .get_result(conn)?)
}

/// Creates a box's root node unless it exists (safe against concurrent first writes).
pub fn ensure_root(conn: &mut DbConn, root: &NewNode<'_>) -> DbResult<()> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(
        "INSERT INTO dav_nodes (id, cell_id, box_id, parent_id, name, kind, version, \
         published, updated) VALUES (",
    );
    let values = [
        SqlValue::Text(root.id.to_owned()),
        SqlValue::Text(root.cell_id.to_owned()),
        root.box_id
            .map_or(SqlValue::Null, |b| SqlValue::Text(b.to_owned())),
        SqlValue::Null,
        SqlValue::Text(String::new()),
        SqlValue::Text(root.kind.to_owned()),
        SqlValue::Int(root.version),
        SqlValue::Int(root.published),
        SqlValue::Int(root.updated),
    ];
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            b.push_sql(", ");
        }
        b.push_bind(v);
    }
    b.push_sql(") ON CONFLICT DO NOTHING");
    dialect::execute(conn, b)?;
    Ok(())
}

/// Inserts a node.
pub fn insert(conn: &mut DbConn, node: &NewNode<'_>) -> DbResult<()> {
    diesel::insert_into(dav_nodes::table)
        .values(node)
        .execute(conn)?;
    Ok(())
}

/// Replaces a node's ACL; bumps its version. False when the node is gone.
pub fn set_acl(conn: &mut DbConn, id: &str, acl: &str, now: i64) -> DbResult<bool> {
    let n = diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set((
            dav_nodes::acl.eq(acl),
            dav_nodes::version.eq(dav_nodes::version + 1),
            dav_nodes::updated.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes a node and its subtree.
pub fn delete(conn: &mut DbConn, id: &str) -> DbResult<bool> {
    Ok(diesel::delete(dav_nodes::table.filter(dav_nodes::id.eq(id))).execute(conn)? == 1)
}

/// Renames and/or reparents a node (its subtree follows); bumps its version. False when the
/// node is gone.
pub fn move_node(
    conn: &mut DbConn,
    id: &str,
    parent_id: &str,
    name: &str,
    now: i64,
) -> DbResult<bool> {
    let n = diesel::update(dav_nodes::table.filter(dav_nodes::id.eq(id)))
        .set((
            dav_nodes::parent_id.eq(parent_id),
            dav_nodes::name.eq(name),
            dav_nodes::version.eq(dav_nodes::version + 1),
            dav_nodes::updated.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Inserts a copy of node `from` as `id` under `parent_id` named `name`: kind, content type,
/// size, hashes, modification time and dead properties; a fresh version, timestamps, an empty ACL and no body (the
/// domain's `copy_body` hook gives it one).
pub fn copy_row(
    conn: &mut DbConn,
    from: &str,
    id: &str,
    parent_id: &str,
    name: &str,
    now: i64,
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(
        "INSERT INTO dav_nodes (id, cell_id, box_id, parent_id, name, kind, content_type, \
         size, sha1, md5, mtime, version, published, updated, props) SELECT ",
    );
    b.push_bind(SqlValue::Text(id.to_owned()));
    b.push_sql(", cell_id, box_id, ");
    b.push_bind(SqlValue::Text(parent_id.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(name.to_owned()));
    b.push_sql(", kind, content_type, size, sha1, md5, mtime, 1, ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(", props FROM dav_nodes WHERE id = ");
    b.push_bind(SqlValue::Text(from.to_owned()));
    Ok(dialect::execute(conn, b)? == 1)
}
