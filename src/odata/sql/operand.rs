//! The right-hand operand of a `$filter` comparison (`spec/personium-api.md` §8.3): which literal
//! suits which property type, its range checks and the bind value, following personium-core's
//! `FilterConditionValidator` (wrong type → PR400-OD-0046, out of range → PR400-OD-0047) and the
//! backslash unescaping it applies to string operands (broken escape → PR400-OD-0048).

use super::SqlValue;
use crate::odata::edm::{EdmType, Value};
use crate::odata::error::QueryError;

/// Smallest `Edm.DateTime` Personium accepts: 1753-01-01T00:00:00.000Z.
pub const DATETIME_MIN: i64 = -6_847_804_800_000;
/// Largest `Edm.DateTime` Personium accepts: 9999-12-31T23:59:59.999Z.
pub const DATETIME_MAX: i64 = 253_402_300_799_999;

/// The bind value comparing property `name` of type `ty` with the non-null literal `v`.
pub(super) fn comparison_value(name: &str, ty: EdmType, v: &Value) -> Result<SqlValue, QueryError> {
    let mismatch = || QueryError::OperandTypeMismatch(name.to_owned());
    let bad_format = || QueryError::UnsupportedOperandFormat(name.to_owned());
    match ty {
        EdmType::String => match v {
            Value::String(s) => string_operand(name, s).map(SqlValue::Text),
            _ => Err(mismatch()),
        },
        EdmType::Boolean => match v {
            Value::Boolean(b) => Ok(SqlValue::Bool(*b)),
            _ => Err(mismatch()),
        },
        EdmType::Int32 => {
            let i = integer(v).ok_or_else(mismatch)?;
            i32::try_from(i).map_err(|_| bad_format())?;
            Ok(SqlValue::Int(i))
        }
        // COMPAT(personium): it has no Int64 properties (its validator refuses them with 0003).
        EdmType::Int64 => integer(v).map(SqlValue::Int).ok_or_else(mismatch),
        EdmType::Single => {
            let f = float(v).ok_or_else(mismatch)?;
            if java_single_ok(f) {
                Ok(SqlValue::Double(f))
            } else {
                Err(bad_format())
            }
        }
        EdmType::Double => float(v).map(SqlValue::Double).ok_or_else(mismatch),
        EdmType::DateTime => {
            let ms = match v {
                Value::DateTime(ms) => *ms,
                other => integer(other).ok_or_else(mismatch)?,
            };
            if (DATETIME_MIN..=DATETIME_MAX).contains(&ms) {
                Ok(SqlValue::Int(ms))
            } else {
                Err(bad_format())
            }
        }
    }
}

/// A string operand of property `name`, unescaped. NUL cannot be stored in PostgreSQL text (a
/// bind with one fails there), so it is refused on both databases: PR400-OD-0047.
pub(super) fn string_operand(name: &str, raw: &str) -> Result<String, QueryError> {
    let s = unescape(raw)?;
    if s.contains('\0') {
        return Err(QueryError::UnsupportedOperandFormat(name.to_owned()));
    }
    Ok(s)
}

/// Integer literals (`1`, `10L`); an `Edm.DateTime` property also takes them as epoch ms.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Int32(i) => Some(i64::from(*i)),
        Value::Int64(i) => Some(*i),
        _ => None,
    }
}

/// Numeric literals for `Edm.Single` / `Edm.Double` properties.
fn float(v: &Value) -> Option<f64> {
    // COMPAT(personium): it refuses `1.5f` and `1.5m` literals (0046); our issue accepts them.
    match v {
        Value::Int32(i) => Some(f64::from(*i)),
        // Beyond 2^53 this rounds, as Java's long-to-double does.
        Value::Int64(i) => Some(*i as f64),
        Value::Double(d) => Some(*d),
        // Through its decimal text, so `0.1f` compares as 0.1 and not as 0.100000001490116.
        Value::Single(f) => f.to_string().parse().ok(),
        _ => None,
    }
}

/// Personium's `Edm.Single` check: Java's `String.valueOf(double)` must match
/// `-?[0-9]{1,5}\.[0-9]{1,5}`. Java prints plain decimals only for 1e-3 <= |v| < 1e7 (and 0);
/// other values come out in E notation and fail.
fn java_single_ok(v: f64) -> bool {
    let a = v.abs();
    if !(a == 0.0 || (1e-3..1e7).contains(&a)) {
        return false;
    }
    let text = a.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
    (1..=5).contains(&int.len()) && (1..=5).contains(&frac.len())
}

/// Java's `StringEscapeUtils.unescapeJava` (commons-lang 2), which Personium applies to every
/// string operand: `\n \t \r \b \f`, `\uXXXX` (UTF-16 units), any other `\c` → `c`, a trailing
/// `\` stays, an unfinished `\u` at the very end is dropped; a `\u` with non-hex digits fails.
pub fn unescape(raw: &str) -> Result<String, QueryError> {
    if !raw.contains('\\') {
        return Ok(raw.to_owned());
    }
    let fail = || QueryError::OperandUnescape(raw.to_owned());
    let mut units: Vec<u16> = Vec::with_capacity(raw.len());
    let mut buf = [0_u16; 2];
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        let out = match (c, c == '\\') {
            (_, false) => c,
            (_, true) => match chars.next() {
                None => '\\',
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    if hex.chars().count() < 4 {
                        break;
                    }
                    units.push(u16::from_str_radix(&hex, 16).map_err(|_| fail())?);
                    continue;
                }
                Some('b') => '\u{8}',
                Some('t') => '\t',
                Some('n') => '\n',
                Some('f') => '\u{c}',
                Some('r') => '\r',
                Some(other) => other,
            },
        };
        units.extend_from_slice(out.encode_utf16(&mut buf));
    }
    // COMPAT(personium): Java keeps a lone surrogate from `\uD800`; Rust strings cannot, so 0048.
    String::from_utf16(&units).map_err(|_| fail())
}
