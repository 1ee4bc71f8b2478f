//! Links between user entities (`spec/personium-api.md` §8.2 `$links` and navigation
//! properties): rows of `odata_links`, one per direction, each naming the AssociationEnd on the
//! side of `from_seq`. Deleting an entity deletes its links (`ON DELETE CASCADE`).

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use super::dialect::{self, dialect_of};
use super::{DbConn, DbResult};
use crate::odata::sql::{SqlBuilder, SqlValue};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

/// `WHERE end_id = ? AND from_seq = ?` on `odata_links`.
fn from_end(conn: &DbConn, head: &str, end_id: &str, from: i64) -> SqlBuilder {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql(head);
    b.push_sql(" WHERE end_id = ");
    b.push_bind(SqlValue::Text(end_id.to_owned()));
    b.push_sql(" AND from_seq = ");
    b.push_bind(SqlValue::Int(from));
    b
}

/// How many links an entity has over its AssociationEnd `end_id`.
pub fn count(conn: &mut DbConn, end_id: &str, from: i64) -> DbResult<i64> {
    let b = from_end(conn, "SELECT COUNT(*) AS n FROM odata_links", end_id, from);
    Ok(dialect::load::<N>(conn, b)?.first().map_or(0, |r| r.n))
}

/// True when `from` is linked to `to` over `end_id`.
pub fn exists(conn: &mut DbConn, end_id: &str, from: i64, to: i64) -> DbResult<bool> {
    let mut b = from_end(conn, "SELECT COUNT(*) AS n FROM odata_links", end_id, from);
    b.push_sql(" AND to_seq = ");
    b.push_bind(SqlValue::Int(to));
    Ok(dialect::load::<N>(conn, b)?
        .first()
        .is_some_and(|r| r.n > 0))
}

fn insert_one(conn: &mut DbConn, end_id: &str, from: i64, to: i64) -> DbResult<()> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql("INSERT INTO odata_links (end_id, from_seq, to_seq) VALUES (");
    b.push_bind(SqlValue::Text(end_id.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(from));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(to));
    b.push_sql(")");
    dialect::execute(conn, b)?;
    Ok(())
}

/// Links `a` (over its end `end_a`) and `b` (over its end `end_b`), both directions.
pub fn insert(conn: &mut DbConn, (end_a, a): (&str, i64), (end_b, b): (&str, i64)) -> DbResult<()> {
    insert_one(conn, end_a, a, b)?;
    insert_one(conn, end_b, b, a)
}

/// Unlinks `a` and `b` (both directions); false when they were not linked.
pub fn delete(
    conn: &mut DbConn,
    (end_a, a): (&str, i64),
    (end_b, b): (&str, i64),
) -> DbResult<bool> {
    let mut n = 0;
    for (end, from, to) in [(end_a, a, b), (end_b, b, a)] {
        let mut q = from_end(conn, "DELETE FROM odata_links", end, from);
        q.push_sql(" AND to_seq = ");
        q.push_bind(SqlValue::Int(to));
        n += dialect::execute(conn, q)?;
    }
    Ok(n > 0)
}

/// The `__id`s of the entities `from` is linked to over `end_id`, in link order, one page
/// (`limit`, `offset`).
pub fn target_ids(
    conn: &mut DbConn,
    end_id: &str,
    from: i64,
    (limit, offset): (i64, i64),
) -> DbResult<Vec<String>> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql(
        "SELECT e.id FROM odata_links l JOIN odata_entities e ON e.seq = l.to_seq \
         WHERE l.end_id = ",
    );
    b.push_bind(SqlValue::Text(end_id.to_owned()));
    b.push_sql(" AND l.from_seq = ");
    b.push_bind(SqlValue::Int(from));
    b.push_sql(" ORDER BY e.seq LIMIT ");
    b.push_bind(SqlValue::Int(limit));
    b.push_sql(" OFFSET ");
    b.push_bind(SqlValue::Int(offset));
    Ok(dialect::load::<Id>(conn, b)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The list condition "linked from `from` over `end_id`" for `dialect::ListQuery::scope`: the
/// end is written as a literal (a bounded set of statements, one per association end), the
/// entity as the bind.
pub fn linked_condition(end_id: &str) -> Option<String> {
    super::odata_data::is_sql_safe(end_id).then(|| {
        format!(
            "seq IN (SELECT to_seq FROM odata_links WHERE end_id = '{end_id}' AND from_seq = ?)"
        )
    })
}
