//! The publishing pages over loopback, as a browser without JavaScript uses them: compose
//! (multipart, CSRF), refusals that keep the author's text, the live-check endpoint, replies
//! that offer a private message, follows, feeds, search and valid Atom.

mod common;

use common::{spawn, Backend, TestApp};
use credence_core::verification;
use credence_core::Role;

both_backends!(
    compose_publish_and_read_the_label,
    refused_drafts_keep_the_text_and_store_nothing,
    live_check_needs_the_session_and_its_token,
    oversharing_reply_offers_a_private_message,
    follow_a_person_and_a_topic_from_their_pages,
    atom_feeds_are_valid_and_advertised,
    only_the_author_edits_and_deletes,
    search_page_filters,
);

async fn verified(app: &TestApp, handle: &str) -> reqwest::Client {
    let (_, p) = app.professional(handle).await;
    verification::verify_directly(&app.core, None, p.id, "test")
        .await
        .unwrap();
    app.signed_in(&format!("{handle}@example.org")).await
}

fn compose_form(csrf: &str, fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

async fn compose(
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

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let res = client.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn compose_publish_and_read_the_label(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_abel").await;
    let res = compose(
        &app,
        &pro,
        &[
            ("kind", "tip"),
            (
                "body",
                "Adults need 7 or more hours of sleep a night. #sleep",
            ),
            (
                "citation_value",
                "https://www.cdc.gov/sleep/about/index.html",
            ),
            ("citation_title", "CDC: About sleep"),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/@dr_abel/"), "{location}");
    let (s, html) = page(&common::browser(), app.url(&location)).await;
    assert_eq!(s, 200);
    assert!(html.contains("Adults need 7 or more hours"));
    assert!(html.contains("Health tip"));
    // The label is shown, its reasons one click away.
    assert!(
        html.contains("<details class=\"label label-evidence_based\">"),
        "{html}"
    );
    assert!(html.contains("Cites trusted sources"));
    assert!(html.contains("CDC: About sleep"));
    assert!(html.contains("href=\"/topics/sleep\""));
    // The profile lists it.
    let (_, profile) = page(&common::browser(), app.url("/@dr_abel")).await;
    assert!(profile.contains("Adults need 7 or more hours"));
    assert!(profile.contains("1 posts") || profile.contains("1 post"));
    // Without a session, compose sends you to sign in.
    let res = common::browser()
        .get(app.url("/compose"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin");
}

async fn refused_drafts_keep_the_text_and_store_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_bell").await;
    let text = "Update on my patient Robert Hughes (MRN 55120987): the graft is healing.";
    let res = compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", text),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("protected health information"), "{html}");
    assert!(
        html.contains("Robert Hughes (MRN 55120987)"),
        "the draft is kept"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 0);
    // A form without the session's CSRF token is refused before anything happens.
    let res = pro
        .post(app.url("/compose"))
        .multipart(compose_form(
            "forged",
            &[
                ("body", "hello"),
                ("kind", "post"),
                ("visibility", "public"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 0);
    // Saving it as a draft is allowed (drafts are private) and it stays out of every feed.
    let res = compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", text),
            ("visibility", "public"),
            ("action", "draft"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, drafts) = page(&pro, app.url("/drafts")).await;
    assert!(drafts.contains("Robert Hughes"));
    let (_, explore) = page(&common::browser(), app.url("/explore")).await;
    assert!(!explore.contains("Robert Hughes"));
    let (_, profile) = page(&common::browser(), app.url("/@dr_bell")).await;
    assert!(!profile.contains("Robert Hughes"));
}

async fn live_check_needs_the_session_and_its_token(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_cruz").await;
    let csrf = app.csrf(&pro, "/compose").await;
    let body = serde_json::json!({"text": "Call Mrs Jane Whitfield at 614-555-0199 about her results.", "kind": "post"});
    let res = pro
        .post(app.url("/compose/check"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no token header");
    let res = pro
        .post(app.url("/compose/check"))
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    let labels: Vec<&str> = report["phi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"PHONE"), "{report}");
    let res = common::browser()
        .post(app.url("/compose/check"))
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "signed-out callers are sent to sign in");
}

async fn oversharing_reply_offers_a_private_message(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_dale").await;
    let res = compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", "Questions about asthma inhalers? Ask below."),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    let post_path = res.headers()["location"].to_str().unwrap().to_string();
    let id = post_path.rsplit('/').next().unwrap().to_string();
    app.user("anxious_ann", Role::Member).await;
    let member = app.signed_in("anxious_ann@example.org").await;
    let csrf = app.csrf(&member, &post_path).await;
    let text =
        "My son was admitted on 03/02/2026, his number is 614-555-0143, is his inhaler wrong?";
    let res = member
        .post(app.url(&format!("/posts/{id}/reply")))
        .form(&[("csrf", csrf.as_str()), ("body", text)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Send privately to @dr_dale"), "{html}");
    assert!(html.contains("614-555-0143"), "the reply text is kept");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM posts WHERE in_reply_to_id IS NOT NULL")
            .await,
        0
    );
    let res = member
        .post(app.url(&format!("/posts/{id}/reply")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("body", text),
            ("visibility", "direct"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM posts WHERE in_reply_to_id IS NOT NULL AND visibility = 'direct'"
        )
        .await,
        1
    );
    // The private reply is for the two of them only.
    let (_, public_view) = page(&common::browser(), app.url(&post_path)).await;
    assert!(!public_view.contains("614-555-0143"));
    let (_, author_view) = page(&pro, app.url(&post_path)).await;
    assert!(author_view.contains("614-555-0143"));
}

async fn follow_a_person_and_a_topic_from_their_pages(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_eads").await;
    compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", "Followers: the flu clinic opens Monday."),
            ("visibility", "followers"),
            ("action", "publish"),
        ],
    )
    .await;
    app.professional("dr_finch").await;
    let finch = app.signed_in("dr_finch@example.org").await;
    compose(
        &app,
        &finch,
        &[
            ("kind", "post"),
            ("body", "Wear sunscreen daily. #cancerscreening"),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;

    app.user("fern", Role::Member).await;
    let member = app.signed_in("fern@example.org").await;
    let (_, before) = page(&member, app.url("/@dr_eads")).await;
    assert!(
        !before.contains("flu clinic opens"),
        "followers-only is hidden before following"
    );
    assert!(before.contains("Follow @dr_eads"));
    let csrf = app.csrf(&member, "/@dr_eads").await;
    let res = member
        .post(app.url("/@dr_eads/follow"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, after) = page(&member, app.url("/@dr_eads")).await;
    assert!(after.contains("flu clinic opens"));
    assert!(after.contains("Following ✓"));
    let res = member
        .post(app.url("/topics/cancerscreening/follow"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, home) = page(&member, app.url("/home")).await;
    assert!(home.contains("flu clinic opens"), "followed person");
    assert!(home.contains("Wear sunscreen daily"), "followed topic");
    let res = member
        .post(app.url("/@dr_eads/follow"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn atom_feeds_are_valid_and_advertised(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_gale").await;
    compose(
        &app,
        &pro,
        &[
            ("kind", "article"),
            ("title", "Five facts about <vaccines> & you"),
            (
                "body",
                "## Why\n\nVaccines train the immune system. #immunization",
            ),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", "Private note for followers #immunization"),
            ("visibility", "followers"),
            ("action", "publish"),
        ],
    )
    .await;
    for (html_path, feed_path) in [
        ("/@dr_gale", "/@dr_gale.atom"),
        ("/topics/immunization", "/topics/immunization.atom"),
    ] {
        let (_, html) = page(&common::browser(), app.url(html_path)).await;
        assert!(
            html.contains("<link rel=\"alternate\" type=\"application/atom+xml\"")
                && html.contains(&format!("href=\"{feed_path}\"")),
            "{html_path} advertises {feed_path}"
        );
        let res = common::browser()
            .get(app.url(feed_path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml"));
        let xml = res.text().await.unwrap();
        let feed: atom_syndication::Feed = xml.parse().expect("well-formed Atom");
        // RFC 4287: a feed has an id, a title, an updated time and a self link; each entry an
        // id, a title, an updated time and an alternate link.
        assert!(!feed.id().is_empty());
        assert!(feed.links().iter().any(|l| l.rel() == "self"));
        assert_eq!(
            feed.entries().len(),
            1,
            "followers-only posts stay out of feeds"
        );
        let entry = &feed.entries()[0];
        assert_eq!(entry.title().as_str(), "Five facts about <vaccines> & you");
        assert!(entry.id().starts_with("http://"));
        assert!(entry.links().iter().any(|l| l.rel() == "alternate"));
        assert!(entry
            .content()
            .unwrap()
            .value()
            .unwrap()
            .contains("<h2>Why</h2>"));
        assert!(!xml.contains("Private note"));
    }
}

async fn only_the_author_edits_and_deletes(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_hart").await;
    let res = compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            ("body", "Original wording about hydration."),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    let path = res.headers()["location"].to_str().unwrap().to_string();
    let id = path.rsplit('/').next().unwrap().to_string();
    let intruder = verified(&app, "dr_ives").await;
    let (s, _) = page(&intruder, app.url(&format!("/posts/{id}/edit"))).await;
    assert_eq!(s, 403);
    let csrf = app.csrf(&intruder, "/compose").await;
    let res = intruder
        .post(app.url(&format!("/posts/{id}/edit")))
        .multipart(compose_form(
            &csrf,
            &[
                ("kind", "post"),
                ("body", "Hijacked"),
                ("visibility", "public"),
                ("action", "publish"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = intruder
        .post(app.url(&format!("/posts/{id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, html) = page(&common::browser(), app.url(&path)).await;
    assert!(html.contains("Original wording"));

    // The author edits (the page says "edited"), then deletes (a tombstone remains).
    let csrf = app.csrf(&pro, &format!("/posts/{id}/edit")).await;
    let res = pro
        .post(app.url(&format!("/posts/{id}/edit")))
        .multipart(compose_form(
            &csrf,
            &[
                ("kind", "post"),
                ("body", "Better wording about hydration."),
                ("visibility", "public"),
                ("action", "publish"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = page(&common::browser(), app.url(&path)).await;
    assert!(html.contains("Better wording"));
    assert!(html.contains("class=\"edited\""));
    assert!(html.contains("Edit history (1 earlier version)"));
    assert!(
        html.contains("Original wording"),
        "the earlier version is kept and shown"
    );
    let res = pro
        .post(app.url(&format!("/posts/{id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (s, html) = page(&common::browser(), app.url(&path)).await;
    assert_eq!(s, 200);
    assert!(html.contains("This post was deleted."));
    assert!(!html.contains("hydration"));
}

async fn search_page_filters(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_jude").await;
    compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            (
                "body",
                "Signs of a stroke: face drooping, arm weakness, speech trouble.",
            ),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    app.professional("dr_kerr").await;
    let other = app.signed_in("dr_kerr@example.org").await;
    compose(
        &app,
        &other,
        &[
            ("kind", "post"),
            ("body", "A brain attack needs an ambulance, fast."),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    let anon = common::browser();
    let (s, html) = page(&anon, app.url("/search?q=cerebrovascular+accident")).await;
    assert_eq!(s, 200);
    assert!(html.contains("face drooping"));
    assert!(html.contains("brain attack needs"));
    let (_, html) = page(&anon, app.url("/search?q=stroke&verified_only=true")).await;
    assert!(html.contains("face drooping"));
    assert!(!html.contains("brain attack needs"));
    let (s, html) = page(&anon, app.url(&format!("/search?q={}", "x".repeat(300)))).await;
    assert_eq!(s, 200);
    assert!(html.contains("at most 200 characters"));
}
