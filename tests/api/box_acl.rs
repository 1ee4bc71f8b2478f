//! ACLs on boxes and collections (spec §3.3, §3.4): set/get round trip, roles by id,
//! inheritance up to the box and the cell, `p:requireSchemaAuthz`, Basic authentication where
//! Personium allows it, refused documents changing nothing.

use serde_json::{json, Value};

use crate::helpers::{Resp, TestApp};

pub const C1: &str = "http://localhost:8000/c1/";

/// c1 with boxes `b1` (no schema) and `app` (schema), account `me` holding role `reader` of
/// `b1`, box-less role `editor`, and a collection `/b1/col`.
pub async fn seeded() -> TestApp {
    seed(TestApp::spawn().await).await
}

/// [`seeded`] on a Unit spawned by the caller.
pub async fn seed(app: TestApp) -> TestApp {
    let app = app.with_cell("c1").await.with_cell("c2").await;
    for cell in ["c1", "c2"] {
        app.create_account(cell, "me", "box-pass1").await;
    }
    app.create_all(
        "c1",
        &[
            ("Box", json!({"Name": "b1"})),
            (
                "Box",
                json!({"Name": "app", "Schema": "https://app.example/"}),
            ),
            ("Role", json!({"Name": "reader", "_Box.Name": "b1"})),
            ("Role", json!({"Name": "editor"})),
        ],
    )
    .await;
    app.link_role("c1", "me", "reader", Some("b1")).await;
    let r = app.req("MKCOL", "/c1/b1/col").master().send().await;
    assert_eq!(r.status, 201, "{}", r.text());
    app
}

/// A password-grant token response of `me`.
pub async fn token(app: &TestApp, cell: &str) -> Value {
    app.password_grant(cell, "me", "box-pass1").await
}

pub async fn access_token(app: &TestApp, cell: &str) -> String {
    token(app, cell).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An ACL document.
pub fn acl_doc(base: &str, attrs: &str, aces: &[(&str, &[&str])]) -> String {
    let mut s = format!(
        "<D:acl xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\" xml:base=\"{base}\" {attrs}>"
    );
    for (principal, privs) in aces {
        let p = if *principal == "all" {
            "<D:all/>".to_owned()
        } else {
            format!("<D:href>{principal}</D:href>")
        };
        s.push_str(&format!("<D:ace><D:principal>{p}</D:principal><D:grant>"));
        for priv_ in *privs {
            s.push_str(&format!("<D:privilege><{priv_}/></D:privilege>"));
        }
        s.push_str("</D:grant></D:ace>");
    }
    s.push_str("</D:acl>");
    s
}

pub async fn set_acl(app: &TestApp, path: &str, doc: &str) -> Resp {
    app.req("ACL", path)
        .master()
        .body(doc.to_owned())
        .send()
        .await
}

pub async fn propfind(app: &TestApp, path: &str, depth: &str) -> Resp {
    app.req("PROPFIND", path)
        .master()
        .header("Depth", depth)
        .send()
        .await
}

fn base(bx: &str) -> String {
    format!("{C1}__role/{bx}/")
}

#[actix_web::test]
async fn acl_round_trip_on_box_and_collection() {
    let app = seeded().await;
    let r = set_acl(
        &app,
        "/c1/b1",
        &acl_doc(
            &base("b1"),
            "",
            &[("reader", &["D:read"]), ("all", &["D:read-acl"])],
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("ETag").unwrap().starts_with('"'));
    // Relative hrefs resolve against xml:base: a box-less role from the box's base.
    let r = set_acl(
        &app,
        "/c1/b1/col/",
        &acl_doc(&base("b1"), "", &[("../__/editor", &["D:write", "p:exec"])]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = propfind(&app, "/c1/b1", "0").await;
    assert_eq!(r.status, 207, "{}", r.text());
    let t = r.text();
    assert!(
        t.contains("<href>http://localhost:8000/c1/b1</href>"),
        "{t}"
    );
    assert!(t.contains(&format!(
        "<acl xml:base=\"{C1}__role/b1/\" xmlns:p=\"urn:x-personium:xmlns\"><ace><principal><href>reader</href></principal><grant><privilege><D:read xmlns:D=\"DAV:\"/></privilege></grant></ace><ace><principal><all/></principal><grant><privilege><D:read-acl xmlns:D=\"DAV:\"/></privilege></grant></ace></acl>"
    )), "{t}");

    // The collection: its own ACE, then the box's, marked inherited.
    let t = propfind(&app, "/c1/b1/col", "0").await.text();
    assert!(
        t.contains("<href>http://localhost:8000/c1/b1/col</href>"),
        "{t}"
    );
    assert!(t.contains("<ace><principal><href>../__/editor</href></principal><grant><privilege><D:write xmlns:D=\"DAV:\"/></privilege><privilege><p:exec/></privilege></grant></ace>"), "{t}");
    assert!(t.contains("<ace><principal><href>reader</href></principal><grant><privilege><D:read xmlns:D=\"DAV:\"/></privilege></grant><inherited><href>http://localhost:8000/c1/b1</href></inherited></ace>"), "{t}");

    // Depth 1 on the box lists the collection with its ACL.
    let t = propfind(&app, "/c1/b1/", "1").await.text();
    assert_eq!(t.matches("<response>").count(), 2, "{t}");
    assert!(
        t.contains("<href>http://localhost:8000/c1/b1/col</href>"),
        "{t}"
    );

    // Renaming the role keeps the ACE (stored by id).
    let r = app
        .put("/c1/__ctl/Role(Name='reader',_Box.Name='b1')")
        .master()
        .json(&json!({"Name": "viewer", "_Box.Name": "b1"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let t = propfind(&app, "/c1/b1", "0").await.text();
    assert!(t.contains("<href>viewer</href>"), "{t}");
    assert!(!t.contains("<href>reader</href>"), "{t}");

    // The main box takes ACLs too.
    let r = set_acl(
        &app,
        "/c1/__",
        &acl_doc(&base("__"), "", &[("editor", &["D:read"])]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = propfind(&app, "/c1/__", "0").await.text();
    assert!(t.contains("<href>editor</href>"), "{t}");
}

#[actix_web::test]
async fn inheritance_from_box_and_cell() {
    let app = seeded().await;
    let tok = access_token(&app, "c1").await;
    let pf = |path: &'static str, tok: Option<String>| {
        let app = &app;
        async move {
            let mut r = app.req("PROPFIND", path).header("Depth", "0");
            if let Some(t) = tok {
                r = r.bearer(&t);
            }
            r.send().await
        }
    };
    // Nothing granted: 403 with a token, 401 + both challenges without (box without schema).
    pf("/c1/b1/col", Some(tok.clone()))
        .await
        .assert_error(403, "PR403-AU-0002");
    let r = pf("/c1/b1/col", None).await;
    r.assert_error(401, "PR401-AU-0001");
    let challenges: Vec<_> = r.headers.get_all("WWW-Authenticate").collect();
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert_eq!(challenges[0], "Bearer realm=\"http://localhost:8000/c1/\"");
    assert_eq!(challenges[1], "Basic realm=\"http://localhost:8000/c1/\"");
    // Under a box with a schema only Bearer is offered.
    let r = pf("/c1/app", None).await;
    r.assert_error(401, "PR401-AU-0001");
    let challenges: Vec<_> = r.headers.get_all("WWW-Authenticate").collect();
    assert_eq!(challenges.len(), 1, "{challenges:?}");

    // A grant on the box reaches the collection.
    let doc = acl_doc(&base("b1"), "", &[("reader", &["D:read"])]);
    assert_eq!(set_acl(&app, "/c1/b1", &doc).await.status, 200);
    let r = pf("/c1/b1/col", Some(tok.clone())).await;
    assert_eq!(r.status, 207, "{}", r.text());
    // read does not include read-acl: no ACL shown.
    assert!(!r.text().contains("<acl"), "{}", r.text());
    // ... but not write-acl.
    app.req("ACL", "/c1/b1/col")
        .bearer(&tok)
        .body(doc.clone())
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");

    // The cell ACL is the last link: a cell grant of `all` to the role reaches every box.
    let r = app
        .req("ACL", "/c1/")
        .master()
        .body(acl_doc(&base("b1"), "", &[("reader", &["D:all"])]))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .req("ACL", "/c1/b1/col")
        .bearer(&tok)
        .body(doc)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[actix_web::test]
async fn require_schema_authz() {
    let app = seeded().await;
    let tok = access_token(&app, "c1").await;
    let doc = acl_doc(
        &base("b1"),
        "p:requireSchemaAuthz=\"public\"",
        &[("all", &["D:read"])],
    );
    assert_eq!(set_acl(&app, "/c1/b1", &doc).await.status, 200);
    let t = propfind(&app, "/c1/b1", "0").await.text();
    assert!(t.contains("p:requireSchemaAuthz=\"public\""), "{t}");
    // D:all grants read, but the box asks for an app token: anonymous 401, no schema 403.
    for path in ["/c1/b1", "/c1/b1/col"] {
        app.req("PROPFIND", path)
            .header("Depth", "0")
            .send()
            .await
            .assert_error(401, "PR401-AU-0001");
        app.req("PROPFIND", path)
            .header("Depth", "0")
            .bearer(&tok)
            .send()
            .await
            .assert_error(403, "PR403-AU-0006");
    }
    // An explicit `none` on the collection stops the inheritance.
    let col = acl_doc(&base("b1"), "p:requireSchemaAuthz=\"none\"", &[]);
    assert_eq!(set_acl(&app, "/c1/b1/col", &col).await.status, 200);
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .header("Depth", "0")
        .send()
        .await;
    assert_eq!(r.status, 207, "{}", r.text());
    // A bad value is refused.
    let bad = acl_doc(&base("b1"), "p:requireSchemaAuthz=\"secret\"", &[]);
    set_acl(&app, "/c1/b1", &bad)
        .await
        .assert_error(400, "PR400-DV-0006");
}

#[actix_web::test]
async fn basic_authentication_on_box_resources() {
    let app = seeded().await;
    let basic = |user: &str, pw: &str| {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    };
    let doc = acl_doc(&base("b1"), "", &[("reader", &["D:read"])]);
    assert_eq!(set_acl(&app, "/c1/b1", &doc).await.status, 200);
    assert_eq!(set_acl(&app, "/c1/app", &doc).await.status, 200);
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .header("Depth", "0")
        .header("Authorization", &basic("me", "box-pass1"))
        .send()
        .await;
    assert_eq!(r.status, 207, "{}", r.text());
    // Wrong password: 401 PR401-AU-0011 (after the retry interval).
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let r = app
        .req("PROPFIND", "/c1/b1/col")
        .header("Depth", "0")
        .header("Authorization", &basic("me", "wrong-pass"))
        .send()
        .await;
    r.assert_error(401, "PR401-AU-0011");
    // Malformed.
    app.req("PROPFIND", "/c1/b1")
        .header("Depth", "0")
        .header("Authorization", "Basic !!!")
        .send()
        .await
        .assert_error(401, "PR401-AU-0004");
    // Never at cell level, and not under a box with a schema.
    let cell_level = app
        .req("PROPFIND", "/c1/")
        .header("Authorization", &basic("me", "box-pass1"))
        .send()
        .await;
    assert_eq!(cell_level.status, 401, "{}", cell_level.text());
}

#[actix_web::test]
async fn basic_refused_under_schema_box() {
    let app = TestApp::spawn_with(|s| s.security.auth_retry_interval_ms = 0)
        .await
        .with_cell("c1")
        .await;
    app.create_account("c1", "me", "box-pass1").await;
    app.create_all(
        "c1",
        &[
            (
                "Box",
                json!({"Name": "app", "Schema": "https://app.example/"}),
            ),
            ("Role", json!({"Name": "r", "_Box.Name": "app"})),
        ],
    )
    .await;
    app.link_role("c1", "me", "r", Some("app")).await;
    let doc = acl_doc(&base("app"), "", &[("r", &["D:read"])]);
    assert_eq!(set_acl(&app, "/c1/app", &doc).await.status, 200);
    use base64::Engine;
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("me:box-pass1")
    );
    let r = app
        .req("PROPFIND", "/c1/app")
        .header("Depth", "0")
        .header("Authorization", &good)
        .send()
        .await;
    r.assert_error(401, "PR401-AU-0001");
    let challenges: Vec<_> = r.headers.get_all("WWW-Authenticate").collect();
    assert_eq!(challenges.len(), 1, "only Bearer: {challenges:?}");
}

#[actix_web::test]
async fn bad_acl_documents_change_nothing() {
    let app = seeded().await;
    let good = acl_doc(&base("b1"), "", &[("reader", &["D:read"])]);
    assert_eq!(set_acl(&app, "/c1/b1/col", &good).await.status, 200);
    let before = propfind(&app, "/c1/b1/col", "0").await.text();
    let other_cell = "http://localhost:8000/c2/__role/__/";
    let cases: Vec<(String, &str)> = vec![
        ("not xml".into(), "PR400-DV-0002"),
        ("<D:propfind xmlns:D=\"DAV:\"/>".into(), "PR400-DV-0002"),
        (
            acl_doc(&base("b1"), "", &[("nobody", &["D:read"])]),
            "PR400-DV-0004",
        ),
        (
            acl_doc(other_cell, "", &[("me", &["D:read"])]),
            "PR400-DV-0004",
        ),
        (
            acl_doc(&base("nobox"), "", &[("reader", &["D:read"])]),
            "PR400-DV-0005",
        ),
        // Cell privileges are not box privileges.
        (
            acl_doc(&base("b1"), "", &[("reader", &["p:root"])]),
            "PR400-DV-0006",
        ),
        (
            acl_doc(&base("b1"), "", &[("reader", &["D:no-such"])]),
            "PR400-DV-0006",
        ),
    ];
    for (doc, code) in cases {
        set_acl(&app, "/c1/b1/col", &doc)
            .await
            .assert_error(400, code);
    }
    assert_eq!(before, propfind(&app, "/c1/b1/col", "0").await.text());
    // The ACL of something missing: 404 after the check.
    set_acl(&app, "/c1/b1/nothing", &good)
        .await
        .assert_error(404, "PR404-DV-0001");
}
