//! Account passwords: Personium's format rule (`spec/personium-api.md` §2.6
//! `security.auth.password.regex`) and argon2id hashing (ours; Personium uses scrypt).
//!
//! Cost: argon2id with m = 19 MiB, t = 2, p = 1 (the argon2 crate's defaults, OWASP's
//! recommended minimum), about 20-40 ms on one core of this project's reference machine.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// `^[a-zA-Z0-9-_!$*=^`{|}~.@]{6,32}$`
pub fn is_valid_format(password: &str) -> bool {
    (6..=32).contains(&password.len())
        && password
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_!$*=^`{|}~.@".contains(c))
}

/// A PHC-format argon2id hash with a random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Checks a password against a stored hash in constant time (argon2's verifier).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases = [
            ("passwd", true),
            ("p@ss-w0rd_!$*=^`{|}~.", true),
            ("short", false),
            (&"x".repeat(33)[..], false),
            ("pass word", false),
            ("pässword", false),
        ];
        for (p, ok) in cases {
            assert_eq!(is_valid_format(p), ok, "{p}");
        }
    }

    #[test]
    fn hash_and_verify() -> anyhow::Result<()> {
        let h = hash("secret-1")?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("secret-1", &h));
        assert!(!verify("secret-2", &h));
        assert!(!verify("secret-1", "not a hash"));
        Ok(())
    }
}
