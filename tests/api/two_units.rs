//! Two Units as separate processes on loopback: a trans-cell token issued by a cell on Unit A is
//! verified by Unit B through A's `__certs`, and grants access only while B links A's cell to a
//! role (spec §3.4, §5.2).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const TOKEN: &str = "two-units-master-token";

struct Unit {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Unit {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start() -> Unit {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let child = Command::new(env!("CARGO_BIN_EXE_unitcell"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--unit-url",
            &url,
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("UNITCELL__UNIT__MASTER_TOKEN", TOKEN)
        .env("UNITCELL__SERVER__WORKERS", "1")
        .env("UNITCELL__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let unit = Unit {
        child,
        url,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("{}__status", unit.url))
            .send()
            .await
            .is_ok()
        {
            return unit;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("unit at {} did not start", unit.url);
}

async fn send(req: reqwest::RequestBuilder) -> (u16, String) {
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn admin(c: &reqwest::Client, url: String, body: Value) {
    let (status, text) = send(
        c.post(url.clone())
            .bearer_auth(TOKEN)
            .body(body.to_string()),
    )
    .await;
    assert!(status < 300, "{url}: {status} {text}");
}

#[actix_web::test]
async fn trans_cell_token_across_units() {
    let (a, b) = (start().await, start().await);
    let c = reqwest::Client::new();
    let alice = format!("{}alice/", a.url);
    let bob = format!("{}bob/", b.url);
    admin(&c, format!("{}__ctl/Cell", a.url), json!({"Name": "alice"})).await;
    admin(&c, format!("{}__ctl/Cell", b.url), json!({"Name": "bob"})).await;
    let (status, text) = send(
        c.post(format!("{alice}__ctl/Account"))
            .bearer_auth(TOKEN)
            .header("X-Personium-Credential", "alice-pass")
            .body(json!({"Name": "me"}).to_string()),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    // Alice's user gets a token for Bob's cell from Unit A.
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "password"),
            ("username", "me"),
            ("password", "alice-pass"),
            ("p_target", bob.as_str()),
        ])
        .finish();
    let (status, text) = send(
        c.post(format!("{alice}__token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let tcat = serde_json::from_str::<Value>(&text).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let roles_at_b = || {
        c.get(format!("{bob}__ctl/Role"))
            .bearer_auth(&tcat)
            .header("Accept", "application/json")
    };
    // Verified (B fetched A's __certs) but not linked: refused.
    let (status, text) = send(roles_at_b()).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("PR403-AU-0002"), "{text}");
    // B links Alice's cell to a role its ACL grants.
    admin(&c, format!("{bob}__ctl/ExtCell"), json!({"Url": alice})).await;
    admin(&c, format!("{bob}__ctl/Role"), json!({"Name": "friend"})).await;
    let ext = format!(
        "{bob}__ctl/ExtCell('{}')",
        alice.replace(':', "%3A").replace('/', "%2F")
    );
    admin(
        &c,
        format!("{ext}/$links/_Role"),
        json!({"uri": format!("{bob}__ctl/Role('friend')")}),
    )
    .await;
    let acl = format!(
        "<D:acl xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\" xml:base=\"{bob}__role/__/\">\
         <D:ace><D:principal><D:href>friend</D:href></D:principal>\
         <D:grant><D:privilege><p:auth-read/></D:privilege></D:grant></D:ace></D:acl>"
    );
    let (status, text) = send(
        c.request(reqwest::Method::from_bytes(b"ACL").unwrap(), &bob)
            .bearer_auth(TOKEN)
            .body(acl),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = send(roles_at_b()).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("friend"), "{text}");
    // A token that Unit A did not sign is refused.
    let mut forged = tcat.clone();
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    let (status, text) = send(c.get(format!("{bob}__ctl/Role")).bearer_auth(&forged)).await;
    assert_eq!(status, 401, "{text}");
    // Unlinked again: refused again.
    let (status, text) = send(
        c.delete(format!("{ext}/$links/_Role(Name='friend',_Box.Name=null)"))
            .bearer_auth(TOKEN),
    )
    .await;
    assert_eq!(status, 204, "{text}");
    let (status, text) = send(roles_at_b()).await;
    assert_eq!(status, 403, "{text}");
}
