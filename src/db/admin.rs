//! Database administration used by tests and tooling: per-test PostgreSQL schemas.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::DbResult;

/// Creates schema `name` in the PostgreSQL database at `url` and returns a URL whose
/// connections use it as their `search_path`.
pub fn create_pg_schema(url: &str, name: &str) -> DbResult<String> {
    let mut conn = PgConnection::establish(url)?;
    conn.batch_execute(&format!("CREATE SCHEMA \"{name}\""))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-c%20search_path%3D{name}"))
}

/// Drops schema `name` and everything in it.
pub fn drop_pg_schema(url: &str, name: &str) -> DbResult<()> {
    let mut conn = PgConnection::establish(url)?;
    conn.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))?;
    Ok(())
}
