//! ownCloud WebDAV extensions (beyond Personium; `webdav::owncloud`, as rclone's `owncloud`
//! vendor uses them): `X-OC-Mtime` on PUT, `OC-Checksum` checked, `oc:checksums` in a named
//! PROPFIND, kept by MOVE and COPY; a refused PUT changes nothing.

use crate::box_acl::{propfind, seeded};
use crate::dav_move::{mv, to_destination};
use crate::helpers::{Resp, TestApp};

const B1: &str = "http://localhost:8000/c1/b1";
/// rclone's PROPFIND body in `owncloud` mode (backend/webdav/webdav.go `owncloudProps`).
const RCLONE_PROPS: &str = r#"<?xml version="1.0"?>
<d:propfind  xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:prop>
  <d:displayname />
  <d:getlastmodified />
  <d:getcontentlength />
  <d:resourcetype />
  <d:getcontenttype />
  <oc:checksums />
 </d:prop>
</d:propfind>
"#;
/// SHA-1 and MD5 of `hello\n`.
const SHA1: &str = "f572d396fae9206628714fb2ce00f72e94f2258f";
const MD5: &str = "b1946ac92492d2347c6235b4d2611184";
const CHECKSUMS: &str = "<checksums xmlns=\"http://owncloud.org/ns\"><checksum>SHA1:f572d396fae9206628714fb2ce00f72e94f2258f MD5:b1946ac92492d2347c6235b4d2611184</checksum></checksums>";

async fn put(app: &TestApp, path: &str, body: &'static [u8], headers: &[(&str, &str)]) -> Resp {
    let mut r = app.put(path).master().body(body);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r.send().await
}

async fn named(app: &TestApp, path: &str, depth: &str) -> String {
    let r = app
        .req("PROPFIND", path)
        .master()
        .header("Depth", depth)
        .body(RCLONE_PROPS)
        .send()
        .await;
    assert_eq!(r.status, 207, "{}", r.text());
    r.text()
}

#[actix_web::test]
async fn x_oc_mtime_sets_last_modified() {
    let app = seeded().await;
    // 2023-11-14T22:13:20Z
    let r = put(
        &app,
        "/c1/b1/col/a.txt",
        b"hello\n",
        &[("X-OC-Mtime", "1700000000")],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("X-OC-MTime").as_deref(), Some("accepted"));
    let etag = r.header("ETag").unwrap();
    let date = "Tue, 14 Nov 2023 22:13:20 GMT";
    let got = app.get("/c1/b1/col/a.txt").master().send().await;
    assert_eq!(got.header("Last-Modified").as_deref(), Some(date));
    assert_eq!(got.header("ETag"), Some(etag.clone()));
    let want = format!("<getlastmodified>{date}</getlastmodified>");
    assert!(named(&app, "/c1/b1/col", "1").await.contains(&want));
    assert!(propfind(&app, "/c1/b1/col/a.txt", "0")
        .await
        .text()
        .contains(&want));

    // Replaced with the same mtime: still a new ETag (it is not made from the mtime).
    let r = put(
        &app,
        "/c1/b1/col/a.txt",
        b"hellO\n",
        &[("X-OC-Mtime", "1700000000")],
    )
    .await;
    assert_eq!(r.status, 204);
    assert_ne!(r.header("ETag"), Some(etag));
    // Replaced without one: the server's time again, and no `accepted`.
    let r = put(&app, "/c1/b1/col/a.txt", b"hello\n", &[]).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("X-OC-MTime"), None);
    let got = app.get("/c1/b1/col/a.txt").master().send().await;
    assert_ne!(got.header("Last-Modified").as_deref(), Some(date));
}

#[actix_web::test]
async fn bad_x_oc_mtime_or_checksum_changes_nothing() {
    let app = seeded().await;
    let ok = put(&app, "/c1/b1/col/a.txt", b"hello\n", &[]).await;
    let etag = ok.header("ETag").unwrap();
    let wrong_sha1 = format!("SHA1:{}", "0".repeat(40));
    let bad: &[(&str, &str)] = &[
        ("X-OC-Mtime", "yesterday"),
        ("X-OC-Mtime", "-5"),
        ("X-OC-Mtime", "1.5"),
        ("OC-Checksum", "SHA1:abc"),
        ("OC-Checksum", &wrong_sha1),
    ];
    for (name, value) in bad {
        for path in ["/c1/b1/col/a.txt", "/c1/b1/col/new.txt"] {
            let r = put(&app, path, b"other\n", &[(name, value)]).await;
            r.assert_error(400, "PR400-DV-0009");
        }
    }
    let got = app.get("/c1/b1/col/a.txt").master().send().await;
    assert_eq!(&got.body[..], b"hello\n");
    assert_eq!(got.header("ETag"), Some(etag));
    assert_eq!(
        app.get("/c1/b1/col/new.txt").master().send().await.status,
        404
    );

    // Matching checksums (any case, unknown algorithms skipped) are accepted.
    let both = format!("SHA1:{} MD5:{MD5} ADLER32:084b021f", SHA1.to_uppercase());
    let r = put(
        &app,
        "/c1/b1/col/b.txt",
        b"hello\n",
        &[("OC-Checksum", &both)],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[actix_web::test]
async fn checksums_in_named_propfind_only() {
    let app = seeded().await;
    put(&app, "/c1/b1/col/a.txt", b"hello\n", &[]).await;
    let t = named(&app, "/c1/b1/col", "1").await;
    assert_eq!(t.matches(CHECKSUMS).count(), 1, "{t}");
    // The collection's checksums and displayname are not found; the file's are.
    assert!(t.contains("<status>HTTP/1.1 404 Not Found</status>"), "{t}");
    let t = named(&app, "/c1/b1/col/a.txt", "0").await;
    let ok = t.find("HTTP/1.1 200 OK").unwrap();
    assert!(t.find(CHECKSUMS).unwrap() < ok, "{t}");
    // allprop is Personium's answer: no checksums.
    let t = propfind(&app, "/c1/b1/col/a.txt", "0").await.text();
    assert!(!t.contains("checksum"), "{t}");
}

#[actix_web::test]
async fn move_and_copy_keep_checksums_and_mtime() {
    let app = seeded().await;
    put(
        &app,
        "/c1/b1/col/a.txt",
        b"hello\n",
        &[("X-OC-Mtime", "1700000000")],
    )
    .await;
    let date = "<getlastmodified>Tue, 14 Nov 2023 22:13:20 GMT</getlastmodified>";
    let r = mv(&app, "/c1/b1/col/a.txt", &format!("{B1}/moved.txt"), &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = named(&app, "/c1/b1/moved.txt", "0").await;
    assert!(t.contains(CHECKSUMS) && t.contains(date), "{t}");

    let r = to_destination(
        &app,
        "COPY",
        "/c1/b1/moved.txt",
        &format!("{B1}/copy.txt"),
        &[],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = named(&app, "/c1/b1/copy.txt", "0").await;
    assert!(t.contains(CHECKSUMS) && t.contains(date), "{t}");
    let got = app.get("/c1/b1/copy.txt").master().send().await;
    assert_eq!(&got.body[..], b"hello\n");
}
