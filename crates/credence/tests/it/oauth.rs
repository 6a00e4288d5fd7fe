//! OAuth for apps: authorization code with PKCE, the consent page's policy, revocation, and
//! out-of-band apps.

use crate::helpers::{api, browser, csrf_of, json, register_app, spawn, Backend};
use credence_core::kernel::actor::TokenKind;
use credence_core::kernel::secrets::pkce_s256;
use credence_core::Role;
use serde_json::json;
use serde_json::Value;

both_backends!(
    oauth_authorization_code_with_pkce,
    consent_page_policy_allows_app_schemes,
    apps_revoke_only_their_own_tokens,
    denying_an_out_of_band_app_shows_a_page,
    a_redirect_registered_before_the_deny_list_is_refused_at_sign_in,
    a_personal_token_verifies_as_its_own_app,
);

fn csp(res: &reqwest::Response) -> String {
    res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn oauth_authorization_code_with_pkce(backend: Backend) {
    let app = spawn(backend).await;
    app.professional("dr_pkce").await;
    // Apps discover the endpoints and that PKCE's S256 is the way (RFC 8414).
    let (s, meta) = json(
        api()
            .get(app.url("/.well-known/oauth-authorization-server"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(meta["authorization_endpoint"], app.url("/oauth/authorize"));
    assert_eq!(meta["token_endpoint"], app.url("/oauth/token"));
    assert_eq!(meta["app_registration_endpoint"], app.url("/api/v1/apps"));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert!(meta["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("read")));
    let client_app = register_app(&app, "https://client.example/callback", "read write").await;
    let client_id = client_app["client_id"].as_str().unwrap();
    let secret = client_app["client_secret"].as_str().unwrap();
    let verifier = "a-sufficiently-long-random-verifier-string-for-pkce-0123456789";
    let challenge = pkce_s256(verifier);
    let authorize = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fclient.example%2Fcallback&scope=read+write&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    );

    // Signed out: the consent page sends the person to sign in and back.
    let anon = browser();
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
    let csrf = csrf_of(&page);
    let res = app
        .post_form(
            &browser,
            "/oauth/authorize",
            &csrf,
            &[
                ("client_id", client_id),
                ("redirect_uri", "https://client.example/callback"),
                ("scope", "read write"),
                ("state", "xyz"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("approve", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("client.example"));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["state"], "xyz");
    let code = params["code"].clone();

    let c = api();
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
            ("csrf", csrf_of(&page).as_str()),
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
    let res = app
        .submit(
            &browser,
            &authorize,
            "/oauth/authorize",
            &[
                ("client_id", client_id),
                ("redirect_uri", "https://client.example/callback"),
                ("scope", "read write"),
                ("state", "xyz"),
                ("approve", "no"),
            ],
        )
        .await;
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=access_denied"));

    // A redirect URI the app did not register is refused before anything is shown.
    let bad = authorize.replace("client.example%2Fcallback", "evil.example%2Fsteal");
    let res = browser.get(app.url(&bad)).send().await.unwrap();
    assert_eq!(res.status(), 422);
}

async fn consent_page_policy_allows_app_schemes(backend: Backend) {
    let app = spawn(backend).await;
    app.user("app_user", Role::Member).await;
    // Everywhere else forms may post only to this site.
    let anon = browser();
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
    let csrf = csrf_of(&res.text().await.unwrap());
    let res = app
        .post_form(
            &browser,
            "/oauth/authorize",
            &csrf,
            &[
                ("client_id", client_id),
                ("redirect_uri", "myapp://callback"),
                ("scope", "read"),
                ("approve", "yes"),
            ],
        )
        .await;
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
    let c = api();
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

/// An app registered before a scheme was refused (its row says `vbscript:`) cannot use it:
/// the authorization request checks the redirect URI again.
async fn a_redirect_registered_before_the_deny_list_is_refused_at_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    let registered = register_app(&app, "https://client.example/cb", "read").await;
    let client_id = registered["client_id"].as_str().unwrap();
    sqlx::query("UPDATE oauth_apps SET redirect_uris = $1 WHERE client_id = $2")
        .bind("vbscript:msgbox(1)")
        .bind(client_id)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    app.user("legacy_user", Role::Member).await;
    let reader = app.signed_in("legacy_user").await;
    let res = reader
        .get(app.url("/oauth/authorize"))
        .query(&[
            ("client_id", client_id),
            ("redirect_uri", "vbscript:msgbox(1)"),
            ("response_type", "code"),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("cannot be a redirect URI"), "{page}");
}

/// A personal token (`credence admin token`) answers `/api/v1/apps/verify_credentials` as
/// itself, with its scopes; a registered app's token as that app; no token, 401.
async fn a_personal_token_verifies_as_its_own_app(backend: Backend) {
    let app = spawn(backend).await;
    app.user("token_owner", Role::Member).await;
    let token = app.token("token_owner").await;
    let (s, me) = json(
        api()
            .get(app.url("/api/v1/apps/verify_credentials"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["name"], "Personal access token");
    assert!(!me["scopes"].as_array().unwrap().is_empty());
    assert!(me.get("client_secret").is_none());
    let (s, _) = json(
        api()
            .get(app.url("/api/v1/apps/verify_credentials"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
}
