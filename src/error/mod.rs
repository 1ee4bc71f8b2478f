//! The one error type of the server: a Personium error code (`spec/personium-api.md` §2.3) plus
//! message parameters and a hidden cause.
//!
//! The response body is exactly Personium's
//! `{"code":"PR404-DV-0003","message":{"lang":"en","value":"Cell not found."}}` with the HTTP
//! status taken from the code. The cause (`source`) and the place the error was made (`at`) are
//! logged, never sent.

pub mod codes;

use std::fmt;
use std::panic::Location;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

pub use codes::Code;

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that renders as a Personium error response.
pub struct Error {
    code: &'static Code,
    params: Vec<String>,
    source: Option<anyhow::Error>,
    at: &'static Location<'static>,
    headers: Vec<(&'static str, String)>,
    /// Token-endpoint errors render OAuth-style (`error`, `error_description`, extra fields).
    oauth: Option<OAuth>,
}

/// The OAuth 2.0 form of an error (RFC 6749 §5.2) as Personium's token endpoint writes it.
struct OAuth {
    error: &'static str,
    extra: serde_json::Map<String, serde_json::Value>,
}

/// The OAuth `error` value Personium pairs with each token-endpoint code.
fn oauth_error_name(id: &str) -> &'static str {
    match id {
        "PR400-AN-0001" => "unsupported_grant_type",
        "PR400-AN-0002" | "PR400-AN-0016" => "invalid_request",
        "PR400-AN-0003" | "PR400-AN-0004" | "PR400-AN-0005" | "PR400-AN-0006" | "PR400-AN-0007"
        | "PR400-AN-0018" | "PR401-AN-0020" | "PR401-AN-0021" | "PR400-AN-0022" => "invalid_client",
        _ if id.starts_with("PR5") => "server_error",
        _ => "invalid_grant",
    }
}

impl Error {
    /// An error with the given code and no parameters.
    #[track_caller]
    pub fn new(code: &'static Code) -> Error {
        Error {
            code,
            params: Vec::new(),
            source: None,
            at: Location::caller(),
            headers: Vec::new(),
            oauth: None,
        }
    }

    /// A token-endpoint error, rendered OAuth-style. COMPAT(personium): a 401 carries
    /// `WWW-Authenticate: Basic realm="{cell}"`.
    #[track_caller]
    pub fn oauth(code: &'static Code, realm: &str) -> Error {
        let mut e = Error::new(code);
        e.oauth = Some(OAuth {
            error: oauth_error_name(code.id),
            extra: serde_json::Map::new(),
        });
        if code.status == 401 {
            e = e.header("WWW-Authenticate", format!("Basic realm=\"{realm}\""));
        }
        e
    }

    /// Turns an error into its OAuth form (keeps code, parameters and cause).
    pub fn into_oauth(mut self, realm: &str) -> Error {
        if self.oauth.is_none() {
            self.oauth = Some(OAuth {
                error: oauth_error_name(self.code.id),
                extra: serde_json::Map::new(),
            });
            if self.code.status == 401 {
                self = self.header("WWW-Authenticate", format!("Basic realm=\"{realm}\""));
            }
        }
        self
    }

    /// Adds a field to an OAuth error body (e.g. the `access_token` of a password change).
    pub fn oauth_field(mut self, name: &str, value: serde_json::Value) -> Error {
        if let Some(o) = &mut self.oauth {
            o.extra.insert(name.to_owned(), value);
        }
        self
    }

    /// An internal server error carrying `cause` (logged, not sent).
    #[track_caller]
    pub fn internal(cause: impl Into<anyhow::Error>) -> Error {
        Error::new(&codes::PR500_SV_0000).source(cause)
    }

    /// Adds a message parameter (fills `{0}`, `{1}`, ... in order).
    pub fn param(mut self, p: impl fmt::Display) -> Error {
        self.params.push(p.to_string());
        self
    }

    /// Attaches the internal cause.
    pub fn source(mut self, cause: impl Into<anyhow::Error>) -> Error {
        self.source = Some(cause.into());
        self
    }

    /// Adds a response header (e.g. `WWW-Authenticate`).
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Error {
        self.headers.push((name, value.into()));
        self
    }

    pub fn code(&self) -> &'static Code {
        self.code
    }

    /// The rendered English message.
    pub fn message(&self) -> String {
        self.code.render(&self.params)
    }

    /// The HTTP status of the code.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The Personium JSON error body (OAuth-style for token-endpoint errors).
    pub fn body(&self) -> String {
        if let Some(o) = &self.oauth {
            let mut map = serde_json::Map::new();
            map.insert("error".into(), o.error.into());
            map.insert(
                "error_description".into(),
                format!("[{}] - {}", self.code.id, self.message()).into(),
            );
            map.extend(o.extra.clone());
            return serde_json::Value::Object(map).to_string();
        }
        serde_json::json!({
            "code": self.code.id,
            "message": { "lang": "en", "value": self.message() }
        })
        .to_string()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} at {}", self.code.id, self.message(), self.at)?;
        if let Some(src) = &self.source {
            write!(f, ": {src:#}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.id, self.message())
    }
}

impl std::error::Error for Error {}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code.status >= 500 {
            tracing::error!(code = self.code.id, at = %self.at, cause = ?self.source, "request failed");
        } else {
            tracing::debug!(code = self.code.id, at = %self.at, cause = ?self.source, "request refused");
        }
        let mut resp = HttpResponse::build(self.status());
        for (name, value) in &self.headers {
            resp.append_header((*name, value.as_str()));
        }
        resp.content_type("application/json").body(self.body())
    }
}

/// `.or_code(...)` on results and options: turns any failure into the given Personium code.
pub trait Context<T> {
    fn or_code(self, code: &'static Code) -> Result<T>;
}

impl<T, E: Into<anyhow::Error>> Context<T> for std::result::Result<T, E> {
    #[track_caller]
    fn or_code(self, code: &'static Code) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(Error::new(code).source(e)),
        }
    }
}

impl<T> Context<T> for Option<T> {
    #[track_caller]
    fn or_code(self, code: &'static Code) -> Result<T> {
        match self {
            Some(v) => Ok(v),
            None => Err(Error::new(code)),
        }
    }
}

impl From<crate::db::DbError> for Error {
    #[track_caller]
    fn from(e: crate::db::DbError) -> Error {
        Error::new(&codes::PR500_SV_0001).source(e)
    }
}

/// Picks the Personium code a module error names, with its parameters.
#[track_caller]
fn coded(id: &str, params: Vec<String>, cause: String) -> Error {
    let code = codes::by_id(id).unwrap_or(&codes::PR400_OD_0002);
    let mut err = Error::new(code).source(anyhow::anyhow!(cause));
    err.params = params;
    err.at = Location::caller();
    err
}

impl From<crate::odata::error::QueryError> for Error {
    #[track_caller]
    fn from(e: crate::odata::error::QueryError) -> Error {
        coded(e.pr_code(), e.params(), e.to_string())
    }
}

impl From<crate::odata::negotiate::FormatError> for Error {
    #[track_caller]
    fn from(e: crate::odata::negotiate::FormatError) -> Error {
        coded(e.pr_code(), vec![e.value().to_owned()], e.to_string())
    }
}

impl From<crate::webdav::acl_xml::AclError> for Error {
    #[track_caller]
    fn from(e: crate::webdav::acl_xml::AclError) -> Error {
        let params = e.param().map(|p| vec![p.to_owned()]).unwrap_or_default();
        coded(e.pr_code(), params, e.to_string())
    }
}

impl From<crate::webdav::proppatch::ProppatchError> for Error {
    #[track_caller]
    fn from(e: crate::webdav::proppatch::ProppatchError) -> Error {
        coded(e.pr_code(), Vec::new(), e.to_string())
    }
}
