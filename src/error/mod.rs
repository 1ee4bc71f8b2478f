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
        }
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

    /// The Personium JSON error body.
    pub fn body(&self) -> String {
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
            resp.insert_header((*name, value.as_str()));
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
