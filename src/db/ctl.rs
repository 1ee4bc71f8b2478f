//! A table-driven repository for the cell control objects (`spec/personium-api.md` §4.3):
//! every `__ctl` entity set is a table with `id`, `cell_id`, `version`, `published`, `updated`,
//! its data columns, and optional foreign keys to a box (`_Box.Name`) or a relation
//! (`_Relation.Name`, `_Relation._Box.Name`). Rows are loaded with their properties as one JSON
//! object built by the database (`json_object` / `json_build_object`), so one code path serves
//! every set on both backends.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use super::dialect::{self, memo, Fragment, ListQuery, Page};
use super::{DbConn, DbResult};
use crate::odata::edm::{EdmType, Value};
use crate::odata::query::QueryOptions;
use crate::odata::sql::{ColumnRef, Dialect, PropertyResolver, SqlBuilder, SqlValue};

/// A data column and the OData property it holds.
#[derive(Debug)]
pub struct ColumnDef {
    pub property: &'static str,
    pub column: &'static str,
    pub ty: EdmType,
}

/// Which foreign key a table has, and so which derived key properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// No parent key.
    None,
    /// `box_id` -> `_Box.Name`.
    Box,
    /// `relation_id` -> `_Relation.Name`, `_Relation._Box.Name`.
    Relation,
    /// One parent row of another table, named by one key field (e.g. a user-schema Property's
    /// `entity_type_id` -> `_EntityType.Name`).
    Named(&'static ParentDef),
}

/// A parent reached through one foreign key, whose `name` column is a key field of the child.
#[derive(Debug, PartialEq, Eq)]
pub struct ParentDef {
    /// The child's foreign key column, e.g. `entity_type_id`.
    pub column: &'static str,
    /// The parent table, e.g. `odata_entity_types`.
    pub table: &'static str,
    /// The key field naming the parent, e.g. `["_EntityType.Name"]`.
    pub field: &'static [&'static str],
    /// `(field, "p.name")`: how reads derive the field.
    pub derived: &'static [(&'static str, &'static str)],
}

/// The physical shape of one control-object table.
#[derive(Debug)]
pub struct TableDef {
    pub table: &'static str,
    /// The column scoping every row: `cell_id` for `__ctl` sets, `node_id` for the user schema
    /// of an OData collection.
    pub owner: &'static str,
    pub columns: &'static [ColumnDef],
    pub parent: Parent,
}

/// One loaded control object.
#[derive(Clone, Debug)]
pub struct CtlRow {
    pub id: String,
    pub version: i64,
    pub published: i64,
    pub updated: i64,
    pub box_id: Option<String>,
    pub relation_id: Option<String>,
    /// (property, value) in table column order, then the derived key properties.
    pub values: Vec<(String, Value)>,
}

impl CtlRow {
    pub fn get(&self, property: &str) -> &Value {
        self.values
            .iter()
            .find(|(p, _)| p == property)
            .map_or(&Value::Null, |(_, v)| v)
    }
}

#[derive(QueryableByName)]
struct RawRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = BigInt)]
    published: i64,
    #[diesel(sql_type = BigInt)]
    updated: i64,
    #[diesel(sql_type = Nullable<Text>)]
    box_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    relation_id: Option<String>,
    #[diesel(sql_type = Text)]
    props: String,
}

impl TableDef {
    /// `FROM` with the joins that derive parent names.
    fn sql_from(&self) -> &'static str {
        memo((self.table, Dialect::Sqlite, Fragment::From), || {
            self.build_from()
        })
    }

    fn build_from(&self) -> String {
        match self.parent {
            Parent::None => format!("{} t", self.table),
            Parent::Box => format!("{} t LEFT JOIN boxes b ON b.id = t.box_id", self.table),
            Parent::Relation => format!(
                "{} t JOIN relations r ON r.id = t.relation_id \
                 LEFT JOIN boxes rb ON rb.id = r.box_id",
                self.table
            ),
            Parent::Named(p) => format!(
                "{} t JOIN {} p ON p.id = t.{}",
                self.table, p.table, p.column
            ),
        }
    }

    /// The derived properties and their SQL.
    fn derived(&self) -> &'static [(&'static str, &'static str)] {
        match self.parent {
            Parent::None => &[],
            Parent::Box => &[("_Box.Name", "b.name")],
            Parent::Relation => &[
                ("_Relation.Name", "r.name"),
                ("_Relation._Box.Name", "rb.name"),
            ],
            Parent::Named(p) => p.derived,
        }
    }

    /// The columns every read selects: fixed ones and the row's properties as one JSON object.
    fn select_list(&self, d: Dialect) -> &'static str {
        memo((self.table, d, Fragment::Select), || self.build_select(d))
    }

    fn build_select(&self, d: Dialect) -> String {
        let mut pairs: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("'{}', t.{}", c.property, c.column))
            .collect();
        pairs.extend(
            self.derived()
                .iter()
                .map(|(p, sql)| format!("'{p}', {sql}")),
        );
        let object = match d {
            Dialect::Sqlite => format!("json_object({})", pairs.join(", ")),
            Dialect::Postgres => format!("json_build_object({})::text", pairs.join(", ")),
        };
        let box_id = if self.parent == Parent::Box {
            "t.box_id"
        } else {
            "NULL"
        };
        let rel_id = if self.parent == Parent::Relation {
            "t.relation_id"
        } else {
            "NULL"
        };
        format!(
            "t.id, t.version, t.published, t.updated, {box_id} AS box_id, {rel_id} AS relation_id, \
             {object} AS props"
        )
    }

    fn decode(&self, raw: RawRow) -> DbResult<CtlRow> {
        let json: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&raw.props).map_err(|e| super::DbError::R2d2(e.to_string()))?;
        let mut values = Vec::with_capacity(self.columns.len() + 2);
        for c in self.columns {
            values.push((c.property.to_owned(), from_json(json.get(c.property), c.ty)));
        }
        for (p, _) in self.derived() {
            values.push(((*p).to_owned(), from_json(json.get(*p), EdmType::String)));
        }
        Ok(CtlRow {
            id: raw.id,
            version: raw.version,
            published: raw.published,
            updated: raw.updated,
            box_id: raw.box_id,
            relation_id: raw.relation_id,
            values,
        })
    }
}

/// A JSON value from the database as an OData value of the column's type.
fn from_json(v: Option<&serde_json::Value>, ty: EdmType) -> Value {
    use serde_json::Value as J;
    match (v, ty) {
        (None | Some(J::Null), _) => Value::Null,
        (Some(J::Bool(b)), _) => Value::Boolean(*b),
        // SQLite keeps booleans as 0/1.
        (Some(J::Number(n)), EdmType::Boolean) => Value::Boolean(n.as_i64() != Some(0)),
        (Some(J::Number(n)), EdmType::Int32) => {
            Value::Int32(n.as_i64().and_then(|i| i32::try_from(i).ok()).unwrap_or(0))
        }
        (Some(J::Number(n)), EdmType::DateTime) => Value::DateTime(n.as_i64().unwrap_or(0)),
        (Some(J::Number(n)), EdmType::Double | EdmType::Single) => {
            Value::Double(n.as_f64().unwrap_or(0.0))
        }
        (Some(J::Number(n)), _) => Value::Int64(n.as_i64().unwrap_or(0)),
        (Some(J::String(s)), _) => Value::String(s.clone()),
        (Some(other), _) => Value::String(other.to_string()),
    }
}

/// An OData value as a bind parameter (`None` for null, written as a literal `NULL`).
pub fn to_sql(v: &Value) -> Option<SqlValue> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(SqlValue::Text(s.clone())),
        Value::Int32(i) => Some(SqlValue::Int(i64::from(*i))),
        Value::Int64(i) | Value::DateTime(i) => Some(SqlValue::Int(*i)),
        Value::Single(f) => Some(SqlValue::Double(f64::from(*f))),
        Value::Double(f) => Some(SqlValue::Double(*f)),
        Value::Boolean(b) => Some(SqlValue::Bool(*b)),
        Value::Complex(_) | Value::Collection(_) => None,
    }
}

fn push_value(b: &mut SqlBuilder, v: &Value) {
    match to_sql(v) {
        Some(sv) => b.push_bind(sv),
        None => b.push_sql("NULL"),
    }
}

/// `$filter` / `$orderby` resolution over a table's properties.
struct Resolver<'a>(&'a TableDef);

impl PropertyResolver for Resolver<'_> {
    fn column(&self, property: &str) -> Option<ColumnRef> {
        let (sql, ty) = match property {
            "__published" => ("t.published".to_owned(), EdmType::DateTime),
            "__updated" => ("t.updated".to_owned(), EdmType::DateTime),
            _ => {
                if let Some(c) = self.0.columns.iter().find(|c| c.property == property) {
                    (format!("t.{}", c.column), c.ty)
                } else {
                    let (_, sql) = self.0.derived().iter().find(|(p, _)| *p == property)?;
                    ((*sql).to_owned(), EdmType::String)
                }
            }
        };
        Some(ColumnRef {
            sql,
            ty,
            collection: false,
        })
    }
}

/// Extra conditions on a list, beyond the cell: a parent id or a link.
#[derive(Clone, Debug)]
pub enum Scope {
    /// All rows of the cell.
    Cell,
    /// Rows whose `column` equals `id` (e.g. roles of a box: `box_id`).
    Column { column: &'static str, id: String },
    /// Rows linked to `id` through an N:N table: `t.id IN (SELECT {mine} FROM {table} WHERE
    /// {theirs} = id)`.
    Linked {
        table: &'static str,
        mine: &'static str,
        theirs: &'static str,
        id: String,
    },
}

/// Lists rows of a cell (or of another owner, see [`TableDef::owner`]) with query options.
pub fn list(
    conn: &mut DbConn,
    def: &TableDef,
    cell_id: &str,
    scope: &Scope,
    options: &QueryOptions,
) -> crate::Result<Page<CtlRow>> {
    let d = dialect::dialect_of(conn);
    let select = def.select_list(d);
    let from = def.sql_from();
    let mut conditions = vec![(
        format!("t.{} = ?", def.owner),
        SqlValue::Text(cell_id.to_owned()),
    )];
    match scope {
        Scope::Cell => {}
        Scope::Column { column, id } => {
            conditions.push((format!("t.{column} = ?"), SqlValue::Text(id.clone())));
        }
        Scope::Linked {
            table,
            mine,
            theirs,
            id,
        } => conditions.push((
            format!("t.id IN (SELECT {mine} FROM {table} WHERE {theirs} = ?)"),
            SqlValue::Text(id.clone()),
        )),
    }
    let scope_refs: Vec<(&str, SqlValue)> = conditions
        .iter()
        .map(|(c, v)| (c.as_str(), v.clone()))
        .collect();
    let page: Page<RawRow> = dialect::list(
        conn,
        &ListQuery {
            columns: select,
            from,
            scope: scope_refs,
            options,
            resolver: &Resolver(def),
            default_order: "t.published, t.id",
        },
    )?;
    let rows = page
        .rows
        .into_iter()
        .map(|r| def.decode(r))
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Page {
        rows,
        count: page.count,
    })
}

/// Finds one row by its key properties (`None` values mean SQL NULL).
pub fn find_by_key(
    conn: &mut DbConn,
    def: &TableDef,
    cell_id: &str,
    key: &[(&str, Option<&str>)],
) -> DbResult<Option<CtlRow>> {
    let d = dialect::dialect_of(conn);
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!(
        "SELECT {} FROM {} WHERE t.{} = ",
        def.select_list(d),
        def.sql_from(),
        def.owner
    ));
    b.push_bind(SqlValue::Text(cell_id.to_owned()));
    let resolver = Resolver(def);
    for (prop, value) in key {
        let Some(col) = resolver.column(prop) else {
            return Ok(None);
        };
        match value {
            Some(v) => {
                b.push_sql(&format!(" AND {} = ", col.sql));
                b.push_bind(SqlValue::Text((*v).to_owned()));
            }
            None => b.push_sql(&format!(" AND {} IS NULL", col.sql)),
        }
    }

    let mut rows = dialect::load::<RawRow>(conn, b)?;
    rows.pop().map(|r| def.decode(r)).transpose()
}

/// Finds one row by id.
pub fn find_by_id(conn: &mut DbConn, def: &TableDef, id: &str) -> DbResult<Option<CtlRow>> {
    let d = dialect::dialect_of(conn);
    let mut b = SqlBuilder::new(d);
    b.push_sql(&format!(
        "SELECT {} FROM {} WHERE t.id = ",
        def.select_list(d),
        def.sql_from()
    ));
    b.push_bind(SqlValue::Text(id.to_owned()));

    let mut rows = dialect::load::<RawRow>(conn, b)?;
    rows.pop().map(|r| def.decode(r)).transpose()
}

/// The values of a new or changed row: data columns by property, and the parent id.
pub struct RowValues<'a> {
    pub values: &'a [(String, Value)],
    pub parent_id: Option<&'a str>,
}

impl RowValues<'_> {
    fn get(&self, property: &str) -> &Value {
        self.values
            .iter()
            .find(|(p, _)| p == property)
            .map_or(&Value::Null, |(_, v)| v)
    }
}

fn parent_column(def: &TableDef) -> Option<&'static str> {
    match def.parent {
        Parent::None => None,
        Parent::Box => Some("box_id"),
        Parent::Relation => Some("relation_id"),
        Parent::Named(p) => Some(p.column),
    }
}

/// The columns a write sets (the id is never rewritten, even where it doubles as `__id`).
fn data_columns(def: &TableDef) -> impl Iterator<Item = &ColumnDef> {
    def.columns.iter().filter(|c| c.column != "id")
}

/// Inserts a row; `id` is chosen by the caller.
pub fn insert(
    conn: &mut DbConn,
    def: &TableDef,
    id: &str,
    cell_id: &str,
    row: &RowValues<'_>,
    now: i64,
) -> DbResult<()> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    let mut cols = vec!["id", def.owner];
    cols.extend(parent_column(def));
    cols.extend(data_columns(def).map(|c| c.column));
    cols.extend(["version", "published", "updated"]);
    b.push_sql(&format!(
        "INSERT INTO {} ({}) VALUES (",
        def.table,
        cols.join(", ")
    ));
    b.push_bind(SqlValue::Text(id.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(cell_id.to_owned()));
    if parent_column(def).is_some() {
        b.push_sql(", ");
        push_value(&mut b, &row.parent_id.map_or(Value::Null, Value::from));
    }
    for c in data_columns(def) {
        b.push_sql(", ");
        push_value(&mut b, row.get(c.property));
    }
    b.push_sql(", 1, ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(", ");
    b.push_bind(SqlValue::Int(now));
    b.push_sql(")");

    dialect::execute(conn, b)?;
    Ok(())
}

/// Replaces a row's data columns and parent; bumps version and `updated`.
pub fn update(
    conn: &mut DbConn,
    def: &TableDef,
    id: &str,
    row: &RowValues<'_>,
    now: i64,
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!(
        "UPDATE {} SET version = version + 1, updated = ",
        def.table
    ));
    b.push_bind(SqlValue::Int(now));
    if let Some(col) = parent_column(def) {
        b.push_sql(&format!(", {col} = "));
        push_value(&mut b, &row.parent_id.map_or(Value::Null, Value::from));
    }
    for c in data_columns(def) {
        b.push_sql(&format!(", {} = ", c.column));
        push_value(&mut b, row.get(c.property));
    }
    b.push_sql(" WHERE id = ");
    b.push_bind(SqlValue::Text(id.to_owned()));

    Ok(dialect::execute(conn, b)? == 1)
}

/// Sets one text column of a row (e.g. `box_id` when a `_Box` link changes, or a password
/// hash); bumps version and `updated`.
pub fn set_column(
    conn: &mut DbConn,
    def: &TableDef,
    id: &str,
    column: &str,
    value: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!(
        "UPDATE {} SET version = version + 1, updated = ",
        def.table
    ));
    b.push_bind(SqlValue::Int(now));
    b.push_sql(&format!(", {column} = "));
    push_value(&mut b, &value.map_or(Value::Null, Value::from));
    b.push_sql(" WHERE id = ");
    b.push_bind(SqlValue::Text(id.to_owned()));

    Ok(dialect::execute(conn, b)? == 1)
}

/// Deletes a row by id.
pub fn delete(conn: &mut DbConn, def: &TableDef, id: &str) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!("DELETE FROM {} WHERE id = ", def.table));
    b.push_bind(SqlValue::Text(id.to_owned()));
    let deleted = dialect::execute(conn, b)? == 1;
    if deleted && def.table == "boxes" {
        // The box's OData collections, their schemas and data went with it.
        super::odata_data::drop_orphan_indexes(conn)?;
    }
    Ok(deleted)
}

/// True when any row of `table` has `column = id` (the "one" side of a 1:N link is in use).
pub fn referenced(conn: &mut DbConn, table: &str, column: &str, id: &str) -> DbResult<bool> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE {column} = "
    ));
    b.push_bind(SqlValue::Text(id.to_owned()));

    let rows = dialect::load::<N>(conn, b)?;
    Ok(rows.first().is_some_and(|r| r.n > 0))
}

/// Adds an N:N link; false when it already exists.
pub fn link(
    conn: &mut DbConn,
    table: &str,
    cols: (&str, &str),
    ids: (&str, &str),
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE {} = ",
        cols.0
    ));
    b.push_bind(SqlValue::Text(ids.0.to_owned()));
    b.push_sql(&format!(" AND {} = ", cols.1));
    b.push_bind(SqlValue::Text(ids.1.to_owned()));
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    if dialect::load::<N>(conn, b)?
        .first()
        .is_some_and(|r| r.n > 0)
    {
        return Ok(false);
    }
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!(
        "INSERT INTO {table} ({}, {}) VALUES (",
        cols.0, cols.1
    ));
    b.push_bind(SqlValue::Text(ids.0.to_owned()));
    b.push_sql(", ");
    b.push_bind(SqlValue::Text(ids.1.to_owned()));
    b.push_sql(")");

    dialect::execute(conn, b)?;
    Ok(true)
}

/// Removes an N:N link; false when there was none.
pub fn unlink(
    conn: &mut DbConn,
    table: &str,
    cols: (&str, &str),
    ids: (&str, &str),
) -> DbResult<bool> {
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!("DELETE FROM {table} WHERE {} = ", cols.0));
    b.push_bind(SqlValue::Text(ids.0.to_owned()));
    b.push_sql(&format!(" AND {} = ", cols.1));
    b.push_bind(SqlValue::Text(ids.1.to_owned()));

    Ok(dialect::execute(conn, b)? == 1)
}

/// Reads one text column of a row (e.g. a password hash), by id.
pub fn read_column(
    conn: &mut DbConn,
    table: &str,
    column: &str,
    id: &str,
) -> DbResult<Option<String>> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Nullable<Text>)]
        v: Option<String>,
    }
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql(&format!("SELECT {column} AS v FROM {table} WHERE id = "));
    b.push_bind(SqlValue::Text(id.to_owned()));

    Ok(dialect::load::<V>(conn, b)?.pop().and_then(|r| r.v))
}

/// The stored password hash of an account, by cell and account name.
pub fn password_hash_of(conn: &mut DbConn, cell: &str, account: &str) -> DbResult<Option<String>> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Nullable<Text>)]
        v: Option<String>,
    }
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    b.push_sql("SELECT a.password_hash AS v FROM accounts a JOIN cells c ON c.id = a.cell_id WHERE c.name = ");
    b.push_bind(SqlValue::Text(cell.to_owned()));
    b.push_sql(" AND a.name = ");
    b.push_bind(SqlValue::Text(account.to_owned()));

    Ok(dialect::load::<V>(conn, b)?.pop().and_then(|r| r.v))
}
