//! Reads of a collection's whole user schema (`spec/personium-api.md` §8.1), for `$metadata`
//! and the limit checks, and the few counts the schema rules need. Single rows go through the
//! table-driven `db::ctl` repository.

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::QueryableByName;

use super::dialect;
use super::{DbConn, DbResult};
use crate::odata::sql::{SqlBuilder, SqlValue};

/// A stored Property or ComplexTypeProperty, with its owner's name.
#[derive(QueryableByName, Debug)]
pub struct PropertyRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    /// Null only on rows older than user data.
    #[diesel(sql_type = Nullable<Text>)]
    pub json_key: Option<String>,
    #[diesel(sql_type = Text)]
    pub owner: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub prop_type: String,
    #[diesel(sql_type = Bool)]
    pub nullable: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub default_value: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub collection_kind: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub is_declared: Option<bool>,
}

/// A stored AssociationEnd, with its EntityType's name.
#[derive(QueryableByName, Debug)]
pub struct EndRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub entity_type: String,
    #[diesel(sql_type = Text)]
    pub multiplicity: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub partner_id: Option<String>,
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `sql` followed by `id` as a bind.
fn with_id(conn: &DbConn, sql: &str, id: &str) -> SqlBuilder {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(sql);
    b.push_bind(SqlValue::Text(id.to_owned()));
    b
}

/// The names of a collection's EntityTypes (`odata_entity_types`) or ComplexTypes
/// (`odata_complex_types`), sorted.
pub fn type_names(conn: &mut DbConn, table: &str, node_id: &str) -> DbResult<Vec<String>> {
    let sql = format!("SELECT name FROM {table} WHERE node_id = ");
    let mut b = with_id(conn, &sql, node_id);
    b.push_sql(" ORDER BY name");
    Ok(dialect::load::<NameRow>(conn, b)?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

/// The Properties of a collection, sorted by name.
pub fn properties(conn: &mut DbConn, node_id: &str) -> DbResult<Vec<PropertyRow>> {
    let mut b = with_id(
        conn,
        "SELECT t.id, t.json_key, p.name AS owner, t.name, t.prop_type, t.nullable, t.default_value, \
         t.collection_kind, t.is_declared FROM odata_properties t \
         JOIN odata_entity_types p ON p.id = t.entity_type_id WHERE t.node_id = ",
        node_id,
    );
    b.push_sql(" ORDER BY t.name, p.name");
    dialect::load(conn, b)
}

/// The ComplexTypeProperties of a collection, sorted by name.
pub fn complex_properties(conn: &mut DbConn, node_id: &str) -> DbResult<Vec<PropertyRow>> {
    let mut b = with_id(
        conn,
        "SELECT t.id, t.json_key, p.name AS owner, t.name, t.prop_type, t.nullable, t.default_value, \
         t.collection_kind, NULL AS is_declared FROM odata_complex_type_properties t \
         JOIN odata_complex_types p ON p.id = t.complex_type_id WHERE t.node_id = ",
        node_id,
    );
    b.push_sql(" ORDER BY t.name, p.name");
    dialect::load(conn, b)
}

/// The AssociationEnds of a collection, sorted by name.
pub fn ends(conn: &mut DbConn, node_id: &str) -> DbResult<Vec<EndRow>> {
    let mut b = with_id(
        conn,
        "SELECT t.id, t.name, p.name AS entity_type, t.multiplicity, t.partner_id \
         FROM odata_association_ends t \
         JOIN odata_entity_types p ON p.id = t.entity_type_id WHERE t.node_id = ",
        node_id,
    );
    b.push_sql(" ORDER BY t.name, p.name");
    dialect::load(conn, b)
}

/// How many rows of `table` belong to the collection.
pub fn count(conn: &mut DbConn, table: &str, node_id: &str) -> DbResult<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE node_id = ");
    let b = with_id(conn, &sql, node_id);
    Ok(dialect::load::<Count>(conn, b)?.first().map_or(0, |c| c.n))
}

/// How many rows of `table` (a property table) of the collection have `prop_type = type_name`.
pub fn count_typed(
    conn: &mut DbConn,
    table: &str,
    node_id: &str,
    type_name: &str,
) -> DbResult<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE node_id = ");
    let mut b = with_id(conn, &sql, node_id);
    b.push_sql(" AND prop_type = ");
    b.push_bind(SqlValue::Text(type_name.to_owned()));
    Ok(dialect::load::<Count>(conn, b)?.first().map_or(0, |c| c.n))
}

/// How many declared Properties an EntityType has (dynamic ones go with it).
pub fn declared_properties(conn: &mut DbConn, entity_type_id: &str) -> DbResult<i64> {
    let b = with_id(
        conn,
        "SELECT COUNT(*) AS n FROM odata_properties \
         WHERE (is_declared IS NULL OR is_declared <> FALSE) AND entity_type_id = ",
        entity_type_id,
    );
    Ok(dialect::load::<Count>(conn, b)?.first().map_or(0, |c| c.n))
}

/// Marks a collection's user schema as changed (`dav_nodes.schema_seq`), so that cached
/// copies of it are reloaded.
pub fn bump(conn: &mut DbConn, node_id: &str) -> DbResult<()> {
    let b = with_id(
        conn,
        "UPDATE dav_nodes SET schema_seq = schema_seq + 1 WHERE id = ",
        node_id,
    );
    dialect::execute(conn, b)?;
    Ok(())
}

/// The change counter of a collection's user schema (see [`bump`]).
pub fn schema_seq(conn: &mut DbConn, node_id: &str) -> DbResult<i64> {
    let b = with_id(
        conn,
        "SELECT schema_seq AS n FROM dav_nodes WHERE id = ",
        node_id,
    );
    Ok(dialect::load::<Count>(conn, b)?.first().map_or(0, |c| c.n))
}

/// The EntityTypes of a collection: (id, name).
pub fn entity_type_ids(conn: &mut DbConn, node_id: &str) -> DbResult<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct IdName {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        name: String,
    }
    let b = with_id(
        conn,
        "SELECT id, name FROM odata_entity_types WHERE node_id = ",
        node_id,
    );
    Ok(dialect::load::<IdName>(conn, b)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// Pairs two AssociationEnds (or unpairs them with `None`): each end points at the other.
pub fn set_partner(conn: &mut DbConn, ids: (&str, &str), paired: bool, now: i64) -> DbResult<()> {
    let b = with_id(
        conn,
        "UPDATE dav_nodes SET schema_seq = schema_seq + 1 WHERE id = \
         (SELECT node_id FROM odata_association_ends WHERE id = ",
        ids.0,
    );
    let mut b = b;
    b.push_sql(")");
    dialect::execute(conn, b)?;
    for (me, other) in [(ids.0, ids.1), (ids.1, ids.0)] {
        let mut b = SqlBuilder::new(dialect::dialect_of(conn));
        b.push_sql("UPDATE odata_association_ends SET version = version + 1, updated = ");
        b.push_bind(SqlValue::Int(now));
        b.push_sql(", partner_id = ");
        if paired {
            b.push_bind(SqlValue::Text(other.to_owned()));
        } else {
            b.push_sql("NULL");
        }
        b.push_sql(" WHERE id = ");
        b.push_bind(SqlValue::Text(me.to_owned()));
        dialect::execute(conn, b)?;
    }
    Ok(())
}
