//! The user schema of OData service collections (`spec/personium-api.md` §8.1): the five sets
//! under `{col}/$metadata/`, their rules and error codes, the limits, `$metadata` EDMX, the
//! service document, and the `read` / `alter-schema` privileges.

use serde_json::{json, Value};

use crate::box_acl::{access_token, acl_doc, seeded, set_acl};
use crate::helpers::{Resp, TestApp};

const COL: &str = "/c1/b1/od";
const META: &str = "/c1/b1/od/$metadata";
const ROOT: &str = "http://localhost:8000/c1/b1/od/$metadata/";

async fn app() -> TestApp {
    let app = seeded().await;
    let body = "<D:mkcol xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><D:set><D:prop>\
         <D:resourcetype><D:collection/><p:odata/></D:resourcetype></D:prop></D:set></D:mkcol>";
    let r = app.req("MKCOL", COL).master().body(body).send().await;
    assert_eq!(r.status, 201, "{}", r.text());
    app
}

async fn post(app: &TestApp, set: &str, body: Value) -> Resp {
    app.post(&format!("{META}/{set}"))
        .master()
        .json(&body)
        .send()
        .await
}

async fn created(app: &TestApp, set: &str, body: Value) -> Value {
    let r = post(app, set, body).await;
    assert_eq!(r.status, 201, "{set}: {}", r.text());
    r.json()["d"]["results"].clone()
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(&format!("{META}/{path}"))
        .master()
        .json_accept()
        .send()
        .await
}

async fn send(app: &TestApp, method: &str, path: &str, body: Value) -> Resp {
    app.req(method, &format!("{META}/{path}"))
        .master()
        .json(&body)
        .send()
        .await
}

async fn delete(app: &TestApp, path: &str) -> Resp {
    app.delete(&format!("{META}/{path}")).master().send().await
}

const PROP: &str = "Property(Name='p',_EntityType.Name='T')";

#[actix_web::test]
async fn entity_type_crud() {
    let app = app().await;
    let r = post(&app, "EntityType", json!({"Name": "T"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.header("Location").unwrap(),
        format!("{ROOT}EntityType('T')")
    );
    let e = &r.json()["d"]["results"];
    assert_eq!(e["__metadata"]["type"], "ODataSvcSchema.EntityType");
    assert_eq!(e["__metadata"]["uri"], format!("{ROOT}EntityType('T')"));
    assert_eq!(
        e["_Property"]["__deferred"]["uri"],
        format!("{ROOT}EntityType('T')/_Property")
    );
    post(&app, "EntityType", json!({"Name": "T"}))
        .await
        .assert_error(409, "PR409-OD-0003");
    for bad in ["", "_x", "-x", "a/b", "日本"] {
        post(&app, "EntityType", json!({ "Name": bad }))
            .await
            .assert_error(400, "PR400-OD-0006");
    }
    post(&app, "EntityType", json!({"Name": "T2", "__published": 1}))
        .await
        .assert_error(400, "PR400-OD-0007");

    let r = get(&app, "EntityType('T')").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["d"]["results"]["Name"], "T");
    let r = get(
        &app,
        "EntityType?$inlinecount=allpages&$filter=Name%20eq%20'T'",
    )
    .await;
    assert_eq!(r.json()["d"]["__count"], "1", "{}", r.text());

    // PUT renames.
    let r = send(&app, "PUT", "EntityType('T')", json!({"Name": "U"})).await;
    assert_eq!(r.status, 204, "{}", r.text());
    get(&app, "EntityType('T')")
        .await
        .assert_error(404, "PR404-OD-0002");
    assert_eq!(delete(&app, "EntityType('U')").await.status, 204);
    get(&app, "EntityType('U')")
        .await
        .assert_error(404, "PR404-OD-0002");
    get(&app, "Nope").await.assert_error(404, "PR404-OD-0001");
}

#[actix_web::test]
async fn property_rules() {
    let app = app().await;
    created(&app, "EntityType", json!({"Name": "T"})).await;
    let e = created(
        &app,
        "Property",
        json!({"Name": "p", "_EntityType.Name": "T", "Type": "Edm.Int32"}),
    )
    .await;
    assert_eq!(e["__metadata"]["type"], "ODataSvcSchema.Property");
    assert_eq!(e["__metadata"]["uri"], format!("{ROOT}{PROP}"));
    // Personium's property order.
    let text = get(&app, PROP).await.text();
    let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    let order = [
        "__metadata",
        "Name",
        "_EntityType.Name",
        "Type",
        "Nullable",
        "DefaultValue",
        "CollectionKind",
        "IsKey",
        "UniqueKey",
        "IsDeclared",
        "__published",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    assert_eq!(
        (
            &e["Nullable"],
            &e["CollectionKind"],
            &e["IsKey"],
            &e["IsDeclared"]
        ),
        (&json!(true), &json!("None"), &json!(false), &json!(true))
    );
    let prop = |name: &str, ty: &str, extra: Value| {
        let mut body = json!({"Name": name, "_EntityType.Name": "T", "Type": ty});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let ok = [
        prop(
            "d",
            "Edm.DateTime",
            json!({"DefaultValue": "SYSUTCDATETIME()"}),
        ),
        prop(
            "b",
            "Edm.Boolean",
            json!({"DefaultValue": "false", "Nullable": false}),
        ),
        prop(
            "l",
            "Edm.String",
            json!({"CollectionKind": "List", "UniqueKey": "uk"}),
        ),
        prop("s", "Edm.Single", json!({"DefaultValue": "1.5"})),
    ];
    for body in ok {
        created(&app, "Property", body).await;
    }
    let bad = [
        (prop("x", "Edm.Int64", json!({})), "PR400-OD-0006"),
        (prop("x", "Nope", json!({})), "PR400-OD-0006"),
        (
            prop("x", "Edm.Int32", json!({"DefaultValue": "1.5"})),
            "PR400-OD-0006",
        ),
        (
            prop("x", "Edm.DateTime", json!({"DefaultValue": "now"})),
            "PR400-OD-0006",
        ),
        (
            prop("x", "Edm.String", json!({"CollectionKind": "Set"})),
            "PR400-OD-0006",
        ),
        (json!({"Name": "x", "Type": "Edm.String"}), "PR400-OD-0009"),
        (
            json!({"Name": "x", "_EntityType.Name": "T"}),
            "PR400-OD-0009",
        ),
        (
            json!({"Name": "x", "_EntityType.Name": "Nope", "Type": "Edm.String"}),
            "PR400-OD-0024",
        ),
    ];
    for (body, code) in bad {
        post(&app, "Property", body.clone())
            .await
            .assert_error(400, code);
    }
    post(&app, "Property", prop("p", "Edm.String", json!({})))
        .await
        .assert_error(409, "PR409-OD-0003");

    // PUT: rename and Int32 -> Double only.
    let put = |body: Value| send(&app, "PUT", PROP, body);
    put(prop("p", "Edm.String", json!({})))
        .await
        .assert_error(400, "PR400-OD-0042");
    put(prop("p", "Edm.Int32", json!({"Nullable": false})))
        .await
        .assert_error(400, "PR400-OD-0042");
    let r = put(prop("p", "Edm.Double", json!({}))).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = get(&app, PROP).await;
    assert_eq!(r.json()["d"]["results"]["Type"], "Edm.Double");
    send(&app, "MERGE", PROP, json!({"Name": "q"}))
        .await
        .assert_error(501, "PR501-MC-0001");

    let r = get(&app, "EntityType('T')/_Property?$inlinecount=allpages").await;
    assert_eq!(r.json()["d"]["__count"], "5", "{}", r.text());
    delete(&app, "EntityType('T')")
        .await
        .assert_error(409, "PR409-OD-0001");
    // The implicit link cannot be made explicit.
    send(
        &app,
        "POST",
        "EntityType('T')/$links/_Property",
        json!({"uri": format!("{ROOT}{PROP}")}),
    )
    .await
    .assert_error(400, "PR400-OD-0008");
    for name in ["p", "d", "b", "l", "s"] {
        let path = format!("Property(Name='{name}',_EntityType.Name='T')");
        assert_eq!(delete(&app, &path).await.status, 204);
    }
    assert_eq!(delete(&app, "EntityType('T')").await.status, 204);
}

#[actix_web::test]
async fn complex_types() {
    let app = app().await;
    created(&app, "EntityType", json!({"Name": "T"})).await;
    created(&app, "ComplexType", json!({"Name": "Address"})).await;
    let nav = "ComplexType('Address')/_ComplexTypeProperty";
    let r = send(
        &app,
        "POST",
        nav,
        json!({"Name": "city", "Type": "Edm.String"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let e = &r.json()["d"]["results"];
    assert_eq!(
        e["__metadata"]["type"],
        "ODataSvcSchema.ComplexTypeProperty"
    );
    assert_eq!(e["_ComplexType.Name"], "Address");
    let r = get(&app, nav).await;
    assert_eq!(r.json()["d"]["results"][0]["Name"], "city", "{}", r.text());
    created(
        &app,
        "Property",
        json!({"Name": "addr", "_EntityType.Name": "T", "Type": "Address", "CollectionKind": "List"}),
    )
    .await;
    post(
        &app,
        "Property",
        json!({"Name": "a2", "_EntityType.Name": "T", "Type": "Address", "DefaultValue": "x"}),
    )
    .await
    .assert_error(400, "PR400-OD-0006");
    send(
        &app,
        "MERGE",
        "ComplexType('Address')",
        json!({"Name": "A"}),
    )
    .await
    .assert_error(501, "PR501-MC-0001");
    send(&app, "PUT", "ComplexType('Address')", json!({"Name": "A"}))
        .await
        .assert_error(409, "PR409-OD-0001");
    delete(&app, "ComplexType('Address')")
        .await
        .assert_error(409, "PR409-OD-0001");
    let prop = "Property(Name='addr',_EntityType.Name='T')";
    assert_eq!(delete(&app, prop).await.status, 204);
    let ctp = "ComplexTypeProperty(Name='city',_ComplexType.Name='Address')";
    assert_eq!(get(&app, ctp).await.status, 200);
    delete(&app, "ComplexType('Address')")
        .await
        .assert_error(409, "PR409-OD-0001");
    assert_eq!(delete(&app, ctp).await.status, 204);
    let r = send(&app, "PUT", "ComplexType('Address')", json!({"Name": "A"})).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(delete(&app, "ComplexType('A')").await.status, 204);
}

#[actix_web::test]
async fn association_ends() {
    let app = app().await;
    for t in ["Product", "Category", "Tag"] {
        created(&app, "EntityType", json!({"Name": t})).await;
    }
    let end = |name: &str, t: &str, m: &str| json!({"Name": name, "_EntityType.Name": t, "Multiplicity": m});
    let e = created(&app, "AssociationEnd", end("toCat", "Product", "*")).await;
    assert_eq!(e["__metadata"]["type"], "ODataSvcSchema.AssociationEnd");
    created(&app, "AssociationEnd", end("toProd", "Category", "0..1")).await;
    created(&app, "AssociationEnd", end("toProd2", "Category", "*")).await;
    created(&app, "AssociationEnd", end("one1", "Tag", "1")).await;
    created(&app, "AssociationEnd", end("one2", "Product", "1")).await;
    post(&app, "AssociationEnd", end("x", "Tag", "2"))
        .await
        .assert_error(400, "PR400-OD-0006");

    let key = |n: &str, t: &str| format!("AssociationEnd(Name='{n}',_EntityType.Name='{t}')");
    let links = |n: &str, t: &str| format!("{}/$links/_AssociationEnd", key(n, t));
    let uri = |n: &str, t: &str| json!({ "uri": format!("{ROOT}{}", key(n, t)) });
    let r = send(
        &app,
        "POST",
        &links("toCat", "Product"),
        uri("toProd", "Category"),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = get(&app, &links("toProd", "Category")).await;
    assert_eq!(
        r.json()["d"]["results"][0]["uri"],
        format!("{ROOT}{}", key("toCat", "Product")),
        "{}",
        r.text()
    );
    send(
        &app,
        "POST",
        &links("one2", "Product"),
        uri("toProd2", "Category"),
    )
    .await
    .assert_error(409, "PR409-OD-0006");
    send(&app, "POST", &links("one1", "Tag"), uri("one2", "Product"))
        .await
        .assert_error(400, "PR400-OD-0031");
    send(&app, "POST", &links("one1", "Tag"), uri("nope", "Product"))
        .await
        .assert_error(400, "PR400-OD-0006");
    send(
        &app,
        "POST",
        &format!("{}/$links/_EntityType", key("one1", "Tag")),
        json!({"uri": format!("{ROOT}EntityType('Tag')")}),
    )
    .await
    .assert_error(400, "PR400-OD-0008");
    // PUT may rename, nothing else.
    send(&app, "PUT", &key("one1", "Tag"), end("one1", "Tag", "*"))
        .await
        .assert_error(400, "PR400-OD-0042");
    let r = send(&app, "PUT", &key("one1", "Tag"), end("uno", "Tag", "1")).await;
    assert_eq!(r.status, 204, "{}", r.text());

    let x = app.get(META).master().send().await.text();
    for needle in [
        "<Association Name=\"Product-Category-assoc\"><End Role=\"Product:toCat\" Type=\"UserData.Product\" Multiplicity=\"*\"></End><End Role=\"Category:toProd\" Type=\"UserData.Category\" Multiplicity=\"0..1\"></End></Association>",
        "<NavigationProperty Name=\"_Product\" Relationship=\"UserData.Product-Category-assoc\" FromRole=\"Category:toProd\" ToRole=\"Product:toCat\"></NavigationProperty>",
    ] {
        assert!(x.contains(needle), "{needle} in {x}");
    }
    delete(&app, "EntityType('Tag')")
        .await
        .assert_error(409, "PR409-OD-0001");
    let r = delete(
        &app,
        &format!(
            "{}({})",
            links("toCat", "Product"),
            "Name='toProd',_EntityType.Name='Category'"
        ),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = get(&app, &links("toProd", "Category")).await;
    assert_eq!(r.json()["d"]["results"], json!([]), "{}", r.text());
    assert_eq!(delete(&app, &key("toCat", "Product")).await.status, 204);
}

#[actix_web::test]
async fn metadata_and_service_documents() {
    let app = app().await;
    created(&app, "EntityType", json!({"Name": "Product"})).await;
    created(
        &app,
        "Property",
        json!({"Name": "price", "_EntityType.Name": "Product", "Type": "Edm.Double", "DefaultValue": "1.0"}),
    )
    .await;
    let r = app.get(META).master().send().await;
    assert_eq!(r.status, 200);
    let x = r.text();
    for needle in [
        "Namespace=\"UserData\"",
        "<EntityType Name=\"Product\" OpenType=\"true\"><Key><PropertyRef Name=\"__id\"></PropertyRef></Key>",
        "<Property Name=\"__published\" Type=\"Edm.DateTime\" Nullable=\"false\" DefaultValue=\"SYSUTCDATETIME()\" Precision=\"3\"></Property>",
        "<Property Name=\"price\" Type=\"Edm.Double\" Nullable=\"true\" DefaultValue=\"1.0\"></Property>",
        "<EntitySet Name=\"Product\" EntityType=\"UserData.Product\"></EntitySet>",
    ] {
        assert!(x.contains(needle), "{needle} in {x}");
    }
    let x = app
        .get(&format!("{META}/$metadata"))
        .master()
        .send()
        .await
        .text();
    assert!(x.contains("Namespace=\"ODataSvcSchema\""), "{x}");
    assert!(x.contains("<EntitySet Name=\"AssociationEnd\""), "{x}");
    let x = app.get(&format!("{COL}/")).master().send().await.text();
    assert!(
        x.contains("xml:base=\"http://localhost:8000/c1/b1/od/\""),
        "{x}"
    );
    assert!(x.contains("<collection href=\"Product\">"), "{x}");
    let x = app
        .get(&format!("{META}?$format=atomsvc"))
        .master()
        .send()
        .await
        .text();
    assert!(
        x.contains("<collection href=\"ComplexTypeProperty\">"),
        "{x}"
    );
    // The entity set of user data answers (empty).
    let r = app.get(&format!("{COL}/Product")).master().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<title type=\"text\">Product</title>"),
        "{}",
        r.text()
    );
}

#[actix_web::test]
async fn limits() {
    let app = app().await;
    for i in 0..100 {
        created(&app, "EntityType", json!({ "Name": format!("T{i}") })).await;
    }
    post(&app, "EntityType", json!({"Name": "T100"}))
        .await
        .assert_error(400, "PR400-OD-0033");
    created(&app, "ComplexType", json!({"Name": "C"})).await;
    let ctp =
        |i: usize| json!({"Name": format!("c{i}"), "_ComplexType.Name": "C", "Type": "Edm.String"});
    for i in 0..50 {
        created(&app, "ComplexTypeProperty", ctp(i)).await;
    }
    post(&app, "ComplexTypeProperty", ctp(50))
        .await
        .assert_error(400, "PR400-OD-0032");
}

#[actix_web::test]
async fn privileges_and_collection_delete() {
    let app = app().await;
    created(&app, "EntityType", json!({"Name": "T"})).await;
    let token = access_token(&app, "c1").await;
    let list = format!("{META}/EntityType");
    app.get(&list)
        .bearer(&token)
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    let doc = acl_doc(
        "http://localhost:8000/c1/__role/b1/",
        "",
        &[("reader", &["D:read"])],
    );
    let r = set_acl(&app, COL, &doc).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app.get(&list).bearer(&token).json_accept().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    app.post(&list)
        .bearer(&token)
        .json(&json!({"Name": "U"}))
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    let doc = acl_doc(
        "http://localhost:8000/c1/__role/b1/",
        "",
        &[("reader", &["D:read", "D:alter-schema"])],
    );
    let r = set_acl(&app, COL, &doc).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .post(&list)
        .bearer(&token)
        .json(&json!({"Name": "U"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // A collection with a schema is not empty; a recursive delete takes the schema with it.
    app.delete(COL)
        .master()
        .send()
        .await
        .assert_error(403, "PR403-DV-0003");
    let r = app
        .delete(COL)
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let body = "<D:mkcol xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><D:set><D:prop>\
         <D:resourcetype><D:collection/><p:odata/></D:resourcetype></D:prop></D:set></D:mkcol>";
    assert_eq!(
        app.req("MKCOL", COL)
            .master()
            .body(body)
            .send()
            .await
            .status,
        201
    );
    let r = get(&app, "EntityType?$inlinecount=allpages").await;
    assert_eq!(r.json()["d"]["__count"], "0", "{}", r.text());
}
