//! The Mastodon-compatible API and Credence's own API, over loopback, on both backends.

mod common;

use std::time::Duration;

use common::{spawn, Backend, PASSWORD};
use credence_core::accounts;
use credence_core::kernel::actor::TokenKind;
use credence_core::kernel::secrets::pkce_s256;
use credence_core::profiles;
use credence_core::Role;
use credence_core::{admin, verification, Core, CoreOptions};
use serde_json::{json, Value};

both_backends!(
    instance_and_nodeinfo,
    oauth_authorization_code_with_pkce,
    consent_page_policy_allows_app_schemes,
    apps_revoke_only_their_own_tokens,
    cached_tokens_follow_revocations_and_role_changes,
    denying_an_out_of_band_app_shows_a_page,
    sign_up_from_an_app,
    licence_numbers_are_for_reviewers_only,
    verification_workflow_through_the_api,
    badge_is_reset_when_what_it_vouches_for_changes,
    racing_changes_keep_one_request_and_the_decision,
    invisible_format_characters_are_refused,
    bad_input_is_refused_and_nothing_changes,
    tokens_are_limited_to_their_scopes,
    openapi_document_matches_the_routes,
);

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn instance_and_nodeinfo(backend: Backend) {
    let app = spawn(backend).await;
    let c = common::api();
    let (s, v1) = json(c.get(app.url("/api/v1/instance")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert!(v1["version"]
        .as_str()
        .unwrap()
        .contains("compatible; Credence"));
    assert_eq!(v1["uri"], app.addr.to_string());
    // Mastodon tolerates a trailing slash, and client libraries send one.
    let (s, _) = json(c.get(app.url("/api/v1/instance/")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    let (s, v2) = json(c.get(app.url("/api/v2/instance")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(v2["domain"], app.addr.to_string());
    assert_eq!(v2["registrations"]["enabled"], true);
    let (_, links) = json(
        c.get(app.url("/.well-known/nodeinfo"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let href = links["links"][0]["href"].as_str().unwrap().to_string();
    let (s, info) = json(c.get(&href).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(info["software"]["name"], "credence");
    assert_eq!(info["version"], "2.0");
}

async fn register_app(app: &common::TestApp, redirect: &str, scopes: &str) -> Value {
    let (s, v) = json(
        common::api()
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

async fn oauth_authorization_code_with_pkce(backend: Backend) {
    let app = spawn(backend).await;
    app.professional("dr_pkce").await;
    let client_app = register_app(&app, "https://client.example/callback", "read write").await;
    let client_id = client_app["client_id"].as_str().unwrap();
    let secret = client_app["client_secret"].as_str().unwrap();
    let verifier = "a-sufficiently-long-random-verifier-string-for-pkce-0123456789";
    let challenge = pkce_s256(verifier);
    let authorize = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fclient.example%2Fcallback&scope=read+write&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    );

    // Signed out: the consent page sends the person to sign in and back.
    let anon = common::browser();
    let res = anon.get(app.url(&authorize)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/signin?next=%2Foauth%2Fauthorize"));

    let browser = app.signed_in("dr_pkce").await;
    let page = browser
        .get(app.url(&authorize))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Authorise Test client?"), "{page}");
    assert!(page.contains("@dr_pkce"));
    let csrf = common::csrf_of(&page);
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("client_id", client_id),
            ("redirect_uri", "https://client.example/callback"),
            ("scope", "read write"),
            ("state", "xyz"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("approve", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("client.example"));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["state"], "xyz");
    let code = params["code"].clone();

    let c = common::api();
    let exchange = |verifier: &'static str| {
        let c = c.clone();
        let url = app.url("/oauth/token");
        let (code, client_id) = (code.clone(), client_id.to_string());
        async move {
            json(
                c.post(url)
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("client_id", client_id.as_str()),
                        ("redirect_uri", "https://client.example/callback"),
                        ("code_verifier", verifier),
                    ])
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    // A wrong verifier is refused, and burns the code (single use).
    let (s, err) = exchange("the-wrong-verifier-the-wrong-verifier-the-wrong-verifier").await;
    assert_eq!(s, 400);
    assert_eq!(err["error"], "invalid_grant");
    let (s, _) = exchange("a-sufficiently-long-random-verifier-string-for-pkce-0123456789").await;
    assert_eq!(s, 400, "a code cannot be redeemed twice");

    // A fresh code with the right verifier works.
    let page = browser
        .get(app.url(&authorize))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&[
            ("csrf", common::csrf_of(&page).as_str()),
            ("client_id", client_id),
            ("redirect_uri", "https://client.example/callback"),
            ("scope", "read write"),
            ("state", "xyz"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("approve", "yes"),
        ])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let code: String = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (s, token) = json(
        c.post(app.url("/oauth/token"))
            .json(&json!({
                "grant_type": "authorization_code", "code": code, "client_id": client_id,
                "redirect_uri": "https://client.example/callback", "code_verifier": verifier,
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    let access = token["access_token"].as_str().unwrap();
    let (s, me) = json(
        c.get(app.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(me["username"], "dr_pkce");
    // Real images for the avatar and the header, as Mastodon clients expect.
    for key in ["avatar", "avatar_static", "header", "header_static"] {
        let url = me[key].as_str().unwrap();
        assert!(url.starts_with(&app.base), "{key}: {url}");
        let res = c.get(url).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "image/png", "{key}");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{key}");
    }
    assert!(me["header"]
        .as_str()
        .unwrap()
        .ends_with("/static/header.png"));
    assert_eq!(me["credence"]["profession"], "physician");
    assert_eq!(me["source"]["privacy"], "public");

    // Revoking the token ends access.
    let res = c
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("token", access),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Denying consent redirects with an error and issues nothing.
    let page = browser
        .get(app.url(&authorize))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&[
            ("csrf", common::csrf_of(&page).as_str()),
            ("client_id", client_id),
            ("redirect_uri", "https://client.example/callback"),
            ("scope", "read write"),
            ("state", "xyz"),
            ("approve", "no"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=access_denied"));

    // A redirect URI the app did not register is refused before anything is shown.
    let bad = authorize.replace("client.example%2Fcallback", "evil.example%2Fsteal");
    let res = browser.get(app.url(&bad)).send().await.unwrap();
    assert_eq!(res.status(), 422);
}

fn csp(res: &reqwest::Response) -> String {
    res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn consent_page_policy_allows_app_schemes(backend: Backend) {
    let app = spawn(backend).await;
    app.user("app_user", Role::Member).await;
    // Everywhere else forms may post only to this site.
    let anon = common::browser();
    for path in ["/", "/signin", "/no/such/page"] {
        let policy = csp(&anon.get(app.url(path)).send().await.unwrap());
        assert!(policy.contains("form-action 'self'"), "{path}: {policy}");
        assert!(!policy.contains('*'), "{path}: {policy}");
    }
    // The consent page and its answers have no form-action, so the browser follows the
    // redirect to an app's own scheme (Chrome and Safari check redirects against form-action).
    let client_app = register_app(&app, "myapp://callback", "read").await;
    let client_id = client_app["client_id"].as_str().unwrap();
    let browser = app.signed_in("app_user").await;
    let res = browser
        .get(app.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", "myapp://callback"),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let policy = csp(&res);
    assert!(!policy.contains("form-action"), "{policy}");
    assert!(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"));
    let csrf = common::csrf_of(&res.text().await.unwrap());
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("client_id", client_id),
            ("redirect_uri", "myapp://callback"),
            ("scope", "read"),
            ("approve", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("myapp://callback?code="));
    assert!(!csp(&res).contains("form-action"));
}

async fn apps_revoke_only_their_own_tokens(backend: Backend) {
    let app = spawn(backend).await;
    let (person, _) = app.user("revoked_person", Role::Member).await;
    let ours = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await;
    let theirs = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await;
    let app_id = |v: &Value| v["id"].as_str().unwrap().parse::<i64>().unwrap();
    let (person_token, _) = credence_core::accounts::issue_token(
        &app.core.db.pool,
        TokenKind::OAuth,
        Some(app_id(&ours)),
        Some((person.user_id, person.profile_id)),
        "read",
    )
    .await
    .unwrap();
    let personal = app.token("revoked_person").await;
    let c = common::api();
    let revoke = |client: &Value, secret: &str, token: &str| {
        let req = c.post(app.url("/oauth/revoke")).form(&[
            ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", secret),
            ("token", token),
        ]);
        async move { json(req.send().await.unwrap()).await }
    };
    let works = |token: String| {
        let req = c
            .get(app.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(token);
        async move { req.send().await.unwrap().status() == 200 }
    };
    let their_secret = theirs["client_secret"].as_str().unwrap();
    // Another app cannot sign the person out of our app, nor revoke a personal token.
    for token in [&person_token, &personal] {
        let (s, e) = revoke(&theirs, their_secret, token).await;
        assert_eq!(s, 403, "{e}");
        assert_eq!(e["error"], "unauthorized_client");
        assert!(works(token.clone()).await);
    }
    // A wrong secret is refused before anything else.
    let (s, e) = revoke(&ours, "not-the-secret", &person_token).await;
    assert_eq!(s, 401);
    assert_eq!(e["error"], "invalid_client");
    assert!(works(person_token.clone()).await);
    // Unknown tokens are fine (RFC 7009); our own token is revoked.
    let (s, _) = revoke(&theirs, their_secret, "no-such-token").await;
    assert_eq!(s, 200);
    let (s, _) = revoke(
        &ours,
        ours["client_secret"].as_str().unwrap(),
        &person_token,
    )
    .await;
    assert_eq!(s, 200);
    assert!(!works(person_token.clone()).await);
    let (s, _) = revoke(
        &ours,
        ours["client_secret"].as_str().unwrap(),
        &person_token,
    )
    .await;
    assert_eq!(s, 200, "revoking twice is fine");
}

/// Bearer tokens are cached once looked up (`token_cache`). What this server changes applies to
/// the next request; what another instance changes applies once the cache's TTL has passed.
async fn cached_tokens_follow_revocations_and_role_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, _) = app.user("cache_admin", Role::Admin).await;
    let (person, _) = app.user("cache_person", Role::Member).await;
    let token = app.token("cache_person").await;
    let c = common::api();
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
    let other = instance_trusting_tokens_for(&app.db_url, Duration::from_millis(200)).await;
    let uncached = instance_trusting_tokens_for(&app.db_url, Duration::ZERO).await;
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
    let here = instance_trusting_tokens_for(&app.db_url, Duration::from_millis(200)).await;
    assert!(accounts::token_info(&here, &fresh).await.unwrap().is_some());
    sqlx::query("UPDATE access_tokens SET revoked_at = 1 WHERE revoked_at IS NULL")
        .execute(&other.db.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(accounts::token_info(&here, &fresh).await.unwrap().is_none());
}

/// Another instance's core on the test's database, trusting a looked-up token for `ttl`.
async fn instance_trusting_tokens_for(url: &str, ttl: Duration) -> Core {
    let options = CoreOptions {
        token_ttl: ttl,
        ..CoreOptions::new(url)
    };
    credence_core::open(&options).await.unwrap()
}

async fn denying_an_out_of_band_app_shows_a_page(backend: Backend) {
    let app = spawn(backend).await;
    app.user("oob_user", Role::Member).await;
    let client_app = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await;
    let client_id = client_app["client_id"].as_str().unwrap();
    let browser = app.signed_in("oob_user").await;
    let form = |csrf: String, approve: &'static str| {
        vec![
            ("csrf", csrf),
            ("client_id", client_id.to_string()),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob".to_string()),
            ("scope", "read".to_string()),
            ("approve", approve.to_string()),
        ]
    };
    let authorize = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read"
    );
    let csrf = app.csrf(&browser, &authorize).await;
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&form(csrf.clone(), "no"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "no redirect to the urn");
    assert!(res.headers().get("location").is_none());
    let page = res.text().await.unwrap();
    assert!(page.contains("Access denied") && page.contains("You denied Test client access"));
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_codes").await, 0);
    // Approving still shows the code to copy.
    let res = browser
        .post(app.url("/oauth/authorize"))
        .form(&form(csrf, "yes"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("id=\"oauth-code\""));
}

async fn sign_up_from_an_app(backend: Backend) {
    let app = spawn(backend).await;
    let client_app = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read write").await;
    let c = common::api();
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

async fn licence_numbers_are_for_reviewers_only(backend: Backend) {
    let app = spawn(backend).await;
    let (_, pro) = app.professional("dr_licence").await;
    verification::verify_directly(&app.core, None, pro.id, "test")
        .await
        .unwrap();
    app.user("mod_one", Role::Moderator).await;
    app.user("just_member", Role::Member).await;
    let c = common::api();
    let lookup = |token: Option<String>| {
        let mut req = c.get(app.url("/api/v1/accounts/lookup?acct=dr_licence"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { json(req.send().await.unwrap()).await }
    };
    let (s, anon) = lookup(None).await;
    assert_eq!(s, 200);
    assert_eq!(anon["credence"]["verification"]["verified"], true);
    assert_eq!(anon["credence"]["licence_number"], Value::Null);
    assert_eq!(anon["credence"]["npi"], "1234567893");
    assert!(!anon.to_string().contains("LIC-SECRET-4471"));
    let (_, member) = lookup(Some(app.token("just_member").await)).await;
    assert!(!member.to_string().contains("LIC-SECRET-4471"));
    let (_, moderator) = lookup(Some(app.token("mod_one").await)).await;
    assert_eq!(moderator["credence"]["licence_number"], "LIC-SECRET-4471");
    let (_, owner) = lookup(Some(app.token("dr_licence").await)).await;
    assert_eq!(owner["credence"]["licence_number"], "LIC-SECRET-4471");
    // An app the moderator authorised without account-reading scope sees what anyone sees.
    let moderator = credence_core::profiles::get_by_handle(&app.core, "mod_one")
        .await
        .unwrap();
    for (scopes, sees_licence) in [
        ("profile", false),
        ("push", false),
        ("profile push write", false),
        ("read:accounts", true),
        ("read", true),
    ] {
        let (token, _) = credence_core::accounts::issue_token(
            &app.core.db.pool,
            TokenKind::OAuth,
            None,
            Some((moderator.user_id, moderator.id)),
            scopes,
        )
        .await
        .unwrap();
        let (s, seen) = lookup(Some(token.clone())).await;
        assert_eq!(s, 200);
        assert_eq!(
            seen.to_string().contains("LIC-SECRET-4471"),
            sees_licence,
            "{scopes}"
        );
        let by_id = c
            .get(app.url(&format!("/api/v1/credence/profiles/{}", pro.id)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(by_id.contains("LIC-SECRET-4471"), sees_licence, "{scopes}");
    }
    // The owner's own licence too: a `profile`-only app identifies them, no more.
    let owner = credence_core::profiles::get_by_handle(&app.core, "dr_licence")
        .await
        .unwrap();
    for (scopes, sees_licence) in [("profile", false), ("read:accounts", true)] {
        let (token, _) = credence_core::accounts::issue_token(
            &app.core.db.pool,
            TokenKind::OAuth,
            None,
            Some((owner.user_id, owner.id)),
            scopes,
        )
        .await
        .unwrap();
        let (s, me) = json(
            c.get(app.url("/api/v1/accounts/verify_credentials"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(me["username"], "dr_licence");
        assert_eq!(
            me.to_string().contains("LIC-SECRET-4471"),
            sees_licence,
            "{scopes}"
        );
    }
    // The same rule on /accounts/:id and the Credence profile endpoint, and on the HTML page.
    let by_id = c
        .get(app.url(&format!("/api/v1/accounts/{}", pro.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!by_id.contains("LIC-SECRET-4471"));
    let credence = c
        .get(app.url(&format!("/api/v1/credence/profiles/{}", pro.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!credence.contains("LIC-SECRET-4471") && credence.contains("Ohio State Medical Board"));
    let html = c
        .get(app.url("/@dr_licence"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("LIC-SECRET-4471"));
    assert!(html.contains("Verified"));
    // Lookup of a name on another server, and of nobody, is a 404.
    let (s, _) = json(
        c.get(app.url("/api/v1/accounts/lookup?acct=dr_licence@elsewhere.example"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = json(
        c.get(app.url("/api/v1/accounts/lookup?acct=nobody_here"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
}

async fn verification_workflow_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    app.user("dr_api", Role::Professional).await;
    app.user("mod_api", Role::Moderator).await;
    app.user("member_api", Role::Member).await;
    let (pro, moderator, member) = (
        app.token("dr_api").await,
        app.token("mod_api").await,
        app.token("member_api").await,
    );
    let c = common::api();
    let post = |path: &str, token: &str, body: Value| {
        let req = c.post(app.url(path)).bearer_auth(token).json(&body);
        async move { json(req.send().await.unwrap()).await }
    };
    // Missing credentials: refused with the list of what is missing.
    let (s, e) = post("/api/v1/credence/verification", &pro, json!({})).await;
    assert_eq!(s, 422);
    assert!(
        e["error"].as_str().unwrap().contains("licence number"),
        "{e}"
    );
    let (s, p) = json(
        c.patch(app.url("/api/v1/credence/profile"))
            .bearer_auth(&pro)
            .json(&json!({"profession": "pharmacist", "credentials": "PharmD", "licence_number": "PH-1", "licence_jurisdiction": "Ohio Board of Pharmacy"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["credence"]["licence_number"], "PH-1");
    let (s, d) = post(
        "/api/v1/credence/profile/disclosures",
        &pro,
        json!({"company": "Pfizer", "relationship": "consulting", "details": "2025"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let (s, r) = post(
        "/api/v1/credence/verification",
        &pro,
        json!({"note": "Board lookup: PH-1"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "pending");
    let id = r["id"].as_str().unwrap().to_string();
    let (s, _) = post("/api/v1/credence/verification", &pro, json!({})).await;
    assert_eq!(s, 422, "no second request while one is pending");

    // Members cannot see the queue or decide.
    let (s, _) = json(
        c.get(app.url("/api/v1/credence/verification/queue"))
            .bearer_auth(&member)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = post(
        &format!("/api/v1/credence/verification/{id}/decision"),
        &member,
        json!({"decision": "verify"}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = post(
        &format!("/api/v1/credence/verification/{id}/decision"),
        &pro,
        json!({"decision": "verify"}),
    )
    .await;
    assert_eq!(s, 403, "nobody verifies themselves");

    let (s, queue) = json(
        c.get(app.url("/api/v1/credence/verification/queue"))
            .bearer_auth(&moderator)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["account"]["credence"]["licence_number"], "PH-1");
    let (s, _) = post(
        &format!("/api/v1/credence/verification/{id}/decision"),
        &moderator,
        json!({"decision": "reject"}),
    )
    .await;
    assert_eq!(s, 422, "a rejection needs a reason");
    let (s, r) = post(
        &format!("/api/v1/credence/verification/{id}/decision"),
        &moderator,
        json!({"decision": "verify"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "verified");
    let (s, _) = post(
        &format!("/api/v1/credence/verification/{id}/decision"),
        &moderator,
        json!({"decision": "reject", "reason": "late"}),
    )
    .await;
    assert_eq!(s, 422, "a decided request cannot be decided again");
    let (_, me) = json(
        c.get(app.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(&pro)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["credence"]["verification"]["state"], "verified");
    assert_eq!(me["credence"]["disclosures"][0]["company"], "Pfizer");
    assert!(me["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["value"] == "✓ Verified by Credence"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.verify'")
            .await,
        1
    );

    // Changing a credential afterwards removes the badge until it is checked again.
    let (_, p) = json(
        c.patch(app.url("/api/v1/credence/profile"))
            .bearer_auth(&pro)
            .json(&json!({"licence_number": "PH-2"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p["credence"]["verification"]["state"], "unverified");
    // The bio alone does not.
    let (_, p) = json(
        c.patch(app.url("/api/v1/credence/profile"))
            .bearer_auth(&pro)
            .json(&json!({"bio": "Hello"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p["credence"]["verification"]["state"], "unverified");
}

async fn badge_is_reset_when_what_it_vouches_for_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, pro) = app.professional("dr_vouched").await;
    let token = app.token("dr_vouched").await;
    let c = common::api();
    let patch = |body: Value| {
        let req = c
            .patch(app.url("/api/v1/credence/profile"))
            .bearer_auth(&token)
            .json(&body);
        async move { json(req.send().await.unwrap()).await }
    };
    // The name shown next to the badge, the specialty and the affiliations are vouched for
    // like the licence: changing any of them removes the badge.
    for change in [
        json!({"display_name": "Dr Someone Else"}),
        json!({"specialty": "Oncology"}),
        json!({"affiliations": "Another Hospital"}),
        json!({"credentials": "DO"}),
    ] {
        verification::verify_directly(&app.core, None, pro.id, "test")
            .await
            .unwrap();
        let (s, p) = patch(change.clone()).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(
            p["credence"]["verification"]["state"], "unverified",
            "{change}"
        );
    }
    // The bio and links are not vouched for.
    verification::verify_directly(&app.core, None, pro.id, "test")
        .await
        .unwrap();
    let (_, p) = patch(
        json!({"bio": "Hello", "links": "https://example.org", "display_name": "Dr Someone Else"}),
    )
    .await;
    assert_eq!(p["credence"]["verification"]["state"], "verified");
    // A pending request is withdrawn when the name changes under it.
    sqlx::query("UPDATE profiles SET verification_state = 'unverified' WHERE id = $1")
        .bind(pro.id)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    verification::submit(&app.core, &actor, "").await.unwrap();
    let (_, p) = patch(json!({"display_name": "Dr Renamed"})).await;
    assert_eq!(p["credence"]["verification"]["state"], "unverified");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verification_requests WHERE state = 'pending'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.reset'")
            .await,
        5
    );
}

async fn racing_changes_keep_one_request_and_the_decision(backend: Backend) {
    let app = spawn(backend).await;
    let (reviewer, _) = app.user("race_mod", Role::Moderator).await;
    for i in 0..5 {
        let (actor, pro) = app.professional(&format!("dr_race{i}")).await;
        // Two submissions at once (a double click, two tabs): exactly one request.
        let (a, b) = tokio::join!(
            verification::submit(&app.core, &actor, "first"),
            verification::submit(&app.core, &actor, "second"),
        );
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one succeeds: {:?} / {:?}",
            a.as_ref().map(|r| r.id),
            b.as_ref().map(|r| r.id)
        );
        let pending = app
            .count(&format!(
                "SELECT COUNT(*) FROM verification_requests WHERE profile_id = {} AND state = 'pending'",
                pro.id
            ))
            .await;
        assert_eq!(pending, 1);
        // A decision racing an edit that does not touch vouched details: the decision stands
        // (the edit must not write back the 'pending' it read).
        let request = a.or(b).unwrap();
        let bio = profiles::ProfileUpdate {
            bio: Some(format!("bio {i}")),
            ..Default::default()
        };
        let (decided, edited) = tokio::join!(
            verification::decide(
                &app.core,
                &reviewer,
                request.id,
                verification::Decision::Verify
            ),
            profiles::update(&app.core, &actor, bio),
        );
        decided.unwrap();
        edited.unwrap();
        let stored = profiles::get(&app.core, pro.id).await.unwrap();
        assert!(stored.is_verified(), "{:?}", stored.verification);
        assert_eq!(stored.bio, format!("bio {i}"));
    }
}

async fn invisible_format_characters_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (_, before) = app.professional("dr_invisible").await;
    let token = app.token("dr_invisible").await;
    let c = common::api();
    // U+202E reverses the text after it; U+200B and U+FEFF are invisible; U+00AD hides too.
    for (field, value) in [
        ("display_name", "Dr Ana\u{202E}DM"),
        ("display_name", "Dr\u{200B}Ana"),
        ("specialty", "Cardio\u{00AD}logy"),
        ("credentials", "\u{FEFF}MD"),
        ("licence_jurisdiction", "Ohio\u{2066} Board"),
        ("affiliations", "Lakeside\nUni\u{200D}versity"),
    ] {
        let (s, e) = json(
            c.patch(app.url("/api/v1/credence/profile"))
                .bearer_auth(&token)
                .json(&json!({ field: value }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 422, "{field}={value:?}");
        assert!(e["details"][field].is_array(), "{e}");
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains("invisible formatting characters"),
            "{e}"
        );
    }
    let (s, _) = json(
        c.post(app.url("/api/v1/credence/profile/disclosures"))
            .bearer_auth(&token)
            .json(&json!({"company": "Pf\u{200F}izer", "relationship": "consulting"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    let after = profiles::get(&app.core, before.id).await.unwrap();
    assert_eq!(after.display_name, before.display_name);
    assert_eq!(after.specialty, before.specialty);
    assert!(after.disclosures.is_empty());
    // Sign-up from an app and app names follow the same rule.
    let (s, _) = json(
        c.post(app.url("/api/v1/apps"))
            .form(&[
                ("client_name", "Safe\u{202E}ppA"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_apps").await, 0);
}

async fn bad_input_is_refused_and_nothing_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (_, before) = app.professional("dr_bad").await;
    let token = app.token("dr_bad").await;
    let c = common::api();
    let patch = |body: Value| {
        let req = c
            .patch(app.url("/api/v1/credence/profile"))
            .bearer_auth(&token)
            .json(&body);
        async move { json(req.send().await.unwrap()).await }
    };
    let cases = [
        (json!({"npi": "1234567890"}), "npi"),
        (json!({"npi": "12345"}), "npi"),
        (json!({"display_name": "x".repeat(101)}), "display_name"),
        (json!({"bio": "y".repeat(2001)}), "bio"),
        (json!({"links": "javascript:alert(1)"}), "links"),
        (json!({"profession": "wizard"}), "profession"),
        (
            json!({"licence_number": "z".repeat(51), "bio": "changed"}),
            "licence_number",
        ),
    ];
    for (body, field) in cases {
        let (s, e) = patch(body.clone()).await;
        assert_eq!(s, 422, "{body} was accepted");
        assert!(e["details"][field].is_array(), "{body}: {e}");
        assert!(!e["error"].as_str().unwrap().is_empty());
    }
    let after = profiles::get(&app.core, before.id).await.unwrap();
    assert_eq!(after.bio, before.bio, "a refused update changed nothing");
    assert_eq!(after.npi, before.npi);

    // Malformed JSON and oversized bodies.
    let res = c
        .patch(app.url("/api/v1/credence/profile"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let huge = "b".repeat(credence_web::MAX_BODY_BYTES + 10);
    let res = c
        .patch(app.url("/api/v1/credence/profile"))
        .bearer_auth(&token)
        .json(&json!({"bio": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // Unknown routes and unknown accounts.
    let (s, e) = json(
        c.get(app.url("/api/v1/no_such_thing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(e["error"], "Record not found");
    let (s, _) = json(
        c.get(app.url("/api/v1/accounts/not-a-number"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    // A forged token.
    let res = c
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Apps with bad redirect URIs or scopes.
    let res = c
        .post(app.url("/api/v1/apps"))
        .form(&[
            ("client_name", "x"),
            ("redirect_uris", "javascript:alert(1)"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = c
        .post(app.url("/api/v1/apps"))
        .form(&[
            ("client_name", "x"),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
            ("scopes", "admin:all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_apps").await, 0);
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
    let c = common::api();
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

async fn openapi_document_matches_the_routes(backend: Backend) {
    let app = spawn(backend).await;
    let c = common::api();
    let (s, doc) = json(
        c.get(app.url("/api/v1/credence/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    // Every documented path and method is routed: without a token it answers 401 or 200, never 404/405.
    for (path, methods) in paths {
        let concrete = path.replace("{id}", "1");
        for method in methods.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = c
                .request(m, app.url(&concrete))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            assert!(
                ![404, 405].contains(&status)
                    || path.contains("{id}") && status == 404 && method == "get",
                "{method} {path} is documented but answered {status}"
            );
        }
    }
}
