//! Queries behind access decisions (`spec/personium-api.md` §3.3, §3.4): the roles a caller
//! holds in a cell, and roles by name or id for ACL documents.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::dialect;
use super::schema::{account_roles, boxes, roles};
use super::{DbConn, DbResult};
use crate::odata::sql::{SqlBuilder, SqlValue};

/// The role ids linked to an account.
pub fn account_role_ids(conn: &mut DbConn, account_id: &str) -> DbResult<Vec<String>> {
    let mut ids: Vec<String> = account_roles::table
        .filter(account_roles::account_id.eq(account_id))
        .select(account_roles::role_id)
        .load(conn)?;
    ids.sort();
    Ok(ids)
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

fn push_in(b: &mut SqlBuilder, values: &[String]) {
    // A handful of shapes is worth keeping prepared; longer lists are one-offs.
    if values.len() > 4 {
        b.not_cacheable();
    }
    b.push_sql("(");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            b.push_sql(", ");
        }
        b.push_bind(SqlValue::Text(v.clone()));
    }
    b.push_sql(")");
}

/// The roles of this cell a visitor from `issuer` gets (§3.4 "Role set per token"): roles
/// linked to the issuer's ExtCell, roles linked to Relations linked to that ExtCell, and roles
/// linked to ExtRoles (under those Relations) whose URL is one of `token_roles`. `issuer_forms`
/// lists the spellings the ExtCell URL may be stored in (http and `personium-localunit:`).
pub fn visitor_role_ids(
    conn: &mut DbConn,
    cell_id: &str,
    issuer_forms: &[String],
    token_roles: &[String],
) -> DbResult<Vec<String>> {
    if issuer_forms.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(dialect::dialect_of(conn));
    let ext = |b: &mut SqlBuilder| {
        b.push_sql("SELECT e.id FROM ext_cells e WHERE e.cell_id = ");
        b.push_bind(SqlValue::Text(cell_id.to_owned()));
        b.push_sql(" AND e.url IN ");
        push_in(b, issuer_forms);
    };
    b.push_sql("SELECT DISTINCT r.id AS id FROM roles r WHERE r.id IN (SELECT re.role_id FROM role_ext_cells re WHERE re.ext_cell_id IN (");
    ext(&mut b);
    b.push_sql(")) OR r.id IN (SELECT rr.role_id FROM role_relations rr JOIN relation_ext_cells rx ON rx.relation_id = rr.relation_id WHERE rx.ext_cell_id IN (");
    ext(&mut b);
    b.push_sql("))");
    if !token_roles.is_empty() {
        b.push_sql(" OR r.id IN (SELECT rer.role_id FROM role_ext_roles rer JOIN ext_roles x ON x.id = rer.ext_role_id JOIN relation_ext_cells rx ON rx.relation_id = x.relation_id WHERE x.url IN ");
        push_in(&mut b, token_roles);
        b.push_sql(" AND rx.ext_cell_id IN (");
        ext(&mut b);
        b.push_sql("))");
    }
    b.push_sql(" ORDER BY id");

    Ok(dialect::load::<IdRow>(conn, b)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The id of a role by name and box name (`None` = box-less).
pub fn role_id(
    conn: &mut DbConn,
    cell_id: &str,
    box_name: Option<&str>,
    role: &str,
) -> DbResult<Option<String>> {
    let query = roles::table
        .left_join(boxes::table)
        .filter(roles::cell_id.eq(cell_id))
        .filter(roles::name.eq(role))
        .select(roles::id)
        .into_boxed();
    let query = match box_name {
        Some(b) => query.filter(boxes::name.eq(b)),
        None => query.filter(roles::box_id.is_null()),
    };
    Ok(query.first(conn).optional()?)
}

/// (id, role name, box name) of the given role ids that still exist.
pub fn roles_by_ids(
    conn: &mut DbConn,
    ids: &[String],
) -> DbResult<Vec<(String, String, Option<String>)>> {
    Ok(roles::table
        .left_join(boxes::table)
        .filter(roles::id.eq_any(ids))
        .select((roles::id, roles::name, boxes::name.nullable()))
        .load(conn)?)
}

/// The box id of a box name in a cell.
pub fn box_id(conn: &mut DbConn, cell_id: &str, name: &str) -> DbResult<Option<String>> {
    Ok(boxes::table
        .filter(boxes::cell_id.eq(cell_id))
        .filter(boxes::name.eq(name))
        .select(boxes::id)
        .first(conn)
        .optional()?)
}

/// The role ids of an account by name; `None` when the account no longer exists.
pub fn account_role_ids_by_name(
    conn: &mut DbConn,
    cell_id: &str,
    account: &str,
) -> DbResult<Option<Vec<String>>> {
    use super::schema::accounts;
    let id: Option<String> = accounts::table
        .filter(accounts::cell_id.eq(cell_id))
        .filter(accounts::name.eq(account))
        .select(accounts::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => Ok(Some(account_role_ids(conn, &id)?)),
        None => Ok(None),
    }
}
