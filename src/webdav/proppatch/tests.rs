use super::*;
use crate::webdav::props::PropValue;

const P: &str = "urn:x-personium:xmlns";
const Z: &str = "http://www.w3.com/standards/z39.50/";

fn update(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8" ?>
<D:propertyupdate xmlns:D="DAV:" xmlns:p="{P}" xmlns:Z="{Z}">{inner}</D:propertyupdate>"#
    )
}

fn prop(ns: &str, local: &str, xml: &str) -> Property {
    Property {
        namespace: ns.into(),
        local_name: local.into(),
        xml: xml.into(),
    }
}

#[test]
fn parses_personium_request_bodies() {
    // Personium's test resources request/cell/proppatch-set.txt and proppatch-uluut.txt.
    let cases: Vec<(String, PropertyUpdate)> = vec![
        (
            update("<D:set><D:prop><Z:Author>Test User1</Z:Author><p:hoge>Hoge</p:hoge></D:prop></D:set>"),
            PropertyUpdate {
                instructions: vec![Instruction::Set(vec![
                    prop(Z, "Author", &format!(r#"<Z:Author xmlns:Z="{Z}">Test User1</Z:Author>"#)),
                    prop(P, "hoge", &format!(r#"<p:hoge xmlns:p="{P}">Hoge</p:hoge>"#)),
                ])],
            },
        ),
        (
            update("<D:set><D:prop><p:ownerRepresentativeAccounts><p:account>account1</p:account><p:account>account2</p:account></p:ownerRepresentativeAccounts></D:prop></D:set>"),
            PropertyUpdate {
                instructions: vec![Instruction::Set(vec![prop(
                    P,
                    "ownerRepresentativeAccounts",
                    &format!(r#"<p:ownerRepresentativeAccounts xmlns:p="{P}"><p:account>account1</p:account><p:account>account2</p:account></p:ownerRepresentativeAccounts>"#),
                )])],
            },
        ),
        (
            update("<D:remove><D:prop><Z:Author/><p:hoge /></D:prop></D:remove>"),
            PropertyUpdate {
                instructions: vec![Instruction::Remove(vec![
                    prop(Z, "Author", &format!(r#"<Z:Author xmlns:Z="{Z}"/>"#)),
                    prop(P, "hoge", &format!(r#"<p:hoge xmlns:p="{P}" />"#)),
                ])],
            },
        ),
        // Own declarations are kept as sent; a default namespace is carried along.
        (
            r#"<propertyupdate xmlns="DAV:"><set><prop><x:a xmlns:x="urn:x" k="v &amp; w">1 &lt; 2<b/></x:a></prop></set></propertyupdate>"#.to_owned(),
            PropertyUpdate {
                instructions: vec![Instruction::Set(vec![prop(
                    "urn:x",
                    "a",
                    r#"<x:a xmlns="DAV:" xmlns:x="urn:x" k="v &amp; w">1 &lt; 2<b/></x:a>"#,
                )])],
            },
        ),
        // Unknown elements and text are ignored; the last <D:prop> counts; document order kept.
        (
            update("text<D:other/><D:remove><D:prop><p:a/></D:prop></D:remove><D:set><D:x/><D:prop><p:b/></D:prop><D:prop><p:c/></D:prop></D:set>"),
            PropertyUpdate {
                instructions: vec![
                    Instruction::Remove(vec![prop(P, "a", &format!(r#"<p:a xmlns:p="{P}"/>"#))]),
                    Instruction::Set(vec![prop(P, "c", &format!(r#"<p:c xmlns:p="{P}"/>"#))]),
                ],
            },
        ),
        // Unprefixed elements without a default namespace in scope stay in no namespace.
        (
            update("<D:set><D:prop><p:x><item>1</item></p:x><nons>2</nons></D:prop></D:set>"),
            PropertyUpdate {
                instructions: vec![Instruction::Set(vec![
                    prop(P, "x", &format!(r#"<p:x xmlns:p="{P}" xmlns=""><item>1</item></p:x>"#)),
                    prop("", "nons", r#"<nons xmlns="">2</nons>"#),
                ])],
            },
        ),
        (update(""), PropertyUpdate::default()),
        (update("<D:set><D:prop/></D:set>"), PropertyUpdate { instructions: vec![Instruction::Set(vec![])] }),
    ];
    for (body, expected) in cases {
        assert_eq!(parse(body.as_bytes()).as_ref(), Ok(&expected), "{body}");
    }
}

#[test]
fn refuses_bad_bodies_with_personium_codes() {
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "PR400-DV-0001"),
        ("not xml".into(), "PR400-DV-0001"),
        (
            update("<D:set><D:prop><p:a></D:prop></D:set>"),
            "PR400-DV-0001",
        ),
        ("<D:propfind xmlns:D=\"DAV:\"/>".into(), "PR400-DV-0001"),
        ("<propertyupdate/>".into(), "PR400-DV-0001"),
        (
            update("<D:set><D:prop><q:a/></D:prop></D:set>"),
            "PR400-DV-0001",
        ),
        (
            format!("{}<D:x xmlns:D=\"DAV:\"/>", update("")),
            "PR400-DV-0001",
        ),
        (
            "<!DOCTYPE d [<!ENTITY e \"x\">]><D:propertyupdate xmlns:D=\"DAV:\"/>".into(),
            "PR400-DV-0001",
        ),
        (
            update("<D:set><D:prop><p:a>&e;</p:a></D:prop></D:set>"),
            "PR400-DV-0001",
        ),
        // Personium's proppatch-set-setPropKey.txt: <D:props> instead of <D:prop>.
        (
            update("<D:set><D:props><Z:Author>a</Z:Author></D:props></D:set>"),
            "PR400-DV-0002",
        ),
        (
            update("<D:remove><D:props><Z:Author/></D:props></D:remove>"),
            "PR400-DV-0002",
        ),
        (update("<D:remove/>"), "PR400-DV-0002"),
    ];
    for (body, code) in cases {
        let err = parse(body.as_bytes()).unwrap_err();
        assert_eq!(err.pr_code(), code, "{body}: {err}");
    }
    let deep = format!(
        "{}{}",
        "<a>".repeat(MAX_DEPTH + 1),
        "</a>".repeat(MAX_DEPTH + 1)
    );
    let body = update(&format!(
        "<D:set><D:prop><p:x>{deep}</p:x></D:prop></D:set>"
    ));
    assert_eq!(
        parse(body.as_bytes()).unwrap_err().pr_code(),
        "PR400-DV-0001"
    );
}

fn statuses(results: &[PropStatus]) -> Vec<(String, u16)> {
    results
        .iter()
        .map(|r| (r.property.local_name.clone(), r.status))
        .collect()
}

#[test]
fn applies_sets_before_removes_and_renders_multistatus() {
    let mut store = DeadProps::default();
    let first =
        parse(update("<D:set><D:prop><p:a>1</p:a><p:b>2</p:b></D:prop></D:set>").as_bytes())
            .unwrap();
    first.apply(&mut store);
    // remove a (present) and z (absent), then set a again: the set runs first, so a is gone.
    let second = parse(
        update("<D:remove><D:prop><p:a/><p:z/></D:prop></D:remove><D:set><D:prop><p:a>3</p:a></D:prop></D:set>")
            .as_bytes(),
    )
    .unwrap();
    let results = second.apply(&mut store);
    assert_eq!(
        statuses(&results),
        [("a".into(), 200), ("a".into(), 200), ("z".into(), 404)]
    );
    assert!(store.get(P, "a").is_none());
    assert_eq!(
        store.get(P, "b").and_then(|v| v.text()).as_deref(),
        Some("2")
    );
    let xml = render_multistatus("https://c1.unit/", &results);
    assert_eq!(
        xml,
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><multistatus xmlns=\"DAV:\"><response>\
             <href>https://c1.unit/</href><propstat><prop><p:a xmlns:p=\"{P}\">3</p:a>\
             <p:a xmlns:p=\"{P}\"/></prop><status>HTTP/1.1 200 OK</status></propstat><propstat>\
             <prop><p:z xmlns:p=\"{P}\"/></prop><status>HTTP/1.1 404 Not Found</status>\
             </propstat></response></multistatus>"
        )
    );
    // RFC 4918 §9.2: document order, and removing an absent property is not an error.
    let results = second.apply_as(&mut store, Semantics::Rfc4918);
    assert_eq!(
        statuses(&results),
        [("a".into(), 200), ("z".into(), 200), ("a".into(), 200)]
    );
    assert_eq!(
        store.get(P, "a").and_then(|v| v.text()).as_deref(),
        Some("3")
    );
    // The store round-trips through its JSON form.
    assert_eq!(DeadProps::from_json(Some(&store.to_json())).unwrap(), store);
}

#[test]
fn reads_interpreted_values() {
    let cases = [
        (format!(r#"<p:x xmlns:p="{P}">a,b</p:x>"#), Some("a,b")),
        (
            format!(r#"<p:x xmlns:p="{P}">http://h/?a=1&amp;b=2</p:x>"#),
            Some("http://h/?a=1&b=2"),
        ),
        (format!(r#"<p:x xmlns:p="{P}"/>"#), Some("")),
        (
            format!(r#"<p:x xmlns:p="{P}"><![CDATA[c]]></p:x>"#),
            Some("c"),
        ),
    ];
    for (xml, text) in cases {
        assert_eq!(PropValue(&xml).text().as_deref(), text, "{xml}");
    }
    let accounts = format!(
        r#"<p:o xmlns:p="{P}"><p:account> a1 </p:account><q:account xmlns:q="urn:q">no</q:account><p:account>a&amp;2</p:account><p:x><p:account>deep</p:account></p:x></p:o>"#
    );
    assert_eq!(
        PropValue(&accounts).child_texts(P, "account"),
        ["a1", "a&2"]
    );
}
