//! Table tests of the query-option parser: raw query strings → options, and → PR codes.

use super::*;
use crate::odata::edm::Value;
use crate::odata::filter::{CompareOp, Operand};

fn list(q: &str) -> Result<QueryOptions, QueryError> {
    parse_query(q, false, &QueryLimits::default())
}

fn single(q: &str) -> Result<QueryOptions, QueryError> {
    parse_query(q, true, &QueryLimits::default())
}

fn defaults() -> QueryOptions {
    QueryOptions {
        filter: None,
        orderby: Vec::new(),
        top: 25,
        skip: 0,
        select: None,
        expand: Vec::new(),
        inlinecount: false,
        format: None,
        q: None,
        skiptoken: None,
        callback: None,
    }
}

fn by(p: &str, descending: bool) -> OrderBy {
    OrderBy {
        property: p.to_owned(),
        descending,
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn valid_list_queries() {
    let name_eq = |v: &str| Expr::Compare {
        op: CompareOp::Eq,
        left: Operand::Property("Name".to_owned()),
        right: Operand::Literal(Value::String(v.to_owned())),
    };
    let q255 = format!("q={}", "x".repeat(255));
    let cases: Vec<(&str, QueryOptions)> = vec![
        ("", defaults()),
        ("&&", defaults()),
        ("=x&$unknown=1&foo", defaults()),
        (
            "$top=0",
            QueryOptions {
                top: 0,
                ..defaults()
            },
        ),
        (
            "$top=10000",
            QueryOptions {
                top: 10_000,
                ..defaults()
            },
        ),
        (
            "$top=%2B5",
            QueryOptions {
                top: 5,
                ..defaults()
            },
        ),
        (
            "$top=007",
            QueryOptions {
                top: 7,
                ..defaults()
            },
        ),
        (
            "$skip=100000",
            QueryOptions {
                skip: 100_000,
                ..defaults()
            },
        ),
        (
            "$top=3&$top=99999",
            QueryOptions {
                top: 3,
                ..defaults()
            },
        ),
        (
            "%24top=3",
            QueryOptions {
                top: 3,
                ..defaults()
            },
        ),
        (
            "$filter=Name+eq+'a+b'",
            QueryOptions {
                filter: Some(name_eq("a b")),
                ..defaults()
            },
        ),
        (
            "$filter=Name%20eq%20%27a%2Bb%27",
            QueryOptions {
                filter: Some(name_eq("a+b")),
                ..defaults()
            },
        ),
        (
            "$filter=Name eq '%E6%97%A5'",
            QueryOptions {
                filter: Some(name_eq("日")),
                ..defaults()
            },
        ),
        (
            "$filter=Name eq 'a%26b=c'",
            QueryOptions {
                filter: Some(name_eq("a&b=c")),
                ..defaults()
            },
        ),
        (
            "$orderby=Name",
            QueryOptions {
                orderby: vec![by("Name", false)],
                ..defaults()
            },
        ),
        (
            "$orderby=Name%20desc,_Box.Name+asc,%20Age",
            QueryOptions {
                orderby: vec![by("Name", true), by("_Box.Name", false), by("Age", false)],
                ..defaults()
            },
        ),
        ("$select=*", defaults()),
        (
            "$select=Name",
            QueryOptions {
                select: Some(names(&["Name"])),
                ..defaults()
            },
        ),
        (
            "$select=Name,+__id,__published,_Box.Name",
            QueryOptions {
                select: Some(names(&["Name", "__id", "__published", "_Box.Name"])),
                ..defaults()
            },
        ),
        (
            "$expand=_Box",
            QueryOptions {
                expand: names(&["_Box"]),
                ..defaults()
            },
        ),
        (
            "$expand=_Box,_Role",
            QueryOptions {
                expand: names(&["_Box", "_Role"]),
                ..defaults()
            },
        ),
        ("$expand=", defaults()),
        (
            "$expand=_Box&$top=100",
            QueryOptions {
                top: 100,
                expand: names(&["_Box"]),
                ..defaults()
            },
        ),
        (
            "$inlinecount=allpages",
            QueryOptions {
                inlinecount: true,
                ..defaults()
            },
        ),
        ("$inlinecount=none", defaults()),
        (
            "$format=json",
            QueryOptions {
                format: Some(Format::Json),
                ..defaults()
            },
        ),
        (
            "$format=atom",
            QueryOptions {
                format: Some(Format::Atom),
                ..defaults()
            },
        ),
        (
            "q=a",
            QueryOptions {
                q: Some("a".to_owned()),
                ..defaults()
            },
        ),
        (
            "q=two+words",
            QueryOptions {
                q: Some("two words".to_owned()),
                ..defaults()
            },
        ),
        (
            q255.as_str(),
            QueryOptions {
                q: Some("x".repeat(255)),
                ..defaults()
            },
        ),
        (
            "$skiptoken=abc",
            QueryOptions {
                skiptoken: Some("abc".to_owned()),
                ..defaults()
            },
        ),
        (
            "$callback=cb",
            QueryOptions {
                callback: Some("cb".to_owned()),
                ..defaults()
            },
        ),
    ];
    for (q, expected) in cases {
        assert_eq!(list(q), Ok(expected), "{q}");
    }
}

#[test]
fn invalid_list_queries_give_the_personium_code() {
    let q256 = format!("q={}", "x".repeat(256));
    // 86 three-byte characters = 258 bytes.
    let q_bytes = format!("q={}", "%E6%97%A5".repeat(86));
    let cases: Vec<(&str, &str, Vec<&str>)> = vec![
        ("$top=", "PR400-OD-0036", vec!["$top"]),
        ("$top", "PR400-OD-0036", vec!["$top"]),
        ("$top=abc", "PR400-OD-0036", vec!["$top"]),
        ("$top=1.5", "PR400-OD-0036", vec!["$top"]),
        ("$top=%201", "PR400-OD-0036", vec!["$top"]),
        ("$top=2147483648", "PR400-OD-0036", vec!["$top"]),
        ("$top=-1", "PR400-OD-0029", vec!["$top", "-1"]),
        ("$top=10001", "PR400-OD-0029", vec!["$top", "10001"]),
        ("$top=%2B010001", "PR400-OD-0029", vec!["$top", "10001"]),
        ("$top=+5", "PR400-OD-0036", vec!["$top"]),
        ("$skip=x", "PR400-OD-0036", vec!["$skip"]),
        ("$skip=-1", "PR400-OD-0029", vec!["$skip", "-1"]),
        ("$skip=100001", "PR400-OD-0029", vec!["$skip", "100001"]),
        ("$top=x&$skip=y", "PR400-OD-0036", vec!["$top"]),
        ("$skip=y&$filter=(", "PR400-OD-0036", vec!["$skip"]),
        ("$filter=", "PR400-OD-0003", vec![]),
        ("$filter=Name+eq", "PR400-OD-0003", vec![]),
        ("$filter=endswith(Name,'a')", "PR400-OD-0044", vec![]),
        ("$filter=A+add+1+eq+2", "PR400-OD-0043", vec![]),
        ("$filter=(&$select=", "PR400-OD-0003", vec![]),
        ("$select=", "PR400-OD-0017", vec![]),
        ("$select=Name,", "PR400-OD-0017", vec![]),
        ("$select=,Name", "PR400-OD-0017", vec![]),
        ("$select=Name,*", "PR400-OD-0017", vec![]),
        ("$select='Name'", "PR400-OD-0017", vec![]),
        ("$select=Name desc", "PR400-OD-0017", vec![]),
        ("$select=desc", "PR400-OD-0017", vec![]),
        ("$select=1", "PR400-OD-0017", vec![]),
        ("$select=null", "PR400-OD-0017", vec![]),
        ("$select=(Name)", "PR400-OD-0017", vec![]),
        ("$select=&$expand=x", "PR400-OD-0017", vec![]),
        ("$expand=Box", "PR400-OD-0026", vec![]),
        ("$expand=_Box,%20_Role", "PR400-OD-0026", vec![]),
        ("$expand=_Box,", "PR400-OD-0026", vec![]),
        ("$expand=_Box.Name", "PR400-OD-0026", vec![]),
        ("$expand=_A,_B,_C", "PR400-OD-0039", vec![]),
        ("$expand=x&$inlinecount=y", "PR400-OD-0026", vec![]),
        ("$inlinecount=", "PR400-OD-0013", vec![""]),
        ("$inlinecount=AllPages", "PR400-OD-0013", vec!["AllPages"]),
        ("$inlinecount=x&$orderby=", "PR400-OD-0013", vec!["x"]),
        ("$orderby=", "PR400-OD-0015", vec![]),
        ("$orderby=+", "PR400-OD-0015", vec![]),
        ("$orderby=Name ASC", "PR400-OD-0015", vec![]),
        ("$orderby=Name test", "PR400-OD-0015", vec![]),
        ("$orderby=Name desc asc", "PR400-OD-0015", vec![]),
        ("$orderby=Name,,Age", "PR400-OD-0015", vec![]),
        ("$orderby=Name,", "PR400-OD-0015", vec![]),
        ("$orderby=desc", "PR400-OD-0015", vec![]),
        ("$orderby=Name*", "PR400-OD-0015", vec![]),
        ("$orderby=tolower(Name)", "PR400-OD-0015", vec![]),
        ("$orderby='Name'", "PR400-OD-0003", vec![]),
        ("$orderby=1 desc", "PR400-OD-0003", vec![]),
        ("$orderby=Name 'asc'", "PR400-OD-0015", vec![]),
        ("$orderby=x y&q=", "PR400-OD-0015", vec![]),
        ("q=", "PR400-OD-0029", vec!["q", ""]),
        ("q", "PR400-OD-0029", vec!["q", ""]),
        (
            q256.as_str(),
            "PR400-OD-0029",
            vec!["q", q256.trim_start_matches("q=")],
        ),
        (
            "$expand=_Box&$top=101",
            "PR400-OD-0029",
            vec!["$top", "101"],
        ),
        ("$expand=&$top=101", "PR400-OD-0029", vec!["$top", "101"]),
        ("$format=xml", "PR400-OD-0005", vec!["xml"]),
        ("$format=JSON", "PR400-OD-0005", vec!["JSON"]),
        (
            "$format=application/json",
            "PR400-OD-0005",
            vec!["application/json"],
        ),
        ("$format=", "PR400-OD-0005", vec![""]),
        ("$format=xml&$top=x", "PR400-OD-0036", vec!["$top"]),
    ];
    for (q, code, params) in cases {
        match list(q) {
            Ok(o) => panic!("{q:?} parsed as {o:?}, expected {code}"),
            Err(e) => {
                assert_eq!(e.pr_code(), code, "{q:?}: {e}");
                assert_eq!(e.params(), params, "{q:?}");
            }
        }
    }
    assert_eq!(
        list(&q_bytes).map_err(|e| e.pr_code()),
        Err("PR400-OD-0029")
    );
}

#[test]
fn single_entity_queries_read_only_format_select_expand() {
    let ten = (0..10).map(|i| format!("_N{i}")).collect::<Vec<_>>();
    let q = format!("$expand={}", ten.join(","));
    assert_eq!(single(&q).map(|o| o.expand), Ok(ten.clone()));
    let eleven = format!("{q},_N10");
    assert_eq!(
        single(&eleven).map_err(|e| e.pr_code()),
        Err("PR400-OD-0039")
    );
    let ignored = "$top=x&$skip=-1&$filter=(&$orderby=&$inlinecount=x&q=&$select=Name";
    let expected = QueryOptions {
        select: Some(names(&["Name"])),
        ..defaults()
    };
    assert_eq!(single(ignored), Ok(expected));
    let cases: &[(&str, &str)] = &[
        ("$format=x&$select=", "PR400-OD-0005"),
        ("$select=&$expand=x", "PR400-OD-0017"),
        ("$expand=x", "PR400-OD-0026"),
    ];
    for (q, code) in cases {
        assert_eq!(single(q).map_err(|e| e.pr_code()), Err(*code), "{q}");
    }
    let both = single("$format=atom&$callback=f&$select=*");
    let expected = QueryOptions {
        format: Some(Format::Atom),
        callback: Some("f".to_owned()),
        ..defaults()
    };
    assert_eq!(both, Ok(expected));
}

#[test]
fn limits_come_from_the_caller() {
    let limits = QueryLimits {
        top_default: 50,
        top_max: 60,
        skip_max: 5,
        expand_top_max: 10,
        expand_list_max: 1,
        expand_single_max: 1,
    };
    let parse = |q: &str| parse_query(q, false, &limits).map_err(|e| e.pr_code());
    assert_eq!(parse("").map(|o| o.top), Ok(50));
    assert_eq!(parse("$top=60").map(|o| o.top), Ok(60));
    assert_eq!(parse("$top=61"), Err("PR400-OD-0029"));
    assert_eq!(parse("$skip=6"), Err("PR400-OD-0029"));
    assert_eq!(parse("$expand=_A,_B"), Err("PR400-OD-0039"));
    assert_eq!(parse("$expand=_A&$top=11"), Err("PR400-OD-0029"));
    // Without an explicit $top the default applies even above the expand limit.
    assert_eq!(parse("$expand=_A").map(|o| o.top), Ok(50));
    assert_eq!(QueryLimits::default().top_default, 25);
}
