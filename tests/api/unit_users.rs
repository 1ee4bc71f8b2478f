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

async fn user_with_role(app: &TestApp, cell: &str, user: &str, role: &str) {
    let r = app
        .post(&format!("/{cell}/__ctl/Account"))
        .master()
        .header("X-Personium-Credential", "unit-pass")
        .json(&json!({"Name": user}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let _ = app
        .post(&format!("/{cell}/__ctl/Role"))
        .master()
        .json(&json!({"Name": role}))
        .send()
        .await;
    let r = app
        .post(&format!("/{cell}/__ctl/Account('{user}')/$links/_Role"))
        .master()
        .json(&json!({"uri": format!("http://localhost:8000/{cell}/__ctl/Role('{role}')")}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
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
    user_with_role(&app, "admincell", "boss", "UnitAdmin").await;
    user_with_role(&app, "admincell", "tenant", "CellContentsAdmin").await;
    user_with_role(&app, "stranger", "x", "UnitAdmin").await;

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
