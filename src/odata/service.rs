//! The service document of an OData service root (`GET {C}__ctl/`, `GET {col}/`): AtomPub
//! `app:service` as odata4j 0.6 writes it (`spec/personium-api.md` §2.4, §8.2).
//!
//! COMPAT(personium): the service document ignores `Accept`; only `$format` (compared without
//! case) switches it, and `$format=json` yields odata4j's JSONP-style text with an empty
//! callback name (see [`service_document_json`]).

use crate::odata::atom::{XmlWriter, NS_APP, NS_ATOM};

/// `<service xmlns="http://www.w3.org/2007/app" xml:base="{base}" …><workspace>…`.
/// `base_uri` is the service root with its trailing `/`; `entity_sets` in container order
/// (`SchemaDef::entity_sets`).
pub fn service_document(base_uri: &str, entity_sets: &[&str]) -> String {
    let mut x = XmlWriter::new();
    x.start("service");
    x.attr("xmlns", NS_APP);
    x.attr("xml:base", base_uri);
    x.attr("xmlns:atom", NS_ATOM);
    x.attr("xmlns:app", NS_APP);
    x.start("workspace");
    x.leaf("atom:title", Some("Default"), &[]);
    for set in entity_sets {
        x.start("collection");
        x.attr("href", set);
        x.leaf("atom:title", Some(set), &[]);
        x.end();
    }
    x.end();
    x.end();
    x.finish()
}

/// The service document for `$format=json`, byte for byte as Personium sends it (content type
/// `text/javascript;charset=utf-8`): odata4j's pretty JSON wrapped in `(` … `);` because
/// Personium passes an empty JSONP callback name.
pub fn service_document_json(entity_sets: &[&str]) -> String {
    let mut out = String::from("({\n\"d\" : {\n\"EntitySets\" : [\n");
    for (i, set) in entity_sets.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        for c in set.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push_str("\n]\n}\n});");
    out
}

/// How the service document is rendered for a `$format` value: no `$format` → Atom; `json` /
/// `atom` in any case; `None` for anything else (Personium answers that with a 500).
pub fn service_document_format(
    format_param: Option<&str>,
) -> Option<crate::odata::negotiate::ResponseFormat> {
    use crate::odata::negotiate::ResponseFormat;
    match format_param {
        None => Some(ResponseFormat::Atom),
        Some(f) if f.eq_ignore_ascii_case("json") => Some(ResponseFormat::Json),
        Some(f) if f.eq_ignore_ascii_case("atom") => Some(ResponseFormat::Atom),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests;
