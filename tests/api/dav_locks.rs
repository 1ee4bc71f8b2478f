//! WebDAV locks on box resources (beyond Personium; RFC 4918 §6-7, §9.10-9.11, §10.4):
//! LOCK/UNLOCK, 423 without the token, writes with `If: (<token>)`, refresh, expiry, shared
//! vs exclusive, lockdiscovery in PROPFIND, locks on unmapped URLs.

use crate::box_acl::{propfind, seeded};
use crate::dav_move::mv;
use crate::helpers::{Resp, TestApp};

const B1: &str = "http://localhost:8000/c1/b1";
const PATCH: &str = r#"<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:z"><D:set><D:prop><z:k>v</z:k></D:prop></D:set></D:propertyupdate>"#;

fn lockinfo(scope: &str) -> String {
    format!(
        "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:{scope}/></D:lockscope>\
         <D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:me@x</D:href></D:owner>\
         </D:lockinfo>"
    )
}

async fn lock(app: &TestApp, path: &str, scope: &str, headers: &[(&str, &str)]) -> Resp {
    let mut r = app.req("LOCK", path).master().body(lockinfo(scope));
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r.send().await
}

fn token(r: &Resp) -> String {
    let t = r.header("Lock-Token").expect("Lock-Token");
    t.trim_start_matches('<').trim_end_matches('>').to_owned()
}

/// PUT `body` with the master token and, when given, an `If` header.
async fn put_if(app: &TestApp, path: &str, if_header: Option<String>) -> Resp {
    let mut r = app.put(path).master().body("body");
    if let Some(h) = if_header {
        r = r.header("If", &h);
    }
    r.send().await
}

async fn proppatch(app: &TestApp, path: &str, if_header: Option<&str>) -> Resp {
    let mut r = app.req("PROPPATCH", path).master().body(PATCH);
    if let Some(h) = if_header {
        r = r.header("If", h);
    }
    r.send().await
}

#[actix_web::test]
async fn lock_blocks_writes_without_token() {
    let app = seeded().await;
    let r = lock(
        &app,
        "/c1/b1/col",
        "exclusive",
        &[("Timeout", "Second-600")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let tok = token(&r);
    assert!(tok.starts_with("opaquelocktoken:"), "{tok}");
    let t = r.text();
    assert!(
        t.contains("<lockscope><exclusive/></lockscope><depth>infinity</depth>"),
        "{t}"
    );
    assert!(
        t.contains("<owner><href>mailto:me@x</href></owner><timeout>Second-"),
        "{t}"
    );
    // Writes without the token: 423; with a wrong one: 412; with it: done.
    proppatch(&app, "/c1/b1/col", None)
        .await
        .assert_error(423, "PR423-DV-0001");
    app.req("MKCOL", "/c1/b1/col/sub")
        .master()
        .send()
        .await
        .assert_error(423, "PR423-DV-0001");
    mv(&app, "/c1/b1/col", &format!("{B1}/moved"), &[])
        .await
        .assert_error(423, "PR423-DV-0001");
    app.delete("/c1/b1/col")
        .master()
        .send()
        .await
        .assert_error(423, "PR423-DV-0001");
    proppatch(&app, "/c1/b1/col", Some("(<opaquelocktoken:nope>)"))
        .await
        .assert_error(412, "PR412-DV-0001");
    proppatch(&app, "/c1/b1/col", Some("(<opaquelocktoken:a>"))
        .await
        .assert_error(400, "PR400-DV-0009");
    let if_tok = format!("(<{tok}>)");
    assert_eq!(
        proppatch(&app, "/c1/b1/col", Some(&if_tok)).await.status,
        207
    );
    let r = app
        .req("MKCOL", "/c1/b1/col/sub")
        .master()
        .header("If", &format!("<{B1}/col> (<{tok}>)"))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    // Unrelated resources are free.
    assert_eq!(proppatch(&app, "/c1/b1", None).await.status, 207);
    // PROPFIND shows the lock on the collection and, by depth infinity, below it.
    let t = propfind(&app, "/c1/b1/col", "1").await.text();
    assert_eq!(t.matches(&tok).count(), 2, "{t}");
    assert!(
        t.contains(&format!("<lockroot><href>{B1}/col</href></lockroot>")),
        "{t}"
    );
    assert!(t.contains("<supportedlock>"), "{t}");
    // Unlock: wrong token, missing header, then the right one.
    app.req("UNLOCK", "/c1/b1/col")
        .master()
        .header("Lock-Token", "<opaquelocktoken:nope>")
        .send()
        .await
        .assert_error(400, "PR400-DV-0009");
    app.req("UNLOCK", "/c1/b1/col")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-DV-0010");
    let r = app
        .req("UNLOCK", "/c1/b1/col")
        .master()
        .header("Lock-Token", &format!("<{tok}>"))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(proppatch(&app, "/c1/b1/col", None).await.status, 207);
    // No lock, no lock properties in Personium's allprop answer.
    assert!(!propfind(&app, "/c1/b1/col", "0")
        .await
        .text()
        .contains("lockdiscovery"));
}

#[actix_web::test]
async fn shared_exclusive_refresh_expiry() {
    let app = seeded().await;
    let a = lock(&app, "/c1/b1/col", "shared", &[("Depth", "0")]).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let b = lock(&app, "/c1/b1/col", "shared", &[("Depth", "0")]).await;
    assert_eq!(b.status, 200, "{}", b.text());
    lock(&app, "/c1/b1/col", "exclusive", &[])
        .await
        .assert_error(423, "PR423-DV-0001");
    // An infinite lock on the box conflicts with the shared ones below it... if exclusive.
    lock(&app, "/c1/b1", "exclusive", &[])
        .await
        .assert_error(423, "PR423-DV-0001");
    lock(&app, "/c1/b1/col", "shared", &[("Depth", "1")])
        .await
        .assert_error(400, "PR400-DV-0003");
    lock(&app, "/c1/b1/col", "bogus", &[])
        .await
        .assert_error(400, "PR400-DV-0001");
    // Refresh: no body, token in If.
    let tok = token(&a);
    let r = app
        .req("LOCK", "/c1/b1/col")
        .master()
        .header("If", &format!("(<{tok}>)"))
        .header("Timeout", "Second-1")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<timeout>Second-"), "{}", r.text());
    app.req("LOCK", "/c1/b1/col")
        .master()
        .send()
        .await
        .assert_error(412, "PR412-DV-0001");
    // Lock a with 1 s left expires; b still blocks, with b's token it passes.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let t = propfind(&app, "/c1/b1/col", "0").await.text();
    assert!(!t.contains(&tok), "{t}");
    assert_eq!(t.matches("<activelock>").count(), 1, "{t}");
    proppatch(&app, "/c1/b1/col", None)
        .await
        .assert_error(423, "PR423-DV-0001");
    let tb = token(&b);
    assert_eq!(
        proppatch(&app, "/c1/b1/col", Some(&format!("(<{tb}>)")))
            .await
            .status,
        207
    );
}

#[actix_web::test]
async fn unmapped_urls_and_named_props() {
    let app = seeded().await;
    let r = lock(&app, "/c1/b1/newname", "exclusive", &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let tok = token(&r);
    // The LOCK made an empty file (RFC 4918 §7.3): writing it needs the token.
    app.put("/c1/b1/newname")
        .master()
        .body("x")
        .send()
        .await
        .assert_error(423, "PR423-DV-0001");
    let r = app
        .put("/c1/b1/newname")
        .master()
        .header("If", &format!("(<{tok}>)"))
        .body("x")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    lock(&app, "/c1/b1/x/y", "exclusive", &[])
        .await
        .assert_error(409, "PR409-DV-0001");
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .master()
        .header("Depth", "0")
        .body(r#"<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>"#)
        .send()
        .await;
    let t = r.text();
    assert!(
        t.contains("<lockdiscovery></lockdiscovery><supportedlock><lockentry>"),
        "{t}"
    );
    // Moving a locked resource with its token releases the lock.
    let r = mv(
        &app,
        "/c1/b1/newname",
        &format!("{B1}/renamed"),
        &[("If", &format!("(<{tok}>)"))],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(proppatch(&app, "/c1/b1/renamed", None).await.status, 207);
    // ETag conditions: the current ETag holds, another one does not.
    let etag = propfind(&app, "/c1/b1/col", "0")
        .await
        .header("ETag")
        .unwrap();
    proppatch(&app, "/c1/b1/col", Some("([\"0-0\"])"))
        .await
        .assert_error(412, "PR412-DV-0001");
    let ok = proppatch(&app, "/c1/b1/col", Some(&format!("([{etag}])"))).await;
    assert_eq!(ok.status, 207, "{}", ok.text());
    // A locked COPY destination needs its token.
    let r = lock(&app, "/c1/b1/target", "exclusive", &[]).await;
    let target_tok = token(&r);
    let copy = |if_header: Option<String>| {
        let app = &app;
        async move {
            let mut r = app
                .req("COPY", "/c1/b1/col")
                .master()
                .header("Destination", &format!("{B1}/target"));
            if let Some(h) = if_header {
                r = r.header("If", &h);
            }
            r.send().await
        }
    };
    copy(None).await.assert_error(423, "PR423-DV-0001");
    // The LOCK created `target` as an empty file: the COPY replaces it.
    let r = copy(Some(format!("<{B1}/target> (<{target_tok}>)"))).await;
    assert_eq!(r.status, 204, "{}", r.text());
    // Without locks the box PROPFIND is Personium's.
    let unlock = app
        .req("UNLOCK", "/c1/b1/target")
        .master()
        .header("Lock-Token", &format!("<{target_tok}>"))
        .send()
        .await;
    assert_eq!(unlock.status, 204, "{}", unlock.text());
    assert!(!propfind(&app, "/c1/b1", "1").await.text().contains("lock"));
}

#[actix_web::test]
async fn locks_guard_file_puts_and_deletes() {
    let app = seeded().await;
    let put = |if_header: Option<String>| put_if(&app, "/c1/b1/col/f.txt", if_header);
    assert_eq!(put(None).await.status, 201);
    let r = lock(&app, "/c1/b1/col", "exclusive", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let tok = token(&r);

    // Replacing or deleting a file under a locked collection needs the token.
    assert_eq!(put(None).await.status, 423);
    let r = app.delete("/c1/b1/col/f.txt").master().send().await;
    assert_eq!(r.status, 423, "{}", r.text());
    assert_eq!(put(Some(format!("(<{tok}>)"))).await.status, 204);
    let r = app
        .delete("/c1/b1/col/f.txt")
        .master()
        .header("If", &format!("(<{tok}>)"))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // Creating a new member of the locked collection needs it too.
    assert_eq!(put(None).await.status, 423);
    assert_eq!(
        app.get("/c1/b1/col/f.txt").master().send().await.status,
        404
    );
}

/// RFC 4918 §7.3: a LOCK on an unmapped URL creates an empty resource (201), listed by its
/// parent and locked; UNLOCK leaves the empty file.
#[actix_web::test]
async fn lock_on_unmapped_url_creates_an_empty_file() {
    let app = seeded().await;
    let r = lock(&app, "/c1/b1/col/new.txt", "exclusive", &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let tok = token(&r);
    let get = app.get("/c1/b1/col/new.txt").master().send().await;
    assert_eq!(get.status, 200, "{}", get.text());
    assert_eq!(get.text(), "");
    let listing = propfind(&app, "/c1/b1/col", "1").await.text();
    assert!(listing.contains("/c1/b1/col/new.txt"), "{listing}");
    // It is locked: a write needs the token.
    let put = |if_header: Option<String>| put_if(&app, "/c1/b1/col/new.txt", if_header);
    put(None).await.assert_error(423, "PR423-DV-0001");
    let unlock = app
        .req("UNLOCK", "/c1/b1/col/new.txt")
        .master()
        .header("Lock-Token", &format!("<{tok}>"))
        .send()
        .await;
    assert_eq!(unlock.status, 204, "{}", unlock.text());
    let get = app.get("/c1/b1/col/new.txt").master().send().await;
    assert_eq!(get.status, 200, "{}", get.text());
    assert_eq!(get.text(), "");
    assert_eq!(put(None).await.status, 204);
    // Nor a name a PUT could not create.
    lock(&app, "/c1/b1/col/a:b", "exclusive", &[])
        .await
        .assert_error(403, "PR403-DV-0004");
    // A LOCK whose parent is missing creates nothing.
    lock(&app, "/c1/b1/none/x.txt", "exclusive", &[])
        .await
        .assert_error(409, "PR409-DV-0001");
}
