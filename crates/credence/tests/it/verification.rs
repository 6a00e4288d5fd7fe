//! Verification, through the API and the pages: request, queue, decision, the badge, and the
//! resets and races around it.

use crate::helpers::{browser, csrf_of, nav_of, page, spawn, ApiClient, Backend};
use credence_core::{profiles, verification, Role};
use serde_json::json;
use serde_json::Value;

both_backends!(
    verification_workflow_through_the_api,
    badge_is_reset_when_what_it_vouches_for_changes,
    racing_changes_keep_one_request_and_the_decision,
    verification_from_request_to_badge,
);

async fn verification_workflow_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    app.user("dr_api", Role::Professional).await;
    app.user("mod_api", Role::Moderator).await;
    app.user("member_api", Role::Member).await;
    let client = |token| ApiClient::new(&app, Some(token));
    let pro = client(app.token("dr_api").await);
    let moderator = client(app.token("mod_api").await);
    let member = client(app.token("member_api").await);
    // Missing credentials: refused with the list of what is missing.
    let (s, e) = pro.post("/api/v1/credence/verification", json!({})).await;
    assert_eq!(s, 422);
    assert!(
        e["error"].as_str().unwrap().contains("licence number"),
        "{e}"
    );
    let credentials = json!({
        "profession": "pharmacist",
        "credentials": "PharmD",
        "licence_number": "PH-1",
        "licence_jurisdiction": "Ohio Board of Pharmacy",
    });
    let (s, p) = pro.patch("/api/v1/credence/profile", credentials).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["credence"]["licence_number"], "PH-1");
    let (s, d) = pro
        .post(
            "/api/v1/credence/profile/disclosures",
            json!({"company": "Pfizer", "relationship": "consulting", "details": "2025"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let (s, r) = pro
        .post(
            "/api/v1/credence/verification",
            json!({"note": "Board lookup: PH-1"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "pending");
    let id = r["id"].as_str().unwrap().to_string();
    let (s, _) = pro.post("/api/v1/credence/verification", json!({})).await;
    assert_eq!(s, 422, "no second request while one is pending");

    // Members cannot see the queue or decide.
    let (s, _) = member.get("/api/v1/credence/verification/queue").await;
    assert_eq!(s, 403);
    let (s, _) = member
        .post(
            &format!("/api/v1/credence/verification/{id}/decision"),
            json!({"decision": "verify"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = pro
        .post(
            &format!("/api/v1/credence/verification/{id}/decision"),
            json!({"decision": "verify"}),
        )
        .await;
    assert_eq!(s, 403, "nobody verifies themselves");

    let (s, queue) = moderator.get("/api/v1/credence/verification/queue").await;
    assert_eq!(s, 200);
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["account"]["credence"]["licence_number"], "PH-1");
    let (s, _) = moderator
        .post(
            &format!("/api/v1/credence/verification/{id}/decision"),
            json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(s, 422, "a rejection needs a reason");
    let (s, r) = moderator
        .post(
            &format!("/api/v1/credence/verification/{id}/decision"),
            json!({"decision": "verify"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "verified");
    let (s, _) = moderator
        .post(
            &format!("/api/v1/credence/verification/{id}/decision"),
            json!({"decision": "reject", "reason": "late"}),
        )
        .await;
    assert_eq!(s, 422, "a decided request cannot be decided again");
    let (_, me) = pro.get("/api/v1/accounts/verify_credentials").await;
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
    let (_, p) = pro
        .patch(
            "/api/v1/credence/profile",
            json!({"licence_number": "PH-2"}),
        )
        .await;
    assert_eq!(p["credence"]["verification"]["state"], "unverified");
    // The bio alone does not.
    let (_, p) = pro
        .patch("/api/v1/credence/profile", json!({"bio": "Hello"}))
        .await;
    assert_eq!(p["credence"]["verification"]["state"], "unverified");
}

async fn badge_is_reset_when_what_it_vouches_for_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, pro) = app.professional("dr_vouched").await;
    let client = ApiClient::new(&app, Some(app.token("dr_vouched").await));
    let patch = |body: Value| client.patch("/api/v1/credence/profile", body);
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

async fn verification_from_request_to_badge(backend: Backend) {
    let app = spawn(backend).await;
    let (_, pro) = app.professional("dr_badge").await;
    app.user("the_admin", Role::Admin).await;
    let applicant = app.signed_in("dr_badge").await;
    let csrf = app.csrf(&applicant, "/verification").await;
    let res = app
        .post_form(
            &applicant,
            "/verification",
            &csrf,
            &[("note", "Look me up on the Ohio board site")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, submitted) = page(&applicant, app.url("/verification?notice=submitted")).await;
    assert!(submitted.contains("waiting for a reviewer"));
    let (_, public) = page(&browser(), app.url("/@dr_badge")).await;
    assert!(public.contains("review pending") && !public.contains("badge verified"));
    let (_, mine) = page(&applicant, app.url("/")).await;
    let nav = nav_of(&mine);
    assert!(
        nav.contains("@dr_badge</a> <span class=\"badge pending\">"),
        "the acting profile's badge is in the navigation bar: {nav}"
    );

    let admin = app.signed_in("the_admin").await;
    let (s, queue) = page(&admin, app.url("/review")).await;
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
    let res = app
        .post_form(
            &admin,
            &format!("/review/{request_id}"),
            &csrf,
            &[("decision", "reject"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &admin,
            &format!("/review/{request_id}"),
            &csrf,
            &[("decision", "verify")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, public) = page(&browser(), app.url("/@dr_badge")).await;
    assert!(
        public.contains("badge verified"),
        "the badge shows on the profile"
    );
    assert!(
        !public.contains("LIC-SECRET-4471"),
        "the public never sees the licence number"
    );
    let (_, home) = page(&browser(), app.url("/")).await;
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
    let (_, admin_page) = page(&admin, app.url("/admin")).await;
    assert!(admin_page.contains("verification.verify") && admin_page.contains("@the_admin"));
    assert!(
        admin_page.contains("@dr_badge</a> <span class=\"badge verified\""),
        "the accounts table shows each profile's badge"
    );
    let (_, mine) = page(&applicant, app.url("/")).await;
    assert!(nav_of(&mine).contains("@dr_badge</a> <span class=\"badge verified\""));
}
