//! Filters: a reader's keyword and post filters hide or fold posts in the contexts they name:
//! home, public and hashtag timelines, profiles, threads and notifications; keywords match as
//! Mastodon matches them; a filter is its owner's alone.

use crate::helpers::{person, spawn, verified_pro, ApiClient, Backend};
use credence_core::Role;
use serde_json::{json, Value};

both_backends!(
    filters_hide_and_fold_where_they_apply,
    filters_are_their_owners_alone
);

fn find<'a>(list: &'a Value, id: &Value) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|s| &s["id"] == id)
}

async fn filters_hide_and_fold_where_they_apply(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_filtered").await;
    let (reader, _) = person(&app, "filter_reader", Role::Member).await;
    reader
        .post(&format!("/api/v1/accounts/{pro_id}/follow"), json!({}))
        .await;
    // Folded at home and in public, with the title; hidden in threads and notifications.
    let (s, warn) = reader
        .post(
            "/api/v2/filters",
            json!({"title": "Not today", "context": ["home", "public", "account"],
                   "filter_action": "warn",
                   "keywords_attributes": [{"keyword": "chemotherapy", "whole_word": true}]}),
        )
        .await;
    assert_eq!(s, 200, "{warn}");
    assert_eq!(warn["keywords"][0]["keyword"], "chemotherapy");
    let (s, hide) = reader
        .post(
            "/api/v2/filters",
            json!({"title": "Never", "context": ["home", "thread", "notifications"],
                   "filter_action": "hide",
                   "keywords_attributes": [{"keyword": "prognos", "whole_word": false}]}),
        )
        .await;
    assert_eq!(s, 200, "{hide}");
    let folded = pro
        .publish(json!({"status": "What to expect from Chemotherapy, week by week."}))
        .await;
    let hidden = pro
        .publish(json!({"status": "Reading prognoses with care."}))
        .await;
    let plain = pro
        .publish(json!({"status": "Drink water on hot days."}))
        .await;

    let (_, home) = reader.get("/api/v1/timelines/home").await;
    let shown = find(&home, &folded["id"]).expect("a warned post is shown, folded");
    assert_eq!(shown["filtered"][0]["filter"]["title"], "Not today");
    assert_eq!(shown["filtered"][0]["keyword_matches"][0], "chemotherapy");
    assert!(
        find(&home, &hidden["id"]).is_none(),
        "a hidden post is left out (prefix match)"
    );
    assert_eq!(find(&home, &plain["id"]).unwrap()["filtered"], json!([]));
    let (_, public) = reader.get("/api/v1/timelines/public").await;
    assert!(
        find(&public, &hidden["id"]).is_some(),
        "the hide filter does not name public"
    );
    assert!(!find(&public, &folded["id"]).unwrap()["filtered"]
        .as_array()
        .unwrap()
        .is_empty());
    let (_, profile) = reader
        .get(&format!("/api/v1/accounts/{pro_id}/statuses"))
        .await;
    assert!(!find(&profile, &folded["id"]).unwrap()["filtered"]
        .as_array()
        .unwrap()
        .is_empty());
    // Someone else sees everything plainly.
    let (_, others) = pro.get("/api/v1/timelines/public").await;
    assert_eq!(find(&others, &folded["id"]).unwrap()["filtered"], json!([]));

    // Threads and notifications: a reply that mentions the reader.
    let reply = pro
        .publish(json!({"status": "@filter_reader the prognosis is good.",
                        "in_reply_to_id": plain["id"]}))
        .await;
    let (_, context) = reader
        .get(&format!(
            "/api/v1/statuses/{}/context",
            plain["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        find(&context["descendants"], &reply["id"]).is_none(),
        "hidden in the thread"
    );
    let (_, notes) = reader.get("/api/v1/notifications").await;
    assert!(
        !notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["status"]["id"] == reply["id"]),
        "hidden in notifications: {notes}"
    );

    // A filtered post (no keyword): its id in `status_matches`.
    let warn_id = warn["id"].as_str().unwrap();
    let (s, _) = reader
        .post(
            &format!("/api/v2/filters/{warn_id}/statuses"),
            json!({"status_id": plain["id"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert_eq!(
        find(&home, &plain["id"]).unwrap()["filtered"][0]["status_matches"][0],
        plain["id"]
    );

    // Changing a filter: its keyword is removed, the post shows plainly again.
    let keyword_id = warn["keywords"][0]["id"].as_str().unwrap();
    let (s, changed) = reader
        .put(
            &format!("/api/v2/filters/{warn_id}"),
            json!({"keywords_attributes": [{"id": keyword_id, "_destroy": true}]}),
        )
        .await;
    assert_eq!(s, 200, "{changed}");
    assert_eq!(changed["keywords"], json!([]));
    assert_eq!(
        changed["title"], "Not today",
        "what an update leaves out is kept"
    );
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert_eq!(find(&home, &folded["id"]).unwrap()["filtered"], json!([]));
    // An expired filter does nothing.
    let (s, _) = reader
        .put(
            &format!("/api/v2/filters/{}", hide["id"].as_str().unwrap()),
            json!({"expires_in": 1}),
        )
        .await;
    assert_eq!(s, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert!(find(&home, &hidden["id"]).is_some(), "expired");
    // Bad input.
    for body in [
        json!({"title": "", "context": ["home"]}),
        json!({"title": "x", "context": []}),
        json!({"title": "x", "context": ["everywhere"]}),
        json!({"title": "x", "context": ["home"], "filter_action": "blur"}),
        json!({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": ""}]}),
    ] {
        let (s, v) = reader.post("/api/v2/filters", body.clone()).await;
        assert_eq!(s, 422, "{body}: {v}");
    }
    let (_, all) = reader.get("/api/v2/filters").await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "refused filters are not kept"
    );
}

async fn filters_are_their_owners_alone(backend: Backend) {
    let app = spawn(backend).await;
    let (owner, _) = person(&app, "filter_owner", Role::Member).await;
    let (intruder, _) = person(&app, "filter_intruder", Role::Member).await;
    let anonymous = ApiClient::new(&app, None);
    let (_, filter) = owner
        .post(
            "/api/v2/filters",
            json!({"title": "My trigger words", "context": ["home"],
                   "keywords_attributes": [{"keyword": "relapse"}]}),
        )
        .await;
    let id = filter["id"].as_str().unwrap().to_string();
    let keyword = filter["keywords"][0]["id"].as_str().unwrap().to_string();
    let tries: Vec<(&str, String, Value)> = vec![
        ("GET", format!("/api/v2/filters/{id}"), json!(null)),
        (
            "PUT",
            format!("/api/v2/filters/{id}"),
            json!({"title": "Taken"}),
        ),
        ("DELETE", format!("/api/v2/filters/{id}"), json!(null)),
        ("GET", format!("/api/v2/filters/{id}/keywords"), json!(null)),
        (
            "POST",
            format!("/api/v2/filters/{id}/keywords"),
            json!({"keyword": "x"}),
        ),
        (
            "GET",
            format!("/api/v2/filters/keywords/{keyword}"),
            json!(null),
        ),
        (
            "PUT",
            format!("/api/v2/filters/keywords/{keyword}"),
            json!({"keyword": "x"}),
        ),
        (
            "DELETE",
            format!("/api/v2/filters/keywords/{keyword}"),
            json!(null),
        ),
        ("GET", format!("/api/v2/filters/{id}/statuses"), json!(null)),
    ];
    for who in [&intruder, &anonymous] {
        for (method, path, body) in &tries {
            let (s, v) = who.request(method, path, body).await;
            assert!(s == 404 || s == 401, "{method} {path}: {s} {v}");
            assert!(!v.to_string().contains("relapse"), "{v}");
        }
        let (_, theirs) = who.get("/api/v2/filters").await;
        assert!(!theirs.to_string().contains("trigger"), "{theirs}");
    }
    // A form, with the list as `name[][key]` (as Mastodon documents it).
    let res = owner
        .auth(
            owner
                .http
                .post(format!("{}/api/v2/filters", owner.base))
                .form(&[
                    ("title", "From a form"),
                    ("context[]", "home"),
                    ("context[]", "thread"),
                    ("keywords_attributes[][keyword]", "biopsy"),
                    ("keywords_attributes[][whole_word]", "true"),
                    ("keywords_attributes[][keyword]", "scan results"),
                    ("keywords_attributes[][whole_word]", "false"),
                ]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let form_made: Value = res.json().await.unwrap();
    let words: Vec<&str> = form_made["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["keyword"].as_str().unwrap())
        .collect();
    assert_eq!(words, ["biopsy", "scan results"], "{form_made}");
    assert_eq!(form_made["keywords"][1]["whole_word"], false);
    assert_eq!(form_made["context"].as_array().unwrap().len(), 2);
    let (s, _) = owner.get("/api/v2/filters/0").await;
    assert_eq!(s, 404, "no filter has id 0");
    let (_, mine) = owner.get(&format!("/api/v2/filters/{id}")).await;
    assert_eq!(mine["title"], "My trigger words");
    assert_eq!(mine["keywords"][0]["keyword"], "relapse");
}
