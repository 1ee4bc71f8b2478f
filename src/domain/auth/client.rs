//! Client (app) authentication and scope arbitration at `__token` (`spec/personium-api.md`
//! §5.1): the client secret is a trans-cell token issued by the app cell (`client_id`) for this
//! cell; a `confidentialClient` role makes the schema `{client_id}#c`.

use crate::auth::privilege::Privilege;
use crate::domain::access;
use crate::error::{codes, Error, Result};
use crate::state::AppState;

/// The outcome of client authentication: the token schema, when a client authenticated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    pub client_id: Option<String>,
    pub schema: Option<String>,
}

/// What the request said about the client.
pub struct ClientCredentials<'a> {
    pub client_id: Option<&'a str>,
    pub secret: Option<&'a str>,
    pub assertion_type: Option<&'a str>,
    pub assertion: Option<&'a str>,
    /// `Authorization: Basic` decoded as (id, secret); `Err` when present but malformed.
    pub basic: Option<std::result::Result<(String, String), ()>>,
}

const SAML2_BEARER: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";

fn oauth(code: &'static crate::error::Code, realm: &str) -> Error {
    Error::oauth(code, realm)
}

/// Authenticates the client when the request names one.
pub async fn authenticate(
    state: &AppState,
    cell_url: &str,
    c: &ClientCredentials<'_>,
) -> Result<Client> {
    let (client_id, secret) = match (&c.basic, c.assertion_type) {
        (Some(Err(())), _) => return Err(oauth(&codes::PR400_AN_0018, cell_url)),
        (Some(Ok((id, secret))), _) => (Some(id.clone()), Some(secret.clone())),
        (None, Some(t)) if t != SAML2_BEARER => {
            return Err(oauth(&codes::PR400_AN_0022, cell_url).param(SAML2_BEARER));
        }
        (None, Some(_)) => (
            c.client_id.map(str::to_owned),
            c.assertion.map(str::to_owned),
        ),
        (None, None) => (c.client_id.map(str::to_owned), c.secret.map(str::to_owned)),
    };
    let Some(client_id) = client_id else {
        return Ok(Client::default());
    };
    let Some(secret) = secret else {
        return Err(oauth(&codes::PR401_AN_0021, cell_url));
    };
    let now = crate::model::time::now_ms() / 1000;
    let claims = match access::verify_tcat(state, &secret, cell_url, now).await? {
        Ok(claims) => claims,
        Err(e) => {
            let code = codes::by_id(e.pr_code_as_client_secret()).unwrap_or(&codes::PR400_AN_0003);
            return Err(oauth(code, cell_url));
        }
    };
    if claims.iss != client_id {
        return Err(oauth(&codes::PR400_AN_0006, cell_url));
    }
    let confidential_role = format!("{client_id}__role/__/confidentialClient");
    let schema = if claims.roles.contains(&confidential_role) {
        format!("{client_id}#c")
    } else {
        client_id.clone()
    };
    Ok(Client {
        client_id: Some(client_id),
        schema: Some(schema),
    })
}

/// Scope arbitration: requested cell privileges and `openid` are kept; nothing requested means
/// `root` (the unit's maximum).
pub fn arbitrate_scope(requested: Option<&str>) -> Vec<String> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => vec!["root".to_owned()],
        Some(s) => s
            .split_ascii_whitespace()
            .filter(|w| {
                *w == "openid" || Privilege::from_name(w).is_some_and(|p| p.is_cell_level())
            })
            .map(str::to_owned)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        let cases: &[(Option<&str>, &[&str])] = &[
            (None, &["root"]),
            (Some(""), &["root"]),
            (Some("auth-read"), &["auth-read"]),
            (
                Some("openid auth message-read"),
                &["openid", "auth", "message-read"],
            ),
            (Some("read bogus"), &[]),
        ];
        for (req, want) in cases {
            assert_eq!(arbitrate_scope(*req), want.to_vec(), "{req:?}");
        }
    }
}
