//! The code, token and id_token flows end to end, the code grant at `__token`, and a
//! password change on the authorization endpoint (spec §5.4, §5.1).

use serde_json::{json, Value};

use super::*;
use crate::helpers::MASTER;

#[actix_web::test]
async fn code_flow_like_a_browser_and_an_app() {
    let app = setup().await;
    install_box(&app).await;
    // The form: a plain, accessible HTML form served with protective headers.
    let page = app.get(&authz_path(&code_query("st-1", ""))).send().await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.header("Content-Type").unwrap(),
        "text/html;charset=UTF-8"
    );
    assert_eq!(page.header("X-Frame-Options").unwrap(), "DENY");
    let csp = page.header("Content-Security-Policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(
        csp.contains("form-action 'self' http://localhost:8000"),
        "{csp}"
    );
    let html = page.text();
    assert_eq!(form_action(&html), format!("{C1}__authz"));
    for needle in [
        "<label for=\"username\">",
        "<label for=\"password\">",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "name=\"cancel_flg\" value=\"true\"",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert!(!html.contains("<script"), "{html}");
    let hidden = hidden_fields(&html);
    assert_eq!(param(&hidden, "client_id"), Some(APP));
    assert_eq!(param(&hidden, "redirect_uri"), Some(REDIRECT));
    assert_eq!(param(&hidden, "state"), Some("st-1"));
    // Signing in redirects to the app with a one-time code.
    let loc = location(&submit_login(&app, &code_query("st-1", ""), "me", "password1").await);
    assert!(loc.starts_with(&format!("{REDIRECT}?")), "{loc}");
    let q = params_after(&loc, '?');
    let code = param(&q, "code").unwrap().to_owned();
    assert!(code.starts_with("GC~"), "{code}");
    assert_eq!(param(&q, "state"), Some("st-1"));
    assert_eq!(param(&q, "box_not_installed"), None);
    assert_eq!(param(&q, "failed_count"), Some("0"));
    // The app's server exchanges the code, authenticating with its client secret.
    let secret = client_secret(&app, "app").await;
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", APP),
        ("client_secret", secret.as_str()),
    ];
    let r = token(&app, "c1", &exchange).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    let at = t["access_token"].as_str().unwrap().to_owned();
    assert!(at.starts_with("AR~"), "{t}");
    assert!(t["refresh_token"].as_str().unwrap().starts_with("RR~"));
    assert_eq!(t["scope"], "root");
    assert!(t.get("id_token").is_none(), "{t}");
    // The token carries the app's schema: it finds the app's box and shows as the app's.
    let r = app.get("/c1/__box").bearer(&at).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["Url"], format!("{C1}appbox/"));
    let i = introspect(&app, Some(("Bearer", MASTER)), &at).await;
    assert_eq!(i.json()["client_id"], APP, "{}", i.text());
    assert_eq!(i.json()["sub"], format!("{C1}#me"));
    // A code is good once.
    let r = token(&app, "c1", &exchange).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("PR400-AN-0019"), "{}", r.text());
    // The refresh token stays bound to the app.
    let rt = t["refresh_token"].as_str().unwrap();
    let r = token(
        &app,
        "c1",
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await;
    assert!(r.text().contains("PR401-AN-0021"), "{}", r.text());
}

#[actix_web::test]
async fn code_grant_errors() {
    let app = setup().await;
    let loc = location(&submit_login(&app, &code_query("s", ""), "me", "password1").await);
    let code = param(&params_after(&loc, '?'), "code").unwrap().to_owned();
    let secret = client_secret(&app, "app").await;
    let other = client_secret(&app, "app2").await;
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("client_id", APP), ("client_secret", &secret)],
            400,
            "PR400-AN-0019",
        ),
        (vec![("code", &code)], 401, "PR401-AN-0021"),
        (
            vec![
                ("code", &code),
                ("client_id", APP2),
                ("client_secret", &other),
            ],
            401,
            "PR401-AN-0020",
        ),
        (
            vec![
                ("code", "GC~junk"),
                ("client_id", APP),
                ("client_secret", &secret),
            ],
            400,
            "PR400-AN-0019",
        ),
        (
            vec![
                ("code", &code),
                ("client_id", APP),
                ("client_secret", &secret),
                ("p_owner", "true"),
            ],
            400,
            "PR400-AN-0008",
        ),
    ];
    for (mut pairs, status, want) in cases {
        pairs.push(("grant_type", "authorization_code"));
        let r = token(&app, "c1", &pairs).await;
        assert_eq!(r.status, status, "{pairs:?}: {}", r.text());
        assert!(r.text().contains(want), "{pairs:?}: {}", r.text());
    }
    // None of the failures used the code up; with p_target it yields a trans-cell token.
    let app = app.with_cell("c2").await;
    let r = token(
        &app,
        "c1",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", APP),
            ("client_secret", &secret),
            ("p_target", C2),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Location").unwrap(), format!("{C2}__token"));
    let tcat = r.json()["access_token"].as_str().unwrap().to_owned();
    let claims = jwt_payload(&tcat);
    assert_eq!(claims["sch"], APP);
    assert_eq!(claims["rol"], json!([format!("{C1}__role/__/reader")]));
}

#[actix_web::test]
async fn token_flow_and_box_not_installed() {
    let app = setup().await;
    let query = [
        ("response_type", "token"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("state", "a b&c"),
        ("expires_in", "60"),
    ];
    let loc = location(&submit_login(&app, &query, "me", "password1").await);
    assert!(loc.starts_with(&format!("{REDIRECT}#")), "{loc}");
    let f = params_after(&loc, '#');
    let at = param(&f, "access_token").unwrap().to_owned();
    assert!(at.starts_with("AR~"));
    assert_eq!(param(&f, "token_type"), Some("Bearer"));
    assert_eq!(param(&f, "expires_in"), Some("60"));
    assert_eq!(param(&f, "state"), Some("a b&c"));
    assert_eq!(param(&f, "box_not_installed"), Some("true"));
    assert_eq!(param(&f, "last_authenticated"), Some("null"));
    // The implicit token is the app's, with no cell-level scope.
    let i = introspect(&app, Some(("Bearer", MASTER)), &at).await;
    assert_eq!(i.json()["active"], true);
    assert_eq!(i.json()["client_id"], APP);
    assert_eq!(
        i.json()["exp"].as_i64().unwrap() - i.json()["iat"].as_i64().unwrap(),
        60
    );
    app.get("/c1/__ctl/Role")
        .bearer(&at)
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");
    // Once the box is installed the flag is gone.
    install_box(&app).await;
    let loc = location(&submit_login(&app, &query, "me", "password1").await);
    assert_eq!(param(&params_after(&loc, '#'), "box_not_installed"), None);
    assert!(param(&params_after(&loc, '#'), "last_authenticated").unwrap() != "null");
}

#[actix_web::test]
async fn id_tokens_from_authz_and_from_the_code_grant() {
    let app = setup().await;
    let query = [
        ("response_type", "id_token"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("nonce", "n-1"),
    ];
    let loc = location(&submit_login(&app, &query, "me", "password1").await);
    let f = params_after(&loc, '#');
    let id_token = param(&f, "id_token").unwrap();
    // RS256 with the key published at __certs.
    let jwks = app.get("/c1/__certs").send().await.json();
    let key = &jwks["keys"][0];
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[APP]);
    let data = jsonwebtoken::decode::<Value>(id_token, &decoding, &v).unwrap();
    assert_eq!(data.claims["iss"], C1);
    assert_eq!(data.claims["sub"], "me");
    assert_eq!(data.claims["nonce"], "n-1");
    // Without `openid` the id_token response type is unsupported.
    let r = app
        .get(&authz_path(&[
            ("response_type", "id_token"),
            ("client_id", APP),
            ("redirect_uri", REDIRECT),
        ]))
        .send()
        .await;
    let f = params_after(&location(&r), '#');
    assert_eq!(param(&f, "error"), Some("unsupported_response_type"));
    assert_eq!(param(&f, "code"), Some("PR400-AZ-0001"));
    // A code with `openid` in its scope yields an id_token next to the tokens.
    let loc = location(&submit_login(&app, &code_query("s", "openid"), "me", "password1").await);
    let code = param(&params_after(&loc, '?'), "code").unwrap().to_owned();
    let secret = client_secret(&app, "app").await;
    let r = token(
        &app,
        "c1",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", APP),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = jwt_payload(r.json()["id_token"].as_str().unwrap());
    assert_eq!(
        (id["iss"].as_str(), id["sub"].as_str()),
        (Some(C1), Some("me"))
    );
    assert_eq!(id["aud"], APP);
    assert_eq!(r.json()["scope"], "openid");
}

#[actix_web::test]
async fn password_change_on_the_authorization_endpoint() {
    let app = setup().await;
    app.req("MERGE", "/c1/__ctl/Account('me')")
        .master()
        .json(&json!({"Status": "passwordChangeRequired"}))
        .send()
        .await;
    let query = code_query("s", "");
    let loc = location(&submit_login(&app, &query, "me", "password1").await);
    let p = params_after(&loc, '?');
    assert!(loc.starts_with(&format!("{C1}__authz?")), "{loc}");
    assert_eq!(param(&p, "password_change_required"), Some("true"));
    assert_eq!(param(&p, "code"), Some("PS-AU-0006"));
    assert!(param(&p, "access_token").unwrap().starts_with("AP~"));
    // The password-change form keeps the AP~ in a hidden field.
    let page = app.get(&path_of(&loc)).send().await;
    let html = page.text();
    assert!(html.contains("autocomplete=\"new-password\""), "{html}");
    let fields = hidden_fields(&html);
    assert!(param(&fields, "access_token").unwrap().starts_with("AP~"));
    let post = |pw: &str| {
        let mut f = fields.clone();
        f.push(("password".into(), pw.into()));
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(f)
            .finish()
    };
    let loc = location(&post_form(&app, "/c1/__authz", post("x")).await);
    assert_eq!(param(&params_after(&loc, '?'), "code"), Some("PS-AU-0008"));
    let loc = location(&post_form(&app, "/c1/__authz", post("newpass-2")).await);
    assert!(loc.starts_with(&format!("{REDIRECT}?")), "{loc}");
    assert!(param(&params_after(&loc, '?'), "code")
        .unwrap()
        .starts_with("GC~"));
    let r = token(
        &app,
        "c1",
        &[
            ("grant_type", "password"),
            ("username", "me"),
            ("password", "newpass-2"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
