//! Extractors shared by handlers: the caller's `AccessContext`, bounded request bodies, and
//! header helpers.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;

use crate::auth::{AccessContext, Authorization};
use crate::error::{codes, Error, Result};
use crate::state::AppState;

/// The value of a request header, when present and valid text.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The shared state registered by `app::configure`.
pub fn state(req: &HttpRequest) -> Result<&AppState> {
    req.app_data::<web::Data<AppState>>()
        .map(|d| d.get_ref())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("AppState not registered")))
}

impl FromRequest for AccessContext {
    type Error = Error;
    type Future = std::future::Ready<Result<AccessContext>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(state(req).map(|state| {
            let authorization = header(req, "Authorization");
            let unit_user = header(req, "X-Personium-Unit-User");
            let master = state.master_token().expose();
            match authorization {
                Some(_) => AccessContext::classify(authorization, unit_user, master),
                None => match cookie_peer(req) {
                    None => AccessContext::classify(None, unit_user, master),
                    Some(peer) => {
                        let cookie = req.cookie(crate::auth::cookie::COOKIE_NAME);
                        let cookie = cookie.as_ref().map(|c| c.value());
                        AccessContext::from_cookie(
                            state.unit_secret(),
                            &peer,
                            cookie,
                            unit_user,
                            master,
                        )
                    }
                },
            }
        }))
    }
}

/// The `p_cookie_peer` query parameter, when present and not empty (§5.2 cookie auth).
fn cookie_peer(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == crate::auth::cookie::PEER_PARAM)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// A request body read whole, refused past `server.max_body_bytes` with `PR413-MC-0001` (ours:
/// Personium has no code for an oversize body).
pub struct Body(pub web::Bytes);

impl FromRequest for Body {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Body>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        Box::pin(Body::read(req, payload.take()))
    }
}

impl Body {
    /// Reads `payload` whole under the limit (for handlers that take the payload themselves).
    pub fn read(req: &HttpRequest, mut payload: Payload) -> impl Future<Output = Result<Body>> {
        let limit = state(req).map_or(1 << 20, |s| s.settings.server.max_body_bytes);
        async move {
            let mut buf = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| Error::new(&codes::PR400_OD_0001).source(e))?;
                if buf.len() + chunk.len() > limit {
                    return Err(Error::new(&codes::PR413_MC_0001).param(limit));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Body(buf.freeze()))
        }
    }
}

/// `Authorization: Basic base64(id:secret)` with both parts form-encoded (RFC 6749 §2.3.1,
/// as Personium's `parseBasicAuthzHeader`: either base64 alphabet); `Err` when present but
/// malformed.
pub fn basic_credentials(req: &HttpRequest) -> Option<std::result::Result<(String, String), ()>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    // Most requests carry a Bearer token: tell them apart by the scheme's bytes before the
    // whole (long) value is checked as text.
    let raw = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    if !raw.as_bytes().get(..5)?.eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let Authorization::Basic(rest) = Authorization::parse(raw.to_str().ok()?) else {
        return None;
    };
    let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(rest).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let form_decode = |s: &str| {
        let plus_as_space = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8()
            .map(|c| c.into_owned())
            .ok()
    };
    Some(
        decoded
            .as_deref()
            .and_then(|s| s.split_once(':'))
            .and_then(|(id, secret)| Some((form_decode(id)?, form_decode(secret)?)))
            .ok_or(()),
    )
}

/// The client's IPv4 address (IPv4-mapped IPv6 included), for accounts' IP address ranges.
pub fn client_ipv4(req: &HttpRequest) -> Option<std::net::Ipv4Addr> {
    req.peer_addr().and_then(|a| match a.ip() {
        std::net::IpAddr::V4(v4) => Some(v4),
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    })
}
