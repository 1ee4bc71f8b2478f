//! WebDAV handlers for the box and its collections (`spec/personium-api.md` §6, §7.2): parse
//! the request, call `domain::dav`, render. The route table is `dispatch`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::privilege::Privilege;
use crate::domain::access::CellAccess;
use crate::domain::dav::path::{self, On};
use crate::domain::dav::{ops, propfind as pf, DavPath, Target, MAIN_BOX};
use crate::error::{codes, Error, Result};
use crate::http::cell::root::xml_escape;
use crate::http::extract::header;
use crate::http::middleware::DAV_CLASSES;
use crate::model::time::iso8601;
use crate::state::AppState;

/// What every box-level handler gets.
pub struct Request<'a> {
    pub req: &'a HttpRequest,
    pub state: &'a AppState,
    pub cell: &'a CellAccess,
    pub path: &'a DavPath,
}

/// `GET {C}{box}`: the box metadata (privilege `read`).
pub async fn box_metadata(r: &Request<'_>) -> Result<HttpResponse> {
    r.path.require(r.cell, Privilege::Read, On::Resource)?;
    let bx = &r.path.bx;
    let path_based = r.state.settings.unit.cell_url_mode == crate::config::CellUrlMode::Path;
    // COMPAT(personium): without an install in progress the status is `ready`, and
    // `installed_at` is the box's creation time.
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "box": {
            "name": bx.name,
            "url": format!("{}/", r.path.box_url()),
            "status": "ready",
            "schema": bx.schema,
            "installed_at": iso8601(bx.published),
        },
        "cell": { "name": r.cell.name, "url": r.cell.url },
        "unit": { "url": r.state.unit_url.as_str(), "path_based_cellurl_enabled": path_based },
    })))
}

/// `MKCOL {C}{box}` on an existing box: a bar install onto a registered box.
pub async fn box_mkcol(r: &Request<'_>) -> Result<HttpResponse> {
    if r.path.bx.name == MAIN_BOX {
        return Err(Error::new(&codes::PR405_MC_0001));
    }
    r.cell.require(Privilege::BoxInstall)?;
    Err(Error::new(&codes::PR405_BI_0001).param(&r.path.bx.name))
}

/// `MOVE {C}{box}`: boxes cannot be moved (privilege `write` checked first).
pub async fn box_move(r: &Request<'_>) -> Result<HttpResponse> {
    r.path.require(r.cell, Privilege::Write, On::Resource)?;
    Err(Error::new(&codes::PR400_DV_0015))
}

/// `PROPFIND {C}{box}[/{collection}]`: Depth 0 or 1.
pub async fn propfind(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let ms = pf::propfind(r.state, r.cell, r.path, header(r.req, "Depth"), body).await?;
    Ok(HttpResponse::build(StatusCode::MULTI_STATUS)
        .insert_header(("ETag", ms.etag))
        .content_type("application/xml")
        .body(ms.body))
}

/// `ACL {C}{box}[/{collection}]`: replaces the resource's ACL.
pub async fn acl(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let etag = ops::set_acl(r.state, r.cell, r.path, body).await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag)).finish())
}

/// `OPTIONS {C}{box}[/{path}]` with credentials (privilege `read`): the resource's methods and
/// the WebDAV compliance classes (RFC 4918 §10.1, §18).
pub async fn options(r: &Request<'_>) -> Result<HttpResponse> {
    r.path.require(r.cell, Privilege::Read, On::Resource)?;
    // COMPAT(personium): Personium's lists, plus the methods served beyond it (COPY, LOCK,
    // UNLOCK), so WebDAV clients see what they may use.
    let allowed = match r.path.target() {
        Target::Box | Target::Missing { .. } => {
            "OPTIONS, GET, PUT, DELETE, MKCOL, PROPFIND, PROPPATCH, ACL, LOCK, UNLOCK"
        }
        _ => "OPTIONS, GET, PUT, DELETE, MKCOL, MOVE, PROPFIND, PROPPATCH, ACL, COPY, LOCK, UNLOCK",
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Allow", allowed))
        .insert_header(("Access-Control-Allow-Methods", allowed))
        .insert_header(("DAV", DAV_CLASSES))
        .insert_header(("MS-Author-Via", "DAV"))
        .finish())
}

/// `DELETE {C}{box}/{collection}`: an empty collection, or with `X-Personium-Recursive: true`
/// the whole subtree.
pub async fn delete(r: &Request<'_>) -> Result<HttpResponse> {
    let recursive = header(r.req, "X-Personium-Recursive");
    ops::delete(r.state, r.cell, r.path, recursive, header(r.req, "If")).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET {C}{box}/{collection}`: no listing (PROPFIND lists), only the URL.
pub async fn get_collection(r: &Request<'_>) -> Result<HttpResponse> {
    r.path.require(r.cell, Privilege::Read, On::Resource)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain")
        .body(format!("URL : {}\n", r.path.url())))
}

/// `MKCOL {C}{box}/{path}` where something exists already: 405 after the `bind` check.
pub async fn mkcol_existing(r: &Request<'_>) -> Result<HttpResponse> {
    r.path.require(r.cell, Privilege::Bind, On::Parent)?;
    Err(Error::new(&codes::PR405_DV_0001))
}

/// `MKCOL {C}{box}/{path}`: a new collection (extended MKCOL picks its kind).
pub async fn mkcol(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let content_type = header(r.req, "Content-Type");
    match ops::mkcol(
        r.state,
        r.cell,
        r.path,
        body,
        content_type,
        header(r.req, "If"),
    )
    .await?
    {
        ops::Mkcol::Created(etag) => Ok(HttpResponse::Created()
            .insert_header(("ETag", etag))
            .finish()),
        ops::Mkcol::Refused(message) => Ok(HttpResponse::Forbidden()
            .content_type("application/xml")
            .body(mkcol_refused(message))),
    }
}

/// The RFC 5689 `mkcol-response` of a refused extended MKCOL.
fn mkcol_refused(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <mkcol-response xmlns=\"DAV:\"><propstat><prop/>\
         <status>HTTP/1.1 403 Forbidden</status><error><valid-resourcetype/></error>\
         <responsedescription>{}</responsedescription></propstat></mkcol-response>",
        xml_escape(message)
    )
}

/// `* {C}{box}/{path}` where nothing exists: the method's privilege is checked on what exists
/// above, then 404 (Personium's `NullResource`).
pub async fn missing(r: &Request<'_>, method: &str) -> Result<HttpResponse> {
    let Some((privilege, on)) = path::required(method, false) else {
        return method_not_allowed();
    };
    let parent_exists = matches!(
        r.path.target(),
        Target::Missing {
            parent_exists: true
        }
    );
    // COMPAT(personium): checks on the parent are skipped when the parent is missing too.
    if on == On::Resource || parent_exists {
        r.path.require(r.cell, privilege, on)?;
    }
    Err(Error::new(&codes::PR404_DV_0001).param(r.path.url()))
}

/// `PR501-MC-0001`: what this Unit does not serve yet.
pub fn not_implemented() -> Result<HttpResponse> {
    Err(Error::new(&codes::PR501_MC_0001))
}

/// `PR405-MC-0001`.
pub fn method_not_allowed() -> Result<HttpResponse> {
    Err(Error::new(&codes::PR405_MC_0001))
}
