//! Atom (RFC 4287 + OData v2 AtomPub) output as Personium writes it through odata4j 0.6
//! (`spec/personium-api.md` §2.4: Atom is the default when neither `$format` nor `Accept`
//! asks for JSON). Also holds the small XML writer shared by `service` and `metadata`.
//!
//! Shapes follow odata4j's `AtomFeedFormatWriter` / `XmlFormatWriter` with the JDK StAX writer:
//! - `<?xml version="1.0" encoding="utf-8"?>` and no whitespace between elements;
//! - empty elements are written as `<x></x>`, never `<x/>`;
//! - text escapes `& < >`, attribute values also `"`.
//! - COMPAT(personium): the whole body then goes through `EscapeControlCode`, so a control
//!   character inside a value (e.g. a newline) appears as the six characters `\u000A`.
//! - `<updated>` of feeds and entries is the response time, not the entity's `__updated`.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::odata::ctl_schema;
use crate::odata::edm::{EdmType, Value};
use crate::odata::entity::{split_service_uri, Entity, NavLink};
use crate::odata::json::{java_double_to_string, java_float_to_string};
use crate::odata::schema::{PropertyDef, PropertyType, SchemaDef};

pub(crate) const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
pub(crate) const NS_APP: &str = "http://www.w3.org/2007/app";
pub(crate) const NS_D: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices";
pub(crate) const NS_M: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
const SCHEME: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme";
const RELATED: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";
const TYPE_FEED: &str = "application/atom+xml;type=feed";
const TYPE_ENTRY: &str = "application/atom+xml;type=entry";

/// A standalone `<entry>` document (GET entity, POST 201 with `$format=atom`).
/// Types are looked up in the control-object schemas; use [`entry_with`] for user data.
pub fn entry(e: &Entity) -> String {
    entry_with(e, ctl_schema::for_namespace(e.namespace()))
}

/// A standalone `<entry>` document, with `schema` telling the types of null, complex and
/// collection properties and the multiplicity of navigation properties.
pub fn entry_with(e: &Entity, schema: Option<&SchemaDef>) -> String {
    entry_at(e, schema, now_ms())
}

/// A `<feed>` document. `title` is the entity set name (also the `self` link), `feed_uri` the
/// request URL (the feed `<id>`).
pub fn feed(title: &str, feed_uri: &str, entities: &[Entity], count: Option<u64>) -> String {
    let schema = entities
        .first()
        .and_then(|e| ctl_schema::for_namespace(e.namespace()));
    feed_with(title, feed_uri, entities, count, schema)
}

/// [`feed`] with an explicit schema (user data).
pub fn feed_with(
    title: &str,
    feed_uri: &str,
    entities: &[Entity],
    count: Option<u64>,
    schema: Option<&SchemaDef>,
) -> String {
    feed_at(title, feed_uri, entities, count, schema, now_ms())
}

/// `$links` in XML as odata4j 0.6 writes it: `<link xmlns="…/dataservices"><uri>…</uri></link>`.
///
/// COMPAT(personium): Personium itself never sends this (its `$links` GET is always JSON, see
/// `json::links`); kept for completeness.
pub fn links(uris: &[String]) -> String {
    let mut x = XmlWriter::new();
    x.start("link");
    x.attr("xmlns", NS_D);
    for uri in uris {
        x.leaf("uri", Some(uri), &[]);
    }
    x.end();
    x.finish()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn entry_at(e: &Entity, schema: Option<&SchemaDef>, now: i64) -> String {
    let (base, _) = e.split_uri();
    let updated = format_atom_updated(now);
    let mut x = XmlWriter::new();
    x.start("entry");
    x.attr("xmlns", NS_ATOM);
    x.attr("xmlns:m", NS_M);
    x.attr("xmlns:d", NS_D);
    x.attr("xml:base", base);
    write_entry_body(&mut x, e, schema, base, &updated);
    x.end();
    escape_control_chars(&x.finish())
}

pub(crate) fn feed_at(
    title: &str,
    feed_uri: &str,
    entities: &[Entity],
    count: Option<u64>,
    schema: Option<&SchemaDef>,
    now: i64,
) -> String {
    let (base, _) = split_service_uri(feed_uri);
    let updated = format_atom_updated(now);
    let mut x = XmlWriter::new();
    x.start("feed");
    x.attr("xmlns", NS_ATOM);
    x.attr("xmlns:m", NS_M);
    x.attr("xmlns:d", NS_D);
    x.attr("xml:base", base);
    x.leaf("title", Some(title), &[("type", "text")]);
    x.leaf("id", Some(feed_uri), &[]);
    x.leaf("updated", Some(&updated), &[]);
    x.leaf(
        "link",
        None,
        &[("rel", "self"), ("title", title), ("href", title)],
    );
    if let Some(count) = count {
        x.leaf("m:count", Some(&count.to_string()), &[]);
    }
    for e in entities {
        x.start("entry");
        write_entry_body(&mut x, e, schema, base, &updated);
        x.end();
    }
    x.end();
    escape_control_chars(&x.finish())
}

/// The children of `<entry>`: id, title, updated, author, links, category, content.
fn write_entry_body(
    x: &mut XmlWriter,
    e: &Entity,
    schema: Option<&SchemaDef>,
    base: &str,
    updated: &str,
) {
    let (_, relid) = e.split_uri();
    x.leaf("id", Some(&e.uri), &[]);
    x.leaf("title", None, &[("type", "text")]);
    x.leaf("updated", Some(updated), &[]);
    x.start("author");
    x.leaf("name", None, &[]);
    x.end();
    let type_name = e.local_type_name();
    x.leaf(
        "link",
        None,
        &[("rel", "edit"), ("title", type_name), ("href", relid)],
    );
    for link in &e.nav {
        let name = link.name();
        let rel = format!("{RELATED}{name}");
        let href = format!("{relid}/{name}");
        match link {
            NavLink::Deferred { .. } => {
                let ty = if nav_target_is_many(schema, type_name, name) {
                    TYPE_FEED
                } else {
                    TYPE_ENTRY
                };
                x.leaf(
                    "link",
                    None,
                    &[
                        ("rel", &rel),
                        ("type", ty),
                        ("title", name),
                        ("href", &href),
                    ],
                );
            }
            // COMPAT(personium): expansions are always related-entities links (type=feed).
            NavLink::Expanded { entities, .. } => {
                x.start("link");
                x.attr("rel", &rel);
                x.attr("type", TYPE_FEED);
                x.attr("title", name);
                x.attr("href", &href);
                x.start("m:inline");
                if !entities.is_empty() {
                    x.start("feed");
                    x.leaf("title", Some(name), &[("type", "text")]);
                    x.leaf("id", Some(&format!("{base}{href}")), &[]);
                    x.leaf("updated", Some(updated), &[]);
                    x.leaf(
                        "link",
                        None,
                        &[("rel", "self"), ("title", name), ("href", &href)],
                    );
                    for related in entities {
                        x.start("entry");
                        write_entry_body(x, related, schema, base, updated);
                        x.end();
                    }
                    x.end();
                }
                x.end();
                x.end();
            }
        }
    }
    x.leaf(
        "category",
        None,
        &[("term", &e.type_name), ("scheme", SCHEME)],
    );
    x.start("content");
    x.attr("type", "application/xml");
    x.start("m:properties");
    let declared = schema.and_then(|s| s.entity_type(type_name));
    for (name, value) in e.output_properties() {
        let def = declared.and_then(|t| t.property(name));
        write_property(x, name, &value, def, schema, true);
    }
    x.end();
    x.end();
}

/// True when the navigation property's target end is `*` (Atom `type=feed`); unknown
/// properties count as `*`.
fn nav_target_is_many(schema: Option<&SchemaDef>, type_name: &str, nav: &str) -> bool {
    schema
        .and_then(|s| s.entity_type(type_name))
        .and_then(|t| t.nav_prop(nav))
        .is_none_or(|n| n.to == crate::odata::schema::Multiplicity::Many)
}

/// One `<d:name>` element (odata4j `XmlFormatWriter.writeProperty`).
fn write_property(
    x: &mut XmlWriter,
    name: &str,
    value: &Value,
    def: Option<&PropertyDef>,
    schema: Option<&SchemaDef>,
    write_type: bool,
) {
    x.start(&format!("d:{name}"));
    if write_type {
        if let Some(ty) = m_type(value, def, schema) {
            x.attr("m:type", &ty);
        }
    }
    match value {
        Value::Null => x.attr("m:null", "true"),
        Value::Complex(props) => write_complex_props(x, props, def, schema),
        Value::Collection(items) => {
            for item in items {
                // Elements carry no m:type of their own.
                match item {
                    Value::Complex(props) => {
                        x.start("d:element");
                        write_complex_props(x, props, def, schema);
                        x.end();
                    }
                    other => write_property(x, "element", other, None, schema, false),
                }
            }
        }
        primitive => x.text(&primitive_text(primitive)),
    }
    x.end();
}

fn write_complex_props(
    x: &mut XmlWriter,
    props: &[(String, Value)],
    def: Option<&PropertyDef>,
    schema: Option<&SchemaDef>,
) {
    let complex = match (def.map(|d| &d.ty), schema) {
        (Some(PropertyType::Complex(name)), Some(s)) => s.complex_type(name),
        _ => None,
    };
    for (name, value) in props {
        let sub = complex.and_then(|c| c.properties.iter().find(|p| &p.name == name));
        write_property(x, name, value, sub, schema, true);
    }
}

/// The `m:type` attribute: none for strings; the primitive type; the qualified complex type;
/// `Bag(T)` for a present collection and `List(T)` for a null one (odata4j prints the
/// collection kind only when the value is missing).
fn m_type(value: &Value, def: Option<&PropertyDef>, schema: Option<&SchemaDef>) -> Option<String> {
    let declared_item = def.map(|d| match &d.ty {
        PropertyType::Primitive(t) => t.name().to_owned(),
        PropertyType::Complex(c) => schema.map_or_else(|| c.clone(), |s| s.qualified(c)),
    });
    let is_collection = def.is_some_and(|d| d.collection);
    match value {
        Value::Collection(items) => {
            let item = declared_item.or_else(|| {
                items
                    .iter()
                    .find_map(|v| v.edm_type())
                    .map(|t| t.name().to_owned())
            });
            item.map(|t| format!("Bag({t})"))
        }
        Value::Complex(_) => declared_item,
        Value::Null if is_collection => declared_item.map(|t| format!("List({t})")),
        Value::Null => declared_item.filter(|t| t != EdmType::String.name()),
        other => other
            .edm_type()
            .filter(|t| *t != EdmType::String)
            .map(|t| t.name().to_owned()),
    }
}

/// Text of a primitive value in Atom (Java `toString` forms; DateTime as local ISO time).
fn primitive_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Int32(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::Single(f) => java_float_to_string(*f),
        Value::Double(d) => java_double_to_string(*d),
        Value::Boolean(b) => b.to_string(),
        Value::DateTime(ms) => format_datetime(*ms),
        Value::Null | Value::Complex(_) | Value::Collection(_) => String::new(),
    }
}

/// Edm.DateTime in Atom: `yyyy-MM-ddTHH:mm:ss` plus `.SSS` when the milliseconds are not zero.
///
/// COMPAT(personium): Personium prints the JVM's local time; we print UTC (its deployments run
/// in UTC).
pub(crate) fn format_datetime(ms: i64) -> String {
    let (date, secs_of_day, millis) = civil(ms);
    let time = format!(
        "{}T{:02}:{:02}:{:02}",
        date,
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    );
    if millis > 0 {
        format!("{time}.{millis:03}")
    } else {
        time
    }
}

/// Atom `<updated>`: `yyyy-MM-ddTHH:mm:ssZ`.
pub(crate) fn format_atom_updated(ms: i64) -> String {
    let (date, s, _) = civil(ms);
    format!("{}T{:02}:{:02}:{:02}Z", date, s / 3600, s / 60 % 60, s % 60)
}

/// (`yyyy-MM-dd`, seconds of day, milliseconds) of an epoch-ms instant in UTC.
fn civil(ms: i64) -> (String, i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        rem / 1000,
        rem % 1000,
    )
}

/// Personium's `EscapeControlCode`: U+0000–U+001F and U+007F become `\uXXXX` (upper-case hex).
pub(crate) fn escape_control_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c <= '\u{1f}' || c == '\u{7f}' {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A minimal streaming XML writer that mimics the JDK StAX writer odata4j uses: start tags stay
/// open until content or the end tag arrives, and empty elements get an explicit end tag.
pub(crate) struct XmlWriter {
    buf: String,
    stack: Vec<String>,
    open: bool,
}

impl XmlWriter {
    pub(crate) fn new() -> XmlWriter {
        XmlWriter {
            buf: String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#),
            stack: Vec::new(),
            open: false,
        }
    }

    fn close_start_tag(&mut self) {
        if self.open {
            self.buf.push('>');
            self.open = false;
        }
    }

    pub(crate) fn start(&mut self, name: &str) {
        self.close_start_tag();
        self.buf.push('<');
        self.buf.push_str(name);
        self.stack.push(name.to_owned());
        self.open = true;
    }

    /// Adds an attribute to the open start tag (ignored when no start tag is open).
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        if !self.open {
            return;
        }
        self.buf.push(' ');
        self.buf.push_str(name);
        self.buf.push_str("=\"");
        escape_into(&mut self.buf, value, true);
        self.buf.push('"');
    }

    pub(crate) fn text(&mut self, text: &str) {
        self.close_start_tag();
        escape_into(&mut self.buf, text, false);
    }

    pub(crate) fn end(&mut self) {
        self.close_start_tag();
        if let Some(name) = self.stack.pop() {
            self.buf.push_str("</");
            self.buf.push_str(&name);
            self.buf.push('>');
        }
    }

    /// `<name attrs…>text</name>`.
    pub(crate) fn leaf(&mut self, name: &str, text: Option<&str>, attrs: &[(&str, &str)]) {
        self.start(name);
        for (k, v) in attrs {
            self.attr(k, v);
        }
        if let Some(text) = text {
            self.text(text);
        }
        self.end();
    }

    /// Closes every open element and returns the document.
    pub(crate) fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.end();
        }
        self.buf
    }
}

fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
