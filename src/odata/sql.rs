//! `$filter` and `$orderby` compiled to SQL for SQLite and PostgreSQL (`spec/personium-api.md`
//! §8.3), with every literal as a bind parameter.
//!
//! Semantics follow personium-core's Elasticsearch queries, identically on both databases:
//! - `eq` is an exact, case-sensitive match; `eq null` / `ne null` test for a missing value;
//!   `ne 'x'` also matches rows without a value (ES `not term`).
//! - `gt ge lt le` compare numbers numerically and strings by code point (PostgreSQL uses
//!   `COLLATE "C"`, SQLite's default `BINARY` collation already does).
//! - `startswith` is a case-sensitive prefix match; `substringof` a substring match ignoring ASCII
//!   case (see `push_substring_of`).
//! - `not` is two-valued: `not (P eq 1)` matches rows where `P` is null.
//! - `$orderby` puts rows without a value last in both directions (ES `missing: _last`).

mod operand;
#[cfg(test)]
mod tests;

pub use self::operand::{unescape, DATETIME_MAX, DATETIME_MIN};

use std::borrow::Cow;

use crate::odata::edm::{EdmType, Value};
use crate::odata::error::QueryError;
use crate::odata::filter::{CompareOp, Expr, Operand};
use crate::odata::query::OrderBy;

/// The SQL dialect to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bind parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Null,
    Text(String),
    Int(i64),
    Double(f64),
    /// Bound as `boolean` on PostgreSQL and as 0/1 on SQLite.
    Bool(bool),
}

/// A statement under construction: SQL text and its binds, placeholders numbered per dialect.
#[derive(Clone, Debug)]
pub struct SqlBuilder {
    dialect: Dialect,
    sql: String,
    binds: Vec<SqlValue>,
    /// Byte ranges of the placeholders in `sql`, one per bind.
    holes: Vec<(usize, usize)>,
    /// False when the statement's shape depends on user input (a `$filter`, a long `IN`
    /// list): such statements are not kept prepared, so their variety cannot grow a cache.
    cacheable: bool,
}

/// A finished statement: SQL with placeholders, the binds, and where each placeholder is.
#[derive(Debug)]
pub struct Statement {
    pub sql: String,
    pub binds: Vec<SqlValue>,
    pub holes: Vec<(usize, usize)>,
    pub cacheable: bool,
}

impl SqlBuilder {
    pub fn new(dialect: Dialect) -> SqlBuilder {
        SqlBuilder {
            dialect,
            sql: String::new(),
            binds: Vec::new(),
            holes: Vec::new(),
            cacheable: true,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn push_sql(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Appends a placeholder (`?` on SQLite, `$n` on PostgreSQL, numbered over the whole
    /// statement) and records its value.
    pub fn push_bind(&mut self, value: SqlValue) {
        self.binds.push(value);
        let start = self.sql.len();
        match self.dialect {
            Dialect::Sqlite => self.sql.push('?'),
            Dialect::Postgres => {
                self.sql.push('$');
                self.sql.push_str(&self.binds.len().to_string());
            }
        }
        self.holes.push((start, self.sql.len()));
    }

    /// Marks the statement as shaped by user input (see [`Statement::cacheable`]).
    pub fn not_cacheable(&mut self) {
        self.cacheable = false;
    }

    pub fn into_statement(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
            holes: self.holes,
            cacheable: self.cacheable,
        }
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn binds(&self) -> &[SqlValue] {
        &self.binds
    }

    pub fn into_parts(self) -> (String, Vec<SqlValue>) {
        (self.sql, self.binds)
    }
}

/// Where a property's value lives: an SQL expression already of the property's SQL type
/// (`Edm.DateTime` = BIGINT epoch ms; `Edm.Boolean` = boolean on PostgreSQL, 0/1 on SQLite;
/// strings = text, numbers = integer / double).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    pub sql: String,
    pub ty: EdmType,
    /// `CollectionKind="List"`.
    pub collection: bool,
}

/// Maps `$filter` / `$orderby` property names to columns; `None` = no such property.
pub trait PropertyResolver {
    fn column(&self, property: &str) -> Option<ColumnRef>;

    /// The name of an index that holds the property's values in order, when one certainly
    /// exists (user data's `odata_ix_*`); `None` by default.
    fn index(&self, _property: &str) -> Option<String> {
        None
    }
}

/// Writes `e` as one parenthesized boolean SQL condition (no `WHERE`).
pub fn push_filter(
    b: &mut SqlBuilder,
    e: &Expr,
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    b.not_cacheable();
    match e {
        Expr::And(left, right) => push_junction(b, left, " AND ", right, r),
        Expr::Or(left, right) => push_junction(b, left, " OR ", right, r),
        Expr::Not(inner) => {
            // NULL (unknown) inside counts as false, so the negation is two-valued.
            b.push_sql("(NOT COALESCE(");
            push_filter(b, inner, r)?;
            b.push_sql(", FALSE))");
            Ok(())
        }
        Expr::Compare { op, left, right } => push_compare(b, *op, left, right, r),
        Expr::StartsWith { property, prefix } => push_starts_with(b, property, prefix, r),
        Expr::SubstringOf { needle, property } => push_substring_of(b, needle, property, r),
    }
}

fn push_junction(
    b: &mut SqlBuilder,
    left: &Expr,
    joiner: &str,
    right: &Expr,
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    b.push_sql("(");
    push_filter(b, left, r)?;
    b.push_sql(joiner);
    push_filter(b, right, r)?;
    b.push_sql(")");
    Ok(())
}

/// Looks a filter property up: unknown → 0045; list-typed → 0047.
fn filter_column(r: &dyn PropertyResolver, property: &str) -> Result<ColumnRef, QueryError> {
    let col = r
        .column(property)
        .ok_or_else(|| QueryError::UnknownProperty(property.to_owned()))?;
    if col.collection {
        // COMPAT(personium): ES matches a list when any element matches; not supported here.
        return Err(QueryError::UnsupportedOperandFormat(property.to_owned()));
    }
    Ok(col)
}

/// The column expression, parenthesized unless it is a plain (qualified) column name.
fn col_sql(col: &ColumnRef) -> Cow<'_, str> {
    let plain = col
        .sql
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"'));
    if plain {
        Cow::Borrowed(&col.sql)
    } else {
        Cow::Owned(format!("({})", col.sql))
    }
}

/// The column as an ordering key: strings by code point on PostgreSQL (unless the column
/// expression already says so, as user-data columns do to match their indexes).
fn ordering_sql(b: &SqlBuilder, col: &ColumnRef) -> String {
    match (b.dialect(), col.ty) {
        (Dialect::Postgres, EdmType::String) if !col.sql.ends_with("COLLATE \"C\")") => {
            format!("{} COLLATE \"C\"", col_sql(col))
        }
        _ => col_sql(col).into_owned(),
    }
}

fn push_compare(
    b: &mut SqlBuilder,
    op: CompareOp,
    left: &Operand,
    right: &Operand,
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    let Operand::Property(property) = left else {
        return Err(QueryError::FilterSyntax(
            "the left operand of a comparison must be a property".to_owned(),
        ));
    };
    let col = filter_column(r, property)?;
    let literal = match right {
        Operand::Literal(v) => v,
        Operand::Property(_) => return Err(QueryError::OperandTypeMismatch(property.clone())),
    };
    if op.is_ordering() && matches!(literal, Value::Null | Value::Boolean(_)) {
        return Err(QueryError::FilterSyntax(format!(
            "{literal:?} cannot be compared with {op:?}"
        )));
    }
    let c = col_sql(&col);
    if literal.is_null() {
        let test = if op == CompareOp::Eq {
            "IS NULL"
        } else {
            "IS NOT NULL"
        };
        b.push_sql(&format!("({c} {test})"));
        return Ok(());
    }
    let value = operand::comparison_value(property, col.ty, literal)?;
    let (lhs, sym) = match op {
        CompareOp::Eq => (c.clone().into_owned(), "="),
        CompareOp::Ne => (c.clone().into_owned(), "<>"),
        CompareOp::Gt => (ordering_sql(b, &col), ">"),
        CompareOp::Ge => (ordering_sql(b, &col), ">="),
        CompareOp::Lt => (ordering_sql(b, &col), "<"),
        CompareOp::Le => (ordering_sql(b, &col), "<="),
    };
    b.push_sql(&format!("({lhs} {sym} "));
    b.push_bind(value);
    if op == CompareOp::Ne {
        // COMPAT(personium): ES `not term` also matches documents without the property.
        b.push_sql(&format!(" OR {c} IS NULL"));
    }
    b.push_sql(")");
    Ok(())
}

/// A string property for `startswith` / `substringof`; other types → 0046.
fn string_column(r: &dyn PropertyResolver, property: &str) -> Result<ColumnRef, QueryError> {
    let col = filter_column(r, property)?;
    if col.ty != EdmType::String {
        return Err(QueryError::OperandTypeMismatch(property.to_owned()));
    }
    Ok(col)
}

/// `startswith(P,'v')`: case-sensitive prefix, by characters on both databases (no `LIKE`,
/// whose case rules differ); `''` matches every row that has a value.
fn push_starts_with(
    b: &mut SqlBuilder,
    property: &str,
    prefix: &str,
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    let col = string_column(r, property)?;
    let prefix = operand::string_operand(property, prefix)?;
    b.push_sql(&format!("(substr({}, 1, length(", col_sql(&col)));
    b.push_bind(SqlValue::Text(prefix.clone()));
    b.push_sql(")) = ");
    b.push_bind(SqlValue::Text(prefix));
    b.push_sql(")");
    Ok(())
}

/// `substringof('v',P)`: substring match ignoring ASCII case.
///
/// COMPAT(personium): Personium runs an ES phrase query on the analyzed field: case-insensitive,
/// but word-based (`'ear'` does not match `"search"` there; it does here), and an empty needle
/// matches nothing (kept). Case folding is ASCII-only so that SQLite `lower()` and PostgreSQL
/// `translate()` agree.
fn push_substring_of(
    b: &mut SqlBuilder,
    needle: &str,
    property: &str,
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    let col = string_column(r, property)?;
    let needle = operand::string_operand(property, needle)?.to_ascii_lowercase();
    if needle.is_empty() {
        b.push_sql("(1 = 0)");
        return Ok(());
    }
    let c = col_sql(&col);
    match b.dialect() {
        Dialect::Sqlite => b.push_sql(&format!("(instr(lower({c}), ")),
        Dialect::Postgres => b.push_sql(&format!(
            "(strpos(translate({c}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), "
        )),
    }
    b.push_bind(SqlValue::Text(needle));
    b.push_sql(") > 0)");
    Ok(())
}

/// Writes ` ORDER BY …` for the known properties of `o`, or nothing when none is known
/// (Personium ignores unknown sort keys). A list-typed key → PR400-OD-0040.
pub fn push_order_by(
    b: &mut SqlBuilder,
    o: &[OrderBy],
    r: &dyn PropertyResolver,
) -> Result<(), QueryError> {
    if !o.is_empty() {
        b.not_cacheable();
    }
    let mut keys = Vec::new();
    for item in o {
        let Some(col) = r.column(&item.property) else {
            continue;
        };
        if col.collection {
            return Err(QueryError::OrderByList(item.property.clone()));
        }
        keys.push(order_key(b, &col, item.descending));
    }
    if !keys.is_empty() {
        b.push_sql(" ORDER BY ");
        b.push_sql(&keys.join(", "));
    }
    Ok(())
}

/// One sort key, nulls last in both directions.
fn order_key(b: &SqlBuilder, col: &ColumnRef, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match b.dialect() {
        Dialect::Postgres => format!("{} {dir} NULLS LAST", ordering_sql(b, col)),
        // SQLite sorts NULL first, so a descending order already ends with them (and an index
        // on the column serves it); an ascending one moves them behind.
        Dialect::Sqlite if descending => format!("{} DESC", col_sql(col)),
        Dialect::Sqlite => {
            let c = col_sql(col);
            format!("{c} IS NULL, {c} {dir}")
        }
    }
}
