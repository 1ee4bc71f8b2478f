//! The entity model that the OData renderers (`json`, `atom`) take: one entity as the server
//! read it, with absolute URL, ETag, qualified type, properties in declared order, timestamps and
//! navigation links (`spec/personium-api.md` §2.4).

use std::borrow::Cow;

use crate::odata::edm::Value;

/// Name of the creation timestamp property every Personium entity carries.
pub const PUBLISHED: &str = "__published";
/// Name of the last-update timestamp property every Personium entity carries.
pub const UPDATED: &str = "__updated";

/// One entity, ready to render.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// Absolute entity URL, e.g. `https://u.example/c1/__ctl/Role(Name='r',_Box.Name=null)`.
    pub uri: String,
    /// The weak ETag as sent in the `ETag` header, e.g. `W/"1-1700000000000"`.
    pub etag: String,
    /// Qualified type name, e.g. `CellCtl.Role`.
    pub type_name: String,
    /// Properties in declared (schema) order. `__published` / `__updated` may be listed here
    /// at their schema position (user data declares them right after `__id`); when they are
    /// not, the renderers add them after the last property from `published` / `updated`.
    pub properties: Vec<(String, Value)>,
    /// Creation time, epoch milliseconds.
    pub published: i64,
    /// Last update time, epoch milliseconds.
    pub updated: i64,
    /// Navigation properties in schema order.
    pub nav: Vec<NavLink>,
}

/// A navigation property of a rendered entity.
#[derive(Clone, Debug, PartialEq)]
pub enum NavLink {
    /// Not expanded: rendered as `{"__deferred":{"uri":…}}` (JSON) or a plain `<link>` (Atom).
    /// `uri` is the absolute URL of the navigation property (`{entity uri}/{name}`).
    Deferred { name: String, uri: String },
    /// Expanded by `$expand`. `single` marks a `0..1`/`1` target; Personium still renders every
    /// expansion as a collection (see `json::entity`).
    Expanded {
        name: String,
        entities: Vec<Entity>,
        single: bool,
    },
}

impl NavLink {
    /// The navigation property name, e.g. `_Box`.
    pub fn name(&self) -> &str {
        match self {
            NavLink::Deferred { name, .. } | NavLink::Expanded { name, .. } => name,
        }
    }

    /// A deferred link whose URL is `{entity_uri}/{name}`.
    pub fn deferred(entity_uri: &str, name: &str) -> NavLink {
        NavLink::Deferred {
            name: name.to_owned(),
            uri: format!("{entity_uri}/{name}"),
        }
    }
}

impl Entity {
    /// The schema namespace of the type (`CellCtl` for `CellCtl.Role`).
    pub fn namespace(&self) -> &str {
        self.type_name
            .rsplit_once('.')
            .map_or("", |(namespace, _)| namespace)
    }

    /// The unqualified type name (`Role` for `CellCtl.Role`).
    pub fn local_type_name(&self) -> &str {
        self.type_name
            .rsplit_once('.')
            .map_or(self.type_name.as_str(), |(_, name)| name)
    }

    /// Splits `uri` into the service root (ending in `/`) and the relative id `Set(key)`.
    pub fn split_uri(&self) -> (&str, &str) {
        split_service_uri(&self.uri)
    }

    /// The properties in output order: the declared ones, then `__published` and `__updated`
    /// unless the declared list already holds them.
    pub fn output_properties(&self) -> Vec<(&str, Cow<'_, Value>)> {
        let mut out: Vec<(&str, Cow<'_, Value>)> = self
            .properties
            .iter()
            .map(|(name, value)| (name.as_str(), Cow::Borrowed(value)))
            .collect();
        for (name, ms) in [(PUBLISHED, self.published), (UPDATED, self.updated)] {
            if !self.properties.iter().any(|(n, _)| n == name) {
                out.push((name, Cow::Owned(Value::DateTime(ms))));
            }
        }
        out
    }
}

/// Splits a resource URL into the service root (up to and including the last `/` before the
/// first `(`, query string ignored) and the rest.
///
/// `https://u/c/__ctl/Role(Name='r')` → (`https://u/c/__ctl/`, `Role(Name='r')`);
/// `https://u/c/__ctl/Box('b')/_Role?$top=1` → (`https://u/c/__ctl/`, `Box('b')/_Role`).
pub fn split_service_uri(uri: &str) -> (&str, &str) {
    let uri = uri.split(['?', '#']).next().unwrap_or(uri);
    let cut = uri.find('(').unwrap_or(uri.len());
    let head = uri[..cut].trim_end_matches('/');
    match head.rfind('/') {
        Some(slash) => (&uri[..=slash], &uri[slash + 1..]),
        None => ("", uri),
    }
}

impl Entity {
    /// Applies `$select`: keeps the named properties and navigation properties, and the system
    /// properties (`__id`, `__published`, `__updated`), which Personium always returns.
    pub fn select(&mut self, names: Option<&[String]>) {
        let Some(names) = names else {
            return;
        };
        let wanted = |n: &str| n.starts_with("__") || names.iter().any(|s| s == n);
        self.properties.retain(|(n, _)| wanted(n));
        self.nav.retain(|l| wanted(l.name()));
    }
}
