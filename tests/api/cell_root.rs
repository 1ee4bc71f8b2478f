//! The cell root (spec §4.2) and recursive cell delete (§4.1).

use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn cell_root_get_forms() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    let r = app.get("/alice/").json_accept().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["cell"],
        json!({"name": "alice", "url": "http://localhost:8000/alice/"})
    );
    let r = app
        .get("/alice/")
        .header("Accept", "application/xml")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(r
        .text()
        .contains("<ctl>http://localhost:8000/alice/__ctl/</ctl>"));
    app.get("/nobody/")
        .json_accept()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
}

#[actix_web::test]
async fn cell_root_propfind_and_options() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    let r = app.req("PROPFIND", "/alice/").master().send().await;
    assert_eq!(r.status, 207, "{}", r.text());
    assert!(r.text().contains("<p:cellstatus>normal</p:cellstatus>"));
    app.req("PROPFIND", "/alice/")
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    app.req("PROPFIND", "/alice/")
        .master()
        .header("Depth", "infinity")
        .send()
        .await
        .assert_error(403, "PR403-DV-0001");
    let r = app
        .req("OPTIONS", "/alice/")
        .header("Origin", "https://app.example")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("Allow").unwrap().contains("PROPFIND"));
    assert_eq!(
        r.header("Access-Control-Allow-Origin").as_deref(),
        Some("https://app.example")
    );
}

#[actix_web::test]
async fn recursive_delete_needs_the_header() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    app.delete("/alice")
        .master()
        .send()
        .await
        .assert_error(412, "PR412-MC-0001");
    app.delete("/alice")
        .header("X-Personium-Recursive", "true")
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    let r = app
        .delete("/alice")
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204);
    app.get("/alice/")
        .json_accept()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
}

#[actix_web::test]
async fn request_key_and_method_override() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    app.get("/")
        .header("X-Personium-RequestKey", "bad key!")
        .send()
        .await
        .assert_error(400, "PR400-EV-0002");
    let r = app
        .get("/")
        .header("X-Personium-RequestKey", "good_key-1")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .post("/alice/")
        .master()
        .header("X-HTTP-Method-Override", "PROPFIND")
        .send()
        .await;
    assert_eq!(r.status, 207);
    app.get("/__nothing/x/y").send().await;
}

#[actix_web::test]
async fn fqdn_cell_urls_route_by_host() {
    let app = TestApp::spawn_with(|s| {
        s.unit.cell_url_mode = unitcell::config::CellUrlMode::Fqdn;
    })
    .await
    .with_cell("alice")
    .await;
    let r = app
        .get("/")
        .json_accept()
        .header("Host", "alice.localhost:8000")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["cell"]["url"], "http://alice.localhost:8000/");
    let r = app
        .get("/__ctl/Role?$format=json")
        .master()
        .header("Host", "alice.localhost:8000")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The bare unit host refuses cell paths in this mode.
    app.get("/alice/")
        .header("Host", "localhost:8000")
        .send()
        .await
        .assert_error(400, "PR400-MC-0002");
    let r = app.get("/").header("Host", "localhost:8000").send().await;
    assert_eq!(r.json()["unit"]["path_based_cellurl_enabled"], false);
}

#[actix_web::test]
async fn unit_user_without_roles_is_refused_in_cells() {
    let app = TestApp::spawn().await.with_cell("alice").await;
    app.get("/alice/__ctl/Role")
        .master()
        .header("X-Personium-Unit-User", "http://localhost:8000/owner/#me")
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
}

#[actix_web::test]
async fn oversize_bodies_are_refused() {
    let app = TestApp::spawn_with(|s| s.server.max_body_bytes = 64).await;
    let big = format!("{{\"Name\":\"{}\"}}", "a".repeat(100));
    app.post("/__ctl/Cell")
        .master()
        .body(big)
        .send()
        .await
        .assert_error(413, "PR413-MC-0001");
}
