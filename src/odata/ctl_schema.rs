//! The control-object schemas: `UnitCtl` (Cell) and `CellCtl` (Account, Role, Box, Relation,
//! ExtCell, ExtRole, Rule, ReceivedMessage, SentMessage and the message complex types), as
//! Personium declares them (`spec/personium-api.md` §4.1, §4.3, §4.4; personium-core
//! `model/ctl/*.java`, `model/Cell.java`, `model/Box.java`).
//!
//! Property names, types, nullability, defaults and `p:Format` values are Personium's; the
//! navigation properties come from Personium's association table (`CtlSchema.java`) in its
//! order, so `$metadata` lists them exactly as Personium does. Built once ([`OnceLock`]).

use std::sync::OnceLock;

use crate::odata::edm::EdmType;
use crate::odata::metadata::{Association, AssociationEnd, EdmxExtras, PropertyAnnotation};
use crate::odata::schema::{
    ComplexTypeDef, EntityTypeDef, Multiplicity, NavPropDef, PropertyDef, SchemaDef,
};

/// `UnitCtl` namespace.
pub const UNIT_CTL: &str = "UnitCtl";
/// `CellCtl` namespace.
pub const CELL_CTL: &str = "CellCtl";

/// `Box`, `Role`, `_Box.Name`… names.
pub const FORMAT_NAME: &str = "regEx('^[a-zA-Z0-9][a-zA-Z0-9-_]{0,127}$')";
/// `Account.Name`.
pub const FORMAT_NAME_WITH_SIGN: &str = "regEx('^[a-zA-Z0-9][a-zA-Z0-9-_!$*=^`{|}~.@]{0,127}$')";
/// `Cell.Name`.
pub const FORMAT_CELL_NAME: &str = "regEx('^[a-z0-9][a-z0-9-]{0,127}$')";
/// `Relation.Name`, `_Relation.Name`, `SentMessage.ToRelation`.
pub const FORMAT_RELATION_NAME: &str = r"regEx('^[a-zA-Z0-9-\+][a-zA-Z0-9-_\+:]{0,127}$')";
/// `Rule.Name`.
pub const FORMAT_ID: &str = "regEx('^[a-zA-Z0-9][a-zA-Z0-9-_:]{0,199}$')";
/// An absolute URI (`ExtRole.ExtRole`, `Rule.EventSubject`).
pub const FORMAT_URI: &str = "uri";
/// A normalized cell URL (`ExtCell.Url`, `ReceivedMessage.From`).
pub const FORMAT_CELL_URL: &str = "cell-url";
/// `Box.Schema`: cell URL or URN.
pub const FORMAT_SCHEMA_URI: &str = "schema-uri";
/// `Account.Type`: space-separated set of tokens.
pub const FORMAT_ACCOUNT_TYPE: &str = "unordered-set-of-unique-space-separated-tokens";
/// `Account.IPAddressRange`: CSV of IPv4 addresses / CIDR ranges.
pub const FORMAT_IP_ADDRESS_RANGE: &str = "ip-address-range";
/// `Account.Status`.
pub const FORMAT_ACCOUNT_STATUS: &str = "regEx('^(active|deactivated|passwordChangeRequired)$')";
/// `Rule.EventType` (COMPAT(personium): not anchored).
pub const FORMAT_EVENT_TYPE: &str = r"regEx('[a-zA-Z0-9-_\+:.]{0,127}')";
/// `Rule.EventObject`.
pub const FORMAT_RULE_OBJECT: &str = "rule-object";
/// `Rule.Action` (COMPAT(personium): the anchors bind only to the first and last branch).
pub const FORMAT_RULE_ACTION: &str = r"regEx('^(exec)|(relay)|(relay\.data)|(relay\.event)|(log)|(log\.info)|(log\.warn)|(log\.error)$')";
/// `Rule.TargetUrl`.
pub const FORMAT_RULE_TARGET_URL: &str = "rule-targeturl";
/// Message `__id` (received) and `InReplyTo`.
pub const FORMAT_MESSAGE_ID: &str = "regEx('^.{32}$')";
/// Message `Type`.
pub const FORMAT_MESSAGE_TYPE: &str = "regEx('^(message)|(request)$')";
/// Message `Title`.
pub const FORMAT_MESSAGE_TITLE: &str = "regEx('^.{0,256}$')";
/// Message `Priority`.
pub const FORMAT_MESSAGE_PRIORITY: &str = "regEx('^[1-5]$')";
/// `Message_Request_Object.RequestType`.
pub const FORMAT_REQUEST_TYPE: &str = r"regEx('^(relation\.add)|(relation\.remove)|(role\.add)|(role\.remove)|(rule\.add)|(rule\.remove)$')";
/// `Message_Request_Object.Name`.
pub const FORMAT_REQUEST_NAME: &str = "request-name";
/// `Message_Request_Object.TargetUrl`.
pub const FORMAT_REQUEST_TARGET_URL: &str = "request-target-url";
/// `Message_Request_Object.ClassUrl`.
pub const FORMAT_REQUEST_CLASS_URL: &str = "request-class-url";

/// Default of generated string keys (`Rule.Name`, `SentMessage.__id`): a 32-hex UUID.
pub const DEFAULT_UUID: &str = "UUID()";
/// Default of the timestamps.
pub const DEFAULT_NOW: &str = "SYSUTCDATETIME()";

/// Complex type of `ReceivedMessage/SentMessage.RequestObjects`.
pub const REQUEST_OBJECT_TYPE: &str = "Message_Request_Object";
/// Complex type of `SentMessage.Result`.
pub const SENT_MESSAGE_RESULT_TYPE: &str = "Sent_Message_Result";

/// The `UnitCtl` schema (entity set `Cell`).
pub fn unit_ctl() -> &'static SchemaDef {
    static SCHEMA: OnceLock<SchemaDef> = OnceLock::new();
    SCHEMA.get_or_init(build_unit_ctl)
}

/// The `CellCtl` schema (nine entity sets, two complex types).
pub fn cell_ctl() -> &'static SchemaDef {
    &cell_ctl_parts().0
}

/// The control schema of a namespace (`UnitCtl`, `CellCtl`), if it is one.
pub fn for_namespace(namespace: &str) -> Option<&'static SchemaDef> {
    match namespace {
        UNIT_CTL => Some(unit_ctl()),
        CELL_CTL => Some(cell_ctl()),
        _ => None,
    }
}

/// Personium's association names/roles and extra annotations for a control namespace.
pub fn edmx_extras(namespace: &str) -> Option<&'static EdmxExtras> {
    static UNIT: OnceLock<EdmxExtras> = OnceLock::new();
    match namespace {
        UNIT_CTL => Some(UNIT.get_or_init(EdmxExtras::default)),
        CELL_CTL => Some(&cell_ctl_parts().1),
        _ => None,
    }
}

/// The order in which a `java.util.HashMap<String, _>` with default capacity iterates `keys`
/// inserted in the given order. Personium fills its EntityContainer from such a map, so this is
/// the order of `EntitySet`s in `$metadata` and of collections in the service document.
pub fn java_hash_map_order(keys: &[&str]) -> Vec<String> {
    let mut capacity: usize = 16;
    while keys.len() > capacity / 4 * 3 {
        capacity *= 2;
    }
    let mask = u32::try_from(capacity - 1).unwrap_or(u32::MAX);
    let mut indexed: Vec<(u32, usize, &str)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let h = java_string_hash(k);
            ((h ^ (h >> 16)) & mask, i, *k)
        })
        .collect();
    indexed.sort_by_key(|(bucket, i, _)| (*bucket, *i));
    indexed.into_iter().map(|(_, _, k)| k.to_owned()).collect()
}

/// One entity set per type, named after it, in Personium's container order
/// ([`java_hash_map_order`]).
pub(crate) fn entity_sets_of(types: &[EntityTypeDef]) -> Vec<(String, String)> {
    let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    java_hash_map_order(&names)
        .into_iter()
        .map(|n| (n.clone(), n))
        .collect()
}

/// Java's `String.hashCode` (over UTF-16 code units), as an unsigned value.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

pub(crate) fn string(name: &str) -> PropertyDef {
    PropertyDef::new(name, EdmType::String)
}

/// `__published`, `__updated`: every control type ends with them.
pub(crate) fn timestamps() -> [PropertyDef; 2] {
    [
        crate::odata::entity::PUBLISHED,
        crate::odata::entity::UPDATED,
    ]
    .map(|name| {
        PropertyDef::new(name, EdmType::DateTime)
            .not_null()
            .default_value(DEFAULT_NOW)
    })
}

pub(crate) fn entity_type(
    name: &str,
    keys: &[&str],
    properties: Vec<PropertyDef>,
) -> EntityTypeDef {
    let mut properties = properties;
    properties.extend(timestamps());
    EntityTypeDef {
        name: name.to_owned(),
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        properties,
        nav_props: Vec::new(),
        open: false,
    }
}

fn build_unit_ctl() -> SchemaDef {
    let cell = entity_type(
        "Cell",
        &["Name"],
        vec![string("Name").not_null().with_format(FORMAT_CELL_NAME)],
    );
    SchemaDef {
        namespace: UNIT_CTL.to_owned(),
        entity_types: vec![cell],
        complex_types: Vec::new(),
        entity_sets: vec![("Cell".to_owned(), "Cell".to_owned())],
    }
}

fn name() -> PropertyDef {
    string("Name").not_null().with_format(FORMAT_NAME)
}

fn box_name() -> PropertyDef {
    string("_Box.Name").with_format(FORMAT_NAME)
}

/// Properties shared by both message types after `__id`, `_Box.Name`: `InReplyTo`.
fn in_reply_to() -> PropertyDef {
    string("InReplyTo").with_format(FORMAT_MESSAGE_ID)
}

/// `Type`, `Title`, `Body`, `Priority`.
fn message_body() -> [PropertyDef; 4] {
    [
        string("Type")
            .default_value("message")
            .with_format(FORMAT_MESSAGE_TYPE),
        string("Title")
            .default_value("")
            .with_format(FORMAT_MESSAGE_TITLE),
        string("Body").default_value(""),
        PropertyDef::new("Priority", EdmType::Int32)
            .default_value("3")
            .with_format(FORMAT_MESSAGE_PRIORITY),
    ]
}

fn request_objects() -> PropertyDef {
    PropertyDef::complex("RequestObjects", REQUEST_OBJECT_TYPE, true)
}

/// The rule fields a `Message_Request_Object` shares with `Rule`.
fn rule_event_fields() -> [PropertyDef; 5] {
    [
        string("EventSubject").with_format(FORMAT_URI),
        string("EventType").with_format(FORMAT_EVENT_TYPE),
        string("EventObject").with_format(FORMAT_RULE_OBJECT),
        string("EventInfo"),
        string("Action").with_format(FORMAT_RULE_ACTION),
    ]
}

fn cell_ctl_types() -> Vec<EntityTypeDef> {
    let role = entity_type("Role", &["Name", "_Box.Name"], vec![name(), box_name()]);
    let bx = entity_type(
        "Box",
        &["Name"],
        vec![
            name(),
            string("Schema")
                .default_value("null")
                .with_format(FORMAT_SCHEMA_URI),
        ],
    );
    let account = entity_type(
        "Account",
        &["Name"],
        vec![
            string("Name").not_null().with_format(FORMAT_NAME_WITH_SIGN),
            // COMPAT(personium): Nullable is left at odata4j's default (false).
            string("Type")
                .not_null()
                .default_value("basic")
                .with_format(FORMAT_ACCOUNT_TYPE),
            string("Cell").default_value("null"),
            string("IPAddressRange")
                .default_value("null")
                .with_format(FORMAT_IP_ADDRESS_RANGE),
            string("Status")
                .default_value("active")
                .with_format(FORMAT_ACCOUNT_STATUS),
        ],
    );
    let ext_cell = entity_type(
        "ExtCell",
        &["Url"],
        vec![string("Url").not_null().with_format(FORMAT_CELL_URL)],
    );
    let ext_role = entity_type(
        "ExtRole",
        &["ExtRole", "_Relation.Name", "_Relation._Box.Name"],
        vec![
            string("ExtRole").not_null().with_format(FORMAT_URI),
            string("_Relation.Name")
                .not_null()
                .with_format(FORMAT_RELATION_NAME),
            string("_Relation._Box.Name").with_format(FORMAT_NAME),
        ],
    );
    let relation = entity_type(
        "Relation",
        &["Name", "_Box.Name"],
        vec![
            string("Name").not_null().with_format(FORMAT_RELATION_NAME),
            box_name(),
        ],
    );
    let mut received = vec![
        string("__id").not_null().with_format(FORMAT_MESSAGE_ID),
        box_name(),
        in_reply_to(),
        string("From").not_null().with_format(FORMAT_CELL_URL),
        string("MulticastTo"),
    ];
    received.extend(message_body());
    received.push(string("Status").not_null());
    received.push(request_objects());
    let received = entity_type("ReceivedMessage", &["__id"], received);
    let mut sent = vec![
        // COMPAT(personium): SentMessage reuses the generic `__id` (no format, UUID default).
        string("__id").not_null().default_value(DEFAULT_UUID),
        box_name(),
        in_reply_to(),
        string("To"),
        string("ToRelation").with_format(FORMAT_RELATION_NAME),
    ];
    sent.extend(message_body());
    sent.push(request_objects());
    sent.push(PropertyDef::complex(
        "Result",
        SENT_MESSAGE_RESULT_TYPE,
        true,
    ));
    let sent = entity_type("SentMessage", &["__id"], sent);
    let mut rule = vec![
        string("Name")
            .default_value(DEFAULT_UUID)
            .with_format(FORMAT_ID),
        box_name(),
        PropertyDef::new("EventExternal", EdmType::Boolean).default_value("false"),
    ];
    rule.extend(rule_event_fields());
    rule.push(string("TargetUrl").with_format(FORMAT_RULE_TARGET_URL));
    let rule = entity_type("Rule", &["Name", "_Box.Name"], rule);
    // Personium's type order (`CtlSchema.getEdmDataServicesForCellCtl`).
    vec![
        role, bx, account, ext_cell, ext_role, relation, received, sent, rule,
    ]
}

fn cell_ctl_complex_types() -> Vec<ComplexTypeDef> {
    let result = ComplexTypeDef {
        name: SENT_MESSAGE_RESULT_TYPE.to_owned(),
        properties: vec![
            string("To").with_format(FORMAT_CELL_URL),
            string("Code"),
            string("Reason"),
        ],
    };
    let mut request = vec![
        string("RequestType")
            .not_null()
            .with_format(FORMAT_REQUEST_TYPE),
        string("Name").with_format(FORMAT_REQUEST_NAME),
        string("TargetUrl").with_format(FORMAT_REQUEST_TARGET_URL),
        string("ClassUrl").with_format(FORMAT_REQUEST_CLASS_URL),
    ];
    request.extend(rule_event_fields());
    let request = ComplexTypeDef {
        name: REQUEST_OBJECT_TYPE.to_owned(),
        properties: request,
    };
    vec![result, request]
}

/// Personium's CellCtl associations, in its order: (type1, type2, multiplicity1,
/// multiplicity2, navigation property on type1, on type2). Navigation properties default to
/// `_{other type}`.
const CELL_CTL_ASSOCIATIONS: [(&str, &str, Multiplicity, Multiplicity, &str, &str); 12] = {
    use Multiplicity::{Many, One, ZeroOrOne};
    [
        ("Box", "Role", ZeroOrOne, Many, "", ""),
        ("Box", "Relation", ZeroOrOne, Many, "", ""),
        ("Account", "Role", Many, Many, "", ""),
        ("ExtCell", "Role", Many, Many, "", ""),
        ("ExtCell", "Relation", Many, Many, "", ""),
        ("ExtRole", "Role", Many, Many, "", ""),
        ("ExtRole", "Relation", Many, One, "", ""),
        ("Relation", "Role", Many, Many, "", ""),
        ("Box", "ReceivedMessage", ZeroOrOne, Many, "", ""),
        ("Box", "SentMessage", ZeroOrOne, Many, "", ""),
        (
            "Account",
            "ReceivedMessage",
            Many,
            Many,
            "_ReceivedMessageRead",
            "_AccountRead",
        ),
        ("Box", "Rule", ZeroOrOne, Many, "", ""),
    ]
};

fn cell_ctl_parts() -> &'static (SchemaDef, EdmxExtras) {
    static PARTS: OnceLock<(SchemaDef, EdmxExtras)> = OnceLock::new();
    PARTS.get_or_init(build_cell_ctl)
}

fn build_cell_ctl() -> (SchemaDef, EdmxExtras) {
    let mut types = cell_ctl_types();
    let mut associations = Vec::new();
    for (t1, t2, m1, m2, nav1, nav2) in CELL_CTL_ASSOCIATIONS {
        let nav1 = if nav1.is_empty() {
            format!("_{t2}")
        } else {
            nav1.to_owned()
        };
        let nav2 = if nav2.is_empty() {
            format!("_{t1}")
        } else {
            nav2.to_owned()
        };
        for (on, target, from, to, nav) in [(t1, t2, m1, m2, &nav1), (t2, t1, m2, m1, &nav2)] {
            if let Some(t) = types.iter_mut().find(|t| t.name == on) {
                t.nav_props.push(NavPropDef::new(nav, target, from, to));
            }
        }
        associations.push(Association {
            name: format!("{t1}-{t2}-assoc"),
            end1: AssociationEnd {
                role: format!("{t1}-{t2}"),
                type_name: t1.to_owned(),
                multiplicity: m1,
                nav_name: nav1,
            },
            end2: AssociationEnd {
                role: format!("{t2}-{t1}"),
                type_name: t2.to_owned(),
                multiplicity: m2,
                nav_name: nav2,
            },
        });
    }
    let entity_sets = entity_sets_of(&types);
    let schema = SchemaDef {
        namespace: CELL_CTL.to_owned(),
        entity_types: types,
        complex_types: cell_ctl_complex_types(),
        entity_sets,
    };
    let extras = EdmxExtras {
        associations,
        annotations: vec![PropertyAnnotation {
            owner: "Box".to_owned(),
            property: "Schema".to_owned(),
            name: "Unique".to_owned(),
            value: "uk_box_schema".to_owned(),
        }],
    };
    (schema, extras)
}

#[cfg(test)]
mod tests;
