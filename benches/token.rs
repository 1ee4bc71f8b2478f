//! Token codec costs: issue + verify of a cell-local `AR~` token (HS256) and verify of a
//! trans-cell token (RS256), both carrying 10 role URLs; plus the RSA-2048 cell key
//! generation and the unwrap of a stored cell key; and the argon2id verification a password
//! grant pays. Target (issue text): verifying an access token takes under 50 µs.
//!
//! Run (release profile, short):
//! ```sh
//! cargo bench --bench token -- --warm-up-time 1 --measurement-time 3
//! cargo bench --bench token -- --warm-up-time 1 --measurement-time 3 local/  # one group
//! ```

// Benchmark setup: any failure should abort the run.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use unitcell::auth::keys::{
    generate_signing_key, unwrap_private_key, wrap_private_key, UnitSecret,
};
use unitcell::auth::token::{
    issue_local, issue_tcat, local_key, verify_local, verify_tcat, Claims, TokenKind,
};

const CELL: &str = "https://alice.unit.example/";
const TARGET: &str = "https://bob.other.example/";
const NOW: i64 = 1_700_000_000;

fn claims_with_roles(sub: &str) -> Claims {
    Claims {
        schema: Some("https://app.unit.example/#c".into()),
        scope: vec!["root".into()],
        roles: (0..10)
            .map(|i| format!("https://app.unit.example/__role/__/role{i}"))
            .collect(),
        ..Claims::new(CELL, sub, NOW, 3600)
    }
}

fn local(c: &mut Criterion) {
    let secret = UnitSecret::from_bytes([7; 32]);
    let key = local_key(&secret, "0b6f6c1e-2a41-4c43-9b1a-7f7d5f0c9a11");
    let claims = claims_with_roles("me");
    let token = issue_local(TokenKind::ResidentAccess, &claims, &key).unwrap();
    println!("AR~ token with 10 roles: {} bytes", token.len());

    let mut g = c.benchmark_group("local");
    g.bench_function("issue_AR_10roles", |b| {
        b.iter(|| issue_local(TokenKind::ResidentAccess, black_box(&claims), &key).unwrap())
    });
    g.bench_function("verify_AR_10roles", |b| {
        b.iter(|| verify_local(black_box(&token), &key, NOW).unwrap())
    });
    g.bench_function("derive_local_key", |b| {
        b.iter(|| local_key(&secret, black_box("0b6f6c1e-2a41-4c43-9b1a-7f7d5f0c9a11")))
    });
    g.finish();
}

fn trans_cell(c: &mut Criterion) {
    let signing = generate_signing_key().unwrap();
    let verifying = signing.verifying_key().unwrap();
    let lookup = |kid: &str| (kid == verifying.kid()).then(|| verifying.clone());
    let claims = Claims {
        aud: Some(TARGET.into()),
        ..claims_with_roles(&format!("{CELL}#me"))
    };
    let token = issue_tcat(&claims, &signing).unwrap();
    println!("TCAT with 10 roles: {} bytes", token.len());

    let mut g = c.benchmark_group("tcat");
    g.bench_function("verify_RS256_10roles", |b| {
        b.iter(|| verify_tcat(black_box(&token), &lookup, TARGET, NOW).unwrap())
    });
    g.bench_function("issue_RS256_10roles", |b| {
        b.iter(|| issue_tcat(black_box(&claims), &signing).unwrap())
    });
    g.finish();
}

fn cell_keys(c: &mut Criterion) {
    let secret = UnitSecret::from_bytes([7; 32]);
    let signing = generate_signing_key().unwrap();
    let wrapped = wrap_private_key(&secret, "cell-1", &signing).unwrap();

    let mut g = c.benchmark_group("keys");
    g.bench_function("unwrap_private_key", |b| {
        b.iter(|| unwrap_private_key(&secret, "cell-1", black_box(&wrapped)).unwrap())
    });
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("generate_rsa2048", |b| {
        b.iter(|| generate_signing_key().unwrap())
    });
    g.finish();
}

/// The password grant's fixed cost: one argon2id verification (m = 19 MiB, t = 2, p = 1).
fn password(c: &mut Criterion) {
    let phc = unitcell::auth::password::hash("a-long-enough-password").unwrap();
    let mut g = c.benchmark_group("password");
    g.sample_size(20);
    g.bench_function("argon2id_verify", |b| {
        b.iter(|| unitcell::auth::password::verify(black_box("a-long-enough-password"), &phc))
    });
    g.finish();
}

criterion_group!(benches, local, trans_cell, cell_keys, password);
criterion_main!(benches);
