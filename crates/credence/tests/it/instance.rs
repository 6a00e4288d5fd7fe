//! The instance as a whole: its metadata (Mastodon, NodeInfo), the OpenAPI document of
//! Credence's own endpoints, and unknown pages.

use crate::helpers::{api, browser, json, spawn, text, Backend};
use credence_core::Role;
use serde_json::json;

both_backends!(
    instance_and_nodeinfo,
    openapi_document_matches_the_routes,
    unknown_pages_are_404,
    metrics_are_only_on_the_operators_address,
    private_answers_are_not_stored,
    webfinger_and_host_meta_name_local_accounts,
    people_react_to_announcements_with_emoji,
);

async fn people_react_to_announcements_with_emoji(backend: Backend) {
    use crate::helpers::person;
    let app = spawn(backend).await;
    let (ana, _) = person(&app, "ana_reacts", Role::Member).await;
    let (ben, _) = person(&app, "ben_reacts", Role::Member).await;
    let news = credence_core::instance::announce(&app.core, "Flu clinic on Saturday", None)
        .await
        .unwrap();
    let path = |name: &str| {
        format!(
            "/api/v1/announcements/{}/reactions/{}",
            news.id,
            url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        )
    };
    for (who, name) in [(&ana, "👍"), (&ben, "👍"), (&ben, "❤️"), (&ben, "👍")] {
        let (s, v) = who.put(&path(name), json!({})).await;
        assert_eq!((s, v), (200, json!({})), "{name}");
    }
    // The same heart without its variation selector is the same reaction.
    let (s, _) = ana.put(&path("❤"), json!({})).await;
    assert_eq!(s, 200);
    let (_, seen) = ana.get("/api/v1/announcements").await;
    assert_eq!(
        seen[0]["reactions"],
        json!([
            {"name": "👍", "count": 2, "me": true},
            {"name": "❤️", "count": 2, "me": true},
        ])
    );
    let (s, _) = ben.delete(&path("👍")).await;
    assert_eq!(s, 200);
    let (_, seen) = ben.get("/api/v1/announcements").await;
    assert_eq!(
        seen[0]["reactions"][0],
        json!({"name": "👍", "count": 1, "me": false})
    );

    // Not an emoji, too many, or an announcement that is not running: refused, nothing kept.
    let (s, v) = ana.put(&path("hello"), json!({})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("emoji"), "{v}");
    for name in ["😀", "😃", "😄", "😁", "😆", "😅"] {
        let (s, _) = ana.put(&path(name), json!({})).await;
        assert_eq!(s, 200, "{name}");
    }
    let (s, v) = ana.put(&path("🙂"), json!({})).await;
    assert_eq!(s, 422, "a ninth reaction: {v}");
    assert!(v["error"].as_str().unwrap().contains("at most 8"), "{v}");
    let (s, _) = ana
        .put(
            "/api/v1/announcements/12345/reactions/%F0%9F%91%8D",
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
    credence_core::instance::withdraw(&app.core, news.id)
        .await
        .unwrap();
    let (s, _) = ana.put(&path("👍"), json!({})).await;
    assert_eq!(s, 404);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM announcement_reactions")
            .await,
        0
    );
}

async fn webfinger_and_host_meta_name_local_accounts(backend: Backend) {
    let app = spawn(backend).await;
    app.user("dr_finger", Role::Professional).await;
    let c = api();
    let domain = app.addr.to_string();
    let get = |path: String| {
        let c = c.clone();
        let url = app.url(&path);
        async move {
            let res = c
                .get(url)
                .header("origin", "https://client.example")
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
            let cors = res.headers().get("access-control-allow-origin").cloned();
            (status, content_type, cors, res.text().await.unwrap())
        }
    };
    let page = app.url("/@dr_finger");
    for resource in [
        format!("acct:dr_finger@{domain}"),
        format!("dr_finger@{domain}"),
        "acct:dr_finger".to_string(),
        page.clone(),
    ] {
        let (s, content_type, cors, body) = get(format!(
            "/.well-known/webfinger?resource={}",
            urlencode(&resource)
        ))
        .await;
        assert_eq!(s, 200, "{resource}: {body}");
        assert!(content_type.starts_with("application/jrd+json"));
        assert_eq!(cors.unwrap(), "*");
        let jrd: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(jrd["subject"], format!("acct:dr_finger@{domain}"));
        assert_eq!(jrd["aliases"], json!([page]));
        assert_eq!(
            jrd["links"][0]["rel"],
            "http://webfinger.net/rel/profile-page"
        );
        assert_eq!(jrd["links"][0]["href"], page);
    }
    for (resource, status) in [
        ("acct:dr_finger@mastodon.example".to_string(), 404),
        (format!("acct:nobody_here@{domain}"), 404),
        ("https://elsewhere.example/@dr_finger".to_string(), 404),
        (format!("mailto:dr_finger@{domain}"), 400),
        (String::new(), 400),
    ] {
        let (s, _, _, body) = get(format!(
            "/.well-known/webfinger?resource={}",
            urlencode(&resource)
        ))
        .await;
        assert_eq!(s, status, "{resource}: {body}");
        assert!(body.contains("error"), "{body}");
    }
    let (s, content_type, _, xrd) = get("/.well-known/host-meta".to_string()).await;
    assert_eq!(s, 200);
    assert!(content_type.starts_with("application/xrd+xml"));
    let template = app.url("/.well-known/webfinger?resource={uri}");
    assert!(
        xrd.contains(&format!("<Link rel=\"lrdd\" template=\"{template}\"/>")),
        "{xrd}"
    );
    let (s, _, _, body) = get("/.well-known/host-meta.json".to_string()).await;
    assert_eq!(s, 200);
    let jrd: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(jrd["links"][0]["template"], template);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn instance_and_nodeinfo(backend: Backend) {
    let app = spawn(backend).await;
    let c = api();
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
    assert_eq!(info["usage"]["localPosts"], 0);

    // Counts and limits are the real ones.
    app.user("counted_pro", Role::Professional).await;
    let pro = crate::helpers::ApiClient::new(&app, Some(app.token("counted_pro").await));
    let first = pro
        .publish(json!({"status": "Walking helps the heart."}))
        .await;
    pro.publish(json!({"status": "Sleep helps the heart too."}))
        .await;
    pro.publish(json!({"status": "A draft.", "draft": true}))
        .await;
    pro.post(
        &format!("/api/v1/statuses/{}/reblog", first["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let (_, info) = json(c.get(&href).send().await.unwrap()).await;
    assert_eq!(
        info["usage"]["localPosts"], 2,
        "published posts, not drafts or boosts"
    );
    let (_, v1) = json(c.get(app.url("/api/v1/instance")).send().await.unwrap()).await;
    assert_eq!(v1["stats"]["status_count"], 2);
    let (_, v2) = json(c.get(app.url("/api/v2/instance")).send().await.unwrap()).await;
    let config = &v2["configuration"];
    assert_eq!(config["accounts"]["max_pinned_statuses"], 5);
    let types = config["media_attachments"]["supported_mime_types"]
        .as_array()
        .unwrap();
    assert!(types.contains(&json!("image/jpeg")) && types.contains(&json!("video/mp4")));
    assert!(
        config["media_attachments"]["image_size_limit"]
            .as_u64()
            .unwrap()
            > 1_000_000
    );
    let (s, emojis) = json(
        c.get(app.url("/api/v1/custom_emojis"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, emojis), (200, json!([])));
    let (s, prefs) = pro.get("/api/v1/preferences").await;
    assert_eq!(
        (s, &prefs["posting:default:visibility"]),
        (200, &json!("public"))
    );
    let (s, _) = crate::helpers::ApiClient::new(&app, None)
        .get("/api/v1/preferences")
        .await;
    assert_eq!(s, 401);
}

async fn openapi_document_matches_the_routes(backend: Backend) {
    let app = spawn(backend).await;
    let c = api();
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
        api()
            .delete(app.url("/api/v1/instance"))
            .send()
            .await
            .unwrap(),
        api().get(app.url("/oauth/token")).send().await.unwrap(),
    ] {
        assert_eq!(res.status(), 405);
        let e: serde_json::Value = res.json().await.unwrap();
        assert_eq!(e["error_code"], "method_not_allowed");
    }
    // Malformed ids in page addresses are pages that do not exist (not a plain-text 400).
    app.user("id_admin", Role::Admin).await;
    let admin = app.signed_in("id_admin").await;
    for path in [
        "/settings/disclosures/abc/delete",
        "/review/abc",
        "/review/99999999999999999999999",
        "/admin/users/abc/role",
    ] {
        let (s, body) = text(
            app.submit(
                &admin,
                "/admin",
                path,
                &[("decision", "verify"), ("role", "member")],
            )
            .await,
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

async fn metrics_are_only_on_the_operators_address(backend: Backend) {
    let app = spawn(backend).await;
    let (s, _) = text(api().get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    let (s, _) = text(api().get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(s, 404, "not on the public port");
    let (s, metrics) = text(
        api()
            .get(format!("{}/metrics", app.metrics_base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        metrics.contains(
            "credence_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "the public server's requests are counted: {metrics}"
    );
}

/// Answers to a signed-in page or an API call with a token are `no-store`; public ones may be
/// cached.
async fn private_answers_are_not_stored(backend: Backend) {
    let app = spawn(backend).await;
    app.user("private_pat", Role::Professional).await;
    let signed_in = app.signed_in("private_pat").await;
    let cache_control = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let settings = signed_in
        .get(app.url("/settings/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    assert_eq!(cache_control(&settings).as_deref(), Some("no-store"));
    let token = app.token("private_pat").await;
    let me = api()
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(cache_control(&me).as_deref(), Some("no-store"));
    // Registering an app hands out its secret: no-store without any credential sent.
    let registered = api()
        .post(app.url("/api/v1/apps"))
        .form(&[
            ("client_name", "Cache test"),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 200);
    assert_eq!(cache_control(&registered).as_deref(), Some("no-store"));
    let public = browser()
        .get(app.url("/@private_pat"))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    assert_ne!(cache_control(&public).as_deref(), Some("no-store"));
}

/// Browser clients on another origin may call the API, OAuth's token endpoint and the
/// `/.well-known` documents (any origin, no credentials, `Link` readable); the HTML pages,
/// which use the session cookie, answer no cross-origin request. Independent of the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_clients_on_other_origins_reach_the_api_only() {
    use reqwest::Method;
    let app = spawn(Backend::Sqlite).await;
    app.user("cors_pat", Role::Member).await;
    let token = app.token("cors_pat").await;
    let origin = "https://client.example";
    let preflight = |path: &str, method: &str| {
        api()
            .request(Method::OPTIONS, app.url(path))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
    };
    for (path, method) in [
        ("/api/v1/timelines/home", "GET"),
        ("/api/v1/statuses", "POST"),
        ("/oauth/token", "POST"),
        ("/oauth/revoke", "POST"),
        ("/.well-known/nodeinfo", "GET"),
    ] {
        let res = preflight(path, method).send().await.unwrap();
        assert_eq!(res.status(), 204, "preflight of {path}");
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], "*", "{path}");
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains(method), "{path}: {methods}");
        let headers = h["access-control-allow-headers"].to_str().unwrap();
        assert!(
            headers.contains('*') || headers.contains("authorization"),
            "{headers}"
        );
        assert!(
            !h.contains_key("access-control-allow-credentials"),
            "{path}"
        );
    }
    let res = api()
        .get(app.url("/api/v1/timelines/home"))
        .header("Origin", origin)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("link"), "{exposed}");
    // Pictures apps draw with `crossorigin` (the default avatar here; uploads alike).
    let res = api()
        .get(app.url("/static/avatar.png"))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    // Pages with the session cookie: no CORS answer, and a preflight is not approved.
    for path in ["/", "/settings", "/login", "/static/style.css"] {
        let res = api()
            .get(app.url(path))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert!(
            !res.headers().contains_key("access-control-allow-origin"),
            "{path}"
        );
        let res = preflight(path, "POST").send().await.unwrap();
        assert!(
            !res.headers().contains_key("access-control-allow-origin"),
            "{path} preflight"
        );
    }
}
