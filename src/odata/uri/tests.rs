use super::*;

fn named(parts: &[(&str, Option<&str>)]) -> Key {
    Key(parts
        .iter()
        .map(|(n, v)| KeyPart {
            name: Some((*n).to_owned()),
            value: v.map(str::to_owned),
        })
        .collect())
}

fn single(v: &str) -> Key {
    Key(vec![KeyPart {
        name: None,
        value: Some(v.to_owned()),
    }])
}

#[test]
fn resource_paths() {
    use ResourcePath::*;
    let cases: Vec<(&str, Result<ResourcePath, UriError>)> = vec![
        ("", Ok(ServiceDocument)),
        ("$metadata", Ok(Metadata)),
        ("$batch", Ok(Batch)),
        ("Role", Ok(EntitySet { set: "Role".into() })),
        ("Role/", Ok(EntitySet { set: "Role".into() })),
        (
            "Role('r1')",
            Ok(Entity {
                set: "Role".into(),
                key: single("r1"),
            }),
        ),
        (
            "Role('it''s')",
            Ok(Entity {
                set: "Role".into(),
                key: single("it's"),
            }),
        ),
        (
            "Role(Name='r',_Box.Name='b')",
            Ok(Entity {
                set: "Role".into(),
                key: named(&[("Name", Some("r")), ("_Box.Name", Some("b"))]),
            }),
        ),
        (
            "Role(Name='r',_Box.Name=null)",
            Ok(Entity {
                set: "Role".into(),
                key: named(&[("Name", Some("r")), ("_Box.Name", None)]),
            }),
        ),
        (
            "ExtCell('https%3A%2F%2Fc2.unit%2F')",
            Ok(Entity {
                set: "ExtCell".into(),
                key: single("https://c2.unit/"),
            }),
        ),
        (
            "ExtCell('https://c2.unit/')/_Role",
            Ok(NavProp {
                set: "ExtCell".into(),
                key: single("https://c2.unit/"),
                nav: "_Role".into(),
            }),
        ),
        (
            "Account('a')/$links/_Role",
            Ok(Links {
                set: "Account".into(),
                key: single("a"),
                nav: "_Role".into(),
                target: None,
            }),
        ),
        (
            "Account('a')/$links/_Role(Name='r',_Box.Name='b')",
            Ok(Links {
                set: "Account".into(),
                key: single("a"),
                nav: "_Role".into(),
                target: Some(named(&[("Name", Some("r")), ("_Box.Name", Some("b"))])),
            }),
        ),
        ("Account('a')/_Role('r')", Err(UriError::KeyOnNavProp)),
        ("Role('r1'", Err(UriError::BadKey)),
        ("Role(r1)", Err(UriError::BadKey)),
        ("Role('a','b')", Err(UriError::BadKey)),
        ("Role(Name='a','b')", Err(UriError::BadKey)),
        ("Role()", Err(UriError::BadKey)),
        ("Role('x)", Err(UriError::BadKey)),
        ("Role/x", Err(UriError::NotFound)),
        ("Role('a')/$links", Err(UriError::NotFound)),
        ("a//b", Err(UriError::NotFound)),
        ("Role('a')/x/y/z", Err(UriError::NotFound)),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_resource_path(input), expected, "{input}");
    }
}

#[test]
fn key_formatting() {
    assert_eq!(format_key(&[("Name", Some("r1"))]), "('r1')");
    assert_eq!(
        format_key(&[("Name", Some("r")), ("_Box.Name", None)]),
        "(Name='r',_Box.Name=null)"
    );
    assert_eq!(
        format_key(&[("Url", Some("https://c2.unit/"))]),
        "('https%3A%2F%2Fc2.unit%2F')"
    );
    assert_eq!(format_key(&[("Name", Some("it's"))]), "('it''s')");
}
