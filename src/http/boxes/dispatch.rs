//! THE box-level route table (`spec/personium-api.md` §6; DESIGN.md "Box-level paths are
//! dynamic"): `/{cell}/{box}[/{tail}]` is resolved against the box tree into a [`Target`], then
//! `(target, method)` picks the handler.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::AccessContext;
use crate::domain::dav::{self, access, NodeKind, Target};
use crate::domain::events;
use crate::error::{codes, Error, Result};
use crate::http::extract::{basic_credentials, client_ipv4, state, Body};

use super::dav as h;
use super::{files, locks, moves, odata_schema, props};

/// `* {C}{box}[/{path}]`: every request below a cell that no reserved path took.
pub async fn dispatch(
    req: HttpRequest,
    ctx: AccessContext,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    // A file PUT streams its body to the blob store; every other body is small and read whole.
    let (body, payload) = match req.method().as_str() {
        "PUT" => (Body(web::Bytes::new()), Some(payload.into_inner())),
        _ => (Body::read(&req, payload.into_inner()).await?, None),
    };
    let info = req.match_info();
    // The cell scope's default service: what it has not consumed is "/{box}[/{tail}]".
    let rest = info.unprocessed().strip_prefix('/').unwrap_or_default();
    let (bx, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if bx.is_empty() {
        return Err(Error::new(&codes::PR404_MC_0001));
    }
    let cell = info.query("cell");
    let cell = access::resolve(
        state,
        &ctx,
        cell,
        basic_credentials(&req),
        client_ipv4(&req),
    )
    .await?;
    let path = dav::tree::resolve(state, &cell, bx, tail).await?;
    let r = h::Request {
        req: &req,
        state,
        cell: &cell,
        path: &path,
    };
    use NodeKind::{Col, File, OData, Service, Stream};
    let method = req.method().as_str();
    let result = match (path.target(), method) {
        (Target::Box, "GET" | "HEAD") => h::box_metadata(&r).await,
        (Target::Box, "MKCOL") => h::box_mkcol(&r).await,
        (Target::Box, "MOVE") => h::box_move(&r).await,
        (Target::Box | Target::Node(Col | File | OData | Service | Stream), "PROPFIND") => {
            h::propfind(&r, &body.0).await
        }
        (Target::Box | Target::Node(Col | File | OData | Service | Stream), "ACL") => {
            h::acl(&r, &body.0).await
        }
        (Target::Box | Target::Node(Col | File | OData | Service | Stream), "OPTIONS") => {
            h::options(&r).await
        }
        (Target::Node(Col | OData | Service | Stream), "DELETE") => h::delete(&r).await,
        (Target::Node(Col), "GET" | "HEAD") => h::get_collection(&r).await,
        (Target::Node(_), "MKCOL") => h::mkcol_existing(&r).await,
        (Target::Box | Target::Node(_) | Target::Missing { .. }, "LOCK") => {
            locks::lock(&r, &body.0).await
        }
        (Target::Box | Target::Node(_) | Target::Missing { .. }, "UNLOCK") => {
            locks::unlock(&r).await
        }
        (Target::Missing { .. }, "MKCOL") => h::mkcol(&r, &body.0).await,
        (Target::Missing { .. }, "OPTIONS") => h::options(&r).await,
        (Target::Missing { .. } | Target::Node(File), "PUT") => {
            files::put(&r, payload.unwrap_or(actix_web::dev::Payload::None)).await
        }
        (Target::Node(File), "GET" | "HEAD") => files::get(&r).await,
        (Target::Node(File), "DELETE") => files::delete(&r).await,
        (Target::Missing { .. }, method) => h::missing(&r, method).await,
        (_, "REPORT") => h::not_implemented(),
        (Target::Box | Target::Node(_), "PROPPATCH") => props::proppatch(&r, &body.0).await,
        (Target::Node(_), "MOVE") => moves::move_node(&r).await,
        (Target::Node(_), "COPY") => moves::copy(&r).await,
        (Target::Below(Service), "MOVE") => moves::move_below_service(&r).await,
        (Target::Node(OData), "GET") => odata_schema::service_document(&r).await,
        (Target::Below(OData), _) => {
            // A PUT body was left unread for the file handler; the schema service reads it.
            let body = match payload {
                Some(p) if method == "PUT" => Body::read(&req, p).await?,
                _ => body,
            };
            odata_schema::dispatch(&r, &body.0).await
        }
        // Files, OData data, Engine and stream collections: the next steps.
        (Target::Node(File | OData | Service | Stream) | Target::Below(_), _) => {
            h::not_implemented()
        }
        (Target::Box, "DELETE") => h::not_implemented(),
        _ => h::method_not_allowed(),
    };
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.status(),
    };
    events::record_box_request(state, &cell, &path, method, status.as_u16());
    result
}
