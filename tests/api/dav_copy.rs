//! COPY inside a box (beyond Personium; RFC 4918 §9.8): Depth 0 and infinity, Overwrite,
//! 201/204, 412 and 409.

use crate::box_acl::{propfind, seeded};
use crate::dav_files::blob_files;
use crate::dav_move::{mkcol, to_destination};
use crate::helpers::{Resp, TestApp};

const B1: &str = "http://localhost:8000/c1/b1";

async fn cp(app: &TestApp, from: &str, to: &str, headers: &[(&str, &str)]) -> Resp {
    to_destination(app, "COPY", from, to, headers).await
}

#[actix_web::test]
async fn depth_infinity_and_zero() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col/sub", None).await;
    mkcol(&app, "/c1/b1/col/sub/deep", None).await;
    let r = app
        .req("PROPPATCH", "/c1/b1/col")
        .master()
        .body(r#"<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:z"><D:set><D:prop><z:k>v</z:k></D:prop></D:set></D:propertyupdate>"#)
        .send()
        .await;
    assert_eq!(r.status, 207);
    let r = cp(&app, "/c1/b1/col", &format!("{B1}/all"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(propfind(&app, "/c1/b1/all/sub/deep", "0").await.status, 207);
    assert!(propfind(&app, "/c1/b1/all", "0")
        .await
        .text()
        .contains(">v</z:k>"));
    // The source is untouched.
    assert_eq!(propfind(&app, "/c1/b1/col/sub/deep", "0").await.status, 207);
    let r = cp(&app, "/c1/b1/col", &format!("{B1}/top"), &[("Depth", "0")]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = propfind(&app, "/c1/b1/top", "1").await.text();
    assert_eq!(t.matches("<response>").count(), 1, "{t}");
    // A service collection always gets its __src.
    mkcol(&app, "/c1/b1/svc", Some("<p:service/>")).await;
    let r = cp(&app, "/c1/b1/svc", &format!("{B1}/svc2"), &[("Depth", "0")]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = propfind(&app, "/c1/b1/svc2", "1").await.text();
    assert!(t.contains(&format!("<href>{B1}/svc2/__src</href>")), "{t}");
}

#[actix_web::test]
async fn overwrite_and_errors() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col/sub", None).await;
    mkcol(&app, "/c1/b1/other", None).await;
    cp(
        &app,
        "/c1/b1/col",
        &format!("{B1}/other"),
        &[("Overwrite", "F")],
    )
    .await
    .assert_error(412, "PR412-DV-0002");
    // Overwrite defaults to T: the destination is replaced.
    let r = cp(&app, "/c1/b1/col", &format!("{B1}/other"), &[]).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(propfind(&app, "/c1/b1/other/sub", "0").await.status, 207);
    cp(&app, "/c1/b1/col", &format!("{B1}/none/x"), &[])
        .await
        .assert_error(409, "PR409-DV-0001");
    cp(&app, "/c1/b1/col", &format!("{B1}/col/in"), &[])
        .await
        .assert_error(400, "PR400-DV-0009");
    cp(&app, "/c1/b1/col", &format!("{B1}/x"), &[("Depth", "1")])
        .await
        .assert_error(400, "PR400-DV-0003");
    cp(&app, "/c1/b1/nothing", &format!("{B1}/x"), &[])
        .await
        .assert_error(404, "PR404-DV-0001");
    // `me` holds no privilege in b1.
    let tok = crate::box_acl::access_token(&app, "c1").await;
    app.req("COPY", "/c1/b1/col")
        .bearer(&tok)
        .header("Destination", &format!("{B1}/x"))
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    assert_eq!(propfind(&app, "/c1/b1/x", "0").await.status, 404);
}

async fn put(app: &TestApp, path: &str, content_type: &str, body: &str) -> u16 {
    let r = app
        .put(path)
        .master()
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .await;
    assert!(r.status == 201 || r.status == 204, "{path}: {}", r.text());
    r.status
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(path).master().send().await
}

#[actix_web::test]
async fn file_copy_has_its_own_body() {
    let app = seeded().await;
    put(&app, "/c1/b1/col/a.txt", "text/x-a", "first body").await;
    let r = cp(&app, "/c1/b1/col/a.txt", &format!("{B1}/b.txt"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let copy = get(&app, "/c1/b1/b.txt").await;
    assert_eq!(copy.status, 200);
    assert_eq!(copy.text(), "first body");
    assert_eq!(copy.header("Content-Type").as_deref(), Some("text/x-a"));
    // Independent afterwards: overwriting or deleting the copy leaves the source whole.
    assert_eq!(put(&app, "/c1/b1/b.txt", "text/plain", "second").await, 204);
    assert_eq!(get(&app, "/c1/b1/b.txt").await.text(), "second");
    assert_eq!(get(&app, "/c1/b1/col/a.txt").await.text(), "first body");
    assert_eq!(app.delete("/c1/b1/b.txt").master().send().await.status, 204);
    assert_eq!(get(&app, "/c1/b1/col/a.txt").await.text(), "first body");
    // Onto an existing file: Overwrite F is 412 and changes nothing; T replaces it (204).
    put(&app, "/c1/b1/c.txt", "text/plain", "keep me").await;
    cp(
        &app,
        "/c1/b1/col/a.txt",
        &format!("{B1}/c.txt"),
        &[("Overwrite", "F")],
    )
    .await
    .assert_error(412, "PR412-DV-0002");
    assert_eq!(get(&app, "/c1/b1/c.txt").await.text(), "keep me");
    let r = cp(&app, "/c1/b1/col/a.txt", &format!("{B1}/c.txt"), &[]).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(get(&app, "/c1/b1/c.txt").await.text(), "first body");
    // A failing COPY (parent missing) leaves no body behind; replaced and deleted bodies are
    // gone: a.txt and c.txt remain.
    cp(&app, "/c1/b1/col/a.txt", &format!("{B1}/none/a"), &[])
        .await
        .assert_error(409, "PR409-DV-0001");
    assert_eq!(blob_files(&app).len(), 2);
}

#[actix_web::test]
async fn collection_copy_carries_its_files() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col/sub", None).await;
    put(&app, "/c1/b1/col/top.txt", "text/plain", "top").await;
    put(&app, "/c1/b1/col/sub/deep.json", "application/json", "{}").await;
    let r = cp(&app, "/c1/b1/col", &format!("{B1}/all"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(get(&app, "/c1/b1/all/top.txt").await.text(), "top");
    let deep = get(&app, "/c1/b1/all/sub/deep.json").await;
    assert_eq!(deep.text(), "{}");
    assert_eq!(
        deep.header("Content-Type").as_deref(),
        Some("application/json")
    );
    // Depth 0: the collection alone.
    let r = cp(&app, "/c1/b1/col", &format!("{B1}/bare"), &[("Depth", "0")]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(get(&app, "/c1/b1/bare/top.txt").await.status, 404);
    // Replacing a collection that holds files (Overwrite defaults to T).
    let r = cp(&app, "/c1/b1/col/sub", &format!("{B1}/all"), &[]).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(get(&app, "/c1/b1/all/deep.json").await.text(), "{}");
    assert_eq!(get(&app, "/c1/b1/all/top.txt").await.status, 404);
    // The sources are untouched.
    assert_eq!(get(&app, "/c1/b1/col/top.txt").await.text(), "top");
    assert_eq!(get(&app, "/c1/b1/col/sub/deep.json").await.text(), "{}");
    // Two sources and the one copy left in `all`: the replaced copies' bodies are gone.
    assert_eq!(blob_files(&app).len(), 3);
}
