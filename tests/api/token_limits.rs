//! Limits on password logins (spec §5.1, §5.6): the retry interval after a failure, the
//! optional lockout (for accounts with and without an authentication history), and IP address
//! ranges.

use crate::helpers::TestApp;
use serde_json::json;

use crate::token::{form, login, setup, setup_with_retry_interval, token};

#[actix_web::test]
async fn failed_login_blocks_for_the_retry_interval() {
    // Long enough that a busy machine (argon2 in a debug build) cannot outlast it by accident.
    let app = setup_with_retry_interval(2_000).await;
    let bad = token(
        &app,
        "c1",
        &[
            ("grant_type", "password"),
            ("username", "me"),
            ("password", "wrong-pw"),
        ],
    )
    .await;
    assert_eq!(bad.status, 400);
    // The right password right after a failure still fails (retry interval).
    let r = token(
        &app,
        "c1",
        &[
            ("grant_type", "password"),
            ("username", "me"),
            ("password", "password1"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let t = login(&app).await;
    assert_eq!(t["failed_count"], 1);
}

#[actix_web::test]
async fn lockout_after_repeated_failures() {
    let app = TestApp::spawn_with(|s| {
        s.security.auth_retry_interval_ms = 0;
        s.security.lock_count = 2;
        s.security.lock_secs = 600;
    })
    .await
    .with_cell("c1")
    .await;
    // `bot` keeps no authentication history; the lockout counts its failures all the same.
    let quiet =
        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\"><D:set><D:prop>\
                 <p:accountsnotrecordingauthhistory>bot</p:accountsnotrecordingauthhistory>\
                 </D:prop></D:set></D:propertyupdate>";
    let r = app
        .req("PROPPATCH", "/c1/")
        .master()
        .body(quiet)
        .send()
        .await;
    assert_eq!(r.status, 207, "{}", r.text());
    let login = |user: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let pairs = [
                ("grant_type", "password"),
                ("username", user),
                ("password", password),
            ];
            token(app, "c1", &pairs).await
        }
    };
    for user in ["me", "bot"] {
        app.create_account("c1", user, "password1").await;
        // One failure, then a success: the count starts again.
        assert_eq!(login(user, "nope-nope").await.status, 400);
        assert_eq!(login(user, "password1").await.status, 200, "{user}");
        for _ in 0..2 {
            assert_eq!(login(user, "nope-nope").await.status, 400);
        }
        let r = login(user, "password1").await;
        assert_eq!(
            r.status,
            400,
            "locked account {user} logged in: {}",
            r.text()
        );
        assert!(r.text().contains("PR400-AN-0017"));
    }
}

#[actix_web::test]
async fn ip_address_ranges_limit_logins() {
    let app = setup().await;
    app.req("MERGE", "/c1/__ctl/Account('me')")
        .master()
        .json(&json!({"IPAddressRange": "10.1.0.0/16"}))
        .send()
        .await;
    let body = form(&[
        ("grant_type", "password"),
        ("username", "me"),
        ("password", "password1"),
    ]);
    let send = |ip: &'static str| {
        app.post("/c1/__token")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .peer(ip)
            .body(body.clone())
            .send()
    };
    let r = send("10.2.0.1:5000").await;
    assert_eq!(r.status, 400, "{}", r.text());
    std::thread::sleep(std::time::Duration::from_millis(350));
    let r = send("10.1.200.7:5000").await;
    assert_eq!(r.status, 200, "{}", r.text());
}
