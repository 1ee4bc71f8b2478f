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
pub mod dialect;
pub mod grants;
pub mod keys;
pub mod migrate;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};

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

/// Opens connections by URL and prepares SQLite ones (foreign keys, busy timeout).
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: String,
}

impl ConnectionManager {
    fn establish(&self) -> Result<DbConn, DbError> {
        match Backend::of_url(&self.url) {
            Backend::Postgres => Ok(DbConn::Pg(PgConnection::establish(&self.url)?)),
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap_or(&self.url);
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA synchronous = NORMAL;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.establish().map_err(|e| match e {
            DbError::Connection(c) => r2d2::Error::ConnectionError(c),
            DbError::Query(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// The connection pool. Cheap to clone.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    /// One permit per connection: callers queue here, asynchronously and first come first
    /// served, rather than as blocked threads racing for a connection (which made the slowest
    /// requests far slower under load).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl DbPool {
    /// Builds the pool and checks that one connection can be made.
    pub fn connect(url: &str, size: u32, timeout: Duration) -> DbResult<DbPool> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::R2d2(e.to_string()))?;
                }
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(size)
            // A SQLite connection cannot go stale; a PostgreSQL one can (server restart,
            // network), so only those are checked before each use.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(timeout)
            .build(ConnectionManager {
                url: url.to_owned(),
            })?;
        Ok(DbPool {
            pool,
            backend,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous use (start-up, CLI, migrations).
    pub fn get(&self) -> DbResult<r2d2::PooledConnection<ConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool: the one place where
    /// async code meets the synchronous database.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| E::from(DbError::Blocking(e.to_string())))?;
        let joined = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(E::from(DbError::Blocking(e.to_string()))),
        }
    }
}

/// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
pub fn transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    use diesel::Connection as _;
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

/// A trivial round trip to the database.
pub fn ping(conn: &mut DbConn) -> DbResult<()> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}
