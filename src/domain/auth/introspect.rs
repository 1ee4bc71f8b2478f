//! `POST {C}__introspect` (`spec/personium-api.md` §5.5, RFC 7662): tells a caller whether a
//! token is active for this cell and what it says.
//!
//! Callers: unit users of the cell (master token, owner), a resource server with the Unit's
//! introspection credentials (`Authorization: Basic`, settings `security.introspect_*`), a
//! token with a schema (an app; it only sees tokens of the same schema), or an app
//! authenticating as on `__token` with `Authorization: Basic client_id:client_secret` (it only
//! sees tokens whose schema is its `client_id`). Anonymous → 401; anyone else → 403.

use serde_json::{json, Value as Json};
use subtle::ConstantTimeEq;

use super::client::{self, ClientCredentials};
use crate::auth::token::{self, Claims, TokenError, TokenKind};
use crate::config::SecuritySettings;
use crate::db::access as access_repo;
use crate::domain::access::{self, CellAccess, Resolved};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

/// Which tokens the caller may see.
enum Visible {
    All,
    /// Only tokens with exactly this schema.
    Schema(String),
}

impl Visible {
    fn admits(&self, claims: &Claims) -> bool {
        match self {
            Visible::All => true,
            Visible::Schema(s) => claims.schema.as_deref() == Some(s.as_str()),
        }
    }
}

fn lacking() -> Error {
    Error::new(&codes::PR403_AU_0002)
}

/// True for the unit-wide introspection credentials (constant-time comparison; disabled while
/// either setting is empty).
fn is_unit_introspector(sec: &SecuritySettings, id: &str, secret: &str) -> bool {
    let (user, pass) = (&sec.introspect_username, sec.introspect_password.expose());
    if user.is_empty() || pass.is_empty() {
        return false;
    }
    let same_user = id.as_bytes().ct_eq(user.as_bytes());
    let same_pass = secret.as_bytes().ct_eq(pass.as_bytes());
    bool::from(same_user & same_pass)
}

/// Who may introspect, from the request's credentials (`basic` = the decoded
/// `Authorization: Basic`, `Err` when malformed).
async fn caller_scope(
    state: &AppState,
    cell: &CellAccess,
    basic: Option<std::result::Result<(String, String), ()>>,
) -> Result<Visible> {
    match &cell.caller {
        Resolved::Anonymous => Err(Error::new(&codes::PR401_AU_0001)
            .header("WWW-Authenticate", format!("Bearer realm=\"{}\"", cell.url))
            .header("WWW-Authenticate", format!("Basic realm=\"{}\"", cell.url))),
        // Basic: the unit's introspection credentials, or `client_id:client_secret`.
        Resolved::Basic => {
            let Some(Ok((id, secret))) = basic else {
                return Err(lacking());
            };
            if is_unit_introspector(&state.settings.security, &id, &secret) {
                return Ok(Visible::All);
            }
            let creds = ClientCredentials {
                client_id: None,
                secret: None,
                assertion_type: None,
                assertion: None,
                basic: Some(Ok((id.clone(), secret))),
            };
            match client::authenticate(state, &cell.url, &creds).await {
                // COMPAT(personium): the visible schema is the bare `client_id`, even for a
                // confidential client.
                Ok(c) if c.client_id.is_some() => Ok(Visible::Schema(id)),
                Err(e) if e.code().status >= 500 => Err(e),
                _ => Err(lacking()),
            }
        }
        _ if cell.is_unit_admin() => Ok(Visible::All),
        Resolved::Account {
            schema: Some(s), ..
        }
        | Resolved::Visitor {
            schema: Some(s), ..
        } if !s.is_empty() => Ok(Visible::Schema(s.clone())),
        _ => Err(lacking()),
    }
}

/// `POST {C}__introspect` with form field `token`.
pub async fn introspect(
    state: &AppState,
    cell: &CellAccess,
    basic: Option<std::result::Result<(String, String), ()>>,
    presented: Option<&str>,
) -> Result<Json> {
    let visible = caller_scope(state, cell, basic).await?;
    let inactive = json!({ "active": false });
    let Some(presented) = presented.filter(|t| !t.is_empty()) else {
        return Ok(inactive);
    };
    let now = now_ms() / 1000;
    let found = match token::peek(presented) {
        Some((TokenKind::TransCell, _)) => trans_cell(state, cell, presented, now).await?,
        Some((kind, _)) => local(state, cell, kind, presented, now).await?,
        None => None,
    };
    Ok(match found {
        Some(body) if visible.admits(&body.claims) => body.render(),
        _ => inactive,
    })
}

/// An active token and what its answer shows.
struct Active {
    claims: Claims,
    sub: String,
    aud: Option<Option<String>>,
    roles: Vec<String>,
}

impl Active {
    fn render(self) -> Json {
        let mut body = json!({
            "active": true,
            "client_id": self.claims.schema,
            "exp": self.claims.exp,
            "iat": self.claims.iat,
            "sub": self.sub,
            "iss": self.claims.iss,
            "p_roles": self.roles,
        });
        if let Some(aud) = self.aud {
            body["aud"] = aud.into();
        }
        body
    }
}

/// A cell-local token of this cell: `AR~`, `RR~` and `AV~` are reported.
async fn local(
    state: &AppState,
    cell: &CellAccess,
    kind: TokenKind,
    presented: &str,
    now: i64,
) -> Result<Option<Active>> {
    let Ok((kind_seen, claims)) =
        token::verify_local(presented, &state.cell_token_key(&cell.id), now)
    else {
        return Ok(None);
    };
    if kind_seen != kind || claims.iss != cell.url {
        return Ok(None);
    }
    Ok(match kind {
        // COMPAT(personium): resident tokens carry no roles, so `p_roles` is empty.
        TokenKind::ResidentAccess | TokenKind::ResidentRefresh => Some(Active {
            sub: resident_subject(&cell.url, &claims.sub),
            aud: None,
            roles: Vec::new(),
            claims,
        }),
        TokenKind::VisitorAccess => {
            let ids = claims.roles.clone();
            let roles = state
                .db
                .read(move |conn| Ok::<_, Error>(access_repo::roles_by_ids(conn, &ids)?))
                .await?;
            let urls = roles
                .iter()
                .map(|(_, name, bx)| {
                    format!(
                        "{}__role/{}/{name}",
                        cell.url,
                        bx.as_deref().unwrap_or("__")
                    )
                })
                .collect();
            // COMPAT(personium): a visitor access token has no target, so `aud` is null.
            Some(Active {
                sub: claims.sub.clone(),
                aud: Some(None),
                roles: urls,
                claims,
            })
        }
        // COMPAT(personium): Personium fails on `RV~` (not an access token) and on every other
        // kind, which makes them inactive.
        _ => None,
    })
}

/// `{C}#{account}` for a resident token's subject.
fn resident_subject(cell_url: &str, sub: &str) -> String {
    if sub.contains('#') {
        sub.to_owned()
    } else {
        format!("{cell_url}#{sub}")
    }
}

/// A trans-cell token issued by this cell or addressed to it.
async fn trans_cell(
    state: &AppState,
    cell: &CellAccess,
    presented: &str,
    now: i64,
) -> Result<Option<Active>> {
    let claims = match access::verify_tcat(state, presented, &cell.url, now).await? {
        Ok(c) => c,
        // Issued here for another cell: verify it against its own target.
        Err(TokenError::WrongTarget(aud))
            if token::peek_issuer(presented).as_deref() == Some(cell.url.as_str()) =>
        {
            match access::verify_tcat(state, presented, &aud, now).await? {
                Ok(c) => c,
                Err(_) => return Ok(None),
            }
        }
        Err(_) => return Ok(None),
    };
    Ok(Some(Active {
        sub: claims.sub.clone(),
        aud: Some(claims.aud.clone()),
        roles: claims.roles.clone(),
        claims,
    }))
}
