//! Notifications as Mastodon apps read them: filtered by type, paged with `Link`, counted
//! unread against the read marker the web shares, dismissed one by one, and grouped (v2).

use crate::helpers::{next_link, person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::{json, Value};

both_backends!(
    notifications_filter_page_and_count_as_apps_ask,
    notifications_are_grouped_as_mastodon_groups_them,
    markers_are_shared_by_apps_and_the_web,
);

fn types_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_string())
        .collect()
}

/// A professional with a post that `fans` like, one follow and one reply that mentions them.
async fn busy_professional(app: &crate::helpers::TestApp, fans: usize) -> (ApiClient, String) {
    let (pro, pro_id) = verified_pro(app, "dr_bell").await;
    let post = pro
        .publish(json!({"status": "Flu shots are available at the clinic."}))
        .await;
    let id = post["id"].as_str().unwrap().to_string();
    let mut first_fan = None;
    for i in 0..fans {
        let (fan, _) = person(app, &format!("fan_{i}"), Role::Member).await;
        let (s, _) = fan
            .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
            .await;
        assert_eq!(s, 200);
        first_fan.get_or_insert(fan);
    }
    // Then the first fan follows and asks, so the newest are a mention and a follow.
    let fan = first_fan.unwrap();
    fan.post(&format!("/api/v1/accounts/{pro_id}/follow"), json!({}))
        .await;
    fan.publish(json!({"status": "@dr_bell which clinic?", "in_reply_to_id": id}))
        .await;
    (pro, id)
}

async fn notifications_filter_page_and_count_as_apps_ask(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = busy_professional(&app, 3).await;
    let (s, all) = pro.get("/api/v1/notifications").await;
    assert_eq!(s, 200);
    assert_eq!(
        types_of(&all),
        ["mention", "follow", "favourite", "favourite", "favourite"]
    );
    // A mentions page gets mentions only (replies are mentions to apps).
    let (_, mentions) = pro.get("/api/v1/notifications?types[]=mention").await;
    assert_eq!(types_of(&mentions), ["mention"]);
    let (_, others) = pro
        .get("/api/v1/notifications?exclude_types[]=favourite&exclude_types[]=mention")
        .await;
    assert_eq!(types_of(&others), ["follow"]);
    let fan_0 = all[1]["account"]["id"].as_str().unwrap();
    let (_, by_fan) = pro
        .get(&format!("/api/v1/notifications?account_id={fan_0}"))
        .await;
    assert_eq!(types_of(&by_fan), ["mention", "follow", "favourite"]);
    assert_eq!(by_fan[2]["account"]["id"], fan_0);
    // Paging follows `Link`, which keeps the filter.
    let (_, first, link) = pro
        .get_paged("/api/v1/notifications?types[]=favourite&limit=2")
        .await;
    assert_eq!(types_of(&first), ["favourite", "favourite"]);
    let next = next_link(&link.expect("a Link header")).unwrap();
    assert!(next.contains("types[]=favourite"), "{next}");
    let (_, second, _) = pro.get_paged(&next).await;
    assert_eq!(types_of(&second), ["favourite"]);
    assert_ne!(first[1]["id"], second[0]["id"]);
    let newest = all[0]["id"].as_str().unwrap();
    let (_, newer) = pro
        .get(&format!(
            "/api/v1/notifications?since_id={}",
            all[2]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(newer.as_array().unwrap().len(), 2);
    let (_, after) = pro
        .get(&format!(
            "/api/v1/notifications?min_id={}&limit=1",
            all[2]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(after[0]["id"], all[1]["id"], "min_id: the page just after");
    // One at a time, and only one's own.
    let (s, one) = pro.get(&format!("/api/v1/notifications/{newest}")).await;
    assert_eq!((s, one["type"].as_str()), (200, Some("mention")));
    let (stranger, _) = person(&app, "stranger", Role::Member).await;
    let (s, _) = stranger
        .get(&format!("/api/v1/notifications/{newest}"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = stranger
        .post(
            &format!("/api/v1/notifications/{newest}/dismiss"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "someone else's notification cannot be dismissed");
    // Unread until the marker passes them.
    let (_, count) = pro.get("/api/v1/notifications/unread_count").await;
    assert_eq!(count["count"], 5);
    let (_, count) = pro
        .get("/api/v1/notifications/unread_count?types[]=mention")
        .await;
    assert_eq!(count["count"], 1);
    let (s, _) = pro
        .post(
            "/api/v1/markers",
            json!({"notifications": {"last_read_id": all[2]["id"]}}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, count) = pro.get("/api/v1/notifications/unread_count").await;
    assert_eq!(count["count"], 2);
    let (s, _) = pro
        .post(
            &format!("/api/v1/notifications/{newest}/dismiss"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, rest) = pro.get("/api/v1/notifications").await;
    assert_eq!(
        types_of(&rest),
        ["follow", "favourite", "favourite", "favourite"]
    );
}

async fn notifications_are_grouped_as_mastodon_groups_them(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, post_id) = busy_professional(&app, 3).await;
    let (s, grouped, _) = pro.get_paged("/api/v2/notifications").await;
    assert_eq!(s, 200, "{grouped}");
    let groups = grouped["notification_groups"].as_array().unwrap();
    assert_eq!(
        groups
            .iter()
            .map(|g| g["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["mention", "follow", "favourite"]
    );
    let likes = &groups[2];
    assert_eq!(likes["notifications_count"], 3);
    assert_eq!(likes["status_id"], post_id.as_str());
    assert_eq!(likes["sample_account_ids"].as_array().unwrap().len(), 3);
    let key = likes["group_key"].as_str().unwrap();
    assert!(key.starts_with(&format!("favourite-{post_id}-")), "{key}");
    assert!(groups[0]["group_key"]
        .as_str()
        .unwrap()
        .starts_with("ungrouped-"));
    // Every account and status named is given once.
    let accounts = grouped["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3, "three fans");
    let statuses = grouped["statuses"].as_array().unwrap();
    assert_eq!(statuses.len(), 2, "the post and the reply");
    // Without grouping favourites, each is its own.
    let (_, ungrouped) = pro
        .get("/api/v2/notifications?grouped_types[]=follow")
        .await;
    assert_eq!(
        ungrouped["notification_groups"].as_array().unwrap().len(),
        5
    );
    // Pages hold `limit` groups and link on.
    let (_, first, link) = pro.get_paged("/api/v2/notifications?limit=2").await;
    assert_eq!(first["notification_groups"].as_array().unwrap().len(), 2);
    let (_, second, _) = pro.get_paged(&next_link(&link.unwrap()).unwrap()).await;
    let second = second["notification_groups"].as_array().unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0]["group_key"], key);
    // One group, its people, the unread count in groups, dismissing it.
    let (s, one) = pro.get(&format!("/api/v2/notifications/{key}")).await;
    assert_eq!(s, 200);
    assert_eq!(one["notification_groups"][0]["notifications_count"], 3);
    let (s, people) = pro
        .get(&format!("/api/v2/notifications/{key}/accounts"))
        .await;
    assert_eq!((s, people.as_array().unwrap().len()), (200, 3));
    let (_, unread) = pro.get("/api/v2/notifications/unread_count").await;
    assert_eq!(unread["count"], 3);
    let (stranger, _) = person(&app, "stranger", Role::Member).await;
    let (s, _) = stranger.get(&format!("/api/v2/notifications/{key}")).await;
    assert_eq!(s, 404);
    let (s, _) = stranger
        .post(&format!("/api/v2/notifications/{key}/dismiss"), json!({}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = pro
        .post(&format!("/api/v2/notifications/{key}/dismiss"), json!({}))
        .await;
    assert_eq!(s, 200);
    let (_, after) = pro.get("/api/v1/notifications").await;
    assert_eq!(types_of(&after), ["mention", "follow"]);

    // A group takes new likes for 12 hours from when it began, then a new one starts.
    let hour_ms = 3_600_000_i64;
    let (fan, _) = person(&app, "late_fan", Role::Member).await;
    fan.post(&format!("/api/v1/statuses/{post_id}/favourite"), json!({}))
        .await;
    let (_, now) = pro.get("/api/v2/notifications?types[]=favourite").await;
    let current = now["notification_groups"][0]["group_key"]
        .as_str()
        .unwrap()
        .to_string();
    let hour: i64 = current.rsplit_once('-').unwrap().1.parse().unwrap();
    let began_13h_ago = format!("favourite-{post_id}-{}", hour - 13);
    sqlx::query("UPDATE notifications SET group_key = $1, created_at = created_at - $2 WHERE group_key = $3")
        .bind(&began_13h_ago)
        .bind(13 * hour_ms)
        .bind(&current)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    let (later_fan, _) = person(&app, "later_fan", Role::Member).await;
    later_fan
        .post(&format!("/api/v1/statuses/{post_id}/favourite"), json!({}))
        .await;
    let (_, split) = pro.get("/api/v2/notifications?types[]=favourite").await;
    let keys: Vec<&str> = split["notification_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [current.as_str(), began_13h_ago.as_str()],
        "a new group after 12 hours"
    );
}

async fn markers_are_shared_by_apps_and_the_web(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = busy_professional(&app, 2).await;
    let (s, none) = pro
        .get("/api/v1/markers?timeline[]=home&timeline[]=notifications")
        .await;
    assert_eq!((s, none), (200, json!({})));
    // Form-encoded, as some apps send it.
    let res = pro
        .auth(pro.http.post(format!("{}/api/v1/markers", pro.base)))
        .form(&[("home[last_read_id]", "12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["home"]["last_read_id"], "12345");
    assert_eq!(saved["home"]["version"], 1);
    let (_, saved) = pro
        .post(
            "/api/v1/markers",
            json!({"home": {"last_read_id": "12346"}}),
        )
        .await;
    assert_eq!(saved["home"]["version"], 2, "each save raises the version");
    let (s, bad) = pro
        .post("/api/v1/markers", json!({"inbox": {"last_read_id": "1"}}))
        .await;
    assert_eq!(s, 422);
    assert!(bad["error"].as_str().unwrap().contains("home"), "{bad}");
    let (s, _) = pro.post("/api/v1/markers", json!({})).await;
    assert_eq!(s, 422);
    // Reading the web page moves the same marker.
    let (_, unread) = pro.get("/api/v1/notifications/unread_count").await;
    assert_eq!(unread["count"], 4);
    let web = app.signed_in("dr_bell@example.org").await;
    let res = web.get(app.url("/notifications")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (_, unread) = pro.get("/api/v1/notifications/unread_count").await;
    assert_eq!(unread["count"], 0);
    let (_, all) = pro.get("/api/v1/notifications").await;
    let (_, markers) = pro.get("/api/v1/markers?timeline[]=notifications").await;
    assert_eq!(markers["notifications"]["last_read_id"], all[0]["id"]);
    // Another person's markers are theirs.
    let (other, _) = person(&app, "other_reader", Role::Member).await;
    let (_, theirs) = other.get("/api/v1/markers?timeline[]=notifications").await;
    assert_eq!(theirs, json!({}));
}
