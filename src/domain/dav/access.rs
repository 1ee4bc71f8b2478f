//! Who is asking at box level (`spec/personium-api.md` §3.4, §5.3): the cell-level resolution,
//! plus Basic authentication, which Personium checks for every box-level request and then
//! accepts only on the main box and on boxes without a Schema (§2.1; `AccessContext`
//! `createBasicAuthz` / `updateBasicAuthenticationStateForResource`).

use std::net::Ipv4Addr;

use crate::auth::AccessContext;
use crate::domain::access::{CellAccess, Resolved};
use crate::domain::auth::login;
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

/// `Authorization: Basic` as the HTTP layer read it: `Err` when malformed.
pub type BasicCredentials = Option<std::result::Result<(String, String), ()>>;

/// Resolves the caller of a box-level request against the cell.
pub async fn resolve(
    state: &AppState,
    ctx: &AccessContext,
    cell: &str,
    basic: BasicCredentials,
    client_ip: Option<Ipv4Addr>,
) -> Result<CellAccess> {
    let mut access = CellAccess::resolve(state, ctx, cell).await?;
    if matches!(access.caller, Resolved::Basic) {
        access.caller = basic_caller(state, &access.id, basic, client_ip).await?;
    }
    Ok(access)
}

/// Checks Basic credentials: the account and its roles, or the 401 code to report.
// COMPAT(personium): the password is checked wherever the box is; a box with a Schema then
// treats a valid account as no credentials (`PR401-AU-0001`), a wrong one as `PR401-AU-0011`.
async fn basic_caller(
    state: &AppState,
    cell_id: &str,
    basic: BasicCredentials,
    client_ip: Option<Ipv4Addr>,
) -> Result<Resolved> {
    let Some(Ok((name, password))) = basic else {
        return Ok(Resolved::Invalid(codes::PR401_AU_0004.id));
    };
    let (st, cell_id) = (state.clone(), cell_id.to_owned());
    let outcome = state
        .db
        .run(move |conn| {
            let attempt = login::Attempt {
                username: &name,
                password: &password,
                client_ip,
                now: now_ms(),
                refuse: None,
            };
            Ok::<_, Error>(login::authenticate(
                conn,
                &st.settings.security,
                &cell_id,
                attempt,
            ))
        })
        .await?;
    Ok(match outcome {
        Ok(auth) => {
            let mut roles: Vec<String> = auth.roles.into_iter().map(|r| r.0).collect();
            roles.sort();
            Resolved::BasicAccount {
                account: auth.name,
                roles,
            }
        }
        Err(e) if e.code().status < 500 => Resolved::Invalid(codes::PR401_AU_0011.id),
        Err(e) => return Err(e),
    })
}
