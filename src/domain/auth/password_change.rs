//! `PUT {C}__mypassword` (`spec/personium-api.md` §5.5): a resident (`AR~` with `auth` scope)
//! or a password-change token (`AP~`) sets its own account's password; an account that had to
//! change it becomes active.

use crate::auth::password;
use crate::auth::privilege::{PrivSet, Privilege};
use crate::db::accounts;
use crate::domain::access::{CellAccess, Resolved};
use crate::error::{codes, Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

pub async fn change_own(
    state: &AppState,
    cell: &CellAccess,
    credential: Option<&str>,
) -> Result<()> {
    let account = match &cell.caller {
        Resolved::PasswordChange { account } => account.clone(),
        Resolved::Account { account, scope, .. }
            if PrivSet::from_scope(scope)
                .closure()
                .contains(Privilege::Auth) =>
        {
            account.clone()
        }
        Resolved::Anonymous | Resolved::Basic => {
            return Err(Error::new(&codes::PR401_AU_0001)
                .header("WWW-Authenticate", format!("Bearer realm=\"{}\"", cell.url)));
        }
        Resolved::Invalid(code) => {
            return Err(
                Error::new(codes::by_id(code).unwrap_or(&codes::PR401_AU_0006))
                    .header("WWW-Authenticate", format!("Bearer realm=\"{}\"", cell.url)),
            );
        }
        _ => return Err(Error::new(&codes::PR403_AU_0002)),
    };
    let new = credential.ok_or_else(|| Error::new(&codes::PR400_AU_0001))?;
    if !password::is_valid_format(new) {
        return Err(Error::new(&codes::PR400_AU_0001));
    }
    let hash = password::hash(new).map_err(Error::internal)?;
    let cell_id = cell.id.clone();
    state
        .db
        .run(move |conn| {
            let row = accounts::find_login(conn, &cell_id, &account)?
                .ok_or_else(|| Error::new(&codes::PR403_AU_0002))?;
            let activate = row.status == "passwordChangeRequired";
            accounts::set_password(conn, &row.id, &hash, activate, now_ms())?;
            Ok(())
        })
        .await
}
