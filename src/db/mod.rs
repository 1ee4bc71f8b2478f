//! The database layer (DESIGN.md "Storage and data"; STYLE.md §4.3): one `DbConn` over SQLite
//! and PostgreSQL, an r2d2 pool, and the single async boundary `DbPool::run`.
//!
//! Only this module imports diesel. Repository functions take `&mut DbConn`, are plain sync
//! functions, and compose inside `conn.transaction(...)`.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod box_lookup;
pub mod cells;
pub mod ctl;
pub mod dav;
pub mod dav_files;
pub mod dav_locks;
pub mod dead_props;
pub mod dialect;
pub mod grants;
pub mod keys;
pub mod migrate;
pub mod nulls_last;
pub mod odata_data;
pub mod odata_links;
pub mod odata_schema;
mod pool;
pub mod schema;

use diesel::connection::SimpleConnection;
use diesel::r2d2;
use diesel::{PgConnection, SqliteConnection};

pub use pool::{ConnectionManager, DbPool, PooledConn};

/// Errors of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database connection failed: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database pool: {0}")]
    R2d2(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database worker failed: {0}")]
    Blocking(String),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    /// True when a unique constraint refused the write (an entity with that key exists).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// One connection, to whichever backend the URL selected.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the connection of the backend in use. A typed diesel query
/// run on the `DbConn` enum is rendered to SQL on every run just to look up its cached
/// statement; run on the backend's own connection it is found by its type. Hot read paths use
/// this; the body is written once and compiled for each backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Which backend a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` select PostgreSQL; anything else is a SQLite path
    /// (with or without a `sqlite://` prefix).
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
///
/// An outermost SQLite transaction begins `IMMEDIATE`: it takes the write lock up front,
/// waiting for it under the busy timeout. A deferred one would take it only at its first
/// write, and when another connection had written since its first read SQLite refuses the
/// upgrade at once ("database is locked") instead of waiting. Every transaction here writes.
pub fn transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::Connection as _;
    if let DbConn::Sqlite(sqlite) = conn {
        let depth = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
            .transaction_depth()
            .map_err(|e| E::from(DbError::Query(e)))?;
        if depth.is_none() {
            return sqlite_immediate(conn, f);
        }
    }
    let mut outcome: Option<Result<T, E>> = None;
    let result = conn.transaction::<(), diesel::result::Error, _>(|conn| match f(conn) {
        Ok(v) => {
            outcome = Some(Ok(v));
            Ok(())
        }
        Err(e) => {
            outcome = Some(Err(e));
            Err(diesel::result::Error::RollbackTransaction)
        }
    });
    match (result, outcome) {
        (Ok(()), Some(out)) | (Err(diesel::result::Error::RollbackTransaction), Some(out)) => out,
        (Err(e), _) => Err(E::from(DbError::Query(e))),
        (Ok(()), None) => Err(E::from(DbError::Blocking(
            "transaction produced no result".into(),
        ))),
    }
}

/// Runs one statement inside a transaction so that its failure (e.g. a unique violation the
/// caller handles) leaves the transaction usable: in a savepoint on PostgreSQL, where a failed
/// statement aborts the whole transaction; as is on SQLite, where a failed statement changes
/// nothing and the transaction goes on (a savepoint there cost two more statements per PUT).
pub fn recoverable<T, E>(
    conn: &mut DbConn,
    statement: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    match conn {
        DbConn::Sqlite(_) => statement(conn),
        DbConn::Pg(_) => transaction(conn, statement),
    }
}

/// The outermost SQLite transaction, begun `IMMEDIATE` (see [`transaction`]). Transactions
/// nested inside `f` become savepoints as usual: the transaction manager knows the depth.
fn sqlite_immediate<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    // Writers of this process queue here, woken one at a time, instead of in SQLite's busy
    // handler, which polls the lock with sleeps growing to 100 ms: under a few dozen
    // concurrent writes that put a tail of hundreds of milliseconds on PUT. One process holds
    // one SQLite database (several processes share only PostgreSQL), so one gate for the
    // process serves; `busy_timeout` still covers any other process on the file.
    static WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _writer = WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let query = |e| E::from(DbError::Query(e));
    if let DbConn::Sqlite(sqlite) = &mut *conn {
        AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE").map_err(query)?;
    }
    let outcome = f(conn);
    let DbConn::Sqlite(sqlite) = conn else {
        return outcome;
    };
    match outcome {
        Ok(v) => AnsiTransactionManager::commit_transaction(sqlite)
            .map(|()| v)
            .map_err(query),
        Err(e) => {
            // The request already failed; a failed rollback leaves the connection marked
            // broken, and the pool replaces it.
            let _ = AnsiTransactionManager::rollback_transaction(sqlite);
            Err(e)
        }
    }
}

/// A trivial round trip to the database.
pub fn ping(conn: &mut DbConn) -> DbResult<()> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` builds SQLite with `SQLITE_ENABLE_QPSG`, so cached statements are
    /// never re-prepared because a bound value changed.
    #[test]
    fn sqlite_plans_are_stable() -> Result<(), Box<dyn std::error::Error>> {
        let mut conn = SqliteConnection::establish(":memory:")?;
        let options =
            diesel::sql_query("PRAGMA compile_options").load::<CompileOption>(&mut conn)?;
        assert!(
            options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
            "SQLite built without SQLITE_ENABLE_QPSG"
        );
        Ok(())
    }
}
