//! Test harness: a database per test (a SQLite file, or a PostgreSQL
//! database created for it), the service on 127.0.0.1 port 0, and HTTP
//! clients with and without a cookie jar.

#![allow(dead_code)] // each test file uses a different part

use std::time::Duration;

use reqwest::{Client, Response, StatusCode, redirect};
use rjose_auth_service::{Config, Server, SigningConfig};
use serde_json::{Value, json};
use sqlx::Connection;

pub const SECRET: &[u8] = b"test secret of at least 32 bytes, for HS256!";
pub const PASSWORD: &str = "correct horse battery";

/// Where a test's data lives.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the server URL and database name to drop afterwards.
    pg_cleanup: Option<(String, String)>,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("auth.db").display());
        Db {
            url,
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// A fresh database on the server of `TEST_POSTGRES_URL`. Without the
    /// variable: a failure under CI (so CI cannot skip silently), a skip
    /// message otherwise.
    pub async fn postgres(test: &str) -> Option<Db> {
        let Some(server) = std::env::var("TEST_POSTGRES_URL").ok().filter(|v| !v.is_empty()) else {
            if std::env::var_os("CI").is_some() {
                panic!("TEST_POSTGRES_URL is not set, but CI is: PostgreSQL tests must run in CI (see ci-setup.sh)");
            }
            eprintln!(
                "SKIPPED: {test} on PostgreSQL: TEST_POSTGRES_URL is not set; to run it: \
                 crates/rjose-axum/examples/auth-service/ci-setup.sh > pg.env && . ./pg.env && export TEST_POSTGRES_URL, \
                 or point TEST_POSTGRES_URL at a server (postgres://user:pw@127.0.0.1:5432/postgres)"
            );
            return None;
        };
        // Lower case and no '-': a plain identifier, whatever the quoting.
        let id = rjose_auth_service::password::random_id().expect("rng");
        let name = format!("auth_test_{}", id.to_lowercase().replace('-', "_"));
        let mut admin = sqlx::postgres::PgConnection::connect(&server)
            .await
            .expect("connect TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.ok();
        Some(Db {
            url: with_database(&server, &name),
            _dir: None,
            pg_cleanup: Some((server, name)),
        })
    }

    /// Drops a PostgreSQL test database (best effort; only after a passing
    /// test, a failing one keeps its data for a look).
    pub async fn cleanup(self) {
        if let Some((server, name)) = &self.pg_cleanup
            && let Ok(mut admin) = sqlx::postgres::PgConnection::connect(server).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
    }
}

/// `postgres://u:p@h:port/db?opts` with `db` replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let root = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// The test configuration: HS256, dev mode (tokens in responses),
/// `admin@example.com` as admin.
pub fn config(db: &Db) -> Config {
    let mut config = Config::with_secret(SECRET, db.url.clone());
    config.dev_mode = true;
    config.admin_emails = vec!["admin@example.com".into()];
    config
}

/// An ES256 configuration with a fresh key.
pub fn es256_config(db: &Db) -> Config {
    let pair = rjose::generate_key_pair(rjose::Alg::ES256, Default::default()).expect("key pair");
    let pem = pair.private_key.to_pkcs8_pem().expect("pem");
    let mut config = config(db);
    config.signing = SigningConfig::Es256 {
        private_key_pem: pem.to_string(),
    };
    config
}

/// A running service and two clients: `browser` keeps cookies, `api`
/// does not. Neither follows redirects, so tests see them.
pub struct App {
    pub server: Server,
    pub browser: Client,
    pub api: Client,
}

pub fn client(cookies: bool) -> Client {
    Client::builder()
        .cookie_store(cookies)
        .redirect(redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

impl App {
    pub async fn start(config: Config) -> App {
        let server = rjose_auth_service::serve(config).await.expect("serve");
        App {
            server,
            browser: client(true),
            api: client(false),
        }
    }

    /// Where to reach `path`: the bound address, which is also the app's
    /// URL unless the config names another one (`app_url`, as instances
    /// behind one public URL do).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    pub async fn stop(self) {
        self.server.shutdown().await.expect("shutdown");
    }

    pub async fn post(&self, client: &Client, path: &str, body: Value) -> Response {
        client.post(self.url(path)).json(&body).send().await.expect("request")
    }

    /// POSTs JSON with the cookie-less API client.
    pub async fn api_post(&self, path: &str, body: Value) -> Response {
        self.post(&self.api, path, body).await
    }

    pub async fn get_bearer(&self, path: &str, token: &str) -> Response {
        self.api
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Signs up `email` (dev mode returns the verification token).
    pub async fn sign_up(&self, email: &str) -> Value {
        let response = self
            .api_post("/api/auth/sign-up", json!({ "email": email, "password": PASSWORD }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "sign-up of {email}");
        response.json().await.expect("json")
    }

    /// Signs in with `client` (the browser's jar then holds the cookies).
    pub async fn sign_in_with(&self, client: &Client, email: &str) -> Value {
        let response = self
            .post(
                client,
                "/api/auth/sign-in",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {email}");
        response.json().await.expect("json")
    }

    /// One JSON sign-in attempt with the cookie-less client, whatever its
    /// outcome.
    pub async fn try_sign_in(&self, email: &str, password: &str) -> Response {
        self.api_post("/api/auth/sign-in", json!({ "email": email, "password": password }))
            .await
    }

    /// Signs up and in as a new user; returns the sign-in JSON.
    pub async fn user(&self, email: &str) -> Value {
        self.sign_up(email).await;
        self.sign_in_with(&self.api, email).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.api_post("/api/auth/refresh", json!({ "refresh_token": refresh_token }))
            .await
    }
}

/// The string at `field` of a JSON answer.
pub fn s<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field:?} in {value}"))
}

/// The `error` code of a JSON error answer.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.expect("json");
    body["error"].as_str().unwrap_or_default().to_owned()
}

/// Runs each listed flow (an `async fn(Db)`) on SQLite and on PostgreSQL,
/// as `sqlite::<flow>` and `postgres::<flow>`.
#[macro_export]
macro_rules! on_both_databases {
    ($($flow:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $flow() {
                    let db = $crate::common::Db::sqlite();
                    super::$flow(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $flow() {
                    let Some(db) = $crate::common::Db::postgres(stringify!($flow)).await else { return };
                    super::$flow(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}
