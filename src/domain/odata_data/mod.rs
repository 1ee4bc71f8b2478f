//! User data of an OData service collection (`spec/personium-api.md` §8.2, §8.3): entities of
//! the user-defined EntityTypes at `{col}/{EntityType}`, checked against the stored schema,
//! stored as JSON (`db::odata_data`), queried with `$filter` / `$orderby` compiled to SQL on
//! that JSON, and rendered as `UserData.{EntityType}` entities. Privileges: `read` to read,
//! `write` to change, on the collection.

pub mod links;
pub mod ops;
pub mod values;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value as Json};

use crate::db::dialect;
use crate::db::odata_data::EntityRow;
use crate::db::{odata_schema as schema_repo, DbConn};
use crate::domain::etag;
use crate::domain::odata_schema::{ops as schema_ops, Collection};
use crate::error::{codes, Error, Result};
use crate::odata::edm::{EdmType, Value};
use crate::odata::entity::{Entity, NavLink, PUBLISHED, UPDATED};
use crate::odata::schema::EntityTypeDef;
use crate::odata::sql::{ColumnRef, Dialect, PropertyResolver};
use crate::odata::svc_schema::{self, property_type, StoredProperty, StoredSchema, USER_DATA};
use crate::odata::uri;

/// A collection's whole user schema, as data requests use it.
pub struct CollectionSchema {
    pub stored: StoredSchema,
    /// Each EntityType's id and `UserData` definition (property order, navigation properties).
    pub types: Vec<(String, EntityTypeDef)>,
}

/// One EntityType of a collection, with the collection's schema.
pub struct TypeSchema {
    pub type_id: String,
    pub name: String,
    pub schema: Arc<CollectionSchema>,
    index: usize,
}

/// Most collections whose schema is kept between requests; past it the cache starts over.
const CACHED_COLLECTIONS: usize = 1024;

type Cache = HashMap<String, (i64, Arc<CollectionSchema>)>;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn build(conn: &mut DbConn, node_id: &str) -> Result<CollectionSchema> {
    let stored = schema_ops::load(conn, node_id)?;
    let (schema, _) = svc_schema::user_data(&stored);
    let ids = schema_repo::entity_type_ids(conn, node_id)?;
    let types = schema
        .entity_types
        .into_iter()
        .filter_map(|def| {
            let (id, _) = ids.iter().find(|(_, name)| *name == def.name)?;
            Some((id.clone(), def))
        })
        .collect();
    Ok(CollectionSchema { stored, types })
}

fn pick(schema: Arc<CollectionSchema>, name: &str) -> Result<TypeSchema> {
    let index = schema
        .types
        .iter()
        .position(|(_, def)| def.name == name)
        .ok_or_else(|| Error::new(&codes::PR404_OD_0001))?;
    Ok(TypeSchema {
        type_id: schema.types[index].0.clone(),
        name: name.to_owned(),
        schema,
        index,
    })
}

/// The schema of EntityType `name` (`PR404-OD-0001` when the collection has none), from the
/// process cache while the collection's `schema_seq` says it is current.
pub fn load(conn: &mut DbConn, node_id: &str, name: &str) -> Result<TypeSchema> {
    let seq = schema_repo::schema_seq(conn, node_id)?;
    let hit = cache().lock().ok().and_then(|c| {
        c.get(node_id)
            .filter(|(s, _)| *s == seq)
            .map(|(_, s)| s.clone())
    });
    let schema = match hit {
        Some(schema) => schema,
        None => {
            let schema = Arc::new(build(conn, node_id)?);
            if let Ok(mut c) = cache().lock() {
                if c.len() >= CACHED_COLLECTIONS {
                    c.clear();
                }
                c.insert(node_id.to_owned(), (seq, schema.clone()));
            }
            schema
        }
    };
    pick(schema, name)
}

/// [`load`] past the cache, for a transaction that changed the schema itself: what it reads
/// is not committed yet, so it must not be cached.
pub fn load_uncached(conn: &mut DbConn, node_id: &str, name: &str) -> Result<TypeSchema> {
    pick(Arc::new(build(conn, node_id)?), name)
}

impl TypeSchema {
    /// A Property of this type by name.
    pub fn property(&self, name: &str) -> Option<&StoredProperty> {
        self.stored()
            .properties
            .iter()
            .find(|p| p.owner == self.name && p.name == name)
    }

    /// The collection's stored schema.
    pub fn stored(&self) -> &StoredSchema {
        &self.schema.stored
    }

    /// The `UserData` definition of this type.
    pub fn def(&self) -> &EntityTypeDef {
        &self.schema.types[self.index].1
    }

    /// The typed property values of a stored row, `__id` and the timestamps first.
    pub fn values_of(&self, row: &EntityRow) -> Result<Vec<(String, Value)>> {
        let body = parse_body(&row.body)?;
        let mut out = vec![
            ("__id".to_owned(), Value::String(row.id.clone())),
            (PUBLISHED.to_owned(), Value::DateTime(row.published)),
            (UPDATED.to_owned(), Value::DateTime(row.updated)),
        ];
        out.extend(values::read(self.stored(), &self.name, &body));
        Ok(out)
    }

    /// The `UserData.{Type}` entity of a row.
    pub fn entity(&self, col: &Collection<'_>, row: &EntityRow) -> Result<Entity> {
        let uri = entity_url(col, &self.name, &row.id);
        let nav = self
            .def()
            .nav_props
            .iter()
            .map(|n| NavLink::deferred(&uri, &n.name))
            .collect();
        Ok(Entity {
            etag: etag::weak(row.version, row.updated),
            type_name: format!("{USER_DATA}.{}", self.name),
            properties: self.values_of(row)?,
            published: row.published,
            updated: row.updated,
            nav,
            uri,
        })
    }

    /// `$filter` / `$orderby` columns of this type in `dialect`.
    pub fn resolver(&self, dialect: Dialect) -> impl PropertyResolver + '_ {
        Columns {
            schema: self,
            dialect,
        }
    }
}

/// `{col}/{Type}('{id}')`.
pub fn entity_url(col: &Collection<'_>, type_name: &str, id: &str) -> String {
    format!(
        "{}/{type_name}{}",
        col.url(),
        uri::format_key(&[("__id", Some(id))])
    )
}

/// The `__id` of a URL key: `('id')` or `(__id='id')` (`PR400-OD-0004` otherwise).
pub fn key_id(key: &uri::Key) -> Result<String> {
    match key.0.as_slice() {
        [part] if matches!(part.name.as_deref(), None | Some("__id")) => part
            .value
            .clone()
            .ok_or_else(|| Error::new(&codes::PR400_OD_0016)),
        _ => Err(Error::new(&codes::PR400_OD_0004)),
    }
}

/// A stored body as a JSON object.
pub fn parse_body(body: &str) -> Result<Map<String, Json>> {
    match serde_json::from_str(body) {
        Ok(Json::Object(m)) => Ok(m),
        _ => Err(Error::internal(anyhow::anyhow!(
            "a stored entity body is not an object"
        ))),
    }
}

struct Columns<'a> {
    schema: &'a TypeSchema,
    dialect: Dialect,
}

impl PropertyResolver for Columns<'_> {
    fn index(&self, property: &str) -> Option<String> {
        // Made with every declared, primitive, single-valued Property (schema ops::insert).
        let p = self.schema.property(property)?;
        let indexed = p.declared && !p.list && property_type(&p.type_name).is_some();
        indexed.then(|| crate::db::odata_data::index_name(&p.id))
    }

    fn column(&self, property: &str) -> Option<ColumnRef> {
        let fixed = |sql: &str, ty| {
            Some(ColumnRef {
                sql: sql.to_owned(),
                ty,
                collection: false,
            })
        };
        match property {
            "__id" => return fixed("id", EdmType::String),
            PUBLISHED => return fixed("published", EdmType::DateTime),
            UPDATED => return fixed("updated", EdmType::DateTime),
            _ => {}
        }
        let p = self.schema.property(property)?;
        // Complex values are not searchable by a top-level name.
        let ty = property_type(&p.type_name)?;
        Some(ColumnRef {
            sql: dialect::json_value_sql(self.dialect, &p.key, ty)?,
            ty,
            collection: p.list,
        })
    }
}
