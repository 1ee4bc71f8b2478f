//! MOVE inside a box (spec §6, §3.2; Personium's MoveCollectionTest): rename and reparent
//! with children, Overwrite, and every prohibition with its code.

use crate::box_acl::{propfind, seeded};
use crate::helpers::{Resp, TestApp};

const B1: &str = "http://localhost:8000/c1/b1";

fn mkcol_body(ext: &str) -> String {
    format!(
        "<D:mkcol xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><D:set><D:prop>\
         <D:resourcetype><D:collection/>{ext}</D:resourcetype></D:prop></D:set></D:mkcol>"
    )
}

pub async fn mkcol(app: &TestApp, path: &str, ext: Option<&str>) {
    let mut r = app.req("MKCOL", path).master();
    if let Some(ext) = ext {
        r = r.body(mkcol_body(ext));
    }
    let r = r.send().await;
    assert_eq!(r.status, 201, "{path}: {}", r.text());
}

pub async fn mv(app: &TestApp, from: &str, to: &str, headers: &[(&str, &str)]) -> Resp {
    to_destination(app, "MOVE", from, to, headers).await
}

/// A MOVE or COPY from `from` to the absolute URL `to` with the master token.
pub async fn to_destination(
    app: &TestApp,
    method: &str,
    from: &str,
    to: &str,
    headers: &[(&str, &str)],
) -> Resp {
    let mut r = app.req(method, from).master().header("Destination", to);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r.send().await
}

#[actix_web::test]
async fn rename_and_reparent_with_children() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col/sub", None).await;
    mkcol(&app, "/c1/b1/col/sub/deep", None).await;
    mkcol(&app, "/c1/b1/other", None).await;
    // Rename.
    let r = mv(&app, "/c1/b1/col", &format!("{B1}/renamed"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.header("Location").as_deref(),
        Some(&*format!("{B1}/renamed"))
    );
    assert!(r.header("ETag").is_some());
    assert_eq!(propfind(&app, "/c1/b1/col", "0").await.status, 404);
    assert_eq!(
        propfind(&app, "/c1/b1/renamed/sub/deep", "0").await.status,
        207
    );
    // Reparent, with a percent-encoded name.
    let r = mv(
        &app,
        "/c1/b1/renamed",
        &format!("{B1}/other/moved%20here"),
        &[],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = propfind(&app, "/c1/b1/other", "1").await.text();
    assert!(
        t.contains(&format!("<href>{B1}/other/moved here</href>")),
        "{t}"
    );
    assert_eq!(
        propfind(&app, "/c1/b1/other/moved%20here/sub/deep", "0")
            .await
            .status,
        207
    );
}

/// (destination, headers, status, code).
type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str);

#[actix_web::test]
async fn overwrite_and_headers() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col2", None).await;
    let x = format!("{B1}/x");
    let col2 = format!("{B1}/col2");
    // (destination, headers, status, code); the source is /c1/b1/col.
    let cases: Vec<Case> = vec![
        // Destination exists: F (default) -> 412; T onto a collection -> 400.
        (col2.clone(), vec![], 412, "PR412-DV-0002"),
        (col2.clone(), vec![("Overwrite", "F")], 412, "PR412-DV-0002"),
        (col2, vec![("Overwrite", "T")], 400, "PR400-DV-0012"),
        (
            x.clone(),
            vec![("Overwrite", "maybe")],
            400,
            "PR400-DV-0009",
        ),
        (x.clone(), vec![("Depth", "0")], 400, "PR400-DV-0003"),
        (format!("{B1}/col"), vec![], 403, "PR403-DV-0005"),
        (x, vec![("If-Match", "\"1-0\"")], 412, "PR412-DV-0001"),
        // Another box, another cell, the box itself, a relative URL.
        (
            "http://localhost:8000/c1/app/x".into(),
            vec![],
            400,
            "PR400-DV-0009",
        ),
        (
            "http://localhost:8000/c2/b1/x".into(),
            vec![],
            400,
            "PR400-DV-0009",
        ),
        (B1.into(), vec![], 400, "PR400-DV-0009"),
        (format!("{B1}/"), vec![], 400, "PR400-DV-0009"),
        ("/c1/b1/x".into(), vec![], 400, "PR400-DV-0009"),
        // Into itself or below it; missing parent; bad name.
        (format!("{B1}/col/in"), vec![], 400, "PR400-DV-0009"),
        (format!("{B1}/none/x"), vec![], 409, "PR409-DV-0001"),
        (format!("{B1}/a:b"), vec![], 403, "PR403-DV-0004"),
    ];
    for (dest, headers, status, code) in &cases {
        mv(&app, "/c1/b1/col", dest, headers)
            .await
            .assert_error(*status, code);
    }
    app.req("MOVE", "/c1/b1/col")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-DV-0010");
    // Missing source; the box.
    mv(&app, "/c1/b1/none", &format!("{B1}/x"), &[])
        .await
        .assert_error(404, "PR404-DV-0001");
    mv(&app, "/c1/b1", &format!("{B1}/x"), &[])
        .await
        .assert_error(400, "PR400-DV-0015");
    // Nothing moved.
    assert_eq!(propfind(&app, "/c1/b1/col", "0").await.status, 207);
    assert_eq!(propfind(&app, "/c1/b1/col2", "0").await.status, 207);
}

#[actix_web::test]
async fn typed_collection_rules() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/od", Some("<p:odata/>")).await;
    mkcol(&app, "/c1/b1/svc", Some("<p:service/>")).await;
    mv(&app, "/c1/b1/col", &format!("{B1}/od/x"), &[])
        .await
        .assert_error(400, "PR400-DV-0013");
    mv(&app, "/c1/b1/col", &format!("{B1}/svc/x"), &[])
        .await
        .assert_error(400, "PR400-DV-0016");
    mv(&app, "/c1/b1/col", &format!("{B1}/svc/__src/x"), &[])
        .await
        .assert_error(400, "PR400-DV-0018");
    mv(
        &app,
        "/c1/b1/col",
        &format!("{B1}/svc/__src"),
        &[("Overwrite", "T")],
    )
    .await
    .assert_error(400, "PR400-DV-0017");
    mv(&app, "/c1/b1/svc/__src", &format!("{B1}/src2"), &[])
        .await
        .assert_error(400, "PR400-DV-0011");
    // Typed collections move like any other; the service keeps its __src.
    let r = mv(&app, "/c1/b1/svc", &format!("{B1}/col/svc2"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = propfind(&app, "/c1/b1/col/svc2", "1").await.text();
    assert!(
        t.contains(&format!("<href>{B1}/col/svc2/__src</href>")),
        "{t}"
    );
}

#[actix_web::test]
async fn privileges() {
    let app = seeded().await;
    let tok = crate::box_acl::access_token(&app, "c1").await;
    app.req("MOVE", "/c1/b1/col")
        .bearer(&tok)
        .header("Destination", &format!("{B1}/x"))
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    assert_eq!(propfind(&app, "/c1/b1/col", "0").await.status, 207);
}

#[actix_web::test]
async fn rfc4918_mode_replaces_collections() {
    let app = crate::box_acl::seed(TestApp::spawn_with(|s| s.webdav.rfc4918 = true).await).await;
    mkcol(&app, "/c1/b1/col/sub", None).await;
    mkcol(&app, "/c1/b1/col2", None).await;
    let put = app.put("/c1/b1/col2/f").master().body("old").send().await;
    assert_eq!(put.status, 201);
    // Overwrite F is still 412; T replaces the collection and its files (RFC 4918 §9.9.3).
    mv(
        &app,
        "/c1/b1/col",
        &format!("{B1}/col2"),
        &[("Overwrite", "F")],
    )
    .await
    .assert_error(412, "PR412-DV-0002");
    let r = mv(
        &app,
        "/c1/b1/col",
        &format!("{B1}/col2"),
        &[("Overwrite", "T")],
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(propfind(&app, "/c1/b1/col2/sub", "0").await.status, 207);
    assert_eq!(app.get("/c1/b1/col2/f").master().send().await.status, 404);
    assert_eq!(propfind(&app, "/c1/b1/col", "0").await.status, 404);
}
