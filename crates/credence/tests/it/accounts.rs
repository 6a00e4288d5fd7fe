//! Accounts and sessions, on pages and through the API: sign-up, sign-in and out, CSRF on every
//! form, expired sessions, throttling, a trusted proxy, password changes, sign-up from an app,
//! token scopes and the token cache.

use crate::helpers::{
    api, browser, csrf_of, json, page, register_app, spawn, spawn_configured, spawn_with, text,
    Backend, TestApp, PASSWORD,
};
use credence_core::kernel::actor::TokenKind;
use credence_core::{accounts, admin, profiles, verification, Core, CoreOptions, Role};
use serde_json::json;
use serde_json::Value;
use std::time::Duration;

both_backends!(
    sign_up_sign_in_sign_out,
    sign_up_refuses_bad_input_and_stores_nothing,
    csrf_is_required_on_every_form,
    expired_session_is_refused,
    login_is_throttled,
    behind_a_trusted_proxy,
    sign_in_next_stays_on_this_site,
    change_password_signs_out_elsewhere,
    wrong_current_passwords_are_throttled,
    cached_tokens_follow_revocations_and_role_changes,
    sign_up_from_an_app,
    closed_registrations_refuse_every_sign_up,
    tokens_are_limited_to_their_scopes,
);

/// Everything a form could change, as text: row counts of every table a form writes, and the
/// columns those forms change. Equal before and after means nothing was stored.
async fn stored_state(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    let mut state = Vec::new();
    for table in [
        "users",
        "profiles",
        "disclosures",
        "verification_requests",
        "audit_log",
        "sessions",
        "login_attempts",
        "oauth_codes",
        "access_tokens",
    ] {
        let n = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        state.push(format!("{table}: {n}"));
    }
    for sql in [
        "SELECT role || ' ' || password_hash FROM users ORDER BY id",
        "SELECT handle || ' ' || display_name || ' ' || bio || ' ' || verification_state \
         FROM profiles ORDER BY id",
        "SELECT CAST(profile_id AS TEXT) FROM sessions ORDER BY id",
        "SELECT state FROM verification_requests ORDER BY id",
    ] {
        for row in sqlx::query(sql).fetch_all(&app.core.db.pool).await.unwrap() {
            state.push(row.get::<String, _>(0));
        }
    }
    state
}

/// A form to post: who sends it, where, and its fields (without the CSRF token).
type FormPost<'a> = (&'a reqwest::Client, &'a str, Vec<(&'a str, &'a str)>);

/// Moves every session of a login into the past.
async fn expire_sessions(app: &TestApp, user_id: i64) {
    use sqlx::Row;
    let ids: Vec<i64> = sqlx::query("SELECT id FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&app.core.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in ids {
        accounts::expire_session(&app.core, id).await.unwrap();
    }
}

/// One sign-in attempt from a fresh browser (so an earlier success does not change the form's
/// CSRF token); every attempt comes from the same loopback address.
async fn try_sign_in(app: &TestApp, login: &str, password: &str) -> (u16, String) {
    let client = browser();
    text(
        app.submit(
            &client,
            "/signin",
            "/signin",
            &[("login", login), ("password", password)],
        )
        .await,
    )
    .await
}

/// The `Set-Cookie` header for `name`, if the response sets it.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// Signs in through the form with extra request headers (as a reverse proxy would add them);
/// cookies are carried by hand, since a Secure cookie is not sent back over plain http.
async fn sign_in_via(
    app: &TestApp,
    headers: &[(&str, &str)],
    login: &str,
    password: &str,
) -> reqwest::Response {
    let c = api();
    let with = |mut req: reqwest::RequestBuilder| {
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req
    };
    let page = with(c.get(app.url("/signin"))).send().await.unwrap();
    let cookie = set_cookie(&page, "credence_csrf").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let csrf = csrf_of(&page.text().await.unwrap());
    with(c.post(app.url("/signin")))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// `next` values that browsers would turn into another site (they drop tabs and newlines and
/// read `\\` as `/`), or that cannot go in a `Location` header at all.
const FOREIGN_NEXT: &[&str] = &[
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "https://evil.example/",
    "/caf\u{e9}",
];

/// Another instance's core on the test's database, trusting a looked-up token for `ttl`.
async fn instance_trusting_tokens_for(app: &TestApp, ttl: Duration) -> Core {
    let options = CoreOptions {
        token_ttl: ttl,
        ..app.options()
    };
    credence_core::open(&options).await.unwrap()
}

async fn sign_up_sign_in_sign_out(backend: Backend) {
    let app = spawn(backend).await;
    let client = browser();
    let (s, signup) = page(&client, app.url("/signup")).await;
    assert_eq!(s, 200);
    assert!(
        signup.contains("<main") && signup.contains("<label for=\"email\">"),
        "labelled form inside a main landmark"
    );
    let res = client
        .post(app.url("/signup"))
        .form(&[
            ("csrf", csrf_of(&signup).as_str()),
            ("role", "professional"),
            ("display_name", "Dr Ada Obi"),
            ("handle", "ada_obi"),
            ("email", "Ada@Example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/settings/profile?notice=welcome"
    );
    let cookie = set_cookie(&res, "credence_session").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (s, settings) = page(&client, app.url("/settings/profile?notice=welcome")).await;
    assert_eq!(s, 200);
    assert!(settings.contains("Welcome to Credence"));
    let (_, profile) = page(&client, app.url("/@ada_obi")).await;
    assert!(
        profile.contains("Dr Ada Obi") && profile.contains("badge unverified"),
        "an unverified professional is labelled"
    );
    // Sign out, then the settings page sends us to sign in.
    let csrf = app.csrf(&client, "/settings/profile").await;
    let res = app.post_form(&client, "/signout", &csrf, &[]).await;
    assert_eq!(res.status(), 303);
    let res = client
        .get(app.url("/settings/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin");
    // Sign in again, by e-mail in another case, and by handle.
    let page = client
        .get(app.url("/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = client
        .post(app.url("/signin"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login", "ADA@example.org"),
            ("password", PASSWORD),
            ("next", "/settings/profile"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/settings/profile");
    app.signed_in("ada_obi").await;
    // A wrong password: 401 and a message, no session.
    let other = browser();
    let page = other
        .get(app.url("/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (s, body) = text(
        other
            .post(app.url("/signin"))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("login", "ada_obi"),
                ("password", "wrong password!"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    assert!(body.contains("not correct"));
    // An open redirect through `next` is neutralised.
    let res = other
        .post(app.url("/signin"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login", "ada_obi"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
}

async fn sign_up_refuses_bad_input_and_stores_nothing(backend: Backend) {
    let app = spawn(backend).await;
    app.user("taken_handle", Role::Member).await;
    let client = browser();
    let csrf = app.csrf(&client, "/signup").await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("email", "not-an-email"), ("handle", "fresh_one")],
            "e-mail address",
        ),
        (
            &[
                ("email", "ok@example.org"),
                ("handle", "fresh_one"),
                ("password", "short"),
            ],
            "too weak",
        ),
        (
            &[
                ("email", "ok@example.org"),
                ("handle", "fresh_one"),
                ("password", "password123"),
            ],
            "too weak",
        ),
        (
            &[("email", "ok@example.org"), ("handle", "Taken_Handle")],
            "already taken",
        ),
        (
            &[
                ("email", "taken_handle@example.org"),
                ("handle", "fresh_one"),
            ],
            "already exists",
        ),
        (
            &[("email", "ok@example.org"), ("handle", "bad handle!")],
            "3 to 30",
        ),
        (
            &[
                ("email", "ok@example.org"),
                ("handle", "fresh_one"),
                ("display_name", &"n".repeat(101)),
            ],
            "too long",
        ),
        (
            &[
                ("email", "ok@example.org"),
                ("handle", "fresh_one"),
                ("role", "admin"),
            ],
            "choose how you are joining",
        ),
        (
            &[
                ("email", "ok@example.org"),
                ("handle", "fresh_one"),
                ("display_name", "Dr\u{200B}Ana\u{202E}"),
            ],
            "invisible formatting characters",
        ),
        (
            &[("email", "ok@example.org"), ("handle", "fresh\u{200B}one")],
            "invisible formatting characters",
        ),
    ];
    for (fields, expected) in cases {
        let mut form: Vec<(&str, &str)> = vec![
            ("csrf", csrf.as_str()),
            ("role", "member"),
            ("password", PASSWORD),
        ];
        for (k, v) in fields.iter() {
            form.retain(|(key, _)| key != k);
            form.push((k, v));
        }
        let (s, body) = text(
            client
                .post(app.url("/signup"))
                .form(&form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 422, "{fields:?}");
        assert!(body.contains(expected), "{fields:?}: expected '{expected}'");
        assert!(body.contains("role=\"alert\""), "the error is announced");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        1,
        "nothing was stored"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM profiles").await, 1);
}

async fn csrf_is_required_on_every_form(backend: Backend) {
    let app = spawn(backend).await;
    // Accounts for every form to act on, each request valid but for its CSRF token.
    let (pro, _) = app.professional("dr_csrf").await;
    let disclosure = profiles::add_disclosure(&app.core, &pro, "Acme", "consulting", "")
        .await
        .unwrap();
    let (two, _) = app.professional("dr_two").await;
    let personal = profiles::create_personal_profile(&app.core, &two, "two_home", "")
        .await
        .unwrap();
    let (queued, _) = app.professional("dr_queued").await;
    let request = verification::submit(&app.core, &queued, "").await.unwrap();
    app.user("csrf_admin", Role::Admin).await;
    let client_app = credence_core::oauth::register_app(
        &app.core,
        "CSRF app",
        "https://client.example/cb",
        "read",
        None,
    )
    .await
    .unwrap();

    let anon = browser();
    anon.get(app.url("/signup")).send().await.unwrap();
    let as_pro = app.signed_in("dr_csrf").await;
    let as_two = app.signed_in("dr_two").await;
    let as_admin = app.signed_in("csrf_admin").await;
    // Another browser's anonymous token: valid somewhere, but not for these cookies.
    let elsewhere = app.csrf(&browser(), "/signin").await;

    let disclosure_delete = format!("/settings/disclosures/{}/delete", disclosure.id);
    let review = format!("/review/{}", request.id);
    let role = format!("/admin/users/{}/role", pro.user_id);
    let personal_id = personal.id.to_string();
    let forms: Vec<FormPost> = vec![
        (
            &anon,
            "/signup",
            vec![
                ("role", "member"),
                ("handle", "csrf_victim"),
                ("email", "v@example.org"),
                ("password", PASSWORD),
            ],
        ),
        (
            &anon,
            "/signin",
            vec![("login", "dr_csrf"), ("password", PASSWORD)],
        ),
        (&as_pro, "/signout", vec![]),
        (
            &as_pro,
            "/settings/profile",
            vec![("bio", "changed by an attacker")],
        ),
        (
            &as_pro,
            "/settings/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "the attacker's passphrase"),
            ],
        ),
        (
            &as_pro,
            "/settings/disclosures",
            vec![("company", "Evil Corp"), ("relationship", "consulting")],
        ),
        (&as_pro, &disclosure_delete, vec![]),
        (
            &as_pro,
            "/settings/personal-profile",
            vec![("handle", "csrf_personal")],
        ),
        (
            &as_two,
            "/settings/switch",
            vec![("profile_id", &personal_id)],
        ),
        (&as_pro, "/verification", vec![("note", "forged")]),
        (&as_admin, &review, vec![("decision", "verify")]),
        (&as_admin, &role, vec![("role", "admin")]),
        (
            &as_pro,
            "/oauth/authorize",
            vec![
                ("client_id", &client_app.client_id),
                ("redirect_uri", "https://client.example/cb"),
                ("scope", "read"),
                ("approve", "yes"),
            ],
        ),
    ];
    let before = stored_state(&app).await;
    for (client, path, fields) in &forms {
        for csrf in [
            None,
            Some("forged-token-forged-token-forged-token-0000"),
            Some(elsewhere.as_str()),
        ] {
            let mut form = fields.clone();
            if let Some(token) = csrf {
                form.push(("csrf", token));
            }
            let (s, body) =
                text(client.post(app.url(path)).form(&form).send().await.unwrap()).await;
            assert_eq!(s, 403, "{path} with csrf {csrf:?}");
            assert!(
                body.contains("did not come from this site"),
                "{path}: {body}"
            );
        }
    }
    assert_eq!(stored_state(&app).await, before, "nothing was stored");
    // A request from a browser that never saw a form (no CSRF cookie) is refused too.
    let res = browser()
        .post(app.url("/signup"))
        .form(&[
            ("csrf", elsewhere.as_str()),
            ("handle", "csrf_victim"),
            ("email", "v@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the session's own token the same forms work.
    let res = app
        .submit(
            &as_pro,
            "/settings/profile",
            "/settings/profile",
            &[("bio", "Cardiologist")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        profiles::get(&app.core, pro.profile_id).await.unwrap().bio,
        "Cardiologist"
    );
}

async fn expired_session_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, _) = app.user("sleepy", Role::Member).await;
    // Reading pages with an expired session: simply signed out, no error page.
    let reader = app.signed_in("sleepy").await;
    expire_sessions(&app, actor.user_id).await;
    let (s, home) = page(&reader, app.url("/")).await;
    assert_eq!(s, 200);
    assert!(home.contains("href=\"/signin\"") && !home.contains("Sign out"));
    let res = reader
        .get(app.url("/settings/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "sent to sign in, not shown a 401");
    assert_eq!(res.headers()["location"], "/signin");
    // Sending a form with an expired session: 401 saying so, and nothing stored.
    let writer = app.signed_in("sleepy").await;
    let csrf = app.csrf(&writer, "/settings/profile").await;
    expire_sessions(&app, actor.user_id).await;
    let (s, body) = text(
        app.post_form(&writer, "/settings/profile", &csrf, &[("bio", "late edit")])
            .await,
    )
    .await;
    assert_eq!(s, 401);
    assert!(body.contains("session has expired"));
    assert_eq!(
        profiles::get(&app.core, actor.profile_id)
            .await
            .unwrap()
            .bio,
        ""
    );
    // The expired session is gone: the next request is simply signed out.
    let res = writer
        .get(app.url("/settings/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn login_is_throttled(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = app.professional("targeted").await;
    profiles::create_personal_profile(&app.core, &pro, "targeted_home", "")
        .await
        .unwrap();
    for _ in 0..accounts::MAX_FAILURES_PER_NAME {
        let (s, _) = try_sign_in(&app, "targeted", "not the password").await;
        assert_eq!(s, 401);
    }
    // Now that name waits, even with the right password (however it is typed).
    for name in ["targeted", "@Targeted"] {
        let (s, body) = try_sign_in(&app, name, PASSWORD).await;
        assert_eq!(s, 429, "{name}");
        assert!(body.contains("wait 15 minutes"));
    }
    // The login's other names are counted apart: a throttle shared between them would tell
    // anyone that the e-mail, the professional handle and the personal handle are one person.
    for other in ["targeted@example.org", "targeted_home"] {
        let (s, _) = try_sign_in(&app, other, "not the password").await;
        assert_eq!(
            s, 401,
            "{other} must not be throttled by another name's failures"
        );
        let (s, _) = try_sign_in(&app, other, PASSWORD).await;
        assert_eq!(s, 303, "{other} still signs in");
    }
    // Per address: many names guessed from one address are stopped too.
    app.user("another", Role::Member).await;
    // (A success forgets that name's failures, so only the first name's still count.)
    let failed_so_far = accounts::MAX_FAILURES_PER_NAME;
    for i in 0..accounts::MAX_FAILURES_PER_ADDRESS - failed_so_far {
        let (s, _) = try_sign_in(&app, &format!("nobody{i}"), "guess").await;
        assert_eq!(s, 401);
    }
    let (s, _) = try_sign_in(&app, "another", PASSWORD).await;
    assert_eq!(s, 429);
}

async fn behind_a_trusted_proxy(backend: Backend) {
    let app = spawn_with(backend, |c| c.trust_proxy = true).await;
    app.user("proxied", Role::Member).await;
    // Only the right-most X-Forwarded-For entry is ours: rotating made-up entries to its left
    // does not escape the per-address limit.
    for i in 0..accounts::MAX_FAILURES_PER_ADDRESS {
        let forwarded = format!("203.0.113.{i}, 198.51.100.7");
        let res = sign_in_via(
            &app,
            &[("x-forwarded-for", &forwarded)],
            &format!("guess{i}"),
            "wrong password",
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    for headers in [
        &[("x-forwarded-for", "192.0.2.1, 198.51.100.7")][..],
        // Several headers: the last one's last entry.
        &[
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-for", "192.0.2.2,198.51.100.7"),
        ][..],
    ] {
        let res = sign_in_via(&app, headers, "proxied", PASSWORD).await;
        assert_eq!(res.status(), 429, "{headers:?}");
    }
    let res = sign_in_via(
        &app,
        &[("x-forwarded-for", "198.51.100.7, 198.51.100.8")],
        "proxied",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), 303, "another client address is not throttled");
    // The proxy says the client came over https: session and CSRF cookies are Secure.
    let https = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-for", "198.51.100.9"),
    ];
    let page = api()
        .get(app.url("/signin"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&page, "credence_csrf")
        .unwrap()
        .contains("; Secure"));
    let res = sign_in_via(&app, &https, "proxied", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert!(set_cookie(&res, "credence_session")
        .unwrap()
        .contains("; Secure"));
    // Over plain http they are not (the browser would not send them back).
    let res = sign_in_via(&app, &[("x-forwarded-proto", "http")], "proxied", PASSWORD).await;
    assert!(!set_cookie(&res, "credence_session")
        .unwrap()
        .contains("Secure"));
    // Without trust_proxy the headers mean nothing: anyone can send them.
    let direct = spawn(backend).await;
    direct.user("direct", Role::Member).await;
    let res = sign_in_via(&direct, &https, "direct", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert!(!set_cookie(&res, "credence_session")
        .unwrap()
        .contains("Secure"));
}

async fn sign_in_next_stays_on_this_site(backend: Backend) {
    let app = spawn(backend).await;
    app.user("wanderer", Role::Member).await;
    for next in FOREIGN_NEXT.iter().copied().chain(["/settings/profile"]) {
        let expected = if next == "/settings/profile" {
            next
        } else {
            "/"
        };
        let client = browser();
        let res = app
            .submit(
                &client,
                "/signin",
                "/signin",
                &[
                    ("login", "wanderer"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "POST next={next:?}");
        assert_eq!(res.headers()["location"], expected, "POST next={next:?}");
        // Already signed in, the sign-in page sends the person on at once: same rule.
        let res = client
            .get(app.url("/signin"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "GET next={next:?}");
        assert_eq!(res.headers()["location"], expected, "GET next={next:?}");
    }
}

async fn change_password_signs_out_elsewhere(backend: Backend) {
    let app = spawn(backend).await;
    app.user("changer", Role::Member).await;
    let laptop = app.signed_in("changer").await;
    let phone = app.signed_in("changer").await;
    let token = app.token("changer").await;
    let csrf = app.csrf(&laptop, "/settings/password").await;
    let (s, body) = text(
        app.post_form(
            &laptop,
            "/settings/password",
            &csrf,
            &[
                ("current_password", "wrong"),
                ("new_password", "another long passphrase"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("current password is not correct"));
    let (s, _) = text(
        app.post_form(
            &laptop,
            "/settings/password",
            &csrf,
            &[("current_password", PASSWORD), ("new_password", "weak")],
        )
        .await,
    )
    .await;
    assert_eq!(s, 422);
    let res = app
        .post_form(
            &laptop,
            "/settings/password",
            &csrf,
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        laptop
            .get(app.url("/settings/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "this session stays"
    );
    assert_eq!(
        phone
            .get(app.url("/settings/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "other sessions end"
    );
    let res = api()
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "tokens are revoked");
    assert!(
        accounts::authenticate(&app.core, "changer", "another long passphrase", "test")
            .await
            .is_ok()
    );
}

/// Someone holding a stolen session cannot use the password form to guess the password: wrong
/// current passwords are throttled like sign-ins, and then even the right one waits.
async fn wrong_current_passwords_are_throttled(backend: Backend) {
    let app = spawn(backend).await;
    app.user("guessed", Role::Member).await;
    let thief = app.signed_in("guessed").await;
    let csrf = app.csrf(&thief, "/settings/password").await;
    let attempt = |current: &'static str| {
        let (app, thief, csrf) = (&app, &thief, csrf.clone());
        async move {
            let fields = [
                ("current_password", current),
                ("new_password", "a thief's long passphrase"),
            ];
            app.post_form(thief, "/settings/password", &csrf, &fields)
                .await
                .status()
        }
    };
    for guess in 0..accounts::MAX_FAILURES_PER_NAME {
        assert_eq!(attempt("wrong guess").await, 422, "guess {guess}");
    }
    assert_eq!(attempt("wrong guess").await, 429);
    assert_eq!(attempt(PASSWORD).await, 429, "the right one waits too");
    assert!(
        accounts::authenticate(&app.core, "guessed", PASSWORD, "test")
            .await
            .is_ok(),
        "the password is unchanged"
    );
}

/// Bearer tokens are cached once looked up (`token_cache`). What this server changes applies to
/// the next request; what another instance changes applies once the cache's TTL has passed.
async fn cached_tokens_follow_revocations_and_role_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, _) = app.user("cache_admin", Role::Admin).await;
    let (person, _) = app.user("cache_person", Role::Member).await;
    let token = app.token("cache_person").await;
    let c = api();
    let get = |path: &'static str, token: String| {
        let req = c.get(app.url(path)).bearer_auth(token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let queue = "/api/v1/credence/verification/queue";
    let me = "/api/v1/accounts/verify_credentials";
    // Looked up (and cached) as a member: the moderators' queue is refused.
    assert_eq!(get(me, token.clone()).await, 200);
    assert_eq!(get(queue, token.clone()).await, 403);
    // Made a moderator: the next request may read the queue; made a member again: refused.
    admin::set_role(&app.core, &admin, person.user_id, Role::Moderator)
        .await
        .unwrap();
    assert_eq!(get(queue, token.clone()).await, 200);
    admin::set_role(&app.core, &admin, person.user_id, Role::Member)
        .await
        .unwrap();
    assert_eq!(get(queue, token.clone()).await, 403);

    // Another instance on the same database, with its own cache, trusting tokens for 200 ms,
    // and one that does not cache.
    let other = instance_trusting_tokens_for(&app, Duration::from_millis(200)).await;
    let uncached = instance_trusting_tokens_for(&app, Duration::ZERO).await;
    assert!(accounts::token_info(&other, &token)
        .await
        .unwrap()
        .is_some());
    // A password change here revokes every token of the person, at once on this server...
    accounts::change_password(
        &app.core,
        &person,
        PASSWORD,
        "a whole new passphrase 2026",
        None,
        "test",
    )
    .await
    .unwrap();
    assert_eq!(get(me, token.clone()).await, 401);
    assert!(accounts::token_info(&uncached, &token)
        .await
        .unwrap()
        .is_none());
    // ... and on the other instance once its cache's TTL has passed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(accounts::token_info(&other, &token)
        .await
        .unwrap()
        .is_none());

    // A token revoked by another instance: refused here once this server's TTL has passed
    // (30 s by default, so this server is given a short one).
    let fresh = app.token("cache_person").await;
    let here = instance_trusting_tokens_for(&app, Duration::from_millis(200)).await;
    assert!(accounts::token_info(&here, &fresh).await.unwrap().is_some());
    sqlx::query("UPDATE access_tokens SET revoked_at = 1 WHERE revoked_at IS NULL")
        .execute(&other.db.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(accounts::token_info(&here, &fresh).await.unwrap().is_none());
}

async fn sign_up_from_an_app(backend: Backend) {
    let app = spawn(backend).await;
    let client_app = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read write").await;
    let c = api();
    let (s, t) = json(
        c.post(app.url("/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_app["client_id"].as_str().unwrap()),
                (
                    "client_secret",
                    client_app["client_secret"].as_str().unwrap(),
                ),
                ("scope", "read write"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let app_token = t["access_token"].as_str().unwrap().to_string();
    let signup = |body: Value, token: Option<String>| {
        let mut req = c.post(app.url("/api/v1/accounts")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { json(req.send().await.unwrap()).await }
    };
    let body = json!({"username": "new_member", "email": "new@example.org", "password": PASSWORD, "agreement": true, "locale": "en"});
    let (s, _) = signup(body.clone(), None).await;
    assert_eq!(s, 401, "sign-up needs an app token");
    let (s, e) = signup(json!({"username": "x_member", "email": "x@example.org", "password": PASSWORD, "agreement": false}), Some(app_token.clone())).await;
    assert_eq!(s, 422, "{e}");
    let (s, token) = signup(body.clone(), Some(app_token.clone())).await;
    assert_eq!(s, 200, "{token}");
    // The new token has what the app registered ("read write"), no more.
    assert_eq!(token["scope"], "read write");
    let person_token = token["access_token"].as_str().unwrap().to_string();
    let info = credence_core::accounts::token_info(&app.core, &person_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.scopes, "read write");
    // A person's token, even one issued to this app, cannot open more accounts.
    let more = json!({"username": "sock_puppet", "email": "sock@example.org", "password": PASSWORD, "agreement": true});
    let (s, e) = signup(more.clone(), Some(person_token.clone())).await;
    assert_eq!(s, 403, "{e}");
    let (s, _) = signup(more, Some(app.token("new_member").await)).await;
    assert_eq!(s, 403, "nor a personal token");
    let (s, me) = json(
        c.get(app.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(me["acct"], "new_member");
    assert_eq!(me["credence"]["kind"], "personal");
    // The same username again: 422 naming the field, and still one account.
    let (s, e) = signup(json!({"username": "NEW_member", "email": "other@example.org", "password": PASSWORD, "agreement": true}), Some(app_token.clone())).await;
    assert_eq!(s, 422);
    assert_eq!(e["error_code"], "taken");
    assert!(e["details"]["handle"].is_array(), "{e}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    // An app token cannot act as a person.
    let res = c
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(&app_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

async fn tokens_are_limited_to_their_scopes(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, _) = app.user("scoped", Role::Professional).await;
    let (read_only, _) = credence_core::accounts::issue_token(
        &app.core.db.pool,
        TokenKind::OAuth,
        None,
        Some((actor.user_id, actor.profile_id)),
        "read",
    )
    .await
    .unwrap();
    let c = api();
    let res = c
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .patch(app.url("/api/v1/credence/profile"))
        .bearer_auth(&read_only)
        .json(&json!({"bio": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        profiles::get(&app.core, actor.profile_id)
            .await
            .unwrap()
            .bio,
        ""
    );
}

/// With `registrations_open = false` nobody opens an account themselves, on the page or from an
/// app, the instance says so to apps, and nothing is stored; operators still can.
async fn closed_registrations_refuse_every_sign_up(backend: Backend) {
    let app = spawn_configured(backend, |o| o.registrations_open = false, |_| {}).await;
    let client = browser();
    let res = app
        .submit(
            &client,
            "/signup",
            "/signup",
            &[
                ("email", "hopeful@example.org"),
                ("handle", "hopeful"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let (s, page) = text(res).await;
    assert_eq!(s, 403);
    assert!(page.contains("registrations are closed"), "{page}");
    let client_app = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read write").await;
    let (s, t) = json(
        api()
            .post(app.url("/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_app["client_id"].as_str().unwrap()),
                (
                    "client_secret",
                    client_app["client_secret"].as_str().unwrap(),
                ),
                ("scope", "read write"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let (s, e) = json(
        api()
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(t["access_token"].as_str().unwrap())
            .json(
                &json!({"username": "hopeful_app", "email": "app@example.org",
                          "password": PASSWORD, "agreement": true}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(e["error_code"], "closed");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    let (_, instance) = json(api().get(app.url("/api/v2/instance")).send().await.unwrap()).await;
    assert_eq!(instance["registrations"]["enabled"], false);
    let (_, links) = json(
        api()
            .get(app.url("/.well-known/nodeinfo"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, info) = json(
        api()
            .get(links["links"][0]["href"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(info["openRegistrations"], false);
    // An operator still can.
    app.user("by_operator", Role::Member).await;
}
