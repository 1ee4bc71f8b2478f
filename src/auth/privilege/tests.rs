use super::*;

/// (privilege, name, namespace, parent, cell level, read type).
type Row = (
    Privilege,
    &'static str,
    &'static str,
    Option<Privilege>,
    bool,
    bool,
);

/// §3.1 / §3.2 as a table.
#[rustfmt::skip]
const TABLE: [Row; COUNT] = [
    (P::Root, "root", NS_PERSONIUM, None, true, false),
    (P::Auth, "auth", NS_PERSONIUM, Some(P::Root), true, false),
    (P::AuthRead, "auth-read", NS_PERSONIUM, Some(P::Auth), true, true),
    (P::Message, "message", NS_PERSONIUM, Some(P::Root), true, false),
    (P::MessageRead, "message-read", NS_PERSONIUM, Some(P::Message), true, true),
    (P::Event, "event", NS_PERSONIUM, Some(P::Root), true, false),
    (P::EventRead, "event-read", NS_PERSONIUM, Some(P::Event), true, true),
    (P::Log, "log", NS_PERSONIUM, Some(P::Root), true, false),
    (P::LogRead, "log-read", NS_PERSONIUM, Some(P::Log), true, true),
    (P::Social, "social", NS_PERSONIUM, Some(P::Root), true, false),
    (P::SocialRead, "social-read", NS_PERSONIUM, Some(P::Social), true, true),
    (P::Box, "box", NS_PERSONIUM, Some(P::Root), true, false),
    (P::BoxRead, "box-read", NS_PERSONIUM, Some(P::Box), true, true),
    (P::BoxInstall, "box-install", NS_PERSONIUM, Some(P::Box), true, false),
    (P::Acl, "acl", NS_PERSONIUM, Some(P::Root), true, false),
    (P::AclRead, "acl-read", NS_PERSONIUM, Some(P::Acl), true, true),
    (P::Propfind, "propfind", NS_PERSONIUM, Some(P::Root), true, true),
    (P::Rule, "rule", NS_PERSONIUM, Some(P::Root), true, false),
    (P::RuleRead, "rule-read", NS_PERSONIUM, Some(P::Rule), true, true),
    (P::Sign, "sign", NS_PERSONIUM, Some(P::Root), true, false),
    (P::All, "all", NS_DAV, Some(P::Root), false, false),
    (P::Read, "read", NS_DAV, Some(P::All), false, true),
    (P::ReadProperties, "read-properties", NS_DAV, Some(P::Read), false, true),
    (P::ReadAcl, "read-acl", NS_DAV, Some(P::All), false, true),
    (P::Write, "write", NS_DAV, Some(P::All), false, false),
    (P::Bind, "bind", NS_DAV, Some(P::Write), false, false),
    (P::Unbind, "unbind", NS_DAV, Some(P::Write), false, false),
    (P::WriteContent, "write-content", NS_DAV, Some(P::Write), false, false),
    (P::WriteProperties, "write-properties", NS_DAV, Some(P::Write), false, false),
    (P::WriteAcl, "write-acl", NS_DAV, Some(P::All), false, false),
    (P::Exec, "exec", NS_PERSONIUM, Some(P::All), false, false),
    (P::AlterSchema, "alter-schema", NS_DAV, Some(P::All), false, false),
    (P::StreamSend, "stream-send", NS_PERSONIUM, Some(P::All), false, false),
    (P::StreamReceive, "stream-receive", NS_PERSONIUM, Some(P::All), false, true),
];

#[test]
fn table_matches_spec() {
    for (i, (p, name, ns, parent, cell, read)) in TABLE.iter().enumerate() {
        assert_eq!(ALL_PRIVILEGES[i], *p);
        assert_eq!(*p as usize, i);
        assert_eq!(p.name(), *name);
        assert_eq!(p.namespace(), *ns, "{name}");
        assert_eq!(p.prefix(), if *ns == NS_DAV { "D" } else { "p" });
        assert_eq!(p.parent(), *parent, "{name}");
        assert_eq!(p.is_cell_level(), *cell, "{name}");
        assert_eq!(p.is_read_type(), *read, "{name}");
        assert_eq!(Privilege::from_name(name), Some(*p));
        assert_eq!(Privilege::parse(ns, name), Some(*p));
        let other = if *ns == NS_DAV { NS_PERSONIUM } else { NS_DAV };
        assert_eq!(
            Privilege::parse(other, name),
            None,
            "{name} in the wrong namespace"
        );
        assert_eq!(Privilege::parse("", name), None);
    }
    assert_eq!(Privilege::from_name("box-export"), None);
    assert_eq!(Privilege::from_name("Read"), None);
}

/// Reference implementation: walk the parent chain.
fn ancestors_full(p: Privilege) -> Vec<Privilege> {
    let mut out = vec![p];
    let mut cur = p.parent();
    while let Some(q) = cur {
        out.push(q);
        cur = q.parent();
    }
    out
}

#[test]
fn includes_is_the_transitive_closure_of_parent() {
    for a in ALL_PRIVILEGES {
        for b in ALL_PRIVILEGES {
            let expected = ancestors_full(b).contains(&a);
            assert_eq!(a.includes().contains(b), expected, "{a} includes {b}");
            let same_level = a.is_cell_level() == b.is_cell_level();
            assert_eq!(
                b.granted_by().contains(a),
                expected && same_level,
                "{b} granted by {a}"
            );
            assert_eq!(PrivSet::of(a).closure().contains(b), expected);
            // A scope holding `a` grants `b` if `a` includes `b` (root includes everything).
            assert_eq!(PrivSet::of(a).grants(b), expected, "scope {a} grants {b}");
        }
    }
}

#[test]
fn root_and_all() {
    let everything: PrivSet = ALL_PRIVILEGES.into_iter().collect();
    assert_eq!(PrivSet::of(P::Root).closure(), everything);
    assert_eq!(PrivSet::of(P::All).closure(), PrivSet::BOX);
    assert_eq!(PrivSet::CELL | PrivSet::BOX, everything);
    assert_eq!(
        PrivSet::of(P::Write).closure(),
        [
            P::Write,
            P::Bind,
            P::Unbind,
            P::WriteContent,
            P::WriteProperties
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        PrivSet::of(P::Read).closure(),
        [P::Read, P::ReadProperties].into_iter().collect()
    );
    assert_eq!(
        PrivSet::of(P::Box).closure(),
        [P::Box, P::BoxRead, P::BoxInstall].into_iter().collect()
    );
    assert_eq!(PrivSet::of(P::Sign).closure(), PrivSet::of(P::Sign));
    assert!(PrivSet::EMPTY.closure().is_empty());
}

#[test]
fn scope_parsing() {
    let cases: &[(&str, &[Privilege])] = &[
        ("", &[]),
        ("root", &[P::Root]),
        ("auth-read  message", &[P::AuthRead, P::Message]),
        ("openid https://c.example/__role/__/r auth", &[P::Auth]),
        ("read write", &[]),
        ("nonsense", &[]),
    ];
    for (scope, expected) in cases {
        let set = PrivSet::from_scope(scope);
        assert_eq!(set, expected.iter().copied().collect(), "{scope:?}");
    }
    assert!(PrivSet::from_scope("root").grants(P::Read));
    assert!(PrivSet::from_scope("auth").grants(P::AuthRead));
    assert!(!PrivSet::from_scope("auth-read").grants(P::Auth));
}

#[test]
fn serde_round_trip() {
    let set: PrivSet = [P::Read, P::Root, P::Exec].into_iter().collect();
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(json, r#"["root","read","exec"]"#);
    let back: PrivSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    assert!(serde_json::from_str::<PrivSet>(r#"["read","fly"]"#).is_err());
    assert!(serde_json::from_str::<PrivSet>(r#""read""#).is_err());
    assert_eq!(format!("{set:?}"), r#"{"root", "read", "exec"}"#);
}

#[test]
fn iteration_and_ops() {
    let mut set = PrivSet::EMPTY;
    assert!(set.is_empty());
    set.insert(P::StreamReceive);
    set |= PrivSet::of(P::Root);
    assert_eq!(
        set.iter().collect::<Vec<_>>(),
        vec![P::Root, P::StreamReceive]
    );
    assert!(set.intersects(PrivSet::of(P::Root)));
    assert!(!set.intersects(PrivSet::of(P::Read)));
    assert_eq!(set.cell_only(), PrivSet::of(P::Root));
    assert_eq!(set.bits().count_ones(), 2);
}
