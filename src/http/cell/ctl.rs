//! `{C}__ctl/…`: the CellCtl OData service (`spec/personium-api.md` §4.3), dispatched on
//! (resource path, method) to one handler per operation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::AccessContext;
use crate::db::ctl::{CtlRow, Scope};
use crate::domain::ctl::keys::{self, KeyValues};
use crate::domain::ctl::ops::{self, CellAccess};
use crate::domain::ctl::{links, set, SetDef};
use crate::error::{codes, Error, Result};
use crate::http::extract::{header, state, Body};
use crate::http::odata;
use crate::http::unit::{raw_tail, uri_error};
use crate::odata::ctl_schema;
use crate::odata::entity::Entity;
use crate::odata::uri::{self, ResourcePath};
use crate::state::AppState;

/// What one request asks of the service.
struct Call<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    cell: &'a CellAccess,
    body: &'a [u8],
}

fn set_of(name: &str) -> Result<&'static SetDef> {
    set(name).ok_or_else(|| Error::new(&codes::PR404_OD_0001))
}

/// `* {C}__ctl/{path}`
pub async fn dispatch(req: HttpRequest, ctx: AccessContext, body: Body) -> Result<HttpResponse> {
    let state = state(&req)?;
    let cell = CellAccess::resolve(state, &ctx, req.match_info().get("cell").unwrap_or("")).await?;
    let path = uri::parse_resource_path(&raw_tail(&req, "/__ctl/")).map_err(uri_error)?;
    let call = Call {
        req: &req,
        state,
        cell: &cell,
        body: &body.0,
    };
    let method = req.method().as_str();
    match (path, method) {
        (ResourcePath::Metadata, "GET") => Ok(odata::edmx(ctl_schema::cell_ctl())),
        (ResourcePath::ServiceDocument, "GET") => {
            // The service document lists the sets: any privilege on the cell suffices.
            cell.require(crate::auth::privilege::Privilege::BoxRead)
                .or_else(|_| cell.require(crate::auth::privilege::Privilege::AuthRead))?;
            let names: Vec<&str> = crate::domain::ctl::sets::SETS
                .iter()
                .map(|s| s.name)
                .collect();
            Ok(odata::service_document(
                &format!("{}__ctl/", cell.url),
                &names,
            ))
        }
        (ResourcePath::EntitySet { set }, "GET") => list(&call, set_of(&set)?).await,
        (ResourcePath::EntitySet { set }, "POST") => create(&call, set_of(&set)?).await,
        (ResourcePath::Entity { set, key }, m) => {
            let set = set_of(&set)?;
            let key = keys::resolve(set, &key)?;
            match m {
                "GET" => retrieve(&call, set, key).await,
                "PUT" => update(&call, set, key, false).await,
                "MERGE" => update(&call, set, key, true).await,
                "DELETE" => delete(&call, set, key).await,
                _ => Err(odata::method_not_allowed()),
            }
        }
        (ResourcePath::NavProp { set, key, nav }, m) => {
            let set = set_of(&set)?;
            let key = keys::resolve(set, &key)?;
            match m {
                "GET" => list_nav(&call, set, key, &nav).await,
                "POST" => create_nav(&call, set, key, &nav).await,
                _ => Err(odata::method_not_allowed()),
            }
        }
        (
            ResourcePath::Links {
                set,
                key,
                nav,
                target,
            },
            m,
        ) => {
            let set = set_of(&set)?;
            let key = keys::resolve(set, &key)?;
            match (m, target) {
                ("GET", None) => list_links(&call, set, key, &nav).await,
                ("POST", None) => create_link(&call, set, key, &nav).await,
                ("POST", Some(_)) => Err(Error::new(&codes::PR400_OD_0010)),
                ("DELETE", Some(t)) => {
                    links::delete_link(call.state, call.cell, set, key, &nav, &t).await?;
                    Ok(odata::no_content())
                }
                ("DELETE", None) => Err(Error::new(&codes::PR400_OD_0011)),
                // COMPAT(personium): PUT on $links is not implemented there either.
                ("PUT", _) => Err(Error::new(&codes::PR501_MC_0001)),
                _ => Err(odata::method_not_allowed()),
            }
        }
        (ResourcePath::Batch, _) => Err(Error::new(&codes::PR501_MC_0001)),
        // COMPAT(personium): `__ctl` has no `$count` segment.
        (ResourcePath::Count { .. }, _) => Err(Error::new(&codes::PR404_OD_0001)),
        (
            ResourcePath::EntitySet { .. } | ResourcePath::Metadata | ResourcePath::ServiceDocument,
            _,
        ) => Err(odata::method_not_allowed()),
    }
}

fn entity(call: &Call<'_>, set: &SetDef, row: &CtlRow) -> Entity {
    keys::entity(&call.cell.url, set, row)
}

/// Entities of rows with `$select` applied.
fn selected(
    call: &Call<'_>,
    set: &SetDef,
    rows: &[CtlRow],
    select: Option<&[String]>,
) -> Vec<Entity> {
    rows.iter()
        .map(|r| {
            let mut e = entity(call, set, r);
            e.select(select);
            e
        })
        .collect()
}

/// `GET {C}__ctl/{Set}`
async fn list(call: &Call<'_>, set: &'static SetDef) -> Result<HttpResponse> {
    let options = odata::query_options(call.req, call.state, false)?;
    let select = options.select.clone();
    let page = ops::list(call.state, call.cell, set, Scope::Cell, options).await?;
    let entities = selected(call, set, &page.rows, select.as_deref());
    let feed_uri = format!("{}__ctl/{}", call.cell.url, set.name);
    odata::feed(call.req, set.name, &feed_uri, &entities, page.count)
}

/// `POST {C}__ctl/{Set}`
async fn create(call: &Call<'_>, set: &'static SetDef) -> Result<HttpResponse> {
    let credential = header(call.req, "X-Personium-Credential");
    let row = ops::create(call.state, call.cell, set, call.body, credential).await?;
    let e = entity(call, set, &row);
    odata::entity(call.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET {C}__ctl/{Set}({key})`
async fn retrieve(call: &Call<'_>, set: &'static SetDef, key: KeyValues) -> Result<HttpResponse> {
    let options = odata::query_options(call.req, call.state, true)?;
    let row = ops::get(call.state, call.cell, set, key).await?;
    let mut e = entity(call, set, &row);
    e.select(options.select.as_deref());
    if let Some(inm) = header(call.req, "If-None-Match") {
        if crate::domain::etag::check_if_match(Some(inm), &e.etag).is_ok() {
            return Ok(HttpResponse::NotModified()
                .insert_header(("ETag", e.etag.as_str()))
                .finish());
        }
    }
    odata::entity(call.req, StatusCode::OK, &e, None)
}

/// `PUT` / `MERGE {C}__ctl/{Set}({key})`
async fn update(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    merge: bool,
) -> Result<HttpResponse> {
    let row = ops::update(
        call.state,
        call.cell,
        set,
        key,
        call.body,
        header(call.req, "If-Match"),
        merge,
        header(call.req, "X-Personium-Credential"),
    )
    .await?;
    Ok(odata::updated(&crate::domain::etag::weak(
        row.version,
        row.updated,
    )))
}

/// `DELETE {C}__ctl/{Set}({key})`
async fn delete(call: &Call<'_>, set: &'static SetDef, key: KeyValues) -> Result<HttpResponse> {
    ops::delete(
        call.state,
        call.cell,
        set,
        key,
        header(call.req, "If-Match"),
    )
    .await?;
    Ok(odata::no_content())
}

/// `GET {C}__ctl/{Set}({key})/{_Nav}`
async fn list_nav(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    let options = odata::query_options(call.req, call.state, false)?;
    let select = options.select.clone();
    let (target, page) = links::list_nav(call.state, call.cell, set, key, nav, options).await?;
    let entities = selected(call, target, &page.rows, select.as_deref());
    Ok(odata::nav_feed(&entities, page.count))
}

/// `POST {C}__ctl/{Set}({key})/{_Nav}`
async fn create_nav(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    let credential = header(call.req, "X-Personium-Credential");
    let (target, row) =
        links::create_nav(call.state, call.cell, set, key, nav, call.body, credential).await?;
    let e = entity(call, target, &row);
    odata::entity(call.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET {C}__ctl/{Set}({key})/$links/{_Nav}`
async fn list_links(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    let uris = links::list_links(call.state, call.cell, set, key, nav).await?;
    Ok(odata::links(&uris))
}

/// `POST {C}__ctl/{Set}({key})/$links/{_Nav}`
async fn create_link(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    links::create_link(call.state, call.cell, set, key, nav, call.body).await?;
    Ok(odata::no_content())
}
