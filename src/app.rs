//! THE route table and middleware stack (`spec/personium-api.md` §1), shared by `main` and the
//! tests so both run the identical application.
//!
//! Fixed paths get ordinary routes; each route with several methods dispatches on the method in
//! its handler, so WebDAV and OData verbs (PROPFIND, MERGE, ...) need no custom guards.
//!
//! No route is a pattern: the router's dynamic patterns run a regex engine per route tried,
//! which cost more than the rest of routing together. The request middleware takes the cell
//! name off a cell path (`middleware::enter_cell`) and the cell's routes below are static
//! paths or static prefixes (`scope`); the boxes are the cell scope's default service.

use actix_web::middleware::from_fn;
use actix_web::{guard, web, HttpResponse};

use crate::error::{codes, Error};
use crate::http::{boxes, cell, middleware, unit};
pub use crate::state::AppState;

/// Registers the state, the middleware and every route.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state)).service(
            web::scope("")
                .wrap(from_fn(middleware::stack))
                .service(cell_scope())
                .route("/", web::get().to(unit::metadata))
                .route("/__status", web::get().to(unit::status))
                .service(web::scope("/__ctl").default_service(web::to(unit::ctl)))
                .default_service(web::to(not_found)),
        );
    }
}

/// Everything under `/{cell}`, the cell name already taken off the path by the middleware
/// (which makes it the `cell` path parameter).
fn cell_scope() -> actix_web::Scope {
    web::scope("")
        .guard(guard::fn_guard(|ctx| {
            ctx.req_data().contains::<middleware::CellPath>()
        }))
        .route("/__token", web::post().to(cell::token::token))
        .route("/__authz", web::route().to(cell::authz::authz))
        .route("/__html/error", web::route().to(cell::authz::html_error))
        .route("/__introspect", web::route().to(cell::authz::introspect))
        .route("/__box", web::route().to(cell::authz::box_url))
        .service(web::scope("/__role").default_service(web::to(cell::authz::role)))
        .route("/__certs", web::get().to(cell::token::certs))
        .route("/__mypassword", web::route().to(cell::token::my_password))
        .service(web::scope("/__ctl").default_service(web::to(cell::ctl::dispatch)))
        .route("", web::route().to(cell::root::dispatch))
        .route("/", web::route().to(cell::root::dispatch))
        // After every reserved cell path: the rest of a cell is its boxes.
        .default_service(web::to(boxes::dispatch::dispatch))
}

/// Anything no route knows: `PR404-MC-0001`.
async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::new(&codes::PR404_MC_0001))
}
