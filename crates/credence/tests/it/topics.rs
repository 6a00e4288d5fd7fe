//! Topics: a hashtag used only in private posts stays private; apps follow hashtags.

use crate::helpers::{browser, person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::json;

both_backends!(
    private_hashtags_stay_private,
    hashtags_are_followed_from_apps,
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
