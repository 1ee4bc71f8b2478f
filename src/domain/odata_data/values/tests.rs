use serde_json::json;

use super::*;

fn prop(owner: &str, name: &str, key: &str, ty: &str) -> StoredProperty {
    StoredProperty {
        owner: owner.into(),
        name: name.into(),
        key: key.into(),
        type_name: ty.into(),
        nullable: true,
        declared: true,
        ..StoredProperty::default()
    }
}

fn schema() -> StoredSchema {
    StoredSchema {
        entity_types: vec!["T".into()],
        complex_types: vec!["Addr".into()],
        properties: vec![
            prop("T", "s", "p1", "Edm.String"),
            prop("T", "i", "p2", "Edm.Int32"),
            prop("T", "f", "p3", "Edm.Single"),
            prop("T", "d", "p4", "Edm.Double"),
            prop("T", "b", "p5", "Edm.Boolean"),
            prop("T", "t", "p6", "Edm.DateTime"),
            StoredProperty {
                list: true,
                ..prop("T", "l", "p7", "Edm.Int32")
            },
            prop("T", "a", "p8", "Addr"),
            StoredProperty {
                nullable: false,
                default: Some("SYSUTCDATETIME()".into()),
                ..prop("T", "made", "p9", "Edm.DateTime")
            },
        ],
        complex_properties: vec![prop("Addr", "city", "p1", "Edm.String")],
        ends: Vec::new(),
    }
}

#[test]
fn dates() {
    let cases = [
        ("/Date(0)/", Some(0)),
        ("/Date(1700000000000)/", Some(1_700_000_000_000)),
        ("/Date(-1000)/", Some(-1000)),
        ("/Date(1000+0900)/", Some(1000)),
        ("/Date(253402300800000)/", None),
        ("/Date(x)/", None),
        ("Date(1)", None),
        ("", None),
    ];
    for (s, want) in cases {
        assert_eq!(parse_date(s), want, "{s}");
    }
}

#[test]
fn bodies_to_stored_form() {
    let schema = schema();
    let c = Checker {
        schema: &schema,
        now: 5,
    };
    let ok = [
        (json!({"s": "x"}), json!({"p1": "x", "p9": 5})),
        (
            json!({"i": 7, "d": "1.5E+00", "b": true}),
            json!({"p2": 7, "p4": 1.5, "p5": true, "p9": 5}),
        ),
        (
            json!({"f": 2.5, "t": "/Date(9)/", "made": "/Date(1)/"}),
            json!({"p3": 2.5, "p6": 9, "p9": 1}),
        ),
        (
            json!({"l": [1, 2], "a": {"city": "K"}}),
            json!({"p7": [1, 2], "p8": {"p1": "K"}, "p9": 5}),
        ),
        (
            json!({"s": null, "t": "SYSUTCDATETIME()"}),
            json!({"p6": 5, "p9": 5}),
        ),
    ];
    for (body, want) in ok {
        let obj = body.as_object().unwrap();
        let got = c.entity("T", obj, None).unwrap();
        assert_eq!(Json::Object(got), want, "{body}");
    }
    let bad = [
        (json!({"i": 1.5}), "PR400-OD-0006"),
        (json!({"i": 3_000_000_000_i64}), "PR400-OD-0006"),
        (json!({"f": 1e39}), "PR400-OD-0006"),
        (json!({"b": 1}), "PR400-OD-0006"),
        (json!({"s": "a\u{0}b"}), "PR400-OD-0006"),
        (json!({"t": "yesterday"}), "PR400-OD-0006"),
        (json!({"l": [1, null]}), "PR400-OD-0006"),
        (json!({"l": 1}), "PR400-OD-0006"),
        (json!({"a": {"town": "K"}}), "PR400-OD-0006"),
        (json!({"a": "K"}), "PR400-OD-0006"),
        (json!({"made": null}), ""),
    ];
    for (body, code) in bad {
        let r = c.entity("T", body.as_object().unwrap(), None);
        match (code, r) {
            ("", r) => assert!(r.is_ok(), "{body}: a default fills a null non-nullable"),
            (code, Err(e)) => assert_eq!(e.code().id, code, "{body}"),
            (_, Ok(v)) => panic!("{body} accepted as {v:?}"),
        }
    }
}

#[test]
fn merge_keeps_what_the_body_omits() {
    let schema = schema();
    let c = Checker {
        schema: &schema,
        now: 5,
    };
    let base = json!({"p1": "old", "p2": 1});
    let got = c
        .entity(
            "T",
            json!({"i": 2, "s": null}).as_object().unwrap(),
            base.as_object(),
        )
        .unwrap();
    assert_eq!(Json::Object(got), json!({"p2": 2}));
}

#[test]
fn dynamic_properties_and_reading_back() {
    let schema = schema();
    let obj = json!({"s": "x", "__id": "a", "n": 1, "on": false, "w": "z", "nil": null});
    let mut dynamic = dynamic_properties(&schema, "T", obj.as_object().unwrap()).unwrap();
    dynamic.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<(&str, EdmType)> = dynamic.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    assert_eq!(
        names,
        [
            ("n", EdmType::Double),
            ("nil", EdmType::String),
            ("on", EdmType::Boolean),
            ("w", EdmType::String)
        ]
    );
    for bad in [json!({"x": [1]}), json!({"x": {}}), json!({"-x": 1})] {
        assert!(
            dynamic_properties(&schema, "T", bad.as_object().unwrap()).is_err(),
            "{bad}"
        );
    }
    let stored = json!({"p1": "x", "p2": 3, "p6": 9, "p7": [1], "p8": {"p1": "K"}});
    let values = read(&schema, "T", stored.as_object().unwrap());
    let get = |n: &str| values.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(get("s"), Some(Value::String("x".into())));
    assert_eq!(get("i"), Some(Value::Int32(3)));
    assert_eq!(get("t"), Some(Value::DateTime(9)));
    assert_eq!(get("l"), Some(Value::Collection(vec![Value::Int32(1)])));
    assert_eq!(
        get("a"),
        Some(Value::Complex(vec![(
            "city".into(),
            Value::String("K".into())
        )]))
    );
    assert_eq!(get("b"), Some(Value::Null));
    assert_eq!(search_text(stored.as_object().unwrap()), "x K");
}
