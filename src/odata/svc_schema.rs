//! The user schema of an OData service collection (`spec/personium-api.md` §8.1, §2.6):
//! the `ODataSvcSchema` model served at `{col}/$metadata/$metadata` (personium-core
//! `model/ctl/{EntityType,AssociationEnd,Property,ComplexType,ComplexTypeProperty}.java`,
//! `CtlSchema.getEdmDataServicesForODataSvcSchema`), the `UserData` schema built from the
//! stored definitions (`CtlSchema.getEdmDataServicesForUserData`), and the per-type property
//! limits (`PropertyLimitChecker`). Pure: the rows come in as plain values.

use std::sync::OnceLock;

use crate::odata::ctl_schema::{entity_sets_of, entity_type, string, timestamps, FORMAT_NAME};
use crate::odata::edm::EdmType;
use crate::odata::metadata::{Association, AssociationEnd, EdmxExtras, PropertyAnnotation};
use crate::odata::schema::{
    ComplexTypeDef, EntityTypeDef, Multiplicity, NavPropDef, PropertyDef, PropertyType, SchemaDef,
};

/// Namespace of the schema model.
pub const SVC_SCHEMA: &str = "ODataSvcSchema";
/// Namespace of user data.
pub const USER_DATA: &str = "UserData";
/// `Multiplicity` of an AssociationEnd.
pub const FORMAT_MULTIPLICITY: &str = r"regEx('0\.\.1|1|\*')";
/// `__id` of user data.
pub const FORMAT_USER_ID: &str = "regEx('^.{1,400}$')";

/// The six primitive types a Property or ComplexTypeProperty may have (Personium's
/// `ODataSvcSchemaResource.validate`; no `Edm.Int64`).
pub const PROPERTY_TYPES: [EdmType; 6] = [
    EdmType::String,
    EdmType::Boolean,
    EdmType::Single,
    EdmType::Int32,
    EdmType::Double,
    EdmType::DateTime,
];

/// The primitive type of a Property `Type` value, if it names one of [`PROPERTY_TYPES`].
pub fn property_type(name: &str) -> Option<EdmType> {
    EdmType::parse(name).filter(|t| PROPERTY_TYPES.contains(t))
}

/// Multiplicity from its EDMX spelling.
pub fn parse_multiplicity(s: &str) -> Option<Multiplicity> {
    match s {
        "1" => Some(Multiplicity::One),
        "0..1" => Some(Multiplicity::ZeroOrOne),
        "*" => Some(Multiplicity::Many),
        _ => None,
    }
}

/// The `ODataSvcSchema` model and its EDMX extras.
pub fn svc_schema() -> &'static (SchemaDef, EdmxExtras) {
    static PARTS: OnceLock<(SchemaDef, EdmxExtras)> = OnceLock::new();
    PARTS.get_or_init(build_svc_schema)
}

fn name() -> PropertyDef {
    string("Name").not_null().with_format(FORMAT_NAME)
}

fn parent_name(field: &str) -> PropertyDef {
    string(field).not_null().with_format(FORMAT_NAME)
}

fn boolean(name: &str, default: &str, nullable: bool) -> PropertyDef {
    let p = PropertyDef::new(name, EdmType::Boolean).default_value(default);
    if nullable {
        p
    } else {
        p.not_null()
    }
}

/// `Type`, `Nullable`, `DefaultValue`, `CollectionKind` (Property and ComplexTypeProperty).
fn type_fields() -> [PropertyDef; 4] {
    [
        string("Type").not_null(),
        boolean("Nullable", "true", false),
        string("DefaultValue"),
        string("CollectionKind").default_value("None"),
    ]
}

fn svc_types() -> Vec<EntityTypeDef> {
    let et = entity_type("EntityType", &["Name"], vec![name()]);
    let end = entity_type(
        "AssociationEnd",
        &["Name", "_EntityType.Name"],
        vec![
            name(),
            string("Multiplicity")
                .not_null()
                .with_format(FORMAT_MULTIPLICITY),
            parent_name("_EntityType.Name"),
        ],
    );
    let mut props = vec![name(), parent_name("_EntityType.Name")];
    props.extend(type_fields());
    props.extend([
        boolean("IsKey", "false", false),
        string("UniqueKey").with_format(FORMAT_NAME),
        boolean("IsDeclared", "true", true),
    ]);
    let prop = entity_type("Property", &["Name", "_EntityType.Name"], props);
    let ct = entity_type("ComplexType", &["Name"], vec![name()]);
    let mut ctp_props = vec![name(), parent_name("_ComplexType.Name")];
    ctp_props.extend(type_fields());
    let ctp = entity_type(
        "ComplexTypeProperty",
        &["Name", "_ComplexType.Name"],
        ctp_props,
    );
    vec![et, end, prop, ct, ctp]
}

/// Personium's `SCHEMA_ASSOCS`: (type1, type2, multiplicity1, multiplicity2).
const SVC_ASSOCIATIONS: [(&str, &str, Multiplicity, Multiplicity); 4] = {
    use Multiplicity::{Many, One, ZeroOrOne};
    [
        ("EntityType", "AssociationEnd", One, Many),
        ("AssociationEnd", "AssociationEnd", ZeroOrOne, ZeroOrOne),
        ("EntityType", "Property", One, Many),
        ("ComplexType", "ComplexTypeProperty", One, Many),
    ]
};

fn build_svc_schema() -> (SchemaDef, EdmxExtras) {
    let mut types = svc_types();
    let associations = SVC_ASSOCIATIONS
        .iter()
        .map(|(t1, t2, m1, m2)| {
            associate(
                &mut types,
                (t1, t2),
                (format!("{t1}-{t2}"), format!("{t2}-{t1}")),
                (*m1, *m2),
            )
        })
        .collect();
    let entity_sets = entity_sets_of(&types);
    let schema = SchemaDef {
        namespace: SVC_SCHEMA.to_owned(),
        entity_types: types,
        complex_types: Vec::new(),
        entity_sets,
    };
    (
        schema,
        EdmxExtras::default().with_associations(associations),
    )
}

/// Personium's `CtlSchema.associate`: `{T1}-{T2}-assoc` with the given roles, navigation
/// property `_{T2}` on T1 and `_{T1}` on T2 (only once for a self-association).
fn associate(
    types: &mut [EntityTypeDef],
    (t1, t2): (&str, &str),
    (role1, role2): (String, String),
    (m1, m2): (Multiplicity, Multiplicity),
) -> Association {
    let (nav1, nav2) = (format!("_{t2}"), format!("_{t1}"));
    if let Some(t) = types.iter_mut().find(|t| t.name == t1) {
        t.nav_props.push(NavPropDef::new(&nav1, t2, m1, m2));
    }
    if t1 != t2 {
        if let Some(t) = types.iter_mut().find(|t| t.name == t2) {
            t.nav_props.push(NavPropDef::new(&nav2, t1, m2, m1));
        }
    }
    Association {
        name: format!("{t1}-{t2}-assoc"),
        end1: AssociationEnd {
            role: role1,
            type_name: t1.to_owned(),
            multiplicity: m1,
            nav_name: nav1,
        },
        end2: AssociationEnd {
            role: role2,
            type_name: t2.to_owned(),
            multiplicity: m2,
            nav_name: if t1 == t2 { String::new() } else { nav2 },
        },
    }
}

impl EdmxExtras {
    fn with_associations(mut self, associations: Vec<Association>) -> EdmxExtras {
        self.associations = associations;
        self
    }
}

/// A stored Property or ComplexTypeProperty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredProperty {
    /// Its row id.
    pub id: String,
    /// The key of its values in stored entity bodies (`p{n}`, unique within its owner).
    pub key: String,
    /// Its EntityType or ComplexType.
    pub owner: String,
    pub name: String,
    /// `Edm.*` or a ComplexType name.
    pub type_name: String,
    pub nullable: bool,
    pub default: Option<String>,
    pub list: bool,
    /// False for dynamic properties (Property only).
    pub declared: bool,
}

/// A stored AssociationEnd.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEnd {
    pub id: String,
    pub name: String,
    pub entity_type: String,
    pub multiplicity: Multiplicity,
    /// The id of the end it is paired with.
    pub partner: Option<String>,
}

/// A collection's whole user schema, each list sorted by name (Personium reads it with
/// `$orderby=Name`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredSchema {
    pub entity_types: Vec<String>,
    pub complex_types: Vec<String>,
    pub properties: Vec<StoredProperty>,
    pub complex_properties: Vec<StoredProperty>,
    pub ends: Vec<StoredEnd>,
}

fn property_def(p: &StoredProperty, complex_types: &[String]) -> PropertyDef {
    let ty = match property_type(&p.type_name) {
        Some(t) => PropertyType::Primitive(t),
        None if complex_types.contains(&p.type_name) => PropertyType::Complex(p.type_name.clone()),
        // COMPAT(personium): a type that names nothing is left at odata4j's default.
        None => PropertyType::Primitive(EdmType::String),
    };
    PropertyDef {
        name: p.name.clone(),
        ty,
        nullable: p.nullable,
        default: p.default.clone(),
        collection: p.list,
        format: None,
    }
}

/// The `UserData` schema of a collection, with its associations and the `p:IsDeclared`
/// annotations of dynamic properties.
pub fn user_data(stored: &StoredSchema) -> (SchemaDef, EdmxExtras) {
    let mut types: Vec<EntityTypeDef> = stored
        .entity_types
        .iter()
        .map(|name| {
            let mut properties = vec![string("__id")
                .not_null()
                .default_value("UUID()")
                .with_format(FORMAT_USER_ID)];
            properties.extend(timestamps());
            properties.extend(
                stored
                    .properties
                    .iter()
                    .filter(|p| &p.owner == name)
                    .map(|p| property_def(p, &stored.complex_types)),
            );
            EntityTypeDef {
                name: name.clone(),
                keys: vec!["__id".to_owned()],
                properties,
                nav_props: Vec::new(),
                open: true,
            }
        })
        .collect();
    let complex_types = stored
        .complex_types
        .iter()
        .map(|name| ComplexTypeDef {
            name: name.clone(),
            properties: stored
                .complex_properties
                .iter()
                .filter(|p| &p.owner == name)
                .map(|p| property_def(p, &stored.complex_types))
                .collect(),
        })
        .collect();
    let mut associations = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for end in &stored.ends {
        let Some(partner_id) = end.partner.as_deref() else {
            continue;
        };
        if seen.contains(&(partner_id, end.id.as_str())) {
            continue;
        }
        let Some(partner) = stored.ends.iter().find(|e| e.id == partner_id) else {
            continue;
        };
        let known = |t: &str| types.iter().any(|et| et.name == t);
        if !known(&end.entity_type) || !known(&partner.entity_type) {
            continue;
        }
        associations.push(associate(
            &mut types,
            (&end.entity_type, &partner.entity_type),
            (
                format!("{}:{}", end.entity_type, end.name),
                format!("{}:{}", partner.entity_type, partner.name),
            ),
            (end.multiplicity, partner.multiplicity),
        ));
        seen.push((end.id.as_str(), partner_id));
    }
    let annotations = stored
        .properties
        .iter()
        .filter(|p| !p.declared)
        .map(|p| PropertyAnnotation {
            owner: p.owner.clone(),
            property: p.name.clone(),
            name: "IsDeclared".to_owned(),
            value: "false".to_owned(),
        })
        .collect();
    let entity_sets = entity_sets_of(&types);
    let schema = SchemaDef {
        namespace: USER_DATA.to_owned(),
        entity_types: types,
        complex_types,
        entity_sets,
    };
    let extras = EdmxExtras {
        associations,
        annotations,
    };
    (schema, extras)
}

/// `box.odata.schema.*` limits (§2.6).
#[derive(Clone, Debug)]
pub struct PropertyLimits {
    /// Properties per entity type, all levels together (`MaxProperties`).
    pub max_properties: usize,
    /// Simple properties per level; `None` on the first level = what `max_properties` leaves.
    pub simple: Vec<Option<usize>>,
    /// Complex-typed properties per level.
    pub complex: Vec<usize>,
}

impl Default for PropertyLimits {
    fn default() -> PropertyLimits {
        PropertyLimits {
            max_properties: 400,
            simple: vec![None, Some(50), Some(30), Some(10)],
            complex: vec![20, 5, 2, 0],
        }
    }
}

/// True when every entity type and complex type of `schema` stays within `limits`
/// (Personium's `PropertyLimitChecker.checkPropertyLimits`; names starting with `_` do not
/// count).
pub fn within_limits(schema: &SchemaDef, limits: &PropertyLimits) -> bool {
    let types_ok = schema.entity_types.iter().all(|t| {
        count_level(schema, limits, 0, &t.properties).is_some_and(|n| n <= limits.max_properties)
    });
    let simple_max = limits.simple.iter().flatten().copied().max().unwrap_or(0);
    let complex_max = limits.complex.iter().copied().max().unwrap_or(0);
    let complex_ok = schema.complex_types.iter().all(|ct| {
        let (simple, complex) = split_counts(&ct.properties);
        simple <= simple_max && complex <= complex_max
    });
    types_ok && complex_ok
}

fn split_counts(properties: &[PropertyDef]) -> (usize, usize) {
    let counted = properties.iter().filter(|p| !p.name.starts_with('_'));
    counted.fold((0, 0), |(s, c), p| match p.ty {
        PropertyType::Primitive(_) => (s + 1, c),
        PropertyType::Complex(_) => (s, c + 1),
    })
}

/// The properties of one level and below, or `None` when a level is over its limits.
fn count_level(
    schema: &SchemaDef,
    limits: &PropertyLimits,
    depth: usize,
    properties: &[PropertyDef],
) -> Option<usize> {
    let complex_limit = *limits.complex.get(depth)?;
    let (simple, complex) = split_counts(properties);
    let simple_limit = match limits.simple.get(depth)? {
        Some(n) => *n,
        None => limits.max_properties.saturating_sub(complex),
    };
    if simple > simple_limit || complex > complex_limit {
        return None;
    }
    let mut total = simple + complex;
    for p in properties {
        if let PropertyType::Complex(name) = &p.ty {
            if let Some(ct) = schema.complex_type(name) {
                total += count_level(schema, limits, depth + 1, &ct.properties)?;
            }
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests;
