//! The five entity sets of a collection's schema (`spec/personium-api.md` §8.1): tables, keys,
//! writable properties with defaults and name formats, and navigation properties, as
//! [`SetDef`]s so the `__ctl` machinery (validation, keys, list SQL) serves them too.

use crate::auth::privilege::Privilege;
use crate::db::ctl::{ColumnDef, Parent, ParentDef, TableDef};
use crate::domain::ctl::sets::{Check, Default, NavDef, NavKind, PropRule, SetDef};
use crate::model::NameKind;
use crate::odata::edm::EdmType::{self, Boolean, String as Str};

pub const ENTITY_TYPE: &str = "EntityType";
pub const ASSOCIATION_END: &str = "AssociationEnd";
pub const PROPERTY: &str = "Property";
pub const COMPLEX_TYPE: &str = "ComplexType";
pub const COMPLEX_TYPE_PROPERTY: &str = "ComplexTypeProperty";

const fn col(property: &'static str, column: &'static str, ty: EdmType) -> ColumnDef {
    ColumnDef {
        property,
        column,
        ty,
    }
}

const fn rule(name: &'static str, ty: EdmType, required: bool, default: Default) -> PropRule {
    PropRule {
        name,
        ty,
        required,
        default,
        check: Check::None,
    }
}

const NAME: PropRule = PropRule {
    name: "Name",
    ty: Str,
    required: true,
    default: Default::None,
    check: Check::Name(NameKind::Object),
};

const fn nav(name: &'static str, target: &'static str, kind: NavKind) -> NavDef {
    NavDef { name, target, kind }
}

static ENTITY_TYPES: TableDef = TableDef {
    table: "odata_entity_types",
    owner: "node_id",
    columns: &[col("Name", "name", Str)],
    parent: Parent::None,
};

static COMPLEX_TYPES: TableDef = TableDef {
    table: "odata_complex_types",
    owner: "node_id",
    columns: &[col("Name", "name", Str)],
    parent: Parent::None,
};

static OF_ENTITY_TYPE: ParentDef = ParentDef {
    column: "entity_type_id",
    table: "odata_entity_types",
    field: &["_EntityType.Name"],
    derived: &[("_EntityType.Name", "p.name")],
};

static OF_COMPLEX_TYPE: ParentDef = ParentDef {
    column: "complex_type_id",
    table: "odata_complex_types",
    field: &["_ComplexType.Name"],
    derived: &[("_ComplexType.Name", "p.name")],
};

static ASSOCIATION_ENDS: TableDef = TableDef {
    table: "odata_association_ends",
    owner: "node_id",
    columns: &[
        col("Name", "name", Str),
        col("Multiplicity", "multiplicity", Str),
    ],
    parent: Parent::Named(&OF_ENTITY_TYPE),
};

static PROPERTIES: TableDef = TableDef {
    table: "odata_properties",
    owner: "node_id",
    columns: &[
        col("Name", "name", Str),
        col("Type", "prop_type", Str),
        col("Nullable", "nullable", Boolean),
        col("DefaultValue", "default_value", Str),
        col("CollectionKind", "collection_kind", Str),
        col("IsKey", "is_key", Boolean),
        col("UniqueKey", "unique_key", Str),
        col("IsDeclared", "is_declared", Boolean),
    ],
    parent: Parent::Named(&OF_ENTITY_TYPE),
};

static COMPLEX_TYPE_PROPERTIES: TableDef = TableDef {
    table: "odata_complex_type_properties",
    owner: "node_id",
    columns: &[
        col("Name", "name", Str),
        col("Type", "prop_type", Str),
        col("Nullable", "nullable", Boolean),
        col("DefaultValue", "default_value", Str),
        col("CollectionKind", "collection_kind", Str),
    ],
    parent: Parent::Named(&OF_COMPLEX_TYPE),
};

use NavKind::{Children, Parent as ToParent};

/// The sets, in Personium's type order (`CtlSchema.SCHEMA_TYPELIST`).
pub static SETS: [SetDef; 5] = [
    SetDef {
        name: ENTITY_TYPE,
        table: &ENTITY_TYPES,
        key: &["Name"],
        read_privilege: Privilege::Read,
        write_privilege: Privilege::AlterSchema,
        props: &[NAME],
        navs: &[
            nav(
                "_AssociationEnd",
                ASSOCIATION_END,
                Children("entity_type_id"),
            ),
            nav("_Property", PROPERTY, Children("entity_type_id")),
        ],
        writable: true,
    },
    SetDef {
        name: ASSOCIATION_END,
        table: &ASSOCIATION_ENDS,
        key: &["Name", "_EntityType.Name"],
        read_privilege: Privilege::Read,
        write_privilege: Privilege::AlterSchema,
        props: &[NAME, rule("Multiplicity", Str, true, Default::None)],
        navs: &[
            nav("_EntityType", ENTITY_TYPE, ToParent),
            // The paired end: the row whose `partner_id` is this one.
            nav("_AssociationEnd", ASSOCIATION_END, Children("partner_id")),
        ],
        writable: true,
    },
    SetDef {
        name: PROPERTY,
        table: &PROPERTIES,
        key: &["Name", "_EntityType.Name"],
        read_privilege: Privilege::Read,
        write_privilege: Privilege::AlterSchema,
        props: &[
            NAME,
            rule("Type", Str, true, Default::None),
            rule("Nullable", Boolean, true, Default::Bool(true)),
            rule("DefaultValue", Str, false, Default::None),
            rule("CollectionKind", Str, false, Default::Str("None")),
            rule("IsKey", Boolean, true, Default::Bool(false)),
            PropRule {
                name: "UniqueKey",
                ty: Str,
                required: false,
                default: Default::None,
                check: Check::Name(NameKind::Object),
            },
            rule("IsDeclared", Boolean, false, Default::Bool(true)),
        ],
        navs: &[nav("_EntityType", ENTITY_TYPE, ToParent)],
        writable: true,
    },
    SetDef {
        name: COMPLEX_TYPE,
        table: &COMPLEX_TYPES,
        key: &["Name"],
        read_privilege: Privilege::Read,
        write_privilege: Privilege::AlterSchema,
        props: &[NAME],
        navs: &[nav(
            "_ComplexTypeProperty",
            COMPLEX_TYPE_PROPERTY,
            Children("complex_type_id"),
        )],
        writable: true,
    },
    SetDef {
        name: COMPLEX_TYPE_PROPERTY,
        table: &COMPLEX_TYPE_PROPERTIES,
        key: &["Name", "_ComplexType.Name"],
        read_privilege: Privilege::Read,
        write_privilege: Privilege::AlterSchema,
        props: &[
            NAME,
            rule("Type", Str, true, Default::None),
            rule("Nullable", Boolean, true, Default::Bool(true)),
            rule("DefaultValue", Str, false, Default::None),
            rule("CollectionKind", Str, false, Default::Str("None")),
        ],
        navs: &[nav("_ComplexType", COMPLEX_TYPE, ToParent)],
        writable: true,
    },
];

/// The set of that name.
pub fn set(name: &str) -> Option<&'static SetDef> {
    SETS.iter().find(|s| s.name == name)
}

/// The set a named parent field points into (`_EntityType.Name` -> EntityType).
pub fn parent_set(set: &SetDef) -> Option<&'static SetDef> {
    match set.table.parent {
        Parent::Named(p) if p.table == ENTITY_TYPES.table => self::set(ENTITY_TYPE),
        Parent::Named(p) if p.table == COMPLEX_TYPES.table => self::set(COMPLEX_TYPE),
        _ => None,
    }
}

/// Output order of a row's properties: Personium lists the parent key right after `Name` on
/// Property and ComplexTypeProperty, last on AssociationEnd.
pub fn parent_after_name(set: &SetDef) -> bool {
    matches!(set.name, PROPERTY | COMPLEX_TYPE_PROPERTY)
}
