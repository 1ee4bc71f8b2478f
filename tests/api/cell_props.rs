//! Cell properties and what they switch on (spec §4.2 PROPPATCH, §5.1 `p_owner` and
//! `p_cookie`, §5.2 cookie auth, §5.4 custom login page, §5.5 unit introspection credentials,
//! §5.6 `p:accountsnotrecordingauthhistory`).

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::{json, Value};

use crate::authz::{authz_path, form, token, APP, C1, REDIRECT};
use crate::helpers::{Resp, TestApp, MASTER};

const OWNER: &str = "http://localhost:8000/admin/#boss";
const Z: &str = "http://www.w3.com/standards/z39.50/";

fn update(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propertyupdate xmlns:D=\"DAV:\" \
         xmlns:p=\"urn:x-personium:xmlns\" xmlns:Z=\"{Z}\">{inner}</D:propertyupdate>"
    )
}

pub fn set(props: &str) -> String {
    update(&format!("<D:set><D:prop>{props}</D:prop></D:set>"))
}

pub async fn proppatch(app: &TestApp, bearer: Option<&str>, body: String) -> Resp {
    let mut r = app.req("PROPPATCH", "/c1/");
    if let Some(t) = bearer {
        r = r.bearer(t);
    }
    r.body(body).send().await
}

async fn propfind(app: &TestApp) -> String {
    let r = app
        .req("PROPFIND", "/c1/")
        .master()
        .header("Depth", "0")
        .send()
        .await;
    assert_eq!(r.status, 207, "{}", r.text());
    r.text()
}

/// A Unit (no retry interval) whose cell c1 is owned by the unit user [`OWNER`] and has
/// the account `me`.
async fn owned_cell() -> TestApp {
    let app = TestApp::spawn_with(|s| s.security.auth_retry_interval_ms = 0).await;
    let r = app
        .post("/__ctl/Cell")
        .master()
        .header("X-Personium-Unit-User", OWNER)
        .json(&json!({ "Name": "c1" }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    app.create_account("c1", "me", "password1").await;
    app
}

/// A password grant at c1 with extra parameters.
async fn login_as(app: &TestApp, user: &str, pw: &str, extra: &[(&str, &str)]) -> Resp {
    let mut pairs = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", pw),
    ];
    pairs.extend_from_slice(extra);
    token(app, "c1", &pairs).await
}

/// A password grant of `me`.
async fn login(app: &TestApp, extra: &[(&str, &str)]) -> Resp {
    login_as(app, "me", "password1", extra).await
}

/// `p:ownerRepresentativeAccounts` naming `me`.
const REPS: &str =
    "<p:ownerRepresentativeAccounts><p:account>me</p:account></p:ownerRepresentativeAccounts>";

/// The `[PRxxx-XX-nnnn]` of an OAuth-style token endpoint error.
fn oauth_code(r: &Resp) -> String {
    let d = r.json()["error_description"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    d.trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or("")
        .to_owned()
}

#[actix_web::test]
async fn proppatch_sets_and_removes_properties() {
    let app = owned_cell().await;
    let r = proppatch(
        &app,
        Some(MASTER),
        set("<Z:Author>Test User1</Z:Author><p:hoge>Hoge</p:hoge>"),
    )
    .await;
    assert_eq!(r.status, 207, "{}", r.text());
    assert!(r.header("ETag").unwrap().starts_with("W/\""));
    let body = r.text();
    assert!(body.contains(&format!("<href>{C1}</href>")), "{body}");
    assert!(
        body.contains(&format!("<Z:Author xmlns:Z=\"{Z}\">Test User1</Z:Author>")),
        "{body}"
    );
    assert!(body.contains("<status>HTTP/1.1 200 OK</status>"), "{body}");
    let shown = propfind(&app).await;
    assert!(shown.contains(&format!("<Z:Author xmlns:Z=\"{Z}\">Test User1</Z:Author>")));
    assert!(shown.contains("<p:hoge xmlns:p=\"urn:x-personium:xmlns\">Hoge</p:hoge>"));

    // Setting again replaces; removing an absent property is a 404 propstat.
    let r = proppatch(
        &app,
        Some(MASTER),
        set("<Z:Author>Author1 update</Z:Author>"),
    )
    .await;
    assert_eq!(r.status, 207);
    let r = proppatch(
        &app,
        Some(MASTER),
        update("<D:remove><D:prop><p:hoge/><p:none/></D:prop></D:remove>"),
    )
    .await;
    assert_eq!(r.status, 207);
    let body = r.text();
    let (ok, missing) = body.split_once("HTTP/1.1 200 OK").unwrap();
    assert!(ok.contains("<p:hoge"), "{body}");
    assert!(missing.contains("<p:none") && missing.contains("HTTP/1.1 404 Not Found"));
    let shown = propfind(&app).await;
    assert!(shown.contains(">Author1 update</Z:Author>"), "{shown}");
    assert!(
        !shown.contains("Test User1") && !shown.contains("p:hoge"),
        "{shown}"
    );
}

#[actix_web::test]
async fn proppatch_errors_change_nothing() {
    let app = owned_cell().await;
    assert_eq!(
        proppatch(&app, Some(MASTER), set("<p:keep>1</p:keep>"))
            .await
            .status,
        207
    );
    let before = propfind(&app).await;
    let at = login(&app, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = set("<p:new>x</p:new>");
    let cases: Vec<(Option<&str>, String, u16, &str)> = vec![
        (Some(MASTER), "not xml".into(), 400, "PR400-DV-0001"),
        (Some(MASTER), String::new(), 400, "PR400-DV-0001"),
        (Some(MASTER), set("<p:a>"), 400, "PR400-DV-0001"),
        (Some(MASTER), "<D:propfind xmlns:D=\"DAV:\"/>".into(), 400, "PR400-DV-0001"),
        (
            Some(MASTER),
            update("<D:set><D:prop><p:new/></D:prop></D:set><D:remove><D:props><p:keep/></D:props></D:remove>"),
            400,
            "PR400-DV-0002",
        ),
        (None, good.clone(), 401, "PR401-AU-0001"),
        (Some("AR~garbage"), good.clone(), 401, "PR401-AU-0006"),
        (Some(at.as_str()), good.clone(), 403, "PR403-AU-0001"),
    ];
    for (bearer, body, status, code) in cases {
        let r = proppatch(&app, bearer, body.clone()).await;
        r.assert_error(status, code);
        if status == 401 {
            assert_eq!(
                r.header("WWW-Authenticate").as_deref(),
                Some(format!("Bearer realm=\"{C1}\"").as_str())
            );
        }
    }
    // A unit user who does not own the cell.
    let r = app
        .req("PROPPATCH", "/c1/")
        .master()
        .header("X-Personium-Unit-User", "http://localhost:8000/other/#x")
        .body(good.clone())
        .send()
        .await;
    r.assert_error(403, "PR403-AU-0001");
    let r = app
        .req("PROPPATCH", "/nocell/")
        .master()
        .body(good)
        .send()
        .await;
    r.assert_error(404, "PR404-DV-0003");
    assert_eq!(propfind(&app).await, before);
}

#[actix_web::test]
async fn p_owner_issues_a_unit_local_unit_user_token() {
    let app = owned_cell().await;
    app.create_account("c1", "other", "password2").await;
    // Not listed yet.
    let r = login(&app, &[("p_owner", "true")]).await;
    assert_eq!(
        (r.status, oauth_code(&r).as_str()),
        (400, "PR400-AN-0014"),
        "{}",
        r.text()
    );
    assert_eq!(proppatch(&app, Some(MASTER), set(REPS)).await.status, 207);
    // A wrong password is still a failed login; another account is not a representative.
    let owner = [("p_owner", "true")];
    let r = login_as(&app, "me", "nope", &owner).await;
    assert_eq!(oauth_code(&r), "PR400-AN-0017");
    let r = login_as(&app, "other", "password2", &owner).await;
    assert_eq!(oauth_code(&r), "PR400-AN-0014");

    let r = login(&app, &[("p_owner", "true")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let uluut = v["access_token"].as_str().unwrap().to_owned();
    assert!(uluut.starts_with("AU~"), "{v}");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["refresh_token"], Value::Null);
    // The refused p_owner attempts recorded no success: the history shows the failure only.
    assert_eq!(v["last_authenticated"], Value::Null);
    assert_eq!(v["failed_count"], 1);
    // It acts as the owner: unit-level cell access and cell PROPPATCH.
    let r = app
        .get("/__ctl/Cell('c1')")
        .bearer(&uluut)
        .json_accept()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        proppatch(&app, Some(&uluut), set("<p:x>1</p:x>"))
            .await
            .status,
        207
    );

    // p_owner with a resident refresh token; not with other grants.
    let rt = login(&app, &[]).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = token(
        &app,
        "c1",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("p_owner", "true"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["access_token"]
        .as_str()
        .unwrap()
        .starts_with("AU~"));
    let r = token(
        &app,
        "c1",
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
    )
    .await;
    assert_eq!(
        r.status,
        200,
        "the refresh token stays usable: {}",
        r.text()
    );
}

#[actix_web::test]
async fn p_owner_needs_a_cell_owner() {
    let app = TestApp::spawn().await.with_cell("c1").await;
    app.create_account("c1", "me", "password1").await;
    assert_eq!(proppatch(&app, Some(MASTER), set(REPS)).await.status, 207);
    let r = login(&app, &[("p_owner", "true")]).await;
    assert_eq!(
        (r.status, oauth_code(&r).as_str()),
        (400, "PR400-AN-0015"),
        "{}",
        r.text()
    );
}

#[actix_web::test]
async fn accounts_not_recording_auth_history() {
    let app = owned_cell().await;
    app.create_account("c1", "svc", "password3").await;
    let quiet = "<p:accountsnotrecordingauthhistory>svc,bot</p:accountsnotrecordingauthhistory>";
    assert_eq!(proppatch(&app, Some(MASTER), set(quiet)).await.status, 207);
    assert_eq!(login_as(&app, "svc", "wrong", &[]).await.status, 400);
    for _ in 0..2 {
        let v = login_as(&app, "svc", "password3", &[]).await.json();
        assert_eq!(
            (v["last_authenticated"].clone(), v["failed_count"].clone()),
            (Value::Null, json!(0)),
            "{v}"
        );
    }
    // Others keep their history.
    login(&app, &[]).await;
    let v = login(&app, &[]).await.json();
    assert!(v["last_authenticated"].is_i64(), "{v}");
}

/// Sends `req` with the `p_cookie` cookie.
fn with_cookie<'a>(r: crate::helpers::Req<'a>, cookie: &str) -> crate::helpers::Req<'a> {
    r.header("Cookie", &format!("p_cookie={cookie}"))
}

fn cookie_of(r: &Resp) -> String {
    let set_cookie = r.header("Set-Cookie").expect("Set-Cookie");
    assert!(set_cookie.contains("Path=/c1/"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("p_cookie=").unwrap().to_owned()
}

#[actix_web::test]
async fn p_cookie_authenticates_with_its_peer() {
    let app = owned_cell().await;
    let r = login(&app, &[("p_cookie", "true")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let peer = r.json()["p_cookie_peer"].as_str().unwrap().to_owned();
    let cookie = cookie_of(&r);
    let propfind = |query: String, cookie: Option<String>, auth: Option<&'static str>| {
        let app = &app;
        async move {
            let mut req = app
                .req("PROPFIND", &format!("/c1/{query}"))
                .header("Depth", "0");
            if let Some(c) = cookie {
                req = with_cookie(req, &c);
            }
            if let Some(a) = auth {
                req = req.bearer(a);
            }
            req.send().await
        }
    };
    // The account has no privilege here: an authenticated caller gets 403, not 401.
    let q = format!("?p_cookie_peer={peer}");
    propfind(q.clone(), Some(cookie.clone()), None)
        .await
        .assert_error(403, "PR403-AU-0002");
    propfind("?p_cookie_peer=other".into(), Some(cookie.clone()), None)
        .await
        .assert_error(401, "PR401-AU-0009");
    propfind(q.clone(), None, None)
        .await
        .assert_error(401, "PR401-AU-0009");
    propfind(String::new(), Some(cookie.clone()), None)
        .await
        .assert_error(401, "PR401-AU-0001");
    // An Authorization header wins over the cookie.
    assert_eq!(propfind(q, Some(cookie), Some(MASTER)).await.status, 207);

    // With p_target no cookie is issued.
    let r = login(
        &app,
        &[
            ("p_cookie", "true"),
            ("p_target", "http://localhost:8000/c2/"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("Set-Cookie").is_none() && r.json()["p_cookie_peer"].is_null());

    // A unit-local unit user token in a cookie acts as the owner.
    assert_eq!(proppatch(&app, Some(MASTER), set(REPS)).await.status, 207);
    let r = login(&app, &[("p_cookie", "true"), ("p_owner", "true")]).await;
    let peer = r.json()["p_cookie_peer"].as_str().unwrap().to_owned();
    let r = with_cookie(
        app.req("PROPPATCH", &format!("/c1/?p_cookie_peer={peer}")),
        &cookie_of(&r),
    )
    .body(set("<p:viaCookie>1</p:viaCookie>"))
    .send()
    .await;
    assert_eq!(r.status, 207, "{}", r.text());
}

/// Serves one canned HTTP response per connection on loopback; returns its base URL.
pub fn serve(content_type: &'static str, body: &'static str) -> String {
    serve_with("200 OK", content_type, body)
}

/// As [`serve`], with the given status line (`"404 Not Found"`).
pub fn serve_with(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[actix_web::test]
async fn custom_login_page() {
    let app = owned_cell().await.with_cell("app").await;
    let query = [
        ("response_type", "token"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
    ];
    let page = serve("text/html", "<html>\n<body>custom</body>\n</html>\n");
    let prop = format!("<p:authorizationhtmlurl>{page}login.html</p:authorizationhtmlurl>");
    assert_eq!(proppatch(&app, Some(MASTER), set(&prop)).await.status, 207);
    let r = app.get(&authz_path(&query)).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "<html><body>custom</body></html>");
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    // The password-change page has its own property; unset, the built-in form shows.
    let mut pc = query.to_vec();
    pc.push(("password_change_required", "true"));
    let r = app.get(&authz_path(&pc)).send().await;
    assert!(r.text().contains("<form method=\"post\""), "{}", r.text());

    // Not text/html, or unreachable: the built-in form.
    let wrong = serve("text/plain", "plain");
    for url in [format!("{wrong}x"), "http://127.0.0.1:9/x".to_owned()] {
        let prop = format!("<p:authorizationhtmlurl>{url}</p:authorizationhtmlurl>");
        assert_eq!(proppatch(&app, Some(MASTER), set(&prop)).await.status, 207);
        let r = app.get(&authz_path(&query)).send().await;
        assert_eq!(r.status, 200);
        assert!(
            r.text().contains("<form method=\"post\""),
            "{url}: {}",
            r.text()
        );
    }
}

#[actix_web::test]
async fn introspection_with_unit_credentials() {
    use base64::Engine;
    let app = TestApp::spawn_with(|s| {
        s.security.auth_retry_interval_ms = 0;
        s.security.introspect_username = "rs".into();
        s.security.introspect_password = unitcell::config::Secret::new("rs-secret");
    })
    .await
    .with_cell("c1")
    .await;
    app.create_account("c1", "me", "password1").await;
    let at = login(&app, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let basic =
        |id: &str, pw: &str| base64::engine::general_purpose::STANDARD.encode(format!("{id}:{pw}"));
    let call = |auth: String| {
        let app = &app;
        let at = at.clone();
        async move {
            app.post("/c1/__introspect")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", &format!("Basic {auth}"))
                .body(form(&[("token", &at)]))
                .send()
                .await
        }
    };
    let r = call(basic("rs", "rs-secret")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["active"], true);
    assert_eq!(r.json()["sub"], format!("{C1}#me"));
    for (id, pw) in [("rs", "wrong"), ("other", "rs-secret"), ("rs", "")] {
        call(basic(id, pw)).await.assert_error(403, "PR403-AU-0002");
    }
    // Disabled while unset.
    let plain = TestApp::spawn().await.with_cell("c1").await;
    let r = plain
        .post("/c1/__introspect")
        .header("Authorization", &format!("Basic {}", basic("", "")))
        .body(form(&[("token", &at)]))
        .send()
        .await;
    r.assert_error(403, "PR403-AU-0002");
}
