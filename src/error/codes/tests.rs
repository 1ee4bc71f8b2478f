//! Table-driven tests for the Personium error-code table.

use super::{by_id, Code, ALL};

/// `^PR\d{3}-[A-Z]{2}-\d{4}$` without a regex dependency.
fn is_valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 13
        && b.starts_with(b"PR")
        && b[2..5].iter().all(u8::is_ascii_digit)
        && b[5] == b'-'
        && b[6..8].iter().all(u8::is_ascii_uppercase)
        && b[8] == b'-'
        && b[9..13].iter().all(u8::is_ascii_digit)
}

fn strings(params: &[&str]) -> Vec<String> {
    params.iter().map(|p| (*p).to_owned()).collect()
}

#[test]
fn id_format_check_itself() {
    assert!(is_valid_id("PR404-DV-0003"));
    for bad in [
        "",
        "PR404-DV-003",
        "PR404-dv-0003",
        "PR4040-DV-0003",
        "PL-BI-0000",
        "PR404_DV_0003",
        "PR404-DV-00031",
        "XR404-DV-0003",
    ] {
        assert!(!is_valid_id(bad), "{bad:?} accepted");
    }
}

#[test]
fn table_is_not_empty() {
    assert!(ALL.len() > 200, "only {} codes", ALL.len());
}

#[test]
fn every_id_is_well_formed() {
    for code in ALL {
        assert!(is_valid_id(code.id), "bad id {:?}", code.id);
    }
}

#[test]
fn status_equals_id_digits() {
    for code in ALL {
        let digits = code.id.get(2..5).and_then(|d| d.parse::<u16>().ok());
        assert_eq!(digits, Some(code.status), "{}", code.id);
        assert!((400..600).contains(&code.status), "{}", code.id);
    }
}

#[test]
fn ids_are_unique_and_sorted() {
    for pair in ALL.windows(2) {
        assert!(pair[0].id < pair[1].id, "{} !< {}", pair[0].id, pair[1].id);
    }
}

#[test]
fn by_id_finds_every_code() {
    for code in ALL {
        match by_id(code.id) {
            Some(found) => assert!(std::ptr::eq(found, *code), "{}", code.id),
            None => panic!("by_id({:?}) found nothing", code.id),
        }
    }
}

#[test]
fn by_id_rejects_unknown_ids() {
    for id in [
        "",
        "PR404-DV-9999",
        "PR404-DV-000",
        "pr404-dv-0003",
        "PR404-DV-0003 ",
        " PR404-DV-0003",
        "PR405-DV-0003",
        "PL-BI-0000",
        "PS-ER-0001",
        "PR409-RM-0001",
    ] {
        assert_eq!(by_id(id), None, "{id:?}");
    }
}

#[test]
fn constants_match_lookup_and_wire_text() {
    let cases: &[(&Code, &str, u16, &str)] = &[
        (
            &super::PR404_DV_0003,
            "PR404-DV-0003",
            404,
            "Cell not found.",
        ),
        (
            &super::PR404_OD_0002,
            "PR404-OD-0002",
            404,
            "No such entity.",
        ),
        (
            &super::PR400_AN_0017,
            "PR400-AN-0017",
            400,
            "Authentication failed.",
        ),
        (
            &super::PR401_AN_0023,
            "PR401-AN-0023",
            401,
            "The password should be changed.",
        ),
        (
            &super::PR503_SV_0001,
            "PR503-SV-0001",
            503,
            "Too many concurrent requests.",
        ),
        (
            &super::PR412_DV_0002,
            "PR412-DV-0002",
            412,
            "Overwrite header is \"F\" and the destination URL is already mapped to a resource.",
        ),
        // Duplicate key in the properties file: the last value wins, as in Java.
        (
            &super::PR400_AN_0004,
            "PR400-AN-0004",
            400,
            "Client secret is expired and invalid.",
        ),
        // MessageFormat quote doubling is undone.
        (
            &super::PR400_OD_0045,
            "PR400-OD-0045",
            400,
            "An unknown property with name '{0}' was found.",
        ),
        (
            &super::PR500_SV_9999,
            "PR500-SV-9999",
            500,
            "Unknown Exception [{0}]",
        ),
    ];
    for (code, id, status, message) in cases {
        assert_eq!(code.id, *id);
        assert_eq!(code.status, *status, "{id}");
        assert_eq!(code.message, *message, "{id}");
        assert_eq!(by_id(id), Some(*code), "{id}");
    }
}

#[test]
fn templates_are_clean() {
    for code in ALL {
        let m = code.message;
        assert!(!m.is_empty(), "{}", code.id);
        assert_eq!(m.trim(), m, "{}: surrounding whitespace", code.id);
        assert!(!m.contains("''"), "{}: MessageFormat quote left", code.id);
        assert!(
            !m.chars().any(char::is_control),
            "{}: control char",
            code.id
        );
        // Every brace belongs to a `{n}` placeholder.
        let mut rest = m;
        while let Some(open) = rest.find(['{', '}']) {
            let after = &rest[open..];
            let len = after.find('}').map_or(0, |close| close + 1);
            let inner = after.get(1..len.saturating_sub(1)).unwrap_or("");
            assert!(
                after.starts_with('{')
                    && !inner.is_empty()
                    && inner.bytes().all(|b| b.is_ascii_digit()),
                "{}: stray brace in {m:?}",
                code.id
            );
            rest = &after[len..];
        }
    }
}

#[test]
fn render_fills_params() {
    assert_eq!(
        super::PR400_OD_0029.render(&strings(&["$top", "-1"])),
        "Query value [$top]=[-1] is invalid."
    );
    assert_eq!(
        super::PR401_AN_0020.render(&strings(&["https://a/", "https://b/"])),
        "Client mismatch. [https://a/] expected, but was [https://b/]."
    );
    assert_eq!(
        super::PR400_OD_0045.render(&strings(&["Foo"])),
        "An unknown property with name 'Foo' was found."
    );
    assert_eq!(
        super::PR409_RM_0005.render(&strings(&["a", "b", "c", "d"])),
        "RequestRelation and RequestRelationTarget is not related. \
         [Type [a]. Keys[b]] - [Type c. Keys[d]]."
    );
    // Three placeholders.
    assert_eq!(
        super::PR500_NW_0001.render(&strings(&["GET", "https://x/", "500"])),
        "HTTP GET request to https://x/ failed. Response code : 500."
    );
}

#[test]
fn render_without_placeholders_is_the_template() {
    for code in ALL.iter().filter(|c| !c.message.contains('{')) {
        assert_eq!(code.render(&[]), code.message, "{}", code.id);
        assert_eq!(code.render(&strings(&["x"])), code.message, "{}", code.id);
    }
}

#[test]
fn render_missing_params_become_empty() {
    assert_eq!(
        super::PR400_OD_0029.render(&[]),
        "Query value []=[] is invalid."
    );
    assert_eq!(
        super::PR400_OD_0029.render(&strings(&["q"])),
        "Query value [q]=[] is invalid."
    );
}

#[test]
fn render_does_not_reexpand_params() {
    assert_eq!(
        super::PR400_OD_0029.render(&strings(&["{1}", "{0}"])),
        "Query value [{1}]=[{0}] is invalid."
    );
}

#[test]
fn render_escapes_control_chars_like_personium() {
    assert_eq!(
        super::PR400_OD_0009.render(&strings(&["a\nb\u{7f}\u{1}"])),
        "[a\\u000Ab\\u007F\\u0001] is required."
    );
    // Non-ASCII text passes through.
    assert_eq!(
        super::PR400_OD_0009.render(&strings(&["名前"])),
        "[名前] is required."
    );
}

#[test]
fn every_spec_code_is_in_the_table() {
    for id in SPEC_CODES {
        assert!(by_id(id).is_some(), "spec code {id} missing from the table");
    }
}

#[test]
fn doc_only_codes_stay_out() {
    for id in SPEC_DOC_ONLY {
        assert_eq!(by_id(id), None, "{id} is documentation-only");
    }
}

/// Every code named in shared/spec/personium-api.md (ranges expanded),
/// generated by `scripts/gen-error-codes.py --print-spec-codes`.
const SPEC_CODES: &[&str] = &[
    "PR400-AN-0001",
    "PR400-AN-0002",
    "PR400-AN-0003",
    "PR400-AN-0004",
    "PR400-AN-0005",
    "PR400-AN-0006",
    "PR400-AN-0007",
    "PR400-AN-0008",
    "PR400-AN-0009",
    "PR400-AN-0010",
    "PR400-AN-0011",
    "PR400-AN-0012",
    "PR400-AN-0013",
    "PR400-AN-0014",
    "PR400-AN-0015",
    "PR400-AN-0016",
    "PR400-AN-0017",
    "PR400-AN-0018",
    "PR400-AN-0019",
    "PR400-AN-0022",
    "PR400-AU-0001",
    "PR400-AZ-0002",
    "PR400-AZ-0003",
    "PR400-BI-0001",
    "PR400-BI-0002",
    "PR400-BI-0003",
    "PR400-BI-0004",
    "PR400-BI-0005",
    "PR400-BI-0006",
    "PR400-BI-0007",
    "PR400-BI-0008",
    "PR400-BI-0009",
    "PR400-BI-0010",
    "PR400-CM-0001",
    "PR400-CM-0002",
    "PR400-CM-0003",
    "PR400-CM-0004",
    "PR400-CM-0005",
    "PR400-DV-0001",
    "PR400-DV-0002",
    "PR400-DV-0003",
    "PR400-DV-0004",
    "PR400-DV-0005",
    "PR400-DV-0006",
    "PR400-DV-0007",
    "PR400-DV-0008",
    "PR400-DV-0009",
    "PR400-DV-0010",
    "PR400-DV-0011",
    "PR400-DV-0012",
    "PR400-DV-0013",
    "PR400-DV-0014",
    "PR400-DV-0015",
    "PR400-DV-0016",
    "PR400-DV-0017",
    "PR400-DV-0018",
    "PR400-EV-0002",
    "PR400-EV-0004",
    "PR400-EV-0005",
    "PR400-MC-0001",
    "PR400-MC-0002",
    "PR400-MC-0003",
    "PR400-MC-0004",
    "PR400-OD-0001",
    "PR400-OD-0004",
    "PR400-OD-0005",
    "PR400-OD-0006",
    "PR400-OD-0007",
    "PR400-OD-0008",
    "PR400-OD-0009",
    "PR400-OD-0010",
    "PR400-OD-0011",
    "PR400-OD-0013",
    "PR400-OD-0015",
    "PR400-OD-0016",
    "PR400-OD-0017",
    "PR400-OD-0019",
    "PR400-OD-0022",
    "PR400-OD-0024",
    "PR400-OD-0029",
    "PR400-OD-0030",
    "PR400-OD-0031",
    "PR400-OD-0032",
    "PR400-OD-0033",
    "PR400-OD-0036",
    "PR400-OD-0038",
    "PR400-OD-0039",
    "PR400-OD-0040",
    "PR400-OD-0042",
    "PR400-OD-0043",
    "PR400-OD-0044",
    "PR400-OD-0045",
    "PR400-OD-0046",
    "PR400-OD-0047",
    "PR400-OD-0049",
    "PR400-OD-0050",
    "PR400-PA-0001",
    "PR400-RM-0001",
    "PR400-RM-0002",
    "PR400-RM-0003",
    "PR400-SM-0001",
    "PR400-SM-0002",
    "PR400-SM-0003",
    "PR400-SM-0004",
    "PR401-AN-0020",
    "PR401-AN-0021",
    "PR401-AN-0023",
    "PR401-AU-0001",
    "PR401-AU-0002",
    "PR401-AU-0003",
    "PR401-AU-0004",
    "PR401-AU-0006",
    "PR401-AU-0007",
    "PR401-AU-0008",
    "PR401-AU-0009",
    "PR401-AU-0010",
    "PR401-AU-0011",
    "PR401-AU-0012",
    "PR401-PA-0001",
    "PR403-AU-0001",
    "PR403-AU-0002",
    "PR403-AU-0003",
    "PR403-AU-0004",
    "PR403-AU-0005",
    "PR403-AU-0006",
    "PR403-AU-0007",
    "PR403-DV-0001",
    "PR403-DV-0003",
    "PR403-DV-0004",
    "PR403-DV-0005",
    "PR404-DV-0001",
    "PR404-DV-0002",
    "PR404-DV-0003",
    "PR404-MC-0001",
    "PR404-OD-0001",
    "PR404-OD-0002",
    "PR404-OD-0003",
    "PR405-BI-0001",
    "PR405-DV-0001",
    "PR405-MC-0001",
    "PR406-CM-0001",
    "PR406-OD-0001",
    "PR409-CM-0001",
    "PR409-CM-0002",
    "PR409-DV-0001",
    "PR409-MC-0002",
    "PR409-OD-0001",
    "PR409-OD-0002",
    "PR409-OD-0003",
    "PR409-OD-0006",
    "PR409-RM-0002",
    "PR412-DV-0001",
    "PR412-DV-0002",
    "PR412-MC-0001",
    "PR412-OD-0002",
    "PR412-UI-0001",
    "PR412-UI-0002",
    "PR412-UI-0003",
    "PR415-MC-0001",
    "PR416-DV-0001",
    "PR500-PA-0001",
    "PR500-SC-0001",
    "PR500-SC-0006",
    "PR501-MC-0001",
    "PR501-MC-0002",
    "PR503-PA-0001",
    "PR503-SV-0001",
];

/// Codes the spec names only as Personium *documentation* errors
/// (DOC != CODE); the server never sends them, so they are not in the table.
const SPEC_DOC_ONLY: &[&str] = &[
    "PR400-AN-0020",
    "PR400-AN-0021",
    "PR400-AN-0030",
    "PR400-AN-0031",
    "PR400-AN-0032",
    "PR400-AN-0033",
    "PR401-AN-0001",
];
