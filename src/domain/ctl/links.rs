//! `$links` and navigation properties between control objects (`spec/personium-api.md` §4.3):
//! N:N links through link tables, the parent link of a Role/Relation/Rule/message (`_Box`) or
//! ExtRole (`_Relation`), and the 1:N children seen from the parent. 409 `PR409-OD-0002` on a
//! duplicate link or an occupied "one" side, 400 `PR400-OD-0008` on a pair that is not a link.

use super::keys::{self, KeyValues};
use super::ops::{self, CellAccess};
use super::sets::{self, NavDef, NavKind, SetDef};
use crate::db::ctl::{self as repo, CtlRow, Parent, Scope};
use crate::db::dialect::Page;
use crate::db::DbConn;
use crate::domain::body;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::odata::query::QueryOptions;
use crate::odata::uri::Key;
use crate::state::AppState;

/// The navigation property of a `$links` request (`PR400-OD-0008` when there is none).
fn link_nav(set: &SetDef, nav: &str) -> Result<(&'static NavDef, &'static SetDef)> {
    let found = sets::SETS
        .iter()
        .find(|s| s.name == set.name)
        .and_then(|s| s.navs.iter().find(|n| n.name == nav));
    let nav = found.ok_or_else(|| Error::new(&codes::PR400_OD_0008))?;
    let target = sets::set(nav.target).ok_or_else(|| Error::new(&codes::PR400_OD_0008))?;
    Ok((nav, target))
}

/// The navigation property of a navigation request (`PR404-OD-0003` when there is none).
pub fn nav_of(set: &SetDef, nav: &str) -> Result<(&'static NavDef, &'static SetDef)> {
    link_nav(set, nav).map_err(|_| Error::new(&codes::PR404_OD_0003))
}

fn parent_column(set: &SetDef) -> &'static str {
    match set.table.parent {
        Parent::Relation => "relation_id",
        _ => "box_id",
    }
}

fn parent_of(row: &CtlRow) -> Option<&str> {
    row.box_id.as_deref().or(row.relation_id.as_deref())
}

/// The rows a navigation property of `row` reaches, as a list scope.
fn scope_of(nav: &NavDef, row: &CtlRow) -> Scope {
    match nav.kind {
        NavKind::Many(table, mine, theirs) => Scope::Linked {
            table,
            mine: theirs,
            theirs: mine,
            id: row.id.clone(),
        },
        NavKind::Parent => Scope::Column {
            column: "id",
            id: parent_of(row).unwrap_or("").to_owned(),
        },
        NavKind::Children(column) => Scope::Column {
            column,
            id: row.id.clone(),
        },
    }
}

/// Links `row` (of `set`) to `target` through `nav`.
fn add_link(
    conn: &mut DbConn,
    set: &SetDef,
    nav: &NavDef,
    target_set: &SetDef,
    row: &CtlRow,
    target: &CtlRow,
) -> Result<()> {
    let occupied = || Error::new(&codes::PR409_OD_0002);
    let now = now_ms();
    match nav.kind {
        NavKind::Many(table, mine, theirs) => {
            if !repo::link(conn, table, (mine, theirs), (&row.id, &target.id))? {
                return Err(occupied());
            }
        }
        NavKind::Parent => {
            if parent_of(row).is_some() {
                return Err(occupied());
            }
            repo::set_column(
                conn,
                set.table,
                &row.id,
                parent_column(set),
                Some(&target.id),
                now,
            )
            .map_err(ops::conflict)?;
        }
        NavKind::Children(column) => {
            if parent_of(target).is_some() {
                return Err(occupied());
            }
            repo::set_column(
                conn,
                target_set.table,
                &target.id,
                column,
                Some(&row.id),
                now,
            )
            .map_err(ops::conflict)?;
        }
    }
    Ok(())
}

/// `GET {C}__ctl/{Set}({key})/$links/{_Nav}`: the URLs of the linked entities.
pub async fn list_links(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<Vec<String>> {
    let (nav, target) = link_nav(set, nav)?;
    let limits = crate::odata::query::QueryLimits::default();
    let options =
        crate::odata::query::parse_query(&format!("$top={}", limits.top_max), false, &limits)?;
    let page = nav_rows(state, cell, set, key, nav, options).await?;
    Ok(page
        .rows
        .iter()
        .map(|r| ops::url_of(cell, target, r))
        .collect())
}

async fn nav_rows(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &'static NavDef,
    options: QueryOptions,
) -> Result<Page<CtlRow>> {
    cell.require(set.read_privilege)?;
    cell.require(sets::set(nav.target).map_or(set.read_privilege, |t| t.read_privilege))?;
    let target = sets::set(nav.target).ok_or_else(|| Error::new(&codes::PR404_OD_0003))?;
    let cell_id = cell.id.clone();
    state
        .db
        .run(move |conn| {
            let row = ops::find(conn, &cell_id, set, &key)?;
            repo::list(conn, target.table, &cell_id, &scope_of(nav, &row), &options)
        })
        .await
}

/// `POST {C}__ctl/{Set}({key})/$links/{_Nav}` `{"uri": ...}`
pub async fn create_link(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    bytes: &[u8],
) -> Result<()> {
    let (nav, target_set) = link_nav(set, nav)?;
    cell.require(set.write_privilege)?;
    cell.require(target_set.write_privilege)?;
    let obj = body::parse_object(bytes)?;
    body::check_fields(&obj, &["uri"])?;
    let target_key =
        keys::parse_target_url(&cell.url, target_set, body::required_str(&obj, "uri")?)?;
    let cell_id = cell.id.clone();
    cell.write(state, move |conn| {
        let row = ops::find(conn, &cell_id, set, &key)?;
        let target = ops::find(conn, &cell_id, target_set, &target_key)
            .map_err(|_| Error::new(&codes::PR400_OD_0024).param("uri"))?;
        add_link(conn, set, nav, target_set, &row, &target)
    })
    .await
}

/// `DELETE {C}__ctl/{Set}({key})/$links/{_Nav}({target key})`
#[allow(clippy::too_many_arguments)]
pub async fn delete_link(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    target: &Key,
) -> Result<()> {
    let (nav, target_set) = link_nav(set, nav)?;
    cell.require(set.write_privilege)?;
    cell.require(target_set.write_privilege)?;
    let target_key = keys::resolve(target_set, target)?;
    let cell_id = cell.id.clone();
    cell.write(state, move |conn| {
        let row = ops::find(conn, &cell_id, set, &key)?;
        let target = ops::find(conn, &cell_id, target_set, &target_key)?;
        let now = now_ms();
        let removed = match nav.kind {
            NavKind::Many(table, mine, theirs) => {
                repo::unlink(conn, table, (mine, theirs), (&row.id, &target.id))?
            }
            // An ExtRole always belongs to a Relation: that link cannot be removed.
            NavKind::Parent if set.table.parent == Parent::Relation => {
                return Err(Error::new(&codes::PR400_OD_0008));
            }
            NavKind::Children(_) if target_set.table.parent == Parent::Relation => {
                return Err(Error::new(&codes::PR400_OD_0008));
            }
            NavKind::Parent if parent_of(&row) == Some(target.id.as_str()) => {
                repo::set_column(conn, set.table, &row.id, parent_column(set), None, now)
                    .map_err(ops::conflict)?
            }
            NavKind::Children(column) if parent_of(&target) == Some(row.id.as_str()) => {
                repo::set_column(conn, target_set.table, &target.id, column, None, now)
                    .map_err(ops::conflict)?
            }
            NavKind::Parent | NavKind::Children(_) => false,
        };
        if removed {
            Ok(())
        } else {
            Err(Error::new(&codes::PR404_OD_0002))
        }
    })
    .await
}

/// `GET {C}__ctl/{Set}({key})/{_Nav}`: the related entities, with query options.
pub async fn list_nav(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    options: QueryOptions,
) -> Result<(&'static SetDef, Page<CtlRow>)> {
    let (nav, target) = nav_of(set, nav)?;
    let page = nav_rows(state, cell, set, key, nav, options).await?;
    Ok((target, page))
}

/// `POST {C}__ctl/{Set}({key})/{_Nav}`: creates the target entity and links it.
#[allow(clippy::too_many_arguments)]
pub async fn create_nav(
    state: &AppState,
    cell: &CellAccess,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    bytes: &[u8],
    credential: Option<&str>,
) -> Result<(&'static SetDef, CtlRow)> {
    let (nav, target_set) = nav_of(set, nav)?;
    cell.require(set.write_privilege)?;
    cell.require(target_set.write_privilege)?;
    if !target_set.writable {
        return Err(Error::new(&codes::PR405_MC_0001));
    }
    let mut obj = body::parse_object(bytes)?;
    let hash = match (target_set.name, credential) {
        ("Account", Some(pw)) if !crate::auth::password::is_valid_format(pw) => {
            return Err(Error::new(&codes::PR400_AU_0001));
        }
        ("Account", Some(pw)) => Some(crate::auth::password::hash(pw).map_err(Error::internal)?),
        _ => None,
    };
    let (st, cell_id) = (state.clone(), cell.id.clone());
    let created = cell
        .write(state, move |conn| {
            let row = ops::find(conn, &cell_id, set, &key)?;
            // A child created under its parent takes the parent's key (e.g. `_Box.Name`).
            if let NavKind::Children(_) = nav.kind {
                for (field, value) in keys::of_row(set, &row).iter().take(1) {
                    let parent_field = match target_set.table.parent {
                        Parent::Relation => format!("_Relation.{field}"),
                        _ => format!("_{}.{field}", set.name),
                    };
                    obj.insert(parent_field, value.clone().into());
                }
                if target_set.table.parent == Parent::Relation {
                    let box_name = row.get("_Box.Name").as_str().map(str::to_owned);
                    obj.insert("_Relation._Box.Name".to_owned(), box_name.into());
                }
            }
            let (values, parent) =
                ops::prepare(&st, conn, &cell_id, target_set, &obj, None, false)?;
            let target = ops::insert(
                conn,
                &cell_id,
                target_set,
                &values,
                parent.as_deref(),
                hash.as_deref(),
            )?;
            if !matches!(nav.kind, NavKind::Children(_)) {
                add_link(conn, set, nav, target_set, &row, &target)?;
            }
            repo::find_by_id(conn, target_set.table, &target.id)?
                .ok_or_else(|| Error::new(&codes::PR404_OD_0002))
        })
        .await?;
    Ok((target_set, created))
}
