//! `$metadata`: the EDMX (CSDL v1.0 inside EDMX 1.0) document of a schema, written the way
//! odata4j 0.6's `EdmxFormatWriter` writes Personium's schemas (`spec/personium-api.md` §2.4,
//! §4.3, §8.1), with Personium's `p:` annotations (`xmlns:p="urn:x-personium:xmlns"`).
//!
//! Order: ComplexTypes, EntityTypes (Key, Properties, NavigationProperties), Associations,
//! EntityContainer (EntitySets in `SchemaDef::entity_sets` order, then AssociationSets).
//! Property attributes: `Name Type Nullable [CollectionKind] [DefaultValue] [Precision]` then
//! annotations. COMPAT(personium): `m:DataServiceVersion="1.0"` in the document, although the
//! HTTP header says 2.0; empty elements are `<x></x>`.

use crate::odata::atom::XmlWriter;
use crate::odata::ctl_schema;
use crate::odata::edm::EdmType;
use crate::odata::schema::{Multiplicity, PropertyDef, PropertyType, SchemaDef};

const NS_EDMX: &str = "http://schemas.microsoft.com/ado/2007/06/edmx";
const NS_EDM: &str = "http://schemas.microsoft.com/ado/2006/04/edm";
/// Personium's annotation namespace (`p:`).
pub const NS_PERSONIUM: &str = "urn:x-personium:xmlns";

/// One end of an association.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssociationEnd {
    /// The role name, e.g. `Box-Role`.
    pub role: String,
    /// Unqualified entity type of this end.
    pub type_name: String,
    pub multiplicity: Multiplicity,
    /// The navigation property on this end's type that leads to the other end (empty when the
    /// type has none, e.g. the second end of a self-association).
    pub nav_name: String,
}

/// An association between two entity types (`{Type1}-{Type2}-assoc` in Personium).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Association {
    pub name: String,
    pub end1: AssociationEnd,
    pub end2: AssociationEnd,
}

/// A Personium annotation on one property, e.g. `p:Unique="uk_box_schema"` on `Box.Schema` or
/// `p:IsDeclared="false"` on a dynamic user-data property. Written before `p:Format`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyAnnotation {
    /// Unqualified entity type (or complex type) name.
    pub owner: String,
    pub property: String,
    /// Local name in the `p:` namespace, e.g. `Unique`, `IsDeclared`.
    pub name: String,
    pub value: String,
}

/// What EDMX needs beyond [`SchemaDef`]: association names and roles, extra annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdmxExtras {
    pub associations: Vec<Association>,
    pub annotations: Vec<PropertyAnnotation>,
}

/// The EDMX document of `schema`. For `UnitCtl` / `CellCtl` the association names, roles and
/// annotations are Personium's own; for other schemas they are derived
/// ([`derive_associations`]).
pub fn edmx(schema: &SchemaDef) -> String {
    match ctl_schema::edmx_extras(&schema.namespace) {
        Some(extras) => edmx_with(schema, extras),
        None => edmx_with(
            schema,
            &EdmxExtras {
                associations: derive_associations(schema),
                annotations: Vec::new(),
            },
        ),
    }
}

/// The EDMX document of `schema` with explicit associations and annotations.
pub fn edmx_with(schema: &SchemaDef, extras: &EdmxExtras) -> String {
    let ns = schema.namespace.as_str();
    let mut x = XmlWriter::new();
    x.start("edmx:Edmx");
    x.attr("Version", "1.0");
    x.attr("xmlns:edmx", NS_EDMX);
    x.attr("xmlns:d", crate::odata::atom::NS_D);
    x.attr("xmlns:m", crate::odata::atom::NS_M);
    x.attr("xmlns:p", NS_PERSONIUM);
    x.start("edmx:DataServices");
    x.attr("m:DataServiceVersion", "1.0");
    x.start("Schema");
    x.attr("xmlns", NS_EDM);
    x.attr("Namespace", ns);

    for ct in &schema.complex_types {
        x.start("ComplexType");
        x.attr("Name", &ct.name);
        write_properties(&mut x, schema, &ct.name, &ct.properties, extras);
        x.end();
    }

    for et in &schema.entity_types {
        x.start("EntityType");
        x.attr("Name", &et.name);
        if et.open {
            x.attr("OpenType", "true");
        }
        x.start("Key");
        for key in &et.keys {
            x.leaf("PropertyRef", None, &[("Name", key)]);
        }
        x.end();
        write_properties(&mut x, schema, &et.name, &et.properties, extras);
        for np in &et.nav_props {
            x.start("NavigationProperty");
            x.attr("Name", &np.name);
            if let Some((assoc, from, to)) = find_association(extras, &et.name, &np.name) {
                x.attr("Relationship", &format!("{ns}.{}", assoc.name));
                x.attr("FromRole", &from.role);
                x.attr("ToRole", &to.role);
            }
            x.end();
        }
        x.end();
    }

    for assoc in &extras.associations {
        x.start("Association");
        x.attr("Name", &assoc.name);
        for end in [&assoc.end1, &assoc.end2] {
            x.leaf(
                "End",
                None,
                &[
                    ("Role", &end.role),
                    ("Type", &schema.qualified(&end.type_name)),
                    ("Multiplicity", end.multiplicity.as_edmx()),
                ],
            );
        }
        x.end();
    }

    x.start("EntityContainer");
    x.attr("Name", ns);
    x.attr("m:IsDefaultEntityContainer", "true");
    for (set, ty) in &schema.entity_sets {
        x.leaf(
            "EntitySet",
            None,
            &[("Name", set), ("EntityType", &schema.qualified(ty))],
        );
    }
    for assoc in &extras.associations {
        x.start("AssociationSet");
        x.attr("Name", &assoc.name);
        x.attr("Association", &format!("{ns}.{}", assoc.name));
        for end in [&assoc.end1, &assoc.end2] {
            let set = entity_set_of(schema, &end.type_name);
            x.leaf("End", None, &[("Role", &end.role), ("EntitySet", set)]);
        }
        x.end();
    }
    x.end();
    x.finish()
}

/// Associations derived from navigation properties, one per pair of types, in order of first
/// appearance: `{A}-{B}-assoc` with roles `{A}-{B}` / `{B}-{A}`, where `A` is the type whose
/// navigation property comes first. Multiplicities come from that navigation property.
pub fn derive_associations(schema: &SchemaDef) -> Vec<Association> {
    let mut out: Vec<Association> = Vec::new();
    for et in &schema.entity_types {
        for np in &et.nav_props {
            if find_association_in(&out, &et.name, &np.name).is_some() {
                continue;
            }
            let reverse = if np.target_type == et.name {
                None
            } else {
                schema
                    .entity_type(&np.target_type)
                    .and_then(|t| t.nav_props.iter().find(|r| r.target_type == et.name))
            };
            let a = &et.name;
            let b = &np.target_type;
            out.push(Association {
                name: format!("{a}-{b}-assoc"),
                end1: AssociationEnd {
                    role: format!("{a}-{b}"),
                    type_name: a.clone(),
                    multiplicity: np.from,
                    nav_name: np.name.clone(),
                },
                end2: AssociationEnd {
                    role: format!("{b}-{a}"),
                    type_name: b.clone(),
                    multiplicity: np.to,
                    nav_name: reverse.map(|r| r.name.clone()).unwrap_or_default(),
                },
            });
        }
    }
    out
}

fn find_association<'a>(
    extras: &'a EdmxExtras,
    type_name: &str,
    nav: &str,
) -> Option<(&'a Association, &'a AssociationEnd, &'a AssociationEnd)> {
    find_association_in(&extras.associations, type_name, nav)
}

fn find_association_in<'a>(
    associations: &'a [Association],
    type_name: &str,
    nav: &str,
) -> Option<(&'a Association, &'a AssociationEnd, &'a AssociationEnd)> {
    associations.iter().find_map(|a| {
        if a.end1.type_name == type_name && a.end1.nav_name == nav {
            Some((a, &a.end1, &a.end2))
        } else if a.end2.type_name == type_name && a.end2.nav_name == nav {
            Some((a, &a.end2, &a.end1))
        } else {
            None
        }
    })
}

fn entity_set_of<'a>(schema: &'a SchemaDef, type_name: &'a str) -> &'a str {
    schema
        .entity_sets
        .iter()
        .find(|(_, t)| t == type_name)
        .map_or(type_name, |(set, _)| set.as_str())
}

fn write_properties(
    x: &mut XmlWriter,
    schema: &SchemaDef,
    owner: &str,
    properties: &[PropertyDef],
    extras: &EdmxExtras,
) {
    for p in properties {
        x.start("Property");
        x.attr("Name", &p.name);
        let ty = match &p.ty {
            PropertyType::Primitive(t) => t.name().to_owned(),
            PropertyType::Complex(c) => schema.qualified(c),
        };
        x.attr("Type", &ty);
        x.attr("Nullable", if p.nullable { "true" } else { "false" });
        if p.collection {
            x.attr("CollectionKind", "List");
        }
        if let Some(default) = &p.default {
            x.attr("DefaultValue", default);
        }
        if is_timestamp(p) {
            // Personium declares `__published` / `__updated` with millisecond precision.
            x.attr("Precision", "3");
        }
        for a in extras
            .annotations
            .iter()
            .filter(|a| a.owner == owner && a.property == p.name)
        {
            x.attr(&format!("p:{}", a.name), &a.value);
        }
        if let Some(format) = &p.format {
            x.attr("p:Format", format);
        }
        x.end();
    }
}

fn is_timestamp(p: &PropertyDef) -> bool {
    p.ty == PropertyType::Primitive(EdmType::DateTime)
        && (p.name == crate::odata::entity::PUBLISHED || p.name == crate::odata::entity::UPDATED)
}

#[cfg(test)]
mod tests;
