//! The access decision (`unitcell::auth::acl::decide`, spec §3.4) on the issue's scenario: a file
//! three collections deep in a box (the file, three collections and the box each have an ACL of
//! ten ACEs, then the cell ACL), a token holding ten roles.
//!
//! Target: under 2 µs per decision, and no allocation per call. The allocation count is checked
//! (and printed) before measuring, with a counting global allocator.
//!
//! ```sh
//! cargo bench --bench acl -- --warm-up-time 1 --measurement-time 3
//! ```

use std::alloc::System;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use unitcell::auth::acl::{
    decide, AccessRequest, Ace, AcePrincipal, Acl, BoxInfo, Caller, Decision, Level, RoleId,
    TokenInfo,
};
use unitcell::auth::privilege::{PrivSet, Privilege};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A role id as the database makes them: 32 hex characters.
fn role_id(n: u64) -> String {
    let mix = |x: u64| (x ^ (x >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!("{:016x}{:016x}", mix(n + 1), mix(!n))
}

/// Ten ACEs: nine for roles the caller does not hold (granting `granted`), one for a role the
/// caller holds (granting `held_grant`).
fn acl(level: u64, granted: PrivSet, held: &str, held_grant: PrivSet) -> Acl {
    let mut aces: Vec<Ace> = (0..9)
        .map(|i| Ace {
            principal: AcePrincipal::Role(RoleId(role_id(1000 + level * 100 + i))),
            grant: granted,
        })
        .collect();
    aces.push(Ace {
        principal: AcePrincipal::Role(RoleId(held.to_owned())),
        grant: held_grant,
    });
    Acl {
        aces,
        require_schema_authz: None,
    }
}

struct Scenario {
    roles: Vec<String>,
    /// file, collection 3, collection 2, collection 1, box.
    chain: Vec<Acl>,
    cell: Acl,
}

/// `read` is granted only by the box ACL. Below it, the caller's roles hold other privileges
/// and other roles hold `read`, so every level is scanned and role lookups happen throughout.
fn scenario() -> Scenario {
    let mut roles: Vec<String> = (0..10).map(role_id).collect();
    roles.sort();
    let read = PrivSet::of(Privilege::Read);
    let write = PrivSet::of(Privilege::WriteContent);
    let mut chain: Vec<Acl> = (0..4)
        .map(|l| acl(l, read, &roles[l as usize], write))
        .collect();
    chain.push(acl(4, write, &roles[7], read));
    let cell = acl(
        5,
        PrivSet::of(Privilege::Auth),
        &roles[3],
        PrivSet::of(Privilege::Social),
    );
    Scenario { roles, chain, cell }
}

fn request<'a>(
    s: &'a Scenario,
    chain: &'a [&'a Acl],
    caller: &'a Caller<'a>,
    required: Privilege,
) -> AccessRequest<'a> {
    AccessRequest {
        required,
        caller,
        level: Level::Box(BoxInfo {
            schema: Some("https://app.unit.example/"),
            main: false,
        }),
        chain,
        cell_acl: &s.cell,
    }
}

/// Counts heap allocations over many decisions; the target is none.
fn allocations_per_call(req: &AccessRequest<'_>) -> f64 {
    const CALLS: usize = 100_000;
    let region = Region::new(GLOBAL);
    for _ in 0..CALLS {
        let _ = black_box(decide(black_box(req)));
    }
    let change = region.change();
    (change.allocations + change.reallocations) as f64 / CALLS as f64
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let chain: Vec<&Acl> = s.chain.iter().collect();
    let caller = Caller::Account {
        roles: &s.roles,
        token: TokenInfo {
            schema: Some("https://app.unit.example/"),
            scope: PrivSet::of(Privilege::Root),
        },
    };
    let allow = request(&s, &chain, &caller, Privilege::Read);
    let deny = request(&s, &chain, &caller, Privilege::Bind);
    // Worst case: every ACE of every level grants the privilege to a role the caller lacks.
    let stranger = Caller::Account {
        roles: &s.roles[..0],
        token: TokenInfo {
            schema: Some("https://app.unit.example/"),
            scope: PrivSet::of(Privilege::Root),
        },
    };
    let mut others: Vec<String> = (100..110).map(role_id).collect();
    others.sort();
    let lookups = Caller::Account {
        roles: &others,
        token: TokenInfo {
            schema: Some("https://app.unit.example/"),
            scope: PrivSet::of(Privilege::Root),
        },
    };
    let worst = request(&s, &chain, &lookups, Privilege::Read);
    let no_roles = request(&s, &chain, &stranger, Privilege::Read);
    assert_eq!(decide(&allow), Decision::Allow);
    assert!(!decide(&deny).is_allowed());
    assert!(!decide(&worst).is_allowed());
    for (name, req) in [
        ("allow at box", &allow),
        ("deny", &deny),
        ("deny after lookups", &worst),
    ] {
        let per_call = allocations_per_call(req);
        println!("acl/decide {name}: {per_call} allocations per call");
        assert_eq!(per_call, 0.0, "decide allocated");
    }

    let mut group = c.benchmark_group("acl/decide");
    group.bench_function("file 3 deep, 10 roles, granted at box", |b| {
        b.iter(|| decide(black_box(&allow)))
    });
    group.bench_function("file 3 deep, 10 roles, denied", |b| {
        b.iter(|| decide(black_box(&deny)))
    });
    group.bench_function("file 3 deep, 10 roles, denied after 37 role lookups", |b| {
        b.iter(|| decide(black_box(&worst)))
    });
    group.bench_function("file 3 deep, no roles, denied", |b| {
        b.iter(|| decide(black_box(&no_roles)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
