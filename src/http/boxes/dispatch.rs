//! THE box-level route table (`spec/personium-api.md` §6; DESIGN.md "Box-level paths are
//! dynamic"): `/{cell}/{box}[/{tail}]` is resolved against the box tree into a [`Target`], then
//! `(target, method)` picks the handler.

use actix_web::{HttpRequest, HttpResponse};

use crate::auth::AccessContext;
use crate::domain::dav::{self, access, NodeKind, Target};
use crate::error::Result;
use crate::http::extract::{basic_credentials, client_ipv4, state, Body};

use super::dav as h;
use super::{locks, moves, props};

/// `* {C}{box}[/{path}]`: every request below a cell that no reserved path took.
pub async fn dispatch(req: HttpRequest, ctx: AccessContext, body: Body) -> Result<HttpResponse> {
    let state = state(&req)?;
    let info = req.match_info();
    let (cell, bx) = (info.query("cell"), info.query("box"));
    let tail = info.get("tail").unwrap_or("");
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
    use NodeKind::{Col, OData, Service, Stream};
    match (path.target(), req.method().as_str()) {
        (Target::Box, "GET" | "HEAD") => h::box_metadata(&r).await,
        (Target::Box, "MKCOL") => h::box_mkcol(&r).await,
        (Target::Box, "MOVE") => h::box_move(&r).await,
        (Target::Box | Target::Node(Col | OData | Service | Stream), "PROPFIND") => {
            h::propfind(&r, &body.0).await
        }
        (Target::Box | Target::Node(Col | OData | Service | Stream), "ACL") => {
            h::acl(&r, &body.0).await
        }
        (Target::Box | Target::Node(Col | OData | Service | Stream), "OPTIONS") => {
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
        (Target::Missing { .. }, "PUT") => h::not_yet(&r).await,
        (Target::Missing { .. }, method) => h::missing(&r, method).await,
        (_, "REPORT") => h::not_implemented(),
        (Target::Box | Target::Node(_), "PROPPATCH") => props::proppatch(&r, &body.0).await,
        (Target::Node(_), "MOVE") => moves::move_node(&r).await,
        (Target::Node(_), "COPY") => moves::copy(&r).await,
        (Target::Below(Service), "MOVE") => moves::move_below_service(&r).await,
        // Files, OData, Engine and stream collections: the next steps.
        (Target::Node(NodeKind::File | OData | Service | Stream) | Target::Below(_), _) => {
            h::not_implemented()
        }
        (Target::Box, "DELETE") => h::not_implemented(),
        _ => h::method_not_allowed(),
    }
}
