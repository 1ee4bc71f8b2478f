//! `p_owner=true` at `POST {C}__token` (`spec/personium-api.md` §5.1, §5.2 `AU~`): an account
//! listed in the cell property `p:ownerRepresentativeAccounts` obtains a unit-local unit user
//! token (ULUUT) that acts as the cell's owner at unit level (§4.1) and for cell PROPPATCH.
//! Only the password grant and a resident refresh token may ask; the cell must have an owner.

use serde_json::json;

use super::grant::{Issuer, Lifetimes, TokenRequest, TokenResponse};
use crate::auth::token::{self, Claims, TokenKind};
use crate::db::grants;
use crate::domain::access::account_of;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;

/// Whether the request asks for a ULUUT.
// COMPAT(personium): only the exact text `true` counts.
pub fn requested(req: &TokenRequest) -> bool {
    req.params.get("p_owner").map(String::as_str) == Some("true")
}

impl Issuer<'_> {
    /// Why `account` may not represent the owner (`PR400-AN-0014`), or why the cell has no one
    /// to represent (`PR400-AN-0015`); `None` when it may.
    pub(super) fn owner_refusal(&self, account: &str) -> Option<Error> {
        if !self.props.is_owner_representative(account) {
            return Some(self.err(&codes::PR400_AN_0014));
        }
        if self.owner.is_none() {
            return Some(self.err(&codes::PR400_AN_0015));
        }
        None
    }

    /// The owner's subject in http form: the stored `personium-localunit:/` form resolved
    /// against this Unit (the inverse of how a unit user becomes an owner).
    fn owner_subject(&self) -> Option<String> {
        let owner = self.owner.as_deref()?;
        Some(match owner.strip_prefix("personium-localunit:/") {
            Some(rest) => format!("{}{rest}", self.state.unit_url.as_str()),
            None => owner.to_owned(),
        })
    }

    /// A ULUUT for the cell's owner: no refresh token, no scope.
    pub(super) fn unit_local_token(&self, lifetime: i64) -> Result<TokenResponse> {
        let subject = self
            .owner_subject()
            .ok_or_else(|| self.err(&codes::PR400_AN_0015))?;
        let now = now_ms() / 1000;
        let mut claims = Claims::new(self.state.unit_url.as_str(), subject, now, lifetime);
        claims.owner = true;
        let access_token = token::issue_local(
            TokenKind::UnitLocalUnitUser,
            &claims,
            &self.state.unit_token_key(),
        )
        .map_err(Error::internal)?;
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
        });
        let cookie = self.cookie_for(&access_token, &mut body)?;
        Ok(TokenResponse {
            body,
            location: None,
            cookie,
        })
    }

    /// `grant_type=refresh_token&p_owner=true`: a resident refresh token of a representative
    /// account becomes a ULUUT; the refresh token stays usable.
    pub(super) async fn refresh_as_owner(
        &self,
        kind: TokenKind,
        claims: &Claims,
        life: Lifetimes,
    ) -> Result<TokenResponse> {
        if kind != TokenKind::ResidentRefresh {
            return Err(self.err(&codes::PR400_AN_0008));
        }
        if let Some(err) = self.owner_refusal(account_of(&claims.sub)) {
            return Err(err);
        }
        let (jti, cell_id) = (claims.jti.clone().unwrap_or_default(), self.cell_id.clone());
        let live = self
            .state
            .db
            .read(move |conn| Ok::<_, Error>(grants::exists(conn, &jti, &cell_id)?))
            .await?;
        if !live {
            return Err(self.err(&codes::PR400_AN_0010));
        }
        self.unit_local_token(life.access)
    }
}
