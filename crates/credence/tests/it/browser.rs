//! The web UI in real headless Chromium (WebDriver through chromedriver, both from Debian's
//! packages): a professional signs up, fills in credentials, asks for verification; an admin
//! verifies; the badge shows on the profile. Runs on SQLite and on PostgreSQL; screenshots go
//! under the test's output folder, one subfolder per database.
//!
//! Needs `chromium` and `chromium-driver` (and PostgreSQL for the second variant);
//! `scripts/test` installs them and runs both.

use crate::helpers::{free_port, unique_name};

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{spawn, Backend, TestApp, PASSWORD};
use credence_core::Role;
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver {
    child: Child,
    port: u16,
    profile_dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

async fn start_browser() -> (Driver, Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (apt-get install chromium chromium-driver)");
    let profile_dir = std::env::temp_dir().join(unique_name("credence_chromium"));
    let driver = Driver {
        child,
        port,
        profile_dir,
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1280,1000",
                format!("--user-data-dir={}", driver.profile_dir.display()),
            ],
        }),
    );
    // chromedriver takes a moment to listen.
    for _ in 0..50 {
        if let Ok(client) = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            return (driver, client);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not start a Chromium session through chromedriver");
}

fn output_dir(backend: Backend) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(format!("{backend:?}").to_lowercase());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn fill(c: &Client, css: &str, text: &str) {
    let field = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no field {css}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no element {css}"))
        .click()
        .await
        .unwrap();
}

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Waits (up to 10 s) for the page to show `text`: a click that submits a form returns before
/// the next page has loaded. On failure, shows what the page said instead.
async fn expect_text(c: &Client, text: &str) {
    let mut page = String::new();
    for _ in 0..100 {
        page = source(c).await;
        if page.contains(text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let main = page
        .split("<main")
        .nth(1)
        .unwrap_or(&page)
        .chars()
        .take(1500)
        .collect::<String>();
    panic!("expected '{text}' on {url}; the page shows:\n{main}");
}

async fn screenshot(c: &Client, backend: Backend, name: &str) -> PathBuf {
    let path = output_dir(backend).join(name);
    std::fs::write(&path, c.screenshot().await.unwrap()).unwrap();
    println!("screenshot: {}", path.display());
    path
}

both_backends!(
    in_browser: professional_signs_up_gets_verified_and_shows_the_badge,
    article_with_live_phi_check_then_found_followed_and_answered,
    a_client_on_another_origin_signs_in_and_reads,
);

async fn professional_signs_up_gets_verified_and_shows_the_badge(backend: Backend) {
    let app = spawn(backend).await;
    app.user("chief_admin", Role::Admin).await;
    let (_driver, c) = start_browser().await;

    // Sign up as a professional, keyboard-reachable form controls only.
    c.goto(&app.url("/signup")).await.unwrap();
    click(&c, "input[name=role][value=professional]").await;
    fill(&c, "#display_name", "Dr Lena Park").await;
    fill(&c, "#handle", "dr_lena").await;
    fill(&c, "#email", "lena@clinic.example").await;
    fill(&c, "#password", PASSWORD).await;
    screenshot(&c, backend, "01-signup.png").await;
    click(&c, "form[action='/signup'] button[type=submit]").await;
    expect_text(&c, "Welcome to Credence").await;

    // Fill in credentials.
    c.find(Locator::Css("#profession"))
        .await
        .unwrap()
        .select_by_value("physician")
        .await
        .unwrap();
    fill(&c, "#specialty", "Endocrinology").await;
    fill(&c, "#credentials", "MD").await;
    fill(&c, "#licence_number", "OH-35.123456").await;
    fill(&c, "#licence_jurisdiction", "State Medical Board of Ohio").await;
    fill(&c, "#npi", "1234567893").await;
    fill(
        &c,
        "#bio",
        "Endocrinologist writing about diabetes and thyroid health.",
    )
    .await;
    click(&c, "form[action='/settings/profile'] button[type=submit]").await;
    expect_text(&c, "Your profile was saved.").await;

    // Ask for verification.
    c.goto(&app.url("/verification")).await.unwrap();
    fill(
        &c,
        "#note",
        "Licence can be checked on the Ohio eLicense site.",
    )
    .await;
    click(&c, "form[action='/verification'] button[type=submit]").await;
    expect_text(&c, "waiting for a reviewer").await;
    c.goto(&app.url("/@dr_lena")).await.unwrap();
    expect_text(&c, "review pending").await;
    assert!(
        c.find(Locator::Css(
            "nav.main a[href='/@dr_lena'] + .badge.pending"
        ))
        .await
        .is_ok(),
        "the acting profile's badge is in the navigation bar"
    );
    screenshot(&c, backend, "02-profile-pending.png").await;
    click(&c, "nav.main button.linklike").await; // sign out
    expect_text(&c, "You have signed out.").await;

    // The admin verifies from the review queue.
    c.goto(&app.url("/signin")).await.unwrap();
    fill(&c, "#login", "chief_admin@example.org").await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "form[action='/signin'] button[type=submit]").await;
    expect_text(&c, "Review queue").await;
    c.goto(&app.url("/review")).await.unwrap();
    let queue = source(&c).await;
    assert!(
        queue.contains("OH-35.123456"),
        "the reviewer sees the licence number"
    );
    screenshot(&c, backend, "03-review-queue.png").await;
    click(&c, "input[name=decision][value=verify] ~ button").await;
    expect_text(&c, "The decision was recorded.").await;
    click(&c, "nav.main button.linklike").await;
    expect_text(&c, "You have signed out.").await;

    // Anyone now sees the badge; nobody but reviewers sees the licence.
    c.goto(&app.url("/@dr_lena")).await.unwrap();
    let badge = c
        .find(Locator::Css("h1 .badge.verified"))
        .await
        .expect("verified badge next to the name");
    assert_eq!(badge.text().await.unwrap().trim(), "Verified");
    let page = source(&c).await;
    assert!(!page.contains("OH-35.123456"));
    assert!(page.contains("Endocrinology"));
    let shot = screenshot(&c, backend, "04-profile-verified.png").await;
    assert!(
        std::fs::metadata(shot).unwrap().len() > 10_000,
        "a real screenshot was saved"
    );
    c.goto(&app.url("/")).await.unwrap();
    assert!(
        c.find(Locator::Css("a[href='/@dr_lena'] + .badge.verified"))
            .await
            .is_ok(),
        "badge in the directory too"
    );
    screenshot(&c, backend, "05-home.png").await;
    c.close().await.unwrap();
}

async fn sign_in(c: &Client, app: &TestApp, login: &str) {
    c.goto(&app.url("/signin")).await.unwrap();
    fill(c, "#login", login).await;
    fill(c, "#password", PASSWORD).await;
    click(c, "form[action='/signin'] button[type=submit]").await;
    expect_text(c, "Sign out").await;
}

/// Waits (up to 10 s) until `css` matches something, or (with `present = false`) nothing.
async fn wait_for(c: &Client, css: &str, present: bool) {
    for _ in 0..100 {
        if c.find_all(Locator::Css(css)).await.unwrap().is_empty() != present {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "waited for {css} to be {}",
        if present { "shown" } else { "gone" }
    );
}

async fn article_with_live_phi_check_then_found_followed_and_answered(backend: Backend) {
    let app = spawn(backend).await;
    let (_, pro) = app.professional("dr_wren").await;
    credence_core::verification::verify_directly(&app.core, None, pro.id, "test")
        .await
        .unwrap();
    app.user("reader_sam", Role::Member).await;
    let (_driver, c) = start_browser().await;

    // The professional writes an article; the PHI finding appears while typing.
    sign_in(&c, &app, "dr_wren@example.org").await;
    c.goto(&app.url("/compose")).await.unwrap();
    c.find(Locator::Css("#kind"))
        .await
        .unwrap()
        .select_by_value("article")
        .await
        .unwrap();
    fill(&c, "#title", "How statins protect your heart").await;
    fill(
        &c,
        "#body",
        "My patient Maria Lopez, MRN 88123456, asked me how statins work.\n\n\
         Statins lower LDL cholesterol. In large trials they reduced the risk of a heart \
         attack by about a quarter in people at high risk.",
    )
    .await;
    wait_for(&c, "#check-findings .phi-finding", true).await;
    let findings = source(&c).await;
    assert!(findings.contains("Protected health information"));
    screenshot(&c, backend, "10-compose-phi-finding.png").await;
    // Redact each finding with its button; the list updates after each.
    for _ in 0..6 {
        let buttons = c
            .find_all(Locator::Css("#check-findings .phi-finding button.redact"))
            .await
            .unwrap();
        let Some(first) = buttons.into_iter().next() else {
            break;
        };
        first.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    wait_for(&c, "#check-findings .phi-finding", false).await;
    let body = c
        .find(Locator::Css("#body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        !body.contains("Maria Lopez") && !body.contains("88123456"),
        "{body}"
    );
    fill(&c, "#citation-value-0", "10.1016/S0140-6736(10)61350-5").await;
    fill(
        &c,
        "#citation-title-0",
        "Efficacy and safety of more intensive lowering of LDL cholesterol",
    )
    .await;
    screenshot(&c, backend, "11-compose-redacted.png").await;
    click(&c, "#publish").await;
    expect_text(&c, "Cites peer-reviewed sources").await;
    let page = source(&c).await;
    assert!(page.contains("How statins protect your heart"));
    assert!(page.contains("https://doi.org/10.1016/s0140-6736(10)61350-5"));
    screenshot(&c, backend, "12-article-published.png").await;
    click(&c, "nav.main form[action='/signout'] button").await;
    expect_text(&c, "You have signed out.").await;

    // A member finds it by searching the clinical term, follows the author and comments.
    sign_in(&c, &app, "reader_sam@example.org").await;
    c.goto(&app.url("/search")).await.unwrap();
    fill(&c, "#q", "myocardial infarction").await;
    click(&c, "form[role=search] button[type=submit]").await;
    expect_text(&c, "How statins protect your heart").await;
    screenshot(&c, backend, "13-search.png").await;
    click(&c, "article.post .post-title a").await;
    expect_text(&c, "Replies").await;
    click(&c, "article.post .name a").await;
    expect_text(&c, "Follow @dr_wren").await;
    click(&c, "#follow-button").await;
    expect_text(&c, "Following ✓").await;
    c.goto(&app.url("/home")).await.unwrap();
    expect_text(&c, "How statins protect your heart").await;
    click(&c, "article.post .post-title a").await;
    fill(
        &c,
        "#reply-body",
        "Thank you, this explains what my doctor told me.",
    )
    .await;
    click(&c, "#reply-form button[type=submit]").await;
    expect_text(&c, "this explains what my doctor told me").await;
    let shot = screenshot(&c, backend, "14-commented.png").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);
    c.close().await.unwrap();
}

/// Serves the test-only browser client (`tests/browser-client`, built by
/// `scripts/browser-client`) on its own port: another origin than Credence's.
async fn serve_browser_client() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser-client");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|_| panic!("{name} is missing: run scripts/browser-client first"))
    };
    let (page, bundle) = (read("index.html"), read("dist/client.js"));
    let router = axum::Router::new()
        .route(
            "/index.html",
            axum::routing::get(move || async move { axum::response::Html(page) }),
        )
        .route(
            "/client.js",
            axum::routing::get(
                move || async move { ([("content-type", "text/javascript")], bundle) },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    origin
}

/// Done-when of the clients issue: a Mastodon client library nobody on the project wrote
/// (masto.js), in Chromium, on another origin, registers an app, signs in through Credence's
/// OAuth page (PKCE), and its home, mentions, grouped notifications, profile, lists, filters,
/// hashtag and marker calls work — every one of them cross-origin, through CORS.
async fn a_client_on_another_origin_signs_in_and_reads(backend: Backend) {
    let app = spawn(backend).await;
    app.professional("dr_remote").await;
    app.user("remote_reader", Role::Member).await;
    let pro = crate::helpers::ApiClient::new(&app, Some(app.token("dr_remote").await));
    let reader = crate::helpers::ApiClient::new(&app, Some(app.token("remote_reader").await));
    let pro_id = pro.get("/api/v1/accounts/verify_credentials").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    reader
        .post(
            &format!("/api/v1/accounts/{pro_id}/follow"),
            serde_json::json!({}),
        )
        .await;
    let post = pro
        .publish(serde_json::json!({"status": "Home readings of #hypertension: sit still first."}))
        .await;
    pro.post(
        &format!("/api/v1/statuses/{}/pin", post["id"].as_str().unwrap()),
        serde_json::json!({}),
    )
    .await;
    pro.publish(serde_json::json!({"status": "@remote_reader your question is answered."}))
        .await;

    let origin = serve_browser_client().await;
    assert_ne!(origin, app.base, "another origin");
    let (_driver, c) = start_browser().await;
    c.goto(&format!("{origin}/index.html#{}", app.base))
        .await
        .unwrap();
    // The client sent the browser to Credence's sign-in, then the consent page.
    expect_text(&c, "Sign in").await;
    fill(&c, "#login", "remote_reader@example.org").await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "form[action^='/signin'] button[type=submit]").await;
    expect_text(&c, "Browser client test").await;
    click(&c, "button[name=approve][value=yes]").await;
    // Back on the client's origin: it reads the API.
    let mut result = String::new();
    for _ in 0..150 {
        let error = c.find(Locator::Id("error")).await.ok();
        if let Some(error) = error {
            let text = error.text().await.unwrap_or_default();
            assert!(text.is_empty(), "the client failed: {text}");
        }
        if let Ok(found) = c.find(Locator::Id("result")).await {
            result = found.text().await.unwrap_or_default();
            if !result.is_empty() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.current_url().await.unwrap().as_str().starts_with(&origin));
    let got: serde_json::Value = serde_json::from_str(&result)
        .unwrap_or_else(|_| panic!("no result from the client: {result:?}"));
    assert_eq!(got["handle"], "remote_reader");
    assert!(got["home"].to_string().contains("hypertension"), "{got}");
    assert_eq!(got["mentions"], serde_json::json!(["mention"]));
    assert!(got["grouped"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("mention")));
    assert_eq!(got["list"], "From the browser");
    assert_eq!(got["lists"], 1);
    assert_eq!(got["filters"], 0);
    assert_eq!(got["tagged"], 1);
    screenshot(&c, backend, "browser-client.png").await;
    // Ends the browser too: killing chromedriver alone leaves Chromium running.
    c.close().await.unwrap();
}
