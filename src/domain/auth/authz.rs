//! `GET|POST {C}__authz` (`spec/personium-api.md` §5.4): the OAuth 2.0 authorization endpoint
//! of a cell. It checks the client (`client_id`, an app cell URL) and its `redirect_uri`, shows
//! the login form, checks the password posted back, and answers with a 303 redirect: to
//! `redirect_uri` with a code (`GC~`), an access token (`AR~`) or an OIDC `id_token`; back to
//! the form with an error; or, for an unusable client, to `{C}__html/error?code=`.
//!
//! The pages themselves are rendered by `http::cell::authz_html`; this module decides what to
//! show and where to send the browser. Parameter checks and URL building live in
//! [`redirect`](super::authz_redirect).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use super::authz_redirect::{self as rd, Client, OAuthError};
use super::discovery::schema_forms;
use super::login;
use crate::auth::password;
use crate::auth::token::{self, Claims, TokenError, TokenKind, GRANT_CODE_LIFETIME_SECS};
use crate::db::{accounts, box_lookup, grants};
use crate::domain::access::account_of;
use crate::error::{Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

pub use super::authz_redirect::message_for;
use crate::domain::cell_props::CellProps;

/// A request to the endpoint: the query (GET) or form (POST) parameters, first occurrence of
/// each name.
pub struct AuthzRequest {
    pub params: HashMap<String, String>,
    pub post: bool,
    pub client_ip: Option<Ipv4Addr>,
}

impl AuthzRequest {
    fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// What the endpoint answers.
#[derive(Debug)]
pub enum Outcome {
    /// 303 See Other to this URL.
    Redirect(String),
    /// 200 with the login form.
    LoginForm(Form),
    /// 200 with the form that sets a new password (account status `passwordChangeRequired`).
    PasswordChangeForm(Form),
    /// 200 with the cell's own login or password-change page (§5.4 `p:authorizationhtmlurl`).
    CustomPage(String),
}

/// What a form page shows and posts back.
#[derive(Debug)]
pub struct Form {
    /// `{C}__authz`, where the form posts to.
    pub action: String,
    pub cell_url: String,
    /// The app asking for access (normalised `client_id`).
    pub client_id: String,
    /// `scheme://host[:port]` of the app, where a successful POST redirects to.
    pub client_origin: String,
    /// Hidden fields (name, value), unescaped.
    pub hidden: Vec<(&'static str, String)>,
    /// The text to show above the form, and whether it reports a failure.
    pub message: String,
    pub is_error: bool,
}

/// PS-AU message codes of the form pages (Personium's `personium-messages.properties`).
mod msg {
    pub const PASS_FORM: &str = "PS-AU-0002";
    pub const NO_ID_PASS: &str = "PS-AU-0003";
    pub const INCORRECT_ID_PASS: &str = "PS-AU-0004";
    pub const EXPIRED: &str = "PS-AU-0005";
    pub const CHANGE_REQUIRED: &str = "PS-AU-0006";
    pub const CHANGE_NO_PASS: &str = "PS-AU-0007";
    pub const CHANGE_FORMAT_INVALID: &str = "PS-AU-0008";
}

/// The cell the endpoint serves, the validated client and the request's common parameters.
struct Flow<'a> {
    state: &'a AppState,
    cell_id: String,
    cell_url: String,
    client: Client,
    req: &'a AuthzRequest,
    response_type: &'a str,
    /// Arbitrated scopes (`root` when none was asked for).
    scope: Vec<String>,
    access_secs: i64,
}

/// `GET|POST {C}__authz`
pub async fn authorize(state: &AppState, cell_name: &str, req: AuthzRequest) -> Result<Outcome> {
    let row = crate::domain::cells::find(state, cell_name).await?;
    let cell_url = state.cell_url(&row.name);
    let props = CellProps::from_row(row.props.as_deref());
    let client = match rd::validate_client(&cell_url, req.get("client_id"), req.get("redirect_uri"))
    {
        Ok(c) => c,
        Err(code) => return Ok(Outcome::Redirect(rd::error_page(&cell_url, code))),
    };
    let response_type = req.get("response_type").unwrap_or("");
    let redirect = |error: OAuthError, code: &str| {
        Ok(Outcome::Redirect(client.error_redirect(
            response_type,
            error,
            code,
            req.non_empty("state"),
        )))
    };
    if response_type.is_empty() {
        return redirect(OAuthError::InvalidRequest, "PR400-AZ-0004");
    }
    let default_secs = state.settings.security.access_token_secs;
    let access_secs = match req.non_empty("expires_in") {
        None => default_secs.min(TokenKind::ResidentAccess.max_lifetime_secs()),
        Some(v) => match v
            .parse::<i64>()
            .ok()
            .and_then(|n| TokenKind::ResidentAccess.checked_lifetime(Some(n)))
        {
            Some(n) => n,
            None => return redirect(OAuthError::InvalidRequest, "PR400-AZ-0008"),
        },
    };
    let scope = super::client::arbitrate_scope(req.get("scope"));
    let openid = scope.iter().any(|s| s == "openid");
    let supported = match response_type {
        "code" | "token" => true,
        "id_token" => openid,
        _ => false,
    };
    if !supported {
        return redirect(OAuthError::UnsupportedResponseType, "PR400-AZ-0001");
    }
    if req.is_true("cancel_flg") {
        return redirect(OAuthError::UnauthorizedClient, "PR401-AZ-0001");
    }
    let flow = Flow {
        state,
        cell_id: row.id,
        cell_url,
        client,
        req: &req,
        response_type,
        scope,
        access_secs,
    };
    if !req.post {
        // COMPAT(personium): credentials are never taken from a query string; p_cookie login
        // (Tier 3) is not supported, so a GET always shows a form.
        let password_change = req.is_true("password_change_required");
        if let Some(html) =
            crate::domain::cell_pages::login_page(state, &flow.cell_url, &props, password_change)
                .await
        {
            return Ok(Outcome::CustomPage(html));
        }
        return Ok(if password_change {
            Outcome::PasswordChangeForm(flow.form(true))
        } else {
            Outcome::LoginForm(flow.form(false))
        });
    }
    if let Some(ap) = req.non_empty("access_token") {
        return flow.change_password(ap).await;
    }
    match (req.get("username"), req.get("password")) {
        (None, None) => Ok(flow.back_to_form(OAuthError::InvalidRequest, msg::NO_ID_PASS, None)),
        (user, pw) => flow.login(user.unwrap_or(""), pw.unwrap_or("")).await,
    }
}

impl Flow<'_> {
    /// The login or password-change form, with the request's parameters as hidden fields.
    fn form(&self, password_change: bool) -> Form {
        let mut hidden: Vec<(&'static str, String)> = vec![
            ("response_type", self.response_type.to_owned()),
            ("client_id", self.client.client_id.clone()),
            ("redirect_uri", self.client.redirect_uri.clone()),
        ];
        for name in ["state", "scope", "expires_in", "nonce"] {
            if let Some(v) = self.req.non_empty(name) {
                hidden.push((name, v.to_owned()));
            }
        }
        let default = if password_change {
            if let Some(ap) = self.req.non_empty("access_token") {
                hidden.push(("access_token", ap.to_owned()));
            }
            hidden.push(("password_change_required", "true".to_owned()));
            msg::CHANGE_REQUIRED
        } else {
            msg::PASS_FORM
        };
        // A failed POST comes back here with `code`; only known codes are shown.
        let shown = self
            .req
            .non_empty("code")
            .and_then(|c| message_for(c).map(|m| (m, self.req.non_empty("error").is_some())));
        let (message, is_error) =
            shown.unwrap_or_else(|| (message_for(default).unwrap_or_default(), false));
        Form {
            action: format!("{}__authz", self.cell_url),
            cell_url: self.cell_url.clone(),
            client_id: self.client.client_id.clone(),
            client_origin: self.client.origin.clone(),
            hidden,
            message,
            is_error,
        }
    }

    /// 303 back to the form with an error (`access_token` keeps a password change going).
    fn back_to_form(&self, error: OAuthError, code: &str, ap: Option<&str>) -> Outcome {
        Outcome::Redirect(rd::form_redirect(
            &self.cell_url,
            &self.client,
            self.response_type,
            self.req,
            error,
            code,
            ap,
        ))
    }

    /// 303 to `redirect_uri` with an error.
    fn to_client_with_error(&self, error: OAuthError, code: &str) -> Outcome {
        Outcome::Redirect(self.client.error_redirect(
            self.response_type,
            error,
            code,
            self.req.non_empty("state"),
        ))
    }

    /// A posted user name and password.
    async fn login(&self, username: &str, pw: &str) -> Result<Outcome> {
        if username.is_empty() || pw.is_empty() {
            return Ok(self.back_to_form(OAuthError::InvalidRequest, msg::NO_ID_PASS, None));
        }
        let (st, cell_id, ip) = (self.state.clone(), self.cell_id.clone(), self.req.client_ip);
        let (user, pw) = (username.to_owned(), pw.to_owned());
        let checked = self
            .state
            .db
            .run(move |conn| {
                let attempt = login::Attempt {
                    username: &user,
                    password: &pw,
                    client_ip: ip,
                    now: now_ms(),
                    refuse: None,
                };
                login::authenticate(conn, &st.settings.security, &cell_id, attempt)
            })
            .await;
        let auth = match checked {
            Ok(auth) => auth,
            Err(e) if e.code().status < 500 => {
                return Ok(self.back_to_form(
                    OAuthError::InvalidGrant,
                    msg::INCORRECT_ID_PASS,
                    None,
                ))
            }
            Err(e) => {
                tracing::error!(error = ?e, "authorization endpoint: login failed");
                return Ok(self.to_client_with_error(OAuthError::ServerError, e.code().id));
            }
        };
        let now = now_ms() / 1000;
        let subject = format!("{}#{}", self.cell_url, auth.name);
        let key = self.state.cell_token_key(&self.cell_id);
        if auth.must_change_password {
            // COMPAT(personium): `__authz` gives the password-change token the access lifetime.
            let mut claims = Claims::new(&self.cell_url, &subject, now, self.access_secs);
            claims.schema = Some(self.client.client_id.clone());
            claims.scope = self.scope.clone();
            let ap = token::issue_local(TokenKind::PasswordChange, &claims, &key)
                .map_err(Error::internal)?;
            return Ok(self.back_to_form(
                OAuthError::UnauthorizedClient,
                msg::CHANGE_REQUIRED,
                Some(&ap),
            ));
        }
        let mut params: Vec<(&str, String)> = match self.response_type {
            "token" => {
                // COMPAT(personium): the implicit-flow token has the client as schema and an
                // empty scope (no cell-level privileges).
                let mut claims = Claims::new(&self.cell_url, &subject, now, self.access_secs);
                claims.schema = Some(self.client.client_id.clone());
                let at = token::issue_local(TokenKind::ResidentAccess, &claims, &key)
                    .map_err(Error::internal)?;
                vec![
                    ("access_token", at),
                    ("token_type", "Bearer".to_owned()),
                    ("expires_in", self.access_secs.to_string()),
                ]
            }
            "code" => vec![("code", self.grant_code(&subject, now).await?)],
            _ => vec![("id_token", self.id_token(&auth.name, now).await?)],
        };
        if let Some(s) = self.req.non_empty("state") {
            params.push(("state", s.to_owned()));
        }
        let last = auth
            .last_authenticated
            .map_or_else(|| "null".to_owned(), |t| t.to_string());
        params.push(("last_authenticated", last));
        params.push(("failed_count", auth.failed_count.to_string()));
        if !self.box_installed().await? {
            params.push(("box_not_installed", "true".to_owned()));
        }
        Ok(Outcome::Redirect(
            self.client.success_redirect(self.response_type, &params),
        ))
    }

    /// A `GC~` for the client, usable once within 600 s (its jti is recorded in
    /// `token_grants` and deleted by the code grant).
    async fn grant_code(&self, subject: &str, now: i64) -> Result<String> {
        let jti = uuid::Uuid::new_v4().simple().to_string();
        let mut claims = Claims::new(&self.cell_url, subject, now, GRANT_CODE_LIFETIME_SECS);
        claims.jti = Some(jti.clone());
        claims.schema = Some(self.client.client_id.clone());
        claims.client_id = Some(self.client.client_id.clone());
        claims.scope = self.scope.clone();
        claims.redirect_uri = Some(self.client.redirect_uri.clone());
        claims.nonce = self.req.non_empty("nonce").map(str::to_owned);
        let code = token::issue_local(
            TokenKind::GrantCode,
            &claims,
            &self.state.cell_token_key(&self.cell_id),
        )
        .map_err(Error::internal)?;
        let (cell_id, expires) = (self.cell_id.clone(), claims.exp * 1000);
        let kind = TokenKind::GrantCode.prefix();
        self.state
            .db
            .run(move |conn| Ok::<_, Error>(grants::insert(conn, &jti, &cell_id, kind, expires)?))
            .await?;
        Ok(code)
    }

    /// An OIDC `id_token` for the account (`aud` = the client).
    async fn id_token(&self, account: &str, now: i64) -> Result<String> {
        let key = crate::domain::keys::signing_key(self.state, &self.cell_id).await?;
        token::issue_id_token(
            &self.cell_url,
            account,
            &self.client.client_id,
            now,
            self.req.non_empty("nonce"),
            &key,
        )
        .map_err(Error::internal)
    }

    /// True when a box of this cell has the client as its Schema.
    async fn box_installed(&self) -> Result<bool> {
        let forms = schema_forms(self.state, &self.client.client_id);
        let cell_id = self.cell_id.clone();
        let found = self
            .state
            .db
            .read(move |conn| Ok::<_, Error>(box_lookup::find_by_schema(conn, &cell_id, &forms)?))
            .await?;
        Ok(found.is_some())
    }

    /// A new password posted with the `AP~` of a password-change redirect; then a login.
    async fn change_password(&self, ap: &str) -> Result<Outcome> {
        let Some(new) = self.req.non_empty("password") else {
            return Ok(self.back_to_form(
                OAuthError::InvalidRequest,
                msg::CHANGE_NO_PASS,
                Some(ap),
            ));
        };
        let now = now_ms() / 1000;
        let claims = match token::verify_local(ap, &self.state.cell_token_key(&self.cell_id), now) {
            Ok((TokenKind::PasswordChange, c)) if c.iss == self.cell_url => c,
            Err(TokenError::Expired {
                kind: TokenKind::PasswordChange,
            }) => return Ok(self.back_to_form(OAuthError::UnauthorizedClient, msg::EXPIRED, None)),
            _ => {
                return Ok(self.back_to_form(OAuthError::UnauthorizedClient, msg::PASS_FORM, None))
            }
        };
        if !password::is_valid_format(new) {
            return Ok(self.back_to_form(
                OAuthError::InvalidRequest,
                msg::CHANGE_FORMAT_INVALID,
                Some(ap),
            ));
        }
        let account = account_of(&claims.sub).to_owned();
        let (cell_id, name, pw) = (self.cell_id.clone(), account.clone(), new.to_owned());
        let changed = self
            .state
            .db
            .run(move |conn| {
                let Some(row) = accounts::find_login(conn, &cell_id, &name)? else {
                    return Ok::<_, Error>(false);
                };
                let hash = password::hash(&pw).map_err(Error::internal)?;
                let activate = row.status == "passwordChangeRequired";
                accounts::set_password(conn, &row.id, &hash, activate, now_ms())?;
                Ok(true)
            })
            .await?;
        if !changed {
            return Ok(self.back_to_form(OAuthError::InvalidGrant, msg::INCORRECT_ID_PASS, None));
        }
        self.login(&account, new).await
    }
}
