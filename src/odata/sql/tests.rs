//! Table tests of the SQL compiler: exact SQL and binds per dialect, and the PR code of each
//! operand/property error. (Execution against real SQLite and PostgreSQL databases lives with
//! the dev-only harness; see the scratch crate's `tests/exec.rs`.)

use super::*;
use crate::odata::filter::parse_filter;

/// A small entity type.
struct Cols;

impl PropertyResolver for Cols {
    fn column(&self, property: &str) -> Option<ColumnRef> {
        let (sql, ty, collection) = match property {
            "Name" => ("t.name", EdmType::String, false),
            "Age" => ("t.age", EdmType::Int32, false),
            "Big" => ("t.big", EdmType::Int64, false),
            "Score" => ("t.score", EdmType::Double, false),
            "Ratio" => ("t.ratio", EdmType::Single, false),
            "Flag" => ("t.flag", EdmType::Boolean, false),
            "At" => ("t.at", EdmType::DateTime, false),
            "Tags" => ("t.tags", EdmType::String, true),
            "_Box.Name" => ("b.name", EdmType::String, false),
            "Low" => ("lower(t.name)", EdmType::String, false),
            _ => return None,
        };
        Some(ColumnRef {
            sql: sql.to_owned(),
            ty,
            collection,
        })
    }
}

fn compile(dialect: Dialect, filter: &str) -> Result<(String, Vec<SqlValue>), QueryError> {
    let e = parse_filter(filter)?;
    let mut b = SqlBuilder::new(dialect);
    push_filter(&mut b, &e, &Cols)?;
    Ok(b.into_parts())
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

const UPPER: &str = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const LOWER: &str = "'abcdefghijklmnopqrstuvwxyz'";

#[test]
fn filters_compile_to_the_expected_sql() {
    use SqlValue::{Bool, Double, Int};
    let strpos = format!("(strpos(translate(t.name, {UPPER}, {LOWER}), $1) > 0)");
    // (filter, SQLite SQL, PostgreSQL SQL, binds)
    let cases: Vec<(&str, &str, &str, Vec<SqlValue>)> = vec![
        (
            "Name eq 'abc'",
            "(t.name = ?)",
            "(t.name = $1)",
            vec![text("abc")],
        ),
        (
            "Name ne 'abc'",
            "(t.name <> ? OR t.name IS NULL)",
            "(t.name <> $1 OR t.name IS NULL)",
            vec![text("abc")],
        ),
        (
            "Name eq null",
            "(t.name IS NULL)",
            "(t.name IS NULL)",
            vec![],
        ),
        (
            "Name ne null",
            "(t.name IS NOT NULL)",
            "(t.name IS NOT NULL)",
            vec![],
        ),
        (
            "Name gt 'm'",
            "(t.name > ?)",
            "(t.name COLLATE \"C\" > $1)",
            vec![text("m")],
        ),
        (
            "Name le 'm'",
            "(t.name <= ?)",
            "(t.name COLLATE \"C\" <= $1)",
            vec![text("m")],
        ),
        ("Age ge 18", "(t.age >= ?)", "(t.age >= $1)", vec![Int(18)]),
        (
            "Age lt -2147483648",
            "(t.age < ?)",
            "(t.age < $1)",
            vec![Int(-2_147_483_648)],
        ),
        ("Age eq 5L", "(t.age = ?)", "(t.age = $1)", vec![Int(5)]),
        (
            "Big gt 3000000000",
            "(t.big > ?)",
            "(t.big > $1)",
            vec![Int(3_000_000_000)],
        ),
        (
            "Score lt 2",
            "(t.score < ?)",
            "(t.score < $1)",
            vec![Double(2.0)],
        ),
        (
            "Score eq 0.1f",
            "(t.score = ?)",
            "(t.score = $1)",
            vec![Double(0.1)],
        ),
        (
            "Score eq 2.5m",
            "(t.score = ?)",
            "(t.score = $1)",
            vec![Double(2.5)],
        ),
        (
            "Ratio eq 12345.12345",
            "(t.ratio = ?)",
            "(t.ratio = $1)",
            vec![Double(12_345.123_45)],
        ),
        (
            "Ratio eq 7",
            "(t.ratio = ?)",
            "(t.ratio = $1)",
            vec![Double(7.0)],
        ),
        (
            "Flag eq true",
            "(t.flag = ?)",
            "(t.flag = $1)",
            vec![Bool(true)],
        ),
        (
            "Flag ne false",
            "(t.flag <> ? OR t.flag IS NULL)",
            "(t.flag <> $1 OR t.flag IS NULL)",
            vec![Bool(false)],
        ),
        (
            "At gt datetime'2024-01-02T03:04:05'",
            "(t.at > ?)",
            "(t.at > $1)",
            vec![Int(1_704_164_645_000)],
        ),
        ("At le 0", "(t.at <= ?)", "(t.at <= $1)", vec![Int(0)]),
        (
            "At ge -6847804800000",
            "(t.at >= ?)",
            "(t.at >= $1)",
            vec![Int(DATETIME_MIN)],
        ),
        (
            "_Box.Name eq 'b'",
            "(b.name = ?)",
            "(b.name = $1)",
            vec![text("b")],
        ),
        (
            "Low ne 'x'",
            "((lower(t.name)) <> ? OR (lower(t.name)) IS NULL)",
            "((lower(t.name)) <> $1 OR (lower(t.name)) IS NULL)",
            vec![text("x")],
        ),
        (
            "Low gt 'x'",
            "((lower(t.name)) > ?)",
            "((lower(t.name)) COLLATE \"C\" > $1)",
            vec![text("x")],
        ),
        (
            "Age eq 1 and Name eq 'a'",
            "((t.age = ?) AND (t.name = ?))",
            "((t.age = $1) AND (t.name = $2))",
            vec![Int(1), text("a")],
        ),
        (
            "Age eq 1 or Age eq 2 and Name eq 'a'",
            "((t.age = ?) OR ((t.age = ?) AND (t.name = ?)))",
            "((t.age = $1) OR ((t.age = $2) AND (t.name = $3)))",
            vec![Int(1), Int(2), text("a")],
        ),
        (
            "not (Age eq 1)",
            "(NOT COALESCE((t.age = ?), FALSE))",
            "(NOT COALESCE((t.age = $1), FALSE))",
            vec![Int(1)],
        ),
        (
            "startswith(Name,'ab')",
            "(substr(t.name, 1, length(?)) = ?)",
            "(substr(t.name, 1, length($1)) = $2)",
            vec![text("ab"), text("ab")],
        ),
        (
            "substringof('AbC',Name)",
            "(instr(lower(t.name), ?) > 0)",
            &strpos,
            vec![text("abc")],
        ),
        ("substringof('',Name)", "(1 = 0)", "(1 = 0)", vec![]),
        // Personium unescapes backslash sequences in string operands.
        (
            "Name eq 'a\\nb'",
            "(t.name = ?)",
            "(t.name = $1)",
            vec![text("a\nb")],
        ),
        (
            "Name eq 'value_\\u0001_value'",
            "(t.name = ?)",
            "(t.name = $1)",
            vec![text("value_\u{1}_value")],
        ),
        (
            "Name eq 'value_\\\\u0001_value'",
            "(t.name = ?)",
            "(t.name = $1)",
            vec![text("value_\\u0001_value")],
        ),
        (
            "startswith(Name,'\\u0041')",
            "(substr(t.name, 1, length(?)) = ?)",
            "(substr(t.name, 1, length($1)) = $2)",
            vec![text("A"), text("A")],
        ),
    ];
    for (filter, sqlite, pg, binds) in cases {
        let got = compile(Dialect::Sqlite, filter);
        assert_eq!(
            got,
            Ok((sqlite.to_owned(), binds.clone())),
            "SQLite: {filter}"
        );
        let got = compile(Dialect::Postgres, filter);
        assert_eq!(got, Ok((pg.to_owned(), binds)), "PostgreSQL: {filter}");
    }
}

#[test]
fn operand_errors_give_the_personium_code() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("Nope eq 1", "PR400-OD-0045", &["Nope"]),
        ("startswith(Nope,'a')", "PR400-OD-0045", &["Nope"]),
        ("substringof('a',Nope)", "PR400-OD-0045", &["Nope"]),
        ("Nope eq 'a' and Age eq 'x'", "PR400-OD-0045", &["Nope"]),
        ("Nope gt null", "PR400-OD-0045", &["Nope"]),
        ("'a' eq Name", "PR400-OD-0003", &[]),
        ("1 eq 1", "PR400-OD-0003", &[]),
        ("Name gt null", "PR400-OD-0003", &[]),
        ("Name lt true", "PR400-OD-0003", &[]),
        ("Flag gt true", "PR400-OD-0003", &[]),
        ("Age ge null", "PR400-OD-0003", &[]),
        ("Name eq Age", "PR400-OD-0046", &["Name"]),
        ("Name eq True", "PR400-OD-0046", &["Name"]),
        ("Name eq 1", "PR400-OD-0046", &["Name"]),
        ("Name gt 1111", "PR400-OD-0046", &["Name"]),
        ("Name eq 1.5", "PR400-OD-0046", &["Name"]),
        ("Name eq true", "PR400-OD-0046", &["Name"]),
        (
            "Name eq datetime'2024-01-02T03:04:05'",
            "PR400-OD-0046",
            &["Name"],
        ),
        ("Age eq 'x'", "PR400-OD-0046", &["Age"]),
        ("Age ge '1111'", "PR400-OD-0046", &["Age"]),
        ("Age eq 1.5", "PR400-OD-0046", &["Age"]),
        ("Age eq 1.5f", "PR400-OD-0046", &["Age"]),
        ("Age eq true", "PR400-OD-0046", &["Age"]),
        ("Big eq 1.5", "PR400-OD-0046", &["Big"]),
        ("Score eq 'x'", "PR400-OD-0046", &["Score"]),
        ("Score eq true", "PR400-OD-0046", &["Score"]),
        (
            "Score eq datetime'2024-01-02T03:04:05'",
            "PR400-OD-0046",
            &["Score"],
        ),
        ("Flag eq 1", "PR400-OD-0046", &["Flag"]),
        ("Flag eq 'true'", "PR400-OD-0046", &["Flag"]),
        ("Flag gt 1", "PR400-OD-0046", &["Flag"]),
        ("At eq 'x'", "PR400-OD-0046", &["At"]),
        ("At eq 1.5", "PR400-OD-0046", &["At"]),
        ("startswith(Age,'1')", "PR400-OD-0046", &["Age"]),
        ("substringof('a',Flag)", "PR400-OD-0046", &["Flag"]),
        ("Name eq 'a' or Age eq 'x'", "PR400-OD-0046", &["Age"]),
        ("not (Age eq 'x')", "PR400-OD-0046", &["Age"]),
        ("Age eq 3000000000", "PR400-OD-0047", &["Age"]),
        ("Age eq 3000000000L", "PR400-OD-0047", &["Age"]),
        ("Age lt -2147483649", "PR400-OD-0047", &["Age"]),
        ("Ratio eq 123456", "PR400-OD-0047", &["Ratio"]),
        ("Ratio eq 1.234567", "PR400-OD-0047", &["Ratio"]),
        ("Ratio eq 0.0001", "PR400-OD-0047", &["Ratio"]),
        ("Ratio eq 1E+10", "PR400-OD-0047", &["Ratio"]),
        (
            "At eq datetime'1752-12-31T23:59:59.999'",
            "PR400-OD-0047",
            &["At"],
        ),
        ("At eq 253402300800000", "PR400-OD-0047", &["At"]),
        ("At eq -6847804800001", "PR400-OD-0047", &["At"]),
        ("Tags eq 'a'", "PR400-OD-0047", &["Tags"]),
        ("startswith(Tags,'a')", "PR400-OD-0047", &["Tags"]),
        (
            "Name eq 'value_\\u001_value'",
            "PR400-OD-0048",
            &["value_\\u001_value"],
        ),
        ("startswith(Name,'\\u12zz')", "PR400-OD-0048", &["\\u12zz"]),
        ("substringof('\\ud800',Name)", "PR400-OD-0048", &["\\ud800"]),
        ("Name eq 'a\\u0000b'", "PR400-OD-0047", &["Name"]),
        ("Name eq 'a\u{0}b'", "PR400-OD-0047", &["Name"]),
        ("startswith(Name,'\\u0000')", "PR400-OD-0047", &["Name"]),
        ("substringof('\\u0000',Name)", "PR400-OD-0047", &["Name"]),
    ];
    for (filter, code, params) in cases {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            match compile(dialect, filter) {
                Ok(sql) => panic!("{filter:?} compiled to {sql:?}, expected {code}"),
                Err(e) => {
                    assert_eq!(e.pr_code(), *code, "{filter:?}: {e}");
                    assert_eq!(e.params(), params.to_vec(), "{filter:?}");
                }
            }
        }
    }
}

#[test]
fn postgres_placeholders_continue_the_statement_numbering() {
    let e = parse_filter("Name eq 'a' and startswith(Name,'b')").ok();
    let mut b = SqlBuilder::new(Dialect::Postgres);
    b.push_sql("SELECT * FROM t WHERE t.cell = ");
    b.push_bind(SqlValue::Int(7));
    b.push_sql(" AND ");
    let res = e.map(|e| push_filter(&mut b, &e, &Cols));
    assert_eq!(res, Some(Ok(())));
    assert_eq!(
        b.sql(),
        "SELECT * FROM t WHERE t.cell = $1 AND ((t.name = $2) AND (substr(t.name, 1, length($3)) = $4))"
    );
    assert_eq!(b.binds().len(), 4);
    assert_eq!(b.dialect(), Dialect::Postgres);
}

fn order(dialect: Dialect, keys: &[(&str, bool)]) -> Result<String, QueryError> {
    let o: Vec<OrderBy> = keys
        .iter()
        .map(|(p, d)| OrderBy {
            property: (*p).to_owned(),
            descending: *d,
        })
        .collect();
    let mut b = SqlBuilder::new(dialect);
    push_order_by(&mut b, &o, &Cols)?;
    let (sql, binds) = b.into_parts();
    assert!(binds.is_empty());
    Ok(sql)
}

#[test]
fn orderby_compiles_with_nulls_last() {
    // (keys, SQLite SQL, PostgreSQL SQL)
    type Case = (Vec<(&'static str, bool)>, &'static str, &'static str);
    let cases: Vec<Case> = vec![
        (vec![], "", ""),
        (vec![("Nope", false)], "", ""),
        (
            vec![("Name", false)],
            " ORDER BY t.name IS NULL, t.name ASC",
            " ORDER BY t.name COLLATE \"C\" ASC NULLS LAST",
        ),
        (
            vec![("Age", true), ("Nope", true), ("Name", false)],
            " ORDER BY t.age DESC, t.name IS NULL, t.name ASC",
            " ORDER BY t.age DESC NULLS LAST, t.name COLLATE \"C\" ASC NULLS LAST",
        ),
        (
            vec![("Low", true)],
            " ORDER BY (lower(t.name)) DESC",
            " ORDER BY (lower(t.name)) COLLATE \"C\" DESC NULLS LAST",
        ),
        (
            vec![("At", false), ("Flag", true)],
            " ORDER BY t.at IS NULL, t.at ASC, t.flag DESC",
            " ORDER BY t.at ASC NULLS LAST, t.flag DESC NULLS LAST",
        ),
    ];
    for (keys, sqlite, pg) in cases {
        assert_eq!(
            order(Dialect::Sqlite, &keys).as_deref(),
            Ok(sqlite),
            "{keys:?}"
        );
        assert_eq!(
            order(Dialect::Postgres, &keys).as_deref(),
            Ok(pg),
            "{keys:?}"
        );
    }
}

#[test]
fn orderby_on_a_list_property_is_refused() {
    let err = order(Dialect::Sqlite, &[("Name", false), ("Tags", true)]).err();
    assert_eq!(err.as_ref().map(QueryError::pr_code), Some("PR400-OD-0040"));
}

#[test]
fn unescape_follows_java_unescape() {
    let ok: &[(&str, &str)] = &[
        ("abc", "abc"),
        ("a\\nb", "a\nb"),
        ("\\t\\r\\b\\f", "\t\r\u{8}\u{c}"),
        ("\\u0041\\u00e9\\u00E9", "Aéé"),
        ("\\ud83d\\ude00", "😀"),
        ("\\\\", "\\"),
        ("\\'\\\"", "'\""),
        ("\\q", "q"),
        ("end\\", "end\\"),
        ("x\\u12", "x"),
        ("日本\\u8a9e", "日本語"),
    ];
    for (raw, expected) in ok {
        assert_eq!(unescape(raw).as_deref(), Ok(*expected), "{raw:?}");
    }
    for raw in ["value_\\u001_value", "\\uzzzz", "\\ud800", "\\ude00x"] {
        let code = unescape(raw).map_err(|e| e.pr_code());
        assert_eq!(code, Err("PR400-OD-0048"), "{raw:?}");
    }
}
