//! Dead properties (`spec/personium-api.md` §4.2 and §6 PROPPATCH; RFC 4918 §9.2): the JSON
//! document in the `props` column that cells and WebDAV nodes both carry, replaced by one
//! optimistic update so concurrent PROPPATCHes do not lose each other's changes.

use super::dialect;
use super::{DbConn, DbResult};
use crate::odata::sql::{SqlBuilder, SqlValue};

/// What owns a set of dead properties: the table whose `props` column holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A cell (`cells`).
    Cell,
    /// A box root, collection or file (`dav_nodes`).
    DavNode,
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Owner::Cell => "cells",
            Owner::DavNode => "dav_nodes",
        }
    }
}

/// Replaces the dead properties of `owner` row `id` if it is still at `version`; bumps the
/// version and sets `updated`. False when another write changed (or deleted) the row first.
pub fn replace(
    conn: &mut DbConn,
    owner: Owner,
    id: &str,
    props: &str,
    version: i64,
    now: i64,
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql("UPDATE ");
    b.push_sql(owner.table());
    b.push_sql(" SET props = ");
    b.push_bind(SqlValue::Text(props.to_owned()));
    b.push_sql(", version = version + 1, updated = ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(" WHERE id = ");
    b.push_bind(SqlValue::Text(id.to_owned()));
    b.push_sql(" AND version = ");
    b.push_bind(SqlValue::Int(version));
    Ok(dialect::execute(conn, b)? == 1)
}
