//! OData responses over HTTP (`spec/personium-api.md` §2.4): content negotiation (`$format`,
//! then `Accept`, Atom when neither; JSON for creates), entity/feed/links bodies in JSON v2 or
//! Atom, EDMX, the service document, and query options from the URL.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::error::{codes, Error, Result};
use crate::http::extract::header;
use crate::odata::entity::Entity;
use crate::odata::negotiate::{self, ResponseFormat};
use crate::odata::query::{self, QueryLimits, QueryOptions};
use crate::odata::{atom, json, metadata, schema::SchemaDef, service};
use crate::state::AppState;

const JSON: &str = "application/json";
const ATOM_ENTRY: &str = "application/atom+xml;type=entry;charset=utf-8";
const ATOM_FEED: &str = "application/atom+xml;type=feed;charset=utf-8";
const XML: &str = "application/xml;charset=utf-8";

/// The raw, percent-decoded `$format` query value.
fn format_param(req: &HttpRequest) -> Option<String> {
    req.query_string().split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_encoding::percent_decode_str(k).decode_utf8_lossy();
        (k == "$format").then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// The response format of this request.
pub fn response_format(req: &HttpRequest, is_create: bool) -> Result<ResponseFormat> {
    let format = format_param(req);
    negotiate::negotiate(format.as_deref(), header(req, "Accept"), is_create).map_err(Error::from)
}

/// The query options of a list (`single = false`) or single-entity request.
pub fn query_options(req: &HttpRequest, state: &AppState, single: bool) -> Result<QueryOptions> {
    let o = &state.settings.odata;
    let limits = QueryLimits {
        top_default: o.top_default,
        top_max: o.top_max,
        skip_max: o.skip_max,
        ..QueryLimits::default()
    };
    query::parse_query(req.query_string(), single, &limits).map_err(Error::from)
}

fn builder(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header(("DataServiceVersion", "2.0"));
    b
}

/// One entity (GET 200, POST 201 with `Location`), with its ETag.
pub fn entity(
    req: &HttpRequest,
    status: StatusCode,
    e: &Entity,
    location: Option<&str>,
) -> Result<HttpResponse> {
    let format = response_format(req, status == StatusCode::CREATED)?;
    let mut b = builder(status);
    b.insert_header(("ETag", e.etag.as_str()));
    if let Some(loc) = location {
        b.insert_header(("Location", loc));
    }
    Ok(match format {
        ResponseFormat::Json => b.content_type(JSON).body(json::entity(e)),
        ResponseFormat::Atom => b.content_type(ATOM_ENTRY).body(atom::entry(e)),
    })
}

/// A feed (list) with an optional `__count`.
pub fn feed(
    req: &HttpRequest,
    title: &str,
    feed_uri: &str,
    entities: &[Entity],
    count: Option<i64>,
) -> Result<HttpResponse> {
    let count = count.map(|c| u64::try_from(c).unwrap_or(0));
    Ok(match response_format(req, false)? {
        ResponseFormat::Json => builder(StatusCode::OK)
            .content_type(JSON)
            .body(json::feed(entities, count, None)),
        ResponseFormat::Atom => builder(StatusCode::OK)
            .content_type(ATOM_FEED)
            .body(atom::feed(title, feed_uri, entities, count)),
    })
}

/// A `$links` list. COMPAT(personium): always JSON, whatever `$format` or `Accept` say.
pub fn links(uris: &[String]) -> HttpResponse {
    builder(StatusCode::OK)
        .content_type(JSON)
        .body(json::links(uris))
}

/// A navigation-property list. COMPAT(personium): always JSON.
pub fn nav_feed(entities: &[Entity], count: Option<i64>) -> HttpResponse {
    let count = count.map(|c| u64::try_from(c).unwrap_or(0));
    builder(StatusCode::OK)
        .content_type(JSON)
        .body(json::feed(entities, count, None))
}

/// `$metadata` (EDMX).
pub fn edmx(schema: &SchemaDef) -> HttpResponse {
    builder(StatusCode::OK)
        .content_type(XML)
        .body(metadata::edmx(schema))
}

/// The AtomPub service document of a service root.
pub fn service_document(base_uri: &str, sets: &[&str]) -> HttpResponse {
    builder(StatusCode::OK)
        .content_type("application/atomsvc+xml;charset=utf-8")
        .body(service::service_document(base_uri, sets))
}

/// 204 with the new ETag (PUT/MERGE).
pub fn updated(etag: &str) -> HttpResponse {
    builder(StatusCode::NO_CONTENT)
        .insert_header(("ETag", etag))
        .finish()
}

/// 204 (DELETE, link create/delete).
pub fn no_content() -> HttpResponse {
    builder(StatusCode::NO_CONTENT).finish()
}

/// `PR405-MC-0001`.
pub fn method_not_allowed() -> Error {
    Error::new(&codes::PR405_MC_0001)
}
