//! The authorization endpoint's parameter checks and redirect URLs (`spec/personium-api.md`
//! §5.4): which `client_id` / `redirect_uri` pairs are usable, and how the 303 `Location`s to
//! the client, back to the form and to `{C}__html/error` are spelled.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::authz::AuthzRequest;
use crate::error::codes;
use crate::model::url::is_cell_url;

/// Longest accepted `redirect_uri`, in bytes.
pub const REDIRECT_URI_MAX: usize = 512;

/// RFC 3986 unreserved characters stay; everything else is `%XX` (a space is `%20`, so the
/// values decode the same in a query and in a fragment).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// The OAuth 2.0 `error` values the endpoint sends (RFC 6749 §4.1.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedResponseType,
    ServerError,
}

impl OAuthError {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedResponseType => "unsupported_response_type",
            OAuthError::ServerError => "server_error",
        }
    }
}

/// Personium's texts for the `PS-AU-*` (form) and `PS-ER-*` (error page) message codes.
const PAGE_MESSAGES: &[(&str, &str)] = &[
    ("PS-AU-0001", "OAuth2 authorization endpoint"),
    (
        "PS-AU-0002",
        "The following application is trying to access your data. If there is no problem, \
         please perform the authentication.",
    ),
    ("PS-AU-0003", "Please input user ID and password."),
    ("PS-AU-0004", "User ID or password is incorrect."),
    (
        "PS-AU-0005",
        "Authentication period has been passed, you must be authorized again.",
    ),
    ("PS-AU-0006", "The password should be changed."),
    ("PS-AU-0007", "Please input password."),
    ("PS-AU-0008", "Password format is invalid."),
    ("PS-AU-0009", "Failed to update password."),
    ("PS-ER-0001", "ERROR"),
    ("PS-ER-0002", "The code is undefined."),
];

/// The English text of a page message code (`PS-…`) or of a Personium error code (`PR…`,
/// placeholders left empty); `None` for unknown codes.
pub fn message_for(code: &str) -> Option<String> {
    PAGE_MESSAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| (*m).to_owned())
        .or_else(|| codes::by_id(code).map(|c| c.render(&[])))
}

/// The text sent as `error_description` for a code.
fn description(code: &str) -> String {
    message_for(code).unwrap_or_default()
}

/// A usable client: the app cell and where to send the browser back to.
#[derive(Clone, Debug)]
pub struct Client {
    /// `client_id` with a trailing `/`.
    pub client_id: String,
    /// `redirect_uri` as given.
    pub redirect_uri: String,
    /// `scheme://host[:port]` of the client.
    pub origin: String,
}

/// No whitespace, control or non-ASCII characters: the value goes into a `Location` header.
fn header_safe(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks `client_id` and `redirect_uri` (RFC 6749 §4.1.2.1: on failure the browser must not
/// be sent to the `redirect_uri`); `Err` = the code for `{C}__html/error`.
pub fn validate_client(
    cell_url: &str,
    client_id: Option<&str>,
    redirect_uri: Option<&str>,
) -> Result<Client, &'static str> {
    const BAD_CLIENT: &str = "PR400-AZ-0002";
    const BAD_REDIRECT: &str = "PR400-AZ-0003";
    let client_id = client_id.filter(|s| !s.is_empty()).ok_or(BAD_CLIENT)?;
    let redirect_uri = redirect_uri.filter(|s| !s.is_empty()).ok_or(BAD_REDIRECT)?;
    let with_slash = |s: &str| {
        if s.ends_with('/') {
            s.to_owned()
        } else {
            format!("{s}/")
        }
    };
    let client = with_slash(client_id);
    let parsed = url::Url::parse(&client).map_err(|_| BAD_CLIENT)?;
    if !header_safe(client_id)
        || !matches!(parsed.scheme(), "http" | "https")
        || !is_cell_url(&client)
    {
        return Err(BAD_CLIENT);
    }
    // COMPAT(personium): a `redirect_uri` with a fragment is refused (RFC 6749 §3.1.2);
    // Personium would append its parameters after the fragment.
    if redirect_uri.len() > REDIRECT_URI_MAX
        || !header_safe(redirect_uri)
        || redirect_uri.contains('#')
    {
        return Err(BAD_REDIRECT);
    }
    let redirect = url::Url::parse(&with_slash(redirect_uri)).map_err(|_| BAD_REDIRECT)?;
    if redirect.origin() != parsed.origin() || !with_slash(redirect_uri).starts_with(&client) {
        return Err(BAD_REDIRECT);
    }
    if client == cell_url {
        return Err(BAD_CLIENT);
    }
    Ok(Client {
        origin: parsed.origin().ascii_serialization(),
        client_id: client,
        redirect_uri: redirect_uri.to_owned(),
    })
}

/// `{C}__html/error?code=…`
pub fn error_page(cell_url: &str, code: &str) -> String {
    format!("{cell_url}__html/error?code={}", enc(code))
}

/// Appends `pairs` to `base` after `sep`, or after `&` when `base` already has `sep`.
fn append(base: &str, sep: char, pairs: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(base.len() + 256);
    out.push_str(base);
    out.push(if base.contains(sep) { '&' } else { sep });
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&enc(value));
    }
    out
}

impl Client {
    /// The code flow answers in the query, the others in the fragment.
    fn separator(response_type: &str) -> char {
        if response_type == "code" {
            '?'
        } else {
            '#'
        }
    }

    /// `redirect_uri` + `error`, `error_description`, `state`, `code`.
    pub fn error_redirect(
        &self,
        response_type: &str,
        error: OAuthError,
        code: &str,
        state: Option<&str>,
    ) -> String {
        let mut pairs = vec![
            ("error", error.as_str().to_owned()),
            ("error_description", description(code)),
        ];
        if let Some(s) = state {
            pairs.push(("state", s.to_owned()));
        }
        pairs.push(("code", code.to_owned()));
        append(&self.redirect_uri, Self::separator(response_type), &pairs)
    }

    /// `redirect_uri` + the issued parameters.
    pub fn success_redirect(&self, response_type: &str, pairs: &[(&str, String)]) -> String {
        append(&self.redirect_uri, Self::separator(response_type), pairs)
    }
}

/// `{C}__authz?…` carrying the request's parameters back to the form, with an error and the
/// message code; `ap` (an `AP~`) continues a password change.
pub fn form_redirect(
    cell_url: &str,
    client: &Client,
    response_type: &str,
    req: &AuthzRequest,
    error: OAuthError,
    code: &str,
    ap: Option<&str>,
) -> String {
    let mut pairs = vec![
        ("response_type", response_type.to_owned()),
        ("client_id", client.client_id.clone()),
        ("redirect_uri", client.redirect_uri.clone()),
    ];
    // COMPAT(personium): `expires_in` and `nonce` are carried too, and `scope` is encoded once
    // (Personium drops the first two and encodes `scope` twice).
    for name in ["state", "scope", "expires_in", "nonce"] {
        if let Some(v) = req.params.get(name).filter(|v| !v.is_empty()) {
            pairs.push((name, v.clone()));
        }
    }
    if let Some(ap) = ap {
        pairs.push(("access_token", ap.to_owned()));
        pairs.push(("password_change_required", "true".to_owned()));
    }
    pairs.push(("error", error.as_str().to_owned()));
    pairs.push(("error_description", description(code)));
    pairs.push(("code", code.to_owned()));
    append(&format!("{cell_url}__authz"), '?', &pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELL: &str = "https://unit.example/alice/";

    #[test]
    fn client_and_redirect_checks() {
        let ok = |c: &str, r: &str| validate_client(CELL, Some(c), Some(r));
        let app = "https://unit.example/app/";
        assert!(ok(app, "https://unit.example/app/__/callback.html").is_ok());
        assert_eq!(
            ok("https://unit.example/app", "https://unit.example/app/cb")
                .map(|c| c.client_id)
                .ok(),
            Some(app.to_owned())
        );
        let cases = [
            ("", "https://unit.example/app/cb", "PR400-AZ-0002"),
            (app, "", "PR400-AZ-0003"),
            ("not a url", "https://unit.example/app/cb", "PR400-AZ-0002"),
            (
                "ftp://unit.example/app/",
                "ftp://unit.example/app/cb",
                "PR400-AZ-0002",
            ),
            (app, "https://unit.example/other/cb", "PR400-AZ-0003"),
            (app, "https://evil.example/app/cb", "PR400-AZ-0003"),
            (app, "http://unit.example/app/cb", "PR400-AZ-0003"),
            (app, "https://unit.example/app/cb#frag", "PR400-AZ-0003"),
            (app, "https://unit.example/app/c\r\nb", "PR400-AZ-0003"),
            (CELL, "https://unit.example/alice/cb", "PR400-AZ-0002"),
        ];
        for (c, r, code) in cases {
            assert_eq!(ok(c, r).err(), Some(code), "{c} {r}");
        }
        let long = format!("{app}{}", "x".repeat(REDIRECT_URI_MAX));
        assert_eq!(ok(app, &long).err(), Some("PR400-AZ-0003"));
    }

    #[test]
    fn redirects_encode_and_pick_the_separator() {
        let client = Client {
            client_id: "https://unit.example/app/".into(),
            redirect_uri: "https://unit.example/app/cb?x=1".into(),
            origin: "https://unit.example".into(),
        };
        let url = client.error_redirect("code", OAuthError::InvalidRequest, "PR400-AZ-0004", None);
        assert_eq!(
            url,
            "https://unit.example/app/cb?x=1&error=invalid_request&error_description=\
             Request%20parameter%20is%20invalid%20%5Bresponse_type%5D.&code=PR400-AZ-0004"
        );
        let url = client.success_redirect("token", &[("state", "a b&c".into())]);
        assert_eq!(url, "https://unit.example/app/cb?x=1#state=a%20b%26c");
        assert_eq!(
            error_page(CELL, "PR400-AZ-0002"),
            "https://unit.example/alice/__html/error?code=PR400-AZ-0002"
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            message_for("PS-AU-0004").as_deref(),
            Some("User ID or password is incorrect.")
        );
        assert_eq!(
            message_for("PR401-AZ-0001").as_deref(),
            Some("User cancel.")
        );
        assert_eq!(message_for("<script>"), None);
    }
}
