//! `TestApp`: a fresh Unit per test and a small fluent request API.

#![allow(dead_code)]

use actix_web::http::Method;
use actix_web::{test, web, App};
use serde_json::Value;
use unitcell::config::{Secret, Settings};
use unitcell::{configure, AppState};

pub const MASTER: &str = "test-master-token-0123456789";
pub const UNIT: &str = "http://localhost:8000/";

pub struct TestApp {
    pub state: AppState,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg {
            let _ = unitcell::db::admin::drop_pg_schema(url, schema);
        }
    }
}

impl TestApp {
    /// A new Unit with an empty database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A new Unit whose settings `tweak` may change first.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            // The guard is leaked on purpose: test processes exit without dropping it.
            std::mem::forget(unitcell::telemetry::init(
                &Settings::defaults().unwrap().log,
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::defaults().unwrap();
        settings.storage.data_dir = dir.path().to_path_buf();
        settings.unit.url = UNIT.to_owned();
        settings.unit.master_token = Secret::new(MASTER);
        settings.db.pool_size = 4;
        let mut pg = None;
        if let Ok(url) = std::env::var("UNITCELL_TEST_PG_URL") {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let scoped = unitcell::db::admin::create_pg_schema(&url, &schema).unwrap();
            settings.db.url = Secret::new(scoped);
            pg = Some((url, schema));
        }
        tweak(&mut settings);
        let state = web::block(move || AppState::build(settings))
            .await
            .unwrap()
            .unwrap();
        TestApp {
            state,
            _dir: dir,
            pg,
        }
    }

    pub fn req(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            app: self,
            req: test::TestRequest::default()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(path),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req("GET", path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.req("POST", path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        self.req("PUT", path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req("DELETE", path)
    }

    /// The stored password hash of an account (to prove how it is kept).
    pub async fn stored_password_hash(&self, cell: &str, account: &str) -> String {
        let state = self.state.clone();
        let (cell, account) = (cell.to_owned(), account.to_owned());
        web::block(move || {
            let mut conn = state.db.get().unwrap();
            unitcell::db::ctl::password_hash_of(&mut conn, &cell, &account)
                .unwrap()
                .unwrap_or_default()
        })
        .await
        .unwrap()
    }

    /// Posts a form (`application/x-www-form-urlencoded`).
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.post(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
    }

    /// Creates (with the master token) an account with a password and cell-level roles
    /// linked to it.
    pub async fn account_with_roles(
        &self,
        cell: &str,
        account: &str,
        password: &str,
        roles: &[&str],
    ) {
        self.create_account(cell, account, password).await;
        for role in roles {
            let r = self
                .post(&format!("/{cell}/__ctl/Role"))
                .master()
                .json(&serde_json::json!({ "Name": role }))
                .send()
                .await;
            assert!(
                matches!(r.status, 201 | 409),
                "create role {role}: {}",
                r.text()
            );
            self.link_role(cell, account, role, None).await;
        }
    }

    /// Creates a cell with the master token.
    pub async fn with_cell(self, name: &str) -> TestApp {
        let r = self
            .post("/__ctl/Cell")
            .master()
            .json(&serde_json::json!({ "Name": name }))
            .send()
            .await;
        assert_eq!(r.status, 201, "create cell {name}: {}", r.text());
        self
    }
}

/// Control objects and tokens that many tests need.
impl TestApp {
    /// Creates an account with a password (master token).
    pub async fn create_account(&self, cell: &str, name: &str, password: &str) {
        let r = self
            .post(&format!("/{cell}/__ctl/Account"))
            .master()
            .header("X-Personium-Credential", password)
            .json(&serde_json::json!({ "Name": name }))
            .send()
            .await;
        assert_eq!(r.status, 201, "create account {name}: {}", r.text());
    }

    /// Creates control objects (master token): `(set, body)` pairs, in order.
    pub async fn create_all(&self, cell: &str, objects: &[(&str, Value)]) {
        for (set, body) in objects {
            let r = self
                .post(&format!("/{cell}/__ctl/{set}"))
                .master()
                .json(body)
                .send()
                .await;
            assert_eq!(r.status, 201, "create {set}: {}", r.text());
        }
    }

    /// Links an account to a role (`box_name` `None` = box-less role).
    pub async fn link_role(&self, cell: &str, account: &str, role: &str, box_name: Option<&str>) {
        let key = match box_name {
            Some(b) => format!("Name='{role}',_Box.Name='{b}'"),
            None => format!("'{role}'"),
        };
        let uri = format!("{UNIT}{cell}/__ctl/Role({key})");
        let r = self
            .post(&format!("/{cell}/__ctl/Account('{account}')/$links/_Role"))
            .master()
            .json(&serde_json::json!({ "uri": uri }))
            .send()
            .await;
        assert_eq!(r.status, 204, "link {account} to {role}: {}", r.text());
    }

    /// The JSON of a successful `__token` request with these form parameters.
    pub async fn token_form(&self, cell: &str, params: &[(&str, &str)]) -> Value {
        let r = self.post_form(&format!("/{cell}/__token"), params).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// The JSON of a password grant.
    pub async fn password_grant(&self, cell: &str, user: &str, password: &str) -> Value {
        let params = [
            ("grant_type", "password"),
            ("username", user),
            ("password", password),
        ];
        self.token_form(cell, &params).await
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    req: test::TestRequest,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.insert_header((name.to_owned(), value.to_owned()));
        self
    }

    /// The client address the server sees.
    pub fn peer(mut self, addr: &str) -> Self {
        self.req = self.req.peer_addr(addr.parse().unwrap());
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn master(self) -> Self {
        self.bearer(MASTER)
    }

    pub fn json_accept(self) -> Self {
        self.header("Accept", "application/json")
    }

    pub fn json(mut self, v: &Value) -> Self {
        self.req = self
            .req
            .insert_header(("Content-Type", "application/json"))
            .set_payload(v.to_string());
        self
    }

    pub fn body(mut self, b: impl Into<web::Bytes>) -> Self {
        self.req = self.req.set_payload(b.into());
        self
    }

    pub async fn send(self) -> Resp {
        self.app.call(self.req, None).await
    }
}

impl TestApp {
    /// Runs one request through the whole application; `payload` replaces its body (e.g. a
    /// stream without Content-Length).
    pub async fn call(
        &self,
        req: test::TestRequest,
        payload: Option<actix_web::dev::Payload>,
    ) -> Resp {
        let app = test::init_service(App::new().configure(configure(self.state.clone()))).await;
        let mut req = req.to_request();
        if let Some(payload) = payload {
            req = req.replace_payload(payload).0;
        }
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = test::read_body(resp).await;
        Resp {
            status,
            headers,
            body,
        }
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: web::Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The Personium error code of an error body.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts status and Personium error code together.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code().as_str()),
            (status, code),
            "body: {}",
            self.text()
        );
    }
}
