//! Test harness: starts the real server on a loopback port with its own fresh database (a
//! SQLite file in a temporary directory, or a PostgreSQL database created for the test and
//! dropped afterwards) and drives it over HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use credence_core::accounts::{self, NewAccount};
use credence_core::profiles::{self, Profile, ProfileUpdate};
use credence_core::{Actor, Core, CoreOptions, Role};
use credence_web::WebConfig;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "a long enough passphrase";

/// Runs each listed async test function against both backends. PostgreSQL variants are
/// `#[ignore]`d so plain `cargo test` needs no database server; `scripts/test` runs them.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL on 127.0.0.1:5432; scripts/test runs it"]
                async fn $name() {
                    super::$name(super::common::Backend::Postgres).await
                }
            )*
        }
    };
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub core: Core,
    /// The database's URL, for a second handle on it (another instance).
    pub db_url: String,
    _storage: Storage,
}

/// Where a test's database lives; dropping it removes the database.
pub enum Storage {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for Storage {
    fn drop(&mut self) {
        match self {
            Storage::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Storage::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime; use a thread with its own to clean up.
                let (url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        sqlx::any::install_default_drivers();
                        if let Ok(pool) = sqlx::AnyPool::connect(&format!("{url}/postgres")).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&pool)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("CREDENCE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

pub async fn fresh_database(backend: Backend) -> (String, Storage) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique_name("credence_test"));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite:{}", dir.join("credence.db").display());
            (url, Storage::Dir(dir))
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let name = unique_name("credence_test");
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&format!("{admin}/postgres"))
                .await
                .expect("PostgreSQL must be running on 127.0.0.1:5432 (see scripts/test)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            (
                format!("{admin}/{name}"),
                Storage::Postgres {
                    admin_url: admin,
                    name,
                },
            )
        }
    }
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with settings changed by `configure` (e.g. `trust_proxy`).
pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut WebConfig)) -> TestApp {
    let (url, storage) = fresh_database(backend).await;
    let core = credence_core::open(&CoreOptions::new(&url)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = WebConfig::for_local(addr);
    configure(&mut config);
    let state = credence_web::app_state(core.clone(), config);
    tokio::spawn(credence_web::serve(listener, state, std::future::pending()));
    TestApp {
        addr,
        base: format!("http://{addr}"),
        core,
        db_url: url,
        _storage: storage,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests check them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn api() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token embedded in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
    re.captures(html).expect("page has a CSRF field")[1].to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Another server on this test's database, as a second instance behind a load balancer
    /// would be: its own pool and caches. Returns its base URL.
    pub async fn another_instance(&self) -> String {
        let core = credence_core::open(&CoreOptions::new(&self.db_url))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = credence_web::app_state(core, WebConfig::for_local(addr));
        tokio::spawn(credence_web::serve(listener, state, std::future::pending()));
        format!("http://{addr}")
    }

    /// Creates an account directly through the core service (fast set-up for tests).
    pub async fn user(&self, handle: &str, role: Role) -> (Actor, Profile) {
        let (user, profile) = accounts::create_account(
            &self.core,
            NewAccount {
                email: &format!("{handle}@example.org"),
                handle,
                display_name: &format!("Name of {handle}"),
                password: PASSWORD,
                role,
            },
            None,
        )
        .await
        .unwrap();
        (
            Actor {
                user_id: user.id,
                role: user.role,
                profile_id: profile.id,
            },
            profile,
        )
    }

    /// A professional with complete credentials, not yet submitted.
    pub async fn professional(&self, handle: &str) -> (Actor, Profile) {
        let (actor, _) = self.user(handle, Role::Professional).await;
        let p = profiles::update(
            &self.core,
            &actor,
            ProfileUpdate {
                profession: Some("physician".into()),
                specialty: Some("Cardiology".into()),
                credentials: Some("MD".into()),
                licence_number: Some("LIC-SECRET-4471".into()),
                licence_jurisdiction: Some("Ohio State Medical Board".into()),
                npi: Some("1234567893".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .profile;
        (actor, p)
    }

    pub async fn token(&self, handle: &str) -> String {
        accounts::personal_token_for_handle(&self.core, handle)
            .await
            .unwrap()
    }

    /// Signs in through the HTML form; returns the cookie-holding client.
    pub async fn signed_in(&self, login: &str) -> reqwest::Client {
        let client = browser();
        let page = client
            .get(self.url("/signin"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = client
            .post(self.url("/signin"))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("login", login),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "sign-in as {login} failed");
        client
    }

    /// GETs a page and returns its CSRF token (the session's, once signed in).
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let page = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_of(&page)
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(&self.core.db.pool)
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    }
}
