//! Cell control objects (spec §4.3): CRUD, compound keys, `$links`, navigation properties,
//! ETags, delete rules, validation, and that refused requests change nothing.

use serde_json::{json, Value};

use crate::helpers::{Resp, TestApp};

const C: &str = "http://localhost:8000/c1/";

async fn app() -> TestApp {
    TestApp::spawn().await.with_cell("c1").await
}

async fn post(app: &TestApp, path: &str, body: Value) -> Resp {
    app.post(&format!("/c1/__ctl/{path}"))
        .master()
        .json(&body)
        .send()
        .await
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let r = app
        .get(&format!("/c1/__ctl/{path}"))
        .master()
        .json_accept()
        .send()
        .await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    r.json()
}

fn names(v: &Value, prop: &str) -> Vec<String> {
    v["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[prop].as_str().unwrap_or("null").to_owned())
        .collect()
}

#[actix_web::test]
async fn create_every_set() {
    let app = app().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("Box", json!({"Name": "box1", "Schema": "https://app.example/"}), "Box('box1')"),
        ("Account", json!({"Name": "me"}), "Account('me')"),
        ("Role", json!({"Name": "r1"}), "Role(Name='r1',_Box.Name=null)"),
        ("Role", json!({"Name": "r1", "_Box.Name": "box1"}), "Role(Name='r1',_Box.Name='box1')"),
        ("Relation", json!({"Name": "friend"}), "Relation(Name='friend',_Box.Name=null)"),
        ("ExtCell", json!({"Url": "https://c2.example/"}), "ExtCell('https%3A%2F%2Fc2.example%2F')"),
        (
            "ExtRole",
            json!({"ExtRole": "https://c2.example/__role/__/r2", "_Relation.Name": "friend"}),
            "ExtRole(ExtRole='https%3A%2F%2Fc2.example%2F__role%2F__%2Fr2',_Relation.Name='friend',_Relation._Box.Name=null)",
        ),
        ("Rule", json!({"Name": "rule1", "Action": "log"}), "Rule(Name='rule1',_Box.Name=null)"),
    ];
    for (set, body, key) in cases {
        let r = post(&app, set, body.clone()).await;
        assert_eq!(r.status, 201, "{set} {body}: {}", r.text());
        assert_eq!(
            r.header("Location").unwrap(),
            format!("{C}__ctl/{key}"),
            "{set}"
        );
        let v = r.json();
        assert_eq!(
            v["d"]["results"]["__metadata"]["type"],
            format!("CellCtl.{set}")
        );
        assert_eq!(
            v["d"]["results"]["__metadata"]["uri"],
            format!("{C}__ctl/{key}")
        );
        // Retrieve by the same URL.
        let g = app
            .get(&format!("/c1/__ctl/{key}"))
            .master()
            .json_accept()
            .send()
            .await;
        assert_eq!(g.status, 200, "GET {key}: {}", g.text());
    }
    let acc = get_json(&app, "Account('me')").await;
    let d = &acc["d"]["results"];
    assert_eq!(d["Type"], "basic");
    assert_eq!(d["Status"], "active");
    assert!(d.get("Password").is_none() && d.get("password_hash").is_none());
    assert_eq!(
        d["_Role"]["__deferred"]["uri"],
        format!("{C}__ctl/Account('me')/_Role")
    );
    let rule = get_json(&app, "Rule('rule1')").await;
    assert_eq!(rule["d"]["results"]["EventExternal"], false);
}

#[actix_web::test]
async fn compound_keys_and_box_scoping() {
    let app = app().await;
    post(&app, "Box", json!({"Name": "b1"})).await;
    post(&app, "Box", json!({"Name": "b2"})).await;
    for b in [json!(null), json!("b1"), json!("b2")] {
        let r = post(&app, "Role", json!({"Name": "same", "_Box.Name": b})).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    post(&app, "Role", json!({"Name": "same", "_Box.Name": "b1"}))
        .await
        .assert_error(409, "PR409-OD-0003");
    post(&app, "Role", json!({"Name": "x", "_Box.Name": "nobox"}))
        .await
        .assert_error(400, "PR400-OD-0024");
    let v = get_json(&app, "Role(Name='same',_Box.Name='b2')").await;
    assert_eq!(v["d"]["results"]["_Box.Name"], "b2");
    let v = get_json(&app, "Role('same')").await;
    assert_eq!(v["d"]["results"]["_Box.Name"], Value::Null);
    let v = get_json(&app, "Box('b1')/_Role").await;
    assert_eq!(names(&v, "_Box.Name"), ["b1"]);
    let v = get_json(&app, "Role?$filter=_Box.Name%20eq%20'b2'").await;
    assert_eq!(names(&v, "Name"), ["same"]);
    let v = get_json(&app, "Role?$orderby=_Box.Name%20desc&$inlinecount=allpages").await;
    assert_eq!(v["d"]["__count"], "3");
}

#[actix_web::test]
async fn update_rename_merge_and_etags() {
    let app = app().await;
    let r = post(
        &app,
        "Account",
        json!({"Name": "a1", "IPAddressRange": "10.0.0.0/8"}),
    )
    .await;
    let etag = r.header("ETag").unwrap();
    let r = app
        .req("MERGE", "/c1/__ctl/Account('a1')")
        .master()
        .header("If-Match", "W/\"7-7\"")
        .json(&json!({"Status": "deactivated"}))
        .send()
        .await;
    r.assert_error(412, "PR412-OD-0002");
    let r = app
        .req("MERGE", "/c1/__ctl/Account('a1')")
        .master()
        .header("If-Match", &etag)
        .json(&json!({"Status": "deactivated"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let d = get_json(&app, "Account('a1')").await;
    assert_eq!(d["d"]["results"]["Status"], "deactivated");
    assert_eq!(d["d"]["results"]["IPAddressRange"], "10.0.0.0/8");
    // PUT replaces: omitted properties go back to their defaults.
    let r = app
        .put("/c1/__ctl/Account('a1')")
        .master()
        .json(&json!({"Name": "a2"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let d = get_json(&app, "Account('a2')").await;
    assert_eq!(d["d"]["results"]["Status"], "active");
    assert_eq!(d["d"]["results"]["IPAddressRange"], Value::Null);
    app.get("/c1/__ctl/Account('a1')")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-OD-0002");
    // Method override works for MERGE.
    let r = app
        .post("/c1/__ctl/Account('a2')")
        .master()
        .header("X-HTTP-Method-Override", "MERGE")
        .json(&json!({"Type": "basic oidc:google"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[actix_web::test]
async fn links_between_objects() {
    let app = app().await;
    post(&app, "Account", json!({"Name": "a1"})).await;
    post(&app, "Role", json!({"Name": "r1"})).await;
    post(&app, "ExtCell", json!({"Url": "https://c2.example/"})).await;
    let link = json!({"uri": format!("{C}__ctl/Role(Name='r1',_Box.Name=null)")});
    let r = post(&app, "Account('a1')/$links/_Role", link.clone()).await;
    assert_eq!(r.status, 204, "{}", r.text());
    post(&app, "Account('a1')/$links/_Role", link.clone())
        .await
        .assert_error(409, "PR409-OD-0002");
    let v = get_json(&app, "Account('a1')/$links/_Role").await;
    assert_eq!(
        v["d"]["results"][0]["uri"],
        format!("{C}__ctl/Role(Name='r1',_Box.Name=null)")
    );
    // Seen from the other side.
    let v = get_json(&app, "Role('r1')/_Account").await;
    assert_eq!(names(&v, "Name"), ["a1"]);
    // Disallowed pair, wrong target set, missing target, malformed body.
    post(
        &app,
        "Account('a1')/$links/_ExtCell",
        json!({"uri": format!("{C}__ctl/ExtCell('x')")}),
    )
    .await
    .assert_error(400, "PR400-OD-0008");
    post(
        &app,
        "Account('a1')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Box('b')")}),
    )
    .await
    .assert_error(400, "PR400-OD-0008");
    post(
        &app,
        "Account('a1')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Role('nope')")}),
    )
    .await
    .assert_error(400, "PR400-OD-0024");
    app.post("/c1/__ctl/Account('a1')/$links/_Role")
        .master()
        .body("{")
        .send()
        .await
        .assert_error(400, "PR400-OD-0001");
    // ExtCell <-> Role, and delete of the link.
    let r = post(
        &app,
        "ExtCell('https%3A%2F%2Fc2.example%2F')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Role('r1')")}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = app
        .delete("/c1/__ctl/Account('a1')/$links/_Role(Name='r1',_Box.Name=null)")
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let v = get_json(&app, "Account('a1')/$links/_Role").await;
    assert!(v["d"]["results"].as_array().unwrap().is_empty());
    app.put("/c1/__ctl/Account('a1')/$links/_Role")
        .master()
        .json(&link)
        .send()
        .await
        .assert_error(501, "PR501-MC-0001");
    // Deleting a role removes its N:N links.
    post(&app, "Account('a1')/$links/_Role", link).await;
    let r = app.delete("/c1/__ctl/Role('r1')").master().send().await;
    assert_eq!(r.status, 204, "{}", r.text());
    let v = get_json(&app, "Account('a1')/_Role").await;
    assert!(v["d"]["results"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn box_links_change_keys_and_guard_deletes() {
    let app = app().await;
    post(&app, "Box", json!({"Name": "b1"})).await;
    post(&app, "Role", json!({"Name": "r1"})).await;
    let r = post(
        &app,
        "Box('b1')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Role('r1')")}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // The role's key now includes the box.
    get_json(&app, "Role(Name='r1',_Box.Name='b1')").await;
    app.get("/c1/__ctl/Role('r1')")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-OD-0002");
    // A box with roles cannot be deleted.
    app.delete("/c1/__ctl/Box('b1')")
        .master()
        .send()
        .await
        .assert_error(409, "PR409-OD-0001");
    // Creating through the navigation property binds the new role to the box.
    let r = post(&app, "Box('b1')/_Role", json!({"Name": "r2"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["d"]["results"]["_Box.Name"], "b1");
    let r = post(&app, "Box('b1')/_Relation", json!({"Name": "rel"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = post(
        &app,
        "Relation(Name='rel',_Box.Name='b1')/_ExtRole",
        json!({"ExtRole": "https://x.example/__role/__/r"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["d"]["results"]["_Relation._Box.Name"], "b1");
    app.delete("/c1/__ctl/Relation(Name='rel',_Box.Name='b1')")
        .master()
        .send()
        .await
        .assert_error(409, "PR409-OD-0001");
    // Unlink, then delete works once the box is empty.
    for r in ["r1", "r2"] {
        let resp = app
            .delete(&format!(
                "/c1/__ctl/Box('b1')/$links/_Role(Name='{r}',_Box.Name='b1')"
            ))
            .master()
            .send()
            .await;
        assert_eq!(resp.status, 204, "{}", resp.text());
    }
    app.delete("/c1/__ctl/ExtRole(ExtRole='https%3A%2F%2Fx.example%2F__role%2F__%2Fr',_Relation.Name='rel',_Relation._Box.Name='b1')")
        .master()
        .send()
        .await;
    app.delete("/c1/__ctl/Relation(Name='rel',_Box.Name='b1')")
        .master()
        .send()
        .await;
    let r = app.delete("/c1/__ctl/Box('b1')").master().send().await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[actix_web::test]
async fn account_password_header() {
    let app = app().await;
    app.post("/c1/__ctl/Account")
        .master()
        .header("X-Personium-Credential", "bad pw")
        .json(&json!({"Name": "a1"}))
        .send()
        .await
        .assert_error(400, "PR400-AU-0001");
    let r = app
        .post("/c1/__ctl/Account")
        .master()
        .header("X-Personium-Credential", "good-password")
        .json(&json!({"Name": "a1"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(!r.text().contains("good-password"));
    // The stored hash is argon2id.
    let hash = app.stored_password_hash("c1", "a1").await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[actix_web::test]
async fn validation_errors_change_nothing() {
    let app = app().await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("Account", json!({"Name": ".bad"}), 400, "PR400-OD-0006"),
        (
            "Account",
            json!({"Name": "a", "Status": "sleeping"}),
            400,
            "PR400-OD-0006",
        ),
        (
            "Account",
            json!({"Name": "a", "IPAddressRange": "10.0.0.0/40"}),
            400,
            "PR400-OD-0006",
        ),
        (
            "Account",
            json!({"Name": "a", "Type": "ldap"}),
            400,
            "PR400-OD-0006",
        ),
        (
            "Account",
            json!({"Name": "a", "Cell": "x"}),
            400,
            "PR400-OD-0007",
        ),
        (
            "Account",
            json!({"Name": "a", "__updated": "/Date(0)/"}),
            400,
            "PR400-OD-0007",
        ),
        ("Account", json!({}), 400, "PR400-OD-0009"),
        (
            "Box",
            json!({"Name": "b", "Schema": "not a url"}),
            400,
            "PR400-OD-0006",
        ),
        (
            "Box",
            json!({"Name": "b", "Schema": "https://app.example"}),
            400,
            "PR400-OD-0006",
        ),
        ("Box", json!({"Name": "_b"}), 400, "PR400-OD-0006"),
        (
            "ExtCell",
            json!({"Url": "https://c2.example"}),
            400,
            "PR400-OD-0006",
        ),
        (
            "ExtRole",
            json!({"ExtRole": "https://c2/__role/__/r"}),
            400,
            "PR400-OD-0009",
        ),
        (
            "ExtRole",
            json!({"ExtRole": "https://c2/__role/__/r", "_Relation.Name": "none"}),
            400,
            "PR400-OD-0024",
        ),
        (
            "Relation",
            json!({"Name": "bad name"}),
            400,
            "PR400-OD-0006",
        ),
        ("Rule", json!({"Action": "mail"}), 400, "PR400-OD-0006"),
        ("Rule", json!({"Action": "exec"}), 400, "PR400-OD-0006"),
        (
            "Rule",
            json!({"Action": "log", "EventExternal": "yes"}),
            400,
            "PR400-OD-0006",
        ),
        ("ReceivedMessage", json!({}), 405, "PR405-MC-0001"),
        ("SentMessage", json!({}), 405, "PR405-MC-0001"),
        ("Nothing", json!({}), 404, "PR404-OD-0001"),
    ];
    for (set, body, status, code) in cases {
        let r = post(&app, set, body.clone()).await;
        r.assert_error(status, code);
        let _ = body;
    }
    for set in ["Account", "Box", "ExtCell", "ExtRole", "Relation", "Rule"] {
        let v = get_json(&app, &format!("{set}?$inlinecount=allpages")).await;
        assert_eq!(v["d"]["__count"], "0", "{set} changed by a refused request");
    }
    // Schema is unique across boxes.
    post(
        &app,
        "Box",
        json!({"Name": "b1", "Schema": "https://app.example/"}),
    )
    .await;
    post(
        &app,
        "Box",
        json!({"Name": "b2", "Schema": "https://app.example/"}),
    )
    .await
    .assert_error(409, "PR409-OD-0003");
    // Bad keys.
    app.get("/c1/__ctl/Role(Nope='x')")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-OD-0004");
    app.get("/c1/__ctl/Role('x'")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-OD-0004");
    app.get("/c1/__ctl/Account('a')/_Role('r')")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-OD-0010");
}

#[actix_web::test]
async fn access_needs_a_token() {
    let app = app().await;
    app.get("/c1/__ctl/Role")
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    let r = app.get("/c1/__ctl/Role").bearer("AR~nonsense").send().await;
    r.assert_error(401, "PR401-AU-0006");
    assert!(r.header("WWW-Authenticate").unwrap().contains(C));
    app.post("/c1/__ctl/Role")
        .json(&json!({"Name": "r"}))
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    app.get("/nocell/__ctl/Role")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
    let v = get_json(&app, "Role?$inlinecount=allpages").await;
    assert_eq!(v["d"]["__count"], "0");
}

#[actix_web::test]
async fn cell_with_contents_needs_recursive_delete() {
    let app = app().await;
    post(&app, "Box", json!({"Name": "b1"})).await;
    post(&app, "Account", json!({"Name": "a1"})).await;
    post(&app, "Role", json!({"Name": "r1", "_Box.Name": "b1"})).await;
    post(
        &app,
        "Account('a1')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Role(Name='r1',_Box.Name='b1')")}),
    )
    .await;
    app.delete("/__ctl/Cell('c1')")
        .master()
        .send()
        .await
        .assert_error(409, "PR409-OD-0001");
    let r = app
        .delete("/c1")
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // A new cell of the same name starts empty.
    let app = app.with_cell("c1").await;
    let v = get_json(&app, "Box?$inlinecount=allpages").await;
    assert_eq!(v["d"]["__count"], "0");
}

#[actix_web::test]
async fn metadata_lists_every_set() {
    let app = app().await;
    let r = app.get("/c1/__ctl/$metadata").send().await;
    assert_eq!(r.status, 200);
    for set in [
        "Account",
        "Role",
        "Box",
        "Relation",
        "ExtCell",
        "ExtRole",
        "Rule",
        "ReceivedMessage",
        "SentMessage",
    ] {
        assert!(
            r.text().contains(&format!("EntitySet Name=\"{set}\"")),
            "{set}"
        );
    }
}

#[actix_web::test]
async fn select_and_json_only_lists() {
    let app = app().await;
    post(&app, "Account", json!({"Name": "a1"})).await;
    post(&app, "Role", json!({"Name": "r1"})).await;
    let v = get_json(&app, "Account?$select=Name").await;
    let e = &v["d"]["results"][0];
    assert_eq!(e["Name"], "a1");
    assert!(e.get("Type").is_none() && e.get("_Role").is_none(), "{e}");
    assert!(e["__published"].is_string() && e["__metadata"].is_object());
    let v = get_json(&app, "Account('a1')?$select=Type,_Role").await;
    let e = &v["d"]["results"];
    assert!(
        e.get("Name").is_none() && e["Type"] == "basic" && e["_Role"].is_object(),
        "{e}"
    );
    app.get("/c1/__ctl/Account?$select=")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-OD-0017");
    // $links and navigation lists answer JSON even when Atom is the default.
    post(
        &app,
        "Account('a1')/$links/_Role",
        json!({"uri": format!("{C}__ctl/Role('r1')")}),
    )
    .await;
    for path in ["Account('a1')/$links/_Role", "Account('a1')/_Role"] {
        let r = app.get(&format!("/c1/__ctl/{path}")).master().send().await;
        assert_eq!(r.status, 200);
        assert!(
            r.header("Content-Type")
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        assert_eq!(
            r.json()["d"]["results"].as_array().unwrap().len(),
            1,
            "{path}"
        );
    }
}
