//! File handlers of the box tree (`spec/personium-api.md` §6, §2.1): PUT, GET/HEAD, DELETE.
//! Parse the headers, stream the body in or out, call `domain::dav::files`. Routed by
//! `dispatch`.

use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use futures_util::StreamExt;

use crate::domain::dav::files::{self, Get, Put, PutHeaders};
use crate::error::{codes, Error, Result};
use crate::http::extract::header;
use crate::model::time::http_date;
use crate::storage::ChunkStream;
use crate::webdav::owncloud;

use super::dav::Request;

/// `PUT {C}{box}/{path}`: creates (201) or replaces (204) a file, body streamed to the store;
/// `X-OC-MTime: accepted` when an `X-OC-Mtime` was kept.
pub async fn put(r: &Request<'_>, payload: actix_web::dev::Payload) -> Result<HttpResponse> {
    let content_length = match header(r.req, "Content-Length") {
        Some(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|e| Error::new(&codes::PR400_OD_0001).source(e))?,
        ),
        None => None,
    };
    let headers = PutHeaders {
        content_type: header(r.req, "Content-Type"),
        content_length,
        if_match: header(r.req, "If-Match"),
        if_none_match: header(r.req, "If-None-Match"),
        if_header: header(r.req, "If"),
        oc_mtime: header(r.req, owncloud::MTIME_HEADER),
        oc_checksum: header(r.req, owncloud::CHECKSUM_HEADER),
    };
    let body: ChunkStream<'_> = Box::pin(payload.map(|chunk| chunk.map_err(std::io::Error::other)));
    let (status, etag) = match files::put(r.state, r.cell, r.path, headers, body).await? {
        Put::Created(etag) => (StatusCode::CREATED, etag),
        Put::Replaced(etag) => (StatusCode::NO_CONTENT, etag),
    };
    let mut res = HttpResponse::build(status);
    res.insert_header(("ETag", etag));
    if headers.oc_mtime.is_some() {
        res.insert_header(owncloud::MTIME_ACCEPTED);
    }
    Ok(res.finish())
}

/// `GET {C}{box}/{file}` (and HEAD): the body streamed, one `Range` (206), or 304.
pub async fn get(r: &Request<'_>) -> Result<HttpResponse> {
    let got = files::get(
        r.state,
        r.cell,
        r.path,
        header(r.req, "If-None-Match"),
        header(r.req, "Range"),
    )
    .await?;
    let f = match got {
        Get::NotModified { etag } => {
            return Ok(HttpResponse::NotModified()
                .insert_header(("ETag", etag))
                .finish())
        }
        Get::Body(f) => f,
    };
    let mut res = match f.range {
        Some(_) => HttpResponse::PartialContent(),
        None => HttpResponse::Ok(),
    };
    res.insert_header(("ETag", f.etag))
        .insert_header(("Accept-Ranges", "bytes"))
        .insert_header(("Last-Modified", http_date(f.last_modified)));
    if !f.content_type.is_empty() {
        res.insert_header(("Content-Type", f.content_type));
    }
    let length = match f.range {
        Some(span) => {
            res.insert_header(("Content-Range", span.content_range(f.size)));
            span.length()
        }
        None => f.size,
    };
    Ok(res.body(SizedStream::new(length, f.body)))
}

/// `DELETE {C}{box}/{file}`: 204; the body goes after the row.
pub async fn delete(r: &Request<'_>) -> Result<HttpResponse> {
    files::delete(
        r.state,
        r.cell,
        r.path,
        header(r.req, "If-Match"),
        header(r.req, "If"),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
