use super::*;
use crate::auth::privilege::ALL_PRIVILEGES;
use Privilege as P;

const MINE: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";
const CELL: &str = "https://c1.unit.example/";
const APP: &str = "https://app.unit.example/";
const APP_C: &str = "https://app.unit.example/#c";

fn roles() -> Vec<String> {
    let mut r = vec![
        "00000000000000000000000000000001".to_string(),
        MINE.to_string(),
        "ffffffffffffffffffffffffffffffff".to_string(),
    ];
    r.sort();
    r
}

fn ace(principal: AcePrincipal, grant: &[Privilege]) -> Ace {
    Ace {
        principal,
        grant: grant.iter().copied().collect(),
    }
}

fn role(id: &str) -> AcePrincipal {
    AcePrincipal::Role(RoleId(id.to_string()))
}

fn acl(aces: Vec<Ace>, rsa: Option<SchemaAuthz>) -> Acl {
    Acl {
        aces,
        require_schema_authz: rsa,
    }
}

fn tok<'a>(schema: Option<&'a str>, scope: &str) -> TokenInfo<'a> {
    TokenInfo {
        schema,
        scope: PrivSet::from_scope(scope),
    }
}

fn at_box(schema: Option<&str>, main: bool) -> Level<'_> {
    Level::Box(BoxInfo { schema, main })
}

const NO_SCHEMA_BOX: Level<'static> = Level::Box(BoxInfo {
    schema: None,
    main: false,
});
const APP_BOX: Level<'static> = Level::Box(BoxInfo {
    schema: Some(APP),
    main: false,
});

fn run(
    required: Privilege,
    caller: &Caller<'_>,
    level: Level<'_>,
    chain: &[&Acl],
    cell: &Acl,
) -> Decision {
    decide(&AccessRequest {
        required,
        caller,
        level,
        chain,
        cell_acl: cell,
    })
}

fn denied(code: &'static str, challenge: Challenge) -> Decision {
    Decision::Deny(Denial { code, challenge })
}

// ---------------------------------------------------------------------------------------------
// The matrix: every privilege × grant form × principal kind × caller kind × level, checked
// against a literal transcription of Personium's AccessContext / DavRsCmp / CellRsCmp.
// ---------------------------------------------------------------------------------------------

/// Personium's `Privilege.includes`: walk the parent chain (crossing from `all` to `root`).
fn java_includes(granted: Privilege, required: Privilege) -> bool {
    let mut cur = Some(required);
    while let Some(p) = cur {
        if p == granted {
            return true;
        }
        cur = p.parent();
    }
    false
}

/// Personium's `hasSubjectPrivilegeForAcl` over name lists.
fn java_acl(acl: &Acl, required: Privilege, roles: &[String]) -> bool {
    for ace in &acl.aces {
        let names: Vec<&str> = ace.grant.iter().map(Privilege::name).collect();
        // `Privilege.get(required.getClass(), name)`: only names of the same kind resolve.
        let by_kind = names.iter().any(|n| {
            let g = Privilege::from_name(n).unwrap();
            g.is_cell_level() == required.is_cell_level() && java_includes(g, required)
        });
        match &ace.principal {
            AcePrincipal::All if by_kind => return true,
            AcePrincipal::All => {}
            AcePrincipal::Role(id) => {
                if roles.iter().any(|r| r == id.as_str()) && (names.contains(&"root") || by_kind) {
                    return true;
                }
            }
        }
    }
    false
}

fn java_decide(
    required: Privilege,
    caller: &Caller<'_>,
    level: Level<'_>,
    chain: &[&Acl],
    cell: &Acl,
) -> Decision {
    // isUnitUserToken(privilege)
    let bypass = match *caller {
        Caller::UnitMaster => true,
        Caller::UnitUser {
            admin,
            owner_match,
            contents,
        } => {
            (admin || owner_match)
                && (contents == CellContents::Admin
                    || (contents == CellContents::Reader && required.is_read_type()))
        }
        _ => false,
    };
    if bypass {
        return Decision::Allow;
    }
    let (mut roles, scope): (&[String], PrivSet) = match *caller {
        Caller::Basic { roles } => (roles, PrivSet::of(P::Root)),
        Caller::Account { roles, token } | Caller::Visitor { roles, token } => (roles, token.scope),
        Caller::PasswordChange { token } => (&[], token.scope),
        _ => (&[], PrivSet::EMPTY),
    };
    let mut invalid: Option<&'static str> = match *caller {
        Caller::Invalid(c) => Some(c),
        _ => None,
    };
    let anonymous = matches!(caller, Caller::Anonymous);
    let fail = |invalid: Option<&'static str>, ch: Challenge| match (invalid, anonymous) {
        (Some(c), _) => denied(c, ch),
        (None, true) => denied("PR401-AU-0001", ch),
        _ => denied("PR403-AU-0002", Challenge::None),
    };
    match level {
        Level::Cell => {
            if matches!(caller, Caller::Basic { .. }) {
                invalid = Some("PR401-AU-0001");
                roles = &[];
            }
            if !java_acl(cell, required, roles) {
                return fail(invalid, Challenge::Bearer);
            }
            if required.is_cell_level() && !scope.closure().contains(required) {
                return denied("PR403-AU-0007", Challenge::None);
            }
            Decision::Allow
        }
        Level::Box(bx) => {
            let schema = bx.schema.filter(|s| !s.is_empty());
            let ch = if schema.is_some() && !bx.main {
                Challenge::Bearer
            } else {
                Challenge::BearerAndBasic
            };
            if matches!(caller, Caller::PasswordChange { .. }) {
                return denied("PR401-AU-0012", ch);
            }
            let exempt = match *caller {
                Caller::UnitMaster => true,
                Caller::UnitUser {
                    admin, owner_match, ..
                } => admin || owner_match,
                Caller::UnitLocal { owner_match } => owner_match,
                _ => false,
            };
            let mut level_setting = None;
            for a in chain.iter().chain(std::iter::once(&cell)) {
                if a.require_schema_authz.is_some() {
                    level_setting = a.require_schema_authz;
                    break;
                }
            }
            let setting = level_setting.unwrap_or(SchemaAuthz::None);
            if !exempt && setting != SchemaAuthz::None {
                if let Some(c) = invalid {
                    return denied(c, ch);
                }
                if anonymous {
                    return denied("PR401-AU-0001", ch);
                }
                let ts = match *caller {
                    Caller::Account { token, .. } | Caller::Visitor { token, .. } => token.schema,
                    _ => None,
                };
                if let Some(bs) = schema {
                    match ts {
                        None => return denied("PR403-AU-0004", Challenge::None),
                        Some(t) if t.replace("#c", "") != bs => {
                            return denied("PR403-AU-0005", Challenge::None)
                        }
                        _ => {}
                    }
                }
                let conf = ts.is_some_and(|t| t.ends_with("#c"));
                let public = ts.is_some_and(|t| !t.is_empty());
                let ok = match setting {
                    SchemaAuthz::Public => public,
                    _ => conf,
                };
                if !ok {
                    return denied("PR403-AU-0006", Challenge::None);
                }
            }
            if matches!(caller, Caller::Basic { .. }) && !(bx.main || schema.is_none()) {
                invalid = Some("PR401-AU-0001");
                roles = &[];
            }
            for a in chain.iter().chain(std::iter::once(&cell)) {
                if java_acl(a, required, roles) {
                    return Decision::Allow;
                }
            }
            fail(invalid, ch)
        }
    }
}

/// The grant forms tried for a required privilege.
fn grant_forms(p: Privilege) -> Vec<(&'static str, Vec<Privilege>)> {
    let mut forms = vec![
        ("exact", vec![p]),
        ("root", vec![P::Root]),
        ("all", vec![P::All]),
        (
            "unrelated",
            vec![if p == P::Sign { P::Exec } else { P::Sign }],
        ),
        ("none", vec![]),
    ];
    if let Some(parent) = p.parent() {
        forms.push(("parent", vec![parent]));
    }
    forms
}

#[test]
fn matrix_against_personium_transcription() {
    let roles = roles();
    let callers: Vec<(&str, Caller<'_>)> = vec![
        ("anonymous", Caller::Anonymous),
        ("invalid", Caller::Invalid("PR401-AU-0002")),
        ("unit-master", Caller::UnitMaster),
        (
            "unit-admin",
            Caller::UnitUser {
                admin: true,
                owner_match: false,
                contents: CellContents::Admin,
            },
        ),
        (
            "unit-user reader",
            Caller::UnitUser {
                admin: false,
                owner_match: true,
                contents: CellContents::Reader,
            },
        ),
        (
            "unit-user other owner",
            Caller::UnitUser {
                admin: false,
                owner_match: false,
                contents: CellContents::Admin,
            },
        ),
        (
            "mt+unit-user",
            Caller::UnitUser {
                admin: false,
                owner_match: true,
                contents: CellContents::None,
            },
        ),
        ("unit-local", Caller::UnitLocal { owner_match: true }),
        ("basic", Caller::Basic { roles: &roles }),
        (
            "account root",
            Caller::Account {
                roles: &roles,
                token: tok(None, "root"),
            },
        ),
        (
            "account auth-read",
            Caller::Account {
                roles: &roles,
                token: tok(None, "auth-read"),
            },
        ),
        (
            "account app public",
            Caller::Account {
                roles: &roles,
                token: tok(Some(APP), "root"),
            },
        ),
        (
            "visitor app confidential",
            Caller::Visitor {
                roles: &roles,
                token: tok(Some(APP_C), "root"),
            },
        ),
        (
            "visitor no roles",
            Caller::Visitor {
                roles: &[],
                token: tok(None, "root"),
            },
        ),
        (
            "password-change",
            Caller::PasswordChange {
                token: tok(None, "root"),
            },
        ),
    ];
    let levels: Vec<(&str, Level<'_>)> = vec![
        ("cell", Level::Cell),
        ("main box", at_box(Some(CELL), true)),
        ("box without schema", NO_SCHEMA_BOX),
        ("app box", APP_BOX),
    ];
    let principals: Vec<(&str, AcePrincipal)> = vec![
        ("D:all", AcePrincipal::All),
        ("own role", role(MINE)),
        ("other role", role(OTHER)),
    ];
    let schema_settings = [None, Some(SchemaAuthz::Public)];
    let empty = Acl::default();
    let mut cases = 0;
    let mut allowed = 0;
    for p in ALL_PRIVILEGES {
        for (form, grant) in grant_forms(p) {
            for (pname, principal) in &principals {
                let granting = acl(vec![ace(principal.clone(), &grant)], None);
                for (cname, caller) in &callers {
                    for (lname, level) in &levels {
                        for rsa in schema_settings {
                            // Cell level: the ACE is in the cell ACL. Box level: at the box, under
                            // an empty collection ACL and above the file's empty ACL.
                            let box_acl = acl(granting.aces.clone(), rsa);
                            let (chain, cell): (Vec<&Acl>, &Acl) = match level {
                                Level::Cell => (vec![], &granting),
                                Level::Box(_) => (vec![&empty, &empty, &box_acl], &empty),
                            };
                            let got = run(p, caller, *level, &chain, cell);
                            let want = java_decide(p, caller, *level, &chain, cell);
                            assert_eq!(
                                got, want,
                                "{p} granted {form} to {pname}, caller {cname}, {lname}, rsa {rsa:?}"
                            );
                            cases += 1;
                            allowed += usize::from(got.is_allowed());
                        }
                    }
                }
            }
        }
    }
    assert!(cases > 10_000, "{cases} cases");
    assert!(
        allowed > 1_000 && allowed < cases - 1_000,
        "{allowed} allowed of {cases}"
    );
}

mod scenarios;

#[test]
fn role_lookup_matches_a_plain_search() {
    let mut held: Vec<String> = [
        "",
        "a",
        "ab",
        "abcdefgh",
        "abcdefgh0",
        "abcdefgh1",
        "abcdefgi",
        "abc\0",
        "zz",
        MINE,
        OTHER,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    held.sort();
    let probes = [
        "",
        "a",
        "ab",
        "abc",
        "abcdefgh",
        "abcdefgh0",
        "abcdefgh2",
        "abcdefg",
        "abc\0",
        "abc\0\0",
        "zz",
        "zzz",
        MINE,
        OTHER,
        "0123456789abcdef0123456789abcdee",
    ];
    for probe in probes {
        let id = RoleId(probe.to_string());
        assert_eq!(
            RoleMatcher::new(&held).contains(&id),
            held.iter().any(|h| h == probe),
            "{probe:?}"
        );
        assert!(!RoleMatcher::new(&[]).contains(&id));
    }
}

#[test]
fn role_lookup_in_a_long_list() {
    let mut held: Vec<String> = (0..100).map(|i| format!("{:032x}", i * 7919)).collect();
    held.sort();
    for i in 0..800 {
        let probe = format!("{:032x}", i * 997);
        let id = RoleId(probe.clone());
        assert_eq!(
            RoleMatcher::new(&held).contains(&id),
            held.contains(&probe),
            "{probe}"
        );
    }
}
