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

use std::borrow::Cow;

use crate::model::time;
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
    entry_at(e, schema, time::now_ms())
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
    feed_at(title, feed_uri, entities, count, schema, time::now_ms())
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
    x.finish()
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
    x.finish()
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
        match link {
            NavLink::Deferred { .. } => {
                let ty = if nav_target_is_many(schema, type_name, name) {
                    TYPE_FEED
                } else {
                    TYPE_ENTRY
                };
                x.start("link");
                x.attr_joined("rel", &[RELATED, name]);
                x.attr("type", ty);
                x.attr("title", name);
                x.attr_joined("href", &[relid, "/", name]);
                x.end();
            }
            // COMPAT(personium): expansions are always related-entities links (type=feed).
            NavLink::Expanded { entities, .. } => {
                let href = format!("{relid}/{name}");
                x.start("link");
                x.attr_joined("rel", &[RELATED, name]);
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
    x.start_prefixed("d:", name);
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
fn m_type(
    value: &Value,
    def: Option<&PropertyDef>,
    schema: Option<&SchemaDef>,
) -> Option<Cow<'static, str>> {
    let declared_item = def.map(|d| match &d.ty {
        PropertyType::Primitive(t) => Cow::Borrowed(t.name()),
        PropertyType::Complex(c) => {
            Cow::Owned(schema.map_or_else(|| c.clone(), |s| s.qualified(c)))
        }
    });
    let is_collection = def.is_some_and(|d| d.collection);
    match value {
        Value::Collection(items) => {
            let item = declared_item.or_else(|| {
                items
                    .iter()
                    .find_map(|v| v.edm_type())
                    .map(|t| Cow::Borrowed(t.name()))
            });
            item.map(|t| Cow::Owned(format!("Bag({t})")))
        }
        Value::Complex(_) => declared_item,
        Value::Null if is_collection => declared_item.map(|t| Cow::Owned(format!("List({t})"))),
        Value::Null => declared_item.filter(|t| t != EdmType::String.name()),
        other => other
            .edm_type()
            .filter(|t| *t != EdmType::String)
            .map(|t| Cow::Borrowed(t.name())),
    }
}

/// Text of a primitive value in Atom (Java `toString` forms; DateTime as local ISO time).
fn primitive_text(v: &Value) -> Cow<'_, str> {
    Cow::Owned(match v {
        Value::String(s) => return Cow::Borrowed(s),
        Value::Int32(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::Single(f) => java_float_to_string(*f),
        Value::Double(d) => java_double_to_string(*d),
        Value::Boolean(b) => b.to_string(),
        Value::DateTime(ms) => format_datetime(*ms),
        Value::Null | Value::Complex(_) | Value::Collection(_) => String::new(),
    })
}

/// Edm.DateTime in Atom: `yyyy-MM-ddTHH:mm:ss` plus `.SSS` when the milliseconds are not zero.
///
/// COMPAT(personium): Personium prints the JVM's local time; we print UTC (its deployments run
/// in UTC).
pub(crate) fn format_datetime(ms: i64) -> String {
    // `iso8601` always ends in `.SSSZ`.
    let mut s = time::iso8601(ms);
    s.pop();
    if s.ends_with(".000") {
        s.truncate(s.len() - 4);
    }
    s
}

/// `<updated>`: `yyyy-MM-ddTHH:mm:ssZ`, UTC.
pub(crate) fn format_atom_updated(ms: i64) -> String {
    let mut s = time::iso8601(ms);
    s.truncate(s.len() - 5);
    s.push('Z');
    s
}

/// A minimal streaming XML writer that mimics the JDK StAX writer odata4j uses: start tags stay
/// open until content or the end tag arrives, and empty elements get an explicit end tag.
pub(crate) struct XmlWriter {
    buf: String,
    /// Where the names of the open elements sit in `buf` (start, length), so that end tags
    /// copy them from there.
    stack: Vec<(usize, usize)>,
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
        self.start_prefixed("", name);
    }

    /// `<{prefix}{name}`, without building the qualified name first.
    pub(crate) fn start_prefixed(&mut self, prefix: &str, name: &str) {
        self.close_start_tag();
        self.buf.push('<');
        self.stack.push((self.buf.len(), prefix.len() + name.len()));
        self.buf.push_str(prefix);
        self.buf.push_str(name);
        self.open = true;
    }

    /// Adds an attribute to the open start tag (ignored when no start tag is open).
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        self.attr_joined(name, &[value]);
    }

    /// An attribute whose value is `parts` concatenated.
    pub(crate) fn attr_joined(&mut self, name: &str, parts: &[&str]) {
        if !self.open {
            return;
        }
        self.buf.push(' ');
        self.buf.push_str(name);
        self.buf.push_str("=\"");
        for part in parts {
            escape_into(&mut self.buf, part, true);
        }
        self.buf.push('"');
    }

    pub(crate) fn text(&mut self, text: &str) {
        self.close_start_tag();
        escape_into(&mut self.buf, text, false);
    }

    pub(crate) fn end(&mut self) {
        self.close_start_tag();
        if let Some((start, len)) = self.stack.pop() {
            self.buf.push_str("</");
            self.buf.extend_from_within(start..start + len);
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

/// True when no byte of `bytes` needs escaping. Tested 16 bytes at a time without branches,
/// which the compiler turns into vector compares.
fn is_plain(bytes: &[u8]) -> bool {
    fn special(b: u8) -> bool {
        (b < 0x20) | (b == 0x7f) | (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"')
    }
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |any, &b| any | special(b)) {
            return false;
        }
    }
    !chunks.remainder().iter().any(|&b| special(b))
}

/// Escapes XML markup characters and, as Personium's `EscapeControlCode` does over the whole
/// body, U+0000–U+001F and U+007F as `\uXXXX` (upper-case hex). Tag and attribute names never
/// hold such characters, so escaping text and attribute values is the same as escaping the body.
/// Runs of bytes that need nothing are copied whole; every escaped byte is ASCII, so slicing at
/// one stays on a char boundary.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Nearly every value needs nothing: test that first and copy it in one go.
    if is_plain(s.as_bytes()) {
        out.push_str(s);
        return;
    }
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let named = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            0..=0x1f | 0x7f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + 1;
        if named.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(named);
        }
    }
    out.push_str(&s[run..]);
}

#[cfg(test)]
mod tests;
