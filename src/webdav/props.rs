//! Dead properties (RFC 4918 §4; `spec/personium-api.md` §4.2, §6 PROPPATCH): each is kept
//! as the XML element that set it, keyed `{local name}@{namespace URI}` as Personium keys its
//! stored properties, and shown as-is by PROPFIND. [`DeadProps`] is the JSON text stored per
//! resource; [`PropValue`] reads the few properties the server itself interprets.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// One property element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    /// Namespace URI ("" = none).
    pub namespace: String,
    pub local_name: String,
    /// The whole element, with the namespace declarations it needs.
    pub xml: String,
}

impl Property {
    /// The store key: `{local name}@{namespace URI}`.
    pub fn key(&self) -> String {
        key(&self.namespace, &self.local_name)
    }
}

/// The store key of `{namespace}local`.
pub fn key(namespace: &str, local_name: &str) -> String {
    format!("{local_name}@{namespace}")
}

/// The dead properties of one resource: key -> element XML.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeadProps(BTreeMap<String, String>);

impl DeadProps {
    /// Reads the stored JSON object (`None` = no properties).
    pub fn from_json(json: Option<&str>) -> Result<DeadProps, serde_json::Error> {
        match json.filter(|j| !j.is_empty()) {
            None => Ok(DeadProps::default()),
            Some(j) => Ok(DeadProps(serde_json::from_str(j)?)),
        }
    }

    /// The JSON object to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    pub fn set(&mut self, p: Property) {
        self.0.insert(p.key(), p.xml);
    }

    /// Removes a property; false when it was not there.
    pub fn remove(&mut self, key: &str) -> bool {
        self.0.remove(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The element XML of `{namespace}local`.
    pub fn get(&self, namespace: &str, local_name: &str) -> Option<PropValue<'_>> {
        self.0
            .get(&key(namespace, local_name))
            .map(|xml| PropValue(xml.as_str()))
    }

    /// The (namespace, local name) of every property, in key order (PROPFIND `propname`).
    pub fn names(&self) -> Vec<(String, String)> {
        self.0
            .keys()
            .filter_map(|k| k.split_once('@'))
            .map(|(local, ns)| (ns.to_owned(), local.to_owned()))
            .collect()
    }

    /// Every element, in key order, for a PROPFIND `<prop>`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Appends every element to `out`.
    pub fn write_to(&self, out: &mut String) {
        for value in self.0.values() {
            out.push_str(value);
        }
    }
}

/// A stored property element.
#[derive(Clone, Copy, Debug)]
pub struct PropValue<'a>(pub &'a str);

impl PropValue<'_> {
    /// The element's own text (its text children, unescaped, concatenated; elements inside are
    /// skipped). `None` when the XML cannot be read.
    // COMPAT(personium): Personium reads the first child node's value; for the text-valued
    // properties it interprets (URLs, account lists) that is the same.
    pub fn text(&self) -> Option<String> {
        let mut reader = NsReader::from_reader(self.0.as_bytes());
        let mut depth = 0usize;
        let mut out = String::new();
        loop {
            match reader.read_event().ok()? {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                Event::Text(t) if depth == 1 => out.push_str(&t.xml10_content().ok()?),
                Event::CData(c) if depth == 1 => out.push_str(&c.decode().ok()?),
                Event::GeneralRef(r) if depth == 1 => out.push(resolve_ref(&r)?),
                Event::Eof => break,
                _ => {}
            }
        }
        Some(out)
    }

    /// The trimmed texts of the child elements `{namespace}local` (e.g. the `<p:account>`
    /// names of `p:ownerRepresentativeAccounts`).
    pub fn child_texts(&self, namespace: &str, local_name: &str) -> Vec<String> {
        let mut reader = NsReader::from_reader(self.0.as_bytes());
        let mut depth = 0usize;
        let mut current: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let Ok((res, event)) = reader.read_resolved_event() else {
                return found;
            };
            let matches = |e: &quick_xml::events::BytesStart<'_>| {
                matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == namespace.as_bytes())
                    && e.local_name().as_ref() == local_name.as_bytes()
            };
            match event {
                Event::Start(e) => {
                    depth += 1;
                    if depth == 2 && matches(&e) {
                        current = Some(String::new());
                    }
                }
                Event::Empty(e) if depth == 1 && matches(&e) => found.push(String::new()),
                Event::End(_) => {
                    if depth == 2 {
                        if let Some(text) = current.take() {
                            found.push(text.trim().to_owned());
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                Event::Text(t) => {
                    if let (Some(cur), Ok(text)) = (current.as_mut(), t.xml10_content()) {
                        cur.push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    if let (Some(cur), Some(c)) = (current.as_mut(), resolve_ref(&r)) {
                        cur.push(c);
                    }
                }
                Event::Eof => return found,
                _ => {}
            }
        }
    }
}

fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Some(c) = r.resolve_char_ref().ok()? {
        return Some(c);
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).and_then(|s| s.chars().next())
}
