//! `__introspect`, `__box` and `__role` (spec §5.5, §5.7, §1.2).

use base64::Engine;
use serde_json::{json, Value};

use super::*;
use crate::helpers::MASTER;

#[actix_web::test]
async fn introspection() {
    let app = setup().await.with_cell("c2").await;
    let login = |target: Option<&'static str>| {
        let app = &app;
        async move {
            let mut pairs = vec![
                ("grant_type", "password"),
                ("username", "me"),
                ("password", "password1"),
            ];
            if let Some(t) = target {
                pairs.push(("p_target", t));
            }
            token(app, "c1", &pairs).await.json()
        }
    };
    let t = login(None).await;
    let at = t["access_token"].as_str().unwrap().to_owned();
    let rt = t["refresh_token"].as_str().unwrap().to_owned();
    let mt = Some(("Bearer", MASTER));
    let r = introspect(&app, mt, &at).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["active"], true);
    assert_eq!(v["iss"], C1);
    assert_eq!(v["sub"], format!("{C1}#me"));
    assert_eq!(v["client_id"], Value::Null);
    assert_eq!(v["p_roles"], json!([]));
    assert!(v["exp"].as_i64().unwrap() > v["iat"].as_i64().unwrap());
    assert_eq!(introspect(&app, mt, &rt).await.json()["active"], true);
    assert_eq!(
        introspect(&app, mt, "AR~garbage").await.json(),
        json!({"active": false})
    );
    let r = app.post("/c1/__introspect").master().send().await;
    assert_eq!(r.json(), json!({"active": false}));
    // A trans-cell token issued here for c2.
    let tcat = login(Some(C2)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = introspect(&app, mt, &tcat).await.json();
    assert_eq!(
        (v["active"].clone(), v["aud"].clone()),
        (json!(true), json!(C2))
    );
    assert_eq!(v["p_roles"], json!([format!("{C1}__role/__/reader")]));
    // Callers: anonymous 401, a token without schema 403.
    introspect(&app, None, &at)
        .await
        .assert_error(401, "PR401-AU-0001");
    introspect(&app, Some(("Bearer", &at)), &at)
        .await
        .assert_error(403, "PR403-AU-0002");
    // An app sees its own tokens only: as a schema token, or with Basic client credentials.
    let loc = location(
        &submit_login(
            &app,
            &[
                ("response_type", "token"),
                ("client_id", APP),
                ("redirect_uri", REDIRECT),
            ],
            "me",
            "password1",
        )
        .await,
    );
    let app_token = param(&params_after(&loc, '#'), "access_token")
        .unwrap()
        .to_owned();
    let v = introspect(&app, Some(("Bearer", &app_token)), &app_token)
        .await
        .json();
    assert_eq!(
        (v["active"].clone(), v["client_id"].clone()),
        (json!(true), json!(APP))
    );
    assert_eq!(
        introspect(&app, Some(("Bearer", &app_token)), &at)
            .await
            .json(),
        json!({"active": false})
    );
    let secret = client_secret(&app, "app").await;
    // RFC 6749 §2.3.1: both parts form-encoded, then base64.
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(APP), enc(&secret)));
    assert_eq!(
        introspect(&app, Some(("Basic", &basic)), &app_token)
            .await
            .json()["active"],
        true
    );
    assert_eq!(
        introspect(&app, Some(("Basic", &basic)), &at).await.json()["active"],
        false
    );
    let bad = base64::engine::general_purpose::URL_SAFE.encode(format!("{}:nope", enc(APP)));
    introspect(&app, Some(("Basic", &bad)), &at)
        .await
        .assert_error(403, "PR403-AU-0002");
}

#[actix_web::test]
async fn box_url_by_schema_or_token() {
    let app = setup().await;
    install_box(&app).await;
    ctl(
        &app,
        "c1",
        "Box",
        json!({"Name": "lubox", "Schema": "personium-localunit:/app2/"}),
    )
    .await;
    let r = app
        .get(&format!("/c1/__box?schema={APP}"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"Url": format!("{C1}appbox/")}));
    assert_eq!(r.header("Location").unwrap(), format!("{C1}appbox/"));
    // A schema stored in personium-localunit form is found by its http form.
    let r = app
        .get(&format!("/c1/__box?schema={APP2}"))
        .master()
        .send()
        .await;
    assert_eq!(r.json()["Url"], format!("{C1}lubox/"), "{}", r.text());
    app.get("/c1/__box?schema=not%20a%20uri")
        .master()
        .send()
        .await
        .assert_error(400, "PR400-OD-0029");
    app.get("/c1/__box?schema=http://localhost:8000/none/")
        .master()
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    app.get("/c1/__box")
        .master()
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    app.get(&format!("/c1/__box?schema={APP}"))
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    app.get("/c1/__box")
        .bearer("AR~garbage")
        .send()
        .await
        .assert_error(401, "PR401-AU-0006");
    // A token without the app's schema needs `read` (checked against the cell ACL for now).
    let t = token(
        &app,
        "c1",
        &[
            ("grant_type", "password"),
            ("username", "me"),
            ("password", "password1"),
        ],
    )
    .await
    .json();
    let at = t["access_token"].as_str().unwrap();
    let r = app
        .get(&format!("/c1/__box?schema={APP}"))
        .bearer(at)
        .send()
        .await;
    r.assert_error(403, "PR403-AU-0002");
    let acl = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:acl xmlns:D=\"DAV:\" \
         xmlns:p=\"urn:x-personium:xmlns\" xml:base=\"{C1}__role/__/\"><D:ace><D:principal>\
         <D:href>reader</D:href></D:principal><D:grant><D:privilege><p:root/></D:privilege>\
         </D:grant></D:ace></D:acl>"
    );
    let r = app.req("ACL", "/c1/").master().body(acl).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .get(&format!("/c1/__box?schema={APP}"))
        .bearer(at)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[actix_web::test]
async fn role_urls_answer_in_plain_text() {
    let app = setup().await;
    install_box(&app).await;
    let r = app.get("/c1/__role").master().send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("Content-Type").unwrap().starts_with("text/plain"));
    assert_eq!(r.text(), "__<br/>appbox<br/>");
    let cases = [
        ("/c1/__role/", "__<br/>appbox<br/>"),
        ("/c1/__role/appbox", "appbox"),
        ("/c1/__role/__/reader", "__"),
        ("/c1/__role/appbox/editor", "appboxeditor"),
    ];
    for (path, body) in cases {
        let r = app.get(path).master().send().await;
        assert_eq!((r.status, r.text().as_str()), (200, body), "{path}");
    }
    app.get("/c1/__role/__/reader")
        .send()
        .await
        .assert_error(401, "PR401-AU-0001");
    app.get("/c1/__role/a/b/c")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-MC-0001");
    app.post("/c1/__role")
        .master()
        .send()
        .await
        .assert_error(405, "PR405-MC-0001");
    app.get("/nocell/__role")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
}
