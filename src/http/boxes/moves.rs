//! `MOVE` and `COPY` inside a box (`spec/personium-api.md` §6; COPY: RFC 4918 §9.8): read
//! the headers, call `domain::dav::{moves, copies}`, answer 201/204 with `Location` and `ETag`.

use actix_web::HttpResponse;

use crate::domain::dav::copies;
use crate::domain::dav::moves::{self, MoveHeaders, Moved};
use crate::error::Result;
use crate::http::extract::header;

use super::dav::Request;

fn headers<'a>(r: &'a Request<'_>) -> MoveHeaders<'a> {
    MoveHeaders {
        destination: header(r.req, "Destination"),
        overwrite: header(r.req, "Overwrite"),
        depth: header(r.req, "Depth"),
        if_match: header(r.req, "If-Match"),
        if_header: header(r.req, "If"),
    }
}

fn answer(m: Moved) -> HttpResponse {
    let mut b = if m.created {
        HttpResponse::Created()
    } else {
        HttpResponse::NoContent()
    };
    b.insert_header(("Location", m.location))
        .insert_header(("ETag", m.etag))
        .finish()
}

/// `MOVE {C}{box}/{path}`: renames or reparents a collection or node.
pub async fn move_node(r: &Request<'_>) -> Result<HttpResponse> {
    let moved = moves::move_node(r.state, r.cell, r.path, headers(r)).await?;
    Ok(answer(moved))
}

/// `MOVE {C}{box}/{service}/__src`: refused (`PR400-DV-0011`).
pub async fn move_below_service(r: &Request<'_>) -> Result<HttpResponse> {
    moves::move_below_service(r.cell, r.path)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `COPY {C}{box}/{path}`: copies a collection (Depth 0 or infinity) or a node.
pub async fn copy(r: &Request<'_>) -> Result<HttpResponse> {
    let copied = copies::copy(r.state, r.cell, r.path, headers(r)).await?;
    Ok(answer(copied))
}
