//! Short-lived caches on the authorization hot path (`spec/personium-api.md` §3.4: every request
//! resolves its cell, the cell ACL and the caller's roles before anything else).
//!
//! What is cached: a cell's row with its parsed ACL, by cell name; the role ids of a resident
//! account, by (cell id, account name); a box's row, by (cell id, box name) (box rows change
//! only through the cell's `__ctl`, which invalidates); and the claims of cell-local tokens whose signature has
//! been checked, by token (a pure function of the token and the cell's key, so never stale; the
//! expiry is checked again on every use). All are safe to lose (DESIGN.md "Scale-out").
//!
//! Staleness is bounded twice over:
//! - every write this process makes to a cell's control objects, ACL or row calls
//!   [`AccessCache::invalidate`] after it commits, so within one process a change is seen by the
//!   next request;
//! - entries expire after `security.access_cache_ttl_ms` (default 1000 ms), which bounds how long
//!   a change made by another Unit process sharing the same PostgreSQL database, or by the CLI,
//!   can go unseen. A TTL of 0 disables the cache.
//!
//! A global generation counter closes the race between a reader that loaded a row before a write
//! committed and the write's invalidation: a loaded value is kept only if no invalidation
//! happened while it was being loaded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::auth::acl::Acl;
use crate::auth::token::{Claims, TokenKind};
use crate::domain::dav::tree::BoxRef;

/// Upper bounds on the number of entries (a full map is cleared: the cache is an optimisation).
const MAX_CELLS: usize = 50_000;
const MAX_ACCOUNTS_PER_CELL: usize = 10_000;
const MAX_BOXES_PER_CELL: usize = 10_000;
const MAX_TOKENS: usize = 100_000;

/// A cell as the hot path needs it.
#[derive(Debug)]
pub struct CachedCell {
    pub id: String,
    pub name: String,
    pub owner: Option<String>,
    pub acl: Arc<Acl>,
}

struct Entry<T> {
    value: T,
    loaded: Instant,
}

/// Proof of the generation a load started in; see the module doc.
#[derive(Clone, Copy)]
pub struct Generation(u64);

type RoleMap = HashMap<String, Entry<Arc<[String]>>>;
type BoxMap = HashMap<String, Entry<Arc<BoxRef>>>;

/// A token whose signature checked out under the key of the cell `cell_id`.
struct VerifiedToken {
    cell_id: String,
    kind: TokenKind,
    claims: Arc<Claims>,
}

/// The caches of one Unit process.
pub struct AccessCache {
    ttl: Duration,
    generation: AtomicU64,
    cells: RwLock<HashMap<String, Entry<Arc<CachedCell>>>>,
    roles: RwLock<HashMap<String, RoleMap>>,
    boxes: RwLock<HashMap<String, BoxMap>>,
    tokens: RwLock<HashMap<Box<str>, VerifiedToken>>,
}

impl AccessCache {
    pub fn new(ttl: Duration) -> AccessCache {
        AccessCache {
            ttl,
            generation: AtomicU64::new(0),
            cells: RwLock::default(),
            roles: RwLock::default(),
            boxes: RwLock::default(),
            tokens: RwLock::default(),
        }
    }

    fn fresh<T>(&self, entry: &Entry<T>) -> bool {
        entry.loaded.elapsed() < self.ttl
    }

    /// Call before loading what will be put.
    pub fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::Acquire))
    }

    /// The cached cell named `name`, if fresh.
    pub fn cell(&self, name: &str) -> Option<Arc<CachedCell>> {
        let cells = self.cells.read().ok()?;
        let entry = cells.get(name)?;
        self.fresh(entry).then(|| entry.value.clone())
    }

    /// Keeps a loaded cell unless an invalidation happened since `since`.
    pub fn put_cell(&self, since: Generation, cell: Arc<CachedCell>) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut cells) = self.cells.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != since.0 {
            return;
        }
        if cells.len() >= MAX_CELLS {
            cells.clear();
        }
        cells.insert(
            cell.name.clone(),
            Entry {
                value: cell,
                loaded: Instant::now(),
            },
        );
    }

    /// The cached role ids of `account` in the cell `cell_id`, if fresh.
    pub fn roles(&self, cell_id: &str, account: &str) -> Option<Arc<[String]>> {
        let roles = self.roles.read().ok()?;
        let entry = roles.get(cell_id)?.get(account)?;
        self.fresh(entry).then(|| entry.value.clone())
    }

    /// Keeps loaded role ids unless an invalidation happened since `since`.
    pub fn put_roles(&self, since: Generation, cell_id: &str, account: &str, ids: Arc<[String]>) {
        let per_cell = (cell_id, MAX_ACCOUNTS_PER_CELL);
        self.put_in_cell(&self.roles, since, per_cell, account, ids);
    }

    /// The cached box `name` of the cell `cell_id`, if fresh.
    pub fn box_ref(&self, cell_id: &str, name: &str) -> Option<Arc<BoxRef>> {
        let boxes = self.boxes.read().ok()?;
        let entry = boxes.get(cell_id)?.get(name)?;
        self.fresh(entry).then(|| entry.value.clone())
    }

    /// Keeps a loaded box unless an invalidation happened since `since`.
    pub fn put_box(&self, since: Generation, cell_id: &str, bx: Arc<BoxRef>) {
        let name = bx.name.clone();
        self.put_in_cell(&self.boxes, since, (cell_id, MAX_BOXES_PER_CELL), &name, bx);
    }

    /// Inserts into a per-cell map, bounded to `per_cell.1` entries per cell.
    fn put_in_cell<T>(
        &self,
        map: &RwLock<HashMap<String, HashMap<String, Entry<T>>>>,
        since: Generation,
        per_cell: (&str, usize),
        key: &str,
        value: T,
    ) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut map) = map.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != since.0 {
            return;
        }
        if map.len() >= MAX_CELLS {
            map.clear();
        }
        let entries = map.entry(per_cell.0.to_owned()).or_default();
        if entries.len() >= per_cell.1 {
            entries.clear();
        }
        entries.insert(
            key.to_owned(),
            Entry {
                value,
                loaded: Instant::now(),
            },
        );
    }

    /// The kind and claims of a token already verified for the cell `cell_id`, unless expired.
    pub fn token(
        &self,
        token: &str,
        cell_id: &str,
        now_secs: i64,
    ) -> Option<(TokenKind, Arc<Claims>)> {
        let tokens = self.tokens.read().ok()?;
        let t = tokens.get(token)?;
        (t.cell_id == cell_id && t.claims.exp > now_secs).then(|| (t.kind, t.claims.clone()))
    }

    /// Remembers a token whose signature checked out under the key of the cell `cell_id`.
    pub fn put_token(&self, token: &str, cell_id: &str, kind: TokenKind, claims: Arc<Claims>) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut tokens) = self.tokens.write() else {
            return;
        };
        if tokens.len() >= MAX_TOKENS {
            tokens.clear();
        }
        tokens.insert(
            token.into(),
            VerifiedToken {
                cell_id: cell_id.to_owned(),
                kind,
                claims,
            },
        );
    }

    /// Forgets everything cached about one cell (after a write to it has committed);
    /// `cell_name` is the name it was cached under (for a rename, the old name).
    pub fn invalidate(&self, cell_id: &str, cell_name: &str) {
        // Every lock is held while the generation moves, so no put can slip between them.
        let (Ok(mut cells), Ok(mut roles), Ok(mut boxes)) =
            (self.cells.write(), self.roles.write(), self.boxes.write())
        else {
            return;
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        cells.remove(cell_name);
        roles.remove(cell_id);
        boxes.remove(cell_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(id: &str, name: &str) -> Arc<CachedCell> {
        Arc::new(CachedCell {
            id: id.into(),
            name: name.into(),
            owner: None,
            acl: Arc::default(),
        })
    }

    #[test]
    fn put_then_get_until_invalidated() {
        let cache = AccessCache::new(Duration::from_secs(60));
        let g = cache.generation();
        cache.put_cell(g, cell("1", "a"));
        cache.put_roles(g, "1", "me", Arc::from(vec!["r".to_owned()]));
        assert_eq!(cache.cell("a").map(|c| c.id.clone()).as_deref(), Some("1"));
        assert_eq!(cache.roles("1", "me").map(|r| r.len()), Some(1));
        cache.invalidate("1", "a");
        assert!(cache.cell("a").is_none());
        assert!(cache.roles("1", "me").is_none());
    }

    #[test]
    fn a_load_that_raced_an_invalidation_is_not_kept() {
        let cache = AccessCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.invalidate("1", "a");
        cache.put_cell(before, cell("1", "a"));
        cache.put_roles(before, "1", "me", Arc::from(Vec::new()));
        assert!(cache.cell("a").is_none());
        assert!(cache.roles("1", "me").is_none());
    }

    #[test]
    fn a_verified_token_serves_only_its_cell_and_only_until_it_expires() {
        let cache = AccessCache::new(Duration::from_secs(60));
        let claims = Claims {
            exp: 1_000,
            ..Claims::default()
        };
        cache.put_token(
            "AR~x",
            "cell-1",
            TokenKind::ResidentAccess,
            Arc::new(claims),
        );
        assert!(cache.token("AR~x", "cell-1", 999).is_some());
        assert!(cache.token("AR~x", "cell-2", 999).is_none());
        assert!(cache.token("AR~x", "cell-1", 1_000).is_none());
        assert!(cache.token("AR~y", "cell-1", 999).is_none());
    }

    #[test]
    fn zero_ttl_disables_and_expiry_applies() {
        let off = AccessCache::new(Duration::ZERO);
        off.put_cell(off.generation(), cell("1", "a"));
        assert!(off.cell("a").is_none());
        let short = AccessCache::new(Duration::from_millis(1));
        short.put_cell(short.generation(), cell("1", "a"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.cell("a").is_none());
    }
}
