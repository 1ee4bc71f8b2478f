//! Public keys of cells on other Units (`spec/personium-api.md` §5.2 trans-cell tokens): fetched
//! from `{issuer}__certs` through the shared HTTP client, cached for `security.certs_cache_secs`,
//! and refetched at most every few seconds when a token names a key not yet seen (rotation).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::keys::{self, VerifyingKey};
use crate::error::Result;
use crate::state::AppState;

/// The least time between two fetches of one issuer's keys.
const REFETCH_AFTER: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Entry {
    fetched: Instant,
    keys: Vec<VerifyingKey>,
}

/// The cache, shared by all workers (safe to lose).
#[derive(Clone, Default)]
pub struct RemoteCerts {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl RemoteCerts {
    fn get(&self, issuer: &str) -> Option<Entry> {
        self.entries.lock().ok()?.get(issuer).cloned()
    }

    fn put(&self, issuer: &str, keys: Vec<VerifyingKey>) {
        if let Ok(mut map) = self.entries.lock() {
            map.insert(
                issuer.to_owned(),
                Entry {
                    fetched: Instant::now(),
                    keys,
                },
            );
        }
    }
}

/// The keys of a cell on another Unit, including `kid` when it can be had. A fetch failure
/// leaves the caller with no key (the token is then refused as unverifiable).
pub async fn keys_of(
    state: &AppState,
    issuer: &str,
    kid: Option<&str>,
) -> Result<Vec<VerifyingKey>> {
    let ttl = Duration::from_secs(state.settings.security.certs_cache_secs);
    let cache = &state.remote_certs;
    if let Some(e) = cache.get(issuer) {
        let fresh = e.fetched.elapsed() < ttl;
        let has_kid = kid.is_none_or(|k| e.keys.iter().any(|v| v.kid() == k));
        if fresh && (has_kid || e.fetched.elapsed() < REFETCH_AFTER) {
            return Ok(e.keys);
        }
    }
    let url = format!("{issuer}__certs");
    let fetched = async {
        let resp = state.http.get(&url).send().await?.error_for_status()?;
        let body = resp.bytes().await?;
        anyhow::Ok(body)
    }
    .await;
    let keys: Vec<VerifyingKey> = match fetched {
        Ok(body) => keys::parse_jwks(&body)
            .unwrap_or_default()
            .iter()
            .filter_map(|jwk| keys::verifying_key_from_jwk(jwk).ok())
            .collect(),
        Err(e) => {
            tracing::warn!(%url, error = %e, "could not fetch the keys of a trans-cell token issuer");
            Vec::new()
        }
    };
    cache.put(issuer, keys.clone());
    Ok(keys)
}
