//! PROPPATCH on the box and its collections (spec §6, §3.2) and the PROPFIND forms beyond
//! Personium (named `<prop>` list, `<propname/>`).

use crate::box_acl::{access_token, propfind, seeded};
use crate::helpers::{Resp, TestApp};

const SET_COLOR: &str = r#"<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:x-zoo"><D:set><D:prop><z:color>red</z:color><z:size n="1"/></D:prop></D:set></D:propertyupdate>"#;

async fn proppatch(app: &TestApp, path: &str, body: &str) -> Resp {
    app.req("PROPPATCH", path)
        .master()
        .body(body.to_owned())
        .send()
        .await
}

#[actix_web::test]
async fn set_remove_round_trip() {
    let app = seeded().await;
    for path in ["/c1/b1", "/c1/b1/col", "/c1/__"] {
        let r = proppatch(&app, path, SET_COLOR).await;
        assert_eq!(r.status, 207, "{path}: {}", r.text());
        assert!(r.header("ETag").is_some());
        let t = r.text();
        assert!(
            t.contains(&format!("<href>http://localhost:8000{path}</href>")),
            "{t}"
        );
        assert!(
            t.contains("<z:color xmlns:z=\"urn:x-zoo\">red</z:color>"),
            "{t}"
        );
        assert!(t.contains("HTTP/1.1 200 OK"), "{t}");
        let t = propfind(&app, path, "0").await.text();
        assert!(
            t.contains("<z:color xmlns:z=\"urn:x-zoo\">red</z:color>"),
            "{t}"
        );
        assert!(t.contains("<z:size xmlns:z=\"urn:x-zoo\" n=\"1\"/>"), "{t}");
    }
    // Depth 1 on the box shows the collection's properties too.
    let t = propfind(&app, "/c1/b1", "1").await.text();
    assert_eq!(t.matches(">red</z:color>").count(), 2, "{t}");
    // Remove one present and one absent property.
    let r = proppatch(
        &app,
        "/c1/b1/col",
        r#"<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:x-zoo"><D:remove><D:prop><z:color/><z:gone/></D:prop></D:remove></D:propertyupdate>"#,
    )
    .await;
    assert_eq!(r.status, 207);
    let t = r.text();
    assert!(
        t.contains("<z:color xmlns:z=\"urn:x-zoo\"/></prop><status>HTTP/1.1 200 OK"),
        "{t}"
    );
    assert!(
        t.contains("<z:gone xmlns:z=\"urn:x-zoo\"/></prop><status>HTTP/1.1 404 Not Found"),
        "{t}"
    );
    let t = propfind(&app, "/c1/b1/col", "0").await.text();
    assert!(!t.contains("z:color"), "{t}");
    assert!(t.contains("z:size"), "{t}");
}

#[actix_web::test]
async fn bad_bodies_and_privileges_change_nothing() {
    let app = seeded().await;
    assert_eq!(proppatch(&app, "/c1/b1/col", SET_COLOR).await.status, 207);
    let before = propfind(&app, "/c1/b1/col", "0").await.text();
    proppatch(&app, "/c1/b1/col", "<oops")
        .await
        .assert_error(400, "PR400-DV-0001");
    proppatch(
        &app,
        "/c1/b1/col",
        r#"<D:propertyupdate xmlns:D="DAV:"><D:set/></D:propertyupdate>"#,
    )
    .await
    .assert_error(400, "PR400-DV-0002");
    // `me` holds only `reader`: no write-properties.
    let tok = access_token(&app, "c1").await;
    app.req("PROPPATCH", "/c1/b1/col")
        .bearer(&tok)
        .body(SET_COLOR.replace("red", "blue"))
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    proppatch(&app, "/c1/b1/none", SET_COLOR)
        .await
        .assert_error(404, "PR404-DV-0001");
    assert_eq!(propfind(&app, "/c1/b1/col", "0").await.text(), before);
}

#[actix_web::test]
async fn propfind_named_props_and_propname() {
    let app = seeded().await;
    assert_eq!(proppatch(&app, "/c1/b1/col", SET_COLOR).await.status, 207);
    let named = r#"<D:propfind xmlns:D="DAV:" xmlns:z="urn:x-zoo"><D:prop><D:resourcetype/><z:color/><z:nope/><D:getetagx/></D:prop></D:propfind>"#;
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .master()
        .header("Depth", "0")
        .body(named)
        .send()
        .await;
    assert_eq!(r.status, 207);
    let t = r.text();
    assert!(
        t.contains("<propstat><prop><resourcetype><collection/></resourcetype><z:color xmlns:z=\"urn:x-zoo\">red</z:color></prop><status>HTTP/1.1 200 OK</status></propstat>"),
        "{t}"
    );
    assert!(
        t.contains("<propstat><prop><nope xmlns=\"urn:x-zoo\"/><getetagx/></prop><status>HTTP/1.1 404 Not Found</status></propstat>"),
        "{t}"
    );
    assert!(!t.contains("creationdate"), "{t}");
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .master()
        .header("Depth", "0")
        .body(r#"<propfind xmlns="DAV:"><propname/></propfind>"#)
        .send()
        .await;
    let t = r.text();
    assert!(
        t.contains("<creationdate/><getlastmodified/><resourcetype/>"),
        "{t}"
    );
    assert!(t.contains("<color xmlns=\"urn:x-zoo\"/>"), "{t}");
    assert!(!t.contains(">red<"), "{t}");
    app.req("PROPFIND", "/c1/b1/col")
        .master()
        .header("Depth", "0")
        .body("<oops")
        .send()
        .await
        .assert_error(400, "PR400-DV-0001");
}

#[actix_web::test]
async fn missing_resources_and_rfc4918_semantics() {
    let app = crate::box_acl::seed(TestApp::spawn_with(|s| s.webdav.rfc4918 = true).await).await;
    // PROPPATCH on a resource that does not exist: 404, nothing created.
    proppatch(&app, "/c1/b1/nothing", SET_COLOR)
        .await
        .assert_error(404, "PR404-DV-0001");
    proppatch(&app, "/c1/b1/none/deeper", SET_COLOR)
        .await
        .assert_error(404, "PR404-DV-0001");
    assert_eq!(propfind(&app, "/c1/b1/nothing", "0").await.status, 404);
    // RFC 4918 §9.2: document order ("remove then set" keeps the value) and removing an
    // absent property is not an error.
    let r = proppatch(
        &app,
        "/c1/b1/col",
        r#"<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:x-zoo"><D:remove><D:prop><z:color/><z:gone/></D:prop></D:remove><D:set><D:prop><z:color>blue</z:color></D:prop></D:set></D:propertyupdate>"#,
    )
    .await;
    assert_eq!(r.status, 207);
    let t = r.text();
    assert!(!t.contains("404"), "{t}");
    let t = propfind(&app, "/c1/b1/col", "0").await.text();
    assert!(t.contains(">blue</z:color>"), "{t}");
}
