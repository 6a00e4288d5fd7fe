//! Topics: a hashtag used only in private posts stays private; apps follow hashtags.

use crate::helpers::{browser, person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::json;

both_backends!(
    private_hashtags_stay_private,
    hashtags_are_followed_from_apps,
    featured_hashtags_on_a_profile,
);

async fn private_hashtags_stay_private(backend: Backend) {
    let app = spawn(backend).await;
    let (member, _) = person(&app, "quiet_one", Role::Member).await;
    let (_pro, _) = verified_pro(&app, "dr_zane").await;
    member
        .publish(json!({"status": "@dr_zane question #secretdxabc", "visibility": "direct"}))
        .await;
    let (s, draft) = member
        .post(
            "/api/v1/statuses",
            json!({"status": "#draftonlytag", "draft": true}),
        )
        .await;
    assert_eq!(s, 200, "the draft is saved: {draft}");
    let anon = ApiClient::new(&app, None);
    for tag in ["secretdxabc", "draftonlytag"] {
        let (_, r) = anon.get(&format!("/api/v2/search?q={tag}")).await;
        assert!(r["hashtags"].as_array().unwrap().is_empty(), "{tag}: {r}");
        let res = browser()
            .get(app.url(&format!("/topics/{tag}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{tag}");
    }
}

/// `toot tags follow`, Phanpy's followed hashtags: following by name (a new hashtag too),
/// the followed list, the hashtag with `following`, posts on it reaching home, unfollowing;
/// following a hashtag used only in a private post answers as for any new one and shows
/// none of it.
async fn hashtags_are_followed_from_apps(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_tagged").await;
    let (reader, _) = person(&app, "tag_reader", Role::Member).await;
    let anonymous = ApiClient::new(&app, None);
    let (s, tag) = reader
        .post("/api/v1/tags/%23Insulinpumps/follow", json!({}))
        .await;
    assert_eq!(s, 200, "{tag}");
    assert_eq!(
        (&tag["name"], &tag["following"]),
        (&json!("insulinpumps"), &json!(true))
    );
    let (_, followed) = reader.get("/api/v1/followed_tags").await;
    assert_eq!(followed[0]["name"], "insulinpumps");
    let (s, shown) = reader.get("/api/v1/tags/insulinpumps").await;
    assert_eq!((s, &shown["following"]), (200, &json!(true)));
    let (s, _) = anonymous.get("/api/v1/tags/insulinpumps").await;
    assert_eq!(s, 404, "no public post uses it yet");
    // A post on it reaches the follower's home, though they follow no one.
    let post = pro
        .publish(json!({"status": "New guidance on #insulinpumps and travel."}))
        .await;
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert!(
        home.as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == post["id"]),
        "{home}"
    );
    let (s, shown) = anonymous.get("/api/v1/tags/insulinpumps").await;
    assert_eq!(s, 200);
    assert!(
        shown.get("following").is_none(),
        "no `following` without a reader"
    );
    // Unfollowing.
    let (s, tag) = reader
        .post("/api/v1/tags/insulinpumps/unfollow", json!({}))
        .await;
    assert_eq!((s, &tag["following"]), (200, &json!(false)));
    let (_, followed) = reader.get("/api/v1/followed_tags").await;
    assert_eq!(followed, json!([]));
    let (s, bad) = reader.post("/api/v1/tags/%21%21/follow", json!({})).await;
    assert_eq!(s, 422, "{bad}");
    // A hashtag used only in a followers-only post: following it reveals nothing.
    pro.publish(json!({"status": "For followers: #quietclinicnews", "visibility": "private"}))
        .await;
    let (s, tag) = reader
        .post("/api/v1/tags/quietclinicnews/follow", json!({}))
        .await;
    assert_eq!((s, &tag["name"]), (200, &json!("quietclinicnews")));
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert!(
        !home.as_array().unwrap().iter().any(|s| s["content"]
            .as_str()
            .unwrap_or("")
            .contains("quietclinicnews")),
        "{home}"
    );
}

/// A professional features the hashtags they post about: suggested from their public posts,
/// counted from public posts only, at most ten, removed by their owner only.
async fn featured_hashtags_on_a_profile(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_featured").await;
    let (other, _) = person(&app, "not_the_owner", Role::Member).await;
    pro.publish(json!({"status": "Statins and #cholesterol, part one."}))
        .await;
    pro.publish(json!({"status": "Statins and #cholesterol, part two."}))
        .await;
    pro.publish(json!({"status": "For followers: #cholesterol notes.", "visibility": "private"}))
        .await;
    pro.publish(json!({"status": "A word on #sleep."})).await;
    let (_, suggested) = pro.get("/api/v1/featured_tags/suggestions").await;
    assert_eq!(
        suggested[0]["name"], "cholesterol",
        "most used first: {suggested}"
    );
    let (s, featured) = pro
        .post("/api/v1/featured_tags", json!({"name": "#cholesterol"}))
        .await;
    assert_eq!(s, 200, "{featured}");
    assert_eq!(featured["statuses_count"], "2", "public posts only");
    let (_, shown) = ApiClient::new(&app, None)
        .get(&format!("/api/v1/accounts/{pro_id}/featured_tags"))
        .await;
    assert_eq!(shown[0]["name"], "cholesterol");
    let (_, suggested) = pro.get("/api/v1/featured_tags/suggestions").await;
    assert_eq!(
        suggested[0]["name"], "sleep",
        "featured ones are not suggested"
    );
    for i in 0..9 {
        let (s, _) = pro
            .post(
                "/api/v1/featured_tags",
                json!({"name": format!("topic{i}")}),
            )
            .await;
        assert_eq!(s, 200);
    }
    let (s, refused) = pro
        .post("/api/v1/featured_tags", json!({"name": "onetoomany"}))
        .await;
    assert_eq!(s, 422, "{refused}");
    let id = featured["id"].as_str().unwrap();
    let (s, _) = other.delete(&format!("/api/v1/featured_tags/{id}")).await;
    assert_eq!(s, 404, "not theirs");
    let (s, _) = pro.delete(&format!("/api/v1/featured_tags/{id}")).await;
    assert_eq!(s, 200);
    let (_, mine) = pro.get("/api/v1/featured_tags").await;
    assert_eq!(mine.as_array().unwrap().len(), 9);
}
