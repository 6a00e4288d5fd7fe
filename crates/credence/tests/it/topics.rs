//! Topics: a hashtag used only in private posts stays private.

use crate::helpers::{browser, person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::json;

both_backends!(private_hashtags_stay_private,);

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
