//! Token codec: every Personium token kind, issued and verified without a database
//! (`spec/personium-api.md` §5.1 token endpoint, §5.2 token types, §5.3 access types, §4.1 unit
//! user tokens, §1.4 role URLs carried in trans-cell tokens).
//!
//! Our encoding (Personium clients treat tokens as opaque; only the prefixes are kept):
//! - **Cell-local tokens** `AR~ RR~ AV~ RV~ AP~ GC~` = prefix + compact JWS (RFC 7515), HS256
//!   under a per-cell key derived by HKDF-SHA256 from the unit secret key
//!   ([`keys::labels::TOKEN`] + cell id, see [`local_key`]). Only the issuing Unit verifies them,
//!   so no key is stored and verification costs a few microseconds. The payload carries a
//!   `knd` claim that must match the prefix, so a refresh token re-prefixed `AR~` is refused.
//! - **`AU~`** (unit-local unit user token) is the same, but keyed to the Unit
//!   ([`unit_local_key`]): Personium parses it with the unit URL as issuer because it is used at
//!   unit level (`__ctl/Cell`), where there is no cell.
//! - **Trans-cell access tokens (TCAT)**, including unit user tokens (UUT) = a plain JWT (no
//!   prefix), RS256 with the issuing cell's key, header `kid`; `iss` = issuer cell URL, `aud` =
//!   target cell (or unit) URL, `rol` = role class/instance URLs, `scp` = scopes. A target Unit
//!   verifies it against the issuer's `__certs`. Personium itself uses signed SAML assertions
//!   here, so TCATs interoperate between unitcell Units only.
//! - OIDC `id_token` = JWT RS256 with `kid` from `__certs` ([`issue_id_token`]).
//!
//! Times are whole seconds since the Unix epoch; a token is expired when `now >= exp`.
//! Which kinds a request may use is the caller's decision; [`verify_bearer_local`] applies
//! Personium's `Authorization: Bearer` rules, and [`TokenError`] gives the PR code per context.

use std::sync::LazyLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::auth::keys::{self, CellSigningKey, UnitSecret, VerifyingKey};

/// The kinds of token, by Personium prefix (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// `AR~` resident local access token (an account of this cell).
    #[serde(rename = "AR")]
    ResidentAccess,
    /// `RR~` resident refresh token.
    #[serde(rename = "RR")]
    ResidentRefresh,
    /// `AV~` visitor local access token (a foreign subject, roles mapped here).
    #[serde(rename = "AV")]
    VisitorAccess,
    /// `RV~` visitor refresh token.
    #[serde(rename = "RV")]
    VisitorRefresh,
    /// `AP~` password-change access token (only `__mypassword`).
    #[serde(rename = "AP")]
    PasswordChange,
    /// `AU~` unit-local unit user token (ULUUT, from `p_owner=true`).
    #[serde(rename = "AU")]
    UnitLocalUnitUser,
    /// `GC~` authorization code.
    #[serde(rename = "GC")]
    GrantCode,
    /// Trans-cell access token (no prefix); a UUT when the target is a unit.
    #[serde(rename = "TC")]
    TransCell,
}

impl TokenKind {
    /// Every kind that has a prefix.
    pub const PREFIXED: [TokenKind; 7] = [
        TokenKind::ResidentAccess,
        TokenKind::ResidentRefresh,
        TokenKind::VisitorAccess,
        TokenKind::VisitorRefresh,
        TokenKind::PasswordChange,
        TokenKind::UnitLocalUnitUser,
        TokenKind::GrantCode,
    ];

    /// The wire prefix (`""` for trans-cell tokens).
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::ResidentAccess => "AR~",
            TokenKind::ResidentRefresh => "RR~",
            TokenKind::VisitorAccess => "AV~",
            TokenKind::VisitorRefresh => "RV~",
            TokenKind::PasswordChange => "AP~",
            TokenKind::UnitLocalUnitUser => "AU~",
            TokenKind::GrantCode => "GC~",
            TokenKind::TransCell => "",
        }
    }

    /// Lifetime when the request names none (§5.1, §5.2).
    // COMPAT(personium): `AP~` from `__token` lives as long as a refresh token would
    // (`refresh_token_expires_in`); `__authz` issues it with the access `expires_in` instead.
    pub fn default_lifetime_secs(self) -> i64 {
        match self {
            TokenKind::ResidentRefresh | TokenKind::VisitorRefresh | TokenKind::PasswordChange => {
                REFRESH_LIFETIME_SECS
            }
            TokenKind::GrantCode => GRANT_CODE_LIFETIME_SECS,
            TokenKind::ResidentAccess
            | TokenKind::VisitorAccess
            | TokenKind::UnitLocalUnitUser
            | TokenKind::TransCell => ACCESS_LIFETIME_SECS,
        }
    }

    /// Longest lifetime a request may ask for (`expires_in` 1..=3600,
    /// `refresh_token_expires_in` 1..=86400; authorization codes are fixed at 600 s).
    pub fn max_lifetime_secs(self) -> i64 {
        self.default_lifetime_secs()
    }

    /// The lifetime to issue with: the default, or `requested` if within 1..=max.
    /// `None` means the request is invalid (the token endpoint answers `PR400-AN-0016`).
    pub fn checked_lifetime(self, requested: Option<i64>) -> Option<i64> {
        match requested {
            None => Some(self.default_lifetime_secs()),
            Some(s) if (1..=self.max_lifetime_secs()).contains(&s) => Some(s),
            Some(_) => None,
        }
    }

    /// `RR~` and `RV~`.
    pub fn is_refresh(self) -> bool {
        matches!(self, TokenKind::ResidentRefresh | TokenKind::VisitorRefresh)
    }

    /// The kind named by a token's prefix, and the rest of the token.
    pub fn split_prefix(token: &str) -> Option<(TokenKind, &str)> {
        let head = token.get(..3)?;
        let kind = TokenKind::PREFIXED
            .into_iter()
            .find(|k| k.prefix() == head)?;
        Some((kind, &token[3..]))
    }
}

/// Access, visitor, unit-local and trans-cell tokens: 1 hour.
pub const ACCESS_LIFETIME_SECS: i64 = 3600;
/// Refresh tokens: 24 hours.
pub const REFRESH_LIFETIME_SECS: i64 = 86_400;
/// Authorization codes: 10 minutes.
pub const GRANT_CODE_LIFETIME_SECS: i64 = 600;
/// OIDC `id_token`: 1 hour.
pub const ID_TOKEN_LIFETIME_SECS: i64 = 3600;

/// What a token says. One struct for every kind; unused fields stay empty and are not encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuing cell URL (for `AU~`: the unit URL).
    pub iss: String,
    /// Subject: `{cellUrl}#{account}` for residents in TCATs, the account name in local
    /// resident tokens (as Personium), the foreign subject for visitors, the owner for `AU~`.
    pub sub: String,
    /// Target cell or unit URL (TCAT, UUT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    pub iat: i64,
    pub exp: i64,
    /// Unique id (refresh rotation, TCAT id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Client (app) cell URL; a `#c` suffix marks a confidential client.
    #[serde(rename = "sch", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Granted scopes (cell privilege names, role URLs, `openid`).
    #[serde(rename = "scp", default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    /// Role URLs (TCAT, visitor tokens, authorization codes).
    #[serde(rename = "rol", default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Client the token is bound to (authorization code, refresh tokens).
    #[serde(rename = "cid", default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Original issuer of a visitor's TCAT (`RV~`), for re-mapping roles on refresh.
    #[serde(rename = "oiss", default, skip_serializing_if = "Option::is_none")]
    pub orig_iss: Option<String>,
    /// `redirect_uri` an authorization code was issued for.
    #[serde(rename = "rdu", default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// OIDC nonce carried by an authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Unit user token obtained with `p_owner=true` (`AU~`).
    #[serde(rename = "own", default, skip_serializing_if = "is_false")]
    pub owner: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Claims {
    /// Claims with issuer, subject and validity `[iat, iat + lifetime)`.
    pub fn new(iss: impl Into<String>, sub: impl Into<String>, iat: i64, lifetime: i64) -> Claims {
        Claims {
            iss: iss.into(),
            sub: sub.into(),
            iat,
            exp: iat.saturating_add(lifetime),
            ..Claims::default()
        }
    }

    /// Seconds left at `now` (the response's `expires_in`).
    pub fn expires_in(&self, now: i64) -> i64 {
        (self.exp - now).max(0)
    }

    /// Scopes joined by spaces, as the token endpoint echoes them.
    pub fn scope_string(&self) -> String {
        self.scope.join(" ")
    }

    /// The schema marks a confidential client (`#c`).
    pub fn is_confidential(&self) -> bool {
        self.schema.as_deref().is_some_and(|s| s.ends_with("#c"))
    }

    /// The schema URL without the `#c` marker; `None` when the token has no schema.
    pub fn schema_url(&self) -> Option<&str> {
        let s = self.schema.as_deref().filter(|s| !s.is_empty())?;
        Some(s.strip_suffix("#c").unwrap_or(s))
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token cannot be parsed")]
    Malformed,
    #[error("token kind does not match its prefix")]
    KindMismatch,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("no verifying key for kid {0:?}")]
    UnknownKey(String),
    #[error("{kind:?} token expired")]
    Expired { kind: TokenKind },
    #[error("refresh token used as an access token")]
    RefreshAsAccess,
    #[error("password-change token used outside __mypassword")]
    PasswordChangeOnly,
    #[error("not a refresh token")]
    NotRefresh,
    #[error("token target {0:?} is wrong")]
    WrongTarget(String),
    #[error("token cannot be encoded: {0}")]
    Encode(String),
}

impl TokenError {
    /// The code for a token presented as `Authorization: Bearer` (§2.3, `PR401-AU-*`).
    // COMPAT(personium): Personium does not compare a Bearer TCAT's target with the cell; we
    // refuse a wrong target, reported as a parse error.
    pub fn pr_code(&self) -> &'static str {
        match self {
            TokenError::Expired { .. } => "PR401-AU-0002",
            TokenError::Malformed
            | TokenError::KindMismatch
            | TokenError::NotRefresh
            | TokenError::WrongTarget(_) => "PR401-AU-0006",
            TokenError::RefreshAsAccess => "PR401-AU-0007",
            TokenError::BadSignature | TokenError::UnknownKey(_) => "PR401-AU-0008",
            TokenError::PasswordChangeOnly => "PR401-AU-0012",
            TokenError::Encode(_) => "PR500-SV-0000",
        }
    }

    /// The code for a token given to `__token` as `assertion` (saml2-bearer) or
    /// `refresh_token` (§5.1, `PR400-AN-*`).
    pub fn pr_code_as_assertion(&self) -> &'static str {
        match self {
            TokenError::Malformed
            | TokenError::KindMismatch
            | TokenError::RefreshAsAccess
            | TokenError::PasswordChangeOnly => "PR400-AN-0009",
            TokenError::Expired { .. } => "PR400-AN-0010",
            TokenError::BadSignature | TokenError::UnknownKey(_) => "PR400-AN-0011",
            TokenError::WrongTarget(_) => "PR400-AN-0012",
            TokenError::NotRefresh => "PR400-AN-0013",
            TokenError::Encode(_) => "PR500-SV-0000",
        }
    }

    /// The code for a TCAT given as `client_secret` / `client_assertion` (§5.1). An issuer
    /// that is not the `client_id` (`PR400-AN-0006`) is the caller's check.
    pub fn pr_code_as_client_secret(&self) -> &'static str {
        match self {
            TokenError::Expired { .. } => "PR400-AN-0004",
            TokenError::BadSignature | TokenError::UnknownKey(_) => "PR400-AN-0005",
            TokenError::WrongTarget(_) => "PR400-AN-0007",
            TokenError::Encode(_) => "PR500-SV-0000",
            _ => "PR400-AN-0003",
        }
    }

    /// The code for a `code` given to the authorization-code grant (§5.1).
    pub fn pr_code_as_grant_code(&self) -> &'static str {
        match self {
            TokenError::Expired { .. } => "PR400-AN-0010",
            TokenError::BadSignature => "PR400-AN-0011",
            TokenError::Encode(_) => "PR500-SV-0000",
            _ => "PR400-AN-0019",
        }
    }
}

/// HMAC key of one cell's local tokens (or of the Unit's `AU~`). Zeroized on drop.
pub struct LocalKey([u8; 32]);

impl Drop for LocalKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalKey(***)")
    }
}

/// The key of a cell's `AR~ RR~ AV~ RV~ AP~ GC~` tokens. Use the cell's stable id (not its name),
/// so a cell deleted and created again under the same name does not accept old tokens.
pub fn local_key(unit_secret: &UnitSecret, cell_id: &str) -> LocalKey {
    LocalKey(*unit_secret.derive(keys::labels::TOKEN, cell_id.as_bytes()))
}

/// The key of the Unit's `AU~` tokens.
pub fn unit_local_key(unit_secret: &UnitSecret) -> LocalKey {
    LocalKey(*unit_secret.derive(keys::labels::UNIT_TOKEN, b""))
}

/// Claims plus the kind tag, as encoded in the JWS payload.
#[derive(Serialize)]
struct WireOut<'a> {
    knd: TokenKind,
    #[serde(flatten)]
    claims: &'a Claims,
}

#[derive(Deserialize)]
struct WireIn {
    knd: TokenKind,
    #[serde(flatten)]
    claims: Claims,
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    // Expiry and audience are checked here against the caller's clock and target.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    v.leeway = 0;
    v
}

static HS256: LazyLock<Validation> = LazyLock::new(|| validation(Algorithm::HS256));
static RS256: LazyLock<Validation> = LazyLock::new(|| validation(Algorithm::RS256));

fn decode_error(e: jsonwebtoken::errors::Error) -> TokenError {
    match e.kind() {
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
            TokenError::BadSignature
        }
        _ => TokenError::Malformed,
    }
}

/// Issues a cell-local token: `kind`'s prefix + HS256 JWS. `TransCell` is refused.
pub fn issue_local(kind: TokenKind, claims: &Claims, key: &LocalKey) -> Result<String, TokenError> {
    if kind == TokenKind::TransCell {
        return Err(TokenError::Encode("a trans-cell token is not local".into()));
    }
    let jws = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &WireOut { knd: kind, claims },
        &EncodingKey::from_secret(&key.0),
    )
    .map_err(|e| TokenError::Encode(e.to_string()))?;
    Ok([kind.prefix(), &jws].concat())
}

/// Verifies a cell-local token: prefix, signature, prefix = `knd` claim, then expiry.
pub fn verify_local(
    token: &str,
    key: &LocalKey,
    now_secs: i64,
) -> Result<(TokenKind, Claims), TokenError> {
    let (kind, jws) = TokenKind::split_prefix(token).ok_or(TokenError::Malformed)?;
    let data = jsonwebtoken::decode::<WireIn>(jws, &DecodingKey::from_secret(&key.0), &HS256)
        .map_err(decode_error)?;
    if data.claims.knd != kind {
        return Err(TokenError::KindMismatch);
    }
    if now_secs >= data.claims.claims.exp {
        return Err(TokenError::Expired { kind });
    }
    Ok((kind, data.claims.claims))
}

/// [`verify_local`] with Personium's `Authorization: Bearer` rules: a refresh token is
/// refused as such even when expired (`PR401-AU-0007` before `-0002`), and an authorization
/// code is not a credential. `AP~` passes: only `__mypassword` accepts it, the caller answers
/// [`TokenError::PasswordChangeOnly`] elsewhere.
pub fn verify_bearer_local(
    token: &str,
    key: &LocalKey,
    now_secs: i64,
) -> Result<(TokenKind, Claims), TokenError> {
    match verify_local(token, key, now_secs) {
        Ok((kind, _)) | Err(TokenError::Expired { kind }) if kind.is_refresh() => {
            Err(TokenError::RefreshAsAccess)
        }
        Ok((TokenKind::GrantCode, _))
        | Err(TokenError::Expired {
            kind: TokenKind::GrantCode,
        }) => Err(TokenError::Malformed),
        other => other,
    }
}

/// Classifies a token without verifying it: a prefixed kind and its JWS, or `TransCell` for
/// a bare three-part JWS. `None` for anything else (e.g. the unit master token).
pub fn peek(token: &str) -> Option<(TokenKind, &str)> {
    if let Some(split) = TokenKind::split_prefix(token) {
        return Some(split);
    }
    let mut parts = token.split('.');
    let looks_jws = parts.by_ref().take(3).all(|p| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    (looks_jws && token.split('.').count() == 3).then_some((TokenKind::TransCell, token))
}

/// The unverified `kid` of a trans-cell token's header.
pub fn peek_kid(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

/// The unverified `iss` claim, so the caller knows which cell (and key, or `__certs`) to use.
pub fn peek_issuer(token: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    let (_, jws) = peek(token)?;
    let payload = jws.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Iss>(&bytes).ok().map(|c| c.iss)
}

fn rs_header(key: &CellSigningKey) -> Header {
    let mut header = Header::new(key.alg().jwt_algorithm());
    header.kid = Some(key.kid().to_owned());
    header
}

/// Issues a trans-cell access token (or UUT): a JWT signed with the issuing cell's key.
/// `claims.aud` (the `p_target`) is required.
pub fn issue_tcat(claims: &Claims, key: &CellSigningKey) -> Result<String, TokenError> {
    if claims.aud.as_deref().is_none_or(str::is_empty) {
        return Err(TokenError::Encode("a trans-cell token needs aud".into()));
    }
    let wire = WireOut {
        knd: TokenKind::TransCell,
        claims,
    };
    jsonwebtoken::encode(&rs_header(key), &wire, key.encoding_key())
        .map_err(|e| TokenError::Encode(e.to_string()))
}

/// Verifies a trans-cell token addressed to `expected_audience`. `lookup` returns the issuer's
/// key for the header's `kid` (the caller has fetched or cached the issuer's `__certs`; use
/// [`peek_issuer`] to learn the issuer). Checks, in Personium's order: parse, signature,
/// expiry, target.
pub fn verify_tcat(
    token: &str,
    lookup: &dyn Fn(&str) -> Option<VerifyingKey>,
    expected_audience: &str,
    now_secs: i64,
) -> Result<Claims, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    let kid = header.kid.ok_or(TokenError::Malformed)?;
    let key = lookup(&kid).ok_or(TokenError::UnknownKey(kid))?;
    if header.alg != key.alg.jwt_algorithm() {
        return Err(TokenError::BadSignature);
    }
    let validation = match key.alg {
        keys::KeyAlg::RS256 => &*RS256,
    };
    let data = jsonwebtoken::decode::<WireIn>(token, &key.key, validation).map_err(decode_error)?;
    let claims = data.claims.claims;
    if data.claims.knd != TokenKind::TransCell {
        return Err(TokenError::KindMismatch);
    }
    if now_secs >= claims.exp {
        return Err(TokenError::Expired {
            kind: TokenKind::TransCell,
        });
    }
    match claims.aud.as_deref() {
        Some(aud) if aud == expected_audience => Ok(claims),
        other => Err(TokenError::WrongTarget(
            other.unwrap_or_default().to_owned(),
        )),
    }
}

/// Issues an OIDC `id_token` (`iss` = cell URL, `sub` = account name, `aud` = client id,
/// one hour from `iat`), as Personium's `IdToken`, plus `nonce` when the request had one.
pub fn issue_id_token(
    iss: &str,
    sub: &str,
    aud: &str,
    iat: i64,
    nonce: Option<&str>,
    key: &CellSigningKey,
) -> Result<String, TokenError> {
    #[derive(Serialize)]
    struct IdClaims<'a> {
        iss: &'a str,
        sub: &'a str,
        aud: &'a str,
        exp: i64,
        iat: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        nonce: Option<&'a str>,
    }
    let claims = IdClaims {
        iss,
        sub,
        aud,
        exp: iat.saturating_add(ID_TOKEN_LIFETIME_SECS),
        iat,
        nonce,
    };
    jsonwebtoken::encode(&rs_header(key), &claims, key.encoding_key())
        .map_err(|e| TokenError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests;
