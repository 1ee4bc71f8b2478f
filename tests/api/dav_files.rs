//! Files in boxes (spec §6, §2.1, §3.2): PUT / GET / HEAD / DELETE with their statuses and
//! headers, preconditions, ranges, limits and access checks; failed writes change nothing.

use crate::box_acl::{access_token, acl_doc, propfind, seeded, set_acl, C1};
use crate::helpers::{Resp, TestApp};

pub(crate) async fn put(app: &TestApp, path: &str, body: &'static [u8]) -> Resp {
    app.put(path)
        .master()
        .header("Content-Type", "text/plain")
        .body(body)
        .send()
        .await
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(path).master().send().await
}

/// The blobs stored under the test's data dir (temporary files included).
pub(crate) fn blob_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n.len() == 32) {
                // Bodies and unfinished writes are named by their 32-hex key.
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.settings.storage.data_dir.join("blobs"), &mut out);
    out
}

#[actix_web::test]
async fn put_get_head_delete_round_trip() {
    let app = seeded().await;
    let r = put(&app, "/c1/b1/col/a.txt", b"hello world").await;
    assert_eq!(r.status, 201, "{}", r.text());
    let etag = r.header("ETag").unwrap();
    assert!(etag.starts_with("\"1-") && etag.ends_with('"'), "{etag}");

    let r = get(&app, "/c1/b1/col/a.txt").await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..], b"hello world");
    assert_eq!(r.header("Content-Type").as_deref(), Some("text/plain"));
    assert_eq!(r.header("ETag"), Some(etag.clone()));
    assert_eq!(r.header("Accept-Ranges").as_deref(), Some("bytes"));
    assert!(r.header("Last-Modified").unwrap().ends_with(" GMT"));

    let r = app.req("HEAD", "/c1/b1/col/a.txt").master().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("ETag"), Some(etag.clone()));

    // PROPFIND lists the file with its properties.
    let t = propfind(&app, "/c1/b1/col", "1").await.text();
    assert!(
        t.contains("<href>http://localhost:8000/c1/b1/col/a.txt</href>"),
        "{t}"
    );
    assert!(t.contains("<getcontentlength>11</getcontentlength>"), "{t}");
    assert!(
        t.contains("<getcontenttype>text/plain</getcontenttype>"),
        "{t}"
    );
    assert!(t.contains(&format!("<getetag>{etag}</getetag>")), "{t}");

    let r = propfind(&app, "/c1/b1/col/a.txt", "0").await;
    assert_eq!(r.status, 207);
    assert!(
        r.text().contains("<getcontentlength>11</getcontentlength>"),
        "{}",
        r.text()
    );
    let r = app.req("OPTIONS", "/c1/b1/col/a.txt").master().send().await;
    assert_eq!(r.status, 200);

    // Replace: 204, a new ETag, the new body; the old body is gone from the store.
    assert_eq!(blob_files(&app).len(), 1);
    let r = app
        .put("/c1/b1/col/a.txt")
        .master()
        .header("If-Match", &etag)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let etag2 = r.header("ETag").unwrap();
    assert_ne!(etag, etag2);
    let r = get(&app, "/c1/b1/col/a.txt").await;
    assert_eq!(
        (&r.body[..], r.header("Content-Type").as_deref()),
        (&b"{}"[..], Some("application/json"))
    );
    assert_eq!(blob_files(&app).len(), 1);

    // Stale If-Match: 412, nothing changed.
    app.put("/c1/b1/col/a.txt")
        .master()
        .header("If-Match", &etag)
        .body("x")
        .send()
        .await
        .assert_error(412, "PR412-DV-0001");
    app.delete("/c1/b1/col/a.txt")
        .master()
        .header("If-Match", "\"9-9\"")
        .send()
        .await
        .assert_error(412, "PR412-DV-0001");
    app.put("/c1/b1/col/a.txt")
        .master()
        .header("If-None-Match", "*")
        .body("x")
        .send()
        .await
        .assert_error(412, "PR412-DV-0001");
    assert_eq!(&get(&app, "/c1/b1/col/a.txt").await.body[..], b"{}");

    // Weak form of the ETag matches (Personium's matchesETag).
    let r = app
        .delete("/c1/b1/col/a.txt")
        .master()
        .header("If-Match", &format!("W/{etag2}"))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    get(&app, "/c1/b1/col/a.txt")
        .await
        .assert_error(404, "PR404-DV-0001");
    assert!(blob_files(&app).is_empty(), "{:?}", blob_files(&app));
}

#[actix_web::test]
async fn conditional_and_range_gets() {
    let app = seeded().await;
    let r = put(&app, "/c1/b1/f.bin", b"0123456789").await;
    assert_eq!(r.status, 201, "{}", r.text());
    let etag = r.header("ETag").unwrap();

    let r = app
        .get("/c1/b1/f.bin")
        .master()
        .header("If-None-Match", &etag)
        .send()
        .await;
    assert_eq!((r.status, r.header("ETag")), (304, Some(etag.clone())));
    assert!(r.body.is_empty());
    let r = app
        .get("/c1/b1/f.bin")
        .master()
        .header("If-None-Match", "\"1-1\"")
        .send()
        .await;
    assert_eq!(r.status, 200);

    let range = |h: &'static str| {
        let app = &app;
        async move {
            app.get("/c1/b1/f.bin")
                .master()
                .header("Range", h)
                .send()
                .await
        }
    };
    let r = range("bytes=2-5").await;
    assert_eq!(r.status, 206);
    assert_eq!(&r.body[..], b"2345");
    assert_eq!(r.header("Content-Range").as_deref(), Some("bytes 2-5/10"));
    assert_eq!(r.header("Accept-Ranges").as_deref(), Some("bytes"));
    let r = range("bytes=-3").await;
    assert_eq!((r.status, &r.body[..]), (206, &b"789"[..]));
    let r = range("bytes=7-").await;
    assert_eq!((r.status, &r.body[..]), (206, &b"789"[..]));
    range("bytes=20-30")
        .await
        .assert_error(416, "PR416-DV-0001");
    range("bytes=0-1,4-5")
        .await
        .assert_error(501, "PR501-MC-0002");
    let r = range("bytes=5-2").await;
    assert_eq!((r.status, r.body.len()), (200, 10));
}

#[actix_web::test]
async fn refused_puts_change_nothing() {
    let app = TestApp::spawn_with(|s| s.storage.max_file_bytes = 16).await;
    let app = crate::box_acl::seed(app).await;
    let before = propfind(&app, "/c1/b1", "1").await.text();
    // Missing parent; below the box with nothing above.
    put(&app, "/c1/b1/nope/a.txt", b"x")
        .await
        .assert_error(409, "PR409-DV-0001");
    // Onto a collection, the box, a bad name.
    put(&app, "/c1/b1/col", b"x")
        .await
        .assert_error(405, "PR405-MC-0001");
    put(&app, "/c1/b1/a:b", b"x")
        .await
        .assert_error(403, "PR403-DV-0004");
    // Too large: announced, or streamed without a length.
    put(&app, "/c1/b1/big", b"0123456789abcdefXYZ")
        .await
        .assert_error(413, "PR413-MC-0001");
    assert_eq!(before, propfind(&app, "/c1/b1", "1").await.text());
    assert!(blob_files(&app).is_empty());

    // A failed replace leaves the old body.
    assert_eq!(put(&app, "/c1/b1/keep", b"old body").await.status, 201);
    put(&app, "/c1/b1/keep", b"a new body, too long")
        .await
        .assert_error(413, "PR413-MC-0001");
    assert_eq!(&get(&app, "/c1/b1/keep").await.body[..], b"old body");
    assert_eq!(blob_files(&app).len(), 1);
}

#[actix_web::test]
async fn access_checks() {
    let app = seeded().await;
    assert_eq!(put(&app, "/c1/b1/col/f", b"x").await.status, 201);
    let me = access_token(&app, "c1").await;
    let cases: Vec<(&str, &str, Option<&str>, u16, &str)> = vec![
        ("PUT", "/c1/b1/col/g", None, 401, "PR401-AU-0001"),
        ("PUT", "/c1/b1/col/f", None, 401, "PR401-AU-0001"),
        ("GET", "/c1/b1/col/f", None, 401, "PR401-AU-0001"),
        ("DELETE", "/c1/b1/col/f", None, 401, "PR401-AU-0001"),
        ("PUT", "/c1/b1/col/g", Some(&me), 403, "PR403-AU-0002"),
        ("PUT", "/c1/b1/col/f", Some(&me), 403, "PR403-AU-0002"),
        ("GET", "/c1/b1/col/f", Some(&me), 403, "PR403-AU-0002"),
        ("HEAD", "/c1/b1/col/f", Some(&me), 403, ""),
        ("DELETE", "/c1/b1/col/f", Some(&me), 403, "PR403-AU-0002"),
    ];
    for (method, path, token, status, code) in &cases {
        let mut r = app.req(method, path).body("y");
        if let Some(t) = token {
            r = r.bearer(t);
        }
        let r = r.send().await;
        if code.is_empty() {
            assert_eq!(r.status, *status, "{method} {path}");
        } else {
            r.assert_error(*status, code);
        }
    }
    assert_eq!(&get(&app, "/c1/b1/col/f").await.body[..], b"x");

    // read on the collection: GET allowed; write (bind, write-content, unbind) still refused.
    let base = format!("{C1}__role/b1/");
    let doc = acl_doc(&base, "", &[("reader", &["D:read"])]);
    assert_eq!(set_acl(&app, "/c1/b1/col", &doc).await.status, 200);
    let r = app.get("/c1/b1/col/f").bearer(&me).send().await;
    assert_eq!((r.status, &r.body[..]), (200, &b"x"[..]));
    app.put("/c1/b1/col/f")
        .bearer(&me)
        .body("y")
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    // write on the collection: create, replace, delete.
    let doc = acl_doc(&base, "", &[("reader", &["D:read", "D:write"])]);
    assert_eq!(set_acl(&app, "/c1/b1/col", &doc).await.status, 200);
    for (method, status) in [("PUT", 201), ("PUT", 204), ("DELETE", 204)] {
        let r = app
            .req(method, "/c1/b1/col/g")
            .bearer(&me)
            .body("z")
            .send()
            .await;
        assert_eq!(r.status, status, "{method}: {}", r.text());
    }
}

#[actix_web::test]
async fn deleted_trees_and_orphans_leave_no_bodies() {
    let app = seeded().await;
    let r = app.req("MKCOL", "/c1/b1/col/sub").master().send().await;
    assert_eq!(r.status, 201, "{}", r.text());
    for path in ["/c1/b1/col/sub/f1", "/c1/b1/col/f2", "/c1/b1/keep"] {
        assert_eq!(put(&app, path, b"body").await.status, 201, "{path}");
    }
    assert_eq!(blob_files(&app).len(), 3);
    let r = app
        .delete("/c1/b1/col")
        .master()
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let kept = blob_files(&app);
    assert_eq!(kept.len(), 1);

    // Start-up: stale unfinished writes and old bodies no row names go; the rest stays.
    let blobs = app.state.settings.storage.data_dir.join("blobs");
    let orphan = blobs.join("ab/abcd0000000000000000000000000000");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"lost").unwrap();
    let young = blobs.join("ab/abcd0000000000000000000000000001");
    std::fs::write(&young, b"in flight").unwrap();
    let half = blobs.join("tmp/abcd0000000000000000000000000002");
    std::fs::write(&half, b"half").unwrap();
    let uploading = blobs.join("tmp/abcd0000000000000000000000000003");
    std::fs::write(&uploading, b"in flight").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for f in [&orphan, &kept[0], &half] {
        let file = std::fs::File::options().write(true).open(f).unwrap();
        file.set_modified(old).unwrap();
    }
    let settings = (*app.state.settings).clone();
    actix_web::web::block(move || unitcell::AppState::build(settings))
        .await
        .unwrap()
        .unwrap();
    let mut left = blob_files(&app);
    left.sort();
    let mut want = vec![kept[0].clone(), young, uploading];
    want.sort();
    assert_eq!(left, want);
    assert_eq!(&get(&app, "/c1/b1/keep").await.body[..], b"body");
}

#[actix_web::test]
async fn files_count_towards_the_children_limit() {
    use unitcell::db::{cells, dav};
    let app = seeded().await;
    // b1 holds `col`; fill it up to 1024 children.
    app.state
        .db
        .run(|conn| {
            let cell = cells::find_by_name(conn, "c1")?.unwrap();
            let bx = dav::find_box(conn, &cell.id, "b1")?.unwrap();
            for i in 1..1024 {
                let id = format!("filler{i:026}");
                let name = format!("n{i}");
                dav::insert(
                    conn,
                    &dav::NewNode {
                        id: &id,
                        cell_id: &cell.id,
                        box_id: Some(&bx.id),
                        parent_id: Some(&bx.id),
                        name: &name,
                        kind: "col",
                        version: 1,
                        published: 0,
                        updated: 0,
                    },
                )?;
            }
            Ok::<_, unitcell::db::DbError>(())
        })
        .await
        .unwrap();
    put(&app, "/c1/b1/one-more", b"x")
        .await
        .assert_error(400, "PR400-DV-0007");
    assert!(blob_files(&app).is_empty());
    // Inside a collection there is room.
    assert_eq!(put(&app, "/c1/b1/col/f", b"x").await.status, 201);
}

#[actix_web::test]
async fn concurrent_puts_of_one_new_file() {
    let app = seeded().await;
    let puts = (0..6).map(|_| put(&app, "/c1/b1/col/race", b"same"));
    let mut statuses: Vec<u16> = futures_util::future::join_all(puts)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    statuses.sort();
    assert_eq!(statuses, [201, 204, 204, 204, 204, 204]);
    assert_eq!(blob_files(&app).len(), 1);
    let etag = get(&app, "/c1/b1/col/race").await.header("ETag").unwrap();
    let deletes = (0..4).map(|_| {
        app.delete("/c1/b1/col/race")
            .master()
            .header("If-Match", &etag)
            .send()
    });
    let mut statuses: Vec<u16> = futures_util::future::join_all(deletes)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    statuses.sort();
    assert_eq!(statuses, [204, 404, 404, 404]);
    assert!(blob_files(&app).is_empty());
    assert_eq!(put(&app, "/c1/b1/col/race", b"same").await.status, 201);
    assert_eq!(&get(&app, "/c1/b1/col/race").await.body[..], b"same");
}

#[actix_web::test]
async fn large_bodies_stream_past_the_control_body_limit() {
    let app = seeded().await;
    // 3 MiB: over `server.max_body_bytes` (JSON/XML bodies), under `storage.max_file_bytes`.
    let body: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let r = app
        .put("/c1/b1/big.bin")
        .master()
        .body(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = get(&app, "/c1/b1/big.bin").await;
    assert_eq!(
        r.header("Content-Type").as_deref(),
        Some("application/octet-stream")
    );
    assert!(r.body[..] == body[..], "body differs");
    // A range across the store's read chunks.
    let r = app
        .get("/c1/b1/big.bin")
        .master()
        .header("Range", "bytes=100000-399999")
        .send()
        .await;
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("Content-Range").as_deref(),
        Some("bytes 100000-399999/3145728")
    );
    assert!(r.body[..] == body[100000..400000], "range differs");
}

/// A PUT whose body arrives as `chunks` without a Content-Length (as a chunked upload).
async fn put_streamed(
    app: &TestApp,
    path: &str,
    chunks: Vec<Result<actix_web::web::Bytes, actix_web::error::PayloadError>>,
) -> Resp {
    use actix_web::test;
    let req = test::TestRequest::put().uri(path).insert_header((
        "Authorization",
        format!("Bearer {}", crate::helpers::MASTER),
    ));
    let stream: std::pin::Pin<
        Box<
            dyn futures_util::Stream<
                Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
            >,
        >,
    > = Box::pin(futures_util::stream::iter(chunks));
    app.call(req, Some(actix_web::dev::Payload::from(stream)))
        .await
}

#[actix_web::test]
async fn uploads_failing_midway_keep_the_old_body() {
    let app = TestApp::spawn_with(|s| s.storage.max_file_bytes = 16).await;
    let app = crate::box_acl::seed(app).await;
    let part = || Ok(actix_web::web::Bytes::from_static(b"0123456789"));
    let r = put_streamed(&app, "/c1/b1/f", vec![part()]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    // Past the limit with no length announced: 413 once the limit is crossed.
    put_streamed(&app, "/c1/b1/f", vec![part(), part()])
        .await
        .assert_error(413, "PR413-MC-0001");
    // The client goes away.
    let broken = vec![
        part(),
        Err(actix_web::error::PayloadError::Incomplete(None)),
    ];
    put_streamed(&app, "/c1/b1/f", broken)
        .await
        .assert_error(400, "PR400-OD-0001");
    put_streamed(&app, "/c1/b1/new", vec![part(), part()])
        .await
        .assert_error(413, "PR413-MC-0001");
    assert_eq!(&get(&app, "/c1/b1/f").await.body[..], b"0123456789");
    get(&app, "/c1/b1/new")
        .await
        .assert_error(404, "PR404-DV-0001");
    assert_eq!(blob_files(&app).len(), 1);
}
