//! Key material of the Unit and its cells: the unit secret key, the keys derived from it, each
//! cell's signing key pair, the wrapped form stored in the database, and the JWKS served at
//! `GET {cell}__certs` (`spec/personium-api.md` §5.5; key hierarchy after
//! `spec/storage-and-engine.md` §E.2).
//!
//! Hierarchy (ours):
//! - **Unit secret key**: 256 random bits, from configuration/environment or a file in the data
//!   directory (created with mode 0600 on first start). Never stored in the database.
//! - **Derived keys**: HKDF-SHA256 (RFC 5869) over the unit secret, no salt (the input is already
//!   uniform), `info = label || 0x00 || context`; the label names the purpose and version, the
//!   context is usually a cell id. See [`UnitSecret::derive`] and [`labels`].
//! - **Cell signing key pair**: RSA-2048 / RS256, as Personium's `__certs` publishes
//!   (`{"kty":"RSA","alg":"RS256","kid","n","e"}`). `kid` is the RFC 7638 JWK thumbprint of the
//!   public key. Used for trans-cell tokens and OIDC `id_token`s, so other Units can verify them
//!   against `__certs`. Stored wrapped: AES-256-GCM under a key derived with
//!   [`labels::KEY_WRAP`] and the cell id, random 96-bit nonce, AAD binding cell id, kid and alg.
//!   Each key carries its [`KeyAlg`], so ES256 can be added beside RS256 later.
//!
//! Secrets never appear in `Debug` output; plaintext key bytes are zeroized when dropped.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rand::TryRngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// HKDF labels (`info` prefixes). A new purpose or format gets a new label; never reuse one.
pub mod labels {
    /// Per-cell HMAC key of the cell-local tokens (`AR~`, `RR~`, ...); context = cell id.
    pub const TOKEN: &str = "unitcell token v1";
    /// Unit-wide HMAC key of unit-local unit user tokens (`AU~`); context = empty.
    pub const UNIT_TOKEN: &str = "unitcell unit token v1";
    /// Per-cell key that wraps the cell's private signing keys; context = cell id.
    pub const KEY_WRAP: &str = "unitcell cell-key wrap v1";
    /// Unit-wide AES-256-GCM key of the `p_cookie` cookie; context = empty.
    pub const COOKIE: &str = "unitcell p_cookie v1";
}

/// RSA modulus size of new cell keys (Personium: 2048).
pub const RSA_BITS: usize = 2048;

/// The 256-bit unit secret key. Zeroized on drop; `Debug` prints `***`.
pub struct UnitSecret([u8; 32]);

impl UnitSecret {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> UnitSecret {
        UnitSecret(bytes)
    }

    /// A new random secret from the operating system's RNG.
    pub fn generate() -> anyhow::Result<UnitSecret> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| anyhow::anyhow!("OS random generator: {e}"))?;
        Ok(UnitSecret(bytes))
    }

    /// Parses 64 hex digits (surrounding whitespace ignored, either case).
    pub fn from_hex(hex: &str) -> anyhow::Result<UnitSecret> {
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            anyhow::bail!("unit secret key must be 64 hex digits, got {}", hex.len());
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            match (hex_val(pair[0]), hex_val(pair[1])) {
                (Some(hi), Some(lo)) => bytes[i] = (hi << 4) | lo,
                _ => {
                    bytes.zeroize();
                    anyhow::bail!("unit secret key is not hexadecimal");
                }
            }
        }
        Ok(UnitSecret(bytes))
    }

    /// Lower-case hex, zeroized when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(String::with_capacity(64));
        for b in self.0 {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        out
    }

    /// Reads the secret (hex) from `path`, or creates the file with a new secret, mode 0600,
    /// failing rather than overwriting if another process created it first.
    pub fn load_or_generate(path: &Path) -> anyhow::Result<UnitSecret> {
        use std::io::Write as _;
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                warn_if_readable_by_others(path);
                return UnitSecret::from_hex(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
        let secret = UnitSecret::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = match options.open(path) {
            Ok(file) => file,
            // Another process created it since we looked: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = Zeroizing::new(std::fs::read_to_string(path)?);
                return UnitSecret::from_hex(&text);
            }
            Err(e) => return Err(anyhow::anyhow!("creating {}: {e}", path.display())),
        };
        let mut line = secret.to_hex();
        line.push('\n');
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
        Ok(secret)
    }

    /// HKDF-SHA256 sub-key: `info = label || 0x00 || context`, 32 bytes out.
    ///
    /// The storage engines derive their per-cell key-encryption keys through this too (with
    /// their own label), so the unit secret stays inside this module.
    pub fn derive(&self, label: &str, context: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = hkdf::Hkdf::<Sha256>::new(None, &self.0);
        let mut okm = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 255 * 32, so expand cannot fail.
        if hk
            .expand_multi_info(&[label.as_bytes(), &[0u8], context], okm.as_mut())
            .is_err()
        {
            okm.zeroize();
        }
        okm
    }
}

impl Drop for UnitSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for UnitSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnitSecret(***)")
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "unit secret key file is readable by group or others");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Signature algorithm of a cell key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Personium's only one).
    RS256,
}

impl KeyAlg {
    /// The JOSE `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::RS256 => "RS256",
        }
    }

    /// Parses a JOSE `alg` name this Unit can verify.
    pub fn parse(alg: &str) -> Option<KeyAlg> {
        match alg {
            "RS256" => Some(KeyAlg::RS256),
            _ => None,
        }
    }

    pub(crate) fn jwt_algorithm(self) -> Algorithm {
        match self {
            KeyAlg::RS256 => Algorithm::RS256,
        }
    }
}

/// A public key as one entry of `__certs`. Field order follows Personium's output
/// (`kty, alg, kid, n, e`); key-type parameters are optional so EC keys fit later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// RSA modulus, base64url big-endian without leading zeros.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent, base64url (`AQAB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

impl PublicJwk {
    /// An RS256 public key from its big-endian components; `kid` = RFC 7638 thumbprint.
    pub fn rsa(n: &[u8], e: &[u8]) -> PublicJwk {
        let n = URL_SAFE_NO_PAD.encode(strip_leading_zeros(n));
        let e = URL_SAFE_NO_PAD.encode(strip_leading_zeros(e));
        let kid = rsa_thumbprint(&n, &e);
        PublicJwk {
            kty: "RSA".into(),
            alg: Some(KeyAlg::RS256.as_str().into()),
            kid: Some(kid),
            n: Some(n),
            e: Some(e),
        }
    }

    /// RFC 7638 thumbprint of this key, if it is a complete RSA key.
    pub fn thumbprint(&self) -> Option<String> {
        match (self.kty.as_str(), &self.n, &self.e) {
            ("RSA", Some(n), Some(e)) => Some(rsa_thumbprint(n, e)),
            _ => None,
        }
    }
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let first = b
        .iter()
        .position(|&x| x != 0)
        .unwrap_or(b.len().saturating_sub(1));
    &b[first..]
}

/// RFC 7638: SHA-256 over `{"e":..,"kty":"RSA","n":..}` (members sorted, no whitespace).
fn rsa_thumbprint(n_b64: &str, e_b64: &str) -> String {
    let canonical = format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// `{"keys":[...]}` as Personium's `__certs` returns it.
///
/// `serde_json::Value` orders object members alphabetically unless serde_json's
/// `preserve_order` feature is on; [`jwks_json`] keeps Personium's member order.
pub fn jwks(keys: &[PublicJwk]) -> serde_json::Value {
    serde_json::json!({ "keys": keys })
}

/// The `__certs` body as text, members in Personium's order.
pub fn jwks_json(keys: &[PublicJwk]) -> String {
    #[derive(Serialize)]
    struct Jwks<'a> {
        keys: &'a [PublicJwk],
    }
    // Serializing plain strings into a String cannot fail.
    serde_json::to_string(&Jwks { keys }).unwrap_or_else(|_| String::from(r#"{"keys":[]}"#))
}

/// Parses a `__certs` body fetched from another Unit, keeping the keys this Unit can use
/// (RSA with `n` and `e`; `alg` RS256 or absent).
pub fn parse_jwks(body: &[u8]) -> anyhow::Result<Vec<PublicJwk>> {
    #[derive(Deserialize)]
    struct Jwks {
        keys: Vec<serde_json::Value>,
    }
    let set: Jwks = serde_json::from_slice(body)?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|v| serde_json::from_value::<PublicJwk>(v).ok())
        .filter(|k| verifying_key_from_jwk(k).is_ok())
        .collect())
}

/// A public key ready to verify signatures. Cheap to clone; holds no secret.
#[derive(Clone)]
pub struct VerifyingKey {
    pub(crate) kid: String,
    pub(crate) alg: KeyAlg,
    pub(crate) key: DecodingKey,
}

impl VerifyingKey {
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> KeyAlg {
        self.alg
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Builds a verifying key from a JWK (ours or another Unit's). A missing `kid` becomes "".
pub fn verifying_key_from_jwk(jwk: &PublicJwk) -> anyhow::Result<VerifyingKey> {
    let alg = match jwk.alg.as_deref() {
        None => KeyAlg::RS256,
        Some(a) => KeyAlg::parse(a).ok_or_else(|| anyhow::anyhow!("unsupported alg {a}"))?,
    };
    match (alg, jwk.kty.as_str(), &jwk.n, &jwk.e) {
        (KeyAlg::RS256, "RSA", Some(n), Some(e)) => {
            let n = URL_SAFE_NO_PAD.decode(n.trim_end_matches('='))?;
            let e = URL_SAFE_NO_PAD.decode(e.trim_end_matches('='))?;
            let bits = strip_leading_zeros(&n).len() * 8;
            if !(2048..=8192).contains(&bits) || e.is_empty() {
                anyhow::bail!("RSA key of {bits} bits is not accepted");
            }
            Ok(VerifyingKey {
                kid: jwk.kid.clone().unwrap_or_default(),
                alg,
                key: DecodingKey::from_rsa_raw_components(&n, &e),
            })
        }
        _ => anyhow::bail!("JWK is not a complete {} key", alg.as_str()),
    }
}

/// A cell's private signing key with its public half. `Debug` shows only `kid` and `alg`.
pub struct CellSigningKey {
    kid: String,
    alg: KeyAlg,
    /// RS256: PKCS#1 `RSAPrivateKey` DER.
    private_der: Zeroizing<Vec<u8>>,
    public: PublicJwk,
    encoding: EncodingKey,
}

impl CellSigningKey {
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// The entry for `__certs`.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// The public half, for verifying our own tokens without a `__certs` round trip.
    pub fn verifying_key(&self) -> anyhow::Result<VerifyingKey> {
        verifying_key_from_jwk(&self.public)
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// Rebuilds a key from its private DER, checking it against the expected `kid`.
    fn from_private_der(
        alg: KeyAlg,
        der: Zeroizing<Vec<u8>>,
        kid: &str,
    ) -> anyhow::Result<CellSigningKey> {
        match alg {
            KeyAlg::RS256 => {
                let private = RsaPrivateKey::from_pkcs1_der(&der)
                    .map_err(|e| anyhow::anyhow!("cell private key DER: {e}"))?;
                let public = PublicJwk::rsa(&private.n().to_bytes_be(), &private.e().to_bytes_be());
                if public.kid.as_deref() != Some(kid) {
                    anyhow::bail!("cell private key does not match kid {kid}");
                }
                let encoding = EncodingKey::from_rsa_der(&der);
                Ok(CellSigningKey {
                    kid: kid.to_owned(),
                    alg,
                    private_der: der,
                    public,
                    encoding,
                })
            }
        }
    }
}

impl fmt::Debug for CellSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CellSigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// A new RSA-2048 RS256 key pair (slow: tens to hundreds of milliseconds in release builds;
/// run it off the async workers).
pub fn generate_signing_key() -> anyhow::Result<CellSigningKey> {
    let mut rng = rsa::rand_core::OsRng;
    let private = RsaPrivateKey::new(&mut rng, RSA_BITS)?;
    let der = private
        .to_pkcs1_der()
        .map_err(|e| anyhow::anyhow!("encoding RSA key: {e}"))?;
    let der = Zeroizing::new(der.as_bytes().to_vec());
    let public = PublicJwk::rsa(&private.n().to_bytes_be(), &private.e().to_bytes_be());
    let kid = public.kid.clone().unwrap_or_default();
    let encoding = EncodingKey::from_rsa_der(&der);
    Ok(CellSigningKey {
        kid,
        alg: KeyAlg::RS256,
        private_der: der,
        public,
        encoding,
    })
}

/// A cell private key as stored in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub kid: String,
    pub alg: KeyAlg,
    pub nonce: [u8; 12],
    /// AES-256-GCM ciphertext of the private DER, tag appended.
    pub ciphertext: Vec<u8>,
    /// The public JWK as JSON text (what `__certs` lists).
    pub public_jwk: String,
}

/// AAD = `cell_id || 0x00 || kid || 0x00 || alg`. Ids with NUL are refused so the split is unique.
fn wrap_aad(cell_id: &str, kid: &str, alg: KeyAlg) -> anyhow::Result<Vec<u8>> {
    if cell_id.contains('\0') || kid.contains('\0') {
        anyhow::bail!("cell id or kid contains NUL");
    }
    Ok([
        cell_id.as_bytes(),
        b"\0",
        kid.as_bytes(),
        b"\0",
        alg.as_str().as_bytes(),
    ]
    .concat())
}

fn wrap_cipher(secret: &UnitSecret, cell_id: &str) -> anyhow::Result<Aes256Gcm> {
    let kek = secret.derive(labels::KEY_WRAP, cell_id.as_bytes());
    Aes256Gcm::new_from_slice(kek.as_ref()).map_err(|_| anyhow::anyhow!("AES key length"))
}

/// Encrypts a cell's private key for storage under the cell's wrapping key.
pub fn wrap_private_key(
    secret: &UnitSecret,
    cell_id: &str,
    key: &CellSigningKey,
) -> anyhow::Result<WrappedKey> {
    let aad = wrap_aad(cell_id, &key.kid, key.alg)?;
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| anyhow::anyhow!("OS random generator: {e}"))?;
    let ciphertext = wrap_cipher(secret, cell_id)?
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &key.private_der,
                aad: &aad,
            },
        )
        .map_err(|_| anyhow::anyhow!("AES-GCM encryption failed"))?;
    Ok(WrappedKey {
        kid: key.kid.clone(),
        alg: key.alg,
        nonce,
        ciphertext,
        public_jwk: serde_json::to_string(&key.public)?,
    })
}

/// Decrypts a stored private key and checks that it, `kid` and the stored public JWK agree.
pub fn unwrap_private_key(
    secret: &UnitSecret,
    cell_id: &str,
    wrapped: &WrappedKey,
) -> anyhow::Result<CellSigningKey> {
    let aad = wrap_aad(cell_id, &wrapped.kid, wrapped.alg)?;
    let der = wrap_cipher(secret, cell_id)?
        .decrypt(
            &Nonce::from(wrapped.nonce),
            Payload {
                msg: &wrapped.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| anyhow::anyhow!("cell key {} does not decrypt", wrapped.kid))?;
    let key = CellSigningKey::from_private_der(wrapped.alg, Zeroizing::new(der), &wrapped.kid)?;
    let stored: PublicJwk = serde_json::from_str(&wrapped.public_jwk)?;
    if stored != key.public {
        anyhow::bail!(
            "stored public JWK of {} does not match the private key",
            wrapped.kid
        );
    }
    Ok(key)
}

#[cfg(test)]
pub(crate) mod tests;
