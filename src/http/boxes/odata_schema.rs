//! OData service collections (`spec/personium-api.md` §8.1, §8.2): the service document at
//! `{col}/`, the `UserData` EDMX at `{col}/$metadata`, and the schema service under
//! `{col}/$metadata/` (`$metadata`, the five sets, navigation properties, `$links`),
//! dispatched on (resource path, method) to one handler per operation. User data
//! (`{col}/{EntityType}`) goes on to `odata_data`.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::dav::Request;
use crate::auth::privilege::Privilege;
use crate::db::ctl::{CtlRow, Scope};
use crate::domain::ctl::keys::{self, KeyValues};
use crate::domain::odata_schema::{links, ops, sets, Collection, SetDef};
use crate::error::{codes, Error, Result};
use crate::http::extract::header;
use crate::http::odata;
use crate::http::unit::uri_error;
use crate::odata::entity::Entity;
use crate::odata::metadata;
use crate::odata::svc_schema;
use crate::odata::uri::{self, ResourcePath};

const METADATA: &str = "$metadata";

fn collection<'a>(r: &'a Request<'a>) -> Collection<'a> {
    Collection {
        cell: r.cell,
        path: r.path,
    }
}

/// The still percent-encoded path below the collection, e.g. `$metadata/EntityType('T')`.
fn below(r: &Request<'_>) -> String {
    let raw: Vec<&str> = r
        .req
        .uri()
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let n = r.path.unresolved().min(raw.len());
    raw[raw.len() - n..].join("/")
}

fn set_of(name: &str) -> Result<&'static SetDef> {
    sets::set(name).ok_or_else(|| Error::new(&codes::PR404_OD_0001))
}

/// `GET {col}/`: the AtomPub service document listing the entity sets of user data.
pub async fn service_document(r: &Request<'_>) -> Result<HttpResponse> {
    let col = collection(r);
    col.require(Privilege::Read)?;
    let stored = load(r, col).await?;
    let (schema, _) = svc_schema::user_data(&stored);
    let names: Vec<&str> = schema.entity_sets.iter().map(|(s, _)| s.as_str()).collect();
    Ok(odata::service_document(&format!("{}/", col.url()), &names))
}

async fn load(r: &Request<'_>, col: Collection<'_>) -> Result<svc_schema::StoredSchema> {
    let node_id = col.node_id();
    r.state.db.run(move |conn| ops::load(conn, &node_id)).await
}

/// `* {col}/{path}`: the schema service below `$metadata`; user data is 501 for now.
pub async fn dispatch(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let tail = below(r);
    let method = r.req.method().as_str();
    let col = collection(r);
    let rest = match tail.split_once('/') {
        Some((METADATA, rest)) => rest,
        None if tail == METADATA => "",
        _ => return super::odata_data::dispatch(r, col, &tail, body).await,
    };
    if rest.is_empty() {
        return match method {
            "GET" => user_metadata(r, col).await,
            _ => Err(odata::method_not_allowed()),
        };
    }
    let path = uri::parse_resource_path(rest).map_err(uri_error)?;
    let call = Call { r, col, body };
    match (path, method) {
        (ResourcePath::Metadata, "GET") => {
            col.require(Privilege::Read)?;
            let (schema, extras) = svc_schema::svc_schema();
            Ok(edmx(metadata::edmx_with(schema, extras)))
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
            links_request(&call, set, key, &nav, target, m).await
        }
        // COMPAT(personium): the schema service takes no `$batch`.
        (ResourcePath::Batch, _) => Err(Error::new(&codes::PR501_MC_0001)),
        _ => Err(odata::method_not_allowed()),
    }
}

struct Call<'a> {
    r: &'a Request<'a>,
    col: Collection<'a>,
    body: &'a [u8],
}

fn edmx(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("DataServiceVersion", "2.0"))
        .content_type("application/xml;charset=utf-8")
        .body(body)
}

/// `GET {col}/$metadata`: the EDMX of user data, or with `$format=atomsvc` / `Accept:
/// application/atomsvc+xml` the service document of the schema service.
async fn user_metadata(r: &Request<'_>, col: Collection<'_>) -> Result<HttpResponse> {
    col.require(Privilege::Read)?;
    let atomsvc = r
        .req
        .query_string()
        .split('&')
        .any(|p| p == "$format=atomsvc")
        || header(r.req, "Accept").is_some_and(|a| a.contains("application/atomsvc+xml"));
    if atomsvc {
        let (schema, _) = svc_schema::svc_schema();
        let names: Vec<&str> = schema.entity_sets.iter().map(|(s, _)| s.as_str()).collect();
        return Ok(odata::service_document(&col.schema_root(), &names));
    }
    let stored = load(r, col).await?;
    let (schema, extras) = svc_schema::user_data(&stored);
    Ok(edmx(metadata::edmx_with(&schema, &extras)))
}

fn entities(
    call: &Call<'_>,
    set: &SetDef,
    rows: &[CtlRow],
    select: Option<&[String]>,
) -> Vec<Entity> {
    rows.iter()
        .map(|row| {
            let mut e = ops::entity(call.col, set, row);
            e.select(select);
            e
        })
        .collect()
}

/// `GET {col}/$metadata/{Set}`
async fn list(call: &Call<'_>, set: &'static SetDef) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, false)?;
    let select = options.select.clone();
    let page = ops::list(call.r.state, call.col, set, Scope::Cell, options).await?;
    let list = entities(call, set, &page.rows, select.as_deref());
    let feed_uri = format!("{}{}", call.col.schema_root(), set.name);
    odata::feed(call.r.req, set.name, &feed_uri, &list, page.count)
}

/// `POST {col}/$metadata/{Set}`
async fn create(call: &Call<'_>, set: &'static SetDef) -> Result<HttpResponse> {
    let row = ops::create(call.r.state, call.col, set, call.body).await?;
    let e = ops::entity(call.col, set, &row);
    odata::entity(call.r.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET {col}/$metadata/{Set}({key})`
async fn retrieve(call: &Call<'_>, set: &'static SetDef, key: KeyValues) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, true)?;
    let row = ops::get(call.r.state, call.col, set, key).await?;
    let mut e = ops::entity(call.col, set, &row);
    e.select(options.select.as_deref());
    odata::entity(call.r.req, StatusCode::OK, &e, None)
}

/// `PUT` / `MERGE {col}/$metadata/{Set}({key})`
async fn update(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    merge: bool,
) -> Result<HttpResponse> {
    let if_match = header(call.r.req, "If-Match");
    let row = ops::update(call.r.state, call.col, set, key, call.body, if_match, merge).await?;
    Ok(odata::updated(&crate::domain::etag::weak(
        row.version,
        row.updated,
    )))
}

/// `DELETE {col}/$metadata/{Set}({key})`
async fn delete(call: &Call<'_>, set: &'static SetDef, key: KeyValues) -> Result<HttpResponse> {
    let if_match = header(call.r.req, "If-Match");
    ops::delete(call.r.state, call.col, set, key, if_match).await?;
    Ok(odata::no_content())
}

/// `GET {col}/$metadata/{Set}({key})/{_Nav}`
async fn list_nav(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, false)?;
    let select = options.select.clone();
    let (target, page) = links::list_nav(call.r.state, call.col, set, key, nav, options).await?;
    Ok(odata::nav_feed(
        &entities(call, target, &page.rows, select.as_deref()),
        page.count,
    ))
}

/// `POST {col}/$metadata/{Set}({key})/{_Nav}`
async fn create_nav(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
) -> Result<HttpResponse> {
    let (target, row) = links::create_nav(call.r.state, call.col, set, key, nav, call.body).await?;
    let e = ops::entity(call.col, target, &row);
    odata::entity(call.r.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET | POST | DELETE {col}/$metadata/{Set}({key})/$links/{_Nav}[({key})]`
async fn links_request(
    call: &Call<'_>,
    set: &'static SetDef,
    key: KeyValues,
    nav: &str,
    target: Option<uri::Key>,
    method: &str,
) -> Result<HttpResponse> {
    let (state, col) = (call.r.state, call.col);
    match (method, target) {
        ("GET", None) => Ok(odata::links(
            &links::list_links(state, col, set, key, nav).await?,
        )),
        ("POST", None) => {
            links::create_link(state, col, set, key, nav, call.body).await?;
            Ok(odata::no_content())
        }
        ("POST", Some(_)) => Err(Error::new(&codes::PR400_OD_0010)),
        ("DELETE", Some(t)) => {
            links::delete_link(state, col, set, key, nav, &t).await?;
            Ok(odata::no_content())
        }
        ("DELETE", None) => Err(Error::new(&codes::PR400_OD_0011)),
        // COMPAT(personium): PUT on $links is not implemented there either.
        ("PUT", _) => Err(Error::new(&codes::PR501_MC_0001)),
        _ => Err(odata::method_not_allowed()),
    }
}
