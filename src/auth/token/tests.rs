use super::*;
use crate::auth::keys::tests::TEST_KEY;
use crate::auth::keys::verifying_key_from_jwk;

const CELL: &str = "https://alice.unit.example/";
const APP: &str = "https://app.unit.example/";
const T0: i64 = 1_700_000_000;

fn secret() -> UnitSecret {
    UnitSecret::from_bytes([9; 32])
}

fn roles(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{APP}__role/__/role{i}")).collect()
}

fn claims(kind: TokenKind) -> Claims {
    Claims {
        schema: Some(format!("{APP}#c")),
        scope: vec!["root".into(), "openid".into()],
        roles: roles(3),
        jti: Some("id-1".into()),
        ..Claims::new(CELL, "me", T0, kind.default_lifetime_secs())
    }
}

#[test]
fn kinds_prefixes_lifetimes() {
    use TokenKind::*;
    let table = [
        (ResidentAccess, "AR~", 3600, 3600),
        (ResidentRefresh, "RR~", 86_400, 86_400),
        (VisitorAccess, "AV~", 3600, 3600),
        (VisitorRefresh, "RV~", 86_400, 86_400),
        (PasswordChange, "AP~", 86_400, 86_400),
        (UnitLocalUnitUser, "AU~", 3600, 3600),
        (GrantCode, "GC~", 600, 600),
        (TransCell, "", 3600, 3600),
    ];
    for (kind, prefix, default, max) in table {
        assert_eq!(kind.prefix(), prefix, "{kind:?}");
        assert_eq!(kind.default_lifetime_secs(), default, "{kind:?}");
        assert_eq!(kind.max_lifetime_secs(), max, "{kind:?}");
        if kind != TransCell {
            let token = format!("{prefix}rest");
            assert_eq!(TokenKind::split_prefix(&token), Some((kind, "rest")));
        }
    }
    for bad in ["", "AR", "AA~x", "ar~x", "~AR~", "TC~x", "日本語"] {
        assert_eq!(TokenKind::split_prefix(bad), None, "{bad:?}");
    }
}

#[test]
fn checked_lifetimes() {
    use TokenKind::*;
    let table = [
        (ResidentAccess, None, Some(3600)),
        (ResidentAccess, Some(1), Some(1)),
        (ResidentAccess, Some(3600), Some(3600)),
        (ResidentAccess, Some(3601), None),
        (ResidentAccess, Some(0), None),
        (ResidentAccess, Some(-5), None),
        (ResidentRefresh, Some(86_400), Some(86_400)),
        (ResidentRefresh, Some(86_401), None),
        (TransCell, Some(120), Some(120)),
    ];
    for (kind, requested, want) in table {
        assert_eq!(
            kind.checked_lifetime(requested),
            want,
            "{kind:?} {requested:?}"
        );
    }
}

#[test]
fn claims_helpers() {
    let c = claims(TokenKind::ResidentAccess);
    assert_eq!(c.exp, T0 + 3600);
    assert_eq!(c.expires_in(T0 + 100), 3500);
    assert_eq!(c.expires_in(T0 + 9999), 0);
    assert_eq!(c.scope_string(), "root openid");
    assert!(c.is_confidential());
    assert_eq!(c.schema_url(), Some(APP));
    let public = Claims {
        schema: Some(APP.into()),
        ..Claims::default()
    };
    assert!(!public.is_confidential());
    assert_eq!(public.schema_url(), Some(APP));
    assert_eq!(
        Claims {
            schema: Some(String::new()),
            ..Claims::default()
        }
        .schema_url(),
        None
    );
}

#[test]
fn local_round_trip_every_kind() {
    let key = local_key(&secret(), "cell-1");
    for kind in TokenKind::PREFIXED {
        let mut c = claims(kind);
        c.owner = kind == TokenKind::UnitLocalUnitUser;
        c.redirect_uri = Some(format!("{APP}cb"));
        c.nonce = Some("n-0S6".into());
        c.client_id = Some(APP.into());
        c.orig_iss = Some("https://bob.other.example/".into());
        let token = issue_local(kind, &c, &key).unwrap();
        assert!(token.starts_with(kind.prefix()), "{token}");
        assert_eq!(verify_local(&token, &key, T0).unwrap(), (kind, c.clone()));
        assert_eq!(peek(&token).map(|(k, _)| k), Some(kind));
        assert_eq!(peek_issuer(&token).as_deref(), Some(CELL));
    }
    assert!(matches!(
        issue_local(TokenKind::TransCell, &claims(TokenKind::TransCell), &key),
        Err(TokenError::Encode(_))
    ));
}

#[test]
fn compact_payload() {
    let key = local_key(&secret(), "cell-1");
    let c = Claims::new(CELL, "me", T0, 3600);
    let token = issue_local(TokenKind::ResidentAccess, &c, &key).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"knd": "AR", "iss": CELL, "sub": "me", "iat": T0, "exp": T0 + 3600})
    );
}

#[test]
fn local_refusals() {
    let key = local_key(&secret(), "cell-1");
    let ar = issue_local(
        TokenKind::ResidentAccess,
        &claims(TokenKind::ResidentAccess),
        &key,
    )
    .unwrap();
    let rr = issue_local(
        TokenKind::ResidentRefresh,
        &claims(TokenKind::ResidentRefresh),
        &key,
    )
    .unwrap();
    let jws = &ar[3..];
    let (h, rest) = jws.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let other_payload =
        URL_SAFE_NO_PAD.encode(r#"{"knd":"AR","iss":"x","sub":"root","iat":0,"exp":9999999999}"#);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let rs_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);

    let other_cell = local_key(&secret(), "cell-2");
    let other_unit = local_key(&UnitSecret::from_bytes([8; 32]), "cell-1");
    let unit_key = unit_local_key(&secret());
    let cases: Vec<(&str, String, &LocalKey, TokenError)> = vec![
        (
            "refresh re-prefixed",
            format!("AR~{}", &rr[3..]),
            &key,
            TokenError::KindMismatch,
        ),
        (
            "access re-prefixed",
            format!("AP~{jws}"),
            &key,
            TokenError::KindMismatch,
        ),
        (
            "other cell",
            ar.clone(),
            &other_cell,
            TokenError::BadSignature,
        ),
        (
            "other unit",
            ar.clone(),
            &other_unit,
            TokenError::BadSignature,
        ),
        ("unit key", ar.clone(), &unit_key, TokenError::BadSignature),
        (
            "payload swapped",
            format!("AR~{h}.{other_payload}.{s}"),
            &key,
            TokenError::BadSignature,
        ),
        (
            "alg none",
            format!("AR~{none_header}.{p}."),
            &key,
            TokenError::Malformed,
        ),
        (
            "alg RS256",
            format!("AR~{rs_header}.{p}.{s}"),
            &key,
            TokenError::BadSignature,
        ),
        ("no prefix", jws.to_owned(), &key, TokenError::Malformed),
        (
            "garbage",
            "AR~not.a.jws".into(),
            &key,
            TokenError::Malformed,
        ),
        (
            "two parts",
            format!("AR~{h}.{p}"),
            &key,
            TokenError::Malformed,
        ),
        ("empty", String::new(), &key, TokenError::Malformed),
        (
            "master token",
            "some-master-token".into(),
            &key,
            TokenError::Malformed,
        ),
    ];
    for (name, token, k, want) in cases {
        assert_eq!(verify_local(&token, k, T0), Err(want), "{name}");
    }
}

#[test]
fn expiry_boundaries() {
    let key = local_key(&secret(), "c");
    let c = Claims::new(CELL, "me", T0, 60);
    let t = issue_local(TokenKind::ResidentAccess, &c, &key).unwrap();
    let expired = Err(TokenError::Expired {
        kind: TokenKind::ResidentAccess,
    });
    assert!(verify_local(&t, &key, T0).is_ok());
    assert!(verify_local(&t, &key, T0 + 59).is_ok());
    assert_eq!(verify_local(&t, &key, T0 + 60), expired);
    assert_eq!(verify_local(&t, &key, T0 + 10_000), expired);
}

#[test]
fn bearer_rules() {
    use TokenKind::*;
    let key = local_key(&secret(), "c");
    let later = T0 + 200_000;
    let table = [
        (ResidentAccess, T0, Ok(ResidentAccess)),
        (
            ResidentAccess,
            later,
            Err(TokenError::Expired {
                kind: ResidentAccess,
            }),
        ),
        (VisitorAccess, T0, Ok(VisitorAccess)),
        (PasswordChange, T0, Ok(PasswordChange)),
        (UnitLocalUnitUser, T0, Ok(UnitLocalUnitUser)),
        (ResidentRefresh, T0, Err(TokenError::RefreshAsAccess)),
        (VisitorRefresh, T0, Err(TokenError::RefreshAsAccess)),
        (ResidentRefresh, later, Err(TokenError::RefreshAsAccess)),
        (GrantCode, T0, Err(TokenError::Malformed)),
        (GrantCode, later, Err(TokenError::Malformed)),
    ];
    for (kind, now, want) in table {
        let t = issue_local(kind, &claims(kind), &key).unwrap();
        let got = verify_bearer_local(&t, &key, now).map(|(k, _)| k);
        assert_eq!(got, want, "{kind:?} at {now}");
    }
}

#[test]
fn peek_classifies() {
    let key = local_key(&secret(), "c");
    let ar = issue_local(
        TokenKind::ResidentAccess,
        &claims(TokenKind::ResidentAccess),
        &key,
    )
    .unwrap();
    let cases: Vec<(&str, Option<TokenKind>)> = vec![
        (&ar, Some(TokenKind::ResidentAccess)),
        (&ar[3..], Some(TokenKind::TransCell)),
        ("a.b.c", Some(TokenKind::TransCell)),
        ("a.b", None),
        ("a.b.c.d", None),
        ("a..c", None),
        ("a.b.c=", None),
        ("master-token", None),
        ("", None),
    ];
    for (token, want) in cases {
        assert_eq!(peek(token).map(|(k, _)| k), want, "{token:?}");
    }
    assert_eq!(peek_issuer("a.b.c"), None);
    assert_eq!(peek_issuer("AR~x"), None);
}

fn lookup_ours(kid: &str) -> Option<VerifyingKey> {
    (kid == TEST_KEY.kid()).then(|| TEST_KEY.verifying_key().unwrap())
}

fn tcat_claims() -> Claims {
    Claims {
        aud: Some("https://bob.other.example/".into()),
        roles: roles(10),
        ..Claims::new(CELL, format!("{CELL}#me"), T0, 3600)
    }
}

#[test]
fn tcat_round_trip() {
    let c = tcat_claims();
    let t = issue_tcat(&c, &TEST_KEY).unwrap();
    assert_eq!(peek(&t).map(|(k, _)| k), Some(TokenKind::TransCell));
    assert_eq!(peek_issuer(&t).as_deref(), Some(CELL));
    let header = jsonwebtoken::decode_header(&t).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some(TEST_KEY.kid()));
    let got = verify_tcat(&t, &lookup_ours, "https://bob.other.example/", T0).unwrap();
    assert_eq!(got, c);
    assert!(matches!(
        issue_tcat(&Claims::new(CELL, "x", T0, 60), &TEST_KEY),
        Err(TokenError::Encode(_))
    ));
}

/// Signs `tcat_claims()` tagged `knd` with `header`, HS256 under `hmac` or RS256 with TEST_KEY.
fn forge(header: Header, knd: TokenKind, hmac: Option<&[u8]>) -> String {
    let wire = WireOut {
        knd,
        claims: &tcat_claims(),
    };
    let key = hmac.map_or_else(|| TEST_KEY.encoding_key().clone(), EncodingKey::from_secret);
    jsonwebtoken::encode(&header, &wire, &key).unwrap()
}

#[test]
fn tcat_refusals() {
    use TokenError::*;
    let target = "https://bob.other.example/";
    let good = issue_tcat(&tcat_claims(), &TEST_KEY).unwrap();
    let (hp, sig) = good.rsplit_once('.').unwrap();
    let mut sig_bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    sig_bytes[0] ^= 1;
    let bad_sig = format!("{hp}.{}", URL_SAFE_NO_PAD.encode(&sig_bytes));

    // A key whose kid matches but whose modulus differs.
    let mut other = TEST_KEY.public_jwk().clone();
    let mut n = URL_SAFE_NO_PAD.decode(other.n.as_deref().unwrap()).unwrap();
    n[100] ^= 0x10;
    other.n = Some(URL_SAFE_NO_PAD.encode(&n));
    let wrong_key = move |_: &str| verifying_key_from_jwk(&other).ok();

    // Algorithm confusion: HS256 keyed with the public modulus, kid of our key.
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(TEST_KEY.kid().into());
    let n_bytes = URL_SAFE_NO_PAD.decode(TEST_KEY.public_jwk().n.as_deref().unwrap());
    let confused = forge(hs, TokenKind::TransCell, Some(&n_bytes.unwrap()));
    let local_inside = forge(rs_header(&TEST_KEY), TokenKind::ResidentAccess, None);
    let no_kid = forge(Header::new(Algorithm::RS256), TokenKind::TransCell, None);
    let local_key = local_key(&secret(), "c");
    let local = issue_local(
        TokenKind::ResidentAccess,
        &claims(TokenKind::ResidentAccess),
        &local_key,
    );
    let local = local.unwrap();

    type Lookup<'a> = &'a dyn Fn(&str) -> Option<VerifyingKey>;
    let none = |_: &str| None;
    let cases: Vec<(&str, &str, Lookup, TokenError)> = vec![
        ("bad signature", &bad_sig, &lookup_ours, BadSignature),
        ("other modulus", &good, &wrong_key, BadSignature),
        ("alg confusion", &confused, &lookup_ours, BadSignature),
        ("local kind", &local_inside, &lookup_ours, KindMismatch),
        ("no kid", &no_kid, &lookup_ours, Malformed),
        ("local token", &local, &lookup_ours, Malformed),
        ("local jws", &local[3..], &lookup_ours, Malformed),
        (
            "unknown kid",
            &good,
            &none,
            UnknownKey(TEST_KEY.kid().into()),
        ),
        ("garbage", "x.y.z", &lookup_ours, Malformed),
    ];
    for (name, token, lookup, want) in cases {
        assert_eq!(verify_tcat(token, lookup, target, T0), Err(want), "{name}");
    }
    let expired = Expired {
        kind: TokenKind::TransCell,
    };
    assert_eq!(
        verify_tcat(&good, &lookup_ours, target, T0 + 3600),
        Err(expired)
    );
    let wrong = WrongTarget(target.into());
    assert_eq!(verify_tcat(&good, &lookup_ours, CELL, T0), Err(wrong));
}

#[test]
fn id_token_claims() {
    let t = issue_id_token(CELL, "me", APP, T0, Some("n1"), &TEST_KEY).unwrap();
    let header = jsonwebtoken::decode_header(&t).unwrap();
    assert_eq!(header.kid.as_deref(), Some(TEST_KEY.kid()));
    assert_eq!(header.alg, Algorithm::RS256);
    let vk = TEST_KEY.verifying_key().unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[APP]);
    v.validate_exp = false;
    let data = jsonwebtoken::decode::<serde_json::Value>(&t, &vk.key, &v).unwrap();
    assert_eq!(
        data.claims,
        serde_json::json!({"iss": CELL, "sub": "me", "aud": APP, "exp": T0 + 3600, "iat": T0, "nonce": "n1"})
    );
}

#[test]
fn pr_codes() {
    use TokenError::*;
    let k = TokenKind::ResidentAccess;
    // (error, Bearer, assertion/refresh, client secret, grant code)
    let table: Vec<(TokenError, [&str; 4])> = vec![
        (
            Malformed,
            [
                "PR401-AU-0006",
                "PR400-AN-0009",
                "PR400-AN-0003",
                "PR400-AN-0019",
            ],
        ),
        (
            KindMismatch,
            [
                "PR401-AU-0006",
                "PR400-AN-0009",
                "PR400-AN-0003",
                "PR400-AN-0019",
            ],
        ),
        (
            BadSignature,
            [
                "PR401-AU-0008",
                "PR400-AN-0011",
                "PR400-AN-0005",
                "PR400-AN-0011",
            ],
        ),
        (
            UnknownKey("k".into()),
            [
                "PR401-AU-0008",
                "PR400-AN-0011",
                "PR400-AN-0005",
                "PR400-AN-0019",
            ],
        ),
        (
            Expired { kind: k },
            [
                "PR401-AU-0002",
                "PR400-AN-0010",
                "PR400-AN-0004",
                "PR400-AN-0010",
            ],
        ),
        (
            RefreshAsAccess,
            [
                "PR401-AU-0007",
                "PR400-AN-0009",
                "PR400-AN-0003",
                "PR400-AN-0019",
            ],
        ),
        (
            PasswordChangeOnly,
            [
                "PR401-AU-0012",
                "PR400-AN-0009",
                "PR400-AN-0003",
                "PR400-AN-0019",
            ],
        ),
        (
            NotRefresh,
            [
                "PR401-AU-0006",
                "PR400-AN-0013",
                "PR400-AN-0003",
                "PR400-AN-0019",
            ],
        ),
        (
            WrongTarget("t".into()),
            [
                "PR401-AU-0006",
                "PR400-AN-0012",
                "PR400-AN-0007",
                "PR400-AN-0019",
            ],
        ),
        (Encode("e".into()), ["PR500-SV-0000"; 4]),
    ];
    for (e, [bearer, assertion, client, code]) in table {
        let got = [
            e.pr_code(),
            e.pr_code_as_assertion(),
            e.pr_code_as_client_secret(),
            e.pr_code_as_grant_code(),
        ];
        assert_eq!(got, [bearer, assertion, client, code], "{e:?}");
    }
}

#[test]
fn local_key_debug_hides_secret() {
    assert_eq!(format!("{:?}", local_key(&secret(), "c")), "LocalKey(***)");
}
