use super::*;
use crate::odata::ctl_schema::cell_ctl;
use crate::odata::negotiate::ResponseFormat;

#[test]
fn atom_service_document_is_byte_exact() {
    let expected = concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        r#"<service xmlns="http://www.w3.org/2007/app" xml:base="https://u.example/c1/__ctl/" "#,
        r#"xmlns:atom="http://www.w3.org/2005/Atom" xmlns:app="http://www.w3.org/2007/app">"#,
        r#"<workspace><atom:title>Default</atom:title>"#,
        r#"<collection href="Role"><atom:title>Role</atom:title></collection>"#,
        r#"<collection href="Account"><atom:title>Account</atom:title></collection>"#,
        r#"</workspace></service>"#
    );
    assert_eq!(
        service_document("https://u.example/c1/__ctl/", &["Role", "Account"]),
        expected
    );
}

#[test]
fn cell_ctl_service_document_lists_every_set() {
    let sets: Vec<&str> = cell_ctl()
        .entity_sets
        .iter()
        .map(|(s, _)| s.as_str())
        .collect();
    let doc = service_document("https://u.example/c1/__ctl/", &sets);
    let mut reader = quick_xml::Reader::from_str(&doc);
    reader.config_mut().check_end_names = true;
    let mut hrefs = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"collection" => {
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == b"href" {
                        hrefs.push(String::from_utf8_lossy(&a.value).into_owned());
                    }
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}"),
        }
    }
    assert_eq!(hrefs, sets);
}

#[test]
fn json_service_document_is_odata4j_jsonp() {
    assert_eq!(
        service_document_json(&["Role", "Account"]),
        "({\n\"d\" : {\n\"EntitySets\" : [\n\"Role\", \"Account\"\n]\n}\n});"
    );
    assert_eq!(
        service_document_json(&[]),
        "({\n\"d\" : {\n\"EntitySets\" : [\n\n]\n}\n});"
    );
}

#[test]
fn service_document_format_ignores_case() {
    assert_eq!(service_document_format(None), Some(ResponseFormat::Atom));
    assert_eq!(
        service_document_format(Some("JSON")),
        Some(ResponseFormat::Json)
    );
    assert_eq!(
        service_document_format(Some("atom")),
        Some(ResponseFormat::Atom)
    );
    assert_eq!(service_document_format(Some("xml")), None);
}
