//! `cell_keys`: each cell's wrapped signing keys (`spec/personium-api.md` §5.5 `__certs`).

use diesel::prelude::*;

use super::schema::cell_keys;
use super::{DbConn, DbResult};

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = cell_keys)]
pub struct KeyRow {
    pub kid: String,
    pub cell_id: String,
    pub alg: String,
    /// Hex of the 12-byte AES-GCM nonce.
    pub nonce: String,
    /// Base64 of the wrapped private key.
    pub wrapped_key: String,
    pub public_jwk: String,
    pub created: i64,
}

pub fn insert(conn: &mut DbConn, row: &KeyRow) -> DbResult<()> {
    diesel::insert_into(cell_keys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A cell's keys, newest first.
pub fn of_cell(conn: &mut DbConn, cell_id: &str) -> DbResult<Vec<KeyRow>> {
    Ok(cell_keys::table
        .filter(cell_keys::cell_id.eq(cell_id))
        .order(cell_keys::created.desc())
        .load(conn)?)
}

/// A key by its id (any cell).
pub fn by_kid(conn: &mut DbConn, kid: &str) -> DbResult<Option<KeyRow>> {
    Ok(cell_keys::table
        .filter(cell_keys::kid.eq(kid))
        .first(conn)
        .optional()?)
}
