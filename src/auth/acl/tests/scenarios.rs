//! Scenarios with literal expectations (§3.4): inheritance, `requireSchemaAuthz`, Basic,
//! scopes, password-change tokens, the unit-user bypass, `<acl>` visibility, storage.

use super::*;

/// (name, required, caller, level, ACL chain from the resource up, cell ACL, expected).
type Case<'a> = (
    &'a str,
    Privilege,
    Caller<'a>,
    Level<'a>,
    Vec<Acl>,
    Acl,
    Decision,
);

fn check(cases: Vec<Case<'_>>) {
    for (name, required, caller, level, chain, cell, want) in &cases {
        let chain: Vec<&Acl> = chain.iter().collect();
        let got = run(*required, caller, *level, &chain, cell);
        assert_eq!(got, *want, "{name}");
    }
}

const ALLOW: Decision = Decision::Allow;
const LACKING: Decision = Decision::Deny(Denial {
    code: "PR403-AU-0002",
    challenge: Challenge::None,
});

#[test]
#[rustfmt::skip]
fn inheritance() {
    let roles = roles();
    let me = Caller::Account { roles: &roles, token: tok(None, "root") };
    let read_mine = || acl(vec![ace(role(MINE), &[P::Read])], None);
    let write_other = || acl(vec![ace(role(OTHER), &[P::Write])], None);
    let cell_grants = |p: AcePrincipal, privs: &[Privilege]| acl(vec![ace(p, privs)], None);
    let e = Acl::default;
    let all_read = || acl(vec![ace(AcePrincipal::All, &[P::Read])], None);
    check(vec![
        ("file ACL grants", P::Read, me, NO_SCHEMA_BOX, vec![read_mine(), e(), e()], e(), ALLOW),
        ("parent grants", P::Read, me, NO_SCHEMA_BOX, vec![write_other(), read_mine(), e()], e(), ALLOW),
        ("box grants, 3 deep", P::ReadProperties, me, NO_SCHEMA_BOX, vec![e(), e(), e(), read_mine()], e(), ALLOW),
        ("nothing grants", P::Write, me, NO_SCHEMA_BOX, vec![read_mine(), write_other()], e(), LACKING),
        ("cell root to the role grants box privileges", P::WriteAcl, me, NO_SCHEMA_BOX, vec![e()], cell_grants(role(MINE), &[P::Root]), ALLOW),
        ("cell root to D:all grants no box privilege", P::Read, me, NO_SCHEMA_BOX, vec![e()], cell_grants(AcePrincipal::All, &[P::Root]), LACKING),
        ("box privileges in the cell ACL apply to boxes", P::Bind, me, NO_SCHEMA_BOX, vec![e()], cell_grants(role(MINE), &[P::Read, P::Write]), ALLOW),
        ("cell auth does not open boxes", P::Bind, me, NO_SCHEMA_BOX, vec![e()], cell_grants(role(MINE), &[P::Auth]), LACKING),
        ("box all grants no cell privilege", P::AuthRead, me, Level::Cell, vec![], cell_grants(role(MINE), &[P::All]), LACKING),
        ("D:all includes anonymous", P::Read, Caller::Anonymous, NO_SCHEMA_BOX, vec![all_read()], e(), ALLOW),
        ("D:all even with an invalid token", P::ReadProperties, Caller::Invalid("PR401-AU-0006"), NO_SCHEMA_BOX, vec![all_read()], e(), ALLOW),
        ("invalid token, not granted", P::Read, Caller::Invalid("PR401-AU-0006"), NO_SCHEMA_BOX, vec![read_mine()], e(), denied("PR401-AU-0006", Challenge::BearerAndBasic)),
        ("anonymous under a schema box: Bearer only", P::Read, Caller::Anonymous, APP_BOX, vec![read_mine()], e(), denied("PR401-AU-0001", Challenge::Bearer)),
        ("deleted role: its ACE never matches", P::Read, me, NO_SCHEMA_BOX, vec![acl(vec![ace(role("gone"), &[P::All])], None)], e(), LACKING),
    ]);
}

#[test]
#[rustfmt::skip]
fn require_schema_authz() {
    let roles = roles();
    let (public, conf) = (Some(SchemaAuthz::Public), Some(SchemaAuthz::Confidential));
    let grant = |rsa| acl(vec![ace(AcePrincipal::All, &[P::Read])], rsa);
    let bare = |rsa| acl(vec![], rsa);
    let e = Acl::default;
    let acct = |schema| Caller::Account { roles: &roles, token: tok(schema, "root") };
    let lack = |code| denied(code, Challenge::None);
    let main_box = at_box(Some(CELL), true);
    let odd = Some("https://app.unit.e#cxample/#c");
    check(vec![
        ("unset everywhere", P::Read, acct(None), APP_BOX, vec![grant(None)], e(), ALLOW),
        ("box public inherited, no schema", P::Read, acct(None), APP_BOX, vec![e(), grant(public)], e(), lack("PR403-AU-0004")),
        ("box public, matching public client", P::Read, acct(Some(APP)), APP_BOX, vec![e(), grant(public)], e(), ALLOW),
        ("box public, other client", P::Read, acct(Some("https://evil.example/")), APP_BOX, vec![e(), grant(public)], e(), lack("PR403-AU-0005")),
        ("confidential needs #c", P::Read, acct(Some(APP)), APP_BOX, vec![grant(conf)], e(), lack("PR403-AU-0006")),
        ("confidential with #c", P::Read, acct(Some(APP_C)), APP_BOX, vec![grant(conf)], e(), ALLOW),
        ("explicit none stops inheritance", P::Read, acct(None), APP_BOX, vec![bare(Some(SchemaAuthz::None)), grant(conf)], e(), ALLOW),
        ("nearest explicit wins", P::Read, acct(Some(APP)), APP_BOX, vec![bare(conf), grant(Some(SchemaAuthz::None))], e(), lack("PR403-AU-0006")),
        ("cell ACL value reaches the box", P::Read, acct(None), APP_BOX, vec![grant(None)], bare(public), lack("PR403-AU-0004")),
        ("box without schema: level still applies", P::Read, acct(None), NO_SCHEMA_BOX, vec![grant(public)], e(), lack("PR403-AU-0006")),
        ("box without schema, any public client", P::Read, acct(Some("https://x.example/")), NO_SCHEMA_BOX, vec![grant(public)], e(), ALLOW),
        ("anonymous meets a schema requirement: 401", P::Read, Caller::Anonymous, NO_SCHEMA_BOX, vec![grant(public)], e(), denied("PR401-AU-0001", Challenge::BearerAndBasic)),
        ("invalid token meets a schema requirement", P::Read, Caller::Invalid("PR401-AU-0002"), APP_BOX, vec![grant(public)], e(), denied("PR401-AU-0002", Challenge::Bearer)),
        ("basic in the main box needs the cell schema", P::Read, Caller::Basic { roles: &roles }, main_box, vec![grant(public)], e(), lack("PR403-AU-0004")),
        ("main box: token schema = cell URL", P::Read, acct(Some(CELL)), main_box, vec![grant(public)], e(), ALLOW),
        ("unit-local owner skips the schema check", P::Read, Caller::UnitLocal { owner_match: true }, APP_BOX, vec![grant(conf)], e(), ALLOW),
        ("unit-local other owner does not", P::Read, Caller::UnitLocal { owner_match: false }, APP_BOX, vec![grant(conf)], e(), lack("PR403-AU-0004")),
        ("every #c is removed before comparing", P::Read, acct(odd), APP_BOX, vec![grant(conf)], e(), ALLOW),
    ]);
}

#[test]
#[rustfmt::skip]
fn basic_scope_and_password_change() {
    let roles = roles();
    let mine = |privs: &[Privilege]| acl(vec![ace(role(MINE), privs)], None);
    let everyone = |privs: &[Privilege]| acl(vec![ace(AcePrincipal::All, privs)], None);
    let e = Acl::default;
    let basic = Caller::Basic { roles: &roles };
    let acct = |scope| Caller::Account { roles: &roles, token: tok(None, scope) };
    let pw = Caller::PasswordChange { token: tok(None, "root") };
    let main_box = at_box(Some(CELL), true);
    let scope_lacking = denied("PR403-AU-0007", Challenge::None);
    check(vec![
        ("basic at cell level is no credentials", P::AuthRead, basic, Level::Cell, vec![], mine(&[P::Auth]), denied("PR401-AU-0001", Challenge::Bearer)),
        ("basic at cell level, D:all grants (scope root)", P::AuthRead, basic, Level::Cell, vec![], everyone(&[P::Auth]), ALLOW),
        ("basic in the main box", P::Write, basic, main_box, vec![mine(&[P::Write])], e(), ALLOW),
        ("basic in a box without schema", P::Write, basic, NO_SCHEMA_BOX, vec![mine(&[P::Write])], e(), ALLOW),
        ("basic under a schema box", P::Write, basic, APP_BOX, vec![mine(&[P::Write])], e(), denied("PR401-AU-0001", Challenge::Bearer)),
        ("failed basic in the main box: both challenges", P::Write, Caller::Invalid("PR401-AU-0011"), main_box, vec![], e(), denied("PR401-AU-0011", Challenge::BearerAndBasic)),
        ("scope includes", P::AuthRead, acct("auth"), Level::Cell, vec![], mine(&[P::Root]), ALLOW),
        ("scope lacks", P::Auth, acct("auth-read message"), Level::Cell, vec![], mine(&[P::Root]), scope_lacking),
        ("ACL checked before scope", P::Auth, acct("message"), Level::Cell, vec![], mine(&[P::Message]), LACKING),
        ("box level ignores scope", P::Read, acct("message-read"), NO_SCHEMA_BOX, vec![mine(&[P::Read])], e(), ALLOW),
        ("anonymous at cell level with D:all: no scope", P::SocialRead, Caller::Anonymous, Level::Cell, vec![], everyone(&[P::Social]), scope_lacking),
        ("anonymous at cell level", P::SocialRead, Caller::Anonymous, Level::Cell, vec![], e(), denied("PR401-AU-0001", Challenge::Bearer)),
        ("box privilege at cell level: no scope check", P::Read, acct("message"), Level::Cell, vec![], mine(&[P::Read]), ALLOW),
        ("password change in a box: 401", P::Read, pw, NO_SCHEMA_BOX, vec![everyone(&[P::Read])], e(), denied("PR401-AU-0012", Challenge::BearerAndBasic)),
        ("password change in a schema box", P::Read, pw, APP_BOX, vec![], e(), denied("PR401-AU-0012", Challenge::Bearer)),
        ("password change at cell level: 403", P::AuthRead, pw, Level::Cell, vec![], mine(&[P::Root]), LACKING),
        ("password change at cell level, D:all", P::AuthRead, pw, Level::Cell, vec![], everyone(&[P::Auth]), ALLOW),
    ]);
}

#[test]
#[rustfmt::skip]
fn unit_user_bypass() {
    let uu = |admin, owner_match, contents| Caller::UnitUser { admin, owner_match, contents };
    let e = Acl::default;
    let mut cases = Vec::new();
    for p in ALL_PRIVILEGES {
        for level in [Level::Cell, NO_SCHEMA_BOX, APP_BOX] {
            let reader_ok = if p.is_read_type() { ALLOW } else { LACKING };
            let table = [
                ("unit master", Caller::UnitMaster, ALLOW),
                ("admin + contents admin", uu(true, false, CellContents::Admin), ALLOW),
                ("admin + reader", uu(true, false, CellContents::Reader), reader_ok),
                ("admin without contents role", uu(true, false, CellContents::None), LACKING),
                ("owner + contents admin", uu(false, true, CellContents::Admin), ALLOW),
                ("owner + reader", uu(false, true, CellContents::Reader), reader_ok),
                ("MT + X-Personium-Unit-User", uu(false, true, CellContents::None), LACKING),
                ("not the owner", uu(false, false, CellContents::Admin), LACKING),
                ("unit local owner", Caller::UnitLocal { owner_match: true }, LACKING),
            ];
            for (name, caller, want) in table {
                cases.push((name, p, caller, level, vec![e()], e(), want));
            }
        }
    }
    assert_eq!(cases.len(), 34 * 3 * 9);
    check(cases);
}

fn visible(
    caller: &Caller<'_>,
    level: Level<'_>,
    chain: &[&Acl],
    cell: &Acl,
    required: Privilege,
) -> bool {
    can_read_acl(&AccessRequest {
        required,
        caller,
        level,
        chain,
        cell_acl: cell,
    })
}

#[test]
fn read_acl_visibility() {
    let roles = roles();
    let me = Caller::Account {
        roles: &roles,
        token: tok(None, "message"),
    };
    let reader = acl(
        vec![ace(role(MINE), &[P::ReadAcl])],
        Some(SchemaAuthz::Confidential),
    );
    let cell_reader = acl(vec![ace(role(MINE), &[P::Acl])], None);
    let e = Acl::default();
    let req = visible;
    // No schema and no scope check for the <acl> property.
    assert!(req(&me, APP_BOX, &[&reader], &e, P::ReadAcl));
    assert!(req(&me, Level::Cell, &[], &cell_reader, P::AclRead));
    assert!(!req(&me, Level::Cell, &[], &e, P::AclRead));
    assert!(!req(
        &Caller::Anonymous,
        NO_SCHEMA_BOX,
        &[&reader],
        &e,
        P::ReadAcl
    ));
    assert!(req(&Caller::UnitMaster, NO_SCHEMA_BOX, &[], &e, P::ReadAcl));
    let basic = Caller::Basic { roles: &roles };
    assert!(req(&basic, NO_SCHEMA_BOX, &[&reader], &e, P::ReadAcl));
    assert!(!req(&basic, APP_BOX, &[&reader], &e, P::ReadAcl));
}

#[test]
fn denial_helpers() {
    let d = Denial {
        code: "PR401-AU-0012",
        challenge: Challenge::Bearer,
    };
    assert_eq!(d.status(), 401);
    let d = Denial {
        code: code::INSUFFICIENT_SCOPE,
        challenge: Challenge::None,
    };
    assert_eq!(d.status(), 403);
    assert_eq!(d.param(P::AuthRead), Some("auth-read"));
    assert_eq!(
        Denial {
            code: "PR403-AU-0002",
            challenge: Challenge::None
        }
        .param(P::Read),
        None
    );
}

#[test]
fn acl_json_storage() {
    let stored = acl(
        vec![
            ace(role(MINE), &[P::Read, P::Write]),
            ace(AcePrincipal::All, &[P::Root]),
        ],
        Some(SchemaAuthz::Public),
    );
    let json = stored.to_json();
    assert_eq!(
        json,
        format!(
            r#"{{"aces":[{{"principal":{{"role":"{MINE}"}},"grant":["read","write"]}},{{"principal":"all","grant":["root"]}}],"requireSchemaAuthz":"public"}}"#
        )
    );
    assert_eq!(Acl::from_json(&json).unwrap(), stored);
    assert_eq!(Acl::default().to_json(), r#"{"aces":[]}"#);
    assert_eq!(Acl::from_json("{}").unwrap(), Acl::default());
    assert!(Acl::from_json(r#"{"aces":[{"principal":"all","grant":["fly"]}]}"#).is_err());
    for s in [
        SchemaAuthz::None,
        SchemaAuthz::Public,
        SchemaAuthz::Confidential,
    ] {
        assert_eq!(SchemaAuthz::parse(s.as_str()), Some(s));
    }
    assert_eq!(SchemaAuthz::parse(""), None);
    assert_eq!(SchemaAuthz::parse("Public"), None);
}
