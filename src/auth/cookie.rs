//! The `p_cookie` cookie (`spec/personium-api.md` §5.1 `p_cookie=true`, §5.2 cookie auth): an
//! access token sealed for a browser, usable only together with the `p_cookie_peer` value the
//! token endpoint returned in its body.
//!
//! Ours (Personium encrypts `peer \t token` with a key made from the host name): AES-256-GCM
//! under a key derived from the unit secret ([`labels::COOKIE`](super::keys::labels::COOKIE)),
//! random 96-bit nonce, the peer value as associated data; the cookie value is
//! `base64url(nonce || ciphertext)`. A cookie opens only with its own peer value, and nobody
//! without the unit secret can make or read one.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::TryRngCore;

use super::keys::{labels, UnitSecret};

/// The cookie's name.
pub const COOKIE_NAME: &str = "p_cookie";
/// The query parameter that must accompany it.
pub const PEER_PARAM: &str = "p_cookie_peer";

/// Longest cookie value accepted (a token is well below this).
const MAX_COOKIE_LEN: usize = 16 * 1024;

fn cipher(secret: &UnitSecret) -> anyhow::Result<Aes256Gcm> {
    let key = secret.derive(labels::COOKIE, b"");
    Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| anyhow::anyhow!("AES key length"))
}

/// Seals `token` for `peer`: the `p_cookie` value.
pub fn seal(secret: &UnitSecret, peer: &str, token: &str) -> anyhow::Result<String> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| anyhow::anyhow!("OS random generator: {e}"))?;
    let sealed = cipher(secret)?
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: token.as_bytes(),
                aad: peer.as_bytes(),
            },
        )
        .map_err(|_| anyhow::anyhow!("AES-GCM encryption failed"))?;
    Ok(URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat()))
}

/// Opens a `p_cookie` value with its peer value: the token, or `None` when the cookie is
/// malformed, forged or sealed for another peer.
pub fn open(secret: &UnitSecret, peer: &str, cookie: &str) -> Option<String> {
    if cookie.len() > MAX_COOKIE_LEN {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(cookie).ok()?;
    if raw.len() < 12 {
        return None;
    }
    let (nonce, sealed) = raw.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let plain = cipher(secret)
        .ok()?
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: sealed,
                aad: peer.as_bytes(),
            },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_peer_and_secret() {
        let secret = UnitSecret::from_bytes([7; 32]);
        let other = UnitSecret::from_bytes([8; 32]);
        let cookie = seal(&secret, "peer-1", "AR~token").unwrap();
        assert_eq!(
            open(&secret, "peer-1", &cookie).as_deref(),
            Some("AR~token")
        );
        // Each seal uses a fresh nonce.
        assert_ne!(seal(&secret, "peer-1", "AR~token").unwrap(), cookie);
        let mut tampered = cookie.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let cases: [(&UnitSecret, &str, &str); 6] = [
            (&secret, "peer-2", &cookie),
            (&secret, "", &cookie),
            (&other, "peer-1", &cookie),
            (&secret, "peer-1", &tampered),
            (&secret, "peer-1", "not base64 !"),
            (&secret, "peer-1", "AAAA"),
        ];
        for (s, peer, value) in cases {
            assert_eq!(open(s, peer, value), None, "{peer} {value}");
        }
    }
}
