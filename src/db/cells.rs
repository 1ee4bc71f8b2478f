//! The `cells` table: the Unit's cells (`spec/personium-api.md` §4.1).

use diesel::prelude::*;

use super::dialect::{self, ListQuery, Page};
use super::schema::{
    account_received_messages, accounts, boxes, cells, dav_nodes, ext_cells, ext_roles,
    received_messages, relations, roles, rules, sent_messages,
};
use super::{DbConn, DbResult};
use crate::odata::edm::EdmType;
use crate::odata::query::QueryOptions;
use crate::odata::sql::{ColumnRef, PropertyResolver, SqlValue};

#[derive(Clone, Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = cells)]
pub struct CellRow {
    pub id: String,
    pub name: String,
    pub owner: Option<String>,
    pub status: String,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
    /// The cell ACL as JSON (`None` = empty ACL).
    pub acl: Option<String>,
    /// Dead properties set by PROPPATCH, as JSON (`None` = none).
    pub props: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = cells)]
pub struct NewCell<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub owner: Option<&'a str>,
    pub status: &'a str,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
}

pub fn insert(conn: &mut DbConn, cell: &NewCell<'_>) -> DbResult<()> {
    diesel::insert_into(cells::table)
        .values(cell)
        .execute(conn)?;
    Ok(())
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> DbResult<Option<CellRow>> {
    Ok(cells::table
        .filter(cells::name.eq(name))
        .select(CellRow::as_select())
        .first(conn)
        .optional()?)
}

/// Renames a cell; bumps its version. Returns false when no such cell.
pub fn rename(conn: &mut DbConn, id: &str, new_name: &str, now: i64) -> DbResult<bool> {
    let n = diesel::update(cells::table.filter(cells::id.eq(id)))
        .set((
            cells::name.eq(new_name),
            cells::version.eq(cells::version + 1),
            cells::updated.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Replaces the cell ACL; bumps the version.
pub fn set_acl(conn: &mut DbConn, id: &str, acl: &str, now: i64) -> DbResult<bool> {
    let n = diesel::update(cells::table.filter(cells::id.eq(id)))
        .set((
            cells::acl.eq(acl),
            cells::version.eq(cells::version + 1),
            cells::updated.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The dead properties (JSON) of a cell.
pub fn props_of(conn: &mut DbConn, id: &str) -> DbResult<Option<String>> {
    Ok(cells::table
        .filter(cells::id.eq(id))
        .select(cells::props)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Deletes a cell and, through `ON DELETE CASCADE`, everything it owns.
pub fn delete(conn: &mut DbConn, id: &str) -> DbResult<bool> {
    let deleted = diesel::delete(cells::table.filter(cells::id.eq(id))).execute(conn)? == 1;
    if deleted {
        // Its OData collections' user data went too; their indexes do not cascade.
        super::odata_data::drop_orphan_indexes(conn)?;
    }
    Ok(deleted)
}

/// True when the cell owns any control object (the 409 rule of `DELETE __ctl/Cell`).
pub fn has_contents(conn: &mut DbConn, id: &str) -> DbResult<bool> {
    use diesel::dsl::exists;
    let any = diesel::select(
        exists(boxes::table.filter(boxes::cell_id.eq(id)))
            .or(exists(accounts::table.filter(accounts::cell_id.eq(id))))
            .or(exists(roles::table.filter(roles::cell_id.eq(id))))
            .or(exists(ext_cells::table.filter(ext_cells::cell_id.eq(id))))
            .or(exists(ext_roles::table.filter(ext_roles::cell_id.eq(id))))
            .or(exists(relations::table.filter(relations::cell_id.eq(id))))
            .or(exists(rules::table.filter(rules::cell_id.eq(id))))
            .or(exists(
                received_messages::table.filter(received_messages::cell_id.eq(id)),
            ))
            .or(exists(
                sent_messages::table.filter(sent_messages::cell_id.eq(id)),
            ))
            // A non-empty main box (the other boxes count as boxes already).
            .or(exists(
                dav_nodes::table
                    .filter(dav_nodes::cell_id.eq(id))
                    .filter(dav_nodes::parent_id.is_not_null()),
            )),
    )
    .get_result::<bool>(conn)?;
    Ok(any)
}

/// Removes a cell's contents in dependency order, then the cell (recursive delete). Foreign
/// keys cascade from `cells`, but links pointing across tables are removed first so that
/// neither backend trips over the order in which it cascades.
pub fn delete_recursive(conn: &mut DbConn, id: &str) -> DbResult<bool> {
    let msgs = received_messages::table
        .filter(received_messages::cell_id.eq(id))
        .select(received_messages::id);
    diesel::delete(
        account_received_messages::table
            .filter(account_received_messages::received_message_id.eq_any(msgs)),
    )
    .execute(conn)?;
    diesel::delete(ext_roles::table.filter(ext_roles::cell_id.eq(id))).execute(conn)?;
    diesel::delete(roles::table.filter(roles::cell_id.eq(id))).execute(conn)?;
    diesel::delete(relations::table.filter(relations::cell_id.eq(id))).execute(conn)?;
    diesel::delete(rules::table.filter(rules::cell_id.eq(id))).execute(conn)?;
    diesel::delete(received_messages::table.filter(received_messages::cell_id.eq(id)))
        .execute(conn)?;
    diesel::delete(sent_messages::table.filter(sent_messages::cell_id.eq(id))).execute(conn)?;
    delete(conn, id)
}

/// `$filter`/`$orderby` properties of `UnitCtl.Cell`.
struct CellColumns;

impl PropertyResolver for CellColumns {
    fn column(&self, property: &str) -> Option<ColumnRef> {
        let (sql, ty) = match property {
            "Name" => ("t.name", EdmType::String),
            "__published" => ("t.published", EdmType::DateTime),
            "__updated" => ("t.updated", EdmType::DateTime),
            _ => return None,
        };
        Some(ColumnRef {
            sql: sql.to_owned(),
            ty,
            collection: false,
        })
    }
}

/// Lists cells, optionally only those of one owner.
pub fn list(
    conn: &mut DbConn,
    options: &QueryOptions,
    owner: Option<&str>,
) -> crate::Result<Page<CellRow>> {
    let mut scope = Vec::new();
    if let Some(owner) = owner {
        scope.push(("t.owner = ?", SqlValue::Text(owner.to_owned())));
    }
    dialect::list(
        conn,
        &ListQuery {
            columns: "t.*",
            from: "cells t",
            scope,
            options,
            resolver: &CellColumns,
            default_order: "t.published, t.id",
        },
    )
}
