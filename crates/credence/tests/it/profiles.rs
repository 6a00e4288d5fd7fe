//! Profiles: licence numbers for reviewers only, invisible characters refused, bad input
//! changing nothing, a login's two profiles kept apart, and the settings form.

use crate::helpers::{api, browser, json, page, spawn, text, Backend};
use credence_core::kernel::actor::TokenKind;
use credence_core::{profiles, verification, Role};
use serde_json::json;
use serde_json::Value;

both_backends!(
    licence_numbers_are_for_reviewers_only,
    invisible_format_characters_are_refused,
    bad_input_is_refused_and_nothing_changes,
    personal_and_professional_profiles_stay_apart,
    profile_edit_validates_and_keeps_data,
    names_cannot_borrow_the_badge_or_a_verified_name,
    apps_edit_the_profile,
    apps_set_and_remove_profile_pictures,
);

async fn licence_numbers_are_for_reviewers_only(backend: Backend) {
    let app = spawn(backend).await;
    let (_, pro) = app.professional("dr_licence").await;
    verification::verify_directly(&app.core, None, pro.id, "test")
        .await
        .unwrap();
    app.user("mod_one", Role::Moderator).await;
    app.user("just_member", Role::Member).await;
    let c = api();
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

async fn invisible_format_characters_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (_, before) = app.professional("dr_invisible").await;
    let token = app.token("dr_invisible").await;
    let c = api();
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
    let c = api();
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

async fn personal_and_professional_profiles_stay_apart(backend: Backend) {
    let app = spawn(backend).await;
    app.professional("dr_public").await;
    let client = app.signed_in("dr_public").await;
    let csrf = app.csrf(&client, "/settings/profile").await;
    let res = app
        .post_form(
            &client,
            "/settings/personal-profile",
            &csrf,
            &[("handle", "weekend_hiker"), ("display_name", "Hiker")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, settings) = page(&client, app.url("/settings/profile")).await;
    assert!(settings.contains("Act as @weekend_hiker"));
    let personal_id = regex::Regex::new(r#"name="profile_id" value="(\d+)""#)
        .unwrap()
        .captures(&settings)
        .unwrap()[1]
        .to_string();
    let res = app
        .post_form(
            &client,
            "/settings/switch",
            &csrf,
            &[("profile_id", personal_id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, settings) = page(&client, app.url("/settings/profile")).await;
    assert!(settings.contains("acting as <strong>@weekend_hiker</strong>"));
    // Nothing public links the two.
    let anon = browser();
    let (_, personal_page) = page(&anon, app.url("/@weekend_hiker")).await;
    assert!(!personal_page.contains("dr_public") && !personal_page.contains("Cardiology"));
    let (_, pro_page) = page(&anon, app.url("/@dr_public")).await;
    assert!(!pro_page.contains("weekend_hiker"));
    let api = api()
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
    let res = app
        .post_form(
            &client,
            "/settings/switch",
            &csrf,
            &[("profile_id", other.profile_id.to_string().as_str())],
        )
        .await;
    assert_eq!(res.status(), 403);
    // A second personal profile is refused.
    let res = app
        .post_form(
            &client,
            "/settings/personal-profile",
            &csrf,
            &[("handle", "second_one")],
        )
        .await;
    assert_eq!(res.status(), 422);
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
        app.post_form(
            &client,
            "/settings/profile",
            &csrf,
            &[("npi", "1234567890"), ("bio", "new bio")],
        )
        .await,
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
        app.post_form(
            &client,
            "/settings/profile",
            &csrf,
            &[("specialty", "s".repeat(101).as_str())],
        )
        .await,
    )
    .await;
    assert_eq!(s, 422);
    // A disclosure appears on the public profile; removing someone else's is refused.
    let res = app
        .post_form(
            &client,
            "/settings/disclosures",
            &csrf,
            &[
                ("company", "Acme Pharma"),
                ("relationship", "consulting"),
                ("details", "2024–2025"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, public) = page(&browser(), app.url("/@dr_edit")).await;
    assert!(public.contains("Acme Pharma") && public.contains("Consulting fees"));
    let res = app
        .post_form(
            &client,
            "/settings/disclosures",
            &csrf,
            &[("company", ""), ("relationship", "consulting")],
        )
        .await;
    assert_eq!(res.status(), 422);
    app.professional("dr_other").await;
    let other = app.signed_in("dr_other").await;
    let other_csrf = app.csrf(&other, "/settings/profile").await;
    let disclosure_id = profiles::get(&app.core, before.id)
        .await
        .unwrap()
        .disclosures[0]
        .id;
    let res = app
        .post_form(
            &other,
            &format!("/settings/disclosures/{disclosure_id}/delete"),
            &other_csrf,
            &[],
        )
        .await;
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
    let res = app
        .post_form(
            &client,
            "/settings/profile",
            &csrf,
            &[("licence_number", "NEW-1")],
        )
        .await;
    assert_eq!(res.headers()["location"], "/settings/profile?notice=reset");
    assert!(!profiles::get(&app.core, before.id)
        .await
        .unwrap()
        .is_verified());
}

/// A name cannot carry a check mark or "verified", and an unverified profile that copies a
/// verified professional's name tells its readers it is not them.
async fn names_cannot_borrow_the_badge_or_a_verified_name(backend: Backend) {
    let app = spawn(backend).await;
    let (_, real) = app.professional("dr_real_roe").await;
    verification::verify_directly(&app.core, None, real.id, "test")
        .await
        .unwrap();
    let (_, copy) = app.professional("dr_copy_roe").await;
    let token = app.token("dr_copy_roe").await;
    let patch = |name: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            json(
                api()
                    .patch(app.url("/api/v1/credence/profile"))
                    .bearer_auth(token)
                    .json(&json!({ "display_name": name }))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    for imitation in [
        "Dr. Jane Roe ✓ Verified cardiologist",
        "Jane Roe (vеrіfіеd)",
    ] {
        let (s, e) = patch(imitation).await;
        assert_eq!(s, 422, "{imitation}: {e}");
        assert!(e["details"]["display_name"].is_array(), "{e}");
    }
    assert_eq!(
        profiles::get(&app.core, copy.id)
            .await
            .unwrap()
            .display_name,
        copy.display_name,
        "nothing changed"
    );
    // The verified professional's exact name (in other case) is allowed, with a warning.
    let (s, e) = patch("name of DR_REAL_ROE").await;
    assert_eq!(s, 200, "{e}");
    let (_, copy_page) = page(&browser(), app.url("/@dr_copy_roe")).await;
    assert!(copy_page.contains("id=\"namesake-note\""), "{copy_page}");
    assert!(copy_page.contains("href=\"/@dr_real_roe\""), "{copy_page}");
    // A lookalike letter (Cyrillic "а") does not avoid the warning.
    let (s, e) = patch("N\u{0430}me of dr_real_roe").await;
    assert_eq!(s, 200, "{e}");
    let (_, copy_page) = page(&browser(), app.url("/@dr_copy_roe")).await;
    assert!(copy_page.contains("id=\"namesake-note\""), "{copy_page}");
    let (_, real_page) = page(&browser(), app.url("/@dr_real_roe")).await;
    assert!(
        !real_page.contains("namesake-note"),
        "the verified one gets no warning"
    );
}

/// `PATCH /api/v1/accounts/update_credentials` as apps send it (form and JSON): name, bio and
/// link fields change; the badge's rules hold (a verified name that changes is reviewed
/// again); what Credence does not keep is refused with a reason and changes nothing.
async fn apps_edit_the_profile(backend: Backend) {
    let app = spawn(backend).await;
    let (client, pro_id) = crate::helpers::verified_pro(&app, "dr_edits").await;
    let url = format!("{}/api/v1/accounts/update_credentials", client.base);
    let res = client
        .auth(client.http.patch(&url).form(&[
            ("note", "Cardiologist in Ohio."),
            ("fields_attributes[0][name]", "Clinic"),
            ("fields_attributes[0][value]", "https://clinic.example/team"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert!(
        me["note"]
            .as_str()
            .unwrap()
            .contains("Cardiologist in Ohio."),
        "{me}"
    );
    assert_eq!(
        me["source"]["fields"][0]["value"],
        "https://clinic.example/team"
    );
    let (_, account) = client.get(&format!("/api/v1/accounts/{pro_id}")).await;
    assert_eq!(
        account["credence"]["verification"]["verified"], true,
        "a bio change keeps the badge"
    );
    // JSON, and a changed name goes back to review as on the profile page.
    let (s, renamed) = client
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"display_name": "Dr Edits Renamed"}),
        )
        .await;
    assert_eq!(s, 200, "{renamed}");
    assert_eq!(renamed["display_name"], "Dr Edits Renamed");
    assert_eq!(
        renamed["credence"]["verification"]["verified"], false,
        "the badge vouched for the name"
    );
    let before = renamed.to_string();
    // Refused, with a reason, and nothing changes.
    for body in [
        json!({"bot": true}),
        json!({"discoverable": false}),
        json!({"note": "New bio", "fields_attributes": [{"name": "Licence", "value": "OH-12345"}]}),
    ] {
        let (s, refused) = client
            .patch("/api/v1/accounts/update_credentials", body.clone())
            .await;
        assert_eq!(s, 422, "{body}: {refused}");
        assert!(!refused["error"].as_str().unwrap().is_empty());
    }
    let (_, me) = client.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["display_name"], "Dr Edits Renamed");
    assert!(
        me["note"]
            .as_str()
            .unwrap()
            .contains("Cardiologist in Ohio."),
        "{me} vs {before}"
    );
}

/// Profile photos and headers as apps send them (multipart `avatar`, `header` on
/// update_credentials; `DELETE /api/v1/profile/avatar`): cleaned like any upload, shown to
/// everyone at once, the replaced image deleted; what is no image is refused.
async fn apps_set_and_remove_profile_pictures(backend: Backend) {
    use crate::helpers::{jpeg_with_gps, person, tiny_mp4};
    let app = spawn(backend).await;
    let (client, id) = person(&app, "photo_owner", Role::Member).await;
    let (reader, _) = person(&app, "photo_reader", Role::Member).await;
    let url = app.url("/api/v1/accounts/update_credentials");
    let (_, before) = reader.get(&format!("/api/v1/accounts/{id}")).await;
    assert!(before["avatar"]
        .as_str()
        .unwrap()
        .ends_with("/static/avatar.png"));
    let file = |name: &str, bytes: Vec<u8>, mime: &str| {
        reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap()
    };
    let form = reqwest::multipart::Form::new()
        .text("display_name", "Photo Owner")
        .part("avatar", file("me.jpg", jpeg_with_gps(), "image/jpeg"))
        .part("header", file("header.jpg", jpeg_with_gps(), "image/jpeg"));
    let (s, me) = client.send(client.http.patch(&url).multipart(form)).await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["display_name"], "Photo Owner");
    let avatar = me["avatar"].as_str().unwrap().to_string();
    let header = me["header"].as_str().unwrap().to_string();
    assert!(
        avatar.contains("/media/") && avatar.ends_with("/thumbnail"),
        "{avatar}"
    );
    assert!(
        header.contains("/media/") && !header.ends_with("/thumbnail"),
        "{header}"
    );
    // Everyone sees it at once, and what they fetch is cleaned (no EXIF, no GPS).
    let (_, seen) = reader.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(seen["avatar"], avatar);
    let (_, profile_page) = page(&browser(), app.url("/@photo_owner")).await;
    let path = avatar.trim_start_matches(&app.base);
    assert!(
        profile_page.contains(&format!(
            r#"<img class="avatar large" src="{path}" alt="">"#
        )),
        "the profile page shows the photo"
    );
    for picture in [&avatar, &header] {
        let res = api().get(picture).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/"));
        let bytes = res.bytes().await.unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{picture} kept its EXIF block"
        );
    }
    let owned = format!("SELECT COUNT(*) FROM media WHERE owner_id = {id}");
    assert_eq!(app.count(&owned).await, 2);

    // A new photo replaces the old one, whose image is deleted.
    let form = reqwest::multipart::Form::new()
        .part("avatar", file("new.jpg", jpeg_with_gps(), "image/jpeg"));
    let (s, me) = client.send(client.http.patch(&url).multipart(form)).await;
    assert_eq!(s, 200, "{me}");
    assert_ne!(me["avatar"], avatar);
    assert_eq!(api().get(&avatar).send().await.unwrap().status(), 404);
    assert_eq!(app.count(&owned).await, 2);
    let current = me["avatar"].clone();

    // Two pictures, one refused: neither is kept, and nothing else changes.
    let form = reqwest::multipart::Form::new()
        .part("avatar", file("fine.jpg", jpeg_with_gps(), "image/jpeg"))
        .part("header", file("clip.mp4", tiny_mp4(), "video/mp4"));
    let (s, refused) = client.send(client.http.patch(&url).multipart(form)).await;
    assert_eq!(s, 422, "{refused}");
    let (_, me) = client.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(
        me["avatar"], current,
        "the accepted picture of a refused request is not kept"
    );
    assert_eq!(app.count(&owned).await, 2);

    // A video or a file that is no image is refused, and nothing changes.
    for (name, bytes, mime) in [
        ("clip.mp4", tiny_mp4(), "video/mp4"),
        ("notes.txt", b"not a picture".to_vec(), "text/plain"),
    ] {
        let form = reqwest::multipart::Form::new()
            .text("note", "should not be saved")
            .part("avatar", file(name, bytes, mime));
        let (s, refused) = client.send(client.http.patch(&url).multipart(form)).await;
        assert_eq!(s, 422, "{name}: {refused}");
        assert_eq!(
            refused["details"]["avatar"][0]["error"], "ERR_INVALID",
            "{refused}"
        );
    }
    let (_, me) = client.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["avatar"], current);
    assert!(
        !me["note"].as_str().unwrap().contains("should not be saved"),
        "a refused picture keeps the text of its request out too"
    );
    assert_eq!(app.count(&owned).await, 2);
    let (s, refused) = client
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"avatar": "https://x.example/a.png"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        refused["error"].as_str().unwrap().contains("multipart"),
        "{refused}"
    );

    // Removed: the default shows again and the image is gone.
    let (s, me) = client.delete("/api/v1/profile/avatar").await;
    assert_eq!(s, 200, "{me}");
    assert!(me["avatar"]
        .as_str()
        .unwrap()
        .ends_with("/static/avatar.png"));
    assert_eq!(app.count(&owned).await, 1);
    let (s, _) = client.delete("/api/v1/profile/nonsense").await;
    assert_eq!(s, 404);
}
