//! Administration: the review queue and the admin page are for staff, and a role change takes
//! a badge away.

use crate::helpers::{browser, page, spawn, Backend};
use credence_core::{accounts, profiles, verification, Role};

both_backends!(
    review_queue_and_admin_are_for_staff,
    leaving_a_professional_role_removes_the_badge,
);

async fn review_queue_and_admin_are_for_staff(backend: Backend) {
    let app = spawn(backend).await;
    let (member, _) = app.user("plain_member", Role::Member).await;
    app.user("a_moderator", Role::Moderator).await;
    app.user("the_boss", Role::Admin).await;
    let as_member = app.signed_in("plain_member").await;
    let (s, body) = page(&as_member, app.url("/review")).await;
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
    let res = app
        .post_form(
            &as_member,
            &format!("/admin/users/{}/role", member.user_id),
            &csrf,
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        accounts::get_user(&app.core, member.user_id)
            .await
            .unwrap()
            .role,
        Role::Member,
        "no self-promotion"
    );
    let res = app
        .post_form(&as_member, "/review/1", &csrf, &[("decision", "verify")])
        .await;
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
    let res = app
        .post_form(
            &admin,
            &format!("/admin/users/{}/role", member.user_id),
            &csrf,
            &[("role", "moderator")],
        )
        .await;
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
    let res = app
        .post_form(
            &admin,
            &format!("/admin/users/{}/role", member.user_id),
            &csrf,
            &[("role", "emperor")],
        )
        .await;
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
