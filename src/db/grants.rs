//! `token_grants`: one-time grants (refresh tokens, authorization codes). A grant exists while
//! it may be used; using it deletes it, so a replayed refresh token is refused.

use diesel::prelude::*;

use super::schema::token_grants;
use super::{DbConn, DbResult};

/// Records a grant that may be used once until `expires` (epoch ms).
pub fn insert(
    conn: &mut DbConn,
    jti: &str,
    cell_id: &str,
    kind: &str,
    expires: i64,
) -> DbResult<()> {
    diesel::insert_into(token_grants::table)
        .values((
            token_grants::jti.eq(jti),
            token_grants::cell_id.eq(cell_id),
            token_grants::kind.eq(kind),
            token_grants::expires.eq(expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses a grant: true when it existed (and now no longer does).
pub fn consume(conn: &mut DbConn, jti: &str, cell_id: &str) -> DbResult<bool> {
    let n = diesel::delete(
        token_grants::table
            .filter(token_grants::jti.eq(jti))
            .filter(token_grants::cell_id.eq(cell_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether a grant may still be used (without using it).
pub fn exists(conn: &mut DbConn, jti: &str, cell_id: &str) -> DbResult<bool> {
    use diesel::dsl::exists;
    Ok(diesel::select(exists(
        token_grants::table
            .filter(token_grants::jti.eq(jti))
            .filter(token_grants::cell_id.eq(cell_id)),
    ))
    .get_result(conn)?)
}

/// Forgets expired grants.
pub fn purge_expired(conn: &mut DbConn, now: i64) -> DbResult<usize> {
    Ok(diesel::delete(token_grants::table.filter(token_grants::expires.lt(now))).execute(conn)?)
}
