use super::*;
use crate::odata::metadata::edmx_with;

fn prop(owner: &str, name: &str, ty: &str) -> StoredProperty {
    StoredProperty {
        owner: owner.to_owned(),
        name: name.to_owned(),
        type_name: ty.to_owned(),
        nullable: true,
        default: None,
        list: false,
        declared: true,
        ..StoredProperty::default()
    }
}

#[test]
fn schema_model_edmx() {
    let (schema, extras) = svc_schema();
    let x = edmx_with(schema, extras);
    for needle in [
        "<Schema xmlns=\"http://schemas.microsoft.com/ado/2006/04/edm\" Namespace=\"ODataSvcSchema\">",
        "<EntityType Name=\"Property\"><Key><PropertyRef Name=\"Name\"></PropertyRef><PropertyRef Name=\"_EntityType.Name\"></PropertyRef></Key>",
        "<Property Name=\"IsDeclared\" Type=\"Edm.Boolean\" Nullable=\"true\" DefaultValue=\"true\"></Property>",
        "<Association Name=\"AssociationEnd-AssociationEnd-assoc\">",
        "<NavigationProperty Name=\"_AssociationEnd\" Relationship=\"ODataSvcSchema.EntityType-AssociationEnd-assoc\" FromRole=\"EntityType-AssociationEnd\" ToRole=\"AssociationEnd-EntityType\"></NavigationProperty>",
        "<EntitySet Name=\"ComplexTypeProperty\" EntityType=\"ODataSvcSchema.ComplexTypeProperty\"></EntitySet>",
    ] {
        assert!(x.contains(needle), "{needle} in {x}");
    }
    let ae = schema.entity_type("AssociationEnd").unwrap();
    let navs: Vec<&str> = ae.nav_props.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(navs, ["_EntityType", "_AssociationEnd"]);
}

#[test]
fn user_data_schema() {
    let stored = StoredSchema {
        entity_types: vec!["Category".into(), "Product".into()],
        complex_types: vec!["Address".into()],
        properties: vec![
            prop("Product", "addr", "Address"),
            StoredProperty {
                declared: false,
                ..prop("Product", "dyn", "Edm.String")
            },
            prop("Product", "price", "Edm.Double"),
        ],
        complex_properties: vec![prop("Address", "city", "Edm.String")],
        ends: vec![
            StoredEnd {
                id: "a".into(),
                name: "toCat".into(),
                entity_type: "Product".into(),
                multiplicity: Multiplicity::Many,
                partner: Some("b".into()),
            },
            StoredEnd {
                id: "b".into(),
                name: "toProd".into(),
                entity_type: "Category".into(),
                multiplicity: Multiplicity::ZeroOrOne,
                partner: Some("a".into()),
            },
        ],
    };
    let (schema, extras) = user_data(&stored);
    let x = edmx_with(&schema, &extras);
    for needle in [
        "Namespace=\"UserData\"",
        "<ComplexType Name=\"Address\"><Property Name=\"city\" Type=\"Edm.String\" Nullable=\"true\"></Property></ComplexType>",
        "<EntityType Name=\"Product\" OpenType=\"true\"><Key><PropertyRef Name=\"__id\"></PropertyRef></Key>",
        "<Property Name=\"__id\" Type=\"Edm.String\" Nullable=\"false\" DefaultValue=\"UUID()\" p:Format=\"regEx('^.{1,400}$')\"></Property>",
        "<Property Name=\"addr\" Type=\"UserData.Address\" Nullable=\"true\"></Property>",
        "<Property Name=\"dyn\" Type=\"Edm.String\" Nullable=\"true\" p:IsDeclared=\"false\"></Property>",
        "<Association Name=\"Product-Category-assoc\"><End Role=\"Product:toCat\" Type=\"UserData.Product\" Multiplicity=\"*\"></End><End Role=\"Category:toProd\" Type=\"UserData.Category\" Multiplicity=\"0..1\"></End></Association>",
        "<NavigationProperty Name=\"_Category\" Relationship=\"UserData.Product-Category-assoc\" FromRole=\"Product:toCat\" ToRole=\"Category:toProd\"></NavigationProperty>",
        "<AssociationSet Name=\"Product-Category-assoc\" Association=\"UserData.Product-Category-assoc\">",
    ] {
        assert!(x.contains(needle), "{needle} in {x}");
    }
    assert_eq!(extras.associations.len(), 1);
}

#[test]
fn property_limits() {
    let limits = PropertyLimits::default();
    let with = |n_simple: usize, complex: &[(&str, &str)], ct_props: usize| {
        let mut stored = StoredSchema {
            entity_types: vec!["T".into()],
            complex_types: vec!["C".into()],
            ..StoredSchema::default()
        };
        for i in 0..n_simple {
            stored
                .properties
                .push(prop("T", &format!("p{i}"), "Edm.String"));
        }
        for (name, ty) in complex {
            stored.properties.push(prop("T", name, ty));
        }
        for i in 0..ct_props {
            stored
                .complex_properties
                .push(prop("C", &format!("c{i}"), "Edm.String"));
        }
        within_limits(&user_data(&stored).0, &limits)
    };
    type Complex<'a> = &'a [(&'a str, &'a str)];
    let c: Complex = &[("c", "C")];
    let cases: [(usize, Complex, usize, bool); 6] = [
        (400, &[], 0, true),
        (401, &[], 0, false),
        (399, c, 1, false),
        (398, c, 1, true),
        (0, c, 50, true),
        (0, c, 51, false),
    ];
    for (n, complex, ct, ok) in cases {
        assert_eq!(with(n, complex, ct), ok, "{n} {complex:?} {ct}");
    }
}
