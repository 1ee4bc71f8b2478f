//! Password authentication of an account (`spec/personium-api.md` §5.1 password grant, §5.6):
//! account type, status, IP address ranges, the retry interval after a failure, optional
//! lockout, and the authentication history (not kept for accounts listed in the cell property
//! `p:accountsnotrecordingauthhistory`). Every failure looks the same to the caller
//! (`PR400-AN-0017`), and an unknown account costs what a wrong password costs.

use std::net::Ipv4Addr;
use std::sync::OnceLock;

use crate::auth::password;
use crate::config::SecuritySettings;
use crate::db::accounts::{self, HeldRole, LoginRow};
use crate::db::{cells, DbConn};
use crate::domain::cell_props::CellProps;
use crate::error::{codes, Error, Result};

/// An account that proved its password.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub account_id: String,
    pub name: String,
    pub roles: Vec<HeldRole>,
    /// Before this authentication.
    pub last_authenticated: Option<i64>,
    pub failed_count: i32,
    /// Status `passwordChangeRequired`: only a password-change token may be issued.
    pub must_change_password: bool,
}

fn failed() -> Error {
    Error::new(&codes::PR400_AN_0017)
}

/// A hash to verify against when the account does not exist, so that both paths cost one
/// argon2 verification.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash("unitcell-no-such-account").unwrap_or_default())
}

/// True when `ip` is inside one of the comma-separated IPv4 addresses or CIDR ranges.
pub fn ip_allowed(ranges: &str, ip: Option<Ipv4Addr>) -> bool {
    let Some(ip) = ip else {
        return false;
    };
    ranges.split(',').map(str::trim).any(|r| {
        let (addr, bits) = r.split_once('/').unwrap_or((r, "32"));
        match (addr.parse::<Ipv4Addr>(), bits.parse::<u32>()) {
            (Ok(net), Ok(bits)) if bits <= 32 => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            _ => false,
        }
    })
}

/// What a login attempt presents.
pub struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub client_ip: Option<Ipv4Addr>,
    pub now: i64,
    /// Returned instead of success once the password is proven (the account is not asked to
    /// change its password), with nothing recorded: a grant that cannot be issued for this
    /// account (`p_owner`).
    pub refuse: Option<Error>,
}

/// Checks a password grant. Runs argon2: call it on the blocking pool.
pub fn authenticate(
    conn: &mut DbConn,
    sec: &SecuritySettings,
    cell_id: &str,
    attempt: Attempt<'_>,
) -> Result<Authenticated> {
    let Attempt {
        username,
        password: pw,
        client_ip,
        now,
        refuse,
    } = attempt;
    let Some(row) = accounts::find_login(conn, cell_id, username)? else {
        let _ = password::verify(pw, dummy_hash());
        return Err(failed());
    };
    let usable = usable(&row, sec, client_ip, now);
    let matches = password::verify(pw, row.password_hash.as_deref().unwrap_or(dummy_hash()))
        && row.password_hash.is_some();
    if !usable {
        return Err(failed());
    }
    let history = CellProps::from_row(cells::props_of(conn, cell_id)?.as_deref())
        .records_auth_history(&row.name);
    if !matches {
        // The lockout counts every account's failures, whether or not it keeps a history.
        let count = row.lock_failures + 1;
        let lock =
            (sec.lock_count > 0 && count >= sec.lock_count).then_some(now + sec.lock_secs * 1000);
        accounts::record_failure(conn, &row.id, now, lock, history)?;
        return Err(failed());
    }
    let must_change_password = row.status == "passwordChangeRequired";
    if let (Some(err), false) = (refuse, must_change_password) {
        return Err(err);
    }
    accounts::record_success(conn, &row.id, now, history)?;
    Ok(Authenticated {
        roles: accounts::roles_of(conn, &row.id)?,
        account_id: row.id,
        name: row.name,
        last_authenticated: row.last_authenticated,
        failed_count: row.failed_count,
        must_change_password,
    })
}

/// Whether the account may authenticate with a password at all right now.
fn usable(row: &LoginRow, sec: &SecuritySettings, ip: Option<Ipv4Addr>, now: i64) -> bool {
    let basic = row.account_type.split(' ').any(|t| t == "basic");
    let active = row.status != "deactivated";
    let unlocked = row.locked_until.is_none_or(|t| t <= now);
    // COMPAT(personium): any attempt within the interval after a failure fails.
    let rested = row
        .last_failed
        .is_none_or(|t| now - t >= sec.auth_retry_interval_ms);
    let from_allowed_ip = row
        .ip_address_range
        .as_deref()
        .is_none_or(|ranges| ip_allowed(ranges, ip));
    basic && active && unlocked && rested && from_allowed_ip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_ranges() {
        let ip = |s: &str| s.parse::<Ipv4Addr>().ok();
        let cases = [
            ("192.168.1.10", "192.168.1.10", true),
            ("192.168.1.10", "192.168.1.11", false),
            ("192.168.1.0/24", "192.168.1.200", true),
            ("192.168.1.0/24", "192.168.2.1", false),
            ("10.0.0.0/8,192.168.0.0/16", "192.168.5.5", true),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("garbage", "8.8.8.8", false),
        ];
        for (ranges, addr, ok) in cases {
            assert_eq!(ip_allowed(ranges, ip(addr)), ok, "{ranges} {addr}");
        }
        assert!(!ip_allowed("0.0.0.0/0", None));
    }
}
