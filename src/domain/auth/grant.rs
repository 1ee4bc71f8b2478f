//! `POST {C}__token` (`spec/personium-api.md` §5.1): the password, refresh-token,
//! saml2-bearer and authorization-code grants, `p_target` trans-cell tokens, `p_owner` unit-local
//! unit user tokens ([`owner`](super::owner)), the `p_cookie` cookie, lifetimes, and Personium's
//! response body.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use serde_json::{json, Value as Json};

use super::client::{self, Client, ClientCredentials};
use super::login;
use super::owner;
use crate::auth::token::{self, Claims, TokenKind};
use crate::db::{access as access_repo, accounts, grants};
use crate::domain::access;
use crate::domain::cell_props::CellProps;
use crate::error::{codes, Code, Error, Result};
use crate::model::time::now_ms;
use crate::model::url::is_cell_url;
use crate::state::AppState;

/// A parsed token request.
pub struct TokenRequest {
    /// Form parameters (first occurrence of each name).
    pub params: HashMap<String, String>,
    pub basic: Option<std::result::Result<(String, String), ()>>,
    pub client_ip: Option<Ipv4Addr>,
}

/// A successful answer: the JSON body and, for `p_target`, the `Location`.
pub struct TokenResponse {
    pub body: Json,
    pub location: Option<String>,
    /// The `p_cookie` cookie to set (`p_cookie=true` without `p_target`).
    pub cookie: Option<TokenCookie>,
}

/// A `p_cookie` cookie: the sealed access token, for the cell's path.
pub struct TokenCookie {
    pub value: String,
    pub path: String,
    pub secure: bool,
}

/// The cell the token endpoint serves.
pub(super) struct Issuer<'a> {
    pub(super) state: &'a AppState,
    pub(super) cell_id: String,
    pub(super) url: String,
    /// The cell's owner as stored (`None`: created by the master token).
    pub(super) owner: Option<String>,
    pub(super) props: CellProps,
    /// `p_cookie=true` and no `p_target`.
    pub(super) cookie: bool,
}

fn fail(code: &'static Code, realm: &str) -> Error {
    Error::oauth(code, realm)
}

impl TokenRequest {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str, realm: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| fail(&codes::PR400_AN_0016, realm).param(name))
    }

    /// `expires_in` / `refresh_token_expires_in` within their kinds' ranges.
    fn lifetime(&self, name: &str, kind: TokenKind, default: i64, realm: &str) -> Result<i64> {
        match self.get(name) {
            None => Ok(default.min(kind.max_lifetime_secs())),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .and_then(|n| kind.checked_lifetime(Some(n)))
                .ok_or_else(|| fail(&codes::PR400_AN_0016, realm).param(name)),
        }
    }
}

/// `POST {C}__token`
pub async fn token(state: &AppState, cell_name: &str, req: TokenRequest) -> Result<TokenResponse> {
    let row = crate::domain::cells::find(state, cell_name).await?;
    // COMPAT(personium): any `p_target`, even empty, suppresses the cookie; `p_cookie` is
    // read as Java's Boolean.parseBoolean does.
    let cookie = !req.params.contains_key("p_target")
        && req
            .get("p_cookie")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let issuer = Issuer {
        state,
        url: state.cell_url(&row.name),
        cell_id: row.id,
        props: CellProps::from_row(row.props.as_deref()),
        owner: row.owner,
        cookie,
    };
    let realm = issuer.url.clone();
    let creds = ClientCredentials {
        client_id: req.get("client_id"),
        secret: req.get("client_secret"),
        assertion_type: req.get("client_assertion_type"),
        assertion: req.get("client_assertion"),
        basic: req.basic.clone(),
    };
    let client = client::authenticate(state, &realm, &creds).await?;
    let sec = &state.settings.security;
    let access_secs = req.lifetime(
        "expires_in",
        TokenKind::ResidentAccess,
        sec.access_token_secs,
        &realm,
    )?;
    let refresh_secs = req.lifetime(
        "refresh_token_expires_in",
        TokenKind::ResidentRefresh,
        sec.refresh_token_secs,
        &realm,
    )?;
    let p_target = match req.get("p_target") {
        Some(t) if is_cell_url(t) && (t.starts_with("http://") || t.starts_with("https://")) => {
            Some(t.to_owned())
        }
        Some(_) => return Err(fail(&codes::PR400_AN_0002, &realm)),
        None => None,
    };
    let scope = client::arbitrate_scope(req.get("scope"));
    let life = Lifetimes {
        access: access_secs,
        refresh: refresh_secs,
    };
    match req.get("grant_type") {
        Some("password") => issuer.password(&req, &client, scope, p_target, life).await,
        Some("refresh_token") => issuer.refresh(&req, &client, p_target, life).await,
        Some("urn:ietf:params:oauth:grant-type:saml2-bearer") => {
            issuer.assertion(&req, &client, scope, p_target, life).await
        }
        Some("authorization_code") => issuer.code(&req, &client, p_target, life).await,
        Some(other) => Err(fail(&codes::PR400_AN_0001, &realm).param(other)),
        None => Err(fail(&codes::PR400_AN_0016, &realm).param("grant_type")),
    }
}

#[derive(Clone, Copy)]
pub(super) struct Lifetimes {
    pub(super) access: i64,
    pub(super) refresh: i64,
}

/// What a new access token stands for.
struct Grant {
    subject: String,
    /// Role ids of this cell (visitors) — resident tokens look roles up per request.
    role_ids: Vec<String>,
    /// Role URLs for a trans-cell token.
    role_urls: Vec<String>,
    scope: Vec<String>,
    orig_iss: Option<String>,
    visitor: bool,
}

impl Issuer<'_> {
    fn key(&self) -> token::LocalKey {
        self.state.cell_token_key(&self.cell_id)
    }

    pub(super) fn err(&self, code: &'static Code) -> Error {
        fail(code, &self.url)
    }

    /// The `p_cookie` cookie for an access token, when one was asked for.
    pub(super) fn cookie_for(
        &self,
        access_token: &str,
        body: &mut Json,
    ) -> Result<Option<TokenCookie>> {
        if !self.cookie {
            return Ok(None);
        }
        let peer = uuid::Uuid::new_v4().to_string();
        let value = crate::auth::cookie::seal(self.state.unit_secret(), &peer, access_token)
            .map_err(Error::internal)?;
        body["p_cookie_peer"] = Json::String(peer);
        let path = url::Url::parse(&self.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| "/".to_owned());
        Ok(Some(TokenCookie {
            value,
            path,
            secure: self.url.starts_with("https://"),
        }))
    }

    /// Issues the access (or trans-cell) token and a rotated refresh token.
    async fn issue(
        &self,
        g: Grant,
        client: &Client,
        p_target: Option<String>,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        let now = now_ms() / 1000;
        let mut access = Claims::new(&self.url, &g.subject, now, life.access);
        access.schema = client.schema.clone();
        access.scope = g.scope.clone();
        access.orig_iss = g.orig_iss.clone();
        let access_token = match &p_target {
            Some(target) => {
                access.aud = Some(target.clone());
                access.roles = g.role_urls.clone();
                let key = crate::domain::keys::signing_key(self.state, &self.cell_id).await?;
                token::issue_tcat(&access, &key).map_err(Error::internal)?
            }
            None => {
                access.roles = g.role_ids.clone();
                let kind = if g.visitor {
                    TokenKind::VisitorAccess
                } else {
                    TokenKind::ResidentAccess
                };
                token::issue_local(kind, &access, &self.key()).map_err(Error::internal)?
            }
        };
        let jti = uuid::Uuid::new_v4().simple().to_string();
        let mut refresh = Claims::new(&self.url, &g.subject, now, life.refresh);
        refresh.jti = Some(jti.clone());
        refresh.schema = client.schema.clone();
        refresh.client_id = client.client_id.clone();
        refresh.scope = g.scope.clone();
        refresh.orig_iss = g.orig_iss;
        let refresh_kind = if g.visitor {
            refresh.roles = g.role_ids;
            TokenKind::VisitorRefresh
        } else {
            TokenKind::ResidentRefresh
        };
        let refresh_token =
            token::issue_local(refresh_kind, &refresh, &self.key()).map_err(Error::internal)?;
        let (cell_id, expires) = (self.cell_id.clone(), (now + life.refresh) * 1000);
        self.state
            .db
            .run(move |conn| {
                Ok::<_, Error>(grants::insert(
                    conn,
                    &jti,
                    &cell_id,
                    refresh_kind.prefix(),
                    expires,
                )?)
            })
            .await?;
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": life.access,
            "scope": g.scope.join(" "),
            "refresh_token": refresh_token,
            "refresh_token_expires_in": life.refresh,
        });
        let location = p_target.map(|t| {
            body["p_target"] = Json::String(t.clone());
            format!("{t}__token")
        });
        let cookie = self.cookie_for(&access_token, &mut body)?;
        Ok(TokenResponse {
            body,
            location,
            cookie,
        })
    }

    /// The role URLs of an account's roles as a trans-cell token carries them: class URLs for
    /// roles of schema-bound boxes, instance URLs otherwise (§1.4).
    fn role_urls(&self, roles: &[accounts::HeldRole]) -> Vec<String> {
        roles
            .iter()
            .map(|(_, name, bx, schema)| match (bx, schema) {
                (Some(_), Some(schema)) if schema.starts_with("http") => {
                    format!("{schema}__role/__/{name}")
                }
                (Some(b), _) => format!("{}__role/{b}/{name}", self.url),
                (None, _) => format!("{}__role/__/{name}", self.url),
            })
            .collect()
    }

    /// `grant_type=password`
    async fn password(
        &self,
        req: &TokenRequest,
        client: &Client,
        scope: Vec<String>,
        p_target: Option<String>,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        let username = req.required("username", &self.url)?.to_owned();
        let password = req.required("password", &self.url)?.to_owned();
        let p_owner = owner::requested(req);
        let refuse = if p_owner {
            self.owner_refusal(&username)
        } else {
            None
        };
        let (st, cell_id, ip) = (self.state.clone(), self.cell_id.clone(), req.client_ip);
        let realm = self.url.clone();
        let auth = self
            .state
            .db
            .run(move |conn| {
                let attempt = login::Attempt {
                    username: &username,
                    password: &password,
                    client_ip: ip,
                    now: now_ms(),
                    refuse,
                };
                login::authenticate(conn, &st.settings.security, &cell_id, attempt)
                    .map_err(|e| e.into_oauth(&realm))
            })
            .await?;
        let subject = format!("{}#{}", self.url, auth.name);
        let history = json!({ "last_authenticated": auth.last_authenticated, "failed_count": auth.failed_count });
        if auth.must_change_password {
            let now = now_ms() / 1000;
            let claims = Claims::new(&self.url, &subject, now, life.refresh);
            let ap = token::issue_local(TokenKind::PasswordChange, &claims, &self.key())
                .map_err(Error::internal)?;
            return Err(self
                .err(&codes::PR401_AN_0023)
                .oauth_field("access_token", ap.into())
                .oauth_field("url", format!("{}__mypassword", self.url).into())
                .oauth_field("last_authenticated", history["last_authenticated"].clone())
                .oauth_field("failed_count", history["failed_count"].clone()));
        }
        let mut resp = if p_owner {
            self.unit_local_token(life.access)?
        } else {
            let grant = Grant {
                subject,
                role_ids: Vec::new(),
                role_urls: self.role_urls(&auth.roles),
                scope,
                orig_iss: None,
                visitor: false,
            };
            self.issue(grant, client, p_target, life).await?
        };
        resp.body["last_authenticated"] = history["last_authenticated"].clone();
        resp.body["failed_count"] = history["failed_count"].clone();
        Ok(resp)
    }

    /// `grant_type=refresh_token`: the refresh token is used up and replaced.
    async fn refresh(
        &self,
        req: &TokenRequest,
        client: &Client,
        p_target: Option<String>,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        let presented = req.required("refresh_token", &self.url)?;
        let now = now_ms() / 1000;
        let (kind, claims) = token::verify_local(presented, &self.key(), now).map_err(|e| {
            self.err(codes::by_id(e.pr_code_as_assertion()).unwrap_or(&codes::PR400_AN_0009))
        })?;
        if !kind.is_refresh() || claims.iss != self.url {
            return Err(self.err(&codes::PR400_AN_0013));
        }
        match (&claims.client_id, &client.client_id) {
            (Some(_), None) => return Err(self.err(&codes::PR401_AN_0021)),
            (Some(bound), Some(given)) if bound != given => {
                return Err(self.err(&codes::PR401_AN_0020).param(bound).param(given));
            }
            _ => {}
        }
        if owner::requested(req) {
            return self.refresh_as_owner(kind, &claims, life).await;
        }
        let jti = claims.jti.clone().unwrap_or_default();
        let cell_id = self.cell_id.clone();
        let account = access::account_of(&claims.sub).to_owned();
        let visitor = kind == TokenKind::VisitorRefresh;
        let held = self
            .state
            .db
            .run(move |conn| {
                crate::db::transaction(conn, |conn| {
                    if !grants::consume(conn, &jti, &cell_id)? {
                        return Ok::<_, Error>(None);
                    }
                    if visitor {
                        return Ok(Some(Vec::new()));
                    }
                    let Some(login) = accounts::find_login(conn, &cell_id, &account)? else {
                        return Ok(None);
                    };
                    Ok(Some(accounts::roles_of(conn, &login.id)?))
                })
            })
            .await?
            .ok_or_else(|| self.err(&codes::PR400_AN_0010))?;
        let grant = Grant {
            subject: claims.sub.clone(),
            role_urls: if visitor {
                self.visitor_role_urls(&claims.roles).await?
            } else {
                self.role_urls(&held)
            },
            role_ids: claims.roles.clone(),
            scope: claims.scope.clone(),
            orig_iss: claims.orig_iss.clone(),
            visitor,
        };
        let client = Client {
            client_id: claims.client_id.clone().or(client.client_id.clone()),
            schema: claims.schema.clone(),
        };
        self.issue(grant, &client, p_target, life).await
    }

    /// Instance URLs of this cell's roles, by id.
    async fn visitor_role_urls(&self, ids: &[String]) -> Result<Vec<String>> {
        let ids = ids.to_vec();
        let roles = self
            .state
            .db
            .read(move |conn| Ok::<_, Error>(access_repo::roles_by_ids(conn, &ids)?))
            .await?;
        Ok(roles
            .iter()
            .map(|(_, name, bx)| {
                format!(
                    "{}__role/{}/{name}",
                    self.url,
                    bx.as_deref().unwrap_or("__")
                )
            })
            .collect())
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`: a trans-cell token addressed
    /// to this cell becomes a visitor token with this cell's roles.
    async fn assertion(
        &self,
        req: &TokenRequest,
        client: &Client,
        scope: Vec<String>,
        p_target: Option<String>,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        let assertion = req.required("assertion", &self.url)?;
        let now = now_ms() / 1000;
        let claims = match access::verify_tcat(self.state, assertion, &self.url, now).await? {
            Ok(c) => c,
            Err(e) => {
                let code = codes::by_id(e.pr_code_as_assertion()).unwrap_or(&codes::PR400_AN_0009);
                let mut err = self.err(code);
                if code.id == "PR400-AN-0012" {
                    err = err.param(&self.url);
                }
                return Err(err);
            }
        };
        if req.get("p_owner") == Some("true") {
            return Err(self.err(&codes::PR400_AN_0008));
        }
        let mut role_ids = access::visitor_roles(self.state, &self.cell_id, &claims).await?;
        role_ids.sort();
        let grant = Grant {
            subject: claims.sub.clone(),
            role_urls: self.visitor_role_urls(&role_ids).await?,
            role_ids,
            scope,
            orig_iss: Some(claims.iss.clone()),
            visitor: true,
        };
        self.issue(grant, client, p_target, life).await
    }

    /// `grant_type=authorization_code`: a `GC~` from `__authz`, used once, by the client it
    /// was issued to; an `id_token` too when its scope had `openid`.
    async fn code(
        &self,
        req: &TokenRequest,
        client: &Client,
        p_target: Option<String>,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        // COMPAT(personium): a missing code is an invalid code, not a missing parameter.
        let code = req
            .get("code")
            .ok_or_else(|| self.err(&codes::PR400_AN_0019))?;
        let Some(schema) = client.schema.clone() else {
            return Err(self.err(&codes::PR401_AN_0021));
        };
        if req.get("p_owner") == Some("true") {
            return Err(self.err(&codes::PR400_AN_0008));
        }
        let now = now_ms() / 1000;
        let claims = match token::verify_local(code, &self.key(), now) {
            Ok((TokenKind::GrantCode, c)) if c.iss == self.url => c,
            Ok(_) => return Err(self.err(&codes::PR400_AN_0019)),
            Err(e) => {
                let id = e.pr_code_as_grant_code();
                return Err(self.err(codes::by_id(id).unwrap_or(&codes::PR400_AN_0019)));
            }
        };
        let bound = claims.client_id.clone().unwrap_or_default();
        if client.client_id.as_deref() != Some(bound.as_str()) {
            return Err(self.err(&codes::PR401_AN_0020).param(&bound).param(&schema));
        }
        let (jti, cell_id) = (claims.jti.clone().unwrap_or_default(), self.cell_id.clone());
        let account = access::account_of(&claims.sub).to_owned();
        let held = self
            .state
            .db
            .run(move |conn| {
                crate::db::transaction(conn, |conn| {
                    if !grants::consume(conn, &jti, &cell_id)? {
                        return Ok::<_, Error>(None);
                    }
                    match accounts::find_login(conn, &cell_id, &account)? {
                        Some(login) => Ok(Some(accounts::roles_of(conn, &login.id)?)),
                        None => Ok(None),
                    }
                })
            })
            .await?
            .ok_or_else(|| self.err(&codes::PR400_AN_0019))?;
        let grant = Grant {
            subject: claims.sub.clone(),
            role_ids: Vec::new(),
            role_urls: self.role_urls(&held),
            scope: claims.scope.clone(),
            orig_iss: None,
            visitor: false,
        };
        let mut resp = self.issue(grant, client, p_target, life).await?;
        if claims.scope.iter().any(|s| s == "openid") {
            let key = crate::domain::keys::signing_key(self.state, &self.cell_id).await?;
            // COMPAT(personium): `aud` is the client's token schema (`#c` kept).
            let id_token = token::issue_id_token(
                &self.url,
                access::account_of(&claims.sub),
                &schema,
                now,
                claims.nonce.as_deref(),
                &key,
            )
            .map_err(Error::internal)?;
            resp.body["id_token"] = Json::String(id_token);
        }
        Ok(resp)
    }
}
