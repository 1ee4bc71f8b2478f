//! Keys of control objects in URLs (`spec/personium-api.md` §2.4): `('v')`, `(Name='r')`,
//! compound `(Name='r',_Box.Name='b')` with `null` or omitted parts, and the entity URLs and
//! `CellCtl` entities rendered from rows.

use super::sets::{NavKind, SetDef};
use crate::db::ctl::CtlRow;
use crate::error::{codes, Error, Result};
use crate::odata::edm::Value;
use crate::odata::entity::{Entity, NavLink};
use crate::odata::uri::{self, Key, ResourcePath};

/// A resolved key: each key property with its value (`None` = null).
pub type KeyValues = Vec<(&'static str, Option<String>)>;

/// Resolves a URL key against a set's key properties. A single unnamed value is the first key
/// property; omitted parts are null (`PR400-OD-0004` on unknown names, `PR400-OD-0016` when the
/// first part is null).
pub fn resolve(set: &SetDef, key: &Key) -> Result<KeyValues> {
    let mut out: KeyValues = set.key.iter().map(|k| (*k, None)).collect();
    match key.0.as_slice() {
        [part] if part.name.is_none() => out[0].1 = part.value.clone(),
        parts => {
            for part in parts {
                let name = part
                    .name
                    .as_deref()
                    .ok_or_else(|| Error::new(&codes::PR400_OD_0004))?;
                let slot = out
                    .iter_mut()
                    .find(|(k, _)| *k == name)
                    .ok_or_else(|| Error::new(&codes::PR400_OD_0004))?;
                slot.1 = part.value.clone();
            }
        }
    }
    if out[0].1.is_none() {
        return Err(Error::new(&codes::PR400_OD_0016));
    }
    Ok(out)
}

/// The key values of a row.
pub fn of_row(set: &SetDef, row: &CtlRow) -> KeyValues {
    set.key
        .iter()
        .map(|k| (*k, row.get(k).as_str().map(str::to_owned)))
        .collect()
}

/// `{cell}__ctl/{Set}{key}`: single keys as `('v')`, compound keys with every part named.
pub fn entity_url(cell_url: &str, set: &SetDef, key: &KeyValues) -> String {
    entity_url_at(&ctl_root(cell_url), set, key)
}

/// `{service root}{Set}{key}`, the root ending in `/`.
pub fn entity_url_at(root: &str, set: &SetDef, key: &KeyValues) -> String {
    let parts: Vec<(&str, Option<&str>)> = key.iter().map(|(k, v)| (*k, v.as_deref())).collect();
    format!("{root}{}{}", set.name, uri::format_key(&parts))
}

fn ctl_root(cell_url: &str) -> String {
    format!("{cell_url}__ctl/")
}

/// Parses a link target URL (`{"uri": ...}` of `$links`): it must address an entity of
/// `target_set` under this cell's `__ctl` (`PR400-OD-0008` otherwise).
pub fn parse_target_url(cell_url: &str, target_set: &SetDef, url: &str) -> Result<KeyValues> {
    parse_target_url_at(&ctl_root(cell_url), target_set, url)
}

/// [`parse_target_url`] under any service root (ending in `/`).
pub fn parse_target_url_at(root: &str, target_set: &SetDef, url: &str) -> Result<KeyValues> {
    let bad = || Error::new(&codes::PR400_OD_0008);
    let tail = url.strip_prefix(root).ok_or_else(bad)?;
    match uri::parse_resource_path(tail) {
        Ok(ResourcePath::Entity { set, key }) if set == target_set.name => {
            resolve(target_set, &key)
        }
        Ok(_) => Err(bad()),
        Err(_) => Err(Error::new(&codes::PR400_OD_0008)),
    }
}

/// A stored JSON text column (message request objects, results) as OData values.
fn json_value(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Boolean(*b),
        J::Number(n) => n
            .as_i64()
            .map_or(Value::Double(n.as_f64().unwrap_or(0.0)), Value::Int64),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Collection(a.iter().map(json_value).collect()),
        J::Object(o) => Value::Complex(o.iter().map(|(k, v)| (k.clone(), json_value(v))).collect()),
    }
}

/// The `CellCtl.{Set}` entity of a row, with deferred navigation properties.
pub fn entity(cell_url: &str, set: &SetDef, row: &CtlRow) -> Entity {
    entity_at(&ctl_root(cell_url), "CellCtl", set, row)
}

/// The `{namespace}.{Set}` entity of a row under a service root (ending in `/`).
pub fn entity_at(root: &str, namespace: &str, set: &SetDef, row: &CtlRow) -> Entity {
    let url = entity_url_at(root, set, &of_row(set, row));
    let properties = row
        .values
        .iter()
        .map(|(p, v)| match (p.as_str(), v) {
            ("RequestObjects" | "Result", Value::String(s)) => (
                p.clone(),
                serde_json::from_str(s).map_or(Value::Null, |j| json_value(&j)),
            ),
            _ => (p.clone(), v.clone()),
        })
        .collect();
    let nav = set
        .navs
        .iter()
        .map(|n| NavLink::Deferred {
            name: n.name.to_owned(),
            uri: format!("{url}/{}", n.name),
        })
        .collect();
    Entity {
        uri: url,
        etag: crate::domain::etag::weak(row.version, row.updated),
        type_name: format!("{namespace}.{}", set.name),
        properties,
        published: row.published,
        updated: row.updated,
        nav,
    }
}

/// True when the navigation property points at one entity (its parent) rather than a list.
pub fn is_single(kind: NavKind) -> bool {
    matches!(kind, NavKind::Parent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ctl::sets::set;
    use crate::odata::uri::parse_key;

    #[test]
    fn key_resolution() {
        let role = set("Role").unwrap();
        let cases: Vec<(&str, std::result::Result<KeyValues, &str>)> = vec![
            (
                "'r1'",
                Ok(vec![("Name", Some("r1".into())), ("_Box.Name", None)]),
            ),
            (
                "Name='r1'",
                Ok(vec![("Name", Some("r1".into())), ("_Box.Name", None)]),
            ),
            (
                "Name='r1',_Box.Name='b'",
                Ok(vec![
                    ("Name", Some("r1".into())),
                    ("_Box.Name", Some("b".into())),
                ]),
            ),
            (
                "Name='r1',_Box.Name=null",
                Ok(vec![("Name", Some("r1".into())), ("_Box.Name", None)]),
            ),
            ("Nope='x'", Err("PR400-OD-0004")),
            ("null", Err("PR400-OD-0016")),
            ("_Box.Name='b'", Err("PR400-OD-0016")),
        ];
        for (k, expected) in cases {
            let got = resolve(role, &parse_key(k).unwrap()).map_err(|e| e.code().id);
            assert_eq!(got, expected, "{k}");
        }
    }

    #[test]
    fn urls() {
        let role = set("Role").unwrap();
        let key = vec![("Name", Some("r".to_owned())), ("_Box.Name", None)];
        assert_eq!(
            entity_url("https://c/", role, &key),
            "https://c/__ctl/Role(Name='r',_Box.Name=null)"
        );
        let ext = set("ExtCell").unwrap();
        let k = parse_target_url(
            "https://c/",
            ext,
            "https://c/__ctl/ExtCell('https%3A%2F%2Fx%2F')",
        )
        .unwrap();
        assert_eq!(k, vec![("Url", Some("https://x/".to_owned()))]);
        assert!(parse_target_url("https://c/", ext, "https://other/__ctl/ExtCell('x')").is_err());
        assert!(parse_target_url("https://c/", ext, "https://c/__ctl/Role('x')").is_err());
    }
}
