//! The `dav_locks` table: WebDAV write locks on box paths (RFC 4918 §6-7; beyond Personium).
//! Expired rows are ignored by every read and purged on the next lock of the same box.

use diesel::prelude::*;

use super::schema::dav_locks;
use super::{DbConn, DbResult};

/// One lock.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = dav_locks)]
pub struct LockRow {
    /// `opaquelocktoken:<uuid>`.
    pub token: String,
    pub cell_id: String,
    /// The box root node's id.
    pub root_id: String,
    /// Decoded segments below the box joined by '/'; '' = the box.
    pub path: String,
    pub exclusive: bool,
    /// Depth infinity (else 0).
    pub infinite: bool,
    /// The `<owner>` element, ready to render.
    pub owner: Option<String>,
    pub timeout_secs: i64,
    /// Epoch ms.
    pub expires: i64,
    pub created: i64,
}

/// The unexpired locks of a box.
pub fn list_active(conn: &mut DbConn, root_id: &str, now: i64) -> DbResult<Vec<LockRow>> {
    Ok(dav_locks::table
        .filter(dav_locks::root_id.eq(root_id))
        .filter(dav_locks::expires.gt(now))
        .order(dav_locks::path)
        .select(LockRow::as_select())
        .load(conn)?)
}

/// Inserts a lock.
pub fn insert(conn: &mut DbConn, row: &LockRow) -> DbResult<()> {
    diesel::insert_into(dav_locks::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Deletes a box's expired locks.
pub fn purge_expired(conn: &mut DbConn, root_id: &str, now: i64) -> DbResult<usize> {
    Ok(diesel::delete(
        dav_locks::table
            .filter(dav_locks::root_id.eq(root_id))
            .filter(dav_locks::expires.le(now)),
    )
    .execute(conn)?)
}

/// Sets a lock's timeout and expiry. False when it is gone.
pub fn refresh(conn: &mut DbConn, token: &str, timeout_secs: i64, expires: i64) -> DbResult<bool> {
    let n = diesel::update(dav_locks::table.filter(dav_locks::token.eq(token)))
        .set((
            dav_locks::timeout_secs.eq(timeout_secs),
            dav_locks::expires.eq(expires),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes locks by token.
pub fn delete(conn: &mut DbConn, tokens: &[String]) -> DbResult<usize> {
    Ok(diesel::delete(dav_locks::table.filter(dav_locks::token.eq_any(tokens))).execute(conn)?)
}
