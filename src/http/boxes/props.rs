//! `PROPPATCH` on the box and its resources (`spec/personium-api.md` §6): parse, call
//! `domain::dav::props`, render the 207.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::domain::dav::props;
use crate::error::Result;
use crate::http::extract::header;

use super::dav::Request;

/// `PROPPATCH {C}{box}[/{path}]`: sets and removes dead properties; 207 multistatus.
pub async fn proppatch(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let patched = props::proppatch(r.state, r.cell, r.path, body, header(r.req, "If")).await?;
    Ok(HttpResponse::build(StatusCode::MULTI_STATUS)
        .insert_header(("ETag", patched.etag))
        .content_type("application/xml")
        .body(patched.multistatus))
}
