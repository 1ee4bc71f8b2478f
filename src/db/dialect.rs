//! All backend-specific SQL (STYLE.md §4.3): running dynamic statements built by
//! `odata::sql::SqlBuilder` on SQLite or PostgreSQL, and the generic filtered list used by every
//! OData entity set (`spec/personium-api.md` §8.3 query options).

use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryableByName;

use super::{DbConn, DbResult};
use crate::odata::query::QueryOptions;
use crate::odata::sql::{self as odata_sql, Dialect, PropertyResolver, SqlBuilder, SqlValue};

/// The SQL dialect of a connection.
pub fn dialect_of(conn: &DbConn) -> Dialect {
    match conn {
        DbConn::Sqlite(_) => Dialect::Sqlite,
        DbConn::Pg(_) => Dialect::Postgres,
    }
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                SqlValue::Null => q.bind::<Nullable<Text>, _>(None::<String>),
                SqlValue::Text(s) => q.bind::<Text, _>(s),
                SqlValue::Int(i) => q.bind::<BigInt, _>(i),
                SqlValue::Double(f) => q.bind::<Double, _>(f),
                SqlValue::Bool(v) => q.bind::<Bool, _>(v),
            };
        }
        q
    }};
}

fn sqlite_query(
    sql: String,
    binds: Vec<SqlValue>,
) -> BoxedSqlQuery<'static, Sqlite, diesel::query_builder::SqlQuery> {
    bind_all!(diesel::sql_query(sql).into_boxed::<Sqlite>(), binds)
}

fn pg_query(
    sql: String,
    binds: Vec<SqlValue>,
) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
    bind_all!(diesel::sql_query(sql).into_boxed::<Pg>(), binds)
}

/// Loads the rows of a dynamic statement.
pub fn load<R>(conn: &mut DbConn, sql: String, binds: Vec<SqlValue>) -> DbResult<Vec<R>>
where
    R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    Ok(match conn {
        DbConn::Sqlite(c) => sqlite_query(sql, binds).load(c)?,
        DbConn::Pg(c) => pg_query(sql, binds).load(c)?,
    })
}

/// Executes a dynamic statement; returns the affected row count.
pub fn execute(conn: &mut DbConn, sql: String, binds: Vec<SqlValue>) -> DbResult<usize> {
    Ok(match conn {
        DbConn::Sqlite(c) => sqlite_query(sql, binds).execute(c)?,
        DbConn::Pg(c) => pg_query(sql, binds).execute(c)?,
    })
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// One filtered, sorted, paged list over a table, as an entity set answers `GET {Set}`.
pub struct ListQuery<'a> {
    /// `SELECT` list, e.g. `t.*`.
    pub columns: &'a str,
    /// `FROM` clause, e.g. `roles t`.
    pub from: &'a str,
    /// Conditions that always apply (e.g. `t.cell_id = ?`), with their binds.
    pub scope: Vec<(&'a str, SqlValue)>,
    pub options: &'a QueryOptions,
    pub resolver: &'a dyn PropertyResolver,
    /// Tie-breaker and default order, e.g. `t.published, t.id`.
    pub default_order: &'a str,
}

/// A page of rows and, when asked for, the total count.
pub struct Page<R> {
    pub rows: Vec<R>,
    pub count: Option<i64>,
}

fn push_where(b: &mut SqlBuilder, q: &ListQuery<'_>) -> crate::Result<()> {
    b.push_sql(" WHERE 1=1");
    for (cond, value) in &q.scope {
        b.push_sql(" AND ");
        // Each scope condition has exactly one placeholder, written as `?`.
        let (before, after) = cond.split_once('?').unwrap_or((cond, ""));
        b.push_sql(before);
        b.push_bind(value.clone());
        b.push_sql(after);
    }
    if let Some(filter) = &q.options.filter {
        b.push_sql(" AND (");
        odata_sql::push_filter(b, filter, q.resolver)?;
        b.push_sql(")");
    }
    Ok(())
}

/// Runs the list query and, with `$inlinecount=allpages`, the count.
pub fn list<R>(conn: &mut DbConn, q: &ListQuery<'_>) -> crate::Result<Page<R>>
where
    R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    let dialect = dialect_of(conn);
    let mut b = SqlBuilder::new(dialect);
    b.push_sql(&format!("SELECT {} FROM {}", q.columns, q.from));
    push_where(&mut b, q)?;
    let before = b.sql().len();
    odata_sql::push_order_by(&mut b, &q.options.orderby, q.resolver)?;
    if b.sql().len() == before {
        b.push_sql(&format!(" ORDER BY {}", q.default_order));
    } else {
        b.push_sql(&format!(", {}", q.default_order));
    }
    b.push_sql(" LIMIT ");
    b.push_bind(SqlValue::Int(i64::from(q.options.top)));
    b.push_sql(" OFFSET ");
    b.push_bind(SqlValue::Int(i64::from(q.options.skip)));
    let (sql, binds) = b.into_parts();
    let rows = load::<R>(conn, sql, binds)?;
    let count = if q.options.inlinecount {
        let mut c = SqlBuilder::new(dialect);
        c.push_sql(&format!("SELECT COUNT(*) AS count FROM {}", q.from));
        push_where(&mut c, q)?;
        let (sql, binds) = c.into_parts();
        let counted = load::<CountRow>(conn, sql, binds)?;
        Some(counted.first().map_or(0, |r| r.count))
    } else {
        None
    };
    Ok(Page { rows, count })
}
