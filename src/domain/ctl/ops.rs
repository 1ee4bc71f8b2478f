//! Create, retrieve, list, update (PUT/MERGE) and delete of control objects
//! (`spec/personium-api.md` §4.3), with the parent-key (`_Box.Name`, `_Relation.Name`) rules,
//! passwords through `X-Personium-Credential`, ETags and the 409 delete rule.

use serde_json::{Map, Value as Json};

use super::keys::{self, KeyValues};
use super::sets::{self, NavKind, SetDef};
use super::{rule, validate};
use crate::auth::password;
use crate::db::ctl::{self as repo, CtlRow, Parent, RowValues, Scope};
use crate::db::dialect::Page;
use crate::db::{DbConn, DbError};
pub use crate::domain::access::CellAccess;
use crate::domain::{body, etag};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::odata::edm::Value;
use crate::odata::query::QueryOptions;
use crate::state::AppState;

/// `X-Personium-Credential` on Account writes: format-checked (`PR400-AU-0001`), then hashed.
fn credential_hash(set: &SetDef, credential: Option<&str>) -> Result<Option<String>> {
    match (set.name, credential) {
        ("Account", Some(pw)) => {
            if !password::is_valid_format(pw) {
                return Err(Error::new(&codes::PR400_AU_0001));
            }
            password::hash(pw).map(Some).map_err(Error::internal)
        }
        _ => Ok(None),
    }
}

pub fn conflict(e: DbError) -> Error {
    if e.is_unique_violation() {
        Error::new(&codes::PR409_OD_0003)
    } else {
        e.into()
    }
}

/// Loads an entity by key (`PR404-OD-0002`).
pub fn find(conn: &mut DbConn, cell_id: &str, set: &SetDef, key: &KeyValues) -> Result<CtlRow> {
    let parts: Vec<(&str, Option<&str>)> = key.iter().map(|(k, v)| (*k, v.as_deref())).collect();
    repo::find_by_key(conn, set.table, cell_id, &parts)?
        .ok_or_else(|| Error::new(&codes::PR404_OD_0002))
}

/// The parent id named by a body's parent fields (`PR400-OD-0024` when it does not exist).
fn parent_id(
    conn: &mut DbConn,
    cell_id: &str,
    set: &SetDef,
    obj: &Map<String, Json>,
    existing: Option<&CtlRow>,
) -> Result<Option<String>> {
    let text = |name: &str| body::optional_str(obj, name).map(|v| v.map(str::to_owned));
    let keep = |row: &CtlRow| row.box_id.clone().or_else(|| row.relation_id.clone());
    match set.table.parent {
        Parent::None => Ok(None),
        Parent::Box => {
            if !obj.contains_key("_Box.Name") {
                return Ok(existing.and_then(keep));
            }
            let Some(name) = text("_Box.Name")? else {
                return Ok(None);
            };
            let boxes =
                sets::set("Box").ok_or_else(|| Error::internal(anyhow::anyhow!("no Box set")))?;
            let key = vec![("Name", Some(name.as_str()))];
            let found = repo::find_by_key(conn, boxes.table, cell_id, &key)?;
            found
                .map(|b| Some(b.id))
                .ok_or_else(|| Error::new(&codes::PR400_OD_0024).param("_Box.Name"))
        }
        Parent::Relation => {
            if existing.is_some() && !obj.contains_key("_Relation.Name") {
                return Ok(existing.and_then(keep));
            }
            let name = body::required_str(obj, "_Relation.Name")?.to_owned();
            let box_name = text("_Relation._Box.Name")?;
            let relations = sets::set("Relation")
                .ok_or_else(|| Error::internal(anyhow::anyhow!("no Relation set")))?;
            let key = vec![
                ("Name", Some(name.as_str())),
                ("_Box.Name", box_name.as_deref()),
            ];
            let found = repo::find_by_key(conn, relations.table, cell_id, &key)?;
            found
                .map(|r| Some(r.id))
                .ok_or_else(|| Error::new(&codes::PR400_OD_0024).param("_Relation.Name"))
        }
        // Only user-schema tables (`domain::odata_schema`) have named parents.
        Parent::Named(p) => Err(Error::internal(anyhow::anyhow!(
            "no __ctl set has the parent {}",
            p.table
        ))),
    }
}

/// Validated property values and the parent id of a body.
pub(super) type Prepared = (Vec<(String, Value)>, Option<String>);

/// Validated values and parent of a body (create, PUT or MERGE).
pub(super) fn prepare(
    state: &AppState,
    conn: &mut DbConn,
    cell_id: &str,
    set: &SetDef,
    obj: &Map<String, Json>,
    existing: Option<&CtlRow>,
    merge: bool,
) -> Result<Prepared> {
    let mut allowed: Vec<&str> = set.props.iter().map(|p| p.name).collect();
    allowed.extend(set.parent_fields());
    body::check_fields(obj, &allowed)?;
    let current = if merge {
        existing.map(|r| r.values.as_slice())
    } else {
        None
    };
    let values = validate::values(set, obj, current)?;
    let parent = parent_id(conn, cell_id, set, obj, if merge { existing } else { None })?;
    if set.name == "Rule" {
        rule::check(&values, parent.is_some(), state.unit_url.as_str())?;
    }
    Ok((values, parent))
}

/// Inserts a validated row and returns it as stored.
pub(super) fn insert(
    conn: &mut DbConn,
    cell_id: &str,
    set: &SetDef,
    values: &[(String, Value)],
    parent: Option<&str>,
    hash: Option<&str>,
) -> Result<CtlRow> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    let row = RowValues {
        values,
        parent_id: parent,
    };
    repo::insert(conn, set.table, &id, cell_id, &row, now).map_err(conflict)?;
    if let Some(h) = hash {
        repo::set_column(conn, set.table, &id, "password_hash", Some(h), now)?;
    }
    repo::find_by_id(conn, set.table, &id)?.ok_or_else(|| Error::new(&codes::PR404_OD_0002))
}

/// `GET {C}__ctl/{Set}`
pub async fn list(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    scope: Scope,
    options: QueryOptions,
) -> Result<Page<CtlRow>> {
    cell.require(set.read_privilege)?;
    let cell_id = cell.id.clone();
    state
        .db
        .read(move |conn| repo::list(conn, set.table, &cell_id, &scope, &options))
        .await
}

/// `GET {C}__ctl/{Set}({key})`
pub async fn get(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
) -> Result<CtlRow> {
    cell.require(set.read_privilege)?;
    let cell_id = cell.id.clone();
    state
        .db
        .read(move |conn| find(conn, &cell_id, set, &key))
        .await
}

/// `POST {C}__ctl/{Set}`
pub async fn create(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    bytes: &[u8],
    credential: Option<&str>,
) -> Result<CtlRow> {
    cell.require(set.write_privilege)?;
    if !set.writable {
        return Err(Error::new(&codes::PR405_MC_0001));
    }
    let obj = body::parse_object(bytes)?;
    let hash = credential_hash(set, credential)?;
    let (st, cell_id) = (state.clone(), cell.id.clone());
    cell.write(state, move |conn| {
        let (values, parent) = prepare(&st, conn, &cell_id, set, &obj, None, false)?;
        insert(
            conn,
            &cell_id,
            set,
            &values,
            parent.as_deref(),
            hash.as_deref(),
        )
    })
    .await
}

/// `PUT` (replace) or `MERGE` (partial) `{C}__ctl/{Set}({key})`; a changed key renames.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    bytes: &[u8],
    if_match: Option<&str>,
    merge: bool,
    credential: Option<&str>,
) -> Result<CtlRow> {
    cell.require(set.write_privilege)?;
    if !set.writable {
        return Err(Error::new(&codes::PR405_MC_0001));
    }
    let obj = body::parse_object(bytes)?;
    let hash = credential_hash(set, credential)?;
    let if_match = if_match.map(str::to_owned);
    let (st, cell_id) = (state.clone(), cell.id.clone());
    cell.write(state, move |conn| {
        let row = find(conn, &cell_id, set, &key)?;
        etag::check_if_match(if_match.as_deref(), &etag::weak(row.version, row.updated))?;
        let (values, parent) = prepare(&st, conn, &cell_id, set, &obj, Some(&row), merge)?;
        let now = now_ms();
        let new = RowValues {
            values: &values,
            parent_id: parent.as_deref(),
        };
        repo::update(conn, set.table, &row.id, &new, now).map_err(conflict)?;
        if let Some(h) = &hash {
            repo::set_column(conn, set.table, &row.id, "password_hash", Some(h), now)?;
        }
        repo::find_by_id(conn, set.table, &row.id)?.ok_or_else(|| Error::new(&codes::PR404_OD_0002))
    })
    .await
}

/// `DELETE {C}__ctl/{Set}({key})`: refused with `PR409-OD-0001` while the entity is the "one"
/// side of a 1:N link (a Box with Roles, a Relation with ExtRoles, ...); N:N links go with it.
pub async fn delete(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    if_match: Option<&str>,
) -> Result<()> {
    cell.require(set.write_privilege)?;
    let if_match = if_match.map(str::to_owned);
    let cell_id = cell.id.clone();
    cell.write(state, move |conn| {
        let row = find(conn, &cell_id, set, &key)?;
        etag::check_if_match(if_match.as_deref(), &etag::weak(row.version, row.updated))?;
        for nav in set.navs {
            if let NavKind::Children(column) = nav.kind {
                let target = sets::set(nav.target)
                    .ok_or_else(|| Error::internal(anyhow::anyhow!("no set {}", nav.target)))?;
                if repo::referenced(conn, target.table.table, column, &row.id)? {
                    return Err(Error::new(&codes::PR409_OD_0001));
                }
            }
        }
        // COMPAT(personium): a box whose WebDAV tree is not empty is "related" too.
        if set.name == "Box" && crate::db::dav::has_children(conn, &row.id)? {
            return Err(Error::new(&codes::PR409_OD_0001));
        }
        repo::delete(conn, set.table, &row.id)?;
        Ok(())
    })
    .await
}

/// The entity URL of a row (for `Location`).
pub fn url_of(cell: &CellAccess, set: &SetDef, row: &CtlRow) -> String {
    keys::entity_url(&cell.url, set, &keys::of_row(set, row))
}
