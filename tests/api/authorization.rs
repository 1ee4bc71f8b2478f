//! Every endpoint built so far, called with no token, a garbage token, a refresh token, another
//! cell's token and a token lacking the privilege: the exact 401/403 code, no data in the body,
//! and nothing changed (spec §3.4, §2.2).

use serde_json::{json, Value};

use crate::helpers::{Resp, TestApp};

const C1: &str = "http://localhost:8000/c1/";

async fn password_token(app: &TestApp, cell: &str, user: &str) -> Value {
    app.password_grant(cell, user, "walk-pass").await
}

async fn seed(app: &TestApp, cell: &str) {
    app.create_account(cell, "me", "walk-pass").await;
    app.create_all(
        cell,
        &[
            ("Box", json!({"Name": "b1"})),
            ("Role", json!({"Name": "r1"})),
            ("Relation", json!({"Name": "rel"})),
            ("ExtCell", json!({"Url": "https://x.example/"})),
            ("Rule", json!({"Name": "rule1", "Action": "log"})),
        ],
    )
    .await;
}

/// (method, path, body) of every operation.
fn endpoints() -> Vec<(&'static str, String, Option<Value>)> {
    let link = json!({"uri": format!("{C1}__ctl/Role('r1')")});
    let mut v: Vec<(&'static str, String, Option<Value>)> = vec![
        ("PROPFIND", "/c1/".into(), None),
        ("ACL", "/c1/".into(), None),
        ("OPTIONS", "/c1/".into(), None),
        ("PUT", "/c1/__mypassword".into(), None),
    ];
    for (set, key, body) in [
        ("Account", "('me')", json!({"Name": "me2"})),
        ("Role", "('r1')", json!({"Name": "r2"})),
        ("Box", "('b1')", json!({"Name": "b2"})),
        ("Relation", "('rel')", json!({"Name": "rel2"})),
        (
            "ExtCell",
            "('https%3A%2F%2Fx.example%2F')",
            json!({"Url": "https://y.example/"}),
        ),
        (
            "Rule",
            "('rule1')",
            json!({"Name": "rule2", "Action": "log"}),
        ),
        (
            "ReceivedMessage",
            "('00000000000000000000000000000000')",
            json!({}),
        ),
        (
            "SentMessage",
            "('00000000000000000000000000000000')",
            json!({}),
        ),
    ] {
        let base = format!("/c1/__ctl/{set}");
        v.push(("GET", base.clone(), None));
        v.push(("POST", base.clone(), Some(body.clone())));
        v.push(("GET", format!("{base}{key}"), None));
        v.push(("PUT", format!("{base}{key}"), Some(body.clone())));
        v.push(("MERGE", format!("{base}{key}"), Some(body)));
        v.push(("DELETE", format!("{base}{key}"), None));
    }
    v.push(("GET", "/c1/__ctl/Account('me')/$links/_Role".into(), None));
    v.push((
        "POST",
        "/c1/__ctl/Account('me')/$links/_Role".into(),
        Some(link),
    ));
    v.push((
        "DELETE",
        "/c1/__ctl/Account('me')/$links/_Role('r1')".into(),
        None,
    ));
    v.push(("GET", "/c1/__ctl/Box('b1')/_Role".into(), None));
    v.push((
        "POST",
        "/c1/__ctl/Box('b1')/_Role".into(),
        Some(json!({"Name": "r9"})),
    ));
    v
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Option<Value>,
    bearer: Option<&str>,
) -> Resp {
    let mut req = app.req(method, path);
    if let Some(t) = bearer {
        req = req.bearer(t);
    }
    match body {
        Some(b) => req.json(b).send().await,
        None => req.send().await,
    }
}

#[actix_web::test]
async fn every_endpoint_refuses_unusable_or_unprivileged_callers() {
    let app = TestApp::spawn()
        .await
        .with_cell("c1")
        .await
        .with_cell("c2")
        .await;
    seed(&app, "c1").await;
    seed(&app, "c2").await;
    let mine = password_token(&app, "c1", "me").await;
    let theirs = password_token(&app, "c2", "me").await;
    let access = mine["access_token"].as_str().unwrap().to_owned();
    let refresh = mine["refresh_token"].as_str().unwrap().to_owned();
    let other = theirs["access_token"].as_str().unwrap().to_owned();
    let before = snapshot(&app).await;
    // (credential, status, code); the privilege-less token is 403 except on __mypassword.
    let creds: Vec<(Option<&str>, u16, &str)> = vec![
        (None, 401, "PR401-AU-0001"),
        (Some("AR~garbage"), 401, "PR401-AU-0006"),
        (Some("no-such-scheme-token"), 401, "PR401-AU-0006"),
        (Some(&refresh), 401, "PR401-AU-0007"),
        (Some(&other), 401, "PR401-AU-0006"),
        (Some(&access), 403, "PR403-AU-0002"),
    ];
    for (method, path, body) in endpoints() {
        for (cred, status, code) in &creds {
            if method == "OPTIONS" && cred.is_none() {
                continue; // answered without a check (§2.5)
            }
            if path.ends_with("__mypassword") && *cred == Some(access.as_str()) {
                continue; // a resident may change its own password
            }
            let r = call(&app, method, &path, &body, *cred).await;
            assert_eq!(
                (r.status, r.code().as_str()),
                (*status, *code),
                "{method} {path} with {cred:?}: {}",
                r.text()
            );
            assert!(
                !r.text().contains("__metadata"),
                "{method} {path} leaked data"
            );
            if *status == 401 {
                assert!(
                    r.header("WWW-Authenticate").is_some(),
                    "{method} {path}: no challenge"
                );
            }
        }
    }
    // Unit level: cell tokens are not unit tokens.
    for (method, path) in [
        ("GET", "/__ctl/Cell"),
        ("POST", "/__ctl/Cell"),
        ("DELETE", "/__ctl/Cell('c1')"),
    ] {
        for (cred, status, code) in [
            (None, 401, "PR401-AU-0001"),
            (Some(access.as_str()), 401, "PR401-AU-0006"),
        ] {
            let body = (method == "POST").then(|| json!({"Name": "c9"}));
            let r = call(&app, method, path, &body, cred).await;
            assert_eq!(
                (r.status, r.code().as_str()),
                (status, code),
                "{method} {path} {cred:?}"
            );
        }
    }
    let r = app
        .delete("/c1")
        .bearer(&access)
        .header("X-Personium-Recursive", "true")
        .send()
        .await;
    r.assert_error(401, "PR401-AU-0006");
    assert_eq!(
        before,
        snapshot(&app).await,
        "a refused request changed something"
    );
}

/// Everything visible to the master token.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for cell in ["c1", "c2"] {
        for set in ["Account", "Role", "Box", "Relation", "ExtCell", "Rule"] {
            let r = app
                .get(&format!("/{cell}/__ctl/{set}"))
                .master()
                .json_accept()
                .send()
                .await;
            out.push(r.text().replace(|c: char| c.is_ascii_digit(), ""));
        }
        let r = app
            .get(&format!("/{cell}/__ctl/Account('me')/$links/_Role"))
            .master()
            .send()
            .await;
        out.push(r.text());
    }
    let r = app.get("/__ctl/Cell").master().json_accept().send().await;
    out.push(r.text());
    out
}
