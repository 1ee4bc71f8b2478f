//! User data of OData service collections (`spec/personium-api.md` §8.2, §8.3): the rows of
//! `odata_entities`, one per entity, with the properties as one JSON object keyed by each
//! property's `json_key`, and the partial expression indexes (`odata_ix_{property id}`) that
//! make every declared scalar property searchable, and the `search` text of full-text queries. The SQL of a property's value is written by
//! [`dialect::json_value_sql`], the same text for the index and for the queries, so the planners match them.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use super::dialect::{self, dialect_of, ListQuery, Page};
use super::nulls_last;
use super::{DbConn, DbResult};
use crate::odata::edm::EdmType;
use crate::odata::query::QueryOptions;
use crate::odata::sql::{Dialect, PropertyResolver, SqlBuilder, SqlValue};

/// One stored entity.
#[derive(QueryableByName, Debug, Clone)]
pub struct EntityRow {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    /// `__id`.
    #[diesel(sql_type = Text)]
    pub id: String,
    /// The properties, a JSON object keyed by `json_key`.
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
    #[diesel(sql_type = BigInt)]
    pub published: i64,
    #[diesel(sql_type = BigInt)]
    pub updated: i64,
}

#[derive(QueryableByName)]
struct Seq {
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// True for the identifiers this module writes into SQL text: stored ids and JSON keys are
/// hex or `p{n}`, never user input, but the check keeps that a fact rather than an assumption.
pub fn is_sql_safe(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn columns(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => "seq, id, body, version, published, updated",
        Dialect::Postgres => "seq, id, body::text AS body, version, published, updated",
    }
}

/// `type_id = '…'` written as a literal: the partial indexes name their type that way, and a
/// planner only uses a partial index when the query states its condition in the same form.
fn type_condition(type_id: &str) -> Option<String> {
    is_sql_safe(type_id).then(|| format!("type_id = '{type_id}'"))
}

fn bad_id() -> super::DbError {
    super::DbError::Blocking("an identifier is not fit for SQL".into())
}

/// Inserts an entity; returns it as stored. A duplicate `__id` is a unique violation.
pub fn insert(
    conn: &mut DbConn,
    type_id: &str,
    id: &str,
    (body, search): (&str, &str),
    now: i64,
) -> DbResult<EntityRow> {
    let d = dialect_of(conn);
    let mut b = SqlBuilder::new(d);
    b.push_sql(
        "INSERT INTO odata_entities (type_id, id, body, search, published, updated) VALUES (",
    );
    b.push_bind(SqlValue::Text(type_id.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(id.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(body.to_owned()));
    if b.dialect() == Dialect::Postgres {
        b.push_sql("::jsonb");
    }
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(search.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(&format!(") RETURNING {}", columns(d)));
    dialect::load::<EntityRow>(conn, b)?
        .into_iter()
        .next()
        .ok_or_else(|| super::DbError::Blocking("INSERT returned no row".into()))
}

/// The entity of a type with `__id = id`.
pub fn get(conn: &mut DbConn, type_id: &str, id: &str) -> DbResult<Option<EntityRow>> {
    let d = dialect_of(conn);
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!(
        "SELECT {} FROM odata_entities WHERE type_id = ",
        columns(d)
    ));
    b.push_bind(SqlValue::Text(type_id.to_owned()));
    b.push_sql(" AND id = ");
    b.push_bind(SqlValue::Text(id.to_owned()));
    Ok(dialect::load::<EntityRow>(conn, b)?.into_iter().next())
}

/// Replaces an entity's body and search text; bumps its version. False when it is gone.
pub fn update(
    conn: &mut DbConn,
    seq: i64,
    (body, search): (&str, &str),
    now: i64,
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql("UPDATE odata_entities SET version = version + 1, updated = ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(", body = ");
    b.push_bind(SqlValue::Text(body.to_owned()));
    if b.dialect() == Dialect::Postgres {
        b.push_sql("::jsonb");
    }
    b.push_sql(", search = ");
    b.push_bind(SqlValue::Text(search.to_owned()));
    b.push_sql(" WHERE seq = ");
    b.push_bind(SqlValue::Int(seq));
    Ok(dialect::execute(conn, b)? == 1)
}

/// Deletes an entity (its links go with it). False when it is gone.
pub fn delete(conn: &mut DbConn, seq: i64) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql("DELETE FROM odata_entities WHERE seq = ");
    b.push_bind(SqlValue::Int(seq));
    Ok(dialect::execute(conn, b)? == 1)
}

/// True when an EntityType has any entity.
pub fn has_entities(conn: &mut DbConn, type_id: &str) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql("SELECT seq FROM odata_entities WHERE type_id = ");
    b.push_bind(SqlValue::Text(type_id.to_owned()));
    b.push_sql(" LIMIT 1");
    Ok(!dialect::load::<Seq>(conn, b)?.is_empty())
}

/// One page of a type's entities under the query options, in insertion order unless
/// `$orderby` says otherwise; with `linked = (end, seq)` only those entity `seq` is linked to
/// over its AssociationEnd `end` (a navigation property).
pub fn list(
    conn: &mut DbConn,
    type_id: &str,
    linked: Option<(&str, i64)>,
    options: &QueryOptions,
    resolver: &dyn PropertyResolver,
) -> crate::Result<Page<EntityRow>> {
    let condition = type_condition(type_id).ok_or_else(bad_id)?;
    let mut scope = vec![(condition, SqlValue::Null)];
    if let Some((end, from)) = linked {
        let linked = super::odata_links::linked_condition(end).ok_or_else(bad_id)?;
        scope.push((linked, SqlValue::Int(from)));
    }
    if options.q.as_deref().is_some_and(|q| q.trim().is_empty()) {
        // Blank: no word to look for, nothing matches.
        scope.push(("1 = 0".to_owned(), SqlValue::Null));
    } else if let Some(q) = options.q.as_deref() {
        let d = dialect_of(conn);
        let words = dialect::full_text_query(d, q);
        scope.push((
            dialect::full_text_condition(d).to_owned(),
            SqlValue::Text(words),
        ));
    }
    let d = dialect_of(conn);
    // SQLite weighs a sort of the whole type (through `odata_entities_type`) against a walk of
    // the sort key's index as if the walk read every row, ignoring `$top`; when nothing else
    // narrows the rows, it is told to walk the index.
    let hint = match (
        d,
        options.filter.is_none() && options.q.is_none() && linked.is_none(),
    ) {
        (Dialect::Sqlite, true) => options
            .orderby
            .first()
            .and_then(|o| resolver.index(&o.property))
            .filter(|name| is_sql_safe(name)),
        _ => None,
    };
    let from = match &hint {
        Some(index) => format!("odata_entities INDEXED BY {index}"),
        None => "odata_entities".to_owned(),
    };
    // Ties go in the first key's direction: an index on a property holds its entries in
    // (value, seq) order, so a descending walk yields `seq DESC` among equal values.
    let descending = options.orderby.first().is_some_and(|o| o.descending);
    let q = ListQuery {
        columns: columns(d),
        from: &from,
        scope: scope.iter().map(|(c, v)| (c.as_str(), v.clone())).collect(),
        options,
        resolver,
        default_order: if descending { "seq DESC" } else { "seq" },
    };
    // A first sort key on a property's JSON value (nullable, indexed) against the database's
    // NULL order goes through `nulls_last`, so that its index still serves.
    let first = options.orderby.first().and_then(|o| {
        let col = resolver.column(&o.property)?;
        let plain = col
            .sql
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_');
        (!plain && !col.collection && nulls_last::against_nulls(d, o.descending)).then_some(col)
    });
    match first {
        Some(col) => nulls_last::list(conn, &q, &col),
        None => dialect::list(conn, &q),
    }
}

/// The index of a declared property's values.
pub fn index_name(property_id: &str) -> String {
    format!("odata_ix_{property_id}")
}

/// Makes the index of a declared scalar property (`key`, `ty`) of an EntityType.
pub fn create_index(
    conn: &mut DbConn,
    type_id: &str,
    property_id: &str,
    key: &str,
    ty: EdmType,
) -> DbResult<()> {
    let d = dialect_of(conn);
    let (Some(value), Some(condition), true) = (
        dialect::json_value_sql(d, key, ty),
        type_condition(type_id),
        is_sql_safe(property_id),
    ) else {
        return Err(bad_id());
    };
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!(
        "CREATE INDEX IF NOT EXISTS {} ON odata_entities ({value}) WHERE {condition}",
        index_name(property_id)
    ));
    dialect::execute(conn, b)?;
    Ok(())
}

/// Drops the index of a property, if it has one.
pub fn drop_index(conn: &mut DbConn, property_id: &str) -> DbResult<()> {
    if !is_sql_safe(property_id) {
        return Err(bad_id());
    }
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql(&format!("DROP INDEX IF EXISTS {}", index_name(property_id)));
    dialect::execute(conn, b)?;
    Ok(())
}

/// Drops the indexes whose Property is gone: after a delete that cascaded through the schema
/// (an EntityType, a collection, a box or a cell).
pub fn drop_orphan_indexes(conn: &mut DbConn) -> DbResult<()> {
    let mut b = SqlBuilder::new(dialect_of(conn));
    b.push_sql(dialect::user_data_index_query(b.dialect()));
    for orphan in dialect::load::<Name>(conn, b)? {
        if let Some(id) = orphan.name.strip_prefix("odata_ix_") {
            drop_index(conn, id)?;
        }
    }
    Ok(())
}

/// Gives a new Property (`table` = `odata_properties`, owner column `entity_type_id`) or
/// ComplexTypeProperty (`odata_complex_type_properties`, `complex_type_id`) its JSON key,
/// `p{n}` from its owner's counter, so no key is ever used twice within an owner.
pub fn assign_key(conn: &mut DbConn, property_table: &str, property_id: &str) -> DbResult<String> {
    let (owner_table, owner_column) = match property_table {
        "odata_properties" => ("odata_entity_types", "entity_type_id"),
        _ => ("odata_complex_types", "complex_type_id"),
    };
    let d = dialect_of(conn);
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!(
        "UPDATE {owner_table} SET key_seq = key_seq + 1 WHERE id = \
         (SELECT {owner_column} FROM {property_table} WHERE id = "
    ));
    b.push_bind(SqlValue::Text(property_id.to_owned()));
    b.push_sql(") RETURNING key_seq AS seq");
    let n = dialect::load::<Seq>(conn, b)?
        .first()
        .map(|s| s.seq)
        .ok_or_else(|| super::DbError::Blocking("property owner not found".into()))?;
    let key = format!("p{n}");
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!("UPDATE {property_table} SET json_key = "));
    b.push_bind(SqlValue::Text(key.clone()));
    b.push_sql(" WHERE id = ");
    b.push_bind(SqlValue::Text(property_id.to_owned()));
    dialect::execute(conn, b)?;
    Ok(key)
}
