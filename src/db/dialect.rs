//! All backend-specific SQL (STYLE.md §4.3): running dynamic statements built by
//! `odata::sql::SqlBuilder` on SQLite or PostgreSQL, and the generic filtered list used by every
//! OData entity set (`spec/personium-api.md` §8.3 query options).

use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, Double, HasSqlType, Nullable, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, QueryableByName};
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use super::{DbConn, DbResult};
use crate::odata::edm::EdmType;
use crate::odata::query::QueryOptions;
use crate::odata::sql::{
    self as odata_sql, Dialect, PropertyResolver, SqlBuilder, SqlValue, Statement,
};

/// The SQL dialect of a connection.
pub fn dialect_of(conn: &DbConn) -> Dialect {
    match conn {
        DbConn::Sqlite(_) => Dialect::Sqlite,
        DbConn::Pg(_) => Dialect::Postgres,
    }
}

/// A statement built by [`SqlBuilder`], run through diesel so that a statement of a fixed shape
/// is prepared once per connection and reused (its SQL text is the cache key; diesel never
/// caches `sql_query`). Statements shaped by user input opt out (`Statement::cacheable`).
struct Dynamic(Statement);

/// The value SQL NULL is bound as (a typed NULL of text, which both backends coerce).
static NULL_TEXT: Option<String> = None;

impl Dynamic {
    /// Walks the SQL, letting the backend write each placeholder where the builder put one.
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend
            + HasSqlType<Text>
            + HasSqlType<BigInt>
            + HasSqlType<Double>
            + HasSqlType<Bool>
            + HasSqlType<Nullable<Text>>,
        String: ToSql<Text, DB>,
        i64: ToSql<BigInt, DB>,
        f64: ToSql<Double, DB>,
        bool: ToSql<Bool, DB>,
        Option<String>: ToSql<Nullable<Text>, DB>,
    {
        let Statement {
            sql,
            binds,
            holes,
            cacheable,
        } = &self.0;
        if !cacheable {
            out.unsafe_to_cache_prepared();
        }
        let mut at = 0;
        for ((start, end), value) in holes.iter().zip(binds) {
            out.push_sql(&sql[at..*start]);
            match value {
                SqlValue::Null => out.push_bind_param::<Nullable<Text>, _>(&NULL_TEXT)?,
                SqlValue::Text(v) => out.push_bind_param::<Text, _>(v)?,
                SqlValue::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                SqlValue::Double(v) => out.push_bind_param::<Double, _>(v)?,
                SqlValue::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
            }
            at = *end;
        }
        out.push_sql(&sql[at..]);
        Ok(())
    }
}

impl QueryFragment<Sqlite> for Dynamic {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk(out)
    }
}

impl QueryFragment<Pg> for Dynamic {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(out)
    }
}

impl QueryId for Dynamic {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Dynamic {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for Dynamic {}

/// Loads the rows of a dynamic statement.
pub fn load<R>(conn: &mut DbConn, b: SqlBuilder) -> DbResult<Vec<R>>
where
    R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    let q = Dynamic(b.into_statement());
    Ok(match conn {
        DbConn::Sqlite(c) => q.load(c)?,
        DbConn::Pg(c) => q.load(c)?,
    })
}

/// Executes a dynamic statement; returns the affected row count.
pub fn execute(conn: &mut DbConn, b: SqlBuilder) -> DbResult<usize> {
    let q = Dynamic(b.into_statement());
    Ok(match conn {
        DbConn::Sqlite(c) => q.execute(c)?,
        DbConn::Pg(c) => q.execute(c)?,
    })
}

/// SQL fragments that depend only on a table and the dialect, written once per
/// process (a bounded set: tables × dialects × fragment kinds) and shared from then on.
pub fn memo(
    key: (&'static str, Dialect, Fragment),
    build: impl FnOnce() -> String,
) -> &'static str {
    type Memo = HashMap<(&'static str, Dialect, Fragment), &'static str>;
    static MEMO: OnceLock<RwLock<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(RwLock::default);
    if let Some(s) = memo.read().ok().and_then(|m| m.get(&key).copied()) {
        return s;
    }
    let built: &'static str = Box::leak(build().into_boxed_str());
    match memo.write() {
        Ok(mut m) => m.entry(key).or_insert(built),
        Err(_) => built,
    }
}

/// Which fragment of a table's statements [`memo`] holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fragment {
    From,
    Select,
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
    /// Conditions that always apply (e.g. `t.cell_id = ?`), with their binds; a condition
    /// without `?` is written as is.
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

/// ` WHERE …` of a list: its scope conditions and `$filter`.
pub(crate) fn push_where(b: &mut SqlBuilder, q: &ListQuery<'_>) -> crate::Result<()> {
    b.push_sql(" WHERE 1=1");
    for (cond, value) in &q.scope {
        b.push_sql(" AND ");
        // A scope condition has one placeholder, written as `?`, or none (its value unused).
        match cond.split_once('?') {
            Some((before, after)) => {
                b.push_sql(before);
                b.push_bind(value.clone());
                b.push_sql(after);
            }
            None => b.push_sql(cond),
        }
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

    let rows = load::<R>(conn, b)?;
    let count = match q.options.inlinecount {
        true => Some(count(conn, q)?),
        false => None,
    };
    Ok(Page { rows, count })
}

/// How many rows the list selects, pages aside (`$inlinecount=allpages`).
pub(crate) fn count(conn: &mut DbConn, q: &ListQuery<'_>) -> crate::Result<i64> {
    let mut c = SqlBuilder::new(dialect_of(conn));
    c.push_sql(&format!("SELECT COUNT(*) AS count FROM {}", q.from));
    push_where(&mut c, q)?;
    let counted = load::<CountRow>(conn, c)?;
    Ok(counted.first().map_or(0, |r| r.count))
}

/// The SQL value of the property stored under `key`, typed for comparison and ordering:
/// numbers and `Edm.DateTime` (epoch ms) as double precision, `Edm.Boolean` as boolean (0/1
/// on SQLite), strings compared by code point. `None` when `key` cannot be written into SQL.
///
/// On PostgreSQL the casts are guarded by the JSON type: rows of other EntityTypes share the
/// table and may hold anything under the same key, and a planner is free to evaluate this
/// before the `type_id` condition; a guarded cast never fails.
pub fn json_value_sql(d: Dialect, key: &str, ty: EdmType) -> Option<String> {
    if !super::odata_data::is_sql_safe(key) {
        return None;
    }
    let guarded = |json: &str, sql: &str| {
        format!(
            "(CASE WHEN jsonb_typeof(body->'{key}') = '{json}' THEN (body->>'{key}')::{sql} END)"
        )
    };
    Some(match d {
        Dialect::Sqlite => format!("json_extract(body, '$.{key}')"),
        Dialect::Postgres => match ty {
            EdmType::String => format!("((body->>'{key}') COLLATE \"C\")"),
            EdmType::Boolean => guarded("boolean", "boolean"),
            _ => guarded("number", "double precision"),
        },
    })
}

/// The names of the `odata_ix_*` indexes of user data whose Property row is gone.
pub fn user_data_index_query(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'odata_entities' \
             AND name LIKE 'odata_ix_%' \
             AND substr(name, 10) NOT IN (SELECT id FROM odata_properties)"
        }
        Dialect::Postgres => {
            "SELECT indexname::text AS name FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = 'odata_entities' \
             AND indexname LIKE 'odata\\_ix\\_%' \
             AND substr(indexname, 10) NOT IN (SELECT id FROM odata_properties)"
        }
    }
}

/// The list condition of a full-text search (`q`), with one placeholder for
/// [`full_text_query`]: FTS5 on SQLite, a `simple` text search on PostgreSQL (both: words,
/// case-insensitive, every word required).
pub fn full_text_condition(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => "seq IN (SELECT rowid FROM odata_search WHERE odata_search MATCH ?)",
        Dialect::Postgres => "to_tsvector('simple', search) @@ plainto_tsquery('simple', ?)",
    }
}

/// The bound value of [`full_text_condition`] for the words of `q`: on SQLite each word as an
/// FTS5 string (its syntax never reaches the engine), space-separated (AND).
pub fn full_text_query(d: Dialect, q: &str) -> String {
    match d {
        Dialect::Sqlite => q
            .split_whitespace()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" "),
        Dialect::Postgres => q.to_owned(),
    }
}

/// Refreshes the planner's statistics where they are missing or stale: on SQLite `PRAGMA
/// optimize` (bounded by `analysis_limit`), which analyzes tables with unanalyzed indexes or
/// that grew 25-fold. Without statistics SQLite guesses that an equality on `type_id` selects
/// ten rows and prefers that index to a property's own. PostgreSQL analyzes by itself.
///
/// Other connections load statistics only with the schema, so when they changed a no-op DDL
/// (replacing an empty view) moves the schema version on and every connection reloads both
/// before its next statement.
pub fn refresh_statistics(conn: &mut DbConn) -> DbResult<()> {
    #[derive(QueryableByName)]
    struct Stats {
        #[diesel(sql_type = Nullable<Text>)]
        stats: Option<String>,
    }
    let DbConn::Sqlite(c) = conn else {
        return Ok(());
    };
    use diesel::connection::SimpleConnection;
    let snapshot = |c: &mut diesel::SqliteConnection| -> DbResult<Option<String>> {
        let rows = diesel::sql_query(
            "SELECT group_concat(idx || ':' || stat, ';') AS stats FROM \
             (SELECT idx, stat FROM sqlite_stat1 ORDER BY idx)",
        )
        .load::<Stats>(c);
        // No sqlite_stat1 yet: nothing analyzed so far.
        Ok(rows
            .ok()
            .and_then(|r| r.into_iter().next())
            .and_then(|r| r.stats))
    };
    let before = snapshot(c)?;
    c.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
    if snapshot(c)? != before {
        c.batch_execute(
            "DROP VIEW IF EXISTS unitcell_statistics_epoch; \
             CREATE VIEW unitcell_statistics_epoch AS SELECT 1 AS epoch;",
        )?;
    }
    Ok(())
}
