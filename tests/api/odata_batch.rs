//! `$batch` on user data (`spec/personium-api.md` §8.2): query parts and changesets answered
//! part by part, and the refusals of malformed batches.

use serde_json::json;

use crate::helpers::{Resp, TestApp};
use crate::odata_data::{app, create, get, ids, COL, URL};

fn batch_body(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str("--b1\r\n");
        out.push_str(p);
    }
    out.push_str("--b1--\r\n");
    out
}

fn http_part(line: &str, body: Option<&str>) -> String {
    let mut p = format!("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n{line} HTTP/1.1\r\n");
    match body {
        Some(b) => p.push_str(&format!("Content-Type: application/json\r\n\r\n{b}\r\n")),
        None => p.push_str("\r\n\r\n"),
    }
    p
}

fn changeset(ops: &[String]) -> String {
    let mut p = "Content-Type: multipart/mixed; boundary=c1\r\n\r\n".to_owned();
    for op in ops {
        p.push_str("--c1\r\n");
        p.push_str(op);
    }
    p.push_str("--c1--\r\n");
    p
}

async fn send_batch(app: &TestApp, body: String) -> Resp {
    app.post(&format!("{COL}/$batch"))
        .master()
        .header("Content-Type", "multipart/mixed; boundary=b1")
        .body(body)
        .send()
        .await
}

#[actix_web::test]
async fn batch() {
    let app = app().await;
    create(&app, json!({"__id": "old", "name": "o"})).await;
    let body = batch_body(&[
        http_part("GET Item('old')", None),
        changeset(&[
            http_part("POST Item", Some(r#"{"__id":"b1","name":"one"}"#)),
            http_part("POST Item", Some(r#"{"__id":"b1","name":"again"}"#)),
            http_part(
                &format!("POST {URL}/Item"),
                Some(r#"{"__id":"b2","name":"two"}"#),
            ),
            http_part("MERGE Item('old')", Some(r#"{"n":42}"#)),
            http_part("DELETE Item('b2')", None),
            http_part("GET Item('old')/$links/_Nope", None),
        ]),
        http_part("GET Item", None),
    ]);
    let r = send_batch(&app, body).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let ct = r.header("Content-Type").unwrap();
    assert!(ct.starts_with("multipart/mixed; boundary=batch_"), "{ct}");
    let t = r.text();
    let statuses: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("HTTP/1.1 "))
        .map(|l| l.trim_end())
        .collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 200 OK",
            "HTTP/1.1 201 Created",
            "HTTP/1.1 409 Conflict",
            "HTTP/1.1 201 Created",
            "HTTP/1.1 204 No Content",
            "HTTP/1.1 204 No Content",
            "HTTP/1.1 501 Not Implemented",
            "HTTP/1.1 200 OK",
        ],
        "{t}"
    );
    assert!(t.contains("PR409-OD-0003"), "{t}");
    assert!(t.contains(&format!("Location: {URL}/Item('b1')")), "{t}");
    assert!(
        t.contains("Content-Type: multipart/mixed; boundary=changeset_"),
        "{t}"
    );
    // The changeset's effects stand.
    assert_eq!(ids(&get(&app, "Item").await), ["old", "b1"]);
    assert_eq!(
        get(&app, "Item('old')").await.json()["d"]["results"]["n"],
        42
    );

    let refused = [
        (batch_body(&[changeset(&[changeset(&[])])]), "PR400-OD-0022"),
        ("garbage".to_owned(), "PR400-OD-0023"),
        (
            batch_body(&[http_part("FETCH Item", None)]),
            "PR400-OD-0035",
        ),
        (
            batch_body(&vec![http_part("GET Item", None); 1001]),
            "PR400-OD-0030",
        ),
    ];
    for (body, code) in refused {
        send_batch(&app, body).await.assert_error(400, code);
    }
    let r = app
        .post(&format!("{COL}/$batch"))
        .master()
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await;
    r.assert_error(400, "PR400-OD-0023");
    assert_eq!(ids(&get(&app, "Item").await), ["old", "b1"]);
}
