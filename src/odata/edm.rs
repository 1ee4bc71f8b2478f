//! EDM primitive types and typed OData values.
//!
//! Follows OData v2 (CSDL primitive types) as Personium uses them (`spec/personium-api.md` §8,
//! value rules): `Edm.String`, `Edm.Int32`, `Edm.Int64`, `Edm.Single`, `Edm.Double`,
//! `Edm.Boolean`, `Edm.DateTime`. DateTimes are carried as milliseconds since the Unix epoch,
//! which is Personium's `/Date(ms)/` wire form.

use std::fmt;

/// A primitive EDM type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdmType {
    String,
    Int32,
    Int64,
    Single,
    Double,
    Boolean,
    DateTime,
}

impl EdmType {
    /// Every type, in a stable order (used by `$metadata` and tests).
    pub const ALL: [EdmType; 7] = [
        EdmType::String,
        EdmType::Int32,
        EdmType::Int64,
        EdmType::Single,
        EdmType::Double,
        EdmType::Boolean,
        EdmType::DateTime,
    ];

    /// The qualified name, e.g. `Edm.String`.
    pub fn name(self) -> &'static str {
        match self {
            EdmType::String => "Edm.String",
            EdmType::Int32 => "Edm.Int32",
            EdmType::Int64 => "Edm.Int64",
            EdmType::Single => "Edm.Single",
            EdmType::Double => "Edm.Double",
            EdmType::Boolean => "Edm.Boolean",
            EdmType::DateTime => "Edm.DateTime",
        }
    }

    /// Parses a qualified name such as `Edm.Int32`.
    pub fn parse(name: &str) -> Option<EdmType> {
        EdmType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// True for the numeric types (which compare with each other).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            EdmType::Int32 | EdmType::Int64 | EdmType::Single | EdmType::Double
        )
    }
}

impl fmt::Display for EdmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A typed OData value, as read from the database or a request body and as rendered.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    String(String),
    Int32(i32),
    Int64(i64),
    Single(f32),
    Double(f64),
    Boolean(bool),
    /// Milliseconds since the Unix epoch (UTC).
    DateTime(i64),
    /// A ComplexType instance: ordered (property name, value) pairs.
    Complex(Vec<(String, Value)>),
    /// A `CollectionKind="List"` property or a collection of complex values.
    Collection(Vec<Value>),
}

impl Value {
    /// The EDM type of a primitive value; `None` for null, complex and collection values.
    pub fn edm_type(&self) -> Option<EdmType> {
        match self {
            Value::String(_) => Some(EdmType::String),
            Value::Int32(_) => Some(EdmType::Int32),
            Value::Int64(_) => Some(EdmType::Int64),
            Value::Single(_) => Some(EdmType::Single),
            Value::Double(_) => Some(EdmType::Double),
            Value::Boolean(_) => Some(EdmType::Boolean),
            Value::DateTime(_) => Some(EdmType::DateTime),
            Value::Null | Value::Complex(_) | Value::Collection(_) => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A string slice when the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Value {
        s.map_or(Value::Null, Value::String)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Boolean(b)
    }
}
