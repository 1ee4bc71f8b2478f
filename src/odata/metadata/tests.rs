use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;
use crate::odata::ctl_schema::{cell_ctl, unit_ctl};
use crate::odata::schema::{EntityTypeDef, NavPropDef};

/// An element name and its attributes.
type Element = (String, Vec<(String, String)>);

/// Parses `xml` and returns every start or empty element; `None` when it is not well-formed.
fn elements(xml: &str) -> Option<Vec<Element>> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.ok()?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    let value = a.unescape_value().ok()?.into_owned();
                    attrs.push((key, value));
                }
                out.push((name, attrs));
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn unit_ctl_edmx_is_byte_exact() {
    let expected = concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        r#"<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" "#,
        r#"xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" "#,
        r#"xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" "#,
        r#"xmlns:p="urn:x-personium:xmlns">"#,
        r#"<edmx:DataServices m:DataServiceVersion="1.0">"#,
        r#"<Schema xmlns="http://schemas.microsoft.com/ado/2006/04/edm" Namespace="UnitCtl">"#,
        r#"<EntityType Name="Cell"><Key><PropertyRef Name="Name"></PropertyRef></Key>"#,
        r#"<Property Name="Name" Type="Edm.String" Nullable="false" p:Format="regEx('^[a-z0-9][a-z0-9-]{0,127}$')"></Property>"#,
        r#"<Property Name="__published" Type="Edm.DateTime" Nullable="false" DefaultValue="SYSUTCDATETIME()" Precision="3"></Property>"#,
        r#"<Property Name="__updated" Type="Edm.DateTime" Nullable="false" DefaultValue="SYSUTCDATETIME()" Precision="3"></Property>"#,
        r#"</EntityType>"#,
        r#"<EntityContainer Name="UnitCtl" m:IsDefaultEntityContainer="true">"#,
        r#"<EntitySet Name="Cell" EntityType="UnitCtl.Cell"></EntitySet>"#,
        r#"</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"#
    );
    assert_eq!(edmx(unit_ctl()), expected);
}

#[test]
fn cell_ctl_edmx_is_well_formed_and_complete() {
    let doc = edmx(cell_ctl());
    assert_eq!(doc, edmx(cell_ctl()), "deterministic");
    let Some(els) = elements(&doc) else {
        panic!("not well-formed: {doc}");
    };
    let named = |el: &str| -> Vec<String> {
        els.iter()
            .filter(|(n, _)| n == el)
            .filter_map(|(_, a)| attr(a, "Name").map(str::to_owned))
            .collect()
    };
    assert_eq!(
        named("EntitySet"),
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
    assert_eq!(named("EntityType").len(), 9);
    assert_eq!(
        named("ComplexType"),
        ["Sent_Message_Result", "Message_Request_Object"]
    );
    assert_eq!(named("Association").len(), 12);
    assert_eq!(named("AssociationSet"), named("Association"));
    // Every navigation property points at a declared association and role.
    let roles: Vec<String> = els
        .iter()
        .filter(|(n, a)| n == "End" && attr(a, "Type").is_some())
        .filter_map(|(_, a)| attr(a, "Role").map(str::to_owned))
        .collect();
    let navs: Vec<&Vec<(String, String)>> = els
        .iter()
        .filter(|(n, _)| n == "NavigationProperty")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(navs.len(), 24);
    for a in navs {
        for key in ["FromRole", "ToRole"] {
            let role = attr(a, key).unwrap_or_default().to_owned();
            assert!(roles.contains(&role), "{a:?}");
        }
        assert!(attr(a, "Relationship").is_some_and(|r| r.starts_with("CellCtl.")));
    }
}

#[test]
fn cell_ctl_edmx_fragments() {
    let doc = edmx(cell_ctl());
    let fragments = [
        r#"<Schema xmlns="http://schemas.microsoft.com/ado/2006/04/edm" Namespace="CellCtl"><ComplexType Name="Sent_Message_Result">"#,
        r#"<EntityType Name="Role"><Key><PropertyRef Name="Name"></PropertyRef><PropertyRef Name="_Box.Name"></PropertyRef></Key>"#,
        r#"<Property Name="_Box.Name" Type="Edm.String" Nullable="true" p:Format="regEx('^[a-zA-Z0-9][a-zA-Z0-9-_]{0,127}$')"></Property>"#,
        r#"<NavigationProperty Name="_Box" Relationship="CellCtl.Box-Role-assoc" FromRole="Role-Box" ToRole="Box-Role"></NavigationProperty>"#,
        r#"<Property Name="Schema" Type="Edm.String" Nullable="true" DefaultValue="null" p:Unique="uk_box_schema" p:Format="schema-uri"></Property>"#,
        r#"<Property Name="Type" Type="Edm.String" Nullable="false" DefaultValue="basic" p:Format="unordered-set-of-unique-space-separated-tokens"></Property>"#,
        r#"<Property Name="RequestObjects" Type="CellCtl.Message_Request_Object" Nullable="true" CollectionKind="List"></Property>"#,
        r#"<Property Name="Result" Type="CellCtl.Sent_Message_Result" Nullable="true" CollectionKind="List"></Property>"#,
        r#"<Property Name="Priority" Type="Edm.Int32" Nullable="true" DefaultValue="3" p:Format="regEx('^[1-5]$')"></Property>"#,
        r#"<Property Name="Title" Type="Edm.String" Nullable="true" DefaultValue="" p:Format="regEx('^.{0,256}$')"></Property>"#,
        r#"<NavigationProperty Name="_ReceivedMessageRead" Relationship="CellCtl.Account-ReceivedMessage-assoc" FromRole="Account-ReceivedMessage" ToRole="ReceivedMessage-Account"></NavigationProperty>"#,
        r#"<NavigationProperty Name="_AccountRead" Relationship="CellCtl.Account-ReceivedMessage-assoc" FromRole="ReceivedMessage-Account" ToRole="Account-ReceivedMessage"></NavigationProperty>"#,
        r#"<Association Name="ExtRole-Relation-assoc"><End Role="ExtRole-Relation" Type="CellCtl.ExtRole" Multiplicity="*"></End><End Role="Relation-ExtRole" Type="CellCtl.Relation" Multiplicity="1"></End></Association>"#,
        r#"<Association Name="Box-Role-assoc"><End Role="Box-Role" Type="CellCtl.Box" Multiplicity="0..1"></End><End Role="Role-Box" Type="CellCtl.Role" Multiplicity="*"></End></Association>"#,
        r#"<EntityContainer Name="CellCtl" m:IsDefaultEntityContainer="true"><EntitySet Name="Role" EntityType="CellCtl.Role"></EntitySet>"#,
        r#"<AssociationSet Name="Box-Role-assoc" Association="CellCtl.Box-Role-assoc"><End Role="Box-Role" EntitySet="Box"></End><End Role="Role-Box" EntitySet="Role"></End></AssociationSet>"#,
        r#"</AssociationSet></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"#,
    ];
    for f in fragments {
        assert!(doc.contains(f), "missing {f}");
    }
    // Complex types come before entity types, associations after them.
    let pos = |s: &str| doc.find(s).unwrap_or(usize::MAX);
    assert!(pos("<ComplexType") < pos("<EntityType"));
    assert!(pos("</EntityType><Association ") < pos("<EntityContainer"));
}

fn user_schema() -> SchemaDef {
    use crate::odata::edm::EdmType;
    use crate::odata::schema::PropertyDef;
    let ty = |name: &str, nav: Vec<NavPropDef>| EntityTypeDef {
        name: name.to_owned(),
        keys: vec!["__id".to_owned()],
        properties: vec![
            PropertyDef::new("__id", EdmType::String)
                .not_null()
                .default_value("UUID()"),
            PropertyDef::new("__published", EdmType::DateTime).not_null(),
            PropertyDef::new("dyn", EdmType::Double),
        ],
        nav_props: nav,
        open: true,
    };
    SchemaDef {
        namespace: "UserData".to_owned(),
        entity_types: vec![
            ty(
                "Sales",
                vec![NavPropDef::new(
                    "_Product",
                    "Product",
                    Multiplicity::Many,
                    Multiplicity::ZeroOrOne,
                )],
            ),
            ty(
                "Product",
                vec![NavPropDef::new(
                    "_Sales",
                    "Sales",
                    Multiplicity::ZeroOrOne,
                    Multiplicity::Many,
                )],
            ),
        ],
        complex_types: vec![],
        entity_sets: vec![
            ("Product".to_owned(), "Product".to_owned()),
            ("Sales".to_owned(), "Sales".to_owned()),
        ],
    }
}

#[test]
fn derived_associations_for_other_schemas() {
    let schema = user_schema();
    let assocs = derive_associations(&schema);
    assert_eq!(assocs.len(), 1);
    assert_eq!(assocs[0].name, "Sales-Product-assoc");
    assert_eq!(assocs[0].end1.role, "Sales-Product");
    assert_eq!(assocs[0].end1.multiplicity, Multiplicity::Many);
    assert_eq!(assocs[0].end2.nav_name, "_Sales");
    assert_eq!(assocs[0].end2.multiplicity, Multiplicity::ZeroOrOne);

    let extras = EdmxExtras {
        associations: assocs,
        annotations: vec![PropertyAnnotation {
            owner: "Sales".to_owned(),
            property: "dyn".to_owned(),
            name: "IsDeclared".to_owned(),
            value: "false".to_owned(),
        }],
    };
    let doc = edmx_with(&schema, &extras);
    assert_eq!(doc, edmx_with(&schema, &extras));
    assert!(elements(&doc).is_some(), "{doc}");
    for f in [
        r#"<EntityType Name="Sales" OpenType="true"><Key><PropertyRef Name="__id"></PropertyRef></Key>"#,
        r#"<Property Name="__published" Type="Edm.DateTime" Nullable="false" Precision="3"></Property>"#,
        r#"<Property Name="dyn" Type="Edm.Double" Nullable="true" p:IsDeclared="false"></Property>"#,
        r#"<NavigationProperty Name="_Sales" Relationship="UserData.Sales-Product-assoc" FromRole="Product-Sales" ToRole="Sales-Product"></NavigationProperty>"#,
        r#"<End Role="Product-Sales" EntitySet="Product"></End>"#,
    ] {
        assert!(doc.contains(f), "missing {f} in {doc}");
    }
    // The plain entry point derives the same associations.
    assert!(edmx(&schema).contains("UserData.Sales-Product-assoc"));
}
