//! Engagement: follows from profile and topic pages, favourites, boosts, bookmarks and the
//! notifications they bring, and concurrent interactions staying consistent.

use crate::helpers::{compose, ids, page, person, spawn, verified, verified_pro, Backend};
use credence_core::{profiles, Role};
use serde_json::json;

both_backends!(
    who_liked_and_boosted_a_post,
    interactions_and_notifications,
    concurrent_writes_and_boosts_stay_consistent,
    follow_a_person_and_a_topic_from_their_pages,
    followers_and_following_page_with_link,
    directory_and_familiar_followers,
    locked_accounts_approve_their_followers,
);

async fn interactions_and_notifications(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_north").await;
    let (fan, _) = person(&app, "fan_one", Role::Member).await;
    let post = pro
        .publish(json!({"status": "Flu shots are available at the clinic."}))
        .await;
    let id = post["id"].as_str().unwrap();
    let (s, _) = fan
        .post(&format!("/api/v1/accounts/{pro_id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
    let (_, account) = fan.get(&format!("/api/v1/accounts/{pro_id}")).await;
    assert_eq!(account["followers_count"], 1);
    assert_eq!(account["statuses_count"], 1);
    assert_eq!(account["following_count"], 0);
    // Relationships for several accounts at once, in the order asked.
    person(&app, "fan_two", Role::Member).await;
    let two = profiles::get_by_handle(&app.core, "fan_two")
        .await
        .unwrap()
        .id;
    let (s, rels) = fan
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={two}&id[]={pro_id}&id[]=nonsense"
        ))
        .await;
    assert_eq!(s, 200, "{rels}");
    assert_eq!(rels[0]["id"], two.to_string());
    assert_eq!(rels[0]["following"], false);
    assert_eq!(rels[1]["id"], pro_id.to_string());
    assert_eq!(rels[1]["following"], true);
    assert_eq!(rels[1]["followed_by"], false);
    assert_eq!(rels.as_array().unwrap().len(), 2);
    let (_, theirs) = pro
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}",
            profiles::get_by_handle(&app.core, "fan_one")
                .await
                .unwrap()
                .id
        ))
        .await;
    assert_eq!(theirs[0]["following"], false);
    assert_eq!(theirs[0]["followed_by"], true);
    let (s, fav) = fan
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(fav["favourited"], true);
    assert_eq!(fav["favourites_count"], 1);
    // Twice is once.
    let (_, fav) = fan
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;
    assert_eq!(fav["favourites_count"], 1);
    let (s, boost) = fan
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(boost["reblog"]["id"], id);
    assert_eq!(boost["reblog"]["reblogs_count"], 1);
    let (_, marked) = fan
        .post(&format!("/api/v1/statuses/{id}/bookmark"), json!({}))
        .await;
    assert_eq!(marked["bookmarked"], true);
    let (_, bookmarks) = fan.get("/api/v1/bookmarks").await;
    assert_eq!(ids(&bookmarks), vec![id]);
    let reply = fan
        .publish(json!({"status": "@dr_north where is the clinic?", "in_reply_to_id": id}))
        .await;
    let (_, parent) = pro.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(parent["replies_count"], 1);

    let (s, notes) = pro.get("/api/v1/notifications").await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    for kind in ["follow", "favourite", "reblog", "mention"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    let mention = notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "mention")
        .unwrap();
    assert_eq!(mention["status"]["id"], reply["id"]);
    // The fan's notifications are the fan's: none about the author's activity.
    let (_, fan_notes) = fan.get("/api/v1/notifications").await;
    assert!(fan_notes.as_array().unwrap().is_empty());

    // Undo everything.
    let (_, un) = fan
        .post(&format!("/api/v1/statuses/{id}/unfavourite"), json!({}))
        .await;
    assert_eq!(un["favourites_count"], 0);
    let (_, un) = fan
        .post(&format!("/api/v1/statuses/{id}/unreblog"), json!({}))
        .await;
    assert_eq!(un["reblogs_count"], 0);
    // Deleting a boost undoes it too, and the post can be boosted again.
    let (s, boost) = fan
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    assert_eq!(s, 200, "{boost}");
    let (s, v) = fan
        .delete(&format!(
            "/api/v1/statuses/{}",
            boost["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, original) = fan.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(original["reblogs_count"], 0);
    assert_eq!(original["reblogged"], false);
    let (s, again) = fan
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["reblog"]["reblogs_count"], 1);
    fan.post(&format!("/api/v1/statuses/{id}/unreblog"), json!({}))
        .await;
    let (_, un) = fan
        .post(&format!("/api/v1/statuses/{id}/unbookmark"), json!({}))
        .await;
    assert_eq!(un["bookmarked"], false);
    let (_, rel) = fan
        .post(&format!("/api/v1/accounts/{pro_id}/unfollow"), json!({}))
        .await;
    assert_eq!(rel["following"], false);
}

async fn concurrent_writes_and_boosts_stay_consistent(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_bond").await;
    let (fan, _) = person(&app, "eager_fan", Role::Member).await;
    let pro = std::sync::Arc::new(pro);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let pro = pro.clone();
        tasks.push(tokio::spawn(async move {
            pro.post(
                "/api/v1/statuses",
                json!({"status": format!("Concurrent tip {i}.")}),
            )
            .await
            .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200, "no 'database is locked'");
    }
    let post = pro.publish(json!({"status": "Boost me once."})).await;
    let id = post["id"].as_str().unwrap().to_string();
    let fan = std::sync::Arc::new(fan);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (fan, id) = (fan.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            fan.post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
                .await
                .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE reblog_of_id = {id}"
        ))
        .await,
        1
    );
    let (_, read) = pro.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(read["reblogs_count"], 1);
    let (_, un) = fan
        .post(&format!("/api/v1/statuses/{id}/unreblog"), json!({}))
        .await;
    assert_eq!(un["reblogs_count"], 0);
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
    let res = app.post_form(&member, "/@dr_eads/follow", &csrf, &[]).await;
    assert_eq!(res.status(), 303);
    let (_, after) = page(&member, app.url("/@dr_eads")).await;
    assert!(after.contains("flu clinic opens"));
    assert!(after.contains("Following ✓"));
    let res = app
        .post_form(&member, "/topics/cancerscreening/follow", &csrf, &[])
        .await;
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

/// Followers and following lists, newest follow first, paged by following `Link` (as `toot
/// followers` and Mastodon.py's `fetch_next` do).
async fn followers_and_following_page_with_link(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_followed").await;
    let mut fans = Vec::new();
    for i in 0..5 {
        let (fan, fan_id) = person(&app, &format!("follower_{i}"), Role::Member).await;
        let (s, _) = fan
            .post(&format!("/api/v1/accounts/{pro_id}/follow"), json!({}))
            .await;
        assert_eq!(s, 200);
        fans.push(fan_id.to_string());
    }
    let newest_first: Vec<String> = fans.iter().rev().cloned().collect();
    let mut seen = Vec::new();
    let mut next = Some(format!("/api/v1/accounts/{pro_id}/followers?limit=2"));
    while let Some(url) = next.take() {
        let (s, page, link) = pro.get_paged(&url).await;
        assert_eq!(s, 200, "{page}");
        let page = ids(&page);
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        seen.extend(page);
        next = link.as_deref().and_then(crate::helpers::next_link);
    }
    assert_eq!(seen, newest_first, "every follower once, newest first");
    let (_, following) = pro
        .get(&format!("/api/v1/accounts/{}/following", fans[0]))
        .await;
    assert_eq!(ids(&following), vec![pro_id.to_string()]);
    let (_, none) = pro
        .get(&format!("/api/v1/accounts/{pro_id}/following"))
        .await;
    assert_eq!(none, json!([]));
    let (s, _) = pro.get("/api/v1/accounts/999999/followers").await;
    assert_eq!(s, 404);
}

/// `/api/v1/directory` lists professionals and organisations (never members), by activity or
/// newest, filtered by profession, specialty or verification; familiar followers are the
/// people the reader follows who follow an account.
async fn directory_and_familiar_followers(backend: Backend) {
    let app = spawn(backend).await;
    let (cardio, cardio_id) = verified_pro(&app, "dr_dir_heart").await;
    let (_, unverified_id) = person(&app, "dr_dir_new", Role::Professional).await;
    let (member, member_id) = person(&app, "dir_member", Role::Member).await;
    let (friend, friend_id) = person(&app, "dir_friend", Role::Member).await;
    // The helper's professionals are cardiologists: this one is not.
    sqlx::query("UPDATE profiles SET specialty = 'Dermatology' WHERE handle = 'dr_dir_new'")
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    cardio.publish(json!({"status": "Active today."})).await;
    let (_, listed) = member.get("/api/v1/directory").await;
    let listed = ids(&listed);
    assert_eq!(
        listed[0],
        cardio_id.to_string(),
        "the most recently active first"
    );
    assert!(listed.contains(&unverified_id.to_string()));
    assert!(
        !listed.contains(&member_id.to_string()),
        "members are never listed"
    );
    let (_, newest) = member.get("/api/v1/directory?order=new").await;
    assert_eq!(ids(&newest)[0], unverified_id.to_string());
    let (_, verified) = member.get("/api/v1/directory?verified_only=true").await;
    assert_eq!(ids(&verified), vec![cardio_id.to_string()]);
    let (_, cardiology) = member.get("/api/v1/directory?specialty=cardiology").await;
    assert_eq!(ids(&cardiology), vec![cardio_id.to_string()]);
    let (_, paged) = member.get("/api/v1/directory?limit=1&offset=1").await;
    assert_eq!(ids(&paged), vec![listed[1].clone()]);
    let (s, _) = member.get("/api/v1/directory?order=oldest").await;
    assert_eq!(s, 422);

    // The member follows a friend who follows the cardiologist.
    member
        .post(&format!("/api/v1/accounts/{friend_id}/follow"), json!({}))
        .await;
    friend
        .post(&format!("/api/v1/accounts/{cardio_id}/follow"), json!({}))
        .await;
    let (s, familiar) = member
        .get(&format!(
            "/api/v1/accounts/familiar_followers?id[]={cardio_id}&id[]={unverified_id}"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(familiar[0]["id"], cardio_id.to_string());
    assert_eq!(ids(&familiar[0]["accounts"]), vec![friend_id.to_string()]);
    assert_eq!(familiar[1]["accounts"], json!([]));
}

/// A locked account approves each follower: a follow is a request (the owner is notified),
/// followers-only posts reach only approved followers, a request is authorized or rejected,
/// and unlocking approves whoever still waits.
async fn locked_accounts_approve_their_followers(backend: Backend) {
    let app = spawn(backend).await;
    let (patient, patient_id) = person(&app, "locked_patient", Role::Member).await;
    let (asker, asker_id) = person(&app, "asker_one", Role::Member).await;
    let (other, other_id) = person(&app, "asker_two", Role::Member).await;
    let (s, me) = patient
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"locked": true}),
        )
        .await;
    assert_eq!((s, &me["locked"]), (200, &json!(true)), "{me}");
    let secret = patient
        .publish(
            json!({"status": "For my followers only: new diagnosis.", "visibility": "private"}),
        )
        .await;
    let (_, r) = asker
        .post(&format!("/api/v1/accounts/{patient_id}/follow"), json!({}))
        .await;
    assert_eq!(
        (&r["following"], &r["requested"]),
        (&json!(false), &json!(true)),
        "{r}"
    );
    other
        .post(&format!("/api/v1/accounts/{patient_id}/follow"), json!({}))
        .await;
    // Waiting: the private post stays private.
    let (s, _) = asker
        .get(&format!(
            "/api/v1/statuses/{}",
            secret["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 404);
    let (_, notes) = patient
        .get("/api/v1/notifications?types[]=follow_request")
        .await;
    assert_eq!(notes.as_array().unwrap().len(), 2, "{notes}");
    let (_, waiting) = patient.get("/api/v1/follow_requests").await;
    assert_eq!(
        ids(&waiting),
        vec![other_id.to_string(), asker_id.to_string()]
    );
    let (_, theirs) = patient
        .get(&format!("/api/v1/accounts/relationships?id[]={asker_id}"))
        .await;
    assert_eq!(theirs[0]["requested_by"], true);
    // Approved: they follow and read it. Rejected: nothing.
    let (s, r) = patient
        .post(
            &format!("/api/v1/follow_requests/{asker_id}/authorize"),
            json!({}),
        )
        .await;
    assert_eq!((s, &r["followed_by"]), (200, &json!(true)), "{r}");
    let (s, _) = asker
        .get(&format!(
            "/api/v1/statuses/{}",
            secret["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200);
    let (s, _) = patient
        .post(
            &format!("/api/v1/follow_requests/{other_id}/reject"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = patient
        .post(
            &format!("/api/v1/follow_requests/{other_id}/authorize"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "a rejected request is gone");
    let (s, _) = asker
        .post(
            &format!("/api/v1/follow_requests/{other_id}/authorize"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "only the one asked can answer");
    // Asking again and unlocking: approved.
    other
        .post(&format!("/api/v1/accounts/{patient_id}/follow"), json!({}))
        .await;
    let (_, me) = patient
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"locked": false}),
        )
        .await;
    assert_eq!(me["locked"], false);
    let (_, r) = other
        .get(&format!("/api/v1/accounts/relationships?id[]={patient_id}"))
        .await;
    assert_eq!(
        (&r[0]["following"], &r[0]["requested"]),
        (&json!(true), &json!(false))
    );
}

/// `favourited_by` and `reblogged_by`: newest first, paged by `Link`, and only for a post the
/// asker may read.
async fn who_liked_and_boosted_a_post(backend: Backend) {
    use crate::helpers::ApiClient;
    let app = spawn(backend).await;
    let (author, author_id) = person(&app, "who_author", Role::Member).await;
    let (bea, _) = person(&app, "who_bea", Role::Member).await;
    let (cal, _) = person(&app, "who_cal", Role::Member).await;
    let (stranger, _) = person(&app, "who_stranger", Role::Member).await;
    let post = author
        .publish(json!({"status": "Walking group meets at the park on Sunday"}))
        .await;
    let id = post["id"].as_str().unwrap();
    for (who, action) in [(&bea, "favourite"), (&cal, "favourite"), (&cal, "reblog")] {
        let (s, v) = who
            .post(&format!("/api/v1/statuses/{id}/{action}"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let anonymous = ApiClient::new(&app, None);
    let (s, likers, link) = anonymous
        .get_paged(&format!("/api/v1/statuses/{id}/favourited_by?limit=1"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(likers[0]["acct"], "who_cal", "newest first");
    let next = crate::helpers::next_link(&link.expect("a Link to the next page")).unwrap();
    let (_, older, _) = anonymous.get_paged(&next).await;
    assert_eq!(older[0]["acct"], "who_bea");
    assert_eq!(older.as_array().unwrap().len(), 1);
    let (_, boosters) = anonymous
        .get(&format!("/api/v1/statuses/{id}/reblogged_by"))
        .await;
    assert_eq!(ids(&boosters).len(), 1);
    assert_eq!(boosters[0]["acct"], "who_cal");

    // A followers-only post: its likers are shown to those who may read it, to nobody else.
    bea.post(&format!("/api/v1/accounts/{author_id}/follow"), json!({}))
        .await;
    let private = author
        .publish(json!({"status": "Only for my followers", "visibility": "private"}))
        .await;
    let private_id = private["id"].as_str().unwrap();
    let (s, _) = bea
        .post(
            &format!("/api/v1/statuses/{private_id}/favourite"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    for who in [&stranger, &anonymous] {
        let (s, _) = who
            .get(&format!("/api/v1/statuses/{private_id}/favourited_by"))
            .await;
        assert_eq!(s, 404);
    }
    let (s, likers) = bea
        .get(&format!("/api/v1/statuses/{private_id}/favourited_by"))
        .await;
    assert_eq!((s, likers[0]["acct"].clone()), (200, json!("who_bea")));
    let (s, _) = anonymous.get("/api/v1/statuses/12345/reblogged_by").await;
    assert_eq!(s, 404);
}
