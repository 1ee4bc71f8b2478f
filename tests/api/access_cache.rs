//! The authorization caches never let a change through this Unit go unseen: revoking a role,
//! changing the cell ACL or renaming the cell takes effect on the very next request.

use crate::helpers::*;

const ACL_R1: &str = r#"<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns" xml:base="http://localhost:8000/c/__role/__/"><D:ace><D:principal><D:href>r1</D:href></D:principal><D:grant><D:privilege><p:auth-read/></D:privilege></D:grant></D:ace></D:acl>"#;
const ACL_EMPTY: &str = r#"<D:acl xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns"/>"#;

async fn set_acl(app: &TestApp, body: &'static str) {
    let r = app.req("ACL", "/c").master().body(body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn read_role(app: &TestApp, token: &str) -> u16 {
    app.get("/c/__ctl/Role('r1')")
        .bearer(token)
        .json_accept()
        .send()
        .await
        .status
}

#[actix_web::test]
async fn role_and_acl_changes_apply_to_the_next_request() {
    let app = TestApp::spawn().await.with_cell("c").await;
    app.account_with_roles("c", "me", "cache-pass", &["r1"])
        .await;
    set_acl(&app, ACL_R1).await;
    let token = app.password_grant("c", "me", "cache-pass").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(read_role(&app, &token).await, 200);

    // Revoke the role: the cached role list must not outlive the link.
    let r = app
        .delete("/c/__ctl/Account('me')/$links/_Role(Name='r1')")
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(read_role(&app, &token).await, 403);

    let r = app
        .post("/c/__ctl/Account('me')/$links/_Role")
        .master()
        .json(&serde_json::json!({"uri": format!("{UNIT}c/__ctl/Role('r1')")}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(read_role(&app, &token).await, 200);

    // Replace the ACL: the cached ACL must not outlive it.
    set_acl(&app, ACL_EMPTY).await;
    assert_eq!(read_role(&app, &token).await, 403);
    set_acl(&app, ACL_R1).await;
    assert_eq!(read_role(&app, &token).await, 200);

    // Deleting the account: its token no longer carries its roles.
    let r = app
        .delete("/c/__ctl/Account('me')/$links/_Role(Name='r1')")
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = app.delete("/c/__ctl/Account('me')").master().send().await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(read_role(&app, &token).await, 403);
}

#[actix_web::test]
async fn a_renamed_or_deleted_cell_is_gone_at_once() {
    let app = TestApp::spawn().await.with_cell("c").await;
    assert_eq!(
        app.get("/c/").master().json_accept().send().await.status,
        200
    );
    let r = app
        .put("/__ctl/Cell('c')")
        .master()
        .json(&serde_json::json!({"Name": "c2"}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    app.get("/c/")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
    assert_eq!(
        app.get("/c2/").master().json_accept().send().await.status,
        200
    );

    let r = app.delete("/__ctl/Cell('c2')").master().send().await;
    assert_eq!(r.status, 204, "{}", r.text());
    app.get("/c2/")
        .master()
        .send()
        .await
        .assert_error(404, "PR404-DV-0003");
}
