//! The schema model shared by the control-object sets (`UnitCtl`, `CellCtl`) and, later, user
//! OData service collections (`UserData`): entity types, complex types, properties, navigation
//! properties and entity sets. `$metadata` (EDMX) is rendered from it and `$filter` is resolved
//! against it (`spec/personium-api.md` §2.4, §4.3, §8.1).

use crate::odata::edm::EdmType;

/// The type of a property: a primitive, or a ComplexType of the same schema by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyType {
    Primitive(EdmType),
    Complex(String),
}

/// One property of an entity type or complex type.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyDef {
    pub name: String,
    pub ty: PropertyType,
    pub nullable: bool,
    /// The default as written in the schema (`SYSUTCDATETIME()`, a literal, ...).
    pub default: Option<String>,
    /// `CollectionKind="List"`: the value is a list of `ty`.
    pub collection: bool,
    /// Personium's `p:Format` annotation (e.g. `regEx('...')`), shown in `$metadata` only.
    pub format: Option<String>,
}

impl PropertyDef {
    /// A nullable primitive property without default.
    pub fn new(name: &str, ty: EdmType) -> PropertyDef {
        PropertyDef {
            name: name.to_owned(),
            ty: PropertyType::Primitive(ty),
            nullable: true,
            default: None,
            collection: false,
            format: None,
        }
    }

    pub fn not_null(mut self) -> PropertyDef {
        self.nullable = false;
        self
    }

    pub fn default_value(mut self, default: &str) -> PropertyDef {
        self.default = Some(default.to_owned());
        self
    }

    pub fn with_format(mut self, format: &str) -> PropertyDef {
        self.format = Some(format.to_owned());
        self
    }

    /// A property holding a complex type (or a list of them with `collection`).
    pub fn complex(name: &str, type_name: &str, collection: bool) -> PropertyDef {
        PropertyDef {
            name: name.to_owned(),
            ty: PropertyType::Complex(type_name.to_owned()),
            nullable: true,
            default: None,
            collection,
            format: None,
        }
    }

    /// The primitive type, if the property is primitive.
    pub fn edm_type(&self) -> Option<EdmType> {
        match self.ty {
            PropertyType::Primitive(t) => Some(t),
            PropertyType::Complex(_) => None,
        }
    }
}

/// Multiplicity of one end of an association (EDMX `Multiplicity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplicity {
    One,
    ZeroOrOne,
    Many,
}

impl Multiplicity {
    /// The EDMX spelling: `1`, `0..1`, `*`.
    pub fn as_edmx(self) -> &'static str {
        match self {
            Multiplicity::One => "1",
            Multiplicity::ZeroOrOne => "0..1",
            Multiplicity::Many => "*",
        }
    }
}

/// A navigation property: from this entity type to `target_type`.
#[derive(Clone, Debug, PartialEq)]
pub struct NavPropDef {
    /// The name as used in URLs, e.g. `_Role`.
    pub name: String,
    /// Target entity type name (unqualified), e.g. `Role`.
    pub target_type: String,
    /// Multiplicity of this end (the entity the property is on).
    pub from: Multiplicity,
    /// Multiplicity of the target end.
    pub to: Multiplicity,
}

impl NavPropDef {
    pub fn new(name: &str, target_type: &str, from: Multiplicity, to: Multiplicity) -> NavPropDef {
        NavPropDef {
            name: name.to_owned(),
            target_type: target_type.to_owned(),
            from,
            to,
        }
    }
}

/// An entity type.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityTypeDef {
    pub name: String,
    /// Key property names, in key order (e.g. `["Name", "_Box.Name"]`).
    pub keys: Vec<String>,
    pub properties: Vec<PropertyDef>,
    pub nav_props: Vec<NavPropDef>,
    /// `OpenType="true"` (user data types accept dynamic properties).
    pub open: bool,
}

impl EntityTypeDef {
    pub fn property(&self, name: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn nav_prop(&self, name: &str) -> Option<&NavPropDef> {
        self.nav_props.iter().find(|n| n.name == name)
    }
}

/// A complex type.
#[derive(Clone, Debug, PartialEq)]
pub struct ComplexTypeDef {
    pub name: String,
    pub properties: Vec<PropertyDef>,
}

/// A whole schema: one namespace, its types and the entity sets of its container.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDef {
    /// e.g. `UnitCtl`, `CellCtl`, `UserData`.
    pub namespace: String,
    pub entity_types: Vec<EntityTypeDef>,
    pub complex_types: Vec<ComplexTypeDef>,
    /// Entity sets: (set name, entity type name). Personium names each set after its type.
    pub entity_sets: Vec<(String, String)>,
}

impl SchemaDef {
    pub fn entity_type(&self, name: &str) -> Option<&EntityTypeDef> {
        self.entity_types.iter().find(|t| t.name == name)
    }

    pub fn complex_type(&self, name: &str) -> Option<&ComplexTypeDef> {
        self.complex_types.iter().find(|t| t.name == name)
    }

    /// The entity type behind an entity set name.
    pub fn entity_set(&self, set: &str) -> Option<&EntityTypeDef> {
        self.entity_sets
            .iter()
            .find(|(s, _)| s == set)
            .and_then(|(_, t)| self.entity_type(t))
    }

    /// `{namespace}.{type}`.
    pub fn qualified(&self, type_name: &str) -> String {
        format!("{}.{}", self.namespace, type_name)
    }
}
