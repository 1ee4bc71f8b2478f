//! Values in control-object bodies (`spec/personium-api.md` §2.7, §4.3): JSON to typed values,
//! defaults, formats, and Rule's cross-field rules. Errors name the offending field.

use serde_json::{Map, Value as Json};

use super::sets::{Check, Default, PropRule, SetDef};
use crate::error::{codes, Error, Result};
use crate::model::url::{is_cell_url, is_schema_uri};
use crate::odata::edm::{EdmType, Value};

fn format_error(field: &str) -> Error {
    Error::new(&codes::PR400_OD_0006).param(field)
}

/// A JSON body value as a typed value of the property (`PR400-OD-0006` on a type mismatch).
fn typed(rule: &PropRule, v: &Json) -> Result<Value> {
    match (rule.ty, v) {
        (_, Json::Null) => Ok(Value::Null),
        (EdmType::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (EdmType::Boolean, Json::Bool(b)) => Ok(Value::Boolean(*b)),
        (EdmType::Int32, Json::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Value::Int32)
            .ok_or_else(|| format_error(rule.name)),
        _ => Err(format_error(rule.name)),
    }
}

fn default_value(d: Default) -> Value {
    match d {
        Default::None => Value::Null,
        Default::Str(s) => Value::String(s.to_owned()),
        Default::Bool(b) => Value::Boolean(b),
        Default::UuidHex => Value::String(uuid::Uuid::new_v4().simple().to_string()),
    }
}

/// Checks one string against its format.
fn check_format(check: Check, s: &str) -> bool {
    match check {
        Check::None => true,
        Check::Name(kind) => kind.is_valid(s),
        Check::CellUrl => is_cell_url(s),
        Check::SchemaUri => is_schema_uri(s),
        Check::AccountType => {
            !s.is_empty()
                && s.split(' ').all(|t| {
                    t == "basic"
                        || t.strip_prefix("oidc:").is_some_and(|p| {
                            !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric())
                        })
                })
        }
        Check::AccountStatus => matches!(s, "active" | "deactivated" | "passwordChangeRequired"),
        Check::IpRanges => s.split(',').all(|r| is_ipv4_range(r.trim())),
        Check::RuleAction => matches!(
            s,
            "exec"
                | "relay"
                | "relay.data"
                | "relay.event"
                | "log"
                | "log.info"
                | "log.warn"
                | "log.error"
        ),
        Check::RoleUrl => {
            s.len() <= 1024
                && (s.starts_with("personium-localunit:")
                    || url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
        }
        Check::MaxLen(n) => s.len() <= n,
    }
}

/// `a.b.c.d` or `a.b.c.d/n`.
fn is_ipv4_range(s: &str) -> bool {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let addr_ok = addr.parse::<std::net::Ipv4Addr>().is_ok();
    let bits_ok =
        bits.is_none_or(|b| b.parse::<u8>().is_ok_and(|n| n <= 32) && !b.starts_with('+'));
    addr_ok && bits_ok
}

/// Validates a body against a set's rules and returns the writable values in rule order.
/// With `existing` (MERGE), omitted properties keep their current values and only supplied
/// ones are checked; without it (POST, PUT), omitted properties take their defaults.
pub fn values(
    set: &SetDef,
    obj: &Map<String, Json>,
    existing: Option<&[(String, Value)]>,
) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::with_capacity(set.props.len());
    for rule in set.props {
        let value = match obj.get(rule.name) {
            Some(v) => {
                let value = typed(rule, v)?;
                if let Value::String(s) = &value {
                    if !check_format(rule.check, s) {
                        return Err(format_error(rule.name));
                    }
                }
                value
            }
            None => match existing {
                Some(current) => current
                    .iter()
                    .find(|(p, _)| p == rule.name)
                    .map_or(Value::Null, |(_, v)| v.clone()),
                None => default_value(rule.default),
            },
        };
        if rule.required && value.is_null() {
            return Err(Error::new(&codes::PR400_OD_0009).param(rule.name));
        }
        out.push((rule.name.to_owned(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases = [
            (Check::AccountType, "basic", true),
            (Check::AccountType, "basic oidc:google", true),
            (Check::AccountType, "oidc:", false),
            (Check::AccountType, "", false),
            (Check::AccountType, "ldap", false),
            (Check::AccountStatus, "passwordChangeRequired", true),
            (Check::AccountStatus, "locked", false),
            (Check::IpRanges, "192.168.0.1", true),
            (Check::IpRanges, "10.0.0.0/8,192.168.1.1", true),
            (Check::IpRanges, "10.0.0.0/33", false),
            (Check::IpRanges, "10.0.0", false),
            (Check::IpRanges, "::1", false),
            (Check::RuleAction, "log.warn", true),
            (Check::RuleAction, "mail", false),
            (Check::RoleUrl, "https://c2.unit/__role/__/r1", true),
            (Check::RoleUrl, "c2/__role", false),
            (Check::MaxLen(3), "abcd", false),
        ];
        for (check, s, ok) in cases {
            assert_eq!(check_format(check, s), ok, "{check:?} {s}");
        }
    }
}
