//! The cell root `{C}` (`spec/personium-api.md` §4.2): GET (JSON and XML forms), PROPFIND
//! Depth 0, PROPPATCH, OPTIONS, ACL, and the recursive DELETE of §4.1.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::privilege::Privilege;
use crate::auth::AccessContext;
use crate::domain::access::CellAccess;
use crate::domain::cell_pages::{self, CellPage};
use crate::domain::cell_props::CellProps;
use crate::domain::{acl, cell_props, cells};
use crate::error::{codes, Error, Result};
use crate::http::extract::{header, state, Body};
use crate::http::middleware::ALLOWED_METHODS;
use crate::model::time::{http_date, iso8601};

/// `* {C}`: the cell root, dispatched on the method.
pub async fn dispatch(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    match req.method().as_str() {
        "GET" | "HEAD" => get(req, cell).await,
        "PROPFIND" => propfind(req, ctx, cell).await,
        "PROPPATCH" => proppatch(req, ctx, cell, body).await,
        "OPTIONS" => options(req, ctx, cell).await,
        "DELETE" => delete(req, ctx, cell).await,
        "ACL" => acl(req, ctx, cell, body).await,
        _ => Err(Error::new(&codes::PR405_MC_0001)),
    }
}

/// `GET {C}`: JSON with `Accept: application/json`, XML with `application/xml`; otherwise the
/// cell's relay page (`p:relayhtmlurl` or the Unit default).
async fn get(req: HttpRequest, cell: web::Path<String>) -> Result<HttpResponse> {
    let state = state(&req)?;
    let row = cells::find(state, &cell).await?;
    let url = state.cell_url(&row.name);
    let accept = header(&req, "Accept").unwrap_or("");
    if accept.contains("application/json") {
        let path_based = state.settings.unit.cell_url_mode == crate::config::CellUrlMode::Path;
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "cell": { "name": row.name, "url": url },
            "unit": { "url": state.unit_url.as_str(), "path_based_cellurl_enabled": path_based }
        })));
    }
    if accept.contains("application/xml") {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><cell xmlns=\"urn:x-personium:xmlns\">\
             <uuid>{}</uuid><ctl>{}__ctl/</ctl></cell>",
            xml_escape(&row.id),
            xml_escape(&url)
        );
        return Ok(HttpResponse::Ok()
            .content_type("application/xml")
            .body(body));
    }
    // Any other Accept: the relay page, with the upstream's status (412 when none is set).
    let props = CellProps::from_row(row.props.as_deref());
    let page = cell_pages::fetch(state, &url, &props, CellPage::Relay).await?;
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::BAD_GATEWAY);
    Ok(HttpResponse::build(status)
        .content_type("text/html")
        .body(page.html))
}

/// `PROPFIND {C}`: the cell as a collection, with `p:cellstatus` and, for callers with
/// `acl-read`, the cell ACL (Depth 0; 1 lists nothing more).
async fn propfind(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    match header(&req, "Depth").unwrap_or("0") {
        "0" | "1" => {}
        "infinity" => return Err(Error::new(&codes::PR403_DV_0001)),
        other => {
            return Err(Error::new(&codes::PR400_DV_0009)
                .param("Depth")
                .param(other))
        }
    }
    access.require(Privilege::Propfind)?;
    let row = cells::find(state, &cell).await?;
    let acl = if access.can_read_acl() {
        acl::render_cell_acl(state, &access).await?
    } else {
        String::new()
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <multistatus xmlns=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><response>\
         <href>{href}</href><propstat><prop>\
         <creationdate>{created}</creationdate>\
         <getlastmodified>{modified}</getlastmodified>\
         <resourcetype><collection/></resourcetype>\
         <p:cellstatus>{status}</p:cellstatus>{acl}{props}\
         </prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>",
        href = xml_escape(&access.url),
        created = iso8601(row.published),
        modified = http_date(row.updated),
        status = xml_escape(&row.status),
        props = cell_props::render(row.props.as_deref()),
    );
    Ok(HttpResponse::build(StatusCode::MULTI_STATUS)
        .content_type("application/xml;charset=utf-8")
        .body(body))
}

/// `PROPPATCH {C}`: sets and removes cell properties (unit user only); 207 multistatus.
async fn proppatch(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    let patched = cell_props::proppatch(state, &access, &body.0).await?;
    Ok(HttpResponse::build(StatusCode::MULTI_STATUS)
        .insert_header(("ETag", patched.etag))
        .content_type("application/xml")
        .body(patched.multistatus))
}

/// `OPTIONS {C}` with credentials (the anonymous form is answered by the middleware).
async fn options(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    access.require(Privilege::SocialRead)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Allow", ALLOWED_METHODS))
        .finish())
}

/// `ACL {C}`: replaces the cell ACL.
async fn acl(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    acl::set_cell_acl(state, &access, &body.0).await?;
    Ok(HttpResponse::Ok().finish())
}

/// `DELETE {C}` + `X-Personium-Recursive: true`: the cell and all it owns.
async fn delete(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    cells::delete_recursive(state, &ctx, &cell, header(&req, "X-Personium-Recursive")).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
