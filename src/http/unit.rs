//! Unit-level endpoints (`spec/personium-api.md` §4.1): unit metadata, `__status`, and the
//! `UnitCtl` service at `/__ctl/` (Cell create, list, retrieve, rename, delete, `$metadata`).

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::AccessContext;
use crate::db::cells::CellRow;
use crate::domain::cells;
use crate::error::{codes, Error, Result};
use crate::http::extract::{header, state, Body};
use crate::http::odata;
use crate::odata::ctl_schema;
use crate::odata::edm::Value;
use crate::odata::entity::Entity;
use crate::odata::uri::{self, Key, ResourcePath, UriError};
use crate::state::AppState;

/// `GET /`: unit metadata.
pub async fn metadata(req: HttpRequest) -> Result<HttpResponse> {
    let state = state(&req)?;
    let path_based = state.settings.unit.cell_url_mode == crate::config::CellUrlMode::Path;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "unit": { "url": state.unit_url.as_str(), "path_based_cellurl_enabled": path_based }
    })))
}

/// `GET /__status`: health check (the database answers).
pub async fn status(req: HttpRequest) -> Result<HttpResponse> {
    let state = state(&req)?;
    crate::domain::unit::ping(state).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

fn ctl_root(state: &AppState) -> String {
    format!("{}__ctl/", state.unit_url.as_str())
}

/// The `UnitCtl.Cell` entity of a row.
fn cell_entity(state: &AppState, row: &CellRow) -> Entity {
    let key = uri::format_key(&[("Name", Some(&row.name))]);
    Entity {
        uri: format!("{}Cell{key}", ctl_root(state)),
        etag: crate::domain::etag::weak(row.version, row.updated),
        type_name: "UnitCtl.Cell".to_owned(),
        properties: vec![("Name".to_owned(), Value::String(row.name.clone()))],
        published: row.published,
        updated: row.updated,
        nav: Vec::new(),
    }
}

/// The cell name of a `Cell` key: `('c1')` or `(Name='c1')`.
fn cell_key(key: &Key) -> Result<&str> {
    match key.0.as_slice() {
        [part] if part.name.as_deref().is_none_or(|n| n == "Name") => part
            .value
            .as_deref()
            .ok_or_else(|| Error::new(&codes::PR400_OD_0016)),
        _ => Err(Error::new(&codes::PR400_OD_0004)),
    }
}

pub fn uri_error(e: UriError) -> Error {
    match e {
        UriError::BadKey => Error::new(&codes::PR400_OD_0004),
        UriError::KeyOnNavProp => Error::new(&codes::PR400_OD_0010),
        UriError::NotFound => Error::new(&codes::PR404_OD_0001),
    }
}

/// `* /__ctl/{path}`: the UnitCtl service, dispatched on (resource, method).
pub async fn ctl(req: HttpRequest, ctx: AccessContext, body: Body) -> Result<HttpResponse> {
    let state = state(&req)?;
    let path = uri::parse_resource_path(&raw_tail(&req, "/__ctl/")).map_err(uri_error)?;
    let method = req.method().clone();
    match (&path, method.as_str()) {
        (ResourcePath::ServiceDocument, "GET") => {
            ctx.require_unit()?;
            Ok(odata::service_document(&ctl_root(state), &["Cell"]))
        }
        (ResourcePath::Metadata, "GET") => Ok(odata::edmx(ctl_schema::unit_ctl())),
        (ResourcePath::EntitySet { set }, m) if set == "Cell" => match m {
            "POST" => create(&req, state, &ctx, &body).await,
            "GET" => list(&req, state, &ctx).await,
            _ => Err(odata::method_not_allowed()),
        },
        (ResourcePath::Entity { set, key }, m) if set == "Cell" => {
            let name = cell_key(key)?;
            match m {
                "GET" => retrieve(&req, state, &ctx, name).await,
                "PUT" | "MERGE" => update(&req, state, &ctx, name, &body).await,
                "DELETE" => delete(&req, state, &ctx, name).await,
                _ => Err(odata::method_not_allowed()),
            }
        }
        (ResourcePath::NavProp { set, .. } | ResourcePath::Links { set, .. }, _)
            if set == "Cell" =>
        {
            Err(Error::new(&codes::PR404_OD_0003))
        }
        (ResourcePath::ServiceDocument | ResourcePath::Metadata | ResourcePath::Batch, _)
            if method != Method::GET =>
        {
            Err(odata::method_not_allowed())
        }
        _ => Err(Error::new(&codes::PR404_OD_0001)),
    }
}

/// The still-encoded path after `prefix`.
pub fn raw_tail(req: &HttpRequest, prefix: &str) -> String {
    let path = req.uri().path();
    path.find(prefix)
        .map(|i| path[i + prefix.len()..].to_owned())
        .unwrap_or_default()
}

/// `POST /__ctl/Cell`
async fn create(
    req: &HttpRequest,
    state: &AppState,
    ctx: &AccessContext,
    body: &Body,
) -> Result<HttpResponse> {
    let cell = cells::create(state, ctx, &body.0).await?;
    let e = cell_entity(state, &cell.row);
    odata::entity(req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET /__ctl/Cell`
async fn list(req: &HttpRequest, state: &AppState, ctx: &AccessContext) -> Result<HttpResponse> {
    let options = odata::query_options(req, state, false)?;
    let page = cells::list(state, ctx, options).await?;
    let entities: Vec<Entity> = page.rows.iter().map(|r| cell_entity(state, r)).collect();
    odata::feed(
        req,
        "Cell",
        &format!("{}Cell", ctl_root(state)),
        &entities,
        page.count,
    )
}

/// `GET /__ctl/Cell('name')`
async fn retrieve(
    req: &HttpRequest,
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
) -> Result<HttpResponse> {
    let options = odata::query_options(req, state, true)?;
    let cell = cells::get(state, ctx, name).await?;
    if let Some(inm) = header(req, "If-None-Match") {
        if crate::domain::etag::check_if_match(Some(inm), &cell.etag()).is_ok() {
            return Ok(HttpResponse::NotModified()
                .insert_header(("ETag", cell.etag()))
                .finish());
        }
    }
    let mut e = cell_entity(state, &cell.row);
    e.select(options.select.as_deref());
    odata::entity(req, StatusCode::OK, &e, None)
}

/// `PUT /__ctl/Cell('name')`: rename.
async fn update(
    req: &HttpRequest,
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
    body: &Body,
) -> Result<HttpResponse> {
    let cell = cells::rename(state, ctx, name, header(req, "If-Match"), &body.0).await?;
    Ok(odata::updated(&cell.etag()))
}

/// `DELETE /__ctl/Cell('name')`
async fn delete(
    req: &HttpRequest,
    state: &AppState,
    ctx: &AccessContext,
    name: &str,
) -> Result<HttpResponse> {
    cells::delete(state, ctx, name, header(req, "If-Match")).await?;
    Ok(odata::no_content())
}
