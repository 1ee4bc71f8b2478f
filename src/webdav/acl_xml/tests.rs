use super::*;
use crate::auth::privilege::{PrivSet, ALL_PRIVILEGES};
use Privilege as P;

const CELL: &str = "https://c1.unit.example/";
const BOX1_BASE: &str = "https://c1.unit.example/__role/box1/";

fn acl_body(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns" xml:base="{BOX1_BASE}">{inner}</D:acl>"#
    )
}

fn one_ace(principal: &str, privileges: &str) -> String {
    acl_body(&format!(
        "<D:ace><D:principal>{principal}</D:principal><D:grant>{privileges}</D:grant></D:ace>"
    ))
}

fn href(h: &str) -> PrincipalRef {
    PrincipalRef::Href(h.to_owned())
}

#[test]
fn parses_personium_request_bodies() {
    // spec §3.3, indented as Personium's test resources are.
    let spec = r#"<?xml version="1.0" encoding="utf-8" ?>
<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns"
       xml:base="https://c1.unit.example/__role/box1/" p:requireSchemaAuthz="none">
  <D:ace><D:principal><D:href>doctor</D:href></D:principal>
         <D:grant><D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege></D:grant></D:ace>
  <D:ace><D:principal><D:all/></D:principal>
         <D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace>
</D:acl>"#;
    let doc = parse_acl(spec.as_bytes(), AclLevel::Box).unwrap();
    assert_eq!(
        doc,
        AclDoc {
            base: Some(BOX1_BASE.into()),
            require_schema_authz: Some(SchemaAuthz::None),
            aces: vec![
                (href("doctor"), vec![P::Read, P::Write]),
                (PrincipalRef::All, vec![P::Read])
            ],
        }
    );
    // Default namespace instead of a prefix (a capture from Personium's getting-started guide).
    let default_ns = r#"<acl xmlns="DAV:" xmlns:p="urn:x-personium:xmlns">
    <ace xmlns="DAV:" xmlns:p="urn:x-personium:xmlns"><principal><all/></principal>
      <grant><privilege><read/></privilege></grant></ace></acl>"#;
    let doc = parse_acl(default_ns.as_bytes(), AclLevel::Box).unwrap();
    assert_eq!(doc.base, None);
    assert_eq!(doc.require_schema_authz, None);
    assert_eq!(doc.aces, vec![(PrincipalRef::All, vec![P::Read])]);
}

#[test]
fn lenient_like_jaxb() {
    type Aces = Vec<(PrincipalRef, Vec<Privilege>)>;
    let cases: Vec<(&str, String, Aces)> = vec![
        ("empty acl", acl_body(""), vec![]),
        ("self-closing acl", r#"<D:acl xmlns:D="DAV:"/>"#.into(), vec![]),
        (
            "unknown element in ace",
            acl_body("<D:ace><D:test><D:acltest/></D:test><D:principal><D:all/></D:principal><D:grant><D:privilege><D:all/></D:privilege></D:grant></D:ace>"),
            vec![(PrincipalRef::All, vec![P::All])],
        ),
        (
            "all and href: the href is stored",
            one_ace("<D:test>role</D:test><D:all/><D:href>role</D:href>", "<D:privilege><D:all/></D:privilege>"),
            vec![(href("role"), vec![P::All])],
        ),
        (
            "entities, CDATA and surrounding text in href",
            one_ace("<D:href> r&amp;x<![CDATA[<y>]]>&#x41; </D:href>", "<D:privilege><D:read/></D:privilege>"),
            vec![(href(" r&x<y>A "), vec![P::Read])],
        ),
        (
            "repeated principal: the last wins",
            acl_body("<D:ace><D:principal><D:all/></D:principal><D:principal><D:href>b</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace>"),
            vec![(href("b"), vec![P::Read])],
        ),
        (
            "two elements in a privilege: the last wins",
            one_ace("<D:all/>", "<D:privilege><D:read/><D:write/></D:privilege>"),
            vec![(PrincipalRef::All, vec![P::Write])],
        ),
        (
            "privileges keep their order and repeats",
            one_ace("<D:all/>", "<D:privilege><p:exec/></D:privilege><D:privilege><D:read/></D:privilege><D:privilege><D:read/></D:privilege>"),
            vec![(PrincipalRef::All, vec![P::Exec, P::Read, P::Read])],
        ),
        (
            "other prefixes, unknown attributes, comments and PIs",
            r#"<?xml version="1.0"?><!-- hi --><x:acl xmlns:x="DAV:" xmlns:y="urn:x-personium:xmlns" foo="bar" y:requireSchemaAuthz="public"><?pi x?><x:ace><x:principal><x:all/></x:principal><x:grant><x:privilege><y:stream-send/></x:privilege></x:grant><x:inherited><x:href>ignored</x:href></x:inherited></x:ace></x:acl>"#.into(),
            vec![(PrincipalRef::All, vec![P::StreamSend])],
        ),
        (
            "unprefixed requireSchemaAuthz is not Personium's attribute",
            r#"<D:acl xmlns:D="DAV:" requireSchemaAuthz="bogus"/>"#.into(),
            vec![],
        ),
    ];
    for (name, body, aces) in cases {
        let doc =
            parse_acl(body.as_bytes(), AclLevel::Cell).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(doc.aces, aces, "{name}");
    }
}

#[test]
fn refusals() {
    let content = "PR400-DV-0002";
    let deep = format!("{}{}", "<D:x>".repeat(40), "</D:x>".repeat(40));
    let many_aces = "<D:ace><D:principal><D:all/></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace>".repeat(MAX_ACES + 1);
    let cases: Vec<(&str, String, AclLevel, &str, Option<&str>)> = vec![
        ("empty body", String::new(), AclLevel::Box, content, None),
        ("not XML", "hello".into(), AclLevel::Box, content, None),
        ("unclosed", r#"<D:acl xmlns:D="DAV:">"#.into(), AclLevel::Box, content, None),
        ("no namespace", "<acl/>".into(), AclLevel::Box, content, None),
        ("other root", r#"<D:principal xmlns:D="DAV:"/>"#.into(), AclLevel::Box, content, None),
        ("acl in another namespace", r#"<x:acl xmlns:x="urn:other"/>"#.into(), AclLevel::Box, content, None),
        ("undeclared prefix", "<q:acl/>".into(), AclLevel::Box, content, None),
        ("undeclared prefix inside", acl_body("<q:ace/>"), AclLevel::Box, content, None),
        ("mismatched end", r#"<D:acl xmlns:D="DAV:"><D:ace></D:acl>"#.into(), AclLevel::Box, content, None),
        ("two roots", r#"<D:acl xmlns:D="DAV:"/><D:acl xmlns:D="DAV:"/>"#.into(), AclLevel::Box, content, None),
        ("trailing text", r#"<D:acl xmlns:D="DAV:"/>x"#.into(), AclLevel::Box, content, None),
        ("DOCTYPE", r#"<!DOCTYPE acl [<!ENTITY e "x">]><D:acl xmlns:D="DAV:"/>"#.into(), AclLevel::Box, content, None),
        ("unknown entity", one_ace("<D:href>&e;</D:href>", "<D:privilege><D:read/></D:privilege>"), AclLevel::Box, content, None),
        ("too deep", acl_body(&deep), AclLevel::Box, content, None),
        ("content errors first", format!("{}<", one_ace("<D:all/>", "")), AclLevel::Box, content, None),
        ("bad requireSchemaAuthz", r#"<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns" p:requireSchemaAuthz="test"><D:ace/></D:acl>"#.into(), AclLevel::Box, "PR400-DV-0006", Some("Value [test] for requireSchemaAuthz is invalid")),
        ("empty requireSchemaAuthz", r#"<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns" p:requireSchemaAuthz=""/>"#.into(), AclLevel::Box, "PR400-DV-0006", Some("Value [] for requireSchemaAuthz is invalid")),
        ("empty ace", acl_body("<D:ace></D:ace>"), AclLevel::Cell, "PR400-DV-0006", Some("Can not read grant")),
        ("principal only", acl_body("<D:ace><D:principal><D:all/></D:principal></D:ace>"), AclLevel::Cell, "PR400-DV-0006", Some("Can not read grant")),
        ("grant only", acl_body("<D:ace><D:grant><D:privilege><D:all/></D:privilege></D:grant></D:ace>"), AclLevel::Cell, "PR400-DV-0006", Some("Can not read principal")),
        ("grant without privilege", one_ace("<D:all/>", ""), AclLevel::Cell, "PR400-DV-0006", Some("Can not read privilege")),
        ("empty privilege", one_ace("<D:all/>", "<D:privilege></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("Privilege is empty")),
        ("text privilege", one_ace("<D:all/>", "<D:privilege>read</D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("Privilege is empty")),
        ("unknown privilege", one_ace("<D:all/>", "<D:privilege><D:test/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("[{DAV:}test] that can not be set in privilege")),
        ("read in p:", one_ace("<D:all/>", "<D:privilege><p:read/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("[{urn:x-personium:xmlns}read] that can not be set in privilege")),
        ("exec in D:", one_ace("<D:all/>", "<D:privilege><D:exec/></D:privilege>"), AclLevel::Box, "PR400-DV-0006", Some("[{DAV:}exec] that can not be set in privilege")),
        ("no namespace privilege", one_ace("<D:all/>", r#"<D:privilege><read xmlns=""/></D:privilege>"#), AclLevel::Box, "PR400-DV-0006", Some("[read] that can not be set in privilege")),
        ("cell privilege in a box ACL", one_ace("<D:all/>", "<D:privilege><p:root/></D:privilege>"), AclLevel::Box, "PR400-DV-0006", Some("[{urn:x-personium:xmlns}root] that can not be set in privilege")),
        ("empty principal", one_ace("", "<D:privilege><D:all/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("Principal is neither href nor all")),
        ("unknown principal", one_ace("<D:test>role</D:test>", "<D:privilege><D:all/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("Principal is neither href nor all")),
        ("empty href", one_ace("<D:href></D:href>", "<D:privilege><D:all/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("href in principal is empty")),
        ("element in href", one_ace("<D:href><D:test>role</D:test></D:href>", "<D:privilege><D:all/></D:privilege>"), AclLevel::Cell, "PR400-DV-0006", Some("href in principal is empty")),
        ("first bad ace wins", acl_body("<D:ace><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace><D:ace/>"), AclLevel::Box, "PR400-DV-0006", Some("Can not read principal")),
        ("too many aces", acl_body(&many_aces), AclLevel::Box, "PR400-DV-0006", Some("More than 1000 ace elements")),
    ];
    for (name, body, level, code, param) in cases {
        let err = parse_acl(body.as_bytes(), level).expect_err(name);
        assert_eq!(err.pr_code(), code, "{name}: {err:?}");
        assert_eq!(err.param(), param, "{name}");
    }
}

#[test]
fn every_privilege_at_every_level() {
    let mut checked = 0;
    for p in ALL_PRIVILEGES {
        let other_ns = if p.prefix() == "D" { "p" } else { "D" };
        for level in [AclLevel::Cell, AclLevel::Box] {
            let right = one_ace(
                "<D:all/>",
                &format!("<D:privilege><{}:{}/></D:privilege>", p.prefix(), p.name()),
            );
            let got = parse_acl(right.as_bytes(), level);
            if level == AclLevel::Box && p.is_cell_level() {
                assert_eq!(
                    got.map_err(|e| e.pr_code()),
                    Err("PR400-DV-0006"),
                    "{p} in a box ACL"
                );
            } else {
                assert_eq!(got.unwrap().aces, vec![(PrincipalRef::All, vec![p])], "{p}");
            }
            let wrong = one_ace(
                "<D:all/>",
                &format!("<D:privilege><{other_ns}:{}/></D:privilege>", p.name()),
            );
            let err = parse_acl(wrong.as_bytes(), level).unwrap_err();
            assert_eq!(err.pr_code(), "PR400-DV-0006", "{p} in the wrong namespace");
            checked += 2;
        }
    }
    assert_eq!(checked, 34 * 4);
}

#[test]
fn href_resolution() {
    type Want = Result<(Option<&'static str>, &'static str), &'static str>;
    let other_cell = "PR400-DV-0004";
    let cases: Vec<(Option<&str>, &str, &str, Want)> = vec![
        (
            Some(BOX1_BASE),
            "doctor",
            CELL,
            Ok((Some("box1"), "doctor")),
        ),
        (
            Some(BOX1_BASE),
            " doctor\n",
            CELL,
            Ok((Some("box1"), "doctor")),
        ),
        (
            Some(BOX1_BASE),
            "../box2/guest",
            CELL,
            Ok((Some("box2"), "guest")),
        ),
        (Some(BOX1_BASE), "../__/admin", CELL, Ok((None, "admin"))),
        (
            Some(BOX1_BASE),
            "https://c1.unit.example/__role/__/admin",
            CELL,
            Ok((None, "admin")),
        ),
        (
            Some(BOX1_BASE),
            "https://c1.unit.example:8443/__role/b/r",
            CELL,
            Ok((Some("b"), "r")),
        ),
        (
            Some(""),
            "https://c1.unit.example/__role/__/r",
            CELL,
            Ok((None, "r")),
        ),
        (
            None,
            "https://c1.unit.example/__role/__/r",
            CELL,
            Ok((None, "r")),
        ),
        (
            Some("https://unit.example/c1/__role/__/"),
            "r",
            "https://unit.example/c1/",
            Ok((None, "r")),
        ),
        (
            Some("https://unit.example/c1/__role/__/"),
            "https://unit.example/c2/__role/__/r",
            "https://unit.example/c1/",
            Err(other_cell),
        ),
        (
            Some(BOX1_BASE),
            "https://c2.unit.example/__role/__/admin",
            CELL,
            Err(other_cell),
        ),
        (
            Some(BOX1_BASE),
            "http://c1.unit.example/__role/__/admin",
            CELL,
            Err(other_cell),
        ),
        (Some(BOX1_BASE), "../../x", CELL, Err(other_cell)),
        (Some(BOX1_BASE), "", CELL, Err(other_cell)),
        (Some(BOX1_BASE), "a/b", CELL, Err(other_cell)),
        (None, "doctor", CELL, Err(other_cell)),
        (Some("not a url"), "doctor", CELL, Err(other_cell)),
        (
            Some(BOX1_BASE),
            "https://c1.unit.example/__role/b/__role/x/y",
            CELL,
            Err(other_cell),
        ),
    ];
    for (base, h, cell, want) in cases {
        let got = resolve_href(base, h, cell);
        let got = got
            .as_ref()
            .map(|(b, r)| (b.as_deref(), r.as_str()))
            .map_err(AclError::pr_code);
        assert_eq!(got, want, "{base:?} + {h:?}");
    }
}

#[test]
fn to_acl_resolves_roles() {
    let body = acl_body(
        "<D:ace><D:principal><D:href>doctor</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege></D:grant></D:ace>\
         <D:ace><D:principal><D:all/></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace>\
         <D:ace><D:principal><D:href>../__/admin</D:href></D:principal><D:grant><D:privilege><D:all/></D:privilege></D:grant></D:ace>",
    );
    let doc = parse_acl(body.as_bytes(), AclLevel::Box).unwrap();
    let lookup = |bx: Option<&str>, role: &str| -> Result<RoleId, AclError> {
        match (bx, role) {
            (Some("box1"), "doctor") => Ok(RoleId("id-doctor".into())),
            (None, "admin") => Ok(RoleId("id-admin".into())),
            (Some(b), _) if b != "box1" => Err(AclError::BoxNotFound(BOX1_BASE.into())),
            _ => Err(AclError::RoleNotFound),
        }
    };
    let acl = doc.to_acl(CELL, lookup).unwrap();
    let role = |id: &str| AcePrincipal::Role(RoleId(id.into()));
    assert_eq!(
        acl.aces,
        vec![
            Ace {
                principal: role("id-doctor"),
                grant: [P::Read, P::Write].into_iter().collect()
            },
            Ace {
                principal: AcePrincipal::All,
                grant: PrivSet::of(P::Read)
            },
            Ace {
                principal: role("id-admin"),
                grant: PrivSet::of(P::All)
            },
        ]
    );
    let missing = parse_acl(
        one_ace(
            "<D:href>nurse</D:href>",
            "<D:privilege><D:read/></D:privilege>",
        )
        .as_bytes(),
        AclLevel::Box,
    )
    .unwrap();
    assert_eq!(missing.to_acl(CELL, lookup), Err(AclError::RoleNotFound));
    let no_box = parse_acl(
        one_ace(
            "<D:href>../box9/r</D:href>",
            "<D:privilege><D:read/></D:privilege>",
        )
        .as_bytes(),
        AclLevel::Box,
    )
    .unwrap();
    let err = no_box.to_acl(CELL, lookup).unwrap_err();
    assert_eq!(
        (err.pr_code(), err.param()),
        ("PR400-DV-0005", Some(BOX1_BASE))
    );
    let foreign = parse_acl(
        one_ace(
            "<D:href>https://x.example/__role/__/r</D:href>",
            "<D:privilege><D:read/></D:privilege>",
        )
        .as_bytes(),
        AclLevel::Box,
    )
    .unwrap();
    assert_eq!(foreign.to_acl(CELL, lookup), Err(AclError::RoleNotFound));
}

#[test]
fn helpers_for_rendering() {
    assert_eq!(role_base_url(CELL, Some("box1")), BOX1_BASE);
    assert_eq!(
        role_base_url(CELL, None),
        "https://c1.unit.example/__role/__/"
    );
    let cases = [
        (Some("box1"), Some("box1"), "r", "r"),
        (Some("box1"), None, "r", "../__/r"),
        (Some("box1"), Some("box2"), "r", "../box2/r"),
        (None, None, "r", "r"),
        (None, Some("box2"), "r", "../box2/r"),
    ];
    for (base_box, role_box, role, want) in cases {
        assert_eq!(
            role_href(base_box, role_box, role),
            want,
            "{base_box:?} {role_box:?}"
        );
    }
}

fn sample_aces() -> Vec<RenderAce<'static>> {
    vec![
        RenderAce {
            principal: RenderPrincipal::Href("doctor"),
            grant: [P::Read, P::Write].into_iter().collect(),
            inherited: None,
        },
        RenderAce {
            principal: RenderPrincipal::All,
            grant: PrivSet::of(P::Read),
            inherited: None,
        },
        RenderAce {
            principal: RenderPrincipal::Href("../__/a&b"),
            grant: [P::Exec, P::ReadAcl].into_iter().collect(),
            inherited: Some("https://c1.unit.example/box1/col"),
        },
    ]
}

#[test]
fn renders_like_personium() {
    // A PROPFIND capture from Personium's getting-started guide, whitespace removed.
    let captured = RenderAcl {
        base: "https://alice.example/__role/app-personium-trails/",
        require_schema_authz: None,
        aces: &[RenderAce {
            principal: RenderPrincipal::All,
            grant: PrivSet::of(P::Read),
            inherited: None,
        }],
        style: AclXmlStyle::Personium,
    };
    assert_eq!(
        render_acl(&captured),
        r#"<acl xml:base="https://alice.example/__role/app-personium-trails/" xmlns:p="urn:x-personium:xmlns"><ace><principal><all/></principal><grant><privilege><D:read xmlns:D="DAV:"/></privilege></grant></ace></acl>"#
    );
    let empty = RenderAcl {
        base: "https://c1.unit.example/__role/__/",
        require_schema_authz: None,
        aces: &[],
        style: AclXmlStyle::Personium,
    };
    assert_eq!(
        render_acl(&empty),
        r#"<acl xml:base="https://c1.unit.example/__role/__/" xmlns:p="urn:x-personium:xmlns"/>"#
    );
    let aces = sample_aces();
    let full = RenderAcl {
        base: BOX1_BASE,
        require_schema_authz: Some(SchemaAuthz::None),
        aces: &aces,
        style: AclXmlStyle::Personium,
    };
    assert_eq!(
        render_acl(&full),
        concat!(
            r#"<acl p:requireSchemaAuthz="none" xml:base="https://c1.unit.example/__role/box1/" xmlns:p="urn:x-personium:xmlns">"#,
            r#"<ace><principal><href>doctor</href></principal><grant><privilege><D:read xmlns:D="DAV:"/></privilege><privilege><D:write xmlns:D="DAV:"/></privilege></grant></ace>"#,
            r#"<ace><principal><all/></principal><grant><privilege><D:read xmlns:D="DAV:"/></privilege></grant></ace>"#,
            r#"<ace><principal><href>../__/a&amp;b</href></principal><grant><privilege><D:read-acl xmlns:D="DAV:"/></privilege><privilege><p:exec/></privilege></grant>"#,
            r#"<inherited><href>https://c1.unit.example/box1/col</href></inherited></ace></acl>"#,
        )
    );
}

#[test]
fn renders_prefixed_and_reads_back() {
    let aces = sample_aces();
    let doc = RenderAcl {
        base: BOX1_BASE,
        require_schema_authz: Some(SchemaAuthz::Confidential),
        aces: &aces,
        style: AclXmlStyle::Prefixed,
    };
    let xml = render_acl(&doc);
    assert!(xml.starts_with(r#"<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns" xml:base="https://c1.unit.example/__role/box1/" p:requireSchemaAuthz="confidential"><D:ace><D:principal><D:href>doctor</D:href>"#), "{xml}");
    assert!(
        xml.contains("<D:privilege><p:exec/></D:privilege>"),
        "{xml}"
    );
    assert!(xml.ends_with("<D:inherited><D:href>https://c1.unit.example/box1/col</D:href></D:inherited></D:ace></D:acl>"), "{xml}");
    // Both spellings read back to the same document (Personium's once a default namespace is
    // in scope, as in its <multistatus xmlns="DAV:">).
    let personium = render_acl(&RenderAcl {
        style: AclXmlStyle::Personium,
        ..doc
    })
    .replacen("<acl", r#"<acl xmlns="DAV:""#, 1);
    for xml in [xml, personium] {
        let back = parse_acl(xml.as_bytes(), AclLevel::Box).unwrap();
        assert_eq!(back.base.as_deref(), Some(BOX1_BASE));
        assert_eq!(back.require_schema_authz, Some(SchemaAuthz::Confidential));
        assert_eq!(
            back.aces,
            vec![
                (href("doctor"), vec![P::Read, P::Write]),
                (PrincipalRef::All, vec![P::Read]),
                (href("../__/a&b"), vec![P::ReadAcl, P::Exec]),
            ]
        );
    }
}
