//! User data of OData service collections (`spec/personium-api.md` §8.2, §8.3): create with
//! defaults and value rules, dynamic properties, retrieve, list queries, PUT / MERGE / DELETE
//! with ETags, and the indexes that follow the schema.

use serde_json::{json, Value};

use crate::box_acl::seeded;
use crate::helpers::{Resp, TestApp};

pub(crate) const COL: &str = "/c1/b1/od";
pub(crate) const URL: &str = "http://localhost:8000/c1/b1/od";

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> Resp {
    app.post(&format!("{COL}/{path}"))
        .master()
        .json(&body)
        .send()
        .await
}

pub(crate) async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(&format!("{COL}/{path}"))
        .master()
        .json_accept()
        .send()
        .await
}

pub(crate) async fn schema(app: &TestApp, set: &str, body: Value) {
    let r = post(app, &format!("$metadata/{set}"), body).await;
    assert_eq!(r.status, 201, "{set}: {}", r.text());
}

/// A collection `od` with EntityType `Item`: `name` (String, not null), `n` (Int32), `price`
/// (Double), `ok` (Boolean, default true), `at` (DateTime, default SYSUTCDATETIME()), `tags`
/// (List of String), `addr` (ComplexType `Addr` with `city`).
pub(crate) async fn app() -> TestApp {
    let app = seeded().await;
    let body = "<D:mkcol xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><D:set><D:prop>\
         <D:resourcetype><D:collection/><p:odata/></D:resourcetype></D:prop></D:set></D:mkcol>";
    let r = app.req("MKCOL", COL).master().body(body).send().await;
    assert_eq!(r.status, 201, "{}", r.text());
    schema(&app, "EntityType", json!({"Name": "Item"})).await;
    schema(&app, "ComplexType", json!({"Name": "Addr"})).await;
    schema(
        &app,
        "ComplexTypeProperty",
        json!({"Name": "city", "_ComplexType.Name": "Addr", "Type": "Edm.String"}),
    )
    .await;
    for p in [
        json!({"Name": "name", "Type": "Edm.String", "Nullable": false}),
        json!({"Name": "n", "Type": "Edm.Int32"}),
        json!({"Name": "price", "Type": "Edm.Double"}),
        json!({"Name": "ok", "Type": "Edm.Boolean", "DefaultValue": "true"}),
        json!({"Name": "at", "Type": "Edm.DateTime", "DefaultValue": "SYSUTCDATETIME()"}),
        json!({"Name": "tags", "Type": "Edm.String", "CollectionKind": "List"}),
        json!({"Name": "addr", "Type": "Addr"}),
    ] {
        let mut p = p;
        p["_EntityType.Name"] = json!("Item");
        schema(&app, "Property", p).await;
    }
    app
}

pub(crate) async fn create(app: &TestApp, body: Value) -> Value {
    let r = post(app, "Item", body).await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["d"]["results"].clone()
}

pub(crate) fn ids(r: &Resp) -> Vec<String> {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["__id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn create_and_retrieve() {
    let app = app().await;
    let r = post(
        &app,
        "Item",
        json!({"__id": "a 1", "name": "x", "n": 3, "price": 1.5, "tags": ["t1", "t2"],
               "addr": {"city": "Tokyo"}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.header("Location").unwrap(),
        format!("{URL}/Item('a%201')")
    );
    let etag = r.header("ETag").unwrap();
    assert!(etag.starts_with("W/\"1-"), "{etag}");
    let e = &r.json()["d"]["results"];
    assert_eq!(e["__metadata"]["type"], "UserData.Item");
    assert_eq!(e["__metadata"]["uri"], format!("{URL}/Item('a%201')"));
    assert_eq!(e["__id"], "a 1");
    assert_eq!(e["name"], "x");
    assert_eq!(e["n"], 3);
    assert_eq!(e["price"], 1.5);
    assert_eq!(e["ok"], true, "the default");
    assert!(e["at"].as_str().unwrap().starts_with("/Date("), "{e}");
    assert_eq!(e["tags"], json!(["t1", "t2"]), "{e}");
    assert_eq!(e["addr"]["city"], "Tokyo", "{e}");

    let r = get(&app, "Item('a%201')").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("ETag").unwrap(), etag);
    assert_eq!(r.json()["d"]["results"]["name"], "x");
    let r = app
        .get(&format!("{COL}/Item('a%201')"))
        .master()
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!(r.status, 304);
    // Atom by default.
    let r = app
        .get(&format!("{COL}/Item('a%201')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<d:name>x</d:name>"), "{}", r.text());

    let e = create(&app, json!({"name": "y"})).await;
    let id = e["__id"].as_str().unwrap();
    assert_eq!(id.len(), 32, "a generated id");
    assert_eq!(e["n"], Value::Null);
    get(&app, "Item('nope')")
        .await
        .assert_error(404, "PR404-OD-0002");
    get(&app, "Nope('x')")
        .await
        .assert_error(404, "PR404-OD-0001");
    post(&app, "Item", json!({"__id": "a 1", "name": "z"}))
        .await
        .assert_error(409, "PR409-OD-0003");
}

#[actix_web::test]
async fn bad_bodies_change_nothing() {
    let app = app().await;
    let cases = [
        (json!({"n": 1}), "PR400-OD-0009"),
        (json!({"name": 1}), "PR400-OD-0006"),
        (
            json!({"name": "x", "n": 2_147_483_648_i64}),
            "PR400-OD-0006",
        ),
        (json!({"name": "x", "n": 1.5}), "PR400-OD-0006"),
        (json!({"name": "x", "ok": "yes"}), "PR400-OD-0006"),
        (json!({"name": "x", "at": "2020-01-01"}), "PR400-OD-0006"),
        (
            json!({"name": "x", "at": "/Date(-9999999999999999)/"}),
            "PR400-OD-0006",
        ),
        (json!({"name": "x", "tags": "t"}), "PR400-OD-0006"),
        (json!({"name": "x", "addr": {"town": "x"}}), "PR400-OD-0006"),
        (
            json!({"name": "x", "__published": "/Date(0)/"}),
            "PR400-OD-0007",
        ),
        (json!({"name": "x", "__metadata": {}}), "PR400-OD-0007"),
        (json!({"name": "x", "dyn": [1]}), "PR400-OD-0006"),
        (json!({"name": "x", "bad name": 1}), "PR400-OD-0007"),
        (json!({"name": "x", "__id": ""}), "PR400-OD-0006"),
        (json!({"name": "x".repeat(51_201)}), "PR400-OD-0006"),
    ];
    for (body, code) in cases {
        post(&app, "Item", body.clone())
            .await
            .assert_error(400, code);
    }
    let r = app
        .post(&format!("{COL}/Item"))
        .master()
        .body("{not json")
        .send()
        .await;
    r.assert_error(400, "PR400-OD-0001");
    assert!(ids(&get(&app, "Item").await).is_empty());
}

#[actix_web::test]
async fn dynamic_properties_are_registered() {
    let app = app().await;
    let e = create(
        &app,
        json!({"__id": "d", "name": "x", "color": "red", "size": 3, "on": true}),
    )
    .await;
    assert_eq!(e["color"], "red");
    assert_eq!(e["size"], 3.0);
    assert_eq!(e["on"], true);
    let r = get(
        &app,
        "$metadata/Property(Name='size',_EntityType.Name='Item')",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = &r.json()["d"]["results"];
    assert_eq!(p["Type"], "Edm.Double");
    assert_eq!(p["IsDeclared"], false);
    // Now typed: a string is refused.
    post(&app, "Item", json!({"name": "y", "size": "big"}))
        .await
        .assert_error(400, "PR400-OD-0006");
    let r = app.get(&format!("{COL}/$metadata")).master().send().await;
    assert!(r.text().contains("p:IsDeclared=\"false\""), "{}", r.text());
    // Filterable like the others.
    assert_eq!(ids(&get(&app, "Item?$filter=size%20gt%202").await), ["d"]);
    // Sortable too (a dynamic property has no index of its own).
    create(&app, json!({"__id": "e", "name": "y", "size": 9})).await;
    assert_eq!(
        ids(&get(&app, "Item?$orderby=size%20desc").await),
        ["e", "d"]
    );
    assert_eq!(ids(&get(&app, "Item?$orderby=size").await), ["d", "e"]);
}

#[actix_web::test]
async fn put_merge_delete_with_etags() {
    let app = app().await;
    create(
        &app,
        json!({"__id": "k", "name": "x", "n": 1, "price": 2.0, "extra": "e"}),
    )
    .await;
    let etag = get(&app, "Item('k')").await.header("ETag").unwrap();
    let r = app
        .req("MERGE", &format!("{COL}/Item('k')"))
        .master()
        .header("If-Match", &etag)
        .json(&json!({"n": 5}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let etag2 = r.header("ETag").unwrap();
    assert!(etag2.starts_with("W/\"2-"), "{etag2}");
    let e = get(&app, "Item('k')").await.json()["d"]["results"].clone();
    assert_eq!(e["n"], 5);
    assert_eq!(e["price"], 2.0, "Personium writes 2.0 as 2");
    assert_eq!(e["extra"], "e");
    // A stale ETag is refused and changes nothing.
    let r = app
        .put(&format!("{COL}/Item('k')"))
        .master()
        .header("If-Match", &etag)
        .json(&json!({"name": "z"}))
        .send()
        .await;
    r.assert_error(412, "PR412-OD-0002");
    // PUT replaces: omitted properties go back to defaults or null, dynamic ones go.
    let r = app
        .put(&format!("{COL}/Item('k')"))
        .master()
        .json(&json!({"name": "z", "ok": false}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let e = get(&app, "Item('k')").await.json()["d"]["results"].clone();
    assert_eq!(e["name"], "z");
    assert_eq!(e["n"], Value::Null);
    assert_eq!(e["extra"], Value::Null);
    assert_eq!(e["ok"], false);
    // MERGE through POST + X-HTTP-Method-Override.
    let r = app
        .post(&format!("{COL}/Item('k')"))
        .master()
        .header("X-HTTP-Method-Override", "MERGE")
        .json(&json!({"n": 9}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(get(&app, "Item('k')").await.json()["d"]["results"]["n"], 9);
    // PUT of a non-nullable to null is refused.
    let r = app
        .put(&format!("{COL}/Item('k')"))
        .master()
        .json(&json!({"name": null}))
        .send()
        .await;
    r.assert_error(400, "PR400-OD-0009");
    // The EntityType cannot go while it has data.
    let r = app
        .delete(&format!("{COL}/$metadata/EntityType('Item')"))
        .master()
        .send()
        .await;
    r.assert_error(409, "PR409-OD-0001");
    let r = app
        .delete(&format!("{COL}/Item('k')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    get(&app, "Item('k')")
        .await
        .assert_error(404, "PR404-OD-0002");
    let r = app
        .delete(&format!("{COL}/Item('k')"))
        .master()
        .send()
        .await;
    r.assert_error(404, "PR404-OD-0002");
}

#[actix_web::test]
async fn queries() {
    let app = app().await;
    for (id, name, n, price, ok) in [
        ("a", "apple", 3, 1.5, true),
        ("b", "Banana", 1, 0.25, false),
        ("c", "cherry", 2, 10.0, true),
        ("d", "date", 5, 3.0, true),
    ] {
        create(
            &app,
            json!({"__id": id, "name": name, "n": n, "price": price, "ok": ok}),
        )
        .await;
    }
    create(&app, json!({"__id": "e", "name": "elder"})).await;
    let app = &app;
    let q = |s: &str| {
        let path = format!("Item?{s}");
        async move { get(app, &path).await }
    };
    assert_eq!(ids(&q("").await), ["a", "b", "c", "d", "e"]);
    let cases: &[(&str, &[&str])] = &[
        ("$filter=n%20eq%202", &["c"]),
        ("$filter=n%20ge%203", &["a", "d"]),
        ("$filter=price%20lt%202", &["a", "b"]),
        ("$filter=n%20eq%20null", &["e"]),
        ("$filter=n%20ne%203", &["b", "c", "d", "e"]),
        ("$filter=ok%20eq%20false", &["b"]),
        ("$filter=name%20eq%20'date'", &["d"]),
        ("$filter=startswith(name,'ch')", &["c"]),
        ("$filter=substringof('AN',name)", &["b"]),
        ("$filter=name%20gt%20'b'", &["c", "d", "e"]),
        (
            "$filter=not%20(n%20lt%203)%20and%20n%20ne%20null",
            &["a", "d"],
        ),
        ("$filter=__id%20eq%20'b'%20or%20n%20eq%205", &["b", "d"]),
        (
            "$filter=price%20gt%201%20and%20price%20le%2010",
            &["a", "c", "d"],
        ),
        ("$orderby=n%20desc", &["d", "a", "c", "b", "e"]),
        ("$orderby=n", &["b", "c", "a", "d", "e"]),
        ("$orderby=name", &["b", "a", "c", "d", "e"]),
        ("$orderby=ok,n%20desc", &["b", "d", "a", "c", "e"]),
        ("$top=2&$skip=1", &["b", "c"]),
        ("$orderby=price%20desc&$top=1", &["c"]),
    ];
    for (query, want) in cases {
        assert_eq!(ids(&q(query).await), *want, "{query}");
    }
    let r = q("$inlinecount=allpages&$top=1&$filter=ok%20eq%20true").await;
    // `e` took the default `ok = true`.
    assert_eq!(r.json()["d"]["__count"], "4", "{}", r.text());
    let r = q("$select=name&$top=1").await;
    let e = &r.json()["d"]["results"][0];
    assert_eq!(e["name"], "apple");
    assert!(e.get("n").is_none(), "{e}");
    assert_eq!(e["__id"], "a");
    // Full-text search: words, case-insensitive, all of them required.
    create(
        app,
        json!({"__id": "f", "name": "red Apple pie", "tags": ["crumble"]}),
    )
    .await;
    let found: &[(&str, &[&str])] = &[
        ("q=banana", &["b"]),
        ("q=APPLE", &["a", "f"]),
        ("q=apple%20pie", &["f"]),
        ("q=apple%20banana", &[]),
        ("q=crumble", &["f"]),
        ("q=appl", &[]),
        ("q=%22pie%22%20OR%20x*", &[]),
        ("q=%20%20", &[]),
        ("q=apple&$filter=__id%20eq%20'a'", &["a"]),
    ];
    for (query, want) in found {
        assert_eq!(ids(&q(query).await), *want, "{query}");
    }
    q(&format!("q={}", "x".repeat(256)))
        .await
        .assert_error(400, "PR400-OD-0029");
    app.delete(&format!("{COL}/Item('f')"))
        .master()
        .send()
        .await;
    q("$filter=nope%20eq%201")
        .await
        .assert_error(400, "PR400-OD-0045");
    q("$filter=n%20eq%20'x'")
        .await
        .assert_error(400, "PR400-OD-0046");
    q("$filter=n%20eq").await.assert_error(400, "PR400-OD-0003");
    q("$top=10001").await.assert_error(400, "PR400-OD-0029");
    q("$orderby=tags").await.assert_error(400, "PR400-OD-0040");
    // Another type's rows never show.
    schema(app, "EntityType", json!({"Name": "Other"})).await;
    let r = post(app, "Other", json!({"__id": "a", "n": "text"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(ids(&q("$filter=n%20ge%203").await), ["a", "d"]);
    assert_eq!(ids(&get(app, "Other?$filter=n%20eq%20'text'").await), ["a"]);
}

#[actix_web::test]
async fn privileges() {
    let app = app().await;
    create(&app, json!({"__id": "p", "name": "x"})).await;
    let r = app.get(&format!("{COL}/Item('p')")).send().await;
    assert_eq!(r.status, 401, "{}", r.text());
    let r = app
        .post(&format!("{COL}/Item"))
        .json(&json!({"name": "y"}))
        .send()
        .await;
    assert_eq!(r.status, 401, "{}", r.text());
}

#[actix_web::test]
async fn schema_changes_keep_data() {
    let app = app().await;
    create(&app, json!({"__id": "r", "name": "x", "n": 7})).await;
    // Rename n -> count and widen it to Double: the stored value follows.
    let r = app
        .put(&format!(
            "{COL}/$metadata/Property(Name='n',_EntityType.Name='Item')"
        ))
        .master()
        .json(&json!({"Name": "count", "_EntityType.Name": "Item", "Type": "Edm.Double"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let e = get(&app, "Item('r')").await.json()["d"]["results"].clone();
    assert_eq!(e["count"], 7.0, "{e}");
    assert!(e.get("n").is_none(), "{e}");
    assert_eq!(
        ids(&get(&app, "Item?$filter=count%20gt%206.5").await),
        ["r"]
    );
    // A new property of the old name does not see the old values.
    schema(
        &app,
        "Property",
        json!({"Name": "n", "_EntityType.Name": "Item", "Type": "Edm.String"}),
    )
    .await;
    let e = get(&app, "Item('r')").await.json()["d"]["results"].clone();
    assert_eq!(e["n"], Value::Null, "{e}");
    // Deleting the collection takes data and indexes with it.
    let r = app
        .req("DELETE", COL)
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

#[derive(diesel::QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(diesel::QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    plan: String,
}

/// The plan the database picks for a filter on a declared property of `Item`.
async fn plan(app: &TestApp, property: &str, cmp: &str) -> String {
    use unitcell::db::{dialect, DbConn};
    use unitcell::odata::edm::EdmType;
    use unitcell::odata::sql::{Dialect, SqlBuilder};
    let state = app.state.clone();
    let (property, cmp) = (property.to_owned(), cmp.to_owned());
    actix_web::web::block(move || {
        let mut conn = state.db.get().unwrap();
        let conn: &mut DbConn = &mut conn;
        let d = dialect::dialect_of(conn);
        // What the server does every few thousand creates.
        dialect::refresh_statistics(conn).unwrap();
        let lookup = |conn: &mut DbConn, sql: String| {
            let mut b = SqlBuilder::new(d);
            b.push_sql(&sql);
            dialect::load::<PlanLine>(conn, b).unwrap().remove(0).line
        };
        let type_id = lookup(
            conn,
            "SELECT id AS line FROM odata_entity_types WHERE name = 'Item'".into(),
        );
        let key = lookup(
            conn,
            format!("SELECT json_key AS line FROM odata_properties WHERE name = '{property}'"),
        );
        let ty = if property == "name" {
            EdmType::String
        } else {
            EdmType::Int32
        };
        let value = dialect::json_value_sql(d, &key, ty).unwrap();
        let scope = format!("SELECT seq FROM odata_entities WHERE type_id = '{type_id}'");
        let query = match cmp.strip_prefix("ORDER BY") {
            Some(dir) => format!("{scope} ORDER BY {value}{dir} LIMIT 25"),
            None => format!("{scope} AND {value} {cmp}"),
        };
        let mut b = SqlBuilder::new(d);
        match d {
            Dialect::Sqlite => {
                b.push_sql(&format!("EXPLAIN QUERY PLAN {query}"));
                dialect::load::<SqlitePlan>(conn, b)
                    .map(|l| l.into_iter().map(|p| p.detail).collect::<Vec<_>>())
            }
            Dialect::Postgres => {
                // A tiny table is cheaper to scan; ask whether the index can serve at all.
                let mut off = SqlBuilder::new(d);
                off.push_sql("SET enable_seqscan = off");
                dialect::execute(conn, off).unwrap();
                b.push_sql(&format!("EXPLAIN {query}"));
                dialect::load::<PgPlan>(conn, b)
                    .map(|l| l.into_iter().map(|p| p.plan).collect::<Vec<_>>())
            }
        }
        .map(|lines| lines.join("\n"))
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| format!("EXPLAIN failed: {e:?}"))
}

#[actix_web::test]
async fn declared_properties_are_searched_through_their_index() {
    let app = app().await;
    for i in 0..20 {
        create(&app, json!({"name": format!("n{i}"), "n": i})).await;
    }
    // Sorts too, in the direction each database keeps nulls last by itself.
    let natural_order = if std::env::var_os("UNITCELL_TEST_PG_URL").is_some() {
        "ORDER BY ASC NULLS LAST"
    } else {
        "ORDER BY DESC"
    };
    for (property, cmp) in [
        ("n", "= 3"),
        ("n", "> 15"),
        ("name", "= 'n3'"),
        ("name", "< 'n10'"),
        ("n", natural_order),
    ] {
        let p = plan(&app, property, cmp).await;
        assert!(p.contains("odata_ix_"), "{property} {cmp}: {p}");
    }
}
