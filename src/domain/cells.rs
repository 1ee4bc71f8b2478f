//! Unit-level cell management (`spec/personium-api.md` §4.1): create, list, retrieve, rename,
//! delete, and recursive delete, with the unit-token and ownership rules of §3.4 step 2.

use crate::auth::context::UnitActor;
use crate::auth::AccessContext;
use crate::db::cells::{self as repo, CellRow, NewCell};
use crate::db::dialect::Page;
use crate::domain::cache::CachedCell;
use crate::domain::{body, etag};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::model::NameKind;
use crate::odata::query::QueryOptions;
use crate::state::AppState;
use std::sync::Arc;

/// A cell row with its ETag.
pub struct Cell {
    pub row: CellRow,
}

impl Cell {
    pub fn etag(&self) -> String {
        etag::weak(self.row.version, self.row.updated)
    }
}

/// The owner stored for a unit user: `personium-localunit:` form when the subject is a URL
/// under this Unit.
fn owner_of(state: &AppState, actor: &UnitActor) -> Option<String> {
    match actor {
        UnitActor::Master => None,
        UnitActor::User { subject } => Some(match subject.strip_prefix(state.unit_url.as_str()) {
            Some(rest) => format!("personium-localunit:/{rest}"),
            None => subject.clone(),
        }),
    }
}

/// §4.1: the master token may act on any cell; a unit user only on cells it owns.
fn check_owner(state: &AppState, actor: &UnitActor, row: &CellRow) -> Result<()> {
    match actor {
        UnitActor::Master => Ok(()),
        UnitActor::User { .. } if row.owner == owner_of(state, actor) => Ok(()),
        UnitActor::User { .. } => Err(Error::new(&codes::PR403_AU_0003)),
    }
}

fn parse_name(obj: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
    body::check_fields(obj, &["Name"])?;
    let name = body::required_str(obj, "Name")?;
    if !NameKind::Cell.is_valid(name) {
        return Err(Error::new(&codes::PR400_OD_0006).param("Name"));
    }
    Ok(name.to_owned())
}

/// `POST /__ctl/Cell`
pub async fn create(state: &AppState, ctx: &AccessContext, body: &[u8]) -> Result<Cell> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let obj = body::parse_object(body)?;
    let name = parse_name(&obj)?;
    let owner = owner_of(state, &actor);
    let now = now_ms();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let row = CellRow {
        id,
        name,
        owner,
        status: "normal".to_owned(),
        version: 1,
        published: now,
        updated: now,
        acl: None,
        props: None,
    };
    let insert = row.clone();
    state
        .db
        .run(move |conn| {
            let new = NewCell {
                id: &insert.id,
                name: &insert.name,
                owner: insert.owner.as_deref(),
                status: &insert.status,
                version: insert.version,
                published: insert.published,
                updated: insert.updated,
            };
            match repo::insert(conn, &new) {
                Ok(()) => Ok(()),
                Err(e) if e.is_unique_violation() => Err(Error::new(&codes::PR409_OD_0003)),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    tracing::info!(cell = %row.name, "cell created");
    Ok(Cell { row })
}

/// Loads a cell by name (`PR404-OD-0002` when absent: it is an entity of `__ctl/Cell`).
async fn load(state: &AppState, name: &str) -> Result<CellRow> {
    let name = name.to_owned();
    state
        .db
        .read(move |conn| Ok::<_, Error>(repo::find_by_name(conn, &name)?))
        .await?
        .ok_or_else(|| Error::new(&codes::PR404_OD_0002))
}

/// `GET /__ctl/Cell('name')`
pub async fn get(state: &AppState, ctx: &AccessContext, name: &str) -> Result<Cell> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let row = load(state, name).await?;
    check_owner(state, &actor, &row).map_err(|_| Error::new(&codes::PR404_OD_0002))?;
    Ok(Cell { row })
}

/// `GET /__ctl/Cell`: all cells for the master token, owned cells for a unit user.
pub async fn list(
    state: &AppState,
    ctx: &AccessContext,
    options: QueryOptions,
) -> Result<Page<CellRow>> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let owner = match &actor {
        UnitActor::Master => None,
        UnitActor::User { .. } => Some(owner_of(state, &actor).unwrap_or_default()),
    };
    state
        .db
        .read(move |conn| repo::list(conn, &options, owner.as_deref()))
        .await
}

/// `PUT /__ctl/Cell('name')` `{"Name":"new"}`: renames the cell.
pub async fn rename(
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
    if_match: Option<&str>,
    body: &[u8],
) -> Result<Cell> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let obj = body::parse_object(body)?;
    let new_name = parse_name(&obj)?;
    let row = load(state, name).await?;
    check_owner(state, &actor, &row)?;
    etag::check_if_match(if_match, &etag::weak(row.version, row.updated))?;
    let now = now_ms();
    let id = row.id.clone();
    let target = new_name.clone();
    state
        .db
        .run(move |conn| match repo::rename(conn, &id, &target, now) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::new(&codes::PR404_OD_0002)),
            Err(e) if e.is_unique_violation() => Err(Error::new(&codes::PR409_OD_0003)),
            Err(e) => Err(e.into()),
        })
        .await?;
    state.access_cache.invalidate(&row.id, name);
    tracing::info!(cell = %name, new_name = %new_name, "cell renamed");
    Ok(Cell {
        row: CellRow {
            name: new_name,
            version: row.version + 1,
            updated: now,
            ..row
        },
    })
}

/// `DELETE /__ctl/Cell('name')`: only an empty cell (`PR409-OD-0001` otherwise).
pub async fn delete(
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
    if_match: Option<&str>,
) -> Result<()> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let row = load(state, name).await?;
    check_owner(state, &actor, &row)?;
    etag::check_if_match(if_match, &etag::weak(row.version, row.updated))?;
    let id = row.id.clone();
    state
        .db
        .run(move |conn| {
            crate::db::transaction(conn, |conn| {
                if repo::has_contents(conn, &id)? {
                    return Err(Error::new(&codes::PR409_OD_0001));
                }
                repo::delete(conn, &id)?;
                Ok(())
            })
        })
        .await?;
    state.access_cache.invalidate(&row.id, name);
    tracing::info!(cell = %name, "cell deleted");
    Ok(())
}

/// `DELETE /{cell}` with `X-Personium-Recursive: true`: the cell and everything it owns.
pub async fn delete_recursive(
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
    recursive: Option<&str>,
) -> Result<()> {
    let actor = crate::domain::access::for_unit(state, ctx)
        .await?
        .require_unit()?;
    let row = load(state, name)
        .await
        .map_err(|_| Error::new(&codes::PR404_DV_0003))?;
    check_owner(state, &actor, &row)?;
    if recursive != Some("true") {
        return Err(Error::new(&codes::PR412_MC_0001));
    }
    let id = row.id.clone();
    let bodies = state
        .db
        .run(move |conn| {
            crate::db::transaction(conn, |conn| {
                let bodies = crate::db::dav_files::cell_blob_keys(conn, &id)?;
                repo::delete_recursive(conn, &id)?;
                Ok::<_, Error>(bodies)
            })
        })
        .await?;
    // The cell's file bodies go once no row names them.
    crate::domain::dav::files::remove_blobs(state.blobs.as_ref(), &bodies).await;
    state.access_cache.invalidate(&row.id, name);
    tracing::info!(cell = %name, "cell deleted recursively");
    Ok(())
}

/// The cell of a cell-level request, through the access cache (`PR404-DV-0003` when absent).
pub async fn cached(state: &AppState, name: &str) -> Result<Arc<CachedCell>> {
    let cache = &state.access_cache;
    if let Some(cell) = cache.cell(name) {
        return Ok(cell);
    }
    let since = cache.generation();
    let row = find(state, name).await?;
    let acl = match row.acl.as_deref() {
        Some(json) => crate::auth::acl::Acl::from_json(json).map_err(Error::internal)?,
        None => Default::default(),
    };
    let cell = Arc::new(CachedCell {
        id: row.id,
        name: row.name,
        owner: row.owner,
        acl: Arc::new(acl),
    });
    cache.put_cell(since, cell.clone());
    Ok(cell)
}

/// Finds a cell for cell-level requests (`PR404-DV-0003` when absent).
pub async fn find(state: &AppState, name: &str) -> Result<CellRow> {
    load(state, name)
        .await
        .map_err(|_| Error::new(&codes::PR404_DV_0003))
}
