//! Who is asking, per cell, and may they (`spec/personium-api.md` §3.4, §5.3): the caller of a
//! cell-level request is resolved from its credentials against the cell (tokens are bound to
//! the cell's keys; roles come from the database), then every operation asks
//! [`CellAccess::require`], which runs the pure decision of `auth::acl`.

use crate::auth::acl::{
    self, AccessRequest, Acl, Caller, CellContents, Challenge, Decision, Level, TokenInfo,
};
use crate::auth::context::is_master_token;
use crate::auth::privilege::{PrivSet, Privilege};
use crate::auth::token::{self, Claims, TokenError, TokenKind};
use crate::auth::{AccessContext, Authorization};
use crate::db::DbConn;
use crate::db::{access as repo, cells as cell_repo};
use crate::error::{codes, Error, Result};
use crate::model::url::local_cell_url_forms;
use crate::state::AppState;
use std::sync::Arc;

/// The caller, resolved against one cell.
#[derive(Clone, Debug)]
pub enum Resolved {
    Anonymous,
    Invalid(&'static str),
    UnitMaster,
    UnitUser {
        owner_match: bool,
        admin: bool,
        contents: CellContents,
    },
    UnitLocal {
        owner_match: bool,
    },
    /// Basic credentials: never accepted at cell level, so not checked here.
    Basic,
    /// Basic credentials of an account of this cell, checked for a box-level request
    /// (`domain::dav::access`); the role ids are sorted.
    BasicAccount {
        account: String,
        roles: Vec<String>,
    },
    Account {
        account: String,
        roles: Arc<[String]>,
        schema: Option<String>,
        scope: String,
    },
    PasswordChange {
        account: String,
    },
    Visitor {
        subject: String,
        roles: Vec<String>,
        schema: Option<String>,
        scope: String,
    },
}

/// The cell a request addresses, and who is asking.
#[derive(Clone, Debug)]
pub struct CellAccess {
    pub id: String,
    pub name: String,
    pub url: String,
    pub owner: Option<String>,
    pub acl: Arc<Acl>,
    pub caller: Resolved,
}

fn scope_set(scope: &str) -> PrivSet {
    PrivSet::from_scope(scope)
}

impl CellAccess {
    /// Looks the cell up (`PR404-DV-0003`) and resolves the caller against it.
    pub async fn resolve(state: &AppState, ctx: &AccessContext, cell: &str) -> Result<CellAccess> {
        let row = crate::domain::cells::cached(state, cell).await?;
        let mut access = CellAccess {
            id: row.id.clone(),
            name: row.name.clone(),
            url: state.cell_url(&row.name),
            owner: row.owner.clone(),
            acl: row.acl.clone(),
            caller: Resolved::Anonymous,
        };
        access.caller = resolve_caller(state, ctx, &access).await?;
        Ok(access)
    }

    /// Runs a write to this cell in one transaction, then drops what the access cache holds
    /// about the cell (its row, ACL and account roles), committed or not.
    pub async fn write<T, F>(&self, state: &AppState, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let out = state
            .db
            .run(move |conn| crate::db::transaction(conn, f))
            .await;
        state.access_cache.invalidate(&self.id, &self.name);
        out
    }

    fn with_caller<T>(&self, f: impl FnOnce(&Caller<'_>) -> T) -> T {
        fn info<'a>(schema: &'a Option<String>, scope: &str) -> TokenInfo<'a> {
            TokenInfo {
                schema: schema.as_deref(),
                scope: scope_set(scope),
            }
        }
        let caller = match &self.caller {
            Resolved::Anonymous => Caller::Anonymous,
            Resolved::Invalid(code) => Caller::Invalid(code),
            Resolved::UnitMaster => Caller::UnitMaster,
            Resolved::UnitUser {
                owner_match,
                admin,
                contents,
            } => Caller::UnitUser {
                admin: *admin,
                owner_match: *owner_match,
                contents: *contents,
            },
            Resolved::UnitLocal { owner_match } => Caller::UnitLocal {
                owner_match: *owner_match,
            },
            Resolved::Basic => Caller::Basic { roles: &[] },
            Resolved::BasicAccount { roles, .. } => Caller::Basic { roles },
            Resolved::Account {
                roles,
                schema,
                scope,
                ..
            } => Caller::Account {
                roles,
                token: info(schema, scope),
            },
            Resolved::PasswordChange { .. } => Caller::PasswordChange {
                token: TokenInfo {
                    schema: None,
                    scope: PrivSet::EMPTY,
                },
            },
            Resolved::Visitor {
                roles,
                schema,
                scope,
                ..
            } => Caller::Visitor {
                roles,
                token: info(schema, scope),
            },
        };
        f(&caller)
    }

    /// Requires a privilege at cell level: 401/403 with Personium's codes otherwise.
    pub fn require(&self, required: Privilege) -> Result<()> {
        self.require_at(Level::Cell, &[], required)
    }

    /// Requires a privilege at `level`: in a box, `chain` holds the ACLs from the resource up
    /// to the box root, nearest first (§3.4 step 6); at cell level it is ignored.
    pub fn require_at(&self, level: Level<'_>, chain: &[&Acl], required: Privilege) -> Result<()> {
        let decision = self.with_caller(|caller| {
            acl::decide(&AccessRequest {
                required,
                caller,
                level,
                chain,
                cell_acl: &self.acl,
            })
        });
        match decision {
            Decision::Allow => Ok(()),
            Decision::Deny(denial) => {
                let code = codes::by_id(denial.code).unwrap_or(&codes::PR403_AU_0002);
                let mut err = Error::new(code);
                if let Some(p) = denial.param(required) {
                    err = err.param(p);
                }
                match denial.challenge {
                    Challenge::None => {}
                    Challenge::Bearer => {
                        err = err
                            .header("WWW-Authenticate", format!("Bearer realm=\"{}\"", self.url));
                    }
                    Challenge::BearerAndBasic => {
                        err = err
                            .header("WWW-Authenticate", format!("Bearer realm=\"{}\"", self.url))
                            .header("WWW-Authenticate", format!("Basic realm=\"{}\"", self.url));
                    }
                }
                Err(err)
            }
        }
    }

    /// True when the caller holds `required` through `chain` (box level) or the cell ACL,
    /// without the schema and scope checks: whether PROPFIND shows the ACL.
    pub fn can_read_acl_at(&self, level: Level<'_>, chain: &[&Acl], required: Privilege) -> bool {
        self.with_caller(|caller| {
            acl::can_read_acl(&AccessRequest {
                required,
                caller,
                level,
                chain,
                cell_acl: &self.acl,
            })
        })
    }

    /// True when the caller may see the cell ACL (PROPFIND).
    pub fn can_read_acl(&self) -> bool {
        self.can_read_acl_at(Level::Cell, &[], Privilege::AclRead)
    }

    /// True when the caller is a unit-level administrator of this cell (MT, or its owner).
    pub fn is_unit_admin(&self) -> bool {
        matches!(
            self.caller,
            Resolved::UnitMaster
                | Resolved::UnitUser {
                    owner_match: true,
                    ..
                }
                | Resolved::UnitUser { admin: true, .. }
                | Resolved::UnitLocal { owner_match: true }
        )
    }
}

/// Classifies the credentials of a request for this cell.
async fn resolve_caller(
    state: &AppState,
    ctx: &AccessContext,
    cell: &CellAccess,
) -> Result<Resolved> {
    let Some(value) = ctx.authorization.as_deref() else {
        // A failed cookie authentication (§5.2) has no Authorization to classify.
        if let crate::auth::Principal::Invalid(code) = ctx.principal {
            return Ok(Resolved::Invalid(code.id));
        }
        return Ok(Resolved::Anonymous);
    };
    let bearer = match Authorization::parse(value) {
        Authorization::Bearer(token) => token,
        Authorization::Basic(_) => return Ok(Resolved::Basic),
        Authorization::Other => return Ok(Resolved::Invalid("PR401-AU-0003")),
    };
    if is_master_token(bearer, state.master_token().expose()) {
        return Ok(match ctx.unit_user.as_deref().filter(|s| !s.is_empty()) {
            None => Resolved::UnitMaster,
            Some(subject) => Resolved::UnitUser {
                owner_match: cell.owner.as_deref() == Some(owner_form(state, subject).as_str()),
                admin: false,
                contents: CellContents::None,
            },
        });
    }
    let now = crate::model::time::now_ms() / 1000;
    match token::peek(bearer) {
        Some((TokenKind::UnitLocalUnitUser, _)) => Ok(
            match token::verify_local(bearer, &state.unit_token_key(), now) {
                Ok((_, claims)) => Resolved::UnitLocal {
                    owner_match: cell.owner.as_deref()
                        == Some(owner_form(state, &claims.sub).as_str()),
                },
                Err(e) => Resolved::Invalid(e.pr_code()),
            },
        ),
        Some((TokenKind::TransCell, _)) => resolve_tcat(state, ctx, cell, bearer, now).await,
        Some(_) => match verify_cell_token(state, bearer, &cell.id, now) {
            Ok((kind, claims)) if claims.iss == cell.url => {
                resolve_local(state, cell, kind, &claims).await
            }
            Ok(_) => Ok(Resolved::Invalid("PR401-AU-0006")),
            // COMPAT(personium): a cell token that this cell's key does not open (another
            // cell's, or forged) cannot be read there: a parse error, not a signature error.
            Err(TokenError::BadSignature) => Ok(Resolved::Invalid("PR401-AU-0006")),
            Err(e) => Ok(Resolved::Invalid(e.pr_code())),
        },
        None => Ok(Resolved::Invalid("PR401-AU-0006")),
    }
}

/// A cell-local access token checked against the cell's key, through the access cache.
fn verify_cell_token(
    state: &AppState,
    bearer: &str,
    cell_id: &str,
    now: i64,
) -> std::result::Result<(TokenKind, Arc<Claims>), TokenError> {
    if let Some(hit) = state.access_cache.token(bearer, cell_id, now) {
        return Ok(hit);
    }
    let (kind, claims) = token::verify_bearer_local(bearer, &state.cell_token_key(cell_id), now)?;
    let claims = Arc::new(claims);
    state
        .access_cache
        .put_token(bearer, cell_id, kind, claims.clone());
    Ok((kind, claims))
}

/// The account name of a resident subject `{cell URL}#{account}`.
pub fn account_of(subject: &str) -> &str {
    subject.rsplit_once('#').map_or(subject, |(_, a)| a)
}

async fn resolve_local(
    state: &AppState,
    cell: &CellAccess,
    kind: TokenKind,
    claims: &Claims,
) -> Result<Resolved> {
    let scope = claims.scope_string();
    Ok(match kind {
        TokenKind::ResidentAccess => {
            let account = account_of(&claims.sub).to_owned();
            let roles = account_roles(state, &cell.id, &account).await?;
            Resolved::Account {
                account,
                roles,
                schema: claims.schema.clone(),
                scope,
            }
        }
        TokenKind::PasswordChange => Resolved::PasswordChange {
            account: account_of(&claims.sub).to_owned(),
        },
        TokenKind::VisitorAccess => {
            let mut roles = claims.roles.clone();
            roles.sort();
            Resolved::Visitor {
                subject: claims.sub.clone(),
                roles,
                schema: claims.schema.clone(),
                scope,
            }
        }
        _ => Resolved::Invalid("PR401-AU-0006"),
    })
}

/// The role ids of a resident account, through the access cache (none for an unknown account).
async fn account_roles(state: &AppState, cell_id: &str, account: &str) -> Result<Arc<[String]>> {
    let cache = &state.access_cache;
    if let Some(roles) = cache.roles(cell_id, account) {
        return Ok(roles);
    }
    let since = cache.generation();
    let (id, name) = (cell_id.to_owned(), account.to_owned());
    let roles: Arc<[String]> = state
        .db
        .read(move |conn| Ok::<_, Error>(repo::account_role_ids_by_name(conn, &id, &name)?))
        .await?
        .unwrap_or_default()
        .into();
    cache.put_roles(since, cell_id, account, roles.clone());
    Ok(roles)
}

/// A trans-cell token addressed to this cell (a visitor), or to the Unit (a unit user token).
async fn resolve_tcat(
    state: &AppState,
    ctx: &AccessContext,
    cell: &CellAccess,
    bearer: &str,
    now: i64,
) -> Result<Resolved> {
    let verified = verify_tcat(state, bearer, &cell.url, now).await?;
    let claims = match verified {
        Ok(c) => c,
        Err(TokenError::WrongTarget(_)) => {
            return Ok(match unit_user_token(state, ctx, bearer, now).await? {
                UnitToken::User { subject, contents } => Resolved::UnitUser {
                    owner_match: cell.owner.as_deref()
                        == Some(owner_form(state, &subject).as_str()),
                    admin: false,
                    contents,
                },
                UnitToken::Admin { contents } => Resolved::UnitUser {
                    owner_match: false,
                    admin: true,
                    contents,
                },
                UnitToken::NotTrusted => Resolved::Invalid("PR401-AU-0006"),
                UnitToken::Invalid(code) => Resolved::Invalid(code),
            });
        }
        Err(e) => return Ok(Resolved::Invalid(e.pr_code())),
    };
    let roles = visitor_roles(state, &cell.id, &claims).await?;
    Ok(Resolved::Visitor {
        subject: claims.sub.clone(),
        roles,
        scope: claims.scope_string(),
        schema: claims.schema,
    })
}

/// Verifies a trans-cell token from a cell of this Unit against `audience`; the inner error
/// says why it failed (each caller maps it to its own Personium code).
pub async fn verify_tcat(
    state: &AppState,
    jwt: &str,
    audience: &str,
    now: i64,
) -> Result<std::result::Result<Claims, TokenError>> {
    let Some(issuer) = token::peek_issuer(jwt) else {
        return Ok(Err(TokenError::Malformed));
    };
    let mode = state.settings.unit.cell_url_mode;
    let Some(issuer_cell) = state.unit_url.cell_name_of(&issuer, mode) else {
        // A cell on another Unit: its keys come from its __certs.
        if !(issuer.starts_with("http://") || issuer.starts_with("https://"))
            || !issuer.ends_with('/')
        {
            return Ok(Err(TokenError::Malformed));
        }
        let kid = token::peek_kid(jwt);
        let keys = crate::domain::certs::keys_of(state, &issuer, kid.as_deref()).await?;
        let lookup = |kid: &str| keys.iter().find(|k| k.kid() == kid).cloned();
        return Ok(token::verify_tcat(jwt, &lookup, audience, now));
    };
    let (st, jwt, audience) = (state.clone(), jwt.to_owned(), audience.to_owned());
    state
        .db
        .read(move |conn| {
            let Some(row) = cell_repo::find_by_name(conn, &issuer_cell)? else {
                return Ok(Err(TokenError::UnknownKey(issuer)));
            };
            if st.cell_url(&row.name) != issuer {
                return Ok(Err(TokenError::Malformed));
            }
            let keys: Vec<_> = crate::db::keys::of_cell(conn, &row.id)?
                .iter()
                .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
                .filter_map(|jwk| crate::auth::keys::verifying_key_from_jwk(&jwk).ok())
                .collect();
            let lookup = |kid: &str| keys.iter().find(|k| k.kid() == kid).cloned();
            Ok(token::verify_tcat(&jwt, &lookup, &audience, now))
        })
        .await
}

/// This cell's roles for a visitor carrying `claims` (§3.4 role set per token).
pub async fn visitor_roles(
    state: &AppState,
    cell_id: &str,
    claims: &Claims,
) -> Result<Vec<String>> {
    let mode = state.settings.unit.cell_url_mode;
    let issuer = claims
        .orig_iss
        .clone()
        .unwrap_or_else(|| claims.iss.clone());
    let forms = match state.unit_url.cell_name_of(&issuer, mode) {
        Some(name) => local_cell_url_forms(&issuer, &name),
        None => vec![issuer],
    };
    let (cell_id, token_roles) = (cell_id.to_owned(), claims.roles.clone());
    state
        .db
        .read(move |conn| {
            Ok::<_, Error>(repo::visitor_role_ids(
                conn,
                &cell_id,
                &forms,
                &token_roles,
            )?)
        })
        .await
}

/// What a token addressed to the Unit makes its bearer (§4.1 unit user tokens).
pub enum UnitToken {
    /// A unit user acting for `subject` (UUT, or UnitAdmin demoted by `X-Personium-Unit-User`).
    User {
        subject: String,
        contents: CellContents,
    },
    /// A UUT with the issuer's `UnitAdmin` role.
    Admin { contents: CellContents },
    /// Valid, but the issuer is not a trusted unit user issuer.
    NotTrusted,
    /// Unusable; the Bearer PR code.
    Invalid(&'static str),
}

/// Classifies a trans-cell token addressed to this Unit.
pub async fn unit_user_token(
    state: &AppState,
    ctx: &AccessContext,
    jwt: &str,
    now: i64,
) -> Result<UnitToken> {
    let claims = match verify_tcat(state, jwt, state.unit_url.as_str(), now).await? {
        Ok(c) => c,
        Err(e) => return Ok(UnitToken::Invalid(e.pr_code())),
    };
    if !state
        .settings
        .security
        .unit_user_issuers
        .contains(&claims.iss)
    {
        return Ok(UnitToken::NotTrusted);
    }
    let has = |role: &str| {
        claims
            .roles
            .iter()
            .any(|r| *r == format!("{}__role/__/{role}", claims.iss))
    };
    let contents = if has("CellContentsAdmin") {
        CellContents::Admin
    } else if has("CellContentsReader") {
        CellContents::Reader
    } else {
        CellContents::None
    };
    Ok(
        match (
            has("UnitAdmin"),
            ctx.unit_user.as_deref().filter(|s| !s.is_empty()),
        ) {
            (true, None) => UnitToken::Admin { contents },
            (true, Some(subject)) => UnitToken::User {
                subject: subject.to_owned(),
                contents,
            },
            (false, _) => UnitToken::User {
                subject: claims.sub,
                contents,
            },
        },
    )
}

/// The unit-level caller: the master token (classified already), a unit user token, or a
/// unit-local unit user token (`AU~`).
pub async fn for_unit(state: &AppState, ctx: &AccessContext) -> Result<AccessContext> {
    use crate::auth::Principal;
    let bearer = ctx
        .authorization
        .as_deref()
        .and_then(|v| Authorization::parse(v).bearer())
        .map(str::to_owned);
    let (Principal::Invalid(_), Some(bearer)) = (&ctx.principal, bearer) else {
        return Ok(ctx.clone());
    };
    let now = crate::model::time::now_ms() / 1000;
    let principal = match token::peek(&bearer) {
        Some((TokenKind::UnitLocalUnitUser, _)) => {
            match token::verify_local(&bearer, &state.unit_token_key(), now) {
                Ok((_, claims)) => Principal::UnitUser {
                    subject: claims.sub,
                },
                Err(e) => {
                    Principal::Invalid(codes::by_id(e.pr_code()).unwrap_or(&codes::PR401_AU_0006))
                }
            }
        }
        Some((TokenKind::TransCell, _)) => match unit_user_token(state, ctx, &bearer, now).await? {
            UnitToken::User { subject, .. } => Principal::UnitUser { subject },
            UnitToken::Admin { .. } => Principal::UnitAdmin,
            UnitToken::NotTrusted => Principal::NotUnitUser,
            UnitToken::Invalid(code) => {
                Principal::Invalid(codes::by_id(code).unwrap_or(&codes::PR401_AU_0006))
            }
        },
        _ => return Ok(ctx.clone()),
    };
    Ok(AccessContext {
        principal,
        ..ctx.clone()
    })
}

/// The owner spelling of a unit-user subject: `personium-localunit:` form for URLs on this
/// Unit.
pub fn owner_form(state: &AppState, subject: &str) -> String {
    match subject.strip_prefix(state.unit_url.as_str()) {
        Some(rest) => format!("personium-localunit:/{rest}"),
        None => subject.to_owned(),
    }
}
