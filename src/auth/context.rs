//! `AccessContext`: the caller as classified from the request (`spec/personium-api.md` §5.3).
//!
//! The foundation knows the unit master token (with and without `X-Personium-Unit-User`);
//! cell-issued tokens arrive with the authentication issue. An unusable credential is not
//! rejected here: it is remembered and reported when a privilege check fails (§3.4 step 1).

use subtle::ConstantTimeEq;

use super::Authorization;
use crate::error::{codes, Code, Error, Result};

/// The classified caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// No credentials.
    Anonymous,
    /// The unit master token without `X-Personium-Unit-User`.
    UnitMaster,
    /// A unit user: master token + `X-Personium-Unit-User: {subject}`, a unit user token (UUT)
    /// from a trusted issuer, or a unit-local unit user token (`AU~`).
    UnitUser { subject: String },
    /// A UUT carrying the issuer's `UnitAdmin` role (without `X-Personium-Unit-User`).
    UnitAdmin,
    /// A valid trans-cell token that is not a unit user token (`PR403-AU-0001` at unit level).
    NotUnitUser,
    /// Credentials that could not be used; the code says why.
    Invalid(&'static Code),
}

/// The caller of one request.
#[derive(Clone, Debug)]
pub struct AccessContext {
    pub principal: Principal,
    /// The raw `Authorization` value, classified again per cell (tokens are cell-bound).
    pub authorization: Option<String>,
    /// `X-Personium-Unit-User`.
    pub unit_user: Option<String>,
}

/// A caller allowed to act at unit level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitActor {
    Master,
    User { subject: String },
}

impl AccessContext {
    /// Classifies the `Authorization` and `X-Personium-Unit-User` header values.
    pub fn classify(
        authorization: Option<&str>,
        unit_user: Option<&str>,
        master_token: &str,
    ) -> AccessContext {
        let principal = match authorization {
            None => Principal::Anonymous,
            Some(value) => classify_authorization(value, unit_user, master_token),
        };
        AccessContext {
            principal,
            authorization: authorization.map(str::to_owned),
            unit_user: unit_user.map(str::to_owned),
        }
    }

    /// Cookie authentication (§5.2), for a request without `Authorization` that carries
    /// `p_cookie_peer`: the token sealed in the `p_cookie` cookie stands in for a Bearer
    /// `Authorization`; a missing, forged or foreign cookie is `PR401-AU-0009`.
    pub fn from_cookie(
        secret: &super::keys::UnitSecret,
        peer: &str,
        cookie: Option<&str>,
        unit_user: Option<&str>,
        master_token: &str,
    ) -> AccessContext {
        match cookie.and_then(|c| super::cookie::open(secret, peer, c)) {
            Some(token) => {
                let authorization = format!("Bearer {token}");
                AccessContext::classify(Some(&authorization), unit_user, master_token)
            }
            None => AccessContext {
                principal: Principal::Invalid(&codes::PR401_AU_0009),
                authorization: None,
                unit_user: unit_user.map(str::to_owned),
            },
        }
    }

    /// §4.1: unit-level operations need a unit token.
    pub fn require_unit(&self) -> Result<UnitActor> {
        match &self.principal {
            Principal::UnitMaster | Principal::UnitAdmin => Ok(UnitActor::Master),
            Principal::NotUnitUser => Err(Error::new(&codes::PR403_AU_0001)),
            Principal::UnitUser { subject } => Ok(UnitActor::User {
                subject: subject.clone(),
            }),
            Principal::Anonymous => Err(unauthorized(&codes::PR401_AU_0001)),
            Principal::Invalid(code) => Err(unauthorized(code)),
        }
    }
}

fn unauthorized(code: &'static Code) -> Error {
    Error::new(code)
}

/// Compares a bearer token with the master token in constant time (empty = disabled).
pub fn is_master_token(token: &str, master_token: &str) -> bool {
    !master_token.is_empty() && bool::from(token.as_bytes().ct_eq(master_token.as_bytes()))
}

fn classify_authorization(value: &str, unit_user: Option<&str>, master_token: &str) -> Principal {
    match Authorization::parse(value) {
        Authorization::Bearer(token) if is_master_token(token, master_token) => match unit_user {
            Some(subject) if !subject.is_empty() => Principal::UnitUser {
                subject: subject.to_owned(),
            },
            _ => Principal::UnitMaster,
        },
        // COMPAT(personium): a token that cannot be parsed without a cell context is
        // PR401-AU-0006 at unit level.
        Authorization::Bearer(_) => Principal::Invalid(&codes::PR401_AU_0006),
        // COMPAT(personium): Basic is never accepted at unit or cell level.
        Authorization::Basic(_) => Principal::Invalid(&codes::PR401_AU_0011),
        Authorization::Other => Principal::Invalid(&codes::PR401_AU_0003),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let mt = "master-secret";
        let cases: &[(Option<&str>, Option<&str>, Principal)] = &[
            (None, None, Principal::Anonymous),
            (Some("Bearer master-secret"), None, Principal::UnitMaster),
            (Some("bearer master-secret"), None, Principal::UnitMaster),
            (
                Some("Bearer master-secret"),
                Some("https://u/c#a"),
                Principal::UnitUser {
                    subject: "https://u/c#a".into(),
                },
            ),
            (
                Some("Bearer master-secreT"),
                None,
                Principal::Invalid(&codes::PR401_AU_0006),
            ),
            (
                Some("Bearer "),
                None,
                Principal::Invalid(&codes::PR401_AU_0006),
            ),
            (
                Some("Basic YTpi"),
                None,
                Principal::Invalid(&codes::PR401_AU_0011),
            ),
            (
                Some("Digest x"),
                None,
                Principal::Invalid(&codes::PR401_AU_0003),
            ),
        ];
        for (auth, user, expected) in cases {
            let ctx = AccessContext::classify(*auth, *user, mt);
            assert_eq!(&ctx.principal, expected, "{auth:?} {user:?}");
        }
        // An empty configured master token disables it.
        let ctx = AccessContext::classify(Some("Bearer "), None, "");
        assert_eq!(ctx.principal, Principal::Invalid(&codes::PR401_AU_0006));
    }
}
