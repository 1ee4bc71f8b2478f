//! A sorted list page whose first sort key runs against the way the database orders NULL
//! (`spec/personium-api.md` §8.3: rows without a value come last in both directions). SQLite
//! puts NULL first, so an ascending sort must move them; PostgreSQL puts them last, so a
//! descending one must. Written as `ORDER BY key IS NULL, key` such a sort cannot walk the
//! key's index. Here it runs as two bounded parts that each can: the rows with a value in the
//! index's own order, then the rows without, each cut at `$skip + $top`, and the page is taken
//! from their union (at most twice the page, sorted in memory).

use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel::QueryableByName;

use super::dialect::{self, dialect_of, ListQuery, Page};
use super::DbConn;
use crate::odata::query::OrderBy;
use crate::odata::sql::{
    self as odata_sql, ColumnRef, Dialect, PropertyResolver, SqlBuilder, SqlValue,
};

/// True when sorting `descending` on this dialect needs its NULLs moved (see the module doc).
pub fn against_nulls(d: Dialect, descending: bool) -> bool {
    match d {
        Dialect::Sqlite => !descending,
        Dialect::Postgres => descending,
    }
}

/// The sort keys of the outer query: each key's value as the column `k{i}` of the parts.
struct Keys<'a>(&'a [(String, ColumnRef)]);

impl PropertyResolver for Keys<'_> {
    fn column(&self, property: &str) -> Option<ColumnRef> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, (p, _))| p == property)
            .map(|(i, (_, c))| ColumnRef {
                sql: format!("k{i}"),
                ..c.clone()
            })
    }
}

/// `ORDER BY …` of `keys` as [`odata_sql::push_order_by`] writes them, without the keyword.
fn order_terms(d: Dialect, keys: &[OrderBy], r: &dyn PropertyResolver) -> crate::Result<String> {
    let mut b = SqlBuilder::new(d);
    odata_sql::push_order_by(&mut b, keys, r)?;
    Ok(b.sql().trim_start_matches(" ORDER BY ").to_owned())
}

/// The page of `q`, whose first `$orderby` key is `first` (a nullable, indexed column) sorted
/// against the database's NULL order. The statement is not kept prepared (it is user-shaped).
pub fn list<R>(conn: &mut DbConn, q: &ListQuery<'_>, first: &ColumnRef) -> crate::Result<Page<R>>
where
    R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    let d = dialect_of(conn);
    let (head, rest) = match q.options.orderby.split_first() {
        Some(split) => split,
        None => return dialect::list(conn, q),
    };
    let keys: Vec<(String, ColumnRef)> = q
        .options
        .orderby
        .iter()
        .filter_map(|o| Some((o.property.clone(), q.resolver.column(&o.property)?)))
        .collect();
    let dir = if head.descending { "DESC" } else { "ASC" };
    let rest_terms = order_terms(d, rest, q.resolver)?;
    let cut = i64::from(q.options.top) + i64::from(q.options.skip);
    let mut b = SqlBuilder::new(d);
    b.not_cacheable();
    b.push_sql("SELECT * FROM (");
    for (rank, test) in [(0, "IS NOT NULL"), (1, "IS NULL")] {
        if rank == 1 {
            b.push_sql(" UNION ALL ");
        }
        let values: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!(", {} AS k{i}", c.sql))
            .collect();
        b.push_sql(&format!(
            "SELECT * FROM (SELECT {}, {rank} AS nulls_rank{} FROM {}",
            q.columns,
            values.concat(),
            q.from
        ));
        dialect::push_where(&mut b, q)?;
        b.push_sql(&format!(" AND {} {test} ORDER BY ", first.sql));
        if rank == 0 {
            // The index's own order: no NULL to place.
            b.push_sql(&format!("{} {dir}, ", first.sql));
        }
        if !rest_terms.is_empty() {
            b.push_sql(&format!("{rest_terms}, "));
        }
        b.push_sql(&format!("{} LIMIT ", q.default_order));
        b.push_bind(SqlValue::Int(cut));
        b.push_sql(&format!(") part{rank}"));
    }
    b.push_sql(") parts ORDER BY nulls_rank, ");
    let outer = order_terms(d, &q.options.orderby, &Keys(&keys))?;
    if !outer.is_empty() {
        b.push_sql(&format!("{outer}, "));
    }
    b.push_sql(&format!("{} LIMIT ", q.default_order));
    b.push_bind(SqlValue::Int(i64::from(q.options.top)));
    b.push_sql(" OFFSET ");
    b.push_bind(SqlValue::Int(i64::from(q.options.skip)));
    let rows = dialect::load::<R>(conn, b)?;
    let count = match q.options.inlinecount {
        true => Some(dialect::count(conn, q)?),
        false => None,
    };
    Ok(Page { rows, count })
}
