//! The HTML pages over loopback on both backends: sign-up, sign-in, CSRF, sessions, profiles,
//! verification and the admin page, including everything that must be refused.

mod common;

use common::{browser, csrf_of, spawn, spawn_with, Backend, PASSWORD};
use credence_core::accounts;
use credence_core::Role;
use credence_core::{profiles, verification};

both_backends!(
    sign_up_sign_in_sign_out,
    sign_up_refuses_bad_input_and_stores_nothing,
    csrf_is_required_on_every_form,
    expired_session_is_refused,
    login_is_throttled,
    sign_in_next_stays_on_this_site,
    behind_a_trusted_proxy,
    verification_from_request_to_badge,
    review_queue_and_admin_are_for_staff,
    leaving_a_professional_role_removes_the_badge,
    personal_and_professional_profiles_stay_apart,
    change_password_signs_out_elsewhere,
    profile_edit_validates_and_keeps_data,
    unknown_pages_are_404,
);

async fn text(res: reqwest::Response) -> (u16, String) {
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn sign_up_sign_in_sign_out(backend: Backend) {
    let app = spawn(backend).await;
    let client = browser();
    let (s, page) = text(client.get(app.url("/signup")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("<main") && page.contains("<label for=\"email\">"),
        "labelled form inside a main landmark"
    );
    let res = client
        .post(app.url("/signup"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
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
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("credence_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (s, settings) = text(
        client
            .get(app.url("/settings/profile?notice=welcome"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(settings.contains("Welcome to Credence"));
    let (_, profile) = text(client.get(app.url("/@ada_obi")).send().await.unwrap()).await;
    assert!(
        profile.contains("Dr Ada Obi") && profile.contains("badge unverified"),
        "an unverified professional is labelled"
    );
    // Sign out, then the settings page sends us to sign in.
    let csrf = app.csrf(&client, "/settings/profile").await;
    let res = client
        .post(app.url("/signout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
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

/// Everything a form could change, as text: row counts of every table a form writes, and the
/// columns those forms change. Equal before and after means nothing was stored.
async fn stored_state(app: &common::TestApp) -> Vec<String> {
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
    let csrf = app.csrf(&as_pro, "/settings/profile").await;
    let res = as_pro
        .post(app.url("/settings/profile"))
        .form(&[("csrf", csrf.as_str()), ("bio", "Cardiologist")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        profiles::get(&app.core, pro.profile_id).await.unwrap().bio,
        "Cardiologist"
    );
}

/// Moves every session of a login into the past.
async fn expire_sessions(app: &common::TestApp, user_id: i64) {
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

async fn expired_session_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, _) = app.user("sleepy", Role::Member).await;
    // Reading pages with an expired session: simply signed out, no error page.
    let reader = app.signed_in("sleepy").await;
    expire_sessions(&app, actor.user_id).await;
    let (s, home) = text(reader.get(app.url("/")).send().await.unwrap()).await;
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
        writer
            .post(app.url("/settings/profile"))
            .form(&[("csrf", csrf.as_str()), ("bio", "late edit")])
            .send()
            .await
            .unwrap(),
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

/// One sign-in attempt from a fresh browser (so an earlier success does not change the form's
/// CSRF token); every attempt comes from the same loopback address.
async fn try_sign_in(app: &common::TestApp, login: &str, password: &str) -> (u16, String) {
    let client = browser();
    let csrf = app.csrf(&client, "/signin").await;
    text(
        client
            .post(app.url("/signin"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", login),
                ("password", password),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await
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
    app: &common::TestApp,
    headers: &[(&str, &str)],
    login: &str,
    password: &str,
) -> reqwest::Response {
    let c = common::api();
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
    let page = common::api()
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
        let csrf = app.csrf(&client, "/signin").await;
        let res = client
            .post(app.url("/signin"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", "wanderer"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
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

async fn verification_from_request_to_badge(backend: Backend) {
    let app = spawn(backend).await;
    let (_, pro) = app.professional("dr_badge").await;
    app.user("the_admin", Role::Admin).await;
    let applicant = app.signed_in("dr_badge").await;
    let csrf = app.csrf(&applicant, "/verification").await;
    let res = applicant
        .post(app.url("/verification"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("note", "Look me up on the Ohio board site"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = text(
        applicant
            .get(app.url("/verification?notice=submitted"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("waiting for a reviewer"));
    let (_, public) = text(browser().get(app.url("/@dr_badge")).send().await.unwrap()).await;
    assert!(public.contains("review pending") && !public.contains("badge verified"));
    let (_, mine) = text(applicant.get(app.url("/")).send().await.unwrap()).await;
    let nav = nav_of(&mine);
    assert!(
        nav.contains("@dr_badge</a> <span class=\"badge pending\">"),
        "the acting profile's badge is in the navigation bar: {nav}"
    );

    let admin = app.signed_in("the_admin").await;
    let (s, queue) = text(admin.get(app.url("/review")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert!(
        queue.contains("LIC-SECRET-4471"),
        "reviewers see the licence number"
    );
    assert!(queue.contains("Look me up on the Ohio board site"));
    assert!(
        queue.contains("Name of dr_badge</a> <span class=\"badge pending\">"),
        "the queue shows the badge state next to the name"
    );
    let request_id = regex::Regex::new(r#"action="/review/(\d+)""#)
        .unwrap()
        .captures(&queue)
        .unwrap()[1]
        .to_string();
    let csrf = csrf_of(&queue);
    // Rejecting without a reason is refused.
    let res = admin
        .post(app.url(&format!("/review/{request_id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("decision", "reject"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = admin
        .post(app.url(&format!("/review/{request_id}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "verify")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, public) = text(browser().get(app.url("/@dr_badge")).send().await.unwrap()).await;
    assert!(
        public.contains("badge verified"),
        "the badge shows on the profile"
    );
    assert!(
        !public.contains("LIC-SECRET-4471"),
        "the public never sees the licence number"
    );
    let (_, home) = text(browser().get(app.url("/")).send().await.unwrap()).await;
    assert!(
        home.contains("@dr_badge") && home.contains("badge verified"),
        "and wherever the name appears"
    );
    // The decision is in the audit log, with who made it.
    let audit = credence_core::audit::recent(&app.core, Some(("profile", pro.id)), 10)
        .await
        .unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "verification.verify")
        .unwrap();
    assert_eq!(entry.actor_handle.as_deref(), Some("the_admin"));
    let (_, admin_page) = text(admin.get(app.url("/admin")).send().await.unwrap()).await;
    assert!(admin_page.contains("verification.verify") && admin_page.contains("@the_admin"));
    assert!(
        admin_page.contains("@dr_badge</a> <span class=\"badge verified\""),
        "the accounts table shows each profile's badge"
    );
    let (_, mine) = text(applicant.get(app.url("/")).send().await.unwrap()).await;
    assert!(nav_of(&mine).contains("@dr_badge</a> <span class=\"badge verified\""));
}

/// The main navigation bar of a page.
fn nav_of(page: &str) -> &str {
    let start = page.find("<nav class=\"main\"").expect("a main navigation");
    &page[start..start + page[start..].find("</nav>").unwrap()]
}

async fn review_queue_and_admin_are_for_staff(backend: Backend) {
    let app = spawn(backend).await;
    let (member, _) = app.user("plain_member", Role::Member).await;
    app.user("a_moderator", Role::Moderator).await;
    app.user("the_boss", Role::Admin).await;
    let as_member = app.signed_in("plain_member").await;
    let (s, body) = text(as_member.get(app.url("/review")).send().await.unwrap()).await;
    assert_eq!(s, 403);
    assert!(body.contains("only moderators and administrators"));
    assert_eq!(
        as_member
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let csrf = app.csrf(&as_member, "/settings/profile").await;
    let res = as_member
        .post(app.url(&format!("/admin/users/{}/role", member.user_id)))
        .form(&[("csrf", csrf.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        accounts::get_user(&app.core, member.user_id)
            .await
            .unwrap()
            .role,
        Role::Member,
        "no self-promotion"
    );
    let res = as_member
        .post(app.url("/review/1"))
        .form(&[("csrf", csrf.as_str()), ("decision", "verify")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Signed out: sent to sign in.
    assert_eq!(
        browser()
            .get(app.url("/review"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    // A moderator works the queue but is not an admin.
    let as_mod = app.signed_in("a_moderator").await;
    assert_eq!(
        as_mod
            .get(app.url("/review"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        as_mod.get(app.url("/admin")).send().await.unwrap().status(),
        403
    );
    // The admin changes a role; it is audited.
    let admin = app.signed_in("the_boss").await;
    let csrf = app.csrf(&admin, "/admin").await;
    let res = admin
        .post(app.url(&format!("/admin/users/{}/role", member.user_id)))
        .form(&[("csrf", csrf.as_str()), ("role", "moderator")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        accounts::get_user(&app.core, member.user_id)
            .await
            .unwrap()
            .role,
        Role::Moderator
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.role_change'")
            .await,
        1
    );
    let res = admin
        .post(app.url(&format!("/admin/users/{}/role", member.user_id)))
        .form(&[("csrf", csrf.as_str()), ("role", "emperor")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

async fn leaving_a_professional_role_removes_the_badge(backend: Backend) {
    let app = spawn(backend).await;
    app.user("role_admin", Role::Admin).await;
    let (pro, pro_profile) = app.professional("dr_demoted").await;
    verification::verify_directly(&app.core, None, pro_profile.id, "test")
        .await
        .unwrap();
    let (org, org_profile) = app.user("org_moved", Role::Organisation).await;
    profiles::update(
        &app.core,
        &org,
        profiles::ProfileUpdate {
            org_kind: Some("clinic".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    verification::submit(&app.core, &org, "").await.unwrap();
    let admin = app.signed_in("role_admin").await;
    let csrf = app.csrf(&admin, "/admin").await;
    let set_role = |user_id: i64, role: &'static str| {
        let req = admin
            .post(app.url(&format!("/admin/users/{user_id}/role")))
            .form(&[("csrf", csrf.as_str()), ("role", role)]);
        async move { req.send().await.unwrap().status() }
    };
    // The same role again changes nothing.
    assert_eq!(set_role(pro.user_id, "professional").await, 303);
    assert!(profiles::get(&app.core, pro_profile.id)
        .await
        .unwrap()
        .is_verified());
    // Demoted to member: the badge described a professional account, so it goes.
    assert_eq!(set_role(pro.user_id, "member").await, 303);
    let stored = profiles::get(&app.core, pro_profile.id).await.unwrap();
    assert_eq!(stored.verification.as_str(), "unverified");
    // Any other role too; a pending request is withdrawn.
    assert_eq!(set_role(org.user_id, "moderator").await, 303);
    let stored = profiles::get(&app.core, org_profile.id).await.unwrap();
    assert_eq!(stored.verification.as_str(), "unverified");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verification_requests WHERE state = 'pending'")
            .await,
        0
    );
    // Both resets are audited with the reason.
    let resets = credence_core::audit::recent(&app.core, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "verification.reset")
        .map(|e| e.detail)
        .collect::<Vec<_>>();
    assert_eq!(
        resets,
        [
            "role changed from organisation to moderator",
            "role changed from professional to member"
        ]
    );
}

async fn personal_and_professional_profiles_stay_apart(backend: Backend) {
    let app = spawn(backend).await;
    app.professional("dr_public").await;
    let client = app.signed_in("dr_public").await;
    let csrf = app.csrf(&client, "/settings/profile").await;
    let res = client
        .post(app.url("/settings/personal-profile"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("handle", "weekend_hiker"),
            ("display_name", "Hiker"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, settings) = text(
        client
            .get(app.url("/settings/profile"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(settings.contains("Act as @weekend_hiker"));
    let personal_id = regex::Regex::new(r#"name="profile_id" value="(\d+)""#)
        .unwrap()
        .captures(&settings)
        .unwrap()[1]
        .to_string();
    let res = client
        .post(app.url("/settings/switch"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("profile_id", personal_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, settings) = text(
        client
            .get(app.url("/settings/profile"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(settings.contains("acting as <strong>@weekend_hiker</strong>"));
    // Nothing public links the two.
    let anon = browser();
    let (_, personal_page) = text(anon.get(app.url("/@weekend_hiker")).send().await.unwrap()).await;
    assert!(!personal_page.contains("dr_public") && !personal_page.contains("Cardiology"));
    let (_, pro_page) = text(anon.get(app.url("/@dr_public")).send().await.unwrap()).await;
    assert!(!pro_page.contains("weekend_hiker"));
    let api = common::api()
        .get(app.url("/api/v1/accounts/lookup?acct=weekend_hiker"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!api.contains("dr_public"));
    // Someone else's profile cannot be switched to.
    let (other, _) = app.user("someone_else", Role::Member).await;
    let res = client
        .post(app.url("/settings/switch"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("profile_id", other.profile_id.to_string().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A second personal profile is refused.
    let res = client
        .post(app.url("/settings/personal-profile"))
        .form(&[("csrf", csrf.as_str()), ("handle", "second_one")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

async fn change_password_signs_out_elsewhere(backend: Backend) {
    let app = spawn(backend).await;
    app.user("changer", Role::Member).await;
    let laptop = app.signed_in("changer").await;
    let phone = app.signed_in("changer").await;
    let token = app.token("changer").await;
    let csrf = app.csrf(&laptop, "/settings/password").await;
    let (s, body) = text(
        laptop
            .post(app.url("/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", "wrong"),
                ("new_password", "another long passphrase"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("current password is not correct"));
    let (s, _) = text(
        laptop
            .post(app.url("/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", PASSWORD),
                ("new_password", "weak"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    let res = laptop
        .post(app.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "another long passphrase"),
        ])
        .send()
        .await
        .unwrap();
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
    let res = common::api()
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

async fn profile_edit_validates_and_keeps_data(backend: Backend) {
    let app = spawn(backend).await;
    let (_, before) = app.professional("dr_edit").await;
    verification::verify_directly(&app.core, None, before.id, "test")
        .await
        .unwrap();
    let client = app.signed_in("dr_edit").await;
    let csrf = app.csrf(&client, "/settings/profile").await;
    let (s, body) = text(
        client
            .post(app.url("/settings/profile"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("npi", "1234567890"),
                ("bio", "new bio"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("check digit"));
    assert!(body.contains("new bio"), "what was typed is shown again");
    let stored = profiles::get(&app.core, before.id).await.unwrap();
    assert_eq!(
        (stored.bio.as_str(), stored.is_verified()),
        ("", true),
        "nothing stored"
    );
    let (s, _) = text(
        client
            .post(app.url("/settings/profile"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("specialty", "s".repeat(101).as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    // A disclosure appears on the public profile; removing someone else's is refused.
    let res = client
        .post(app.url("/settings/disclosures"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("company", "Acme Pharma"),
            ("relationship", "consulting"),
            ("details", "2024–2025"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, public) = text(browser().get(app.url("/@dr_edit")).send().await.unwrap()).await;
    assert!(public.contains("Acme Pharma") && public.contains("Consulting fees"));
    let res = client
        .post(app.url("/settings/disclosures"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("company", ""),
            ("relationship", "consulting"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    app.professional("dr_other").await;
    let other = app.signed_in("dr_other").await;
    let other_csrf = app.csrf(&other, "/settings/profile").await;
    let disclosure_id = profiles::get(&app.core, before.id)
        .await
        .unwrap()
        .disclosures[0]
        .id;
    let res = other
        .post(app.url(&format!("/settings/disclosures/{disclosure_id}/delete")))
        .form(&[("csrf", other_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        profiles::get(&app.core, before.id)
            .await
            .unwrap()
            .disclosures
            .len(),
        1
    );
    // Changing the licence removes the badge.
    let res = client
        .post(app.url("/settings/profile"))
        .form(&[("csrf", csrf.as_str()), ("licence_number", "NEW-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/settings/profile?notice=reset");
    assert!(!profiles::get(&app.core, before.id)
        .await
        .unwrap()
        .is_verified());
}

async fn unknown_pages_are_404(backend: Backend) {
    let app = spawn(backend).await;
    let (s, body) = text(
        browser()
            .get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    assert!(body.contains("there is no page at this address"));
    let (s, _) = text(
        browser()
            .get(app.url("/@nobody_at_all"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    // A method a page does not have: the same HTML error page, with the Allow header.
    let res = browser().get(app.url("/review/123")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    let (s, body) = text(res).await;
    assert_eq!(s, 405);
    assert!(
        body.contains("<main") && body.contains("cannot be used that way"),
        "{body}"
    );
    let res = browser().put(app.url("/signin")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // …and JSON on the API.
    for res in [
        common::api()
            .delete(app.url("/api/v1/instance"))
            .send()
            .await
            .unwrap(),
        common::api()
            .get(app.url("/oauth/token"))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(res.status(), 405);
        let e: serde_json::Value = res.json().await.unwrap();
        assert_eq!(e["error_code"], "method_not_allowed");
    }
    // Malformed ids in page addresses are pages that do not exist (not a plain-text 400).
    app.user("id_admin", Role::Admin).await;
    let admin = app.signed_in("id_admin").await;
    let csrf = app.csrf(&admin, "/admin").await;
    for path in [
        "/settings/disclosures/abc/delete",
        "/review/abc",
        "/review/99999999999999999999999",
        "/admin/users/abc/role",
    ] {
        let (s, body) = text(
            admin
                .post(app.url(path))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("decision", "verify"),
                    ("role", "member"),
                ])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 404, "{path}");
        assert!(
            body.contains("<main") && body.contains("does not exist"),
            "{path}: {body}"
        );
    }
    let res = browser()
        .get(app.url("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
