//! Field rules of the schema sets beyond types and name formats (`spec/personium-api.md`
//! §8.1; personium-core `ODataSvcSchemaResource.validate`,
//! `UserSchemaODataProducer.checkAcceptableModification`): Property types, CollectionKind,
//! DefaultValue per type, Multiplicity, and what a PUT may change. Pure functions.

use crate::error::{codes, Error, Result};
use crate::odata::edm::{EdmType, Value};
use crate::odata::svc_schema::{parse_multiplicity, property_type};

/// Longest user-data string, in bytes (§8.2 value rules).
pub const MAX_STRING_BYTES: usize = 51_200;
/// `/Date(ms)/` range: 1753-01-01T00:00:00Z ..= 9999-12-31T23:59:59.999Z.
const DATE_MIN_MS: i64 = -6_847_804_800_000;
const DATE_MAX_MS: i64 = 253_402_300_799_999;

fn format_error(field: &str) -> Error {
    Error::new(&codes::PR400_OD_0006).param(field)
}

fn get<'a>(values: &'a [(String, Value)], name: &str) -> &'a Value {
    values
        .iter()
        .find(|(p, _)| p == name)
        .map_or(&Value::Null, |(_, v)| v)
}

/// Checks `Type` (one of the six `Edm.*` types, or a ComplexType for which `complex_exists`
/// says yes), `CollectionKind` and `DefaultValue` of a Property or ComplexTypeProperty.
pub fn check_property(
    values: &[(String, Value)],
    complex_exists: impl FnOnce(&str) -> bool,
) -> Result<()> {
    let type_name = get(values, "Type").as_str().unwrap_or("");
    let primitive = property_type(type_name);
    if primitive.is_none() && !complex_exists(type_name) {
        return Err(format_error("Type"));
    }
    if let Some(kind) = get(values, "CollectionKind").as_str() {
        if kind != "None" && kind != "List" {
            return Err(format_error("CollectionKind"));
        }
    }
    if let Some(default) = get(values, "DefaultValue").as_str() {
        // COMPAT(personium): a ComplexType-typed property takes no default.
        if !primitive.is_some_and(|t| is_valid_default(t, default)) {
            return Err(format_error("DefaultValue"));
        }
    }
    Ok(())
}

/// Personium's `ODataUtils.validate*` for a DefaultValue of type `ty`.
pub fn is_valid_default(ty: EdmType, s: &str) -> bool {
    match ty {
        EdmType::Boolean => s == "true" || s == "false",
        EdmType::Int32 => s.parse::<i32>().is_ok(),
        EdmType::Int64 => s.parse::<i64>().is_ok(),
        EdmType::Double => is_decimal(s) && s.parse::<f64>().is_ok_and(f64::is_finite),
        EdmType::Single => is_single(s),
        EdmType::String => s.len() <= MAX_STRING_BYTES,
        EdmType::DateTime => is_datetime(s),
    }
}

/// `[-]digits[.digits][E[+-]digits]`.
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    !int.is_empty() && digits(int) && digits(frac) && exponent_ok
}

/// Single: up to 5 integer and 5 fraction digits (§8.2).
fn is_single(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str, max: usize| d.len() <= max && d.chars().all(|c| c.is_ascii_digit());
    !int.is_empty() && digits(int, 5) && digits(frac, 5)
}

/// `SYSUTCDATETIME()` or `/Date(ms)/` within the supported range.
fn is_datetime(s: &str) -> bool {
    if s == "SYSUTCDATETIME()" {
        return true;
    }
    s.strip_prefix("/Date(")
        .and_then(|r| r.strip_suffix(")/"))
        .and_then(|ms| ms.parse::<i64>().ok())
        .is_some_and(|ms| (DATE_MIN_MS..=DATE_MAX_MS).contains(&ms))
}

/// Checks an AssociationEnd's `Multiplicity` (`0..1`, `1`, `*`).
pub fn check_end(values: &[(String, Value)]) -> Result<()> {
    match get(values, "Multiplicity")
        .as_str()
        .and_then(parse_multiplicity)
    {
        Some(_) => Ok(()),
        None => Err(format_error("Multiplicity")),
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::String(s) => s.clone(),
        Value::Boolean(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// A PUT may rename, and change a Property's `Type` from `Edm.Int32` to `Edm.Double`; any
/// other change is `PR400-OD-0042` (parent first, then the fields in order).
pub fn check_put(
    set_name: &str,
    parent_field: Option<&str>,
    old: &[(String, Value)],
    new: &[(String, Value)],
) -> Result<()> {
    let unsupported = |what: String| Error::new(&codes::PR400_OD_0042).param(what);
    if let Some(field) = parent_field {
        if get(old, field) != get(new, field) {
            return Err(unsupported(format!("{set_name} '{field}' change")));
        }
    }
    for (name, value) in new {
        let before = get(old, name);
        let changed = match name.as_str() {
            "Name" => false,
            "Type" => {
                let int_to_double = before.as_str() == Some(EdmType::Int32.name())
                    && value.as_str() == Some(EdmType::Double.name());
                !int_to_double && before != value
            }
            _ => Some(name.as_str()) != parent_field && before != value,
        };
        if changed {
            return Err(unsupported(format!(
                "{set_name} '{name}' change from [{}] to [{}]",
                shown(before),
                shown(value)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_type() {
        use EdmType::*;
        let cases = [
            (Boolean, "true", true),
            (Boolean, "TRUE", false),
            (Int32, "2147483647", true),
            (Int32, "2147483648", false),
            (Int32, "1.0", false),
            (Double, "1.5", true),
            (Double, "-1.5E+10", true),
            (Double, "1.", true),
            (Double, "abc", false),
            (Double, "NaN", false),
            (Single, "12345.12345", true),
            (Single, "123456", false),
            (Single, "1.123456", false),
            (String, "", true),
            (DateTime, "SYSUTCDATETIME()", true),
            (DateTime, "/Date(0)/", true),
            (DateTime, "/Date(253402300800000)/", false),
            (DateTime, "2020-01-01", false),
        ];
        for (ty, s, ok) in cases {
            assert_eq!(is_valid_default(ty, s), ok, "{ty} {s}");
        }
    }

    fn row(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn property_fields() {
        let ok = |ty: &str, kind: Value, default: Value| {
            let values = row(&[
                ("Type", ty.into()),
                ("CollectionKind", kind),
                ("DefaultValue", default),
            ]);
            check_property(&values, |c| c == "Address").map_err(|e| e.code().id)
        };
        assert_eq!(ok("Edm.Int32", "None".into(), "1".into()), Ok(()));
        assert_eq!(ok("Address", "List".into(), Value::Null), Ok(()));
        assert_eq!(
            ok("Edm.Int64", Value::Null, Value::Null),
            Err("PR400-OD-0006")
        );
        assert_eq!(ok("Nope", Value::Null, Value::Null), Err("PR400-OD-0006"));
        assert_eq!(
            ok("Edm.String", "Set".into(), Value::Null),
            Err("PR400-OD-0006")
        );
        assert_eq!(
            ok("Edm.Boolean", Value::Null, "1".into()),
            Err("PR400-OD-0006")
        );
        assert_eq!(ok("Address", Value::Null, "x".into()), Err("PR400-OD-0006"));
    }

    #[test]
    fn put_changes() {
        let old = row(&[
            ("Name", "p".into()),
            ("Type", "Edm.Int32".into()),
            ("Nullable", true.into()),
            ("_EntityType.Name", "T".into()),
        ]);
        let with = |field: &str, v: Value| {
            let mut new = old.clone();
            if let Some(slot) = new.iter_mut().find(|(k, _)| k == field) {
                slot.1 = v;
            }
            check_put("Property", Some("_EntityType.Name"), &old, &new).map_err(|e| e.code().id)
        };
        assert_eq!(with("Name", "q".into()), Ok(()));
        assert_eq!(with("Type", "Edm.Double".into()), Ok(()));
        assert_eq!(with("Type", "Edm.String".into()), Err("PR400-OD-0042"));
        assert_eq!(with("Nullable", false.into()), Err("PR400-OD-0042"));
        assert_eq!(with("_EntityType.Name", "U".into()), Err("PR400-OD-0042"));
    }
}
