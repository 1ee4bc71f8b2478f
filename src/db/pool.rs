//! The connection pool (DESIGN.md "Storage and data"): r2d2 over [`DbConn`], a FIFO queue of
//! permits in front of it, and the two places where async code meets the synchronous database:
//! `DbPool::run` (any work, on the blocking thread pool) and `DbPool::read` (short reads).
//!
//! `read` on SQLite runs the query inline, on the calling thread, with that thread's own
//! read-only connection. A point read on a WAL database takes a few microseconds and never waits
//! for a writer, while handing it to the blocking pool and back costs two thread wake-ups (futex
//! calls and context switches): under load that hand-off cost more CPU than the query. On
//! PostgreSQL a read is a network round trip, so `read` is `run`. Each inline read is its own
//! snapshot: a closure that needs several queries to agree uses `run` with a transaction.
//!
//! A pooled connection is checked for liveness (`SELECT 1`) only when there is reason to doubt
//! it: it sat idle longer than [`IDLE_CHECK_AFTER`] (a PostgreSQL server may have restarted or
//! a proxy dropped the socket meanwhile), or the last work done on it failed (a broken socket
//! shows up as an error; the next checkout then finds out and replaces the connection). A busy
//! pool therefore pays no round trip per request, and a dead connection fails at most the one
//! request that discovered it.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thread_local::ThreadLocal;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};

use super::{Backend, DbConn, DbError, DbResult};

/// How long a connection may sit unused before its next checkout verifies it.
const IDLE_CHECK_AFTER: Duration = Duration::from_secs(2);

/// A connection as the pool keeps it: the connection and what the liveness check needs.
pub struct PooledConn {
    conn: DbConn,
    last_used: Instant,
    /// The last work on this connection failed: verify it before handing it out again.
    suspect: bool,
}

impl PooledConn {
    fn needs_check(&self) -> bool {
        self.suspect || self.last_used.elapsed() >= IDLE_CHECK_AFTER
    }

    /// Records the outcome of a unit of work done on the connection.
    fn used(&mut self, failed: bool) {
        self.last_used = Instant::now();
        self.suspect = failed;
    }
}

impl Deref for PooledConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
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
    type Connection = PooledConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledConn, r2d2::Error> {
        let conn = self.establish().map_err(|e| match e {
            DbError::Connection(c) => r2d2::Error::ConnectionError(c),
            DbError::Query(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })?;
        Ok(PooledConn {
            conn,
            last_used: Instant::now(),
            suspect: false,
        })
    }

    fn is_valid(&self, conn: &mut PooledConn) -> Result<(), r2d2::Error> {
        // A SQLite connection is a file handle: it cannot go stale.
        if matches!(conn.conn, DbConn::Sqlite(_)) || !conn.needs_check() {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        conn.used(false);
        Ok(())
    }

    fn has_broken(&self, conn: &mut PooledConn) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
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
    permits: Arc<tokio::sync::Semaphore>,
    /// SQLite only: the read-only connection of each thread that has read inline.
    readers: Option<Arc<Readers>>,
}

/// Per-thread read connections of one SQLite database.
struct Readers {
    manager: ConnectionManager,
    conns: ThreadLocal<RefCell<Option<DbConn>>>,
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
        let manager = ConnectionManager {
            url: url.to_owned(),
        };
        let readers = (backend == Backend::Sqlite).then(|| {
            Arc::new(Readers {
                manager: manager.clone(),
                conns: ThreadLocal::new(),
            })
        });
        let pool = r2d2::Pool::builder()
            .max_size(size)
            // `is_valid` decides per connection whether a round trip is worth it.
            .test_on_check_out(true)
            .connection_timeout(timeout)
            .build(manager)?;
        Ok(DbPool {
            pool,
            backend,
            permits: Arc::new(tokio::sync::Semaphore::new(size as usize)),
            readers,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous use (start-up, CLI, migrations).
    pub fn get(&self) -> DbResult<r2d2::PooledConnection<ConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
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
            let result = f(&mut conn.conn);
            conn.used(result.is_err());
            result
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(E::from(DbError::Blocking(e.to_string()))),
        }
    }

    /// Runs a short, read-only `f` (see the module doc): inline on SQLite, on the blocking pool
    /// on PostgreSQL. `f` must only read; the SQLite connection refuses writes.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        match &self.readers {
            Some(readers) => readers.read(f),
            None => self.run(f).await,
        }
    }
}

impl Readers {
    fn read<T, E>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let slot = self.conns.get_or(|| RefCell::new(None));
        // A read closure is synchronous and cannot start another read, so the slot is free.
        let mut slot = slot
            .try_borrow_mut()
            .map_err(|_| E::from(DbError::Blocking("nested inline read".into())))?;
        let conn = match &mut *slot {
            Some(conn) => conn,
            None => {
                let mut conn = self.manager.establish().map_err(E::from)?;
                conn.batch_execute("PRAGMA query_only = ON;")
                    .map_err(|e| E::from(DbError::Query(e)))?;
                slot.insert(conn)
            }
        };
        f(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(conn: &mut DbConn) -> Result<i64, DbError> {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows = diesel::sql_query("SELECT COUNT(*) AS n FROM t").load::<N>(conn)?;
        Ok(rows.first().map_or(0, |r| r.n))
    }

    /// An inline read sees what the pool committed just before, and refuses to write.
    #[tokio::test]
    async fn inline_reads_see_commits_and_cannot_write() -> Result<(), DbError> {
        let dir = tempfile::tempdir().map_err(|e| DbError::R2d2(e.to_string()))?;
        let url = dir.path().join("db.sqlite").display().to_string();
        let pool = DbPool::connect(&url, 2, Duration::from_secs(5))?;
        pool.run(|c| {
            c.batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)")
                .map_err(DbError::Query)
        })
        .await?;
        for expected in 1..=3 {
            pool.run(|c| {
                c.batch_execute("INSERT INTO t VALUES (1)")
                    .map_err(DbError::Query)
            })
            .await?;
            assert_eq!(pool.read(count).await?, expected);
        }
        let write = pool
            .read(|c| {
                c.batch_execute("INSERT INTO t VALUES (2)")
                    .map_err(DbError::Query)
            })
            .await;
        assert!(write.is_err(), "an inline read wrote");
        assert_eq!(pool.read(count).await?, 3);
        Ok(())
    }
}
