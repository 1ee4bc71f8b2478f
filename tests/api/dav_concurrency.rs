//! Concurrent writes to one box (spec §6; DESIGN.md "Storage and data"): many clients creating
//! collections and files and deleting collections at once all succeed, none sees "database is
//! locked", and the tree ends exactly as the requests say.

use futures_util::future::join_all;

use crate::box_acl::seeded;
use crate::helpers::{Resp, TestApp};

async fn put_file(app: &TestApp, i: usize, body: String) -> Resp {
    let path = format!("/c1/b1/col/f{i}.txt");
    app.put(&path)
        .master()
        .header("Content-Type", "text/plain")
        .body(body)
        .send()
        .await
}

#[actix_web::test]
async fn concurrent_mkcol_put_delete_all_succeed() {
    let app = seeded().await;
    const N: usize = 24;
    // Round 1: collections and files side by side.
    let creates = (0..N).map(|i| {
        let app = &app;
        async move {
            let r = if i % 2 == 0 {
                app.req("MKCOL", &format!("/c1/b1/col/d{i}"))
                    .master()
                    .send()
                    .await
            } else {
                put_file(app, i, format!("file {i}")).await
            };
            (i, r.status, r.text())
        }
    });
    for (i, status, text) in join_all(creates).await {
        assert_eq!(status, 201, "request {i}: {text}");
    }
    // Round 2: delete every collection while replacing every file.
    let mixed = (0..N).map(|i| {
        let app = &app;
        async move {
            let r = if i % 2 == 0 {
                app.delete(&format!("/c1/b1/col/d{i}"))
                    .master()
                    .send()
                    .await
            } else {
                put_file(app, i, format!("file {i}, again")).await
            };
            (i, r.status, r.text())
        }
    });
    for (i, status, text) in join_all(mixed).await {
        assert_eq!(status, 204, "request {i}: {text}");
    }
    for i in 0..N {
        let r = app
            .get(&format!(
                "/c1/b1/col/{}",
                if i % 2 == 0 {
                    format!("d{i}")
                } else {
                    format!("f{i}.txt")
                }
            ))
            .master()
            .send()
            .await;
        if i % 2 == 0 {
            assert_eq!(r.status, 404, "d{i} should be gone");
        } else {
            assert_eq!(r.text(), format!("file {i}, again"));
        }
    }
}
