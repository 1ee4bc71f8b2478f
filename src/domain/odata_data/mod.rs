//! User data of an OData service collection (`spec/personium-api.md` §8.2, §8.3): entities of
//! the user-defined EntityTypes at `{col}/{EntityType}`, checked against the stored schema,
//! stored as JSON (`db::odata_data`), queried with `$filter` / `$orderby` compiled to SQL on
//! that JSON, and rendered as `UserData.{EntityType}` entities. Privileges: `read` to read,
//! `write` to change, on the collection.

pub mod ops;
pub mod values;

use serde_json::{Map, Value as Json};

use crate::db::dialect;
use crate::db::odata_data::EntityRow;
use crate::db::DbConn;
use crate::domain::etag;
use crate::domain::odata_schema::{ops as schema_ops, Collection};
use crate::error::{codes, Error, Result};
use crate::odata::edm::{EdmType, Value};
use crate::odata::entity::{Entity, NavLink, PUBLISHED, UPDATED};
use crate::odata::schema::EntityTypeDef;
use crate::odata::sql::{ColumnRef, Dialect, PropertyResolver};
use crate::odata::svc_schema::{self, property_type, StoredSchema, USER_DATA};
use crate::odata::uri;

/// One EntityType of a collection with the collection's whole schema, as a data request
/// needs it.
pub struct TypeSchema {
    pub type_id: String,
    pub name: String,
    pub stored: StoredSchema,
    /// The `UserData` type: property order and navigation properties.
    pub def: EntityTypeDef,
}

/// Loads the schema of EntityType `name` (`PR404-OD-0001` when the collection has none).
pub fn load(conn: &mut DbConn, node_id: &str, name: &str) -> Result<TypeSchema> {
    let type_id = crate::db::odata_data::type_id(conn, node_id, name)?
        .ok_or_else(|| Error::new(&codes::PR404_OD_0001))?;
    let stored = schema_ops::load(conn, node_id)?;
    let (schema, _) = svc_schema::user_data(&stored);
    let def = schema
        .entity_type(name)
        .cloned()
        .ok_or_else(|| Error::new(&codes::PR404_OD_0001))?;
    Ok(TypeSchema {
        type_id,
        name: name.to_owned(),
        stored,
        def,
    })
}

impl TypeSchema {
    /// The typed property values of a stored row, `__id` and the timestamps first.
    pub fn values_of(&self, row: &EntityRow) -> Result<Vec<(String, Value)>> {
        let body = parse_body(&row.body)?;
        let mut out = vec![
            ("__id".to_owned(), Value::String(row.id.clone())),
            (PUBLISHED.to_owned(), Value::DateTime(row.published)),
            (UPDATED.to_owned(), Value::DateTime(row.updated)),
        ];
        out.extend(values::read(&self.stored, &self.name, &body));
        Ok(out)
    }

    /// The `UserData.{Type}` entity of a row.
    pub fn entity(&self, col: &Collection<'_>, row: &EntityRow) -> Result<Entity> {
        let uri = entity_url(col, &self.name, &row.id);
        let nav = self
            .def
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
        let p = self
            .schema
            .stored
            .properties
            .iter()
            .find(|p| p.owner == self.schema.name && p.name == property)?;
        // Complex values are not searchable by a top-level name.
        let ty = property_type(&p.type_name)?;
        Some(ColumnRef {
            sql: dialect::json_value_sql(self.dialect, &p.key, ty)?,
            ty,
            collection: p.list,
        })
    }
}
