//! Property values of user data (`spec/personium-api.md` §8.2, value rules): a request body's
//! JSON checked against the EntityType's Properties and turned into the stored JSON object
//! (keyed by `json_key`), and stored JSON turned back into typed OData values. Pure.
//!
//! Stored forms: strings, booleans and numbers as JSON; `Edm.DateTime` as epoch milliseconds;
//! complex values as objects keyed by their ComplexTypeProperties' keys; lists as arrays;
//! null values are left out.

use serde_json::{Map, Number, Value as Json};

use crate::error::{codes, Error, Result};
use crate::model::NameKind;
use crate::odata::edm::{EdmType, Value};
use crate::odata::sql::{DATETIME_MAX, DATETIME_MIN};
use crate::odata::svc_schema::{property_type, StoredProperty, StoredSchema};

/// Longest string value, in UTF-8 bytes (§2.6).
pub const MAX_STRING_BYTES: usize = 51_200;
/// Deepest nesting of complex values (`LayerLimits`: four levels).
const MAX_DEPTH: usize = 4;

fn format_error(name: &str) -> Error {
    Error::new(&codes::PR400_OD_0006).param(name)
}

/// The type of a Property: primitive, or a ComplexType by name.
enum Kind<'a> {
    Primitive(EdmType),
    Complex(&'a str),
}

fn kind_of(p: &StoredProperty) -> Kind<'_> {
    match property_type(&p.type_name) {
        Some(t) => Kind::Primitive(t),
        None => Kind::Complex(&p.type_name),
    }
}

/// `/Date(ms)/` (an optional `+hhmm` / `-hhmm` offset is ignored, as odata4j does) in the
/// DateTime range.
pub fn parse_date(s: &str) -> Option<i64> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let ms: i64 = inner[..digits_end].parse().ok()?;
    (DATETIME_MIN..=DATETIME_MAX).contains(&ms).then_some(ms)
}

/// A `DefaultValue` of a primitive Property as the JSON a body would carry.
fn default_json(ty: EdmType, default: &str, now: i64) -> Option<Json> {
    Some(match ty {
        EdmType::String => Json::String(default.to_owned()),
        EdmType::Boolean => Json::Bool(default.parse().ok()?),
        EdmType::Int32 | EdmType::Int64 => Json::Number(default.parse::<i64>().ok()?.into()),
        EdmType::Single | EdmType::Double => {
            Json::Number(Number::from_f64(default.parse::<f64>().ok()?)?)
        }
        EdmType::DateTime if default == "SYSUTCDATETIME()" => Json::Number(now.into()),
        EdmType::DateTime => Json::Number(parse_date(default)?.into()),
    })
}

/// Single: what Java's `Float` holds (finite, within range).
fn single_ok(v: f64) -> bool {
    v.is_finite() && v.abs() <= f64::from(f32::MAX)
}

/// A number written as a JSON string, as OData v2 clients write `Edm.Double` (pyodata:
/// `"1.500000E+00"`), `Edm.Int64` and `Edm.Decimal`; odata4j parses such strings too.
fn numeric_string(ty: EdmType, v: &Json) -> Option<Json> {
    let Json::String(s) = v else {
        return None;
    };
    let s = s.trim();
    match ty {
        EdmType::Int32 | EdmType::Int64 => s.parse::<i64>().ok().map(|i| Json::Number(i.into())),
        EdmType::Single | EdmType::Double => s
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Json::Number),
        _ => None,
    }
}

/// One primitive body value in its stored form.
fn primitive(name: &str, ty: EdmType, v: &Json, now: i64) -> Result<Json> {
    let bad = || format_error(name);
    if let Some(n) = numeric_string(ty, v) {
        return primitive(name, ty, &n, now);
    }
    Ok(match (ty, v) {
        (EdmType::String, Json::String(s)) => {
            // NUL cannot be stored in PostgreSQL text or jsonb.
            if s.len() > MAX_STRING_BYTES || s.contains('\0') {
                return Err(bad());
            }
            v.clone()
        }
        (EdmType::Boolean, Json::Bool(_)) => v.clone(),
        (EdmType::Int32, Json::Number(n)) => {
            let i = n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(bad)?;
            Json::Number(i.into())
        }
        (EdmType::Int64, Json::Number(n)) => Json::Number(n.as_i64().ok_or_else(bad)?.into()),
        (EdmType::Single, Json::Number(n)) => {
            let f = n.as_f64().filter(|f| single_ok(*f)).ok_or_else(bad)?;
            Json::Number(Number::from_f64(f).ok_or_else(bad)?)
        }
        (EdmType::Double, Json::Number(n)) => {
            let f = n.as_f64().filter(|f| f.is_finite()).ok_or_else(bad)?;
            match n.as_i64() {
                Some(i) => Json::Number(i.into()),
                None => Json::Number(Number::from_f64(f).ok_or_else(bad)?),
            }
        }
        (EdmType::DateTime, Json::String(s)) if s == "SYSUTCDATETIME()" => Json::Number(now.into()),
        (EdmType::DateTime, Json::String(s)) => Json::Number(parse_date(s).ok_or_else(bad)?.into()),
        _ => return Err(bad()),
    })
}

/// Checks bodies against a collection's schema.
pub struct Checker<'a> {
    pub schema: &'a StoredSchema,
    pub now: i64,
}

impl Checker<'_> {
    /// The properties of an EntityType (`entity = true`) or ComplexType.
    fn props_of<'s>(
        &'s self,
        owner: &'s str,
        entity: bool,
    ) -> impl Iterator<Item = &'s StoredProperty> {
        let list = if entity {
            &self.schema.properties
        } else {
            &self.schema.complex_properties
        };
        list.iter().filter(move |p| p.owner == owner)
    }

    /// A property's body value (`None` = absent) in stored form; `None` = store nothing.
    fn value(&self, p: &StoredProperty, v: Option<&Json>, depth: usize) -> Result<Option<Json>> {
        let v = match v {
            Some(Json::Null) | None => return self.default_of(p),
            Some(v) => v,
        };
        if p.list {
            let Json::Array(items) = v else {
                return Err(format_error(&p.name));
            };
            let out = items
                .iter()
                .map(|item| match item {
                    Json::Null => Err(format_error(&p.name)),
                    item => self.single(p, item, depth),
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(Some(Json::Array(out)));
        }
        self.single(p, v, depth).map(Some)
    }

    fn single(&self, p: &StoredProperty, v: &Json, depth: usize) -> Result<Json> {
        match kind_of(p) {
            Kind::Primitive(ty) => primitive(&p.name, ty, v, self.now),
            Kind::Complex(ct) => {
                let Json::Object(obj) = v else {
                    return Err(format_error(&p.name));
                };
                if depth >= MAX_DEPTH {
                    return Err(format_error(&p.name));
                }
                self.object(ct, false, obj, depth + 1).map(Json::Object)
            }
        }
    }

    /// Absent or null: the default, or nothing; a non-nullable without default is `0009`.
    fn default_of(&self, p: &StoredProperty) -> Result<Option<Json>> {
        let default = match (kind_of(p), p.default.as_deref()) {
            (Kind::Primitive(ty), Some(d)) if !p.list => default_json(ty, d, self.now),
            _ => None,
        };
        match default {
            Some(d) => Ok(Some(d)),
            None if !p.nullable => Err(Error::new(&codes::PR400_OD_0009).param(&p.name)),
            None => Ok(None),
        }
    }

    /// The declared properties of a complex value (unknown names are a format error).
    fn object(
        &self,
        owner: &str,
        entity: bool,
        obj: &Map<String, Json>,
        depth: usize,
    ) -> Result<Map<String, Json>> {
        let mut out = Map::new();
        for p in self.props_of(owner, entity) {
            if let Some(v) = self.value(p, obj.get(&p.name), depth)? {
                out.insert(p.key.clone(), v);
            }
        }
        if !entity {
            if let Some(unknown) = obj
                .keys()
                .find(|k| self.props_of(owner, false).all(|p| &p.name != *k))
            {
                return Err(format_error(unknown));
            }
        }
        Ok(out)
    }

    /// An entity body of EntityType `owner`: the stored object of its known properties. With
    /// `base` (MERGE), absent properties keep their stored values and get no default.
    pub fn entity(
        &self,
        owner: &str,
        obj: &Map<String, Json>,
        base: Option<&Map<String, Json>>,
    ) -> Result<Map<String, Json>> {
        let Some(base) = base else {
            return self.object(owner, true, obj, 0);
        };
        let mut out = base.clone();
        for p in self.props_of(owner, true) {
            let Some(v) = obj.get(&p.name) else {
                continue;
            };
            match self.value(p, Some(v), 0)? {
                Some(v) => out.insert(p.key.clone(), v),
                None => out.remove(&p.key),
            };
        }
        Ok(out)
    }
}

/// The names of a body's dynamic properties (not in `schema` for `owner`, not `__id`), with the
/// type each is registered with: `Edm.Double` for numbers, `Edm.Boolean`, else `Edm.String`
/// (personium-core `createDynamicPropertyEntity`). Only scalar values are allowed.
pub fn dynamic_properties(
    schema: &StoredSchema,
    owner: &str,
    obj: &Map<String, Json>,
) -> Result<Vec<(String, EdmType)>> {
    let mut out = Vec::new();
    for (name, v) in obj {
        let known = schema
            .properties
            .iter()
            .any(|p| p.owner == owner && &p.name == name);
        if known || name == "__id" {
            continue;
        }
        if !NameKind::Object.is_valid(name) {
            return Err(Error::new(&codes::PR400_OD_0007).param(name));
        }
        let ty = match v {
            Json::Number(_) => EdmType::Double,
            Json::Bool(_) => EdmType::Boolean,
            Json::String(_) | Json::Null => EdmType::String,
            Json::Array(_) | Json::Object(_) => return Err(format_error(name)),
        };
        out.push((name.clone(), ty));
    }
    Ok(out)
}

/// The text full-text search (`q`) looks in: every string value of a stored body, nested and
/// listed ones included, space-separated.
pub fn search_text(body: &Map<String, Json>) -> String {
    fn walk(v: &Json, out: &mut String) {
        match v {
            Json::String(s) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(s);
            }
            Json::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Json::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    body.values().for_each(|v| walk(v, &mut out));
    out
}

/// A stored value of property `p` as a typed OData value.
fn typed(schema: &StoredSchema, p: &StoredProperty, v: Option<&Json>) -> Value {
    let Some(v) = v else {
        return Value::Null;
    };
    if p.list {
        return match v {
            Json::Array(items) => {
                Value::Collection(items.iter().map(|i| one(schema, p, i)).collect())
            }
            _ => Value::Null,
        };
    }
    one(schema, p, v)
}

fn one(schema: &StoredSchema, p: &StoredProperty, v: &Json) -> Value {
    match (kind_of(p), v) {
        (Kind::Primitive(EdmType::String), Json::String(s)) => Value::String(s.clone()),
        (Kind::Primitive(EdmType::Boolean), Json::Bool(b)) => Value::Boolean(*b),
        (Kind::Primitive(EdmType::Int32), Json::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map_or(Value::Null, Value::Int32),
        (Kind::Primitive(EdmType::Int64), Json::Number(n)) => {
            n.as_i64().map_or(Value::Null, Value::Int64)
        }
        #[allow(clippy::cast_possible_truncation)]
        (Kind::Primitive(EdmType::Single), Json::Number(n)) => {
            n.as_f64().map_or(Value::Null, |f| Value::Single(f as f32))
        }
        (Kind::Primitive(EdmType::Double), Json::Number(n)) => {
            n.as_f64().map_or(Value::Null, Value::Double)
        }
        (Kind::Primitive(EdmType::DateTime), Json::Number(n)) => {
            n.as_i64().map_or(Value::Null, Value::DateTime)
        }
        (Kind::Complex(ct), Json::Object(obj)) => Value::Complex(
            schema
                .complex_properties
                .iter()
                .filter(|cp| cp.owner == ct)
                .map(|cp| (cp.name.clone(), typed(schema, cp, obj.get(&cp.key))))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// The typed values of a stored body for the properties of EntityType `owner`, by name.
pub fn read(schema: &StoredSchema, owner: &str, body: &Map<String, Json>) -> Vec<(String, Value)> {
    schema
        .properties
        .iter()
        .filter(|p| p.owner == owner)
        .map(|p| (p.name.clone(), typed(schema, p, body.get(&p.key))))
        .collect()
}

#[cfg(test)]
mod tests;
