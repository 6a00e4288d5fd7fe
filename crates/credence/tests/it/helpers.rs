//! What every scenario uses. The harness: starts the real server on a loopback port with its own fresh database (a
//! SQLite file in a temporary directory, or a PostgreSQL database created for the test and
//! dropped afterwards) and drives it over HTTP.

use credence_core::verification;
use serde_json::Value;

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

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    /// The operator's metrics listener (`credence_web::serve_metrics`), apart from `base`.
    pub metrics_base: String,
    pub core: Core,
    /// The database's URL and key file, for another handle on it (another instance).
    pub db_url: String,
    pub key_file: PathBuf,
    _storage: Storage,
}

/// Where a test's database and key file live; dropping it removes both.
pub struct Storage {
    /// The SQLite file (if any) and the key file.
    dir: PathBuf,
    /// The PostgreSQL server and database, when the test runs there.
    postgres: Option<(String, String)>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime; use a thread with its own to clean up.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    sqlx::any::install_default_drivers();
                    if let Ok(pool) = sqlx::AnyPool::connect(&format!("{admin_url}/postgres")).await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&pool)
                                .await;
                    }
                });
            })
            .join();
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

/// A new empty database of the test's own (a SQLite file in a temporary folder, or a
/// PostgreSQL database created for it) and where its key file goes (that folder).
pub struct FreshDatabase {
    pub url: String,
    pub key_file: PathBuf,
    pub storage: Storage,
}

impl FreshDatabase {
    /// What opening this database needs.
    pub fn options(&self) -> CoreOptions {
        CoreOptions::new(&self.url, &self.key_file)
    }
}

pub async fn fresh_database(backend: Backend) -> FreshDatabase {
    let dir = std::env::temp_dir().join(unique_name("credence_test"));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("credence.key");
    let (url, postgres) = match backend {
        Backend::Sqlite => (
            format!("sqlite:{}", dir.join("credence.db").display()),
            None,
        ),
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
            (format!("{admin}/{name}"), Some((admin, name)))
        }
    };
    FreshDatabase {
        url,
        key_file,
        storage: Storage { dir, postgres },
    }
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with settings changed by `configure` (e.g. `trust_proxy`).
pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut WebConfig)) -> TestApp {
    spawn_configured(backend, |_| {}, configure).await
}

/// Like [`spawn`], with the domain's settings (`registrations_open`, …) and the web layer's
/// changed.
pub async fn spawn_configured(
    backend: Backend,
    core_settings: impl FnOnce(&mut CoreOptions),
    web_settings: impl FnOnce(&mut WebConfig),
) -> TestApp {
    let database = fresh_database(backend).await;
    let mut options = database.options();
    core_settings(&mut options);
    let core = credence_core::open(&options).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = WebConfig::for_local(addr);
    web_settings(&mut config);
    let state = credence_web::app_state(core.clone(), config);
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    tokio::spawn(credence_web::serve_metrics(metrics, state.clone()));
    tokio::spawn(credence_web::serve(listener, state, std::future::pending()));
    TestApp {
        addr,
        base: format!("http://{addr}"),
        metrics_base: format!("http://{metrics_addr}"),
        core,
        db_url: database.url.clone(),
        key_file: database.key_file.clone(),
        _storage: database.storage,
    }
}

/// A loopback port nothing listens on now (for a process started with `--listen`-like flags).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
    /// What opening this test's database needs (another instance, another core).
    pub fn options(&self) -> CoreOptions {
        CoreOptions::new(&self.db_url, &self.key_file)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Another server on this test's database, as a second instance behind a load balancer
    /// would be: its own pool and caches. Returns its base URL.
    pub async fn another_instance(&self) -> String {
        let core = credence_core::open(&self.options()).await.unwrap();
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
        let res = self
            .submit(
                &client,
                "/signin",
                "/signin",
                &[("login", login), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(res.status(), 303, "sign-in as {login} failed");
        client
    }

    /// POSTs a page form as a browser submits it: `fields` with the CSRF token `csrf` (read
    /// from a form page with [`TestApp::csrf`]).
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        action: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Opens `form_page` for its CSRF token, then posts `fields` to `action` with it.
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(client, form_page).await;
        self.post_form(client, action, &csrf, fields).await
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

pub async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn text(res: reqwest::Response) -> (u16, String) {
    (res.status().as_u16(), res.text().await.unwrap())
}

pub async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let res = client.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The Mastodon API as an app sees it: JSON in and out, with or without a Bearer token.
pub struct ApiClient {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}
impl ApiClient {
    pub fn new(app: &TestApp, token: Option<String>) -> ApiClient {
        ApiClient {
            http: api(),
            base: app.base.clone(),
            token,
        }
    }

    pub fn auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = self.auth(req).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// A request by method name (`GET`, `PUT`, `POST`, `DELETE`), with a JSON body where the
    /// method takes one: for tables of attempts.
    pub async fn request(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "PUT" => self.http.put(url).json(body),
            "POST" => self.http.post(url).json(body),
            "DELETE" => self.http.delete(url),
            other => panic!("no method {other}"),
        };
        self.send(req).await
    }

    /// A GET that also returns the `Link` header, to follow paging as apps do.
    pub async fn get_paged(&self, path: &str) -> (u16, Value, Option<String>) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let res = self.auth(self.http.get(url)).send().await.unwrap();
        let status = res.status().as_u16();
        let link = res
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string());
        (status, res.json().await.unwrap_or(Value::Null), link)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.put(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.patch(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }

    /// Posts a status that must be accepted; returns it.
    pub async fn publish(&self, body: Value) -> Value {
        let (s, v) = self.post("/api/v1/statuses", body).await;
        assert_eq!(s, 200, "{v}");
        v
    }
}

pub async fn person(app: &TestApp, handle: &str, role: Role) -> (ApiClient, i64) {
    let (_, profile) = if role == Role::Professional {
        app.professional(handle).await
    } else {
        app.user(handle, role).await
    };
    (
        ApiClient::new(app, Some(app.token(handle).await)),
        profile.id,
    )
}

pub async fn verified_pro(app: &TestApp, handle: &str) -> (ApiClient, i64) {
    let (client, id) = person(app, handle, Role::Professional).await;
    verification::verify_directly(&app.core, None, id, "test")
        .await
        .unwrap();
    (client, id)
}

pub async fn verified(app: &TestApp, handle: &str) -> reqwest::Client {
    let (_, p) = app.professional(handle).await;
    verification::verify_directly(&app.core, None, p.id, "test")
        .await
        .unwrap();
    app.signed_in(&format!("{handle}@example.org")).await
}

pub fn id_of(status: &Value) -> i64 {
    status["id"].as_str().unwrap().parse().unwrap()
}

pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

pub async fn actor_of(app: &TestApp, client: &ApiClient) -> credence_core::Actor {
    credence_core::accounts::token_info(&app.core, client.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap()
}

pub async fn register_app(app: &TestApp, redirect: &str, scopes: &str) -> Value {
    let (s, v) = json(
        api()
            .post(app.url("/api/v1/apps"))
            .form(&[
                ("client_name", "Test client"),
                ("redirect_uris", redirect),
                ("scopes", scopes),
                ("website", "https://client.example"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

pub fn compose_form(csrf: &str, fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

pub async fn compose(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = app.csrf(client, "/compose").await;
    client
        .post(app.url("/compose"))
        .multipart(compose_form(&csrf, fields))
        .send()
        .await
        .unwrap()
}

/// A small JPEG carrying an EXIF block with GPS coordinates, as phones write them.
pub fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    // TIFF (little-endian): IFD0 with one entry, GPSInfo -> GPS IFD with GPSLatitudeRef = "N"
    // and GPSLatitude = 40/1, 26/1, 46/1.
    let mut tiff: Vec<u8> = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: 1 entry
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes()); // LONG
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes()); // GPS IFD offset
    tiff.extend_from_slice(&0u32.to_le_bytes()); // next IFD
                                                 // GPS IFD at 26: 2 entries
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&2u16.to_le_bytes()); // GPSLatitude
    tiff.extend_from_slice(&5u16.to_le_bytes()); // RATIONAL
    tiff.extend_from_slice(&3u32.to_le_bytes());
    tiff.extend_from_slice(&56u32.to_le_bytes()); // value offset
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for v in [40u32, 1, 26, 1, 46, 1] {
        tiff.extend_from_slice(&v.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

pub async fn upload(
    client: &ApiClient,
    bytes: Vec<u8>,
    name: &str,
    description: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        )
        .text("description", description.to_string());
    upload_form(client, form).await
}

/// Sends a multipart form, as it is, to the media endpoint.
pub async fn upload_form(client: &ApiClient, form: reqwest::multipart::Form) -> (u16, Value) {
    client
        .send(
            client
                .http
                .post(format!("{}/api/v2/media", client.base))
                .multipart(form),
        )
        .await
}

pub fn tiny_mp4() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&24u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom");
    v.extend_from_slice(&512u32.to_be_bytes());
    v.extend_from_slice(b"isomiso2");
    v.extend_from_slice(&8u32.to_be_bytes());
    v.extend_from_slice(b"moov");
    v.extend_from_slice(&1008u32.to_be_bytes());
    v.extend_from_slice(b"mdat");
    v.extend((0..1000u32).map(|i| (i % 251) as u8));
    v
}

/// The main navigation bar of a page.
pub fn nav_of(page: &str) -> &str {
    let start = page.find("<nav class=\"main\"").expect("a main navigation");
    &page[start..start + page[start..].find("</nav>").unwrap()]
}

/// The `next` link of a `Link` header, if it has one.
pub fn next_link(link: &str) -> Option<String> {
    link.split(", ")
        .find(|part| part.ends_with("rel=\"next\""))
        .and_then(|part| part.split(['<', '>']).nth(1))
        .map(str::to_string)
}
