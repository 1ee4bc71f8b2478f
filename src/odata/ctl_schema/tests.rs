use super::*;
use crate::odata::schema::PropertyType;

fn nav(schema: &SchemaDef, ty: &str) -> Vec<(String, String, Multiplicity, Multiplicity)> {
    schema
        .entity_type(ty)
        .map(|t| {
            t.nav_props
                .iter()
                .map(|n| (n.name.clone(), n.target_type.clone(), n.from, n.to))
                .collect()
        })
        .unwrap_or_default()
}

fn prop<'a>(schema: &'a SchemaDef, ty: &str, name: &str) -> Option<&'a PropertyDef> {
    schema.entity_type(ty).and_then(|t| t.property(name))
}

#[test]
fn java_hash_map_order_matches_personium_service_documents() {
    // The ODataSvcSchema service document in Personium's API reference lists its sets so.
    assert_eq!(
        java_hash_map_order(&[
            "EntityType",
            "AssociationEnd",
            "Property",
            "ComplexType",
            "ComplexTypeProperty"
        ]),
        [
            "EntityType",
            "AssociationEnd",
            "ComplexTypeProperty",
            "Property",
            "ComplexType"
        ]
    );
    assert_eq!(java_string_hash("Role"), 2_552_982);
    // More than 12 keys: the table doubles, order is as if inserted into the larger table.
    let keys: Vec<String> = (0..20).map(|i| format!("k{i}")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let order = java_hash_map_order(&refs);
    assert_eq!(order.len(), 20);
    assert_eq!(order.first().map(String::as_str), Some("k0"));
}

#[test]
fn unit_ctl_has_cell() {
    let s = unit_ctl();
    assert_eq!(s.namespace, "UnitCtl");
    assert_eq!(s.entity_sets, [("Cell".to_owned(), "Cell".to_owned())]);
    let cell = s.entity_set("Cell");
    assert_eq!(cell.map(|t| t.keys.clone()), Some(vec!["Name".to_owned()]));
    let names: Vec<&str> = cell
        .map(|t| t.properties.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["Name", "__published", "__updated"]);
    assert_eq!(
        prop(s, "Cell", "Name").and_then(|p| p.format.as_deref()),
        Some("regEx('^[a-z0-9][a-z0-9-]{0,127}$')")
    );
    assert!(std::ptr::eq(unit_ctl(), s));
}

#[test]
fn cell_ctl_sets_in_personium_container_order() {
    let s = cell_ctl();
    let sets: Vec<&str> = s.entity_sets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        sets,
        [
            "Role",
            "Account",
            "Relation",
            "ExtCell",
            "Box",
            "ExtRole",
            "Rule",
            "ReceivedMessage",
            "SentMessage"
        ]
    );
    let types: Vec<&str> = s.entity_types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        types,
        [
            "Role",
            "Box",
            "Account",
            "ExtCell",
            "ExtRole",
            "Relation",
            "ReceivedMessage",
            "SentMessage",
            "Rule"
        ]
    );
    for (set, ty) in &s.entity_sets {
        assert_eq!(set, ty);
        assert!(s.entity_set(set).is_some(), "{set}");
    }
}

#[test]
fn keys() {
    let s = cell_ctl();
    let cases: [(&str, &[&str]); 9] = [
        ("Role", &["Name", "_Box.Name"]),
        ("Box", &["Name"]),
        ("Account", &["Name"]),
        ("ExtCell", &["Url"]),
        (
            "ExtRole",
            &["ExtRole", "_Relation.Name", "_Relation._Box.Name"],
        ),
        ("Relation", &["Name", "_Box.Name"]),
        ("Rule", &["Name", "_Box.Name"]),
        ("ReceivedMessage", &["__id"]),
        ("SentMessage", &["__id"]),
    ];
    for (ty, keys) in cases {
        let t = s.entity_type(ty);
        assert_eq!(
            t.map(|t| t.keys.clone()),
            Some(keys.iter().map(|k| (*k).to_owned()).collect()),
            "{ty}"
        );
        for key in keys {
            assert!(t.and_then(|t| t.property(key)).is_some(), "{ty}.{key}");
        }
    }
}

#[test]
fn property_lists_types_and_defaults() {
    let s = cell_ctl();
    let cases: [(&str, &[&str]); 9] = [
        ("Role", &["Name", "_Box.Name"]),
        ("Box", &["Name", "Schema"]),
        (
            "Account",
            &["Name", "Type", "Cell", "IPAddressRange", "Status"],
        ),
        ("ExtCell", &["Url"]),
        (
            "ExtRole",
            &["ExtRole", "_Relation.Name", "_Relation._Box.Name"],
        ),
        ("Relation", &["Name", "_Box.Name"]),
        (
            "Rule",
            &[
                "Name",
                "_Box.Name",
                "EventExternal",
                "EventSubject",
                "EventType",
                "EventObject",
                "EventInfo",
                "Action",
                "TargetUrl",
            ],
        ),
        (
            "ReceivedMessage",
            &[
                "__id",
                "_Box.Name",
                "InReplyTo",
                "From",
                "MulticastTo",
                "Type",
                "Title",
                "Body",
                "Priority",
                "Status",
                "RequestObjects",
            ],
        ),
        (
            "SentMessage",
            &[
                "__id",
                "_Box.Name",
                "InReplyTo",
                "To",
                "ToRelation",
                "Type",
                "Title",
                "Body",
                "Priority",
                "RequestObjects",
                "Result",
            ],
        ),
    ];
    for (ty, names) in cases {
        let mut expected: Vec<&str> = names.to_vec();
        expected.extend(["__published", "__updated"]);
        let actual: Vec<&str> = s
            .entity_type(ty)
            .map(|t| t.properties.iter().map(|p| p.name.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(actual, expected, "{ty}");
    }

    let p = |ty: &str, name: &str| prop(s, ty, name).cloned();
    let ts = p("Role", "__updated");
    assert_eq!(
        ts.as_ref().map(|p| p.ty.clone()),
        Some(PropertyType::Primitive(EdmType::DateTime))
    );
    assert_eq!(ts.as_ref().map(|p| p.nullable), Some(false));
    assert_eq!(
        ts.and_then(|p| p.default),
        Some("SYSUTCDATETIME()".to_owned())
    );

    let account_type = p("Account", "Type");
    assert_eq!(account_type.as_ref().map(|p| p.nullable), Some(false));
    assert_eq!(
        account_type.and_then(|p| p.default),
        Some("basic".to_owned())
    );
    assert_eq!(
        p("Account", "Status").and_then(|p| p.default),
        Some("active".to_owned())
    );
    assert_eq!(p("Box", "Schema").map(|p| p.nullable), Some(true));
    assert_eq!(p("Role", "_Box.Name").map(|p| p.nullable), Some(true));
    assert_eq!(
        p("ExtRole", "_Relation.Name").map(|p| p.nullable),
        Some(false)
    );
    assert_eq!(
        p("Rule", "EventExternal").map(|p| (p.ty, p.default)),
        Some((
            PropertyType::Primitive(EdmType::Boolean),
            Some("false".to_owned())
        ))
    );
    assert_eq!(
        p("Rule", "Name").and_then(|p| p.default),
        Some("UUID()".to_owned())
    );
    assert_eq!(
        p("ReceivedMessage", "Priority").map(|p| (p.ty, p.default)),
        Some((
            PropertyType::Primitive(EdmType::Int32),
            Some("3".to_owned())
        ))
    );
    assert_eq!(
        p("SentMessage", "Title").and_then(|p| p.default),
        Some(String::new())
    );
    assert_eq!(
        p("ReceivedMessage", "Status").map(|p| p.nullable),
        Some(false)
    );
    assert_eq!(
        p("SentMessage", "__id").map(|p| (p.nullable, p.default, p.format)),
        Some((false, Some("UUID()".to_owned()), None))
    );
    assert_eq!(
        p("ReceivedMessage", "__id").and_then(|p| p.format),
        Some("regEx('^.{32}$')".to_owned())
    );
    let objects = p("ReceivedMessage", "RequestObjects");
    assert_eq!(
        objects.map(|p| (p.ty, p.collection, p.nullable)),
        Some((
            PropertyType::Complex("Message_Request_Object".to_owned()),
            true,
            true
        ))
    );
    assert_eq!(
        p("SentMessage", "Result").map(|p| p.ty),
        Some(PropertyType::Complex("Sent_Message_Result".to_owned()))
    );
    assert_eq!(
        p("Relation", "Name").and_then(|p| p.format),
        Some(r"regEx('^[a-zA-Z0-9-\+][a-zA-Z0-9-_\+:]{0,127}$')".to_owned())
    );
    assert_eq!(
        p("Account", "Name").and_then(|p| p.format),
        Some("regEx('^[a-zA-Z0-9][a-zA-Z0-9-_!$*=^`{|}~.@]{0,127}$')".to_owned())
    );
}

#[test]
fn complex_types() {
    let s = cell_ctl();
    let names = |ct: &str| -> Vec<String> {
        s.complex_type(ct)
            .map(|c| c.properties.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names("Sent_Message_Result"), ["To", "Code", "Reason"]);
    assert_eq!(
        names("Message_Request_Object"),
        [
            "RequestType",
            "Name",
            "TargetUrl",
            "ClassUrl",
            "EventSubject",
            "EventType",
            "EventObject",
            "EventInfo",
            "Action"
        ]
    );
    let complex: Vec<&str> = s.complex_types.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(complex, ["Sent_Message_Result", "Message_Request_Object"]);
}

#[test]
fn navigation_properties_and_multiplicities() {
    use Multiplicity::{Many, One, ZeroOrOne};
    let s = cell_ctl();
    let n = |name: &str, target: &str, from, to| (name.to_owned(), target.to_owned(), from, to);
    assert_eq!(
        nav(s, "Role"),
        [
            n("_Box", "Box", Many, ZeroOrOne),
            n("_Account", "Account", Many, Many),
            n("_ExtCell", "ExtCell", Many, Many),
            n("_ExtRole", "ExtRole", Many, Many),
            n("_Relation", "Relation", Many, Many),
        ]
    );
    assert_eq!(
        nav(s, "Box"),
        [
            n("_Role", "Role", ZeroOrOne, Many),
            n("_Relation", "Relation", ZeroOrOne, Many),
            n("_ReceivedMessage", "ReceivedMessage", ZeroOrOne, Many),
            n("_SentMessage", "SentMessage", ZeroOrOne, Many),
            n("_Rule", "Rule", ZeroOrOne, Many),
        ]
    );
    assert_eq!(
        nav(s, "Account"),
        [
            n("_Role", "Role", Many, Many),
            n("_ReceivedMessageRead", "ReceivedMessage", Many, Many),
        ]
    );
    assert_eq!(
        nav(s, "ExtCell"),
        [
            n("_Role", "Role", Many, Many),
            n("_Relation", "Relation", Many, Many)
        ]
    );
    assert_eq!(
        nav(s, "ExtRole"),
        [
            n("_Role", "Role", Many, Many),
            n("_Relation", "Relation", Many, One)
        ]
    );
    assert_eq!(
        nav(s, "Relation"),
        [
            n("_Box", "Box", Many, ZeroOrOne),
            n("_ExtCell", "ExtCell", Many, Many),
            n("_ExtRole", "ExtRole", One, Many),
            n("_Role", "Role", Many, Many),
        ]
    );
    assert_eq!(
        nav(s, "ReceivedMessage"),
        [
            n("_Box", "Box", Many, ZeroOrOne),
            n("_AccountRead", "Account", Many, Many),
        ]
    );
    assert_eq!(nav(s, "SentMessage"), [n("_Box", "Box", Many, ZeroOrOne)]);
    assert_eq!(nav(s, "Rule"), [n("_Box", "Box", Many, ZeroOrOne)]);
}

#[test]
fn extras_name_associations_as_personium() {
    assert!(edmx_extras("UserData").is_none());
    assert_eq!(edmx_extras(UNIT_CTL), Some(&EdmxExtras::default()));
    let extras = edmx_extras(CELL_CTL);
    let names: Vec<&str> = extras
        .map(|e| e.associations.iter().map(|a| a.name.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        [
            "Box-Role-assoc",
            "Box-Relation-assoc",
            "Account-Role-assoc",
            "ExtCell-Role-assoc",
            "ExtCell-Relation-assoc",
            "ExtRole-Role-assoc",
            "ExtRole-Relation-assoc",
            "Relation-Role-assoc",
            "Box-ReceivedMessage-assoc",
            "Box-SentMessage-assoc",
            "Account-ReceivedMessage-assoc",
            "Box-Rule-assoc"
        ]
    );
    assert!(for_namespace(CELL_CTL).is_some_and(|s| std::ptr::eq(s, cell_ctl())));
    assert!(for_namespace("ODataSvcSchema").is_none());
}
