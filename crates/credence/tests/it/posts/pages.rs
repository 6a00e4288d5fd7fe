//! The publishing pages as a browser without JavaScript uses them: compose (multipart, CSRF),
//! refusals that keep the author's text, the live check, replies that offer a private
//! message, and only the author editing and deleting.

use crate::helpers::{browser, compose, compose_form, page, spawn, verified, Backend};
use credence_core::Role;

both_backends!(
    compose_publish_and_read_the_label,
    refused_drafts_keep_the_text_and_store_nothing,
    live_check_needs_the_session_and_its_token,
    oversharing_reply_offers_a_private_message,
    only_the_author_edits_and_deletes,
);

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
    let (s, html) = page(&browser(), app.url(&location)).await;
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
    let (_, profile) = page(&browser(), app.url("/@dr_abel")).await;
    assert!(profile.contains("Adults need 7 or more hours"));
    assert!(profile.contains("1 posts") || profile.contains("1 post"));
    // Without a session, compose sends you to sign in.
    let res = browser().get(app.url("/compose")).send().await.unwrap();
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
    let (_, explore) = page(&browser(), app.url("/explore")).await;
    assert!(!explore.contains("Robert Hughes"));
    let (_, profile) = page(&browser(), app.url("/@dr_bell")).await;
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
    let res = browser()
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
    let res = app
        .post_form(
            &member,
            &format!("/posts/{id}/reply"),
            &csrf,
            &[("body", text)],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Send privately to @dr_dale"), "{html}");
    assert!(html.contains("614-555-0143"), "the reply text is kept");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM posts WHERE in_reply_to_id IS NOT NULL")
            .await,
        0
    );
    let res = app
        .post_form(
            &member,
            &format!("/posts/{id}/reply"),
            &csrf,
            &[("body", text), ("visibility", "direct")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM posts WHERE in_reply_to_id IS NOT NULL AND visibility = 'direct'"
        )
        .await,
        1
    );
    // The private reply is for the two of them only.
    let (_, public_view) = page(&browser(), app.url(&post_path)).await;
    assert!(!public_view.contains("614-555-0143"));
    let (_, author_view) = page(&pro, app.url(&post_path)).await;
    assert!(author_view.contains("614-555-0143"));
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
    let res = app
        .post_form(&intruder, &format!("/posts/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(res.status(), 403);
    let (_, html) = page(&browser(), app.url(&path)).await;
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
    let (_, html) = page(&browser(), app.url(&path)).await;
    assert!(html.contains("Better wording"));
    assert!(html.contains("class=\"edited\""));
    assert!(html.contains("Edit history (1 earlier version)"));
    assert!(
        html.contains("Original wording"),
        "the earlier version is kept and shown"
    );
    let res = app
        .post_form(&pro, &format!("/posts/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(res.status(), 303);
    let (s, html) = page(&browser(), app.url(&path)).await;
    assert_eq!(s, 200);
    assert!(html.contains("This post was deleted."));
    assert!(!html.contains("hydration"));
}
