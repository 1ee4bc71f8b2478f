//! Create, retrieve, list, replace, merge and delete of user entities (`spec/personium-api.md`
//! §8.2; personium-core `UserDataODataProducer`): `__id` defaulting, value rules, defaults,
//! dynamic properties registered as `IsDeclared=false` Properties in the same transaction,
//! weak ETags with `If-Match`, and `PR409-OD-0003` on a duplicate `__id`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value as Json};

use super::links;
use super::values::{self, Checker};
use super::{load, TypeSchema};
use crate::auth::privilege::Privilege;
use crate::db::dialect::dialect_of;
use crate::db::odata_data::{self as repo, EntityRow};
use crate::db::DbConn;
use crate::domain::odata_schema::ops::{self as schema_ops, write};
use crate::domain::odata_schema::{sets, Collection};
use crate::domain::{body, etag};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::odata::entity::Entity;
use crate::odata::query::QueryOptions;
use crate::state::AppState;

/// Longest `__id`, in characters (§2.7).
const MAX_ID_CHARS: usize = 400;

/// A body's `__id`: a string of 1–400 characters, or a new 32-hex id when absent.
fn entity_id(obj: &Map<String, Json>) -> Result<String> {
    match obj.get("__id") {
        None | Some(Json::Null) => Ok(uuid::Uuid::new_v4().simple().to_string()),
        Some(Json::String(s)) if !s.is_empty() && s.chars().count() <= MAX_ID_CHARS => {
            if s.contains('\0') {
                return Err(Error::new(&codes::PR400_OD_0006).param("__id"));
            }
            Ok(s.clone())
        }
        Some(_) => Err(Error::new(&codes::PR400_OD_0006).param("__id")),
    }
}

/// Registers the body's dynamic properties (`IsDeclared=false`), then reloads the schema.
fn register_dynamic(
    conn: &mut DbConn,
    node_id: &str,
    schema: TypeSchema,
    obj: &Map<String, Json>,
) -> Result<TypeSchema> {
    let dynamic = values::dynamic_properties(schema.stored(), &schema.name, obj)?;
    if dynamic.is_empty() {
        return Ok(schema);
    }
    let set = sets::set(sets::PROPERTY)
        .ok_or_else(|| Error::internal(anyhow::anyhow!("no Property set")))?;
    for (name, ty) in dynamic {
        let mut p = Map::new();
        p.insert("Name".into(), Json::String(name));
        p.insert("_EntityType.Name".into(), Json::String(schema.name.clone()));
        p.insert("Type".into(), Json::String(ty.name().to_owned()));
        p.insert("IsDeclared".into(), Json::Bool(false));
        schema_ops::insert(conn, node_id, set, &p)?;
    }
    super::load_uncached(conn, node_id, &schema.name)
}

/// The stored JSON of a new or replacing body, and its full-text search text.
fn stored_body(
    schema: &TypeSchema,
    obj: &Map<String, Json>,
    base: Option<&Map<String, Json>>,
) -> Result<(String, String)> {
    let checker = Checker {
        schema: schema.stored(),
        now: now_ms(),
    };
    let stored = checker.entity(&schema.name, obj, base)?;
    let json =
        serde_json::to_string(&stored).map_err(|e| Error::internal(anyhow::Error::from(e)))?;
    Ok((json, values::search_text(&stored)))
}

pub(super) fn found(row: Option<EntityRow>) -> Result<EntityRow> {
    row.ok_or_else(|| Error::new(&codes::PR404_OD_0002))
}

/// Inserts an entity of a loaded type (POST, and creates through a navigation property).
pub fn insert(
    conn: &mut DbConn,
    node_id: &str,
    schema: TypeSchema,
    obj: &Map<String, Json>,
) -> Result<(TypeSchema, EntityRow)> {
    body::check_reserved(obj)?;
    let id = entity_id(obj)?;
    let schema = register_dynamic(conn, node_id, schema, obj)?;
    let stored = stored_body(&schema, obj, None)?;
    // A failed insert fails the whole transaction (no savepoint: nothing runs after it).
    let (body, search) = (stored.0.as_str(), stored.1.as_str());
    let row = repo::insert(conn, &schema.type_id, &id, (body, search), now_ms()).map_err(|e| {
        if e.is_unique_violation() {
            Error::new(&codes::PR409_OD_0003)
        } else {
            e.into()
        }
    })?;
    refresh_statistics_now_and_then(conn)?;
    Ok((schema, row))
}

/// Every 4,096th create of this process refreshes the planner's statistics (cheap when
/// nothing grew much; see `dialect::refresh_statistics`).
fn refresh_statistics_now_and_then(conn: &mut DbConn) -> Result<()> {
    static CREATED: AtomicU64 = AtomicU64::new(0);
    if CREATED.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        crate::db::dialect::refresh_statistics(conn)?;
    }
    Ok(())
}

/// `POST {col}/{Type}`
pub async fn create(
    state: &AppState,
    col: Collection<'_>,
    type_name: &str,
    bytes: &[u8],
) -> Result<Entity> {
    col.require(Privilege::Write)?;
    let obj = body::parse_object(bytes)?;
    let (node_id, name) = (col.node_id(), type_name.to_owned());
    let (schema, row) = state
        .db
        .run(move |conn| {
            let in_transaction = |conn: &mut DbConn| {
                crate::db::transaction(conn, |conn| {
                    let schema = load(conn, &node_id, &name)?;
                    insert(conn, &node_id, schema, &obj)
                })
            };
            // SQLite writes always go through the process's write gate (db::transaction). On
            // PostgreSQL one INSERT is atomic by itself and needs no transaction around it (two
            // round trips fewer), unless dynamic properties are registered with it.
            if let DbConn::Sqlite(_) = conn {
                return in_transaction(conn);
            }
            let schema = load(conn, &node_id, &name)?;
            if values::dynamic_properties(schema.stored(), &schema.name, &obj)?.is_empty() {
                insert(conn, &node_id, schema, &obj)
            } else {
                in_transaction(conn)
            }
        })
        .await?;
    schema.entity(&col, &row)
}

/// `GET {col}/{Type}('{id}')`, with the `$expand`ed navigation properties.
pub async fn get(
    state: &AppState,
    col: Collection<'_>,
    type_name: &str,
    id: &str,
    expand: Vec<String>,
) -> Result<Entity> {
    col.require(Privilege::Read)?;
    let (node_id, name, id) = (col.node_id(), type_name.to_owned(), id.to_owned());
    let (schema, row, expansions) = state
        .db
        .read(move |conn| {
            let schema = load(conn, &node_id, &name)?;
            let row = found(repo::get(conn, &schema.type_id, &id)?)?;
            let x = (expand.as_slice(), links::EXPAND_RETRIEVE_MAX);
            let expansions =
                links::expansions(conn, &node_id, &schema, std::slice::from_ref(&row), x)?;
            Ok::<_, Error>((schema, row, expansions))
        })
        .await?;
    let mut entities = [schema.entity(&col, &row)?];
    links::apply(&col, &mut entities, expansions)?;
    let [e] = entities;
    Ok(e)
}

/// `GET {col}/{Type}`: one page under the query options (with `$expand`), and the count when
/// asked.
pub async fn list(
    state: &AppState,
    col: Collection<'_>,
    type_name: &str,
    options: QueryOptions,
) -> Result<(Vec<Entity>, Option<i64>)> {
    col.require(Privilege::Read)?;
    let (node_id, name) = (col.node_id(), type_name.to_owned());
    let (schema, page, expansions) = state
        .db
        .read(move |conn| {
            let schema = load(conn, &node_id, &name)?;
            let resolver = schema.resolver(dialect_of(conn));
            let page = repo::list(conn, &schema.type_id, None, &options, &resolver)?;
            drop(resolver);
            let x = (options.expand.as_slice(), links::EXPAND_LIST_MAX);
            let expansions = links::expansions(conn, &node_id, &schema, &page.rows, x)?;
            Ok::<_, Error>((schema, page, expansions))
        })
        .await?;
    let mut entities = page
        .rows
        .iter()
        .map(|row| schema.entity(&col, row))
        .collect::<Result<Vec<_>>>()?;
    links::apply(&col, &mut entities, expansions)?;
    Ok((entities, page.count))
}

/// The entity `{Type}('{id}')` and its type, once `If-Match` allows a change to it.
fn current(
    conn: &mut DbConn,
    node_id: &str,
    (type_name, id): (&str, &str),
    if_match: Option<&str>,
) -> Result<(TypeSchema, EntityRow)> {
    let schema = load(conn, node_id, type_name)?;
    let row = found(repo::get(conn, &schema.type_id, id)?)?;
    etag::check_if_match(if_match, &etag::weak(row.version, row.updated))?;
    Ok((schema, row))
}

/// `PUT` (replace) or `MERGE {col}/{Type}('{id}')`; returns the new ETag.
pub async fn update(
    state: &AppState,
    col: Collection<'_>,
    type_name: &str,
    id: &str,
    bytes: &[u8],
    if_match: Option<&str>,
    merge: bool,
) -> Result<String> {
    col.require(Privilege::Write)?;
    let obj = body::parse_object(bytes)?;
    body::check_reserved(&obj)?;
    let (node_id, name, id) = (col.node_id(), type_name.to_owned(), id.to_owned());
    let if_match = if_match.map(str::to_owned);
    write(state, move |conn| {
        let (schema, row) = current(conn, &node_id, (&name, &id), if_match.as_deref())?;
        let schema = register_dynamic(conn, &node_id, schema, &obj)?;
        let base = if merge {
            Some(super::parse_body(&row.body)?)
        } else {
            None
        };
        let stored = stored_body(&schema, &obj, base.as_ref())?;
        let now = now_ms();
        if !repo::update(conn, row.seq, (&stored.0, &stored.1), now)? {
            return Err(Error::new(&codes::PR404_OD_0002));
        }
        Ok(etag::weak(row.version + 1, now))
    })
    .await
}

/// `DELETE {col}/{Type}('{id}')`
pub async fn delete(
    state: &AppState,
    col: Collection<'_>,
    type_name: &str,
    id: &str,
    if_match: Option<&str>,
) -> Result<()> {
    col.require(Privilege::Write)?;
    let (node_id, name, id) = (col.node_id(), type_name.to_owned(), id.to_owned());
    let if_match = if_match.map(str::to_owned);
    write(state, move |conn| {
        let (schema, row) = current(conn, &node_id, (&name, &id), if_match.as_deref())?;
        super::links::check_deletable(conn, &schema, &row)?;
        repo::delete(conn, row.seq)?;
        Ok(())
    })
    .await
}
