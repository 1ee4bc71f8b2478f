//! Embedded migrations, one folder per backend with identical names (STYLE.md §4.3); run at
//! start-up and by `unitcell migrate`.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, DbError, DbPool, DbResult};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration; returns how many ran.
pub fn run_pending(pool: &DbPool) -> DbResult<usize> {
    let mut conn = pool.get()?;
    let conn: &mut DbConn = &mut conn;
    match conn {
        DbConn::Sqlite(c) => {
            // WAL lets readers proceed while one writer commits; it persists in the file.
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
            let done = c
                .run_pending_migrations(SQLITE)
                .map_err(|e| DbError::Migration(e.to_string()))?
                .len();
            // Statistics for the planner, where missing or stale (`dialect::refresh_statistics`).
            c.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
            Ok(done)
        }
        DbConn::Pg(c) => {
            let done = c
                .run_pending_migrations(POSTGRES)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            Ok(done.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn names(dir: &str) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
        let pg = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, pg);
    }
}
