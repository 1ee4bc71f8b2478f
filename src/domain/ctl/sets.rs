//! The nine cell control-object sets (`spec/personium-api.md` §4.3): their tables, keys,
//! privileges, writable properties with defaults and formats, and navigation properties.

use crate::auth::privilege::Privilege;
use crate::db::ctl::{ColumnDef, Parent, TableDef};
use crate::model::NameKind;
use crate::odata::edm::EdmType::{self, Boolean, Int32, String as Str};

/// How a property's value is checked beyond its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    None,
    Name(NameKind),
    CellUrl,
    SchemaUri,
    AccountType,
    AccountStatus,
    IpRanges,
    RuleAction,
    /// A role class or instance URL of another cell.
    RoleUrl,
    /// Free text up to a length.
    MaxLen(usize),
}

/// A default applied when a create body omits the property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    None,
    Str(&'static str),
    Bool(bool),
    /// A random UUID in 32 hex digits (Rule.Name).
    UuidHex,
}

/// A property a request body may carry.
#[derive(Debug)]
pub struct PropRule {
    pub name: &'static str,
    pub ty: EdmType,
    pub required: bool,
    pub default: Default,
    pub check: Check,
}

const fn prop(name: &'static str, ty: EdmType, check: Check) -> PropRule {
    PropRule {
        name,
        ty,
        required: false,
        default: Default::None,
        check,
    }
}

const fn required(name: &'static str, check: Check) -> PropRule {
    PropRule {
        name,
        ty: Str,
        required: true,
        default: Default::None,
        check,
    }
}

const fn defaulted(name: &'static str, ty: EdmType, default: Default, check: Check) -> PropRule {
    PropRule {
        name,
        ty,
        required: false,
        default,
        check,
    }
}

/// How a navigation property connects two sets.
#[derive(Clone, Copy, Debug)]
pub enum NavKind {
    /// N:N through a link table: (table, this set's column, the target's column).
    Many(&'static str, &'static str, &'static str),
    /// This row's parent (`box_id` / `relation_id`): 0..1 or 1 target.
    Parent,
    /// Rows of the target set whose `column` is this row's id (1:N).
    Children(&'static str),
}

#[derive(Debug)]
pub struct NavDef {
    pub name: &'static str,
    pub target: &'static str,
    pub kind: NavKind,
}

const fn nav(name: &'static str, target: &'static str, kind: NavKind) -> NavDef {
    NavDef { name, target, kind }
}

/// One entity set of `CellCtl`.
#[derive(Debug)]
pub struct SetDef {
    pub name: &'static str,
    pub table: &'static TableDef,
    /// Key properties in key order.
    pub key: &'static [&'static str],
    /// Cell privileges to read and to write the set.
    pub read_privilege: Privilege,
    pub write_privilege: Privilege,
    pub props: &'static [PropRule],
    pub navs: &'static [NavDef],
    /// False for messages: created only through `__message` (`PR405-MC-0001` here).
    pub writable: bool,
}

impl SetDef {
    pub fn nav(&self, name: &str) -> Option<&NavDef> {
        self.navs.iter().find(|n| n.name == name)
    }

    /// Body fields naming the parent: `_Box.Name`, or `_Relation.Name` + `_Relation._Box.Name`.
    pub fn parent_fields(&self) -> &'static [&'static str] {
        match self.table.parent {
            Parent::None => &[],
            Parent::Box => &["_Box.Name"],
            Parent::Relation => &["_Relation.Name", "_Relation._Box.Name"],
            Parent::Named(p) => p.field,
        }
    }
}

const fn col(property: &'static str, column: &'static str, ty: EdmType) -> ColumnDef {
    ColumnDef {
        property,
        column,
        ty,
    }
}

static ACCOUNTS: TableDef = TableDef {
    table: "accounts",
    owner: "cell_id",
    columns: &[
        col("Name", "name", Str),
        col("Type", "account_type", Str),
        col("IPAddressRange", "ip_address_range", Str),
        col("Status", "status", Str),
    ],
    parent: Parent::None,
};

static ROLES: TableDef = TableDef {
    table: "roles",
    owner: "cell_id",
    columns: &[col("Name", "name", Str)],
    parent: Parent::Box,
};

static BOXES: TableDef = TableDef {
    table: "boxes",
    owner: "cell_id",
    columns: &[col("Name", "name", Str), col("Schema", "schema_url", Str)],
    parent: Parent::None,
};

static RELATIONS: TableDef = TableDef {
    table: "relations",
    owner: "cell_id",
    columns: &[col("Name", "name", Str)],
    parent: Parent::Box,
};

static EXT_CELLS: TableDef = TableDef {
    table: "ext_cells",
    owner: "cell_id",
    columns: &[col("Url", "url", Str)],
    parent: Parent::None,
};

static EXT_ROLES: TableDef = TableDef {
    table: "ext_roles",
    owner: "cell_id",
    columns: &[col("ExtRole", "url", Str)],
    parent: Parent::Relation,
};

static RULES: TableDef = TableDef {
    table: "rules",
    owner: "cell_id",
    columns: &[
        col("Name", "name", Str),
        col("EventExternal", "event_external", Boolean),
        col("EventSubject", "event_subject", Str),
        col("EventType", "event_type", Str),
        col("EventObject", "event_object", Str),
        col("EventInfo", "event_info", Str),
        col("Action", "action", Str),
        col("TargetUrl", "target_url", Str),
    ],
    parent: Parent::Box,
};

static RECEIVED_MESSAGES: TableDef = TableDef {
    table: "received_messages",
    owner: "cell_id",
    columns: &[
        col("__id", "id", Str),
        col("InReplyTo", "in_reply_to", Str),
        col("From", "from_url", Str),
        col("MulticastTo", "multicast_to", Str),
        col("Type", "message_type", Str),
        col("Title", "title", Str),
        col("Body", "body", Str),
        col("Priority", "priority", Int32),
        col("Status", "status", Str),
        col("RequestObjects", "request_objects", Str),
    ],
    parent: Parent::Box,
};

static SENT_MESSAGES: TableDef = TableDef {
    table: "sent_messages",
    owner: "cell_id",
    columns: &[
        col("__id", "id", Str),
        col("InReplyTo", "in_reply_to", Str),
        col("To", "to_urls", Str),
        col("ToRelation", "to_relation", Str),
        col("Type", "message_type", Str),
        col("Title", "title", Str),
        col("Body", "body", Str),
        col("Priority", "priority", Int32),
        col("RequestObjects", "request_objects", Str),
        col("Result", "result", Str),
    ],
    parent: Parent::Box,
};

use NavKind::{Children, Many, Parent as ToParent};

/// Every set, in `$metadata` order.
pub static SETS: [SetDef; 9] = [
    SetDef {
        name: "Account",
        table: &ACCOUNTS,
        key: &["Name"],
        read_privilege: Privilege::AuthRead,
        write_privilege: Privilege::Auth,
        props: &[
            required("Name", Check::Name(NameKind::Account)),
            defaulted("Type", Str, Default::Str("basic"), Check::AccountType),
            prop("IPAddressRange", Str, Check::IpRanges),
            defaulted("Status", Str, Default::Str("active"), Check::AccountStatus),
        ],
        navs: &[
            nav(
                "_Role",
                "Role",
                Many("account_roles", "account_id", "role_id"),
            ),
            nav(
                "_ReceivedMessageRead",
                "ReceivedMessage",
                Many(
                    "account_received_messages",
                    "account_id",
                    "received_message_id",
                ),
            ),
        ],
        writable: true,
    },
    SetDef {
        name: "Role",
        table: &ROLES,
        key: &["Name", "_Box.Name"],
        read_privilege: Privilege::AuthRead,
        write_privilege: Privilege::Auth,
        props: &[required("Name", Check::Name(NameKind::Object))],
        navs: &[
            nav("_Box", "Box", ToParent),
            nav(
                "_Account",
                "Account",
                Many("account_roles", "role_id", "account_id"),
            ),
            nav(
                "_ExtCell",
                "ExtCell",
                Many("role_ext_cells", "role_id", "ext_cell_id"),
            ),
            nav(
                "_ExtRole",
                "ExtRole",
                Many("role_ext_roles", "role_id", "ext_role_id"),
            ),
            nav(
                "_Relation",
                "Relation",
                Many("role_relations", "role_id", "relation_id"),
            ),
        ],
        writable: true,
    },
    SetDef {
        name: "Box",
        table: &BOXES,
        key: &["Name"],
        read_privilege: Privilege::BoxRead,
        write_privilege: Privilege::Box,
        props: &[
            required("Name", Check::Name(NameKind::Object)),
            prop("Schema", Str, Check::SchemaUri),
        ],
        navs: &[
            nav("_Role", "Role", Children("box_id")),
            nav("_Relation", "Relation", Children("box_id")),
            nav("_ReceivedMessage", "ReceivedMessage", Children("box_id")),
            nav("_SentMessage", "SentMessage", Children("box_id")),
            nav("_Rule", "Rule", Children("box_id")),
        ],
        writable: true,
    },
    SetDef {
        name: "Relation",
        table: &RELATIONS,
        key: &["Name", "_Box.Name"],
        read_privilege: Privilege::SocialRead,
        write_privilege: Privilege::Social,
        props: &[required("Name", Check::Name(NameKind::Relation))],
        navs: &[
            nav("_Box", "Box", ToParent),
            nav(
                "_ExtCell",
                "ExtCell",
                Many("relation_ext_cells", "relation_id", "ext_cell_id"),
            ),
            nav(
                "_Role",
                "Role",
                Many("role_relations", "relation_id", "role_id"),
            ),
            nav("_ExtRole", "ExtRole", Children("relation_id")),
        ],
        writable: true,
    },
    SetDef {
        name: "ExtCell",
        table: &EXT_CELLS,
        key: &["Url"],
        // COMPAT(personium): the code uses `social` for ExtCell (the docs say `auth`).
        read_privilege: Privilege::SocialRead,
        write_privilege: Privilege::Social,
        props: &[required("Url", Check::CellUrl)],
        navs: &[
            nav(
                "_Role",
                "Role",
                Many("role_ext_cells", "ext_cell_id", "role_id"),
            ),
            nav(
                "_Relation",
                "Relation",
                Many("relation_ext_cells", "ext_cell_id", "relation_id"),
            ),
        ],
        writable: true,
    },
    SetDef {
        name: "ExtRole",
        table: &EXT_ROLES,
        key: &["ExtRole", "_Relation.Name", "_Relation._Box.Name"],
        read_privilege: Privilege::AuthRead,
        write_privilege: Privilege::Auth,
        props: &[required("ExtRole", Check::RoleUrl)],
        navs: &[
            nav(
                "_Role",
                "Role",
                Many("role_ext_roles", "ext_role_id", "role_id"),
            ),
            nav("_Relation", "Relation", ToParent),
        ],
        writable: true,
    },
    SetDef {
        name: "Rule",
        table: &RULES,
        key: &["Name", "_Box.Name"],
        read_privilege: Privilege::RuleRead,
        write_privilege: Privilege::Rule,
        props: &[
            defaulted("Name", Str, Default::UuidHex, Check::Name(NameKind::Rule)),
            defaulted("EventExternal", Boolean, Default::Bool(false), Check::None),
            prop("EventSubject", Str, Check::MaxLen(1024)),
            prop("EventType", Str, Check::MaxLen(400)),
            prop("EventObject", Str, Check::MaxLen(1024)),
            prop("EventInfo", Str, Check::MaxLen(1024)),
            required("Action", Check::RuleAction),
            prop("TargetUrl", Str, Check::MaxLen(1024)),
        ],
        navs: &[nav("_Box", "Box", ToParent)],
        writable: true,
    },
    SetDef {
        name: "ReceivedMessage",
        table: &RECEIVED_MESSAGES,
        key: &["__id"],
        read_privilege: Privilege::MessageRead,
        write_privilege: Privilege::Message,
        props: &[],
        navs: &[
            nav("_Box", "Box", ToParent),
            nav(
                "_AccountRead",
                "Account",
                Many(
                    "account_received_messages",
                    "received_message_id",
                    "account_id",
                ),
            ),
        ],
        writable: false,
    },
    SetDef {
        name: "SentMessage",
        table: &SENT_MESSAGES,
        key: &["__id"],
        read_privilege: Privilege::MessageRead,
        write_privilege: Privilege::Message,
        props: &[],
        navs: &[nav("_Box", "Box", ToParent)],
        writable: false,
    },
];

/// The set of that name.
pub fn set(name: &str) -> Option<&'static SetDef> {
    SETS.iter().find(|s| s.name == name)
}
