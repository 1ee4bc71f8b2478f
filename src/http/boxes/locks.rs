//! `LOCK` and `UNLOCK` on box resources (beyond Personium; RFC 4918 §9.10-9.11): read the
//! headers, call `domain::dav::lock_ops`, answer with `Lock-Token` and the lock XML.

use actix_web::HttpResponse;

use crate::domain::dav::lock_ops::{self, LockHeaders};
use crate::error::Result;
use crate::http::extract::header;

use super::dav::Request;

/// `LOCK {C}{box}[/{path}]`: a new lock (200, or 201 on an unmapped URL) or a refresh.
pub async fn lock(r: &Request<'_>, body: &[u8]) -> Result<HttpResponse> {
    let h = LockHeaders {
        depth: header(r.req, "Depth"),
        timeout: header(r.req, "Timeout"),
        if_header: header(r.req, "If"),
    };
    let locked = lock_ops::lock(r.state, r.cell, r.path, body, h).await?;
    let mut b = if locked.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(
        b.insert_header(("Lock-Token", format!("<{}>", locked.token)))
            .content_type("application/xml; charset=utf-8")
            .body(locked.body),
    )
}

/// `UNLOCK {C}{box}[/{path}]`: removes the lock named by `Lock-Token`; 204.
pub async fn unlock(r: &Request<'_>) -> Result<HttpResponse> {
    lock_ops::unlock(r.state, r.cell, r.path, header(r.req, "Lock-Token")).await?;
    Ok(HttpResponse::NoContent().finish())
}
