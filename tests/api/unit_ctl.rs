//! Unit level: metadata, `__status`, and `/__ctl/Cell` (spec §4.1).

use serde_json::json;

use crate::helpers::{TestApp, MASTER, UNIT};

#[actix_web::test]
async fn unit_metadata_and_status() {
    let app = TestApp::spawn().await;
    let r = app.get("/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"unit": {"url": UNIT, "path_based_cellurl_enabled": true}})
    );
    assert_eq!(r.header("X-Personium-Version").as_deref(), Some("1.8.4"));
    let r = app.get("/__status").send().await;
    assert_eq!(r.status, 200);
}

#[actix_web::test]
async fn create_retrieve_list_cells() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/__ctl/Cell")
        .master()
        .json(&json!({"Name": "alice"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.header("Location").as_deref(),
        Some("http://localhost:8000/__ctl/Cell('alice')")
    );
    let etag = r.header("ETag").unwrap();
    assert!(etag.starts_with("W/\"1-"), "{etag}");
    let body = r.json();
    let d = &body["d"]["results"];
    assert_eq!(d["Name"], "alice");
    assert_eq!(d["__metadata"]["type"], "UnitCtl.Cell");
    assert_eq!(
        d["__metadata"]["uri"],
        "http://localhost:8000/__ctl/Cell('alice')"
    );
    assert!(d["__published"].as_str().unwrap().starts_with("/Date("));

    for path in ["/__ctl/Cell('alice')", "/__ctl/Cell(Name='alice')"] {
        let r = app.get(path).master().json_accept().send().await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(r.json()["d"]["results"]["Name"], "alice");
        assert_eq!(r.header("ETag").unwrap(), etag);
    }
    let r = app
        .get("/__ctl/Cell('alice')")
        .master()
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!(r.status, 304);

    app.post("/__ctl/Cell")
        .master()
        .json(&json!({"Name": "bob"}))
        .send()
        .await;
    let r = app
        .get("/__ctl/Cell?$inlinecount=allpages&$orderby=Name%20desc")
        .master()
        .json_accept()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["d"]["__count"], "2");
    let names: Vec<&str> = body["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "alice"]);

    let r = app
        .get("/__ctl/Cell?$filter=startswith(Name,'al')")
        .master()
        .json_accept()
        .send()
        .await;
    assert_eq!(r.json()["d"]["results"].as_array().unwrap().len(), 1);
    let r = app
        .get("/__ctl/Cell?$filter=Nope%20eq%20'x'")
        .master()
        .json_accept()
        .send()
        .await;
    r.assert_error(400, "PR400-OD-0045");
}

#[actix_web::test]
async fn atom_is_the_default_format() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    let r = app.get("/__ctl/Cell('alice')").master().send().await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("application/atom+xml"));
    assert!(r.text().contains("alice"));
    let r = app.get("/__ctl/Cell?$format=json").master().send().await;
    assert_eq!(r.json()["d"]["results"][0]["Name"], "alice");
    let r = app.get("/__ctl/Cell?$format=yaml").master().send().await;
    r.assert_error(400, "PR400-OD-0005");
}

#[actix_web::test]
async fn cell_create_errors_change_nothing() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("{", "master", 400, "PR400-OD-0001"),
        ("[1]", "master", 400, "PR400-OD-0001"),
        (r#"{"Name":"Bad_Name"}"#, "master", 400, "PR400-OD-0006"),
        (r#"{"Name":""}"#, "master", 400, "PR400-OD-0006"),
        (r#"{"Name":5}"#, "master", 400, "PR400-OD-0006"),
        (r#"{}"#, "master", 400, "PR400-OD-0009"),
        (r#"{"Name":"x","Extra":1}"#, "master", 400, "PR400-OD-0007"),
        (
            r#"{"Name":"x","__published":1}"#,
            "master",
            400,
            "PR400-OD-0007",
        ),
        (r#"{"Name":"alice"}"#, "master", 409, "PR409-OD-0003"),
        (r#"{"Name":"y"}"#, "none", 401, "PR401-AU-0001"),
        (r#"{"Name":"y"}"#, "garbage", 401, "PR401-AU-0006"),
    ];
    for (body, auth, status, code) in cases {
        let mut req = app.post("/__ctl/Cell").body(body.to_owned());
        match auth {
            "master" => req = req.master(),
            "garbage" => req = req.bearer("AR~garbage"),
            _ => {}
        }
        req.send().await.assert_error(status, code);
    }
    let r = app
        .get("/__ctl/Cell?$inlinecount=allpages")
        .master()
        .json_accept()
        .send()
        .await;
    assert_eq!(r.json()["d"]["__count"], "1");
}

#[actix_web::test]
async fn rename_and_delete() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    let r = app
        .put("/__ctl/Cell('alice')")
        .master()
        .header("If-Match", "W/\"9-9\"")
        .json(&json!({"Name": "alice2"}))
        .send()
        .await;
    r.assert_error(412, "PR412-OD-0002");
    let r = app
        .put("/__ctl/Cell('alice')")
        .master()
        .json(&json!({"Name": "alice2"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.header("ETag").unwrap().starts_with("W/\"2-"));
    app.get("/__ctl/Cell('alice')")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-OD-0002");
    let r = app.delete("/__ctl/Cell('alice2')").master().send().await;
    assert_eq!(r.status, 204);
    app.get("/__ctl/Cell('alice2')")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-OD-0002");
}

#[actix_web::test]
async fn unit_users_see_only_their_cells() {
    let app = TestApp::spawn().await.with_cell("admins").await;
    let user = "http://localhost:8000/owner/#me";
    let r = app
        .post("/__ctl/Cell")
        .master()
        .header("X-Personium-Unit-User", user)
        .json(&json!({"Name": "mine"}))
        .send()
        .await;
    assert_eq!(r.status, 201);
    let r = app
        .get("/__ctl/Cell")
        .master()
        .header("X-Personium-Unit-User", user)
        .json_accept()
        .send()
        .await;
    let names: Vec<String> = r.json()["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["mine"]);
    let r = app
        .delete("/__ctl/Cell('admins')")
        .master()
        .header("X-Personium-Unit-User", user)
        .send()
        .await;
    r.assert_error(403, "PR403-AU-0003");
    let r = app
        .delete("/mine")
        .master()
        .header("X-Personium-Unit-User", user)
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204);
    let _ = MASTER;
}

#[actix_web::test]
async fn metadata_and_service_document() {
    let app = TestApp::spawn().await;
    let r = app.get("/__ctl/$metadata").send().await;
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("EntityType Name=\"Cell\""),
        "{}",
        r.text()
    );
    let r = app.get("/__ctl/").master().send().await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Cell"));
}
