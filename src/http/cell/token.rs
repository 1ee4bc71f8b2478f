//! `{C}__token`, `{C}__certs` and `{C}__mypassword` (`spec/personium-api.md` §5.1, §5.5).

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::AccessContext;
use crate::domain::auth::grant::{self, TokenRequest};
use crate::domain::auth::password_change;
use crate::error::Result;
use crate::http::extract::{header, state, Body};

/// `POST {C}__token`
pub async fn token(req: HttpRequest, cell: web::Path<String>, body: Body) -> Result<HttpResponse> {
    let state = state(&req)?;
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(&body.0) {
        params
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    let client_ip = crate::http::extract::client_ipv4(&req);
    let request = TokenRequest {
        params,
        basic: crate::http::extract::basic_credentials(&req),
        client_ip,
    };
    let resp = grant::token(state, &cell, request).await?;
    let mut b = HttpResponse::Ok();
    b.insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"));
    if let Some(loc) = resp.location {
        b.insert_header(("Location", loc));
    }
    if let Some(c) = resp.cookie {
        // COMPAT(personium): Personium also sets Domain={host} and no HttpOnly; this cookie is
        // host-only and HttpOnly (scripts never need to read it: the browser sends it).
        b.cookie(
            actix_web::cookie::Cookie::build(crate::auth::cookie::COOKIE_NAME, c.value)
                .path(c.path)
                .secure(c.secure)
                .http_only(true)
                .finish(),
        );
    }
    Ok(b.content_type("application/json")
        .body(resp.body.to_string()))
}

/// `GET {C}__certs`: the cell's public keys (JWKS).
pub async fn certs(req: HttpRequest, cell: web::Path<String>) -> Result<HttpResponse> {
    let state = state(&req)?;
    let row = crate::domain::cells::find(state, &cell).await?;
    let jwks = crate::domain::keys::jwks(state, &row.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(jwks))
}

/// `PUT {C}__mypassword` + `X-Personium-Credential`: the caller's own password.
pub async fn my_password(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    if req.method().as_str() != "PUT" {
        return Err(crate::http::odata::method_not_allowed());
    }
    let access = crate::domain::access::CellAccess::resolve(state, &ctx, &cell).await?;
    password_change::change_own(state, &access, header(&req, "X-Personium-Credential")).await?;
    Ok(HttpResponse::NoContent().finish())
}
