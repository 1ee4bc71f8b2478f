//! File bodies of deleted rows (spec §6; DESIGN.md "Storage and data"): whatever deletes files
//! through a cascade (a recursive collection or cell DELETE, a MOVE or COPY replacing its
//! destination) removes their bodies once the transaction commits, not at the next start-up.

use crate::box_acl::seeded;
use crate::dav_files::{blob_files, put};
use crate::helpers::TestApp;

async fn mkcol(app: &TestApp, path: &str) {
    let r = app.req("MKCOL", path).master().send().await;
    assert_eq!(r.status, 201, "{path}: {}", r.text());
}

/// MOVE or COPY with `Overwrite: T` onto an existing destination: 204.
async fn replace(app: &TestApp, method: &str, from: &str, to: &str) {
    let r = app
        .req(method, from)
        .master()
        .header("Destination", &format!("http://localhost:8000{to}"))
        .header("Overwrite", "T")
        .send()
        .await;
    assert_eq!(r.status, 204, "{method} {from} {to}: {}", r.text());
}

#[actix_web::test]
async fn a_recursive_cell_delete_removes_its_bodies() {
    let app = seeded().await;
    mkcol(&app, "/c1/b1/col/sub").await;
    for path in [
        "/c1/b1/col/sub/f1",
        "/c1/b1/top",
        "/c1/__/main",
        "/c2/__/kept",
    ] {
        assert_eq!(put(&app, path, b"body").await.status, 201, "{path}");
    }
    assert_eq!(blob_files(&app).len(), 4);
    let r = app
        .delete("/c1")
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // Only the other cell's body is left.
    assert_eq!(blob_files(&app).len(), 1);
    assert_eq!(
        &app.get("/c2/__/kept").master().send().await.body[..],
        b"body"
    );
}

#[actix_web::test]
async fn a_replaced_destination_loses_its_bodies() {
    let app = seeded().await;
    assert_eq!(put(&app, "/c1/b1/a", b"new").await.status, 201);
    assert_eq!(put(&app, "/c1/b1/b", b"old").await.status, 201);
    replace(&app, "MOVE", "/c1/b1/a", "/c1/b1/b").await;
    assert_eq!(blob_files(&app).len(), 1);
    assert_eq!(&app.get("/c1/b1/b").master().send().await.body[..], b"new");

    // COPY of an empty collection over one holding files.
    mkcol(&app, "/c1/b1/empty").await;
    mkcol(&app, "/c1/b1/full").await;
    mkcol(&app, "/c1/b1/full/sub").await;
    for path in ["/c1/b1/full/f1", "/c1/b1/full/sub/f2"] {
        assert_eq!(put(&app, path, b"body").await.status, 201, "{path}");
    }
    assert_eq!(blob_files(&app).len(), 3);
    replace(&app, "COPY", "/c1/b1/empty", "/c1/b1/full").await;
    assert_eq!(blob_files(&app).len(), 1);
    app.get("/c1/b1/full/f1")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-DV-0001");
}
