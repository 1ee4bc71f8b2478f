//! The authorization endpoint and its companions (spec §5.4, §5.1 authorization_code, §5.5
//! `__introspect`, §5.7 `__box`, §1.2 `__role`, `__html/error`), driven the way a browser and
//! a Personium app drive them.

mod endpoints;
mod errors;
mod flows;

use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{Resp, TestApp, UNIT};

pub(super) const C1: &str = "http://localhost:8000/c1/";
pub(super) const C2: &str = "http://localhost:8000/c2/";
pub(super) const APP: &str = "http://localhost:8000/app/";
pub(super) const APP2: &str = "http://localhost:8000/app2/";
pub(super) const REDIRECT: &str = "http://localhost:8000/app/__/redirect.html";

pub(super) fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub(super) async fn post_form(app: &TestApp, path: &str, body: String) -> Resp {
    app.post(path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
}

pub(super) async fn token(app: &TestApp, cell: &str, pairs: &[(&str, &str)]) -> Resp {
    post_form(app, &format!("/{cell}/__token"), form(pairs)).await
}

pub(super) async fn ctl(app: &TestApp, cell: &str, path: &str, body: Value) {
    let r = app
        .post(&format!("/{cell}/__ctl/{path}"))
        .master()
        .json(&body)
        .send()
        .await;
    assert!(r.status < 300, "{path}: {}", r.text());
}

/// c1 (the user's cell, account `me` with role `reader`), and the app cells `app` and `app2`
/// (each with an account its server side logs in with).
pub(super) async fn setup() -> TestApp {
    let app = TestApp::spawn_with(|s| s.security.auth_retry_interval_ms = 0)
        .await
        .with_cell("c1")
        .await
        .with_cell("app")
        .await
        .with_cell("app2")
        .await;
    app.account_with_roles("c1", "me", "password1", &["reader"])
        .await;
    app.create_account("app", "client", "clientpw1").await;
    app.create_account("app2", "client", "clientpw1").await;
    app
}

/// The client secret a Personium app uses at c1: a trans-cell token from its own cell.
pub(super) async fn client_secret(app: &TestApp, app_cell: &str) -> String {
    let r = token(
        app,
        app_cell,
        &[
            ("grant_type", "password"),
            ("username", "client"),
            ("password", "clientpw1"),
            ("p_target", C1),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["access_token"].as_str().unwrap().to_owned()
}

pub(super) async fn install_box(app: &TestApp) {
    ctl(app, "c1", "Box", json!({"Name": "appbox", "Schema": APP})).await;
}

pub(super) fn authz_path(pairs: &[(&str, &str)]) -> String {
    format!("/c1/__authz?{}", form(pairs))
}

/// An absolute URL of this Unit as a request path.
pub(super) fn path_of(url: &str) -> String {
    format!("/{}", url.strip_prefix(UNIT).unwrap())
}

pub(super) fn location(r: &Resp) -> String {
    assert_eq!(r.status, 303, "{}", r.text());
    r.header("Location").unwrap()
}

/// The parameters after `sep` (`?` or `#`) of a URL.
pub(super) fn params_after(url: &str, sep: char) -> Vec<(String, String)> {
    let tail = url.split_once(sep).map_or("", |(_, t)| t);
    let tail = tail.split('#').next().unwrap();
    url::form_urlencoded::parse(tail.as_bytes())
        .into_owned()
        .collect()
}

pub(super) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden fields of a form page, as a browser would send them.
pub(super) fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let (name, rest) = chunk.split_once('"').unwrap();
        let value = rest
            .split_once("value=\"")
            .unwrap()
            .1
            .split_once('"')
            .unwrap()
            .0;
        out.push((unescape(name), unescape(value)));
    }
    out
}

/// The form's action attribute.
pub(super) fn form_action(html: &str) -> String {
    let rest = html
        .split_once("<form method=\"post\" action=\"")
        .unwrap()
        .1;
    unescape(rest.split_once('"').unwrap().0)
}

/// GETs the login form, checks it is one, and POSTs it back with the credentials.
pub(super) async fn submit_login(
    app: &TestApp,
    query: &[(&str, &str)],
    user: &str,
    pw: &str,
) -> Resp {
    let page = app.get(&authz_path(query)).send().await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    let mut fields = hidden_fields(&html);
    fields.push(("username".into(), user.into()));
    fields.push(("password".into(), pw.into()));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    post_form(app, &path_of(&form_action(&html)), body).await
}

pub(super) fn jwt_payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub(super) async fn introspect(app: &TestApp, auth: Option<(&str, &str)>, tok: &str) -> Resp {
    let mut r = app
        .post("/c1/__introspect")
        .header("Content-Type", "application/x-www-form-urlencoded");
    if let Some((scheme, value)) = auth {
        r = r.header("Authorization", &format!("{scheme} {value}"));
    }
    r.body(form(&[("token", tok)])).send().await
}

pub(super) fn code_query<'a>(state: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("state", state),
        ("scope", scope),
    ]
}
