use super::*;

use ResponseFormat::{Atom, Json};

/// (`$format`, `Accept`, create?, expected). Cases marked DOT come from personium-core
/// `DecideOutputFormatTest`.
#[test]
fn negotiation_table() {
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        bool,
        Result<ResponseFormat, &'static str>,
    );
    let cases: Vec<Case> = vec![
        // DOT: no $format, no Accept → Atom (the docs say JSON).
        (None, None, false, Ok(Atom)),
        (None, Some(""), false, Ok(Atom)),
        (None, Some("   "), false, Ok(Atom)),
        // DOT: single media types.
        (None, Some("*/*"), false, Ok(Atom)),
        (None, Some("application/json"), false, Ok(Json)),
        (None, Some("application/xml"), false, Ok(Atom)),
        (None, Some("application/atom+xml"), false, Ok(Atom)),
        // DOT: XML wins over JSON wherever it is listed, with spaces or tabs around commas.
        (
            None,
            Some("application/json,application/atom+xml"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/json , application/atom+xml"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/json\t,\tapplication/atom+xml"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/xml,application/atom+xml"),
            false,
            Ok(Atom),
        ),
        // DOT: parameters after ';' are ignored, q-values included.
        (
            None,
            Some("application/xml;q=0.9,*/*;q=0.8"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/xml ;q=0.9,*/* ;q=0.8"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/xml\t;q=0.9,*/*\t;q=0.8"),
            false,
            Ok(Atom),
        ),
        (
            None,
            Some("application/json;odata=verbose"),
            false,
            Ok(Json),
        ),
        (
            None,
            Some("application/json;q=0.1,application/xml;q=0"),
            false,
            Ok(Atom),
        ),
        // DOT: JSON beats the wildcard.
        (
            None,
            Some("application/json,text/plain,*/*"),
            false,
            Ok(Json),
        ),
        (None, Some("text/html,*/*;q=0.8"), false, Ok(Atom)),
        // DOT: an unsupported value alone → 406; next to XML it is ignored.
        (None, Some("INVALID_VALUE"), false, Err("PR406-OD-0001")),
        (
            None,
            Some("application/atom+xml,INVALID_VALUE"),
            false,
            Ok(Atom),
        ),
        (None, Some("text/*"), false, Err("PR406-OD-0001")),
        (None, Some("application/*"), false, Err("PR406-OD-0001")),
        (None, Some("APPLICATION/JSON"), false, Err("PR406-OD-0001")),
        (None, Some("text/html"), false, Err("PR406-OD-0001")),
        // DOT: $format wins over Accept.
        (Some("atom"), None, false, Ok(Atom)),
        (Some("json"), None, false, Ok(Json)),
        (Some("atom"), Some("application/json"), false, Ok(Atom)),
        (Some("json"), Some("application/atom+xml"), false, Ok(Json)),
        (Some("json"), Some("INVALID_VALUE"), false, Ok(Json)),
        // DOT: bad $format → 400.
        (Some("INVALID_VALUE"), None, false, Err("PR400-OD-0005")),
        (Some("JSON"), None, false, Err("PR400-OD-0005")),
        (
            Some(""),
            Some("application/json"),
            false,
            Err("PR400-OD-0005"),
        ),
        (Some("xml"), None, true, Err("PR400-OD-0005")),
        // Create: absent $format means json, Accept is not looked at.
        (None, None, true, Ok(Json)),
        (None, Some("application/atom+xml"), true, Ok(Json)),
        (None, Some("INVALID_VALUE"), true, Ok(Json)),
        (Some("atom"), Some("application/json"), true, Ok(Atom)),
        // Non-ASCII Accept is rejected first, whatever else is given.
        (None, Some("application/jsön"), false, Err("PR400-OD-0041")),
        (Some("json"), Some("テキスト"), true, Err("PR400-OD-0041")),
    ];
    for (format, accept, create, expected) in cases {
        let actual = negotiate(format, accept, create).map_err(|e| e.pr_code());
        assert_eq!(
            actual, expected,
            "$format={format:?} Accept={accept:?} create={create}"
        );
    }
}

#[test]
fn errors_carry_the_offending_value() {
    let bad = negotiate(Some("xml"), None, false);
    assert_eq!(bad, Err(FormatError::BadFormat("xml".to_owned())));
    assert!(bad
        .is_err_and(|e| e.value() == "xml" && e.to_string() == "$format value [xml] is invalid."));
    let na = negotiate(None, Some("text/*"), false);
    assert!(na.is_err_and(|e| e.to_string() == "Not Acceptable:[text/*]."));
    let non_ascii = negotiate(None, Some("é"), false);
    assert!(non_ascii.is_err_and(|e| e.value() == "é"));
}

#[test]
fn content_types() {
    assert_eq!(Json.entity_content_type(), "application/json");
    assert_eq!(Atom.entity_content_type(), "application/atom+xml");
    assert_eq!(Json.feed_content_type(), "application/json;charset=utf-8");
    assert_eq!(
        Atom.feed_content_type(),
        "application/atom+xml;charset=utf-8"
    );
}
