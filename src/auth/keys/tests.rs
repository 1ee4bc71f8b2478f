use std::sync::LazyLock;

use super::*;

/// One RSA key for all tests of the crate (generation takes seconds in debug builds).
pub(crate) static TEST_KEY: LazyLock<CellSigningKey> =
    LazyLock::new(|| generate_signing_key().expect("RSA key generation"));

fn secret(byte: u8) -> UnitSecret {
    UnitSecret::from_bytes([byte; 32])
}

#[test]
fn hex_round_trip_and_errors() {
    let s = UnitSecret::generate().unwrap();
    let hex = s.to_hex();
    assert_eq!(hex.len(), 64);
    assert_eq!(UnitSecret::from_hex(&hex).unwrap().0, s.0);

    let cases: &[(&str, Option<[u8; 32]>)] = &[
        (&"00".repeat(32), Some([0; 32])),
        (&"aB".repeat(32), Some([0xab; 32])),
        (&format!("  {}\n", "ff".repeat(32)), Some([0xff; 32])),
        (&"0".repeat(63), None),
        (&"0".repeat(66), None),
        (&"zz".repeat(32), None),
        ("", None),
    ];
    for (input, want) in cases {
        let got = UnitSecret::from_hex(input).ok().map(|s| s.0);
        assert_eq!(got, *want, "{input:?}");
    }
}

#[test]
fn secrets_never_in_debug() {
    let s = secret(0x42);
    assert_eq!(format!("{s:?}"), "UnitSecret(***)");
    let dbg = format!("{:?}", *TEST_KEY);
    assert!(
        dbg.contains(TEST_KEY.kid()) && !dbg.contains("private"),
        "{dbg}"
    );
    let vk = TEST_KEY.verifying_key().unwrap();
    assert!(format!("{vk:?}").starts_with("VerifyingKey { kid:"));
}

#[test]
fn derive_is_stable_and_separated() {
    // Pinned: the derivation is part of the storage format (stored keys and live tokens depend
    // on it). If this changes, every wrapped key and every issued token becomes unreadable.
    // Checked against an independent HKDF (Python hmac/hashlib, RFC 5869 with an all-zero salt).
    let s = secret(0x01);
    let k = s.derive(labels::TOKEN, b"cell-1");
    assert_eq!(
        UnitSecret::from_bytes(*k).to_hex().as_str(),
        "9eb73a6ec961bc08106ff3da7184bd5deebf13f15bfa4ac533d7ca755eec5c1c"
    );
    let others = [
        s.derive(labels::TOKEN, b"cell-2"),
        s.derive(labels::KEY_WRAP, b"cell-1"),
        s.derive(labels::UNIT_TOKEN, b""),
        secret(0x02).derive(labels::TOKEN, b"cell-1"),
        // The 0x00 separator keeps label and context apart.
        s.derive("unitcell token v", b"1\0cell-1"),
    ];
    for o in &others {
        assert_ne!(*k, **o);
    }
    assert_eq!(*k, *s.derive(labels::TOKEN, b"cell-1"));
}

#[test]
fn load_or_generate_creates_0600_then_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit.key");
    let first = UnitSecret::load_or_generate(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = UnitSecret::load_or_generate(&path).unwrap();
    assert_eq!(first.0, again.0);

    std::fs::write(&path, "not a key").unwrap();
    assert!(UnitSecret::load_or_generate(&path).is_err());
    assert!(UnitSecret::load_or_generate(dir.path()).is_err());
}

#[test]
fn rfc7638_thumbprint() {
    // RFC 7638 §3.1 example key.
    let jwk = PublicJwk {
        kty: "RSA".into(),
        alg: Some("RS256".into()),
        kid: Some("2011-04-29".into()),
        n: Some(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc\
             _BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0\
             _FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhA\
             I4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
                .into(),
        ),
        e: Some("AQAB".into()),
    };
    assert_eq!(
        jwk.thumbprint().as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    // The same key's components give the same kid through PublicJwk::rsa.
    let n = URL_SAFE_NO_PAD.decode(jwk.n.as_deref().unwrap()).unwrap();
    let ours = PublicJwk::rsa(&[&[0u8][..], &n].concat(), &[1, 0, 1]);
    assert_eq!(
        ours.kid.as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    assert_eq!(ours.n, jwk.n);
}

#[test]
fn generated_key_shape() {
    let k = &*TEST_KEY;
    let jwk = k.public_jwk();
    assert_eq!(jwk.kty, "RSA");
    assert_eq!(jwk.alg.as_deref(), Some("RS256"));
    assert_eq!(jwk.e.as_deref(), Some("AQAB"));
    assert_eq!(jwk.kid.as_deref(), Some(k.kid()));
    assert_eq!(jwk.thumbprint().as_deref(), Some(k.kid()));
    let n = URL_SAFE_NO_PAD.decode(jwk.n.as_deref().unwrap()).unwrap();
    assert_eq!(n.len(), 256);
    assert!(n[0] & 0x80 != 0, "2048-bit modulus, no leading zero");
    assert_eq!(k.alg(), KeyAlg::RS256);
}

#[test]
fn jwks_in_personium_shape() {
    let jwk = TEST_KEY.public_jwk();
    let text = jwks_json(std::slice::from_ref(jwk));
    let want = format!(
        r#"{{"keys":[{{"kty":"RSA","alg":"RS256","kid":"{}","n":"{}","e":"AQAB"}}]}}"#,
        TEST_KEY.kid(),
        jwk.n.as_deref().unwrap()
    );
    assert_eq!(text, want);
    let value = jwks(std::slice::from_ref(jwk));
    assert_eq!(
        value,
        serde_json::from_str::<serde_json::Value>(&want).unwrap()
    );
    assert_eq!(jwks_json(&[]), r#"{"keys":[]}"#);
}

#[test]
fn parse_jwks_keeps_usable_keys() {
    let ours = serde_json::to_value(TEST_KEY.public_jwk()).unwrap();
    // Personium's kid is a UUID; another key type and junk are skipped, not fatal.
    let mut personium = ours.clone();
    personium["kid"] = "8a4b8e1c-2c5e-4f7e-9d5e-3f0c1a2b3c4d".into();
    let body = serde_json::json!({"keys": [
        ours,
        personium,
        {"kty": "EC", "alg": "ES256", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "alg": "RS256", "n": "AQAB", "e": "AQAB"},
        "junk",
    ]});
    let keys = parse_jwks(body.to_string().as_bytes()).unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[1].kid.as_deref(),
        Some("8a4b8e1c-2c5e-4f7e-9d5e-3f0c1a2b3c4d")
    );
    assert!(parse_jwks(b"{}").is_err());
    assert!(parse_jwks(b"not json").is_err());
}

#[test]
fn verifying_key_from_jwk_cases() {
    let good = TEST_KEY.public_jwk().clone();
    let n1024 = URL_SAFE_NO_PAD.encode([0xc5u8; 128]);
    let cases: Vec<(&str, PublicJwk, bool)> = vec![
        ("ours", good.clone(), true),
        (
            "no alg",
            PublicJwk {
                alg: None,
                ..good.clone()
            },
            true,
        ),
        (
            "no kid",
            PublicJwk {
                kid: None,
                ..good.clone()
            },
            true,
        ),
        (
            "ES256",
            PublicJwk {
                alg: Some("ES256".into()),
                ..good.clone()
            },
            false,
        ),
        (
            "HS256",
            PublicJwk {
                alg: Some("HS256".into()),
                ..good.clone()
            },
            false,
        ),
        (
            "kty EC",
            PublicJwk {
                kty: "EC".into(),
                ..good.clone()
            },
            false,
        ),
        (
            "no n",
            PublicJwk {
                n: None,
                ..good.clone()
            },
            false,
        ),
        (
            "no e",
            PublicJwk {
                e: None,
                ..good.clone()
            },
            false,
        ),
        (
            "1024 bits",
            PublicJwk {
                n: Some(n1024),
                ..good.clone()
            },
            false,
        ),
        (
            "bad base64",
            PublicJwk {
                n: Some("***".into()),
                ..good.clone()
            },
            false,
        ),
    ];
    for (name, jwk, ok) in cases {
        assert_eq!(verifying_key_from_jwk(&jwk).is_ok(), ok, "{name}");
    }
}

#[test]
fn wrap_round_trip() {
    let s = secret(7);
    let w = wrap_private_key(&s, "cell-a", &TEST_KEY).unwrap();
    assert_eq!(w.kid, TEST_KEY.kid());
    assert_eq!(w.alg, KeyAlg::RS256);
    assert_eq!(
        serde_json::from_str::<PublicJwk>(&w.public_jwk).unwrap(),
        *TEST_KEY.public_jwk()
    );
    let k = unwrap_private_key(&s, "cell-a", &w).unwrap();
    assert_eq!(k.kid(), TEST_KEY.kid());
    assert_eq!(*k.private_der, *TEST_KEY.private_der);
    assert_eq!(k.public_jwk(), TEST_KEY.public_jwk());

    let w2 = wrap_private_key(&s, "cell-a", &TEST_KEY).unwrap();
    assert_ne!(w.nonce, w2.nonce);
    assert_ne!(w.ciphertext, w2.ciphertext);
}

#[test]
fn unwrap_refuses_anything_changed() {
    let s = secret(7);
    let w = wrap_private_key(&s, "cell-a", &TEST_KEY).unwrap();
    let mut flipped = w.clone();
    flipped.ciphertext[10] ^= 1;
    let mut nonce = w.clone();
    nonce.nonce[0] ^= 1;
    let mut kid = w.clone();
    kid.kid.push('x');
    let mut jwk = w.clone();
    jwk.public_jwk = jwk.public_jwk.replace("AQAB", "AQAD");
    let mut nul = w.clone();
    nul.kid.push('\0');

    let cases: Vec<(&str, &UnitSecret, &str, &WrappedKey)> = vec![
        ("other cell", &s, "cell-b", &w),
        ("ciphertext", &s, "cell-a", &flipped),
        ("nonce", &s, "cell-a", &nonce),
        ("kid", &s, "cell-a", &kid),
        ("public jwk", &s, "cell-a", &jwk),
        ("nul in kid", &s, "cell-a", &nul),
    ];
    for (name, secret, cell, wrapped) in cases {
        assert!(unwrap_private_key(secret, cell, wrapped).is_err(), "{name}");
    }
    assert!(
        unwrap_private_key(&secret(8), "cell-a", &w).is_err(),
        "other secret"
    );
    assert!(wrap_private_key(&s, "cell\0a", &TEST_KEY).is_err());
}
