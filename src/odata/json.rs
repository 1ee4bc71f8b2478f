//! OData v2 JSON ("verbose") output as Personium writes it (`spec/personium-api.md` §2.4): single
//! entity `{"d":{"results":{…}}}`, feed `{"d":{"results":[…],"__count":"N"}}`, `$links` lists.
//!
//! The text is written by hand, not through serde, because Personium's writer differs from a
//! plain JSON serializer in ways a client can see:
//! - COMPAT(personium): `/` is escaped as `\/` in every string (`"https:\/\/…"`,
//!   `"W\/\"1-…\""`), and control characters other than `\b \t \n \f \r` become `\u00XX` with
//!   upper-case hex (its JSON writer plus `EscapeControlCode` on the whole body).
//! - Compact: no whitespace between tokens.
//! - Edm.DateTime is `"\/Date(ms)\/"`, Edm.Int64 is a JSON string, Edm.Double is fixed-point
//!   when that is exact (see [`format_double`]), Edm.Single uses Java's `Float.toString` without
//!   trailing zeros.
//! - Collections are plain arrays (no `{"results":[…]}` wrapper), complex values are plain
//!   objects without `__metadata`.

use crate::odata::edm::Value;
use crate::odata::entity::{Entity, NavLink};

/// `{"d":{"results":{…entity…}}}` (GET entity, POST 201).
pub fn entity(e: &Entity) -> String {
    let mut out = String::with_capacity(512);
    out.push_str("{\"d\":{\"results\":");
    write_entity(&mut out, e);
    out.push_str("}}");
    out
}

/// `{"d":{"results":[…],"__count":"N","__next":"…"}}`; `__count` (a string) only with
/// `$inlinecount=allpages`, `__next` only with a skip token.
pub fn feed(entities: &[Entity], count: Option<u64>, next: Option<&str>) -> String {
    let mut out = String::with_capacity(256 + entities.len() * 512);
    out.push_str("{\"d\":{\"results\":[");
    for (i, e) in entities.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_entity(&mut out, e);
    }
    out.push(']');
    if let Some(count) = count {
        out.push_str(",\"__count\":");
        write_str(&mut out, &count.to_string());
    }
    if let Some(next) = next {
        out.push_str(",\"__next\":");
        write_str(&mut out, next);
    }
    out.push_str("}}");
    out
}

/// `$links` to a many end: `{"d":{"results":[{"uri":"…"},…]}}`.
pub fn links(uris: &[String]) -> String {
    let mut out = String::from("{\"d\":{\"results\":[");
    for (i, uri) in uris.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"uri\":");
        write_str(&mut out, uri);
        out.push('}');
    }
    out.push_str("]}}");
    out
}

/// `$links` to a `0..1`/`1` end: `{"d":{"uri":"…"}}`.
///
/// COMPAT(personium): `$links` GET is always JSON, whatever `$format` and `Accept` say; a single
/// link is not wrapped in `results`.
pub fn link(uri: &str) -> String {
    let mut out = String::from("{\"d\":{\"uri\":");
    write_str(&mut out, uri);
    out.push_str("}}");
    out
}

/// A value as a `serde_json::Value`, for callers that build JSON documents of their own.
///
/// Same mapping as the wire text (DateTime → `"/Date(ms)/"`, Int64 → string, Double/Single as
/// the numbers [`format_double`]/[`format_single`] print, non-finite → null), but serde_json
/// does not escape `/`, and complex values follow `serde_json::Map` key order. Use [`entity`],
/// [`feed`] or [`write_value`] for byte-exact Personium output.
pub fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::String(s) => J::String(s.clone()),
        Value::Int32(i) => J::from(*i),
        Value::Int64(i) => J::String(i.to_string()),
        Value::Single(f) => number_from_text(&format_single(*f)),
        Value::Double(d) => number_from_text(&format_double(*d)),
        Value::Boolean(b) => J::Bool(*b),
        Value::DateTime(ms) => J::String(format!("/Date({ms})/")),
        Value::Complex(props) => J::Object(
            props
                .iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
        Value::Collection(items) => J::Array(items.iter().map(value_to_json).collect()),
    }
}

fn number_from_text(text: &str) -> serde_json::Value {
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Appends one value in Personium's JSON text form.
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::String(s) => write_str(out, s),
        Value::Int32(i) => out.push_str(&i.to_string()),
        // odata4j writes Edm.Int64 as a JSON string.
        Value::Int64(i) => write_str(out, &i.to_string()),
        Value::Single(f) if f.is_finite() => out.push_str(&format_single(*f)),
        Value::Double(d) if d.is_finite() => out.push_str(&format_double(*d)),
        // Not representable in JSON; Personium never stores them.
        Value::Single(_) | Value::Double(_) => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::DateTime(ms) => {
            out.push_str("\"\\/Date(");
            out.push_str(&ms.to_string());
            out.push_str(")\\/\"");
        }
        Value::Complex(props) => {
            out.push('{');
            for (i, (name, value)) in props.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, name);
                out.push(':');
                write_value(out, value);
            }
            out.push('}');
        }
        // COMPAT(personium): a plain array, not odata4j's `{"results":[…]}`.
        Value::Collection(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
    }
}

fn write_entity(out: &mut String, e: &Entity) {
    out.push_str("{\"__metadata\":{\"uri\":");
    write_str(out, &e.uri);
    out.push_str(",\"etag\":");
    write_str(out, &e.etag);
    out.push_str(",\"type\":");
    write_str(out, &e.type_name);
    out.push('}');
    for (name, value) in e.output_properties() {
        out.push(',');
        write_str(out, name);
        out.push(':');
        write_value(out, &value);
    }
    for link in &e.nav {
        out.push(',');
        write_str(out, link.name());
        out.push(':');
        match link {
            NavLink::Deferred { uri, .. } => {
                out.push_str("{\"__deferred\":{\"uri\":");
                write_str(out, uri);
                out.push_str("}}");
            }
            // COMPAT(personium): every expansion is built as a related-entities link, so even a
            // 0..1 target (`_Box`) comes out as an array.
            NavLink::Expanded { entities, .. } => {
                out.push('[');
                for (i, related) in entities.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_entity(out, related);
                }
                out.push(']');
            }
        }
    }
    out.push('}');
}

/// Appends a JSON string literal with Personium's escaping.
pub fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Runs of bytes that need no escaping are copied whole; every byte that does is ASCII, so
    // slicing at it stays on a char boundary.
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'\\' => "\\\\",
            b'"' => "\\\"",
            b'/' => "\\/",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f | 0x7f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escaped.is_empty() {
            out.push_str(&format!("\\u{:04X}", b));
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Edm.Double in JSON: fixed-point with up to 15 integer and 14 fraction digits when that reads
/// back as the same double (`1.0` → `1`, `0.1` → `0.1`), else Java's `Double.toString`
/// (`1.0E15`).
///
/// COMPAT(personium): Personium formats with `DecimalFormat("#.#")` and falls back to
/// `Double.toString`. Our fallback prints the shortest round-trip digits, where pre-19 JDKs
/// sometimes print one digit more (`1.23456789012345677E18`, `9.999999999999999E22` for 1e23).
pub fn format_double(v: f64) -> String {
    if !v.is_finite() {
        return java_double_to_string(v);
    }
    let fixed = format!("{v:.14}");
    let fixed = fixed.trim_end_matches('0').trim_end_matches('.');
    let int_digits = fixed
        .trim_start_matches('-')
        .split('.')
        .next()
        .map_or(0, str::len);
    if int_digits <= 15 && fixed.parse::<f64>() == Ok(v) {
        fixed.to_owned()
    } else {
        java_double_to_string(v)
    }
}

/// Edm.Single in JSON: Java's `Float.toString` with trailing fraction zeros (and a bare `.`)
/// removed: `1.5` → `1.5`, `2.0` → `2`, `1.0E-4` stays.
///
/// COMPAT(personium): odata4j also strips zeros from an exponent (`1.0E10` → `1.0E1`); that
/// changes the value, so we only trim plain decimals. Personium's Single range (5+5 digits)
/// never reaches such exponents.
pub fn format_single(v: f32) -> String {
    let text = java_float_to_string(v);
    if text.contains('E') || !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Java's `Double.toString` layout: plain decimal with at least one fraction digit for
/// `1e-3 <= |v| < 1e7`, else `d.dddE±n`.
pub fn java_double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    java_layout(&format!("{v:e}"), v.abs(), v.is_sign_negative())
}

/// Java's `Float.toString` layout (same rules as [`java_double_to_string`], f32 digits).
pub fn java_float_to_string(v: f32) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    java_layout(&format!("{v:e}"), f64::from(v.abs()), v.is_sign_negative())
}

/// Lays out Rust's shortest `{:e}` digits (`1.5e-4`) the way Java does.
fn java_layout(sci: &str, magnitude: f64, negative: bool) -> String {
    let sign = if negative { "-" } else { "" };
    if magnitude == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = sci.trim_start_matches('-');
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (1e-3..1e7).contains(&magnitude) {
        if exp >= 0 {
            let int_len = usize::try_from(exp).unwrap_or(0) + 1;
            let mut int_part = digits.chars().take(int_len).collect::<String>();
            while int_part.len() < int_len {
                int_part.push('0');
            }
            let frac: String = digits.chars().skip(int_len).collect();
            let frac = if frac.is_empty() {
                "0".to_owned()
            } else {
                frac
            };
            format!("{sign}{int_part}.{frac}")
        } else {
            let zeros = "0".repeat(usize::try_from(-exp - 1).unwrap_or(0));
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

#[cfg(test)]
mod tests;
