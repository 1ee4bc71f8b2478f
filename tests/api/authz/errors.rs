//! Error handling of the authorization endpoint: the error page for unusable clients,
//! error redirects to the client, failed logins back to the form (spec §5.4).

use super::*;

#[actix_web::test]
async fn unusable_clients_go_to_the_error_page() {
    let app = setup().await;
    let long = format!("{APP}{}", "x".repeat(512));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("redirect_uri", REDIRECT)], "PR400-AZ-0002"),
        (vec![("client_id", APP)], "PR400-AZ-0003"),
        (
            vec![
                ("client_id", C1),
                ("redirect_uri", "http://localhost:8000/c1/cb"),
            ],
            "PR400-AZ-0002",
        ),
        (
            vec![
                ("client_id", APP),
                ("redirect_uri", "http://evil.example/app/cb"),
            ],
            "PR400-AZ-0003",
        ),
        (
            vec![
                ("client_id", APP),
                ("redirect_uri", "http://localhost:8000/app2/cb"),
            ],
            "PR400-AZ-0003",
        ),
        (
            vec![("client_id", APP), ("redirect_uri", &long)],
            "PR400-AZ-0003",
        ),
    ];
    for (mut pairs, code) in cases {
        pairs.push(("response_type", "code"));
        let r = app.get(&authz_path(&pairs)).send().await;
        assert_eq!(
            location(&r),
            format!("{C1}__html/error?code={code}"),
            "{pairs:?}"
        );
    }
    let r = app.get("/c1/__html/error?code=PR400-AZ-0002").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Frame-Options").unwrap(), "DENY");
    assert!(r.header("Content-Security-Policy").is_some());
    assert!(
        r.text()
            .contains("Request parameter is invalid [client_id]."),
        "{}",
        r.text()
    );
    let r = app
        .get("/c1/__html/error?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .send()
        .await;
    assert!(r.text().contains("The code is undefined."), "{}", r.text());
    assert!(!r.text().contains("<script>") && r.text().contains("&lt;script&gt;"));
    app.get("/nocell/__html/error?code=x")
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
}

#[actix_web::test]
async fn parameter_errors_go_to_the_client() {
    let app = setup().await;
    let base = [
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("state", "s1"),
    ];
    type Case<'a> = (Vec<(&'a str, &'a str)>, char, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (vec![], '#', "invalid_request", "PR400-AZ-0004"),
        (
            vec![("response_type", "magic")],
            '#',
            "unsupported_response_type",
            "PR400-AZ-0001",
        ),
        (
            vec![("response_type", "code"), ("expires_in", "0")],
            '?',
            "invalid_request",
            "PR400-AZ-0008",
        ),
        (
            vec![("response_type", "token"), ("expires_in", "3601")],
            '#',
            "invalid_request",
            "PR400-AZ-0008",
        ),
        (
            vec![("response_type", "code"), ("cancel_flg", "true")],
            '?',
            "unauthorized_client",
            "PR401-AZ-0001",
        ),
    ];
    for (extra, sep, error, code) in cases {
        let pairs: Vec<_> = base.iter().copied().chain(extra.clone()).collect();
        let loc = location(&app.get(&authz_path(&pairs)).send().await);
        assert!(
            loc.starts_with(&format!("{REDIRECT}{sep}")),
            "{extra:?}: {loc}"
        );
        let p = params_after(&loc, sep);
        assert_eq!(param(&p, "error"), Some(error), "{extra:?}");
        assert_eq!(param(&p, "code"), Some(code), "{extra:?}");
        assert_eq!(param(&p, "state"), Some("s1"), "{extra:?}");
        assert!(param(&p, "error_description").is_some_and(|d| !d.is_empty()));
    }
    // The form's Cancel button posts cancel_flg=true.
    let mut pairs: Vec<(&str, &str)> = base.to_vec();
    pairs.extend([("response_type", "code"), ("cancel_flg", "true")]);
    let loc = location(&post_form(&app, "/c1/__authz", form(&pairs)).await);
    assert_eq!(
        param(&params_after(&loc, '?'), "code"),
        Some("PR401-AZ-0001")
    );
}

#[actix_web::test]
async fn failed_logins_return_to_the_form() {
    let app = setup().await;
    let state = "\"><script>alert(1)</script>";
    let query = code_query(state, "");
    // Wrong password: back to __authz with the error, the parameters kept.
    let loc = location(&submit_login(&app, &query, "me", "wrong-pw").await);
    assert!(loc.starts_with(&format!("{C1}__authz?")), "{loc}");
    let p = params_after(&loc, '?');
    assert_eq!(param(&p, "error"), Some("invalid_grant"));
    assert_eq!(param(&p, "code"), Some("PS-AU-0004"));
    assert_eq!(param(&p, "state"), Some(state));
    let page = app.get(&path_of(&loc)).send().await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("role=\"alert\">User ID or password is incorrect."),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    assert_eq!(param(&hidden_fields(&html), "state"), Some(state));
    // Unknown user, and nothing posted.
    let loc = location(&submit_login(&app, &query, "nobody", "password1").await);
    assert_eq!(param(&params_after(&loc, '?'), "code"), Some("PS-AU-0004"));
    let mut pairs = query.clone();
    pairs.push(("response_type", "code"));
    let loc = location(&post_form(&app, "/c1/__authz", form(&pairs)).await);
    let p = params_after(&loc, '?');
    assert_eq!(
        (param(&p, "error"), param(&p, "code")),
        (Some("invalid_request"), Some("PS-AU-0003"))
    );
    // Other methods are refused.
    app.put("/c1/__authz")
        .send()
        .await
        .assert_error(405, "PR405-MC-0001");
}
