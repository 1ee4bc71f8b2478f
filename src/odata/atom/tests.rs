use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::*;
use crate::odata::ctl_schema::cell_ctl;

/// 2017-02-07T08:36:25.171Z
const NOW: i64 = 1_486_456_585_171;
const ROLE_URI: &str = "https://u.example/c1/__ctl/Role(Name='r1',_Box.Name='b1')";
const ROLE_REL: &str = "Role(Name='r1',_Box.Name='b1')";

fn ctl_entity(uri: &str, type_name: &str, properties: Vec<(&str, Value)>) -> Entity {
    let local = type_name.rsplit('.').next().unwrap_or_default();
    let nav = cell_ctl()
        .entity_type(local)
        .map(|t| {
            t.nav_props
                .iter()
                .map(|n| NavLink::deferred(uri, &n.name))
                .collect()
        })
        .unwrap_or_default();
    Entity {
        uri: uri.to_owned(),
        etag: "W/\"1-1486456585171\"".to_owned(),
        type_name: type_name.to_owned(),
        properties: properties
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        published: NOW,
        updated: NOW,
        nav,
    }
}

fn role() -> Entity {
    ctl_entity(
        ROLE_URI,
        "CellCtl.Role",
        vec![
            ("Name", Value::from("r1")),
            ("_Box.Name", Value::from("b1")),
        ],
    )
}

/// Parses with namespace resolution; returns (namespace, local name) of each element, or
/// `None` when the document is not well-formed or uses an unbound prefix.
fn parse(xml: &str) -> Option<Vec<(String, String)>> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_resolved_event().ok()? {
            (ResolveResult::Unknown(_), _) => return None,
            (ns, Event::Start(e) | Event::Empty(e)) => {
                let ns = match ns {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    _ => String::new(),
                };
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                for a in e.attributes() {
                    a.ok()?;
                }
                out.push((ns, local));
            }
            (_, Event::Eof) => return Some(out),
            _ => {}
        }
    }
}

#[test]
fn role_entry_is_byte_exact() {
    let mut links = String::new();
    for (nav, ty) in [
        ("_Box", "entry"),
        ("_Account", "feed"),
        ("_ExtCell", "feed"),
        ("_ExtRole", "feed"),
        ("_Relation", "feed"),
    ] {
        links.push_str(&format!(
            "<link rel=\"http://schemas.microsoft.com/ado/2007/08/dataservices/related/{nav}\" \
             type=\"application/atom+xml;type={ty}\" title=\"{nav}\" href=\"{ROLE_REL}/{nav}\"></link>"
        ));
    }
    let expected = format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<entry xmlns="http://www.w3.org/2005/Atom" "#,
            r#"xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" "#,
            r#"xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" "#,
            r#"xml:base="https://u.example/c1/__ctl/">"#,
            r#"<id>{uri}</id><title type="text"></title><updated>2017-02-07T08:36:25Z</updated>"#,
            r#"<author><name></name></author>"#,
            r#"<link rel="edit" title="Role" href="{rel}"></link>{links}"#,
            r#"<category term="CellCtl.Role" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"></category>"#,
            r#"<content type="application/xml"><m:properties>"#,
            r#"<d:Name>r1</d:Name><d:_Box.Name>b1</d:_Box.Name>"#,
            r#"<d:__published m:type="Edm.DateTime">2017-02-07T08:36:25.171</d:__published>"#,
            r#"<d:__updated m:type="Edm.DateTime">2017-02-07T08:36:25.171</d:__updated>"#,
            r#"</m:properties></content></entry>"#
        ),
        uri = ROLE_URI,
        rel = ROLE_REL,
        links = links
    );
    let doc = entry_at(&role(), Some(cell_ctl()), NOW);
    assert_eq!(doc, expected);
    let els = parse(&doc).unwrap_or_default();
    assert!(els.contains(&(NS_D.to_owned(), "_Box.Name".to_owned())));
    assert!(els.contains(&(NS_M.to_owned(), "properties".to_owned())));
    assert_eq!(els.first(), Some(&(NS_ATOM.to_owned(), "entry".to_owned())));
}

#[test]
fn public_entry_uses_ctl_schema_and_the_clock() {
    let doc = entry(&role());
    assert!(doc.contains(r#"type="application/atom+xml;type=entry" title="_Box""#));
    assert!(parse(&doc).is_some());
}

#[test]
fn property_types_nulls_complex_and_collections() {
    let request = Value::Complex(vec![
        ("RequestType".to_owned(), Value::from("role.add")),
        ("Name".to_owned(), Value::Null),
        ("TargetUrl".to_owned(), Value::from("https://c2.example/")),
    ]);
    let received = ctl_entity(
        "https://u.example/c1/__ctl/ReceivedMessage('0123456789abcdef0123456789abcdef')",
        "CellCtl.ReceivedMessage",
        vec![
            ("__id", Value::from("0123456789abcdef0123456789abcdef")),
            ("_Box.Name", Value::Null),
            ("InReplyTo", Value::Null),
            ("Body", Value::from("line1\nline2 <b> & \"q\"")),
            ("Priority", Value::Int32(3)),
            ("RequestObjects", Value::Collection(vec![request])),
        ],
    );
    let doc = entry_at(&received, Some(cell_ctl()), NOW);
    for f in [
        r#"<d:_Box.Name m:null="true"></d:_Box.Name>"#,
        r#"<d:InReplyTo m:null="true"></d:InReplyTo>"#,
        r#"<d:Body>line1\u000Aline2 &lt;b&gt; &amp; "q"</d:Body>"#,
        r#"<d:Priority m:type="Edm.Int32">3</d:Priority>"#,
        concat!(
            r#"<d:RequestObjects m:type="Bag(CellCtl.Message_Request_Object)"><d:element>"#,
            r#"<d:RequestType>role.add</d:RequestType><d:Name m:null="true"></d:Name>"#,
            r#"<d:TargetUrl>https://c2.example/</d:TargetUrl></d:element></d:RequestObjects>"#
        ),
        r#"<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/_AccountRead" type="application/atom+xml;type=feed""#,
    ] {
        assert!(doc.contains(f), "missing {f} in {doc}");
    }
    assert!(parse(&doc).is_some(), "{doc}");

    let sent = ctl_entity(
        "https://u.example/c1/__ctl/SentMessage('x')",
        "CellCtl.SentMessage",
        vec![
            ("Priority", Value::Null),
            ("RequestObjects", Value::Null),
            ("Result", Value::Null),
        ],
    );
    let doc = entry_at(&sent, Some(cell_ctl()), NOW);
    for f in [
        r#"<d:Priority m:type="Edm.Int32" m:null="true"></d:Priority>"#,
        r#"<d:RequestObjects m:type="List(CellCtl.Message_Request_Object)" m:null="true"></d:RequestObjects>"#,
        r#"<d:Result m:type="List(CellCtl.Sent_Message_Result)" m:null="true"></d:Result>"#,
    ] {
        assert!(doc.contains(f), "missing {f} in {doc}");
    }
}

#[test]
fn primitive_values_without_schema() {
    let e = Entity {
        uri: "https://u.example/c1/b/col/T('id')".to_owned(),
        etag: "W/\"1-0\"".to_owned(),
        type_name: "UserData.T".to_owned(),
        properties: vec![
            ("__id".to_owned(), Value::from("id")),
            ("__published".to_owned(), Value::DateTime(0)),
            ("d".to_owned(), Value::Double(1e10)),
            ("s".to_owned(), Value::Single(1.5)),
            ("l".to_owned(), Value::Int64(-5)),
            ("b".to_owned(), Value::Boolean(false)),
            ("t".to_owned(), Value::DateTime(-1)),
            ("n".to_owned(), Value::Null),
            (
                "list".to_owned(),
                Value::Collection(vec![Value::Int32(1), Value::Null]),
            ),
        ],
        published: 0,
        updated: 1000,
        nav: vec![NavLink::deferred(
            "https://u.example/c1/b/col/T('id')",
            "_U",
        )],
    };
    let doc = entry_at(&e, None, 0);
    for f in [
        r#"xml:base="https://u.example/c1/b/col/""#,
        r#"<link rel="edit" title="T" href="T('id')"></link>"#,
        r#"type="application/atom+xml;type=feed" title="_U" href="T('id')/_U""#,
        r#"<d:__id>id</d:__id><d:__published m:type="Edm.DateTime">1970-01-01T00:00:00</d:__published>"#,
        r#"<d:d m:type="Edm.Double">1.0E10</d:d>"#,
        r#"<d:s m:type="Edm.Single">1.5</d:s>"#,
        r#"<d:l m:type="Edm.Int64">-5</d:l>"#,
        r#"<d:b m:type="Edm.Boolean">false</d:b>"#,
        r#"<d:t m:type="Edm.DateTime">1969-12-31T23:59:59.999</d:t>"#,
        r#"<d:n m:null="true"></d:n>"#,
        r#"<d:list m:type="Bag(Edm.Int32)"><d:element>1</d:element><d:element m:null="true"></d:element></d:list>"#,
        r#"<d:__updated m:type="Edm.DateTime">1970-01-01T00:00:01</d:__updated></m:properties>"#,
    ] {
        assert!(doc.contains(f), "missing {f} in {doc}");
    }
    assert!(parse(&doc).is_some());
}

#[test]
fn feed_with_and_without_count() {
    let mut a = role();
    a.nav.clear();
    let mut b = a.clone();
    b.uri = "https://u.example/c1/__ctl/Role(Name='r2',_Box.Name=null)".to_owned();
    let uri = "https://u.example/c1/__ctl/Role?$inlinecount=allpages&$top=2";
    let doc = feed_at("Role", uri, &[a.clone(), b], Some(2), Some(cell_ctl()), NOW);
    let head = concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        r#"<feed xmlns="http://www.w3.org/2005/Atom" "#,
        r#"xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" "#,
        r#"xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" "#,
        r#"xml:base="https://u.example/c1/__ctl/">"#,
        r#"<title type="text">Role</title>"#,
        r#"<id>https://u.example/c1/__ctl/Role?$inlinecount=allpages&amp;$top=2</id>"#,
        r#"<updated>2017-02-07T08:36:25Z</updated>"#,
        r#"<link rel="self" title="Role" href="Role"></link>"#,
        r#"<m:count>2</m:count><entry><id>https://u.example/c1/__ctl/Role(Name='r1',_Box.Name='b1')</id>"#
    );
    assert!(doc.starts_with(head), "{doc}");
    assert!(doc
        .contains(r#"<entry><id>https://u.example/c1/__ctl/Role(Name='r2',_Box.Name=null)</id>"#));
    assert!(doc.ends_with("</m:properties></content></entry></feed>"));
    let els = parse(&doc).unwrap_or_default();
    assert_eq!(els.iter().filter(|(_, n)| n == "entry").count(), 2);
    assert!(els.contains(&(NS_M.to_owned(), "count".to_owned())));

    let doc = feed_at(
        "Role",
        "https://u.example/c1/__ctl/Role",
        &[],
        None,
        None,
        NOW,
    );
    assert!(!doc.contains("m:count"));
    assert!(doc.ends_with(r#"<link rel="self" title="Role" href="Role"></link></feed>"#));
    assert!(parse(&doc).is_some());
    assert!(parse(&feed(
        "Role",
        "https://u.example/c1/__ctl/Role",
        &[a],
        Some(1)
    ))
    .is_some());
}

#[test]
fn expanded_links_are_inline_feeds() {
    let bx = ctl_entity(
        "https://u.example/c1/__ctl/Box('b1')",
        "CellCtl.Box",
        vec![("Name", Value::from("b1")), ("Schema", Value::Null)],
    );
    let mut r = role();
    r.nav = vec![
        NavLink::Expanded {
            name: "_Box".to_owned(),
            entities: vec![bx],
            single: true,
        },
        NavLink::Expanded {
            name: "_Account".to_owned(),
            entities: vec![],
            single: false,
        },
    ];
    let doc = entry_at(&r, Some(cell_ctl()), NOW);
    let expected_box = format!(
        concat!(
            r#"<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/_Box" "#,
            r#"type="application/atom+xml;type=feed" title="_Box" href="{rel}/_Box"><m:inline><feed>"#,
            r#"<title type="text">_Box</title><id>{uri}/_Box</id><updated>2017-02-07T08:36:25Z</updated>"#,
            r#"<link rel="self" title="_Box" href="{rel}/_Box"></link>"#,
            r#"<entry><id>https://u.example/c1/__ctl/Box('b1')</id>"#
        ),
        rel = ROLE_REL,
        uri = ROLE_URI
    );
    assert!(doc.contains(&expected_box), "{doc}");
    assert!(doc.contains(r#"<link rel="edit" title="Box" href="Box('b1')"></link>"#));
    assert!(doc.contains(r#"<d:Schema m:null="true"></d:Schema>"#));
    assert!(doc.contains(r#"title="_Account" href="Role(Name='r1',_Box.Name='b1')/_Account"><m:inline></m:inline></link>"#));
    assert!(parse(&doc).is_some());
}

#[test]
fn links_document() {
    assert_eq!(
        links(&["https://u/c/__ctl/Role('a')".to_owned()]),
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<link xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices">"#,
            r#"<uri>https://u/c/__ctl/Role('a')</uri></link>"#
        )
    );
}

#[test]
fn datetimes_and_escaping() {
    let cases = [
        (0, "1970-01-01T00:00:00"),
        (-1, "1969-12-31T23:59:59.999"),
        (1_486_456_585_171, "2017-02-07T08:36:25.171"),
        (951_782_400_000, "2000-02-29T00:00:00"),
        (-6_847_804_800_000, "1753-01-01T00:00:00"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999"),
    ];
    for (ms, expected) in cases {
        assert_eq!(format_datetime(ms), expected, "{ms}");
    }
    assert_eq!(
        format_atom_updated(1_486_456_585_171),
        "2017-02-07T08:36:25Z"
    );
    let mut x = XmlWriter::new();
    x.leaf("c", Some("a\u{0}\t\u{7f}é<\u{1f}"), &[("v", "\n\"")]);
    assert_eq!(
        x.finish(),
        r#"<?xml version="1.0" encoding="utf-8"?><c v="\u000A&quot;">a\u0000\u0009\u007Fé&lt;\u001F</c>"#
    );
    let mut x = XmlWriter::new();
    x.leaf("a", Some("<&>\""), &[("v", "<&>\"'")]);
    x.attr("late", "ignored");
    assert_eq!(
        x.finish(),
        r#"<?xml version="1.0" encoding="utf-8"?><a v="&lt;&amp;&gt;&quot;'">&lt;&amp;&gt;"</a>"#
    );
}
