//! Pages a cell serves from elsewhere (spec §4.2 GET `{C}`, §5.4): the relay page of the cell
//! root and the login page of `__authz`, from the cell property or the Unit-wide default of
//! `[cell_pages]`, with Personium's errors when the relay page cannot be had.

use crate::authz::{authz_path, APP, REDIRECT};
use crate::cell_props::{proppatch, serve, serve_with, set};
use crate::helpers::{TestApp, MASTER};

async fn relay_prop(app: &TestApp, url: &str) {
    let prop = format!("<p:relayhtmlurl>{url}</p:relayhtmlurl>");
    let r = proppatch(app, Some(MASTER), set(&prop)).await;
    assert_eq!(r.status, 207, "{}", r.text());
}

#[actix_web::test]
async fn relay_page_of_the_cell_root() {
    let app = TestApp::spawn().await.with_cell("c1").await;
    // No page anywhere: 412.
    app.get("/c1/")
        .send()
        .await
        .assert_error(412, "PR412-UI-0001");
    // The page is passed on as it is: status, body, line breaks; JSON and XML stay as before.
    let page = serve_with(
        "404 Not Found",
        "text/html",
        "<html>\n<p>gone</p>\n</html>\n",
    );
    relay_prop(&app, &format!("{page}index.html")).await;
    let r = app.get("/c1/").header("Accept", "text/html").send().await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.text(), "<html>\n<p>gone</p>\n</html>\n");
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    let r = app.get("/c1/").json_accept().send().await;
    assert_eq!(r.json()["cell"]["name"], "c1");
    // Errors, table-driven: (property, status, code).
    let plain = serve("text/plain", "plain");
    let cases = [
        ("ftp://example.org/x.html".to_owned(), 412, "PR412-UI-0002"),
        ("not a url".to_owned(), 412, "PR412-UI-0002"),
        ("http://127.0.0.1:9/x.html".to_owned(), 500, "PR500-UI-0002"),
        (format!("{plain}x.html"), 500, "PR500-NW-0003"),
    ];
    for (url, status, code) in cases {
        relay_prop(&app, &url).await;
        app.get("/c1/").send().await.assert_error(status, code);
    }
}

#[actix_web::test]
async fn unit_defaults_apply_to_cells_without_their_own() {
    let relay = serve("text/html", "<html>unit relay</html>");
    let login = serve("text/html", "<html>\nunit login\n</html>");
    let app = TestApp::spawn_with(|s| {
        s.cell_pages.relay_html_url = format!("{relay}r.html");
        s.cell_pages.authorization_html_url = format!("{login}l.html");
    })
    .await
    .with_cell("c1")
    .await
    .with_cell("app")
    .await;
    let r = app.get("/c1/").send().await;
    assert_eq!(
        (r.status, r.text()),
        (200, "<html>unit relay</html>".to_owned())
    );
    let query = [
        ("response_type", "token"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
    ];
    let r = app.get(&authz_path(&query)).send().await;
    assert_eq!(r.text(), "<html>unit login</html>");
    // The cell's own property wins over the Unit default.
    let own = serve("text/html", "<html>own</html>");
    relay_prop(&app, &format!("{own}o.html")).await;
    assert_eq!(app.get("/c1/").send().await.text(), "<html>own</html>");
}
