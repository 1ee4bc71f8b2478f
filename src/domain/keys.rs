//! Cell signing keys (`spec/personium-api.md` §5.2 trans-cell tokens, §5.5 `__certs`): created
//! on first need (RSA generation is slow), stored wrapped under the unit secret, cached
//! unwrapped in memory, and published as a JWKS.

use std::sync::Arc;

use base64::Engine;

use crate::auth::keys::{self, CellSigningKey, KeyAlg, PublicJwk, VerifyingKey, WrappedKey};
use crate::db::keys::{self as repo, KeyRow};
use crate::error::{Error, Result};
use crate::model::time::now_ms;
use crate::state::AppState;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn to_row(cell_id: &str, w: &WrappedKey) -> KeyRow {
    KeyRow {
        kid: w.kid.clone(),
        cell_id: cell_id.to_owned(),
        alg: w.alg.as_str().to_owned(),
        nonce: w.nonce.iter().map(|b| format!("{b:02x}")).collect(),
        wrapped_key: B64.encode(&w.ciphertext),
        public_jwk: w.public_jwk.clone(),
        created: now_ms(),
    }
}

fn from_row(row: &KeyRow) -> anyhow::Result<WrappedKey> {
    let bytes: Vec<u8> = (0..row.nonce.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(row.nonce.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<std::result::Result<_, _>>()?;
    let nonce: [u8; 12] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("bad nonce length for key {}", row.kid))?;
    Ok(WrappedKey {
        kid: row.kid.clone(),
        alg: KeyAlg::parse(&row.alg).ok_or_else(|| anyhow::anyhow!("unknown alg {}", row.alg))?,
        nonce,
        ciphertext: B64.decode(&row.wrapped_key)?,
        public_jwk: row.public_jwk.clone(),
    })
}

fn cached(state: &AppState, cell_id: &str) -> Option<Arc<CellSigningKey>> {
    state.signing_keys.lock().ok()?.get(cell_id).cloned()
}

/// The cell's current signing key, generating and storing one on first use.
pub async fn signing_key(state: &AppState, cell_id: &str) -> Result<Arc<CellSigningKey>> {
    if let Some(k) = cached(state, cell_id) {
        return Ok(k);
    }
    // One generation at a time; the second caller finds the first one's key.
    let _guard = state.key_generation.lock().await;
    if let Some(k) = cached(state, cell_id) {
        return Ok(k);
    }
    let st = state.clone();
    let id = cell_id.to_owned();
    let key = state
        .db
        .run(move |conn| -> Result<CellSigningKey> {
            let secret = st.unit_secret();
            if let Some(row) = repo::of_cell(conn, &id)?.first() {
                let wrapped = from_row(row).map_err(Error::internal)?;
                return keys::unwrap_private_key(secret, &id, &wrapped).map_err(Error::internal);
            }
            let key = keys::generate_signing_key().map_err(Error::internal)?;
            let wrapped = keys::wrap_private_key(secret, &id, &key).map_err(Error::internal)?;
            repo::insert(conn, &to_row(&id, &wrapped))?;
            tracing::info!(cell_id = %id, kid = %key.kid(), "generated a cell signing key");
            Ok(key)
        })
        .await?;
    let key = Arc::new(key);
    if let Ok(mut map) = state.signing_keys.lock() {
        map.insert(cell_id.to_owned(), key.clone());
    }
    Ok(key)
}

/// `GET {C}__certs`: the cell's public keys as Personium's JWKS.
pub async fn jwks(state: &AppState, cell_id: &str) -> Result<String> {
    signing_key(state, cell_id).await?;
    let id = cell_id.to_owned();
    let rows = state
        .db
        .read(move |conn| Ok::<_, Error>(repo::of_cell(conn, &id)?))
        .await?;
    let public: Vec<PublicJwk> = rows
        .iter()
        .filter_map(|r| serde_json::from_str(&r.public_jwk).ok())
        .collect();
    Ok(keys::jwks_json(&public))
}

/// The public key `kid` of a cell of this Unit (for trans-cell tokens issued here).
pub fn local_verifying_key(
    conn: &mut crate::db::DbConn,
    cell_id: &str,
    kid: &str,
) -> Result<Option<VerifyingKey>> {
    let Some(row) = repo::by_kid(conn, kid)? else {
        return Ok(None);
    };
    if row.cell_id != cell_id {
        return Ok(None);
    }
    let jwk: PublicJwk = serde_json::from_str(&row.public_jwk).map_err(Error::internal)?;
    Ok(keys::verifying_key_from_jwk(&jwk).ok())
}
