//! Unit user tokens (spec §4.1, §3.4 step 2): trans-cell tokens addressed to the Unit by a
//! trusted issuer, with the UnitAdmin / CellContentsAdmin roles, and cell ownership.

use serde_json::json;

use crate::helpers::{Resp, TestApp, UNIT};

const ADMIN_CELL: &str = "http://localhost:8000/admincell/";

async fn token_for_unit(app: &TestApp, cell: &str, user: &str) -> String {
    let params = [
        ("grant_type", "password"),
        ("username", user),
        ("password", "unit-pass"),
        ("p_target", UNIT),
    ];
    app.token_form(cell, &params).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn names(r: &Resp) -> Vec<String> {
    r.json()["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn unit_user_tokens_from_trusted_issuers() {
    let app = TestApp::spawn_with(|s| s.security.unit_user_issuers = vec![ADMIN_CELL.to_owned()])
        .await
        .with_cell("admincell")
        .await
        .with_cell("other")
        .await
        .with_cell("stranger")
        .await;
    app.account_with_roles("admincell", "boss", "unit-pass", &["UnitAdmin"])
        .await;
    app.account_with_roles("admincell", "tenant", "unit-pass", &["CellContentsAdmin"])
        .await;
    app.account_with_roles("stranger", "x", "unit-pass", &["UnitAdmin"])
        .await;

    // UnitAdmin: every cell.
    let boss = token_for_unit(&app, "admincell", "boss").await;
    let r = app
        .get("/__ctl/Cell")
        .bearer(&boss)
        .json_accept()
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(names(&r).len(), 3);

    // A plain unit user owns what it creates, and only that.
    let tenant = token_for_unit(&app, "admincell", "tenant").await;
    let r = app
        .post("/__ctl/Cell")
        .bearer(&tenant)
        .json(&json!({"Name": "mine"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app
        .get("/__ctl/Cell")
        .bearer(&tenant)
        .json_accept()
        .send()
        .await;
    assert_eq!(names(&r), ["mine"]);
    app.delete("/__ctl/Cell('other')")
        .bearer(&tenant)
        .send()
        .await
        .assert_error(403, "PR403-AU-0003");
    // CellContentsAdmin reaches the contents of owned cells only.
    let r = app
        .post("/mine/__ctl/Role")
        .bearer(&tenant)
        .json(&json!({"Name": "r"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    app.get("/other/__ctl/Role")
        .bearer(&tenant)
        .send()
        .await
        .assert_error(403, "PR403-AU-0002");

    // A token to the Unit from an issuer that is not trusted is no unit user token.
    let stranger = token_for_unit(&app, "stranger", "x").await;
    app.get("/__ctl/Cell")
        .bearer(&stranger)
        .send()
        .await
        .assert_error(403, "PR403-AU-0001");
    app.get("/__ctl/Cell")
        .bearer("not-a-token")
        .send()
        .await
        .assert_error(401, "PR401-AU-0006");
}
