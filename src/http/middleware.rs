//! The middleware stack every request passes (`spec/personium-api.md` §1.1, §2.1, §2.2, §2.5):
//! per-cell FQDN routing, `X-HTTP-Method-Override`, `X-Personium-RequestKey` and the request
//! span, CORS and the OPTIONS short-circuit, and `X-Personium-Version`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use tracing::Instrument;

use crate::config::CellUrlMode;
use crate::error::{codes, Error};
use crate::state::AppState;
use crate::telemetry;

/// Personium's version, sent on every response.
pub const PERSONIUM_VERSION: &str = "1.8.4";

/// Methods announced by OPTIONS (§2.5).
pub const ALLOWED_METHODS: &str =
    "OPTIONS, GET, POST, PUT, DELETE, HEAD, MERGE, MKCOL, MOVE, PROPFIND, PROPPATCH, ACL";

/// The WebDAV compliance classes announced by OPTIONS (RFC 4918 §10.1, §18): class 1, and
/// class 2 since box resources take LOCK and UNLOCK.
pub const DAV_CLASSES: &str = "1, 2";

/// The whole stack, as one function (ordering is explicit here rather than spread over
/// `wrap` calls).
pub async fn stack(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(e) = rewrite(&mut req) {
        return Ok(req.into_response(e.error_response()));
    }
    enter_cell(&mut req);
    let request_key = match request_key(&req) {
        Ok(k) => k,
        Err(e) => return Ok(finish(req.into_response(e.error_response()), None)),
    };
    // The span gives every line logged while the request runs its context; at the default
    // level (`info`) it is disabled and costs nothing, and the access log below says the same.
    let span = tracing::debug_span!(
        "request",
        method = %req.method(),
        path = %req.path(),
        request_key = %request_key,
    );
    let origin = req.headers().get("Origin").cloned();
    let request_headers = req.headers().get("Access-Control-Request-Headers").cloned();
    let cors = origin.map(|o| (o, request_headers));
    if req.method() == Method::OPTIONS && !req.headers().contains_key("Authorization") {
        let resp = HttpResponse::Ok()
            .insert_header(("Allow", ALLOWED_METHODS))
            .insert_header(("Access-Control-Allow-Methods", ALLOWED_METHODS))
            // Beyond Personium: WebDAV clients probe the compliance class before they log in.
            .insert_header(("DAV", DAV_CLASSES))
            .finish();
        return Ok(finish(req.into_response(resp), cors.as_ref()));
    }
    let started = std::time::Instant::now();
    let res = next.call(req).instrument(span).await?;
    telemetry::access(&telemetry::Access {
        method: res.request().method().as_str(),
        path: res.request().path(),
        request_key: &request_key,
        status: res.status().as_u16(),
        micros: started.elapsed().as_micros() as u64,
    });
    Ok(finish(res.map_into_boxed_body(), cors.as_ref()))
}

/// Adds the headers every response carries.
fn finish(
    mut res: ServiceResponse<BoxBody>,
    cors: Option<&(HeaderValue, Option<HeaderValue>)>,
) -> ServiceResponse<BoxBody> {
    let headers = res.headers_mut();
    headers.insert(
        HeaderName::from_static("x-personium-version"),
        HeaderValue::from_static(PERSONIUM_VERSION),
    );
    if let Some((origin, request_headers)) = cors {
        // COMPAT(personium): the server echoes Origin with credentials (docs say `*`).
        headers.insert(
            HeaderName::from_static("access-control-allow-origin"),
            origin.clone(),
        );
        headers.insert(
            HeaderName::from_static("access-control-allow-credentials"),
            HeaderValue::from_static("true"),
        );
        headers.insert(
            HeaderName::from_static("access-control-max-age"),
            HeaderValue::from_static("86400"),
        );
        headers.insert(
            HeaderName::from_static("access-control-expose-headers"),
            HeaderValue::from_static("X-Personium-Version"),
        );
        if let Some(h) = request_headers {
            headers.insert(
                HeaderName::from_static("access-control-allow-headers"),
                h.clone(),
            );
        }
    }
    res
}

/// `X-Personium-RequestKey`: `[A-Za-z0-9_-]{1,128}` or 400 `PR400-EV-0002`; generated when
/// absent.
fn request_key(req: &ServiceRequest) -> Result<String, Error> {
    match req.headers().get("X-Personium-RequestKey") {
        None => Ok(generate_request_key()),
        Some(v) => {
            let s = v.to_str().unwrap_or("");
            let ok = (1..=128).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if ok {
                Ok(s.to_owned())
            } else {
                Err(Error::new(&codes::PR400_EV_0002).param(s))
            }
        }
    }
}

/// `{4}_{22}` base64url characters, as Personium generates them.
fn generate_request_key() -> String {
    use base64::Engine;
    let bytes: [u8; 19] = rand::random();
    let s = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!("{}_{}", &s[..4], &s[4..26])
}

/// The cell a request path addresses: its first segment, unless the path is one of the
/// Unit's own (`/`, `/__status`, `/__ctl...`). Cell names never start with `_`, but any other
/// first segment is taken as a cell name here and refused later by the cell lookup, as a
/// `/{cell}` route pattern would.
fn cell_segment(path: &str) -> Option<&str> {
    if path == "/__status" {
        return None;
    }
    let rest = path.strip_prefix('/')?;
    let first = rest.split('/').next().unwrap_or_default();
    (!first.is_empty() && first != "__ctl").then_some(first)
}

/// Routes a cell path without a route pattern: the cell name becomes the `cell` path
/// parameter and the router sees only what follows it, so the cell's routes (`app.rs`) are
/// all static. A `/{cell}` pattern would run the router's regex engine on every request.
fn enter_cell(req: &mut ServiceRequest) {
    let Some(cell) = cell_segment(req.match_info().as_str()) else {
        return;
    };
    let Ok(consumed) = u16::try_from(cell.len() + 1) else {
        return;
    };
    let cell = cell.to_owned();
    let info = req.match_info_mut();
    info.add_static("cell", cell);
    info.skip(consumed);
    req.extensions_mut().insert(CellPath);
}

/// Marks a request whose cell name [`enter_cell`] took off the path (the guard of the cell
/// routes).
#[derive(Clone, Copy)]
pub struct CellPath;

/// Method override and per-cell FQDN routing, applied before the router sees the request.
fn rewrite(req: &mut ServiceRequest) -> Result<(), Error> {
    if req.method() == Method::POST {
        if let Some(m) = req.headers().get("X-HTTP-Method-Override") {
            let method = m
                .to_str()
                .ok()
                .and_then(|s| Method::from_bytes(s.trim().to_ascii_uppercase().as_bytes()).ok());
            if let Some(method) = method {
                req.head_mut().method = method;
            }
        }
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(());
    };
    if state.settings.unit.cell_url_mode != CellUrlMode::Fqdn {
        return Ok(());
    }
    let host = req.connection_info().host().to_owned();
    let unit_authority = state.unit_url.authority();
    if host == unit_authority {
        // COMPAT(personium): in FQDN mode, cell paths on the bare unit host are refused.
        let first = req
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        if !first.is_empty() && !first.starts_with("__") && first != "crossdomain.xml" {
            return Err(Error::new(&codes::PR400_MC_0002));
        }
        return Ok(());
    }
    let Some(cell) = host.strip_suffix(&format!(".{unit_authority}")) else {
        return Ok(());
    };
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let uri: Uri = format!("/{cell}{path_and_query}").parse().map_err(
        |e: actix_web::http::uri::InvalidUri| Error::new(&codes::PR404_MC_0001).source(e),
    )?;
    req.match_info_mut().get_mut().update(&uri);
    req.head_mut().uri = uri;
    Ok(())
}
