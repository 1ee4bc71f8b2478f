//! `$filter` parse + compile-to-SQL time, and `parse_query` of a full query string.
//!
//! Run (release profile, short):
//! ```sh
//! cargo bench --bench odata_filter -- --warm-up-time 1 --measurement-time 3
//! cargo bench --bench odata_filter -- --warm-up-time 1 --measurement-time 3 compile/  # one group
//! ```
//! Each `$filter` is measured three ways: `parse` (lexer + parser to the AST), `compile/<dialect>`
//! (AST to SQL text + binds, with a resolver shaped like the `__ctl` ones) and `parse+compile/<dialect>`
//! (what a list request pays). `parse_query` covers percent-decoding and every list option.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use unitcell::odata::edm::EdmType;
use unitcell::odata::filter::parse_filter;
use unitcell::odata::query::{parse_query, QueryLimits};
use unitcell::odata::sql::{push_filter, ColumnRef, Dialect, PropertyResolver, SqlBuilder};

/// Properties of a `Rule`-like control object: strings, a boolean, an integer, the timestamps.
struct BenchResolver;

impl PropertyResolver for BenchResolver {
    fn column(&self, property: &str) -> Option<ColumnRef> {
        let (sql, ty) = match property {
            "Name" => ("t.name", EdmType::String),
            "Action" => ("t.action", EdmType::String),
            "EventSubject" => ("t.event_subject", EdmType::String),
            "EventType" => ("t.event_type", EdmType::String),
            "EventObject" => ("t.event_object", EdmType::String),
            "EventExternal" => ("t.event_external", EdmType::Boolean),
            "Priority" => ("t.priority", EdmType::Int32),
            "_Box.Name" => ("b.name", EdmType::String),
            "__published" => ("t.published", EdmType::DateTime),
            "__updated" => ("t.updated", EdmType::DateTime),
            _ => return None,
        };
        Some(ColumnRef {
            sql: sql.to_owned(),
            ty,
            collection: false,
        })
    }
}

/// (benchmark id, `$filter` value as it arrives after percent-decoding).
const FILTERS: &[(&str, &str)] = &[
    ("eq", "Name eq 'alice'"),
    (
        "and_or_6",
        "(Name eq 'r1' or Name eq 'r2') and EventExternal eq false and Priority ge 3 \
         and (Action eq 'log' or _Box.Name eq null)",
    ),
    (
        "startswith_substringof",
        "startswith(Name,'pre') and substringof('Needle',EventObject)",
    ),
    (
        "datetime",
        "__published ge datetime'2024-01-02T03:04:05.123' and __updated lt datetime'2025-12-31T23:59'",
    ),
];

const DIALECTS: [(&str, Dialect); 2] =
    [("sqlite", Dialect::Sqlite), ("postgres", Dialect::Postgres)];

fn compile(dialect: Dialect, expr: &unitcell::odata::filter::Expr) -> (String, usize) {
    let mut b = SqlBuilder::new(dialect);
    push_filter(&mut b, expr, &BenchResolver).unwrap_or_else(|e| panic!("compile: {e:?}"));
    let n = b.binds().len();
    (b.into_parts().0, n)
}

fn filters(c: &mut Criterion) {
    // Every case must parse and compile; a bench of an error path would measure the wrong thing.
    for (id, f) in FILTERS {
        let e = parse_filter(f).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        for (_, d) in DIALECTS {
            let _ = compile(d, &e);
        }
    }
    let mut parse = c.benchmark_group("parse");
    for (id, f) in FILTERS {
        parse.bench_function(*id, |b| b.iter(|| parse_filter(black_box(f))));
    }
    parse.finish();

    let mut comp = c.benchmark_group("compile");
    for (id, f) in FILTERS {
        let e = parse_filter(f).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        for (dname, d) in DIALECTS {
            comp.bench_function(format!("{dname}/{id}"), |b| {
                b.iter(|| compile(d, black_box(&e)))
            });
        }
    }
    comp.finish();

    let mut both = c.benchmark_group("parse+compile");
    for (id, f) in FILTERS {
        for (dname, d) in DIALECTS {
            both.bench_function(format!("{dname}/{id}"), |b| {
                b.iter(|| {
                    let e = parse_filter(black_box(f)).unwrap_or_else(|e| panic!("{e:?}"));
                    compile(d, &e)
                })
            });
        }
    }
    both.finish();
}

fn query_strings(c: &mut Criterion) {
    let limits = QueryLimits::default();
    let cases: &[(&str, &str)] = &[
        ("top_only", "$top=25"),
        (
            "full",
            "$filter=(Name%20eq%20%27r1%27%20or%20startswith(Name,%27ad%27))%20and%20\
             __published%20ge%20datetime%272024-01-02T03:04:05%27\
             &$orderby=__updated%20desc,Name&$top=100&$skip=20&$select=Name,__published\
             &$inlinecount=allpages&$format=json&q=admin",
        ),
    ];
    for (_, q) in cases {
        parse_query(q, false, &limits).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    }
    let mut g = c.benchmark_group("parse_query");
    for (id, q) in cases {
        g.bench_function(*id, |b| {
            b.iter(|| parse_query(black_box(q), false, &limits))
        });
    }
    g.finish();
}

criterion_group!(benches, filters, query_strings);
criterion_main!(benches);
