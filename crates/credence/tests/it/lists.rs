//! Lists: made, renamed and deleted by their owner only; members are people the owner
//! follows; the list timeline shows the members' posts the owner may read, with the replies
//! its policy keeps; nobody else can see a list, its members or its timeline.

use crate::helpers::{ids, person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::{json, Value};

both_backends!(lists_from_apps, lists_are_their_owners_alone);

async fn follow(who: &ApiClient, id: i64) {
    let (s, _) = who
        .post(&format!("/api/v1/accounts/{id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
}

async fn lists_from_apps(backend: Backend) {
    let app = spawn(backend).await;
    let (owner, _) = person(&app, "list_owner", Role::Member).await;
    let (cardio, cardio_id) = verified_pro(&app, "dr_cardio").await;
    let (neuro, neuro_id) = verified_pro(&app, "dr_neuro").await;
    let (other, other_id) = verified_pro(&app, "dr_other").await;
    follow(&owner, cardio_id).await;
    follow(&owner, neuro_id).await;

    let (s, list) = owner
        .post("/api/v1/lists", json!({"title": "Heart team"}))
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(
        (&list["title"], &list["replies_policy"]),
        (&json!("Heart team"), &json!("list"))
    );
    let list_id = list["id"].as_str().unwrap().to_string();
    // Members: only people the owner follows; the DELETE takes its ids in the query.
    let (s, refused) = owner
        .post(
            &format!("/api/v1/lists/{list_id}/accounts"),
            json!({"account_ids": [other_id.to_string()]}),
        )
        .await;
    assert_eq!(s, 422, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("Follow"),
        "{refused}"
    );
    let res = owner
        .auth(
            owner
                .http
                .post(format!("{}/api/v1/lists/{list_id}/accounts", owner.base))
                .form(&[
                    ("account_ids[]", cardio_id.to_string()),
                    ("account_ids[]", neuro_id.to_string()),
                ]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, members) = owner
        .get(&format!("/api/v1/lists/{list_id}/accounts"))
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    let (_, holding) = owner
        .get(&format!("/api/v1/accounts/{cardio_id}/lists"))
        .await;
    assert_eq!(holding[0]["id"], list_id.as_str());

    // The timeline: members' posts, replies to members (policy `list`), not others'.
    let heart = cardio
        .publish(json!({"status": "Heart failure clinic opens Monday."}))
        .await;
    let stranger_post = other.publish(json!({"status": "Unrelated news."})).await;
    let to_member = neuro
        .publish(json!({"status": "@dr_cardio good news.", "in_reply_to_id": heart["id"]}))
        .await;
    let to_other = neuro
        .publish(json!({"status": "@dr_other thanks.", "in_reply_to_id": stranger_post["id"]}))
        .await;
    let private = neuro
        .publish(json!({"status": "For followers only.", "visibility": "private"}))
        .await;
    let timeline = format!("/api/v1/timelines/list/{list_id}");
    let (_, shown) = owner.get(&timeline).await;
    let shown = ids(&shown);
    for (post, expected) in [
        (&heart, true),
        (&to_member, true),
        (&private, true),
        (&stranger_post, false),
        (&to_other, false),
    ] {
        let id = post["id"].as_str().unwrap().to_string();
        assert_eq!(shown.contains(&id), expected, "{post}");
    }
    // Policy `none`: no replies; `followed`: replies to people the owner follows.
    let (s, renamed) = owner
        .put(
            &format!("/api/v1/lists/{list_id}"),
            json!({"replies_policy": "none"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        renamed["title"], "Heart team",
        "a change keeps what it leaves out"
    );
    let (_, shown) = owner.get(&timeline).await;
    assert!(!ids(&shown).contains(&to_member["id"].as_str().unwrap().to_string()));
    let (s, bad) = owner
        .put(
            &format!("/api/v1/lists/{list_id}"),
            json!({"replies_policy": "everyone"}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let (s, bad) = owner.post("/api/v1/lists", json!({"title": "  "})).await;
    assert_eq!(s, 422, "{bad}");

    // Removing a member (ids in the query string), then the list.
    let res = owner
        .auth(owner.http.delete(format!(
            "{}/api/v1/lists/{list_id}/accounts?account_ids[]={neuro_id}",
            owner.base
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, members) = owner
        .get(&format!("/api/v1/lists/{list_id}/accounts"))
        .await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    let (s, _) = owner.delete(&format!("/api/v1/lists/{list_id}")).await;
    assert_eq!(s, 200);
    let (_, none) = owner.get("/api/v1/lists").await;
    assert_eq!(none, json!([]));
}

/// Every list path, tried by someone else and by nobody: not found or refused, and nothing
/// changes.
async fn lists_are_their_owners_alone(backend: Backend) {
    let app = spawn(backend).await;
    let (owner, _) = person(&app, "secret_lister", Role::Member).await;
    let (pro, pro_id) = verified_pro(&app, "dr_listed").await;
    let (intruder, _) = person(&app, "list_intruder", Role::Member).await;
    let anonymous = ApiClient::new(&app, None);
    follow(&owner, pro_id).await;
    follow(&intruder, pro_id).await;
    let (_, list) = owner
        .post("/api/v1/lists", json!({"title": "Private list"}))
        .await;
    let id = list["id"].as_str().unwrap().to_string();
    owner
        .post(
            &format!("/api/v1/lists/{id}/accounts"),
            json!({"account_ids": [pro_id]}),
        )
        .await;
    pro.publish(json!({"status": "Seen by the list owner."}))
        .await;
    let tries: Vec<(&str, String, Value)> = vec![
        ("GET", format!("/api/v1/lists/{id}"), json!(null)),
        (
            "PUT",
            format!("/api/v1/lists/{id}"),
            json!({"title": "Taken"}),
        ),
        ("DELETE", format!("/api/v1/lists/{id}"), json!(null)),
        ("GET", format!("/api/v1/lists/{id}/accounts"), json!(null)),
        (
            "POST",
            format!("/api/v1/lists/{id}/accounts"),
            json!({"account_ids": [pro_id]}),
        ),
        (
            "DELETE",
            format!("/api/v1/lists/{id}/accounts?account_ids[]={pro_id}"),
            json!(null),
        ),
        ("GET", format!("/api/v1/timelines/list/{id}"), json!(null)),
    ];
    for who in [&intruder, &anonymous] {
        for (method, path, body) in &tries {
            let (s, v) = who.request(method, path, body).await;
            assert!(s == 404 || s == 401, "{method} {path}: {s} {v}");
            assert!(!v.to_string().contains("Private list"), "{v}");
            assert!(!v.to_string().contains("Seen by the list owner"), "{v}");
        }
        let (_, theirs) = who.get("/api/v1/lists").await;
        assert!(!theirs.to_string().contains("Private list"));
        let (_, holding) = who.get(&format!("/api/v1/accounts/{pro_id}/lists")).await;
        assert!(!holding.to_string().contains("Private list"));
    }
    // Still whole.
    let (_, list) = owner.get(&format!("/api/v1/lists/{id}")).await;
    assert_eq!(list["title"], "Private list");
    let (_, members) = owner.get(&format!("/api/v1/lists/{id}/accounts")).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
}
