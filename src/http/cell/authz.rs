//! `{C}__authz`, `{C}__html/error`, `{C}__introspect`, `{C}__box` and `{C}__role…`
//! (`spec/personium-api.md` §5.4, §1.2, §5.5, §5.7, §1.4). The pages are in
//! [`authz_html`](super::authz_html).

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};

use super::authz_html;
use crate::auth::AccessContext;
use crate::domain::access::CellAccess;
use crate::domain::auth::authz::{self, AuthzRequest, Outcome};
use crate::domain::auth::discovery::{self, RolePath};
use crate::domain::auth::introspect;
use crate::error::{codes, Error, Result};
use crate::http::extract::{state, Body};
use crate::http::odata::method_not_allowed;

/// First occurrence of each name in a query string or form body.
fn first_params(raw: &[u8]) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        params
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    params
}

/// A 303 with an empty body, as Personium answers every `__authz` redirect.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// `GET|POST {C}__authz`: the login form, or a 303 to the client, the form or the error page.
pub async fn authz(req: HttpRequest, cell: web::Path<String>, body: Body) -> Result<HttpResponse> {
    let state = state(&req)?;
    let post = match req.method().as_str() {
        "GET" | "HEAD" => false,
        "POST" => true,
        _ => return Err(method_not_allowed()),
    };
    let params = if post {
        first_params(&body.0)
    } else {
        first_params(req.query_string().as_bytes())
    };
    let client_ip = crate::http::extract::client_ipv4(&req);
    let request = AuthzRequest {
        params,
        post,
        client_ip,
    };
    Ok(match authz::authorize(state, &cell, request).await? {
        Outcome::Redirect(location) => see_other(&location),
        Outcome::LoginForm(form) => {
            authz_html::page(&form, "Sign in", authz_html::login_form(&form))
        }
        Outcome::PasswordChangeForm(form) => authz_html::page(
            &form,
            "Change your password",
            authz_html::password_change_form(&form),
        ),
        Outcome::CustomPage(html) => HttpResponse::Ok()
            .content_type("text/html;charset=UTF-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
    })
}

/// `GET {C}__html/error?code=…`: the page `__authz` sends the browser to for a bad client.
pub async fn html_error(req: HttpRequest, cell: web::Path<String>) -> Result<HttpResponse> {
    let state = state(&req)?;
    only_get(&req)?;
    crate::domain::cells::find(state, &cell).await?;
    let params = first_params(req.query_string().as_bytes());
    let code = params.get("code").map_or("", String::as_str);
    Ok(authz_html::error_page(code))
}

/// `POST {C}__introspect` form `token=`: whether the token is active here, and its claims.
pub async fn introspect(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    if req.method().as_str() != "POST" {
        return Err(method_not_allowed());
    }
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    let params = first_params(&body.0);
    let token = params.get("token").map(String::as_str);
    let answer = introspect::introspect(
        state,
        &access,
        crate::http::extract::basic_credentials(&req),
        token,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("application/json")
        .body(answer.to_string()))
}

/// `GET {C}__box[?schema=…]`: the URL of the box installed for an app.
pub async fn box_url(
    req: HttpRequest,
    ctx: AccessContext,
    cell: web::Path<String>,
) -> Result<HttpResponse> {
    let state = state(&req)?;
    only_get(&req)?;
    let access = CellAccess::resolve(state, &ctx, &cell).await?;
    let params = first_params(req.query_string().as_bytes());
    let url = discovery::box_url(state, &access, params.get("schema").map(String::as_str)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Location", url.as_str()))
        .insert_header(("Access-Control-Expose-Headers", "Location"))
        .content_type("application/json")
        .body(serde_json::json!({ "Url": url }).to_string()))
}

/// `GET {C}__role`, `{C}__role/{box}`, `{C}__role/{box}/{role}`: role URLs answer (plain text).
pub async fn role(req: HttpRequest, ctx: AccessContext) -> Result<HttpResponse> {
    let state = state(&req)?;
    only_get(&req)?;
    let cell = req.match_info().get("cell").unwrap_or_default();
    // What follows `__role` in the scope: "", "/{box}" or "/{box}/{role}".
    let tail = req.match_info().unprocessed();
    let segments: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let target = match segments.as_slice() {
        [] => RolePath::Root,
        [bx] => RolePath::Box(bx),
        [bx, role] => RolePath::Role(bx, role),
        _ => return Err(Error::new(&codes::PR404_MC_0001)),
    };
    let access = CellAccess::resolve(state, &ctx, cell).await?;
    let text = discovery::role_text(state, &access, target).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .content_type("text/plain; charset=UTF-8")
        .body(text))
}

/// GET (and HEAD) only, else `PR405-MC-0001`.
fn only_get(req: &HttpRequest) -> Result<()> {
    match req.method().as_str() {
        "GET" | "HEAD" => Ok(()),
        _ => Err(method_not_allowed()),
    }
}
