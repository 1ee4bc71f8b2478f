//! Accounts as the token endpoint sees them (`spec/personium-api.md` §5.1, §5.6): login data,
//! authentication history, and the roles an account holds.

use diesel::prelude::*;

use super::schema::{account_roles, accounts, boxes, roles};
use super::{DbConn, DbResult};

/// What a password grant needs to know about an account.
#[derive(Clone, Debug, Queryable)]
pub struct LoginRow {
    pub id: String,
    pub name: String,
    pub account_type: String,
    pub ip_address_range: Option<String>,
    pub status: String,
    pub password_hash: Option<String>,
    pub last_authenticated: Option<i64>,
    pub failed_count: i32,
    pub last_failed: Option<i64>,
    pub locked_until: Option<i64>,
    /// Consecutive failures towards a lockout (history or not).
    pub lock_failures: i32,
}

pub fn find_login(conn: &mut DbConn, cell_id: &str, name: &str) -> DbResult<Option<LoginRow>> {
    Ok(accounts::table
        .filter(accounts::cell_id.eq(cell_id))
        .filter(accounts::name.eq(name))
        .select((
            accounts::id,
            accounts::name,
            accounts::account_type,
            accounts::ip_address_range,
            accounts::status,
            accounts::password_hash,
            accounts::last_authenticated,
            accounts::failed_count,
            accounts::last_failed,
            accounts::locked_until,
            accounts::lock_failures,
        ))
        .first(conn)
        .optional()?)
}

/// Records a successful authentication: releases any lock and, when `history`, updates the
/// authentication history (`last_authenticated`, `failed_count`).
pub fn record_success(conn: &mut DbConn, id: &str, now: i64, history: bool) -> DbResult<()> {
    let target = accounts::table.filter(accounts::id.eq(id));
    if history {
        diesel::update(target)
            .set((
                accounts::last_authenticated.eq(now),
                accounts::failed_count.eq(0),
                accounts::locked_until.eq(None::<i64>),
                accounts::lock_failures.eq(0),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                accounts::locked_until.eq(None::<i64>),
                accounts::lock_failures.eq(0),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a failed authentication: the retry interval starts now, the account is locked
/// until `lock_until` when given (which starts the lockout count afresh, else it goes up),
/// and, when `history`, `failed_count` goes up.
pub fn record_failure(
    conn: &mut DbConn,
    id: &str,
    now: i64,
    lock_until: Option<i64>,
    history: bool,
) -> DbResult<()> {
    let target = accounts::table.filter(accounts::id.eq(id));
    // One statement either way: the count goes up, or back to 0 when this failure locks.
    let keep = if lock_until.is_some() { 0 } else { 1 };
    let lock_failures = accounts::lock_failures.eq((accounts::lock_failures + 1) * keep);
    if history {
        diesel::update(target)
            .set((
                accounts::failed_count.eq(accounts::failed_count + 1),
                accounts::last_failed.eq(now),
                accounts::locked_until.eq(lock_until),
                lock_failures,
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                accounts::last_failed.eq(now),
                accounts::locked_until.eq(lock_until),
                lock_failures,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets a new password hash (and, when asked, the status back to active).
pub fn set_password(
    conn: &mut DbConn,
    id: &str,
    hash: &str,
    activate: bool,
    now: i64,
) -> DbResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((accounts::password_hash.eq(hash), accounts::updated.eq(now)))
        .execute(conn)?;
    if activate {
        diesel::update(accounts::table.filter(accounts::id.eq(id)))
            .set(accounts::status.eq("active"))
            .execute(conn)?;
    }
    Ok(())
}

/// A role an account holds: (role id, role name, box name or `None` for box-less roles, the
/// box's Schema).
pub type HeldRole = (String, String, Option<String>, Option<String>);

/// The roles linked to an account.
pub fn roles_of(conn: &mut DbConn, account_id: &str) -> DbResult<Vec<HeldRole>> {
    Ok(account_roles::table
        .inner_join(roles::table.left_join(boxes::table))
        .filter(account_roles::account_id.eq(account_id))
        .select((
            roles::id,
            roles::name,
            boxes::name.nullable(),
            boxes::schema_url.nullable(),
        ))
        .order(roles::name)
        .load(conn)?)
}
