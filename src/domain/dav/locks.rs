//! WebDAV write locks on box resources (beyond Personium; RFC 4918 §6-7, §9.10-9.11, §10.4):
//! exclusive and shared locks of Depth 0 or infinity, kept in the database (`dav_locks`) so
//! that every Unit process honours them, and the `If` header every write presents.
//!
//! Locks are held on paths, not nodes: a new lock on an unmapped URL creates an empty file
//! there (RFC 4918 §7.3, `lock_ops`), which stays after UNLOCK; a lock refreshed on a path
//! whose resource went away holds the name only. A MOVE or DELETE releases the locks of what
//! it took away.
//!
//! Writers call [`require_unlocked`] inside their transaction with a [`Scope`] built by
//! [`Scope::of`]; it answers `PR423-DV-0001` (423 Locked) when a lock covers the write and its
//! token is not in the `If` header, and `PR412-DV-0001` when the `If` header does not hold.

use crate::db::dav_locks::{self as repo, LockRow};
use crate::db::DbConn;
use crate::error::{codes, Error, Result};
use crate::webdav::if_header::{self, Condition};
use crate::webdav::lock_xml::ActiveLock;

pub use crate::webdav::if_header::IfHeader;

use super::ops::etag;
use super::tree::DavPath;

/// Default lock lifetime, seconds.
pub const DEFAULT_TIMEOUT: i64 = 3600;
/// Longest lock lifetime granted, seconds (`Infinite` gets this).
pub const MAX_TIMEOUT: i64 = 86400;

/// What a write touches, for the lock check.
#[derive(Clone, Debug)]
pub struct Scope {
    pub root_id: String,
    pub box_url: String,
    /// The path below the box ('' = the box).
    pub path: String,
    /// The request URL (for untagged `If` lists).
    pub url: String,
    /// The resource's current ETag, when it exists.
    pub etag: Option<String>,
    /// Also locks below the path (DELETE or MOVE of a collection, a replaced destination).
    pub subtree: bool,
    /// The write adds or removes a member of the parent: its Depth 0 lock applies too.
    pub membership: bool,
    /// The request URL itself (not a MOVE/COPY destination): the `If` header is evaluated
    /// against it; for a destination only its tokens count.
    pub is_request: bool,
}

impl Scope {
    /// The scope of a write to `target` (which may not exist yet).
    pub fn of(target: &DavPath, subtree: bool, membership: bool) -> Scope {
        let node = target.deepest();
        Scope {
            root_id: target.root_id().to_owned(),
            box_url: target.box_url(),
            path: target.segments.join("/"),
            url: target.url(),
            etag: (target.unresolved() == 0).then(|| etag(node.row.version, node.row.updated)),
            subtree,
            membership,
            is_request: true,
        }
    }

    /// The scope of a MOVE or COPY destination.
    pub fn destination(target: &DavPath) -> Scope {
        Scope {
            is_request: false,
            ..Scope::of(target, true, true)
        }
    }

    fn parent(&self) -> Option<&str> {
        if self.path.is_empty() {
            return None;
        }
        Some(self.path.rsplit_once('/').map_or("", |(p, _)| p))
    }

    /// Whether lock `l` applies to this write.
    fn hit(&self, l: &LockRow) -> bool {
        covers(l, &self.path)
            || (self.subtree && is_below(&l.path, &self.path))
            || (self.membership && Some(l.path.as_str()) == self.parent())
    }
}

/// `a` is strictly below `b`.
pub fn is_below(a: &str, b: &str) -> bool {
    if b.is_empty() {
        return !a.is_empty();
    }
    a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'/'
}

/// Lock `l` applies to the resource at `path` (its own, or inherited by Depth infinity).
pub fn covers(l: &LockRow, path: &str) -> bool {
    l.path == path || (l.infinite && is_below(path, &l.path))
}

/// Parses an optional `If` header (`PR400-DV-0009` when malformed).
pub fn parse_if(value: Option<&str>) -> Result<Option<IfHeader>> {
    value
        .map(|v| {
            if_header::parse(v).map_err(|e| {
                Error::new(&codes::PR400_DV_0009)
                    .param("If")
                    .param(v)
                    .source(anyhow::anyhow!(e))
            })
        })
        .transpose()
}

/// THE lock check of every write (PROPPATCH, MKCOL, DELETE, MOVE, COPY, and PUT of files):
/// call it inside the write's transaction.
///
/// For files: PUT builds `Scope::of(target, false, is_new)` (a new file adds a member to its
/// parent), DELETE `Scope::of(target, true, true)` and then calls [`release_under`]; both
/// parse the header with [`parse_if`] first (`header(req, "If")`), outside the transaction. Fails with `PR412-DV-0001` when an `If` header
/// was sent and none of its lists holds, and with `PR423-DV-0001` when an unexpired lock
/// covers `scope` and its token was not submitted.
pub fn require_unlocked(
    conn: &mut DbConn,
    scope: &Scope,
    if_header: Option<&IfHeader>,
    now: i64,
) -> Result<()> {
    let locks = repo::list_active(conn, &scope.root_id, now)?;
    if let Some(h) = if_header.filter(|_| scope.is_request) {
        if !holds(h, scope, &locks) {
            return Err(Error::new(&codes::PR412_DV_0001));
        }
    }
    let submitted: Vec<&str> = if_header.map(|h| h.tokens().collect()).unwrap_or_default();
    if locks
        .iter()
        .any(|l| scope.hit(l) && !submitted.contains(&l.token.as_str()))
    {
        return Err(Error::new(&codes::PR423_DV_0001).param(&scope.url));
    }
    Ok(())
}

/// RFC 4918 §10.4: true when any list holds for its resource.
fn holds(h: &IfHeader, scope: &Scope, locks: &[LockRow]) -> bool {
    h.lists.iter().any(|list| {
        let url = list.resource.as_deref().unwrap_or(&scope.url);
        let path = url
            .strip_prefix(&scope.box_url)
            .map(|p| p.trim_matches('/'))
            .map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
        list.conditions.iter().all(|c| match c {
            Condition::Token { not, token } => {
                let held = path
                    .as_deref()
                    .is_some_and(|p| locks.iter().any(|l| &l.token == token && covers(l, p)));
                held != *not
            }
            Condition::ETag { not, etag } => {
                let same = url == scope.url && scope.etag.as_deref() == Some(etag.as_str());
                same != *not
            }
        })
    })
}

/// The locks applying to the resource at `path`, as `lockdiscovery` shows them.
pub fn discovery<'a>(
    locks: &'a [LockRow],
    box_url: &str,
    path: &str,
    now: i64,
) -> Vec<ActiveLock<'a>> {
    locks
        .iter()
        .filter(|l| covers(l, path))
        .map(|l| active(l, box_url, now))
        .collect()
}

pub fn active<'a>(l: &'a LockRow, box_url: &str, now: i64) -> ActiveLock<'a> {
    ActiveLock {
        exclusive: l.exclusive,
        infinite: l.infinite,
        owner: l.owner.as_deref(),
        timeout_secs: (l.expires - now) / 1000,
        token: &l.token,
        root: if l.path.is_empty() {
            box_url.to_owned()
        } else {
            format!("{box_url}/{}", l.path)
        },
    }
}

/// Deletes the locks at `path` and below it (after a DELETE or the MOVE of its source).
pub fn release_under(conn: &mut DbConn, root_id: &str, path: &str, now: i64) -> Result<()> {
    let tokens: Vec<String> = repo::list_active(conn, root_id, now)?
        .into_iter()
        .filter(|l| l.path == path || is_below(&l.path, path))
        .map(|l| l.token)
        .collect();
    if !tokens.is_empty() {
        repo::delete(conn, &tokens)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(path: &str, infinite: bool) -> LockRow {
        LockRow {
            token: "t".into(),
            cell_id: "c".into(),
            root_id: "r".into(),
            path: path.into(),
            exclusive: true,
            infinite,
            owner: None,
            timeout_secs: 1,
            expires: 1,
            created: 0,
        }
    }

    #[test]
    fn coverage() {
        // (lock path, infinite, write path, subtree, membership, hit)
        let cases = [
            ("a", false, "a", false, false, true),
            ("a", false, "a/b", false, false, false),
            ("a", true, "a/b", false, false, true),
            ("a", true, "ab", false, false, false),
            ("", true, "a/b", false, false, true),
            ("", false, "a", false, false, false),
            ("", false, "a", false, true, true),
            ("a", false, "a/b", false, true, true),
            ("a/b/c", false, "a", true, false, true),
            ("a/b/c", false, "a", false, false, false),
            ("x", false, "", true, false, true),
        ];
        for (lp, inf, wp, subtree, membership, want) in cases {
            let scope = Scope {
                root_id: "r".into(),
                box_url: "http://h/c/b".into(),
                path: wp.into(),
                url: String::new(),
                etag: None,
                subtree,
                membership,
                is_request: true,
            };
            assert_eq!(scope.hit(&lock(lp, inf)), want, "{lp} {inf} {wp}");
        }
    }
}
