//! THE route table and middleware stack (`spec/personium-api.md` §1), shared by `main` and the
//! tests so both run the identical application.
//!
//! Fixed paths get ordinary routes; each route with several methods dispatches on the method in
//! its handler, so WebDAV and OData verbs (PROPFIND, MERGE, ...) need no custom guards.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

use crate::error::{codes, Error};
use crate::http::{boxes, cell, middleware, unit};
pub use crate::state::AppState;

/// Registers the state, the middleware and every route.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state)).service(
            web::scope("")
                .wrap(from_fn(middleware::stack))
                .route("/", web::get().to(unit::metadata))
                .route("/__status", web::get().to(unit::status))
                .route("/__ctl", web::route().to(unit::ctl))
                .route("/__ctl/{tail:.*}", web::route().to(unit::ctl))
                .route("/{cell}/__token", web::post().to(cell::token::token))
                .route("/{cell}/__authz", web::route().to(cell::authz::authz))
                .route(
                    "/{cell}/__html/error",
                    web::route().to(cell::authz::html_error),
                )
                .route(
                    "/{cell}/__introspect",
                    web::route().to(cell::authz::introspect),
                )
                .route("/{cell}/__box", web::route().to(cell::authz::box_url))
                .route("/{cell}/__role", web::route().to(cell::authz::role))
                .route(
                    "/{cell}/__role/{tail:.*}",
                    web::route().to(cell::authz::role),
                )
                .route("/{cell}/__certs", web::get().to(cell::token::certs))
                .route(
                    "/{cell}/__mypassword",
                    web::route().to(cell::token::my_password),
                )
                .route("/{cell}/__ctl", web::route().to(cell::ctl::dispatch))
                .route(
                    "/{cell}/__ctl/{tail:.*}",
                    web::route().to(cell::ctl::dispatch),
                )
                .route("/{cell}", web::route().to(cell::root::dispatch))
                .route("/{cell}/", web::route().to(cell::root::dispatch))
                // After every reserved cell path: the rest of a cell is its boxes.
                .route("/{cell}/{box}", web::route().to(boxes::dispatch::dispatch))
                .route(
                    "/{cell}/{box}/{tail:.*}",
                    web::route().to(boxes::dispatch::dispatch),
                )
                .default_service(web::to(not_found)),
        );
    }
}

/// Anything no route knows: `PR404-MC-0001`.
async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::new(&codes::PR404_MC_0001))
}
