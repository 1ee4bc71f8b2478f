//! User data of OData service collections (`spec/personium-api.md` §8.2): `{col}/{EntityType}`
//! and `{col}/{EntityType}('{id}')`, dispatched on (resource path, method) to one handler per
//! operation; `$batch` is in `odata_batch`.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::dav::Request;
use crate::domain::etag;
use crate::domain::odata_data::{key_id, links, ops};
use crate::domain::odata_schema::Collection;
use crate::error::{codes, Error, Result};
use crate::http::extract::header;
use crate::http::odata;
use crate::http::unit::uri_error;
use crate::odata::uri::{self, Key, ResourcePath};

/// (EntityType, `__id`, navigation property) of a link or navigation request.
type At<'a> = (&'a str, &'a str, &'a str);

/// `* {col}/{path}` outside `$metadata`.
pub async fn dispatch(
    r: &Request<'_>,
    col: Collection<'_>,
    tail: &str,
    body: &[u8],
) -> Result<HttpResponse> {
    let path = uri::parse_resource_path(tail).map_err(uri_error)?;
    let call = Call { r, col, body };
    match (path, r.req.method().as_str()) {
        (ResourcePath::EntitySet { set }, "GET") => list(&call, &set).await,
        (ResourcePath::EntitySet { set }, "POST") => create(&call, &set).await,
        (ResourcePath::Count { set }, "GET") => count(&call, &set).await,
        (ResourcePath::Entity { set, key }, m) => {
            let id = key_id(&key)?;
            match m {
                "GET" => retrieve(&call, &set, &id).await,
                "PUT" => update(&call, &set, &id, false).await,
                "MERGE" => update(&call, &set, &id, true).await,
                "DELETE" => delete(&call, &set, &id).await,
                _ => Err(odata::method_not_allowed()),
            }
        }
        (ResourcePath::NavProp { set, key, nav }, m) => {
            let id = key_id(&key)?;
            let at = (set.as_str(), id.as_str(), nav.as_str());
            match m {
                "GET" => list_nav(&call, at).await,
                "POST" => create_nav(&call, at).await,
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
            let id = key_id(&key)?;
            links_request(&call, (&set, &id, &nav), target, m).await
        }
        (ResourcePath::Batch, "POST") => super::odata_batch::batch(r, col, body).await,
        _ => Err(odata::method_not_allowed()),
    }
}

struct Call<'a> {
    r: &'a Request<'a>,
    col: Collection<'a>,
    body: &'a [u8],
}

/// `GET {col}/{Type}`
async fn list(call: &Call<'_>, type_name: &str) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, false)?;
    let select = options.select.clone();
    let (mut entities, count) = ops::list(call.r.state, call.col, type_name, options).await?;
    for e in &mut entities {
        e.select(select.as_deref());
    }
    let feed_uri = format!("{}/{type_name}", call.col.url());
    odata::feed(call.r.req, type_name, &feed_uri, &entities, count)
}

/// `GET {col}/{Type}/$count`: how many entities match `$filter`, as plain text.
async fn count(call: &Call<'_>, type_name: &str) -> Result<HttpResponse> {
    let mut options = odata::query_options(call.r.req, call.r.state, false)?;
    options.top = 0;
    options.inlinecount = true;
    let (_, count) = ops::list(call.r.state, call.col, type_name, options).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("DataServiceVersion", "2.0"))
        .content_type("text/plain;charset=utf-8")
        .body(count.unwrap_or(0).to_string()))
}

/// `POST {col}/{Type}`
async fn create(call: &Call<'_>, type_name: &str) -> Result<HttpResponse> {
    let e = ops::create(call.r.state, call.col, type_name, call.body).await?;
    odata::entity(call.r.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET {col}/{Type}('{id}')`, 304 when `If-None-Match` names its ETag.
async fn retrieve(call: &Call<'_>, type_name: &str, id: &str) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, true)?;
    let expand = options.expand.clone();
    let mut e = ops::get(call.r.state, call.col, type_name, id, expand).await?;
    if header(call.r.req, "If-None-Match").is_some_and(|tags| etag::matches_any(tags, &e.etag)) {
        return Ok(HttpResponse::NotModified()
            .insert_header(("ETag", e.etag.as_str()))
            .finish());
    }
    e.select(options.select.as_deref());
    odata::entity(call.r.req, StatusCode::OK, &e, None)
}

/// `PUT` / `MERGE {col}/{Type}('{id}')`
async fn update(call: &Call<'_>, type_name: &str, id: &str, merge: bool) -> Result<HttpResponse> {
    let if_match = header(call.r.req, "If-Match");
    let (state, col, body) = (call.r.state, call.col, call.body);
    let etag = ops::update(state, col, type_name, id, body, if_match, merge).await?;
    Ok(odata::updated(&etag))
}

/// `DELETE {col}/{Type}('{id}')`
async fn delete(call: &Call<'_>, type_name: &str, id: &str) -> Result<HttpResponse> {
    let if_match = header(call.r.req, "If-Match");
    ops::delete(call.r.state, call.col, type_name, id, if_match).await?;
    Ok(odata::no_content())
}

/// `GET {col}/{Type}('{id}')/{_Nav}`. COMPAT(personium): always JSON.
async fn list_nav(call: &Call<'_>, at: At<'_>) -> Result<HttpResponse> {
    let options = odata::query_options(call.r.req, call.r.state, false)?;
    let select = options.select.clone();
    let (mut entities, count) = links::list_nav(call.r.state, call.col, at, options).await?;
    for e in &mut entities {
        e.select(select.as_deref());
    }
    Ok(odata::nav_feed(&entities, count))
}

/// `POST {col}/{Type}('{id}')/{_Nav}`
async fn create_nav(call: &Call<'_>, at: At<'_>) -> Result<HttpResponse> {
    let e = links::create_nav(call.r.state, call.col, at, call.body).await?;
    odata::entity(call.r.req, StatusCode::CREATED, &e, Some(&e.uri))
}

/// `GET | POST | DELETE {col}/{Type}('{id}')/$links/{_Nav}[('{target}')]`
async fn links_request(
    call: &Call<'_>,
    at: At<'_>,
    target: Option<Key>,
    method: &str,
) -> Result<HttpResponse> {
    let (state, col) = (call.r.state, call.col);
    match (method, target) {
        ("GET", None) => {
            let options = odata::query_options(call.r.req, state, false)?;
            let page = (options.top, options.skip);
            Ok(odata::links(
                &links::list_links(state, col, at, page).await?,
            ))
        }
        ("POST", None) => {
            links::create_link(state, col, at, call.body).await?;
            Ok(odata::no_content())
        }
        ("POST", Some(_)) => Err(Error::new(&codes::PR400_OD_0010)),
        ("DELETE", Some(t)) => {
            links::delete_link(state, col, at, &t).await?;
            Ok(odata::no_content())
        }
        ("DELETE", None) => Err(Error::new(&codes::PR400_OD_0011)),
        // COMPAT(personium): PUT on $links is not implemented there either.
        ("PUT", _) => Err(Error::new(&codes::PR501_MC_0001)),
        _ => Err(odata::method_not_allowed()),
    }
}
