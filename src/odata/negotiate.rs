//! Output format negotiation for OData entity and feed responses (`spec/personium-api.md` §2.4,
//! §10; personium-core `AbstractODataResource.decideOutputFormat`,
//! `PersoniumCoreContainerFilter.checkAcceptHeader`).
//!
//! Rules, in order:
//! 1. An `Accept` value with a non-ASCII character → 400 `PR400-OD-0041` (checked for every
//!    request by Personium's filter, before anything else).
//! 2. `$format` wins: `json` → JSON, `atom` → Atom (case-sensitive), anything else, including
//!    an empty value → 400 `PR400-OD-0005`. COMPAT(personium): on create (POST) an absent
//!    `$format` counts as `json`, so Accept is not consulted at all.
//! 3. No (or empty) `Accept` → Atom. COMPAT(personium): docs say JSON.
//! 4. `Accept` is split at commas (spaces/tabs around them ignored) and each media range is cut
//!    at its first `;` (q-values and `odata=verbose` are ignored). Exact, case-sensitive
//!    matches, by priority rather than order: `application/atom+xml` or `application/xml`
//!    anywhere → Atom; else `application/json` → JSON; else `*/*` → Atom; else 406
//!    `PR406-OD-0001` (`text/*`, `application/*`, `text/html` alone are not acceptable).

use std::fmt;

/// The two OData response formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseFormat {
    Json,
    Atom,
}

impl ResponseFormat {
    /// `Content-Type` of a single-entity response (GET entity, POST 201): Personium sends the
    /// bare media type.
    pub fn entity_content_type(self) -> &'static str {
        match self {
            ResponseFormat::Json => "application/json",
            ResponseFormat::Atom => "application/atom+xml",
        }
    }

    /// `Content-Type` of a feed (list) response: odata4j's writer types with charset.
    pub fn feed_content_type(self) -> &'static str {
        match self {
            ResponseFormat::Json => "application/json;charset=utf-8",
            ResponseFormat::Atom => "application/atom+xml;charset=utf-8",
        }
    }
}

/// Why no format could be chosen. Each carries the offending value (the `{0}` / `{1}` of the
/// Personium message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `$format` other than `json` / `atom`: 400 `PR400-OD-0005`.
    BadFormat(String),
    /// No acceptable media type in `Accept`: 406 `PR406-OD-0001`.
    NotAcceptable(String),
    /// Non-ASCII `Accept`: 400 `PR400-OD-0041` (params: `Accept`, the value).
    NonAscii(String),
}

impl FormatError {
    /// The Personium error code.
    pub fn pr_code(&self) -> &'static str {
        match self {
            FormatError::BadFormat(_) => "PR400-OD-0005",
            FormatError::NotAcceptable(_) => "PR406-OD-0001",
            FormatError::NonAscii(_) => "PR400-OD-0041",
        }
    }

    /// The offending `$format` or `Accept` value.
    pub fn value(&self) -> &str {
        match self {
            FormatError::BadFormat(v)
            | FormatError::NotAcceptable(v)
            | FormatError::NonAscii(v) => v,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BadFormat(v) => write!(f, "$format value [{v}] is invalid."),
            FormatError::NotAcceptable(v) => write!(f, "Not Acceptable:[{v}]."),
            FormatError::NonAscii(v) => write!(f, "Request header Accept value is invalid [{v}]."),
        }
    }
}

impl std::error::Error for FormatError {}

/// Chooses JSON or Atom from the raw `$format` value, the raw `Accept` header and whether the
/// request creates an entity (POST to a set or a navigation property).
pub fn negotiate(
    format_param: Option<&str>,
    accept: Option<&str>,
    is_create: bool,
) -> Result<ResponseFormat, FormatError> {
    if let Some(accept) = accept {
        if !accept.is_ascii() {
            return Err(FormatError::NonAscii(accept.to_owned()));
        }
    }
    let format_param = match format_param {
        None if is_create => Some("json"),
        other => other,
    };
    if let Some(format) = format_param {
        return match format {
            "json" => Ok(ResponseFormat::Json),
            "atom" => Ok(ResponseFormat::Atom),
            other => Err(FormatError::BadFormat(other.to_owned())),
        };
    }
    let accept = accept.map(str::trim).unwrap_or("");
    if accept.is_empty() {
        return Ok(ResponseFormat::Atom);
    }
    let ranges: Vec<&str> = accept
        .split(',')
        .map(|part| {
            let part = part.trim_matches([' ', '\t']);
            part.split(';')
                .next()
                .unwrap_or(part)
                .trim_end_matches([' ', '\t'])
        })
        .collect();
    let has = |m: &str| ranges.contains(&m);
    if has("application/atom+xml") || has("application/xml") {
        Ok(ResponseFormat::Atom)
    } else if has("application/json") {
        Ok(ResponseFormat::Json)
    } else if has("*/*") {
        Ok(ResponseFormat::Atom)
    } else {
        Err(FormatError::NotAcceptable(accept.to_owned()))
    }
}

#[cfg(test)]
mod tests;
