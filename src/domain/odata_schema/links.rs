//! Navigation properties and `$links` of the schema sets (`spec/personium-api.md` §8.1):
//! the implicit 1:N links (EntityType → Property / AssociationEnd, ComplexType →
//! ComplexTypeProperty) are listed and created through, but never linked explicitly
//! (`PR400-OD-0008`); two AssociationEnds are paired with `$links/_AssociationEnd`
//! (`PR400-OD-0031` for 1:1, `PR409-OD-0006` when the two EntityTypes are associated already,
//! `PR409-OD-0002` when an end is paired already).

use super::ops::{self, find};
use super::sets::{self, ASSOCIATION_END};
use super::{Collection, SetDef};
use crate::auth::privilege::Privilege;
use crate::db::ctl::{self as repo, CtlRow, Scope};
use crate::db::dialect::Page;
use crate::db::odata_schema as schema_repo;
use crate::db::DbConn;
use crate::domain::body;
use crate::domain::ctl::keys::{self, KeyValues};
use crate::domain::ctl::sets::{NavDef, NavKind};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::odata::query::QueryOptions;
use crate::odata::uri::Key;
use crate::state::AppState;

/// The navigation property `nav` of `set` and its target set (`PR404-OD-0003`).
pub fn nav_of(set: &SetDef, nav: &str) -> Result<(&'static NavDef, &'static SetDef)> {
    let found = sets::set(set.name)
        .and_then(|s| s.navs.iter().find(|n| n.name == nav))
        .and_then(|n| sets::set(n.target).map(|t| (n, t)));
    found.ok_or_else(|| Error::new(&codes::PR404_OD_0003))
}

/// The AssociationEnd pairing is the only explicit link (`PR400-OD-0008` for the others).
fn pairing(set: &SetDef, nav: &str) -> Result<&'static SetDef> {
    match (set.name, nav) {
        (ASSOCIATION_END, "_AssociationEnd") => {
            sets::set(ASSOCIATION_END).ok_or_else(|| Error::new(&codes::PR400_OD_0008))
        }
        _ => Err(Error::new(&codes::PR400_OD_0008)),
    }
}

/// The rows a navigation property of `row` reaches.
fn scope_of(
    conn: &mut DbConn,
    node_id: &str,
    set: &SetDef,
    nav: &NavDef,
    row: &CtlRow,
) -> Result<Scope> {
    Ok(match nav.kind {
        NavKind::Children(column) => Scope::Column {
            column,
            id: row.id.clone(),
        },
        NavKind::Parent | NavKind::Many(..) => {
            // The parent, by the name the row derives.
            let parent = sets::parent_set(set).ok_or_else(|| Error::new(&codes::PR404_OD_0003))?;
            let field = set.parent_fields().first().copied().unwrap_or("");
            let name = row.get(field).as_str().map(str::to_owned);
            let key = [("Name", name.as_deref())];
            let id = repo::find_by_key(conn, parent.table, node_id, &key)?
                .map_or_else(String::new, |p| p.id);
            Scope::Column { column: "id", id }
        }
    })
}

/// `GET {col}/$metadata/{Set}({key})/{_Nav}`
pub async fn list_nav(
    state: &AppState,
    col: Collection<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    options: QueryOptions,
) -> Result<(&'static SetDef, Page<CtlRow>)> {
    let (nav, target) = nav_of(set, nav)?;
    let page = nav_rows(state, col, (set, key), (nav, target), options).await?;
    Ok((target, page))
}

/// The rows of `target` that `nav` of the entity `key` reaches (privilege `read`).
async fn nav_rows(
    state: &AppState,
    col: Collection<'_>,
    (set, key): (&'static SetDef, KeyValues),
    (nav, target): (&'static NavDef, &'static SetDef),
    options: QueryOptions,
) -> Result<Page<CtlRow>> {
    col.require(Privilege::Read)?;
    let node_id = col.node_id();
    state
        .db
        .run(move |conn| {
            let row = find(conn, &node_id, set, &key)?;
            let scope = scope_of(conn, &node_id, set, nav, &row)?;
            repo::list(conn, target.table, &node_id, &scope, &options)
        })
        .await
}

/// `POST {col}/$metadata/{Set}({key})/{_Nav}`: creates a Property, AssociationEnd or
/// ComplexTypeProperty of this type (its `_EntityType.Name` / `_ComplexType.Name` is the
/// type's name).
pub async fn create_nav(
    state: &AppState,
    col: Collection<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    bytes: &[u8],
) -> Result<(&'static SetDef, CtlRow)> {
    let (nav, target) = nav_of(set, nav)?;
    col.require(Privilege::AlterSchema)?;
    if !matches!(nav.kind, NavKind::Children(_))
        || nav.name == "_AssociationEnd" && set.name == ASSOCIATION_END
    {
        return Err(Error::new(&codes::PR400_OD_0008));
    }
    let mut obj = body::parse_object(bytes)?;
    let node_id = col.node_id();
    let row = state
        .db
        .run(move |conn| {
            crate::db::transaction(conn, |conn| {
                let row = find(conn, &node_id, set, &key)?;
                if let Some(field) = target.parent_fields().first() {
                    obj.insert((*field).to_owned(), row.get("Name").as_str().into());
                }
                ops::insert(conn, &node_id, target, &obj)
            })
        })
        .await?;
    Ok((target, row))
}

/// `GET {col}/$metadata/{Set}({key})/$links/{_Nav}`: the linked entities' URLs.
pub async fn list_links(
    state: &AppState,
    col: Collection<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<Vec<String>> {
    let (nav_def, target) = nav_of(set, nav).map_err(|_| Error::new(&codes::PR400_OD_0008))?;
    let limits = crate::odata::query::QueryLimits::default();
    let options =
        crate::odata::query::parse_query(&format!("$top={}", limits.top_max), false, &limits)?;
    let page = nav_rows(state, col, (set, key), (nav_def, target), options).await?;
    let root = col.schema_root();
    Ok(page
        .rows
        .iter()
        .map(|r| keys::entity_url_at(&root, target, &keys::of_row(target, r)))
        .collect())
}

/// `POST {col}/$metadata/AssociationEnd({key})/$links/_AssociationEnd` `{"uri": ...}`
pub async fn create_link(
    state: &AppState,
    col: Collection<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    bytes: &[u8],
) -> Result<()> {
    let target_set = pairing(set, nav)?;
    col.require(Privilege::AlterSchema)?;
    let obj = body::parse_object(bytes)?;
    body::check_fields(&obj, &["uri"])?;
    let uri = body::required_str(&obj, "uri")?;
    let target_key = keys::parse_target_url_at(&col.schema_root(), target_set, uri)
        .map_err(|_| Error::new(&codes::PR400_OD_0006).param("uri"))?;
    let node_id = col.node_id();
    state
        .db
        .run(move |conn| {
            crate::db::transaction(conn, |conn| {
                let row = find(conn, &node_id, set, &key)?;
                let target = find(conn, &node_id, target_set, &target_key)
                    .map_err(|_| Error::new(&codes::PR400_OD_0006).param("uri"))?;
                pair(conn, &node_id, &row, &target)
            })
        })
        .await
}

/// Pairs two AssociationEnds after Personium's checks.
fn pair(conn: &mut DbConn, node_id: &str, a: &CtlRow, b: &CtlRow) -> Result<()> {
    let multiplicity = |r: &CtlRow| r.get("Multiplicity").as_str().unwrap_or("").to_owned();
    if multiplicity(a) == "1" && multiplicity(b) == "1" {
        return Err(Error::new(&codes::PR400_OD_0031));
    }
    let type_of = |r: &CtlRow| r.get("_EntityType.Name").as_str().unwrap_or("").to_owned();
    let (ta, tb) = (type_of(a), type_of(b));
    let ends = schema_repo::ends(conn, node_id)?;
    let associated = ends.iter().any(|e| {
        e.entity_type == ta
            && e.partner_id
                .as_deref()
                .is_some_and(|p| ends.iter().any(|o| o.id == p && o.entity_type == tb))
    });
    if associated {
        return Err(Error::new(&codes::PR409_OD_0006));
    }
    let paired = |id: &str| ends.iter().any(|e| e.id == id && e.partner_id.is_some());
    if paired(&a.id) || paired(&b.id) {
        return Err(Error::new(&codes::PR409_OD_0002));
    }
    schema_repo::set_partner(conn, (&a.id, &b.id), true, now_ms())?;
    Ok(())
}

/// `DELETE {col}/$metadata/AssociationEnd({key})/$links/_AssociationEnd({target key})`
pub async fn delete_link(
    state: &AppState,
    col: Collection<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    target: &Key,
) -> Result<()> {
    let target_set = pairing(set, nav)?;
    col.require(Privilege::AlterSchema)?;
    let target_key = keys::resolve(target_set, target)?;
    let node_id = col.node_id();
    state
        .db
        .run(move |conn| {
            crate::db::transaction(conn, |conn| {
                let row = find(conn, &node_id, set, &key)?;
                let target = find(conn, &node_id, target_set, &target_key)?;
                let partner = repo::read_column(conn, set.table.table, "partner_id", &row.id)?;
                if partner.as_deref() != Some(target.id.as_str()) {
                    return Err(Error::new(&codes::PR404_OD_0002));
                }
                schema_repo::set_partner(conn, (&row.id, &target.id), false, now_ms())?;
                Ok(())
            })
        })
        .await
}
