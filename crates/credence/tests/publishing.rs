//! Publishing through the Mastodon-compatible API, over loopback, on both backends: the
//! credibility rules that must refuse, visibility that must not leak, rendering that must not
//! let script through, media that must lose its GPS data, search, feeds and notifications.

mod common;

use common::{spawn, Backend, TestApp};
use credence_core::posts;
use credence_core::Role;
use credence_core::{profiles, verification};
use serde_json::{json, Value};

both_backends!(
    publish_read_edit_and_delete,
    phi_needs_consent_and_consent_stays_private,
    commercial_interest_needs_a_disclosure,
    research_updates_need_a_peer_reviewed_source,
    members_are_warned_before_oversharing,
    followers_only_posts_never_reach_strangers,
    articles_are_sanitised,
    images_lose_their_gps_data_and_need_alt_text,
    videos_are_served_with_ranges,
    search_understands_medical_synonyms,
    interactions_and_notifications,
    scheduled_posts_publish_once,
    explore_ranks_credible_content_first,
    timelines_page_by_keyset,
    peer_review_and_coauthors,
    bad_input_gets_clear_errors,
    published_audience_cannot_narrow_under_a_boost,
    explore_pages_past_the_first,
    phi_is_checked_everywhere_readers_look,
    consent_covers_only_what_was_consented,
    private_hashtags_stay_private,
    doi_grading_follows_the_prefix,
    concurrent_writes_and_boosts_stay_consistent,
    edits_keep_what_they_leave_out,
    small_review_findings,
    home_feeds_and_cached_statuses_stay_current,
    replies_to_private_messages_stay_private,
    home_pages_follow_changes_made_elsewhere,
);

struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    fn new(app: &TestApp, token: Option<String>) -> Client {
        Client {
            http: common::api(),
            base: app.base.clone(),
            token,
        }
    }

    fn auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = self.auth(req).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.put(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }

    /// Posts a status that must be accepted; returns it.
    async fn publish(&self, body: Value) -> Value {
        let (s, v) = self.post("/api/v1/statuses", body).await;
        assert_eq!(s, 200, "{v}");
        v
    }
}

async fn person(app: &TestApp, handle: &str, role: Role) -> (Client, i64) {
    let (_, profile) = if role == Role::Professional {
        app.professional(handle).await
    } else {
        app.user(handle, role).await
    };
    (Client::new(app, Some(app.token(handle).await)), profile.id)
}

async fn verified_pro(app: &TestApp, handle: &str) -> (Client, i64) {
    let (client, id) = person(app, handle, Role::Professional).await;
    verification::verify_directly(&app.core, None, id, "test")
        .await
        .unwrap();
    (client, id)
}

fn id_of(status: &Value) -> i64 {
    status["id"].as_str().unwrap().parse().unwrap()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

async fn publish_read_edit_and_delete(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_ames").await;
    let (other, _) = person(&app, "dr_brook", Role::Professional).await;
    let anon = Client::new(&app, None);

    let status = pro
        .publish(json!({"status": "Wash your hands for 20 seconds. #Flu season is here."}))
        .await;
    let id = status["id"].as_str().unwrap().to_string();
    assert_eq!(status["visibility"], "public");
    assert_eq!(status["account"]["username"], "dr_ames");
    assert!(status["content"]
        .as_str()
        .unwrap()
        .contains("href=\"/topics/flu\""));
    assert_eq!(status["tags"][0]["name"], "flu");
    assert!(status["credence"]["label"].is_string());
    assert!(status["credence"]["label_text"].is_string());

    let (s, read) = anon.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(read["id"], id);
    assert!(read["edited_at"].is_null());

    // Someone else can neither edit nor delete it.
    let (s, v) = other
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "hijacked"}),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    let (s, _) = other.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 403);
    let (_, still) = anon.get(&format!("/api/v1/statuses/{id}")).await;
    assert!(still["content"]
        .as_str()
        .unwrap()
        .contains("Wash your hands"));

    // The author edits: "edited" shows, the old version is kept.
    let (s, edited) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "Wash your hands for at least 20 seconds. #Flu"}),
        )
        .await;
    assert_eq!(s, 200, "{edited}");
    assert!(edited["edited_at"].is_string());
    let (s, history) = anon.get(&format!("/api/v1/statuses/{id}/history")).await;
    assert_eq!(s, 200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert!(history[0]["content"]
        .as_str()
        .unwrap()
        .contains("for 20 seconds"));
    assert!(history[1]["content"].as_str().unwrap().contains("at least"));

    // A reply, then delete the original: a tombstone, gone from reads and timelines.
    let reply = other
        .publish(json!({"status": "Thanks, sharing with my patients.", "in_reply_to_id": id}))
        .await;
    assert_eq!(reply["in_reply_to_id"], id);
    let (_, ctx) = anon.get(&format!("/api/v1/statuses/{id}/context")).await;
    assert_eq!(
        ids(&ctx["descendants"]),
        vec![reply["id"].as_str().unwrap()]
    );
    let (s, deleted) = pro.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 200);
    assert!(deleted["text"].as_str().unwrap().contains("at least"));
    let (s, _) = anon.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 404);
    let (_, public) = anon.get("/api/v1/timelines/public").await;
    assert!(!ids(&public).contains(&id));
    let row_body: String = {
        use sqlx::Row;
        sqlx::query("SELECT body FROM posts WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(&app.core.db.pool)
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(row_body, "", "a deleted post keeps no content");
    assert_eq!(app.count("SELECT COUNT(*) FROM post_versions").await, 0);
    // The reply survives, pointing at the tombstone.
    let (s, _) = anon
        .get(&format!(
            "/api/v1/statuses/{}",
            reply["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200);
    let (s, _) = pro.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 404, "deleting twice");
}

async fn phi_needs_consent_and_consent_stays_private(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_cole").await;
    let (stranger, _) = person(&app, "curious", Role::Member).await;
    let text = "Case study: my patient John Carter, born 03/14/1961, MRN 44817235, \
                recovered well after the bypass.";
    let (s, refused) = pro.post("/api/v1/statuses", json!({"status": text})).await;
    assert_eq!(s, 422, "{refused}");
    assert_eq!(refused["error_code"], "phi");
    assert!(!refused["report"]["phi"].as_array().unwrap().is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 0);

    // Consent with a future date is refused; a real record lets it through.
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": text, "consent": {"patient_name": "John Carter",
                   "scope": "This case study on Credence", "consented_on": "2999-01-01"}}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let ok = pro
        .publish(
            json!({"status": text, "consent": {"patient_name": "John Carter",
              "scope": "This case study on Credence", "consented_on": "2026-11-02"}}),
        )
        .await;
    let id: i64 = ok["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(ok["credence"]["label"], "blocked_phi");
    assert_eq!(
        ok["credence"]["label_text"],
        "Shared with the patient's written consent"
    );
    // The consent record is nowhere in what readers get…
    let (_, read) = stranger.get(&format!("/api/v1/statuses/{id}")).await;
    assert!(!read.to_string().contains("This case study on Credence"));
    // …and only the author can read it through the core service.
    let (author, _) = app.user("nobody_else", Role::Member).await;
    assert!(posts::consents(&app.core, &author, id).await.is_err());
    let owner = credence_core::accounts::token_info(&app.core, pro.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap();
    let records = posts::consents(&app.core, &owner, id).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].consented_on, "2026-11-02");

    // Fixing a typo later does not ask for the consent again: the record covers the post.
    let (s, edited) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": text.replace("recovered well", "recovered fully")}),
        )
        .await;
    assert_eq!(s, 200, "{edited}");

    // Redacting instead also publishes.
    let redacted = pro
        .publish(json!({"status": "Case study: my patient [NAME], in his 60s, recovered well after the bypass."}))
        .await;
    assert_ne!(redacted["credence"]["label"], "blocked_phi");
}

async fn commercial_interest_needs_a_disclosure(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_diaz").await;
    let text =
        "I recommend Ozempic to all my patients. Use my code SAVE20 at checkout for 20% off!";
    let (s, refused) = pro.post("/api/v1/statuses", json!({"status": text})).await;
    assert_eq!(s, 422, "{refused}");
    assert_eq!(refused["error_code"], "disclosure_required");
    let ok = pro
        .publish(json!({"status": text, "disclosure": "I am a paid speaker for Novo Nordisk."}))
        .await;
    assert!(ok["content"]
        .as_str()
        .unwrap()
        .contains("Disclosure: I am a paid speaker for Novo Nordisk."));
    assert_eq!(
        ok["credence"]["disclosure"],
        "I am a paid speaker for Novo Nordisk."
    );
}

async fn research_updates_need_a_peer_reviewed_source(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_evans").await;
    let base = json!({
        "credence_kind": "research_update",
        "title": "Semaglutide and cardiovascular outcomes",
        "status": "A large trial found fewer heart attacks and strokes in adults with obesity.",
    });
    let (s, refused) = pro.post("/api/v1/statuses", base.clone()).await;
    assert_eq!(s, 422, "{refused}");
    assert_eq!(refused["error_code"], "peer_review_source_required");
    // A blog is not peer-reviewed.
    let mut blog = base.clone();
    blog["citations"] =
        json!([{"value": "https://example.blogspot.com/semaglutide", "title": "My blog"}]);
    let (s, _) = pro.post("/api/v1/statuses", blog).await;
    assert_eq!(s, 422);
    let mut cited = base.clone();
    cited["citations"] = json!([
        {"kind": "doi", "value": "10.1056/NEJMoa2307563", "title": "Semaglutide and Cardiovascular Outcomes in Obesity without Diabetes"},
        {"value": "https://www.cdc.gov/heart-disease/", "title": "CDC: Heart disease"},
    ]);
    let ok = pro.publish(cited).await;
    let c = &ok["credence"];
    assert_eq!(c["kind"], "research_update");
    assert_eq!(
        c["citations"][0]["url"],
        "https://doi.org/10.1056/nejmoa2307563"
    );
    assert_eq!(c["citations"][0]["tier"], 1);
    assert_eq!(c["label_text"], "Cites peer-reviewed sources", "{c}");
    assert!(ok["content"]
        .as_str()
        .unwrap()
        .contains("<ol><li><a href=\"https://doi.org/"));

    // Members cannot publish research updates.
    let (member, _) = person(&app, "reader1", Role::Member).await;
    let mut attempt = base.clone();
    attempt["citations"] = json!([{"kind": "pmid", "value": "37952131", "title": "SELECT"}]);
    let (s, v) = member.post("/api/v1/statuses", attempt).await;
    assert_eq!(s, 422, "{v}");
}

async fn members_are_warned_before_oversharing(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_fox").await;
    let (member, _) = person(&app, "worried_mum", Role::Member).await;
    let post = pro
        .publish(json!({"status": "Ask me about blood pressure."}))
        .await;
    let id = post["id"].as_str().unwrap();
    let text = "My blood pressure was 160/100 yesterday. Call me on 614-555-0182, my date of birth is 04/12/1979.";
    let (s, warned) = member
        .post(
            "/api/v1/statuses",
            json!({"status": text, "in_reply_to_id": id}),
        )
        .await;
    assert_eq!(s, 422, "{warned}");
    assert_eq!(warned["error_code"], "overshare");
    assert!(warned["error"]
        .as_str()
        .unwrap()
        .contains("private message"));
    // The private route is open…
    let private = member
        .publish(json!({"status": format!("@dr_fox {text}"), "visibility": "direct", "in_reply_to_id": id}))
        .await;
    assert_eq!(private["visibility"], "direct");
    // …and so is posting publicly after confirming.
    let public = member
        .publish(json!({"status": text, "in_reply_to_id": id, "confirm_public": true}))
        .await;
    assert_eq!(public["visibility"], "public");
}

async fn followers_only_posts_never_reach_strangers(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_gray").await;
    let (follower, _) = person(&app, "follower1", Role::Member).await;
    let (stranger, _) = person(&app, "stranger1", Role::Member).await;
    let anon = Client::new(&app, None);
    let (s, _) = follower
        .post(&format!("/api/v1/accounts/{pro_id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
    let secret = pro
        .publish(
            json!({"status": "Followers only: clinic hours change next week #diabetes zebrafinch",
                        "visibility": "private"}),
        )
        .await;
    let id = secret["id"].as_str().unwrap().to_string();
    assert_eq!(secret["visibility"], "private");

    let (_, home) = follower.get("/api/v1/timelines/home").await;
    assert!(ids(&home).contains(&id), "the follower sees it at home");
    let (s, _) = follower.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 200);

    for reader in [&stranger, &anon] {
        let (s, _) = reader.get(&format!("/api/v1/statuses/{id}")).await;
        assert_eq!(s, 404);
        let (s, _) = reader.get(&format!("/api/v1/statuses/{id}/context")).await;
        assert_eq!(s, 404);
        for path in [
            "/api/v1/timelines/public".to_string(),
            "/api/v1/timelines/tag/diabetes".to_string(),
            format!("/api/v1/accounts/{pro_id}/statuses"),
            "/api/v2/search?q=zebrafinch".to_string(),
        ] {
            let (s, v) = reader.get(&path).await;
            assert_eq!(s, 200, "{path}");
            assert!(
                !v.to_string().contains("zebrafinch"),
                "leaked through {path}"
            );
        }
        for feed in ["/@dr_gray.atom", "/topics/diabetes.atom"] {
            let body = reqwest::get(app.url(feed))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(!body.contains("zebrafinch"), "leaked through {feed}");
        }
    }
    let (_, home) = stranger.get("/api/v1/timelines/home").await;
    assert!(!ids(&home).contains(&id));
    // Interactions by id are refused as if it did not exist; boosts never widen the audience.
    for action in ["favourite", "reblog", "bookmark"] {
        let (s, _) = stranger
            .post(&format!("/api/v1/statuses/{id}/{action}"), json!({}))
            .await;
        assert_eq!(s, 404, "{action}");
    }
    let (s, _) = follower
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    assert_eq!(s, 403, "followers-only posts cannot be boosted");
    // A reply to it by the follower does not reveal it either.
    let (s, _) = stranger
        .post(
            "/api/v1/statuses",
            json!({"status": "hi", "in_reply_to_id": id}),
        )
        .await;
    assert_eq!(s, 422);
}

async fn articles_are_sanitised(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_hale").await;
    let article = pro
        .publish(json!({
            "credence_kind": "article",
            "title": "Understanding blood pressure",
            "status": "## What the numbers mean\n\n- Top number: systolic\n- Bottom: diastolic\n\n\
                       | Reading | Category |\n|---|---|\n| 120/80 | Normal |\n\n\
                       <script>alert('x')</script>\n\n[click](javascript:alert(1)) \
                       <a href=\"https://www.heart.org\" onclick=\"steal()\">AHA</a>\n\n\
                       <img src=\"https://www.cdc.gov/x.png\" onerror=\"alert(1)\" alt=\"chart\">",
        }))
        .await;
    let html = article["content"].as_str().unwrap();
    assert!(html.contains("<h2>What the numbers mean</h2>"), "{html}");
    assert!(html.contains("<table>"));
    assert!(html.contains("<li>Top number: systolic</li>"));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("onclick"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(html.contains("rel=\"nofollow noopener noreferrer\""));
    // The HTML page shows the same sanitised body.
    let page = reqwest::get(app.url(&format!("/@dr_hale/{}", article["id"].as_str().unwrap())))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("What the numbers mean"));
    assert!(
        !page.contains("alert("),
        "script text must not reach the page"
    );
}

/// A small JPEG carrying an EXIF block with GPS coordinates, as phones write them.
fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    // TIFF (little-endian): IFD0 with one entry, GPSInfo -> GPS IFD with GPSLatitudeRef = "N"
    // and GPSLatitude = 40/1, 26/1, 46/1.
    let mut tiff: Vec<u8> = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: 1 entry
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes()); // LONG
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes()); // GPS IFD offset
    tiff.extend_from_slice(&0u32.to_le_bytes()); // next IFD
                                                 // GPS IFD at 26: 2 entries
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&2u16.to_le_bytes()); // GPSLatitude
    tiff.extend_from_slice(&5u16.to_le_bytes()); // RATIONAL
    tiff.extend_from_slice(&3u32.to_le_bytes());
    tiff.extend_from_slice(&56u32.to_le_bytes()); // value offset
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for v in [40u32, 1, 26, 1, 46, 1] {
        tiff.extend_from_slice(&v.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

async fn upload(client: &Client, bytes: Vec<u8>, name: &str, description: &str) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        )
        .text("description", description.to_string());
    client
        .send(
            client
                .http
                .post(format!("{}/api/v2/media", client.base))
                .multipart(form),
        )
        .await
}

async fn images_lose_their_gps_data_and_need_alt_text(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_ivy").await;
    let original = jpeg_with_gps();
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let (s, media) = upload(&pro, original, "rash.jpg", "").await;
    assert_eq!(s, 200, "{media}");
    assert_eq!(media["type"], "image");
    let served = reqwest::get(media["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&served[..2], &[0xFF, 0xD8], "still a JPEG");
    assert!(
        !served.windows(4).any(|w| w == b"Exif"),
        "EXIF must be stripped"
    );
    let thumb = reqwest::get(media["preview_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(thumb.status(), 200);

    // No alt text: publishing is refused; with it, the post carries the image.
    let media_id = media["id"].as_str().unwrap();
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "What eczema can look like.", "media_ids": [media_id]}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("alt text"));
    let (s, _) = pro
        .put(
            &format!("/api/v1/media/{media_id}"),
            json!({"description": "Red, dry patches on the inside of an elbow"}),
        )
        .await;
    assert_eq!(s, 200);
    let post = pro
        .publish(json!({"status": "What eczema can look like.", "media_ids": [media_id]}))
        .await;
    assert_eq!(
        post["media_attachments"][0]["description"],
        "Red, dry patches on the inside of an elbow"
    );

    // Files are judged by content: a PDF named .jpg is refused with a clear message.
    let (s, v) = upload(
        &pro,
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(),
        "scan.jpg",
        "x",
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("not a JPEG, PNG, WebP, MP4 or WebM"));
    // Someone else cannot attach my upload.
    let (_, media2) = upload(&pro, jpeg_with_gps(), "b.jpg", "alt").await;
    let (other, _) = verified_pro(&app, "dr_jay").await;
    let (s, _) = other
        .post(
            "/api/v1/statuses",
            json!({"status": "mine now", "media_ids": [media2["id"]]}),
        )
        .await;
    assert_eq!(s, 422);
}

fn tiny_mp4() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&24u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom");
    v.extend_from_slice(&512u32.to_be_bytes());
    v.extend_from_slice(b"isomiso2");
    v.extend_from_slice(&8u32.to_be_bytes());
    v.extend_from_slice(b"moov");
    v.extend_from_slice(&1008u32.to_be_bytes());
    v.extend_from_slice(b"mdat");
    v.extend((0..1000u32).map(|i| (i % 251) as u8));
    v
}

async fn videos_are_served_with_ranges(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_kim").await;
    let video = tiny_mp4();
    let (s, media) = upload(&pro, video.clone(), "clip.mp4", "Inhaler technique").await;
    assert_eq!(s, 200, "{media}");
    assert_eq!(media["type"], "video");
    let url = media["url"].as_str().unwrap();
    let res = common::api()
        .get(url)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 100-199/{}", video.len()).as_str()
    );
    assert_eq!(res.headers()["content-type"], "video/mp4");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &video[100..200]);
    let res = common::api()
        .get(url)
        .header("Range", "bytes=999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 416);
}

async fn search_understands_medical_synonyms(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_lane").await;
    let (unverified, _) = person(&app, "dr_moss", Role::Professional).await;
    let anon = Client::new(&app, None);
    let mi = pro
        .publish(json!({"status": "Women often have atypical symptoms of myocardial infarction, such as jaw pain."}))
        .await;
    let htn = unverified
        .publish(json!({"status": "Hypertension rarely causes symptoms: check your numbers."}))
        .await;
    let tip = pro
        .publish(json!({"status": "Cut salt to help high blood pressure.", "credence_kind": "tip"}))
        .await;

    let (s, r) = anon.get("/api/v2/search?q=heart%20attack").await;
    assert_eq!(s, 200);
    assert_eq!(ids(&r["statuses"]), vec![mi["id"].as_str().unwrap()]);
    let (_, r) = anon.get("/api/v2/search?q=high%20blood%20pressure").await;
    let found = ids(&r["statuses"]);
    assert!(found.contains(&htn["id"].as_str().unwrap().to_string()));
    assert!(found.contains(&tip["id"].as_str().unwrap().to_string()));
    let (_, r) = anon
        .get("/api/v2/search?q=high%20blood%20pressure&verified_only=true")
        .await;
    assert_eq!(ids(&r["statuses"]), vec![tip["id"].as_str().unwrap()]);
    let (_, r) = anon
        .get("/api/v2/search?q=hypertension&credence_kind=tip")
        .await;
    assert_eq!(ids(&r["statuses"]), vec![tip["id"].as_str().unwrap()]);
    // Profiles and topics are searched too.
    let (_, r) = anon.get("/api/v2/search?q=cardiology").await;
    assert!(r["accounts"].as_array().unwrap().len() >= 2);
    let (_, r) = anon.get("/api/v2/search?q=diabetes&type=hashtags").await;
    assert_eq!(r["hashtags"][0]["name"], "diabetes");
    assert!(r["statuses"].as_array().unwrap().is_empty());
    // Query syntax is not the searcher's problem.
    let (s, _) = anon.get("/api/v2/search?q=%22NEAR(%20OR%20*").await;
    assert!(s == 200 || s == 422, "status {s}");
}

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

async fn scheduled_posts_publish_once(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_olsen").await;
    let anon = Client::new(&app, None);
    let at = chrono_like_in(10 * 60);
    let (s, scheduled) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "Clinic closed on Friday.", "scheduled_at": at}),
        )
        .await;
    assert_eq!(s, 200, "{scheduled}");
    let id = scheduled["id"].as_str().unwrap().to_string();
    assert!(scheduled["scheduled_at"].is_string());
    let (_, list) = pro.get("/api/v1/scheduled_statuses").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    let (s, _) = anon.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 404, "not visible before its time");
    // Too soon is refused.
    let (s, _) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "x", "scheduled_at": chrono_like_in(5)}),
        )
        .await;
    assert_eq!(s, 422);

    // Another post goes out meanwhile; a client polling with since_id must still get the
    // scheduled one when it is published (it gets a fresh id then).
    let meanwhile = pro.publish(json!({"status": "Flu shots today."})).await;
    let later = credence_core::kernel::clock::now_ms() + 11 * 60 * 1000;
    assert_eq!(posts::publish_due(&app.core, later).await.unwrap(), 1);
    assert_eq!(
        posts::publish_due(&app.core, later).await.unwrap(),
        0,
        "runs once"
    );
    let (_, newer) = anon
        .get(&format!(
            "/api/v1/timelines/public?since_id={}",
            meanwhile["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(newer.as_array().unwrap().len(), 1, "{newer}");
    assert!(newer[0]["content"]
        .as_str()
        .unwrap()
        .contains("Clinic closed"));
    let published_id = newer[0]["id"].as_str().unwrap().to_string();
    assert_ne!(
        published_id, id,
        "the scheduled status and the status differ, as on Mastodon"
    );
    let (s, _) = anon.get(&format!("/api/v1/statuses/{published_id}")).await;
    assert_eq!(s, 200);
    let (_, notes) = pro.get("/api/v1/notifications").await;
    assert_eq!(notes[0]["credence"]["kind"], "scheduled_published");
    assert_eq!(notes[0]["status"]["id"], published_id.as_str());
}

/// An RFC 3339 time `seconds` from now.
fn chrono_like_in(seconds: i64) -> String {
    credence_core::kernel::clock::rfc3339(credence_core::kernel::clock::now_ms() + seconds * 1000)
}

async fn explore_ranks_credible_content_first(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_park").await;
    let (nobody, _) = person(&app, "newcomer", Role::Member).await;
    let sourced = pro
        .publish(json!({"status": "Adults need 150 minutes of moderate activity a week.",
                        "citations": [{"value": "https://www.cdc.gov/physical-activity-basics/guidelines/adults.html", "title": "CDC guidelines"}]}))
        .await;
    let newer = nobody
        .publish(json!({"status": "This detox tea cures everything, doctors hate it!"}))
        .await;
    let (_, trends) = Client::new(&app, None).get("/api/v1/trends/statuses").await;
    let order = ids(&trends);
    assert_eq!(
        order,
        vec![
            sourced["id"].as_str().unwrap().to_string(),
            newer["id"].as_str().unwrap().to_string()
        ],
        "the older, verified, sourced post ranks first"
    );
}

async fn timelines_page_by_keyset(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_quinn").await;
    let mut made = Vec::new();
    for i in 0..7 {
        let p = pro
            .publish(json!({"status": format!("Tip number {i}: drink water.")}))
            .await;
        made.push(p["id"].as_str().unwrap().to_string());
    }
    made.reverse();
    let anon = Client::new(&app, None);
    let res = common::api()
        .get(app.url("/api/v1/timelines/public?limit=3"))
        .send()
        .await
        .unwrap();
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let page1 = ids(&res.json::<Value>().await.unwrap());
    assert_eq!(page1, made[..3]);
    assert!(link.contains(&format!("max_id={}", made[2])), "{link}");
    let (_, page2) = anon
        .get(&format!(
            "/api/v1/timelines/public?limit=3&max_id={}",
            made[2]
        ))
        .await;
    assert_eq!(ids(&page2), made[3..6]);
    let (_, newer) = anon
        .get(&format!(
            "/api/v1/timelines/public?limit=2&min_id={}",
            made[3]
        ))
        .await;
    assert_eq!(ids(&newer), made[1..3], "min_id gives the page just above");
    let (_, since) = anon
        .get(&format!("/api/v1/timelines/public?since_id={}", made[2]))
        .await;
    assert_eq!(ids(&since), made[..2]);
}

async fn peer_review_and_coauthors(backend: Backend) {
    let app = spawn(backend).await;
    let (author, _) = verified_pro(&app, "dr_reed").await;
    let (reviewer, _) = verified_pro(&app, "dr_shaw").await;
    let (_, _) = person(&app, "dr_tate", Role::Professional).await; // unverified
    let (s, v) = author
        .post(
            "/api/v1/statuses",
            json!({"status": "x", "reviewers": ["dr_tate"]}),
        )
        .await;
    assert_eq!(s, 422, "an unverified reviewer is refused: {v}");
    let post = author
        .publish(
            json!({"credence_kind": "article", "title": "Statins, plainly",
                        "status": "What statins do and who benefits.",
                        "reviewers": ["dr_shaw"], "coauthors": ["dr_tate"]}),
        )
        .await;
    let id: i64 = post["id"].as_str().unwrap().parse().unwrap();
    // Nobody is shown as a co-author before accepting.
    assert!(post["credence"]["coauthors"].as_array().unwrap().is_empty());
    let tate = credence_core::accounts::token_info(&app.core, &app.token("dr_tate").await)
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap();
    let accepted = posts::answer_coauthorship(&app.core, &tate, id_of(&post), true)
        .await
        .unwrap();
    assert_eq!(accepted.coauthors[0].handle, "dr_tate");
    assert!(post["credence"]["reviewed_by"].is_null());
    let (_, notes) = reviewer.get("/api/v1/notifications").await;
    assert_eq!(notes[0]["credence"]["kind"], "review_request");
    let shaw = credence_core::accounts::token_info(&app.core, reviewer.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap();
    // Only the asked reviewer can decide.
    let reed = credence_core::accounts::token_info(&app.core, author.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap();
    assert!(posts::decide_review(&app.core, &reed, id, true)
        .await
        .is_err());
    let reviewed = posts::decide_review(&app.core, &shaw, id, true)
        .await
        .unwrap();
    assert_eq!(reviewed.reviewer.unwrap().handle, "dr_shaw");
    let (_, read) = Client::new(&app, None)
        .get(&format!("/api/v1/statuses/{id}"))
        .await;
    assert_eq!(read["credence"]["reviewed_by"]["username"], "dr_shaw");
    assert_eq!(read["credence"]["coauthors"][0]["username"], "dr_tate");
    // A review vouches for the words reviewed: an edit that changes them takes it off and asks
    // the reviewer again.
    let (s, edited) = author
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "What statins do, who benefits, and a new claim."}),
        )
        .await;
    assert_eq!(s, 200, "{edited}");
    assert!(edited["credence"]["reviewed_by"].is_null());
    assert_eq!(
        edited["credence"]["coauthors"][0]["username"], "dr_tate",
        "co-authors kept"
    );
    let pending = posts::review_requests(&app.core, &shaw).await.unwrap();
    assert_eq!(pending.len(), 1, "asked again");
    // An edit that does not name co-authors again keeps requests not answered yet.
    let asked = author
        .publish(json!({"credence_kind": "article", "title": "Statin myths",
                        "status": "Three things statins do not do.", "coauthors": ["dr_tate"]}))
        .await;
    let asked_id = id_of(&asked);
    let (s, v) = author
        .put(
            &format!("/api/v1/statuses/{asked_id}"),
            json!({"status": "Three things statins do not do, plainly."}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(posts::coauthorship_pending(&app.core, &tate, asked_id)
        .await
        .unwrap());
    // A reviewer who cannot read a followers-only post cannot mark it reviewed, and nothing
    // is recorded for them.
    let private = author
        .publish(
            json!({"status": "For followers: how our statin clinic works.",
                        "visibility": "private", "reviewers": ["dr_shaw"]}),
        )
        .await;
    let private_id = id_of(&private);
    assert!(posts::decide_review(&app.core, &shaw, private_id, true)
        .await
        .is_err());
    assert!(posts::review_pending(&app.core, &shaw, private_id)
        .await
        .unwrap());
    let (_, read) = author.get(&format!("/api/v1/statuses/{private_id}")).await;
    assert!(read["credence"]["reviewed_by"].is_null());
}

async fn bad_input_gets_clear_errors(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_ueda").await;
    let cases = [
        (json!({"status": ""}), "Write something"),
        (json!({"status": "x".repeat(1001)}), "too long"),
        (
            json!({"status": "hi", "visibility": "everyone"}),
            "Visibility",
        ),
        (
            json!({"status": "hi", "citations": [{"kind": "doi", "value": "not-a-doi", "title": "T"}]}),
            "not a DOI",
        ),
        (
            json!({"status": "hi", "citations": [{"value": "https://www.cdc.gov/"}]}),
            "needs a title",
        ),
        (json!({"status": "hi", "media_ids": ["123"]}), "not found"),
        (
            json!({"status": "hi", "scheduled_at": "tomorrow"}),
            "ISO 8601",
        ),
        (
            json!({"status": "hi", "in_reply_to_id": "999"}),
            "does not exist",
        ),
        (
            json!({"status": "@nobody_here hi", "visibility": "direct"}),
            "must mention",
        ),
        (
            json!({"credence_kind": "article", "status": "no title"}),
            "needs a title",
        ),
    ];
    for (body, expected) in cases {
        let (s, v) = pro.post("/api/v1/statuses", body.clone()).await;
        assert_eq!(s, 422, "{body} -> {v}");
        let message = v["error"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM posts").await,
        0,
        "nothing stored"
    );
    let (s, _) = Client::new(&app, None)
        .post("/api/v1/statuses", json!({"status": "anonymous"}))
        .await;
    assert_eq!(s, 401);
    let (s, _) = pro.get("/api/v1/statuses/not-a-number").await;
    assert_eq!(s, 404);
}

async fn published_audience_cannot_narrow_under_a_boost(backend: Backend) {
    let app = spawn(backend).await;
    let (author, _) = verified_pro(&app, "dr_vale").await;
    let (booster, booster_id) = person(&app, "booster", Role::Member).await;
    let post = author.publish(json!({"status": "Public first."})).await;
    let id = post["id"].as_str().unwrap();
    let (s, boost) = booster
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    assert_eq!(s, 200);
    // Through core directly (the web form lets the field through): the audience stays.
    let vale = credence_core::accounts::token_info(&app.core, author.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap();
    let narrowed = posts::update(
        &app.core,
        &vale,
        id_of(&post),
        posts::Compose {
            body: "Now for followers only.".into(),
            visibility: posts::Visibility::Followers,
            ..posts::Compose::default()
        },
    )
    .await;
    assert!(
        narrowed.is_err(),
        "the audience of a published post cannot narrow"
    );
    let anon = Client::new(&app, None);
    let (s, read) = anon
        .get(&format!(
            "/api/v1/statuses/{}",
            boost["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, 200);
    assert!(read["reblog"]["content"]
        .as_str()
        .unwrap()
        .contains("Public first."));
    let (_, listed) = anon
        .get(&format!("/api/v1/accounts/{booster_id}/statuses"))
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn explore_pages_past_the_first(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_wolf").await;
    for i in 0..23 {
        pro.publish(json!({"status": format!("Hydration tip {i}.")}))
            .await;
    }
    let first = common::browser()
        .get(app.url("/explore"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let html = first.text().await.unwrap();
    let next = regex::Regex::new(r#"href="(/explore\?after=[0-9_-]+)""#)
        .unwrap()
        .captures(&html)
        .expect("a next-page link")[1]
        .to_string();
    let second = common::browser().get(app.url(&next)).send().await.unwrap();
    assert_eq!(second.status(), 200);
    let html = second.text().await.unwrap();
    assert_eq!(
        html.matches("class=\"card post\"").count(),
        3,
        "23 = 20 + 3"
    );
    let (s, trends) = Client::new(&app, None)
        .get("/api/v1/trends/statuses?limit=1")
        .await;
    assert_eq!(s, 200);
    assert_eq!(trends.as_array().unwrap().len(), 1);
}

async fn phi_is_checked_everywhere_readers_look(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_xu").await;
    let phi = "About my patient John Carter, born 03/14/1961, MRN 44817235";
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "Recovery went well.", "spoiler_text": phi}),
        )
        .await;
    assert_eq!(s, 422, "content warning: {v}");
    let (_, media) = upload(&pro, jpeg_with_gps(), "x.jpg", phi).await;
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "An X-ray.", "media_ids": [media["id"]]}),
        )
        .await;
    assert_eq!(s, 422, "alt text: {v}");
    assert_eq!(v["error_code"], "phi");
    // A clean image, published; its description cannot be changed behind the check.
    let (_, clean) = upload(&pro, jpeg_with_gps(), "y.jpg", "A chest X-ray").await;
    pro.publish(json!({"status": "An X-ray.", "media_ids": [clean["id"]]}))
        .await;
    let (s, v) = pro
        .put(
            &format!("/api/v1/media/{}", clean["id"].as_str().unwrap()),
            json!({"long_description": phi}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    // Nor that of a scheduled post, which goes out later without another check.
    let (_, later) = upload(&pro, jpeg_with_gps(), "z.jpg", "A knee X-ray").await;
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "A knee X-ray.", "media_ids": [later["id"]],
                   "scheduled_at": chrono_like_in(3600)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = pro
        .put(
            &format!("/api/v1/media/{}", later["id"].as_str().unwrap()),
            json!({"description": phi}),
        )
        .await;
    assert_eq!(s, 422, "scheduled post's media: {v}");
    // Earlier versions that named a patient are not kept for readers.
    let text = "Case: my patient John Carter, born 03/14/1961, MRN 44817235, recovered.";
    let post = pro
        .publish(
            json!({"status": text, "consent": {"patient_name": "John Carter",
              "scope": "This case on Credence", "consented_on": "2026-11-01"}}),
        )
        .await;
    let id = post["id"].as_str().unwrap();
    let (s, _) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "Case: a man in his 60s recovered."}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, history) = Client::new(&app, None)
        .get(&format!("/api/v1/statuses/{id}/history"))
        .await;
    assert!(!history.to_string().contains("44817235"), "{history}");
}

async fn consent_covers_only_what_was_consented(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_york").await;
    let text = "Case: my patient John Carter, born 03/14/1961, MRN 44817235, recovered.";
    let post = pro
        .publish(
            json!({"status": text, "consent": {"patient_name": "John Carter",
              "scope": "This case on Credence", "consented_on": "2026-11-01"}}),
        )
        .await;
    let id = post["id"].as_str().unwrap();
    let (s, v) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": format!("{text} Also my patient Mary Jones, MRN 99887766.")}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("does not cover"));
    // A draft with a throwaway consent records nothing until it is published.
    let (s, draft) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "Draft", "draft": true, "consent": {"patient_name": "x",
                   "scope": "x", "consented_on": "2025-01-01"}}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM consents WHERE post_id = {}",
            draft["id"].as_str().unwrap()
        ))
        .await,
        0
    );
    let (s, _) = pro
        .put(
            &format!("/api/v1/statuses/{}", draft["id"].as_str().unwrap()),
            json!({"status": "My patient Mary Jones, MRN 99887766, SSN 123-45-6789."}),
        )
        .await;
    assert_eq!(s, 422, "publishing the draft needs consent for this PHI");
}

async fn private_hashtags_stay_private(backend: Backend) {
    let app = spawn(backend).await;
    let (member, _) = person(&app, "quiet_one", Role::Member).await;
    let (_pro, _) = verified_pro(&app, "dr_zane").await;
    member
        .publish(json!({"status": "@dr_zane question #secretdxabc", "visibility": "direct"}))
        .await;
    member
        .post(
            "/api/v1/statuses",
            json!({"status": "#draftonlytag", "draft": true}),
        )
        .await;
    let anon = Client::new(&app, None);
    for tag in ["secretdxabc", "draftonlytag"] {
        let (_, r) = anon.get(&format!("/api/v2/search?q={tag}")).await;
        assert!(r["hashtags"].as_array().unwrap().is_empty(), "{tag}: {r}");
        let res = common::browser()
            .get(app.url(&format!("/topics/{tag}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{tag}");
    }
}

async fn doi_grading_follows_the_prefix(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_amos").await;
    let update = |citation: Value| {
        json!({"credence_kind": "research_update", "title": "A finding",
               "status": "A new study looked at sleep and blood pressure.", "citations": [citation]})
    };
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            update(json!({"kind": "doi", "value": "10.0000/x", "title": "T"})),
        )
        .await;
    assert_eq!(s, 422, "not a registrant prefix: {v}");
    let (s, v) = pro
        .post(
            "/api/v1/statuses",
            update(
                json!({"value": "https://doi.org/10.1101/2024.01.01.123456", "title": "Preprint"}),
            ),
        )
        .await;
    assert_eq!(s, 422, "a preprint is not peer-reviewed: {v}");
    assert_eq!(v["error_code"], "peer_review_source_required");
    let ok = pro
        .publish(update(
            json!({"value": "http://dx.doi.org/10.1056/NEJMoa2307563", "title": "SELECT"}),
        ))
        .await;
    assert_eq!(
        ok["credence"]["citations"][0]["value"],
        "10.1056/nejmoa2307563"
    );
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

async fn edits_keep_what_they_leave_out(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_cash").await;
    let (_, media) = upload(&pro, jpeg_with_gps(), "a.jpg", "A rash on an arm").await;
    let post = pro
        .publish(json!({"status": "What a rash can look like.", "media_ids": [media["id"]], "topics": ["eczema"]}))
        .await;
    let id = post["id"].as_str().unwrap();
    let (s, edited) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "What an eczema rash can look like."}),
        )
        .await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(edited["media_attachments"].as_array().unwrap().len(), 1);
    assert_eq!(edited["tags"][0]["name"], "eczema");
    let res = reqwest::get(media["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(res.status(), 200, "the file is still there");
}

async fn small_review_findings(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, pro_id) = verified_pro(&app, "dr_dunn").await;
    let (fan, _) = person(&app, "fan_two", Role::Member).await;
    let anon = Client::new(&app, None);
    // Bad search input is a 4xx, not a 500.
    let (s, _) = anon.get("/api/v2/search?q=flu&limit=-1").await;
    assert_eq!(s, 200);
    let (s, _) = anon.get("/api/v2/search?q=a%00b").await;
    assert_eq!(s, 422);
    // statuses_count counts public posts only.
    pro.publish(json!({"status": "For followers.", "visibility": "private"}))
        .await;
    let public = pro.publish(json!({"status": "For everyone."})).await;
    let (_, account) = anon.get(&format!("/api/v1/accounts/{pro_id}")).await;
    assert_eq!(account["statuses_count"], 1);
    // Liking a boost likes the original.
    let (_, boost) = fan
        .post(
            &format!("/api/v1/statuses/{}/reblog", public["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    let (_, liked) = fan
        .post(
            &format!(
                "/api/v1/statuses/{}/favourite",
                boost["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(liked["id"], public["id"]);
    assert_eq!(liked["favourites_count"], 1);
    // A deleted followers-only post leaves no readable tombstone for strangers.
    let hidden = pro
        .publish(json!({"status": "Followers only, then gone.", "visibility": "private"}))
        .await;
    let hidden_id = hidden["id"].as_str().unwrap();
    pro.delete(&format!("/api/v1/statuses/{hidden_id}")).await;
    let res = common::browser()
        .get(app.url(&format!("/@dr_dunn/{hidden_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // A reply can be edited after its parent is deleted.
    let parent = pro.publish(json!({"status": "Parent."})).await;
    let reply = fan
        .publish(json!({"status": "Reply.", "in_reply_to_id": parent["id"]}))
        .await;
    pro.delete(&format!(
        "/api/v1/statuses/{}",
        parent["id"].as_str().unwrap()
    ))
    .await;
    let (s, v) = fan
        .put(
            &format!("/api/v1/statuses/{}", reply["id"].as_str().unwrap()),
            json!({"status": "Reply, edited."}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn actor_of(app: &TestApp, client: &Client) -> credence_core::Actor {
    credence_core::accounts::token_info(&app.core, client.token.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
        .actor
        .unwrap()
}

/// Reads the home timeline, and checks that every status in it (rendered from cached
/// fragments) is exactly what the single-status endpoint renders from the full post.
async fn home_ids(client: &Client) -> Vec<String> {
    let (s, home) = client.get("/api/v1/timelines/home").await;
    assert_eq!(s, 200, "{home}");
    for status in home.as_array().unwrap() {
        let (s, one) = client
            .get(&format!(
                "/api/v1/statuses/{}",
                status["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            status, &one,
            "a listed status differs from the status itself"
        );
    }
    ids(&home)
}

/// The materialised home feed follows what its owner follows, gets new posts as they are
/// published, and never shows what stopped qualifying; statuses rendered from the cache
/// follow edits, likes, profile changes and reviews.
async fn home_feeds_and_cached_statuses_stay_current(backend: Backend) {
    let app = spawn(backend).await;
    let (author, author_id) = verified_pro(&app, "dr_hale").await;
    let (other, _) = verified_pro(&app, "dr_moss").await;
    let (reviewer, _) = verified_pro(&app, "dr_ives").await;
    let (reader, _) = person(&app, "rowan", Role::Member).await;
    let earlier = author
        .publish(json!({"status": "A walk after meals helps blood sugar."}))
        .await;
    let earlier_id = earlier["id"].as_str().unwrap().to_string();
    // The first read builds the feed: nothing followed, nothing shown.
    assert!(home_ids(&reader).await.is_empty());
    // Following someone brings in what they published before.
    let (s, _) = reader
        .post(&format!("/api/v1/accounts/{author_id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(home_ids(&reader).await, vec![earlier_id.clone()]);
    // New posts reach the existing feed: a followers-only one from the person followed, and
    // one in a followed topic from someone not followed.
    let private = author
        .publish(
            json!({"status": "For my followers: our clinic opens later on Mondays.",
                        "visibility": "private"}),
        )
        .await;
    let reader_actor = actor_of(&app, &reader).await;
    credence_core::topics::follow(&app.core, &reader_actor, "diabetes")
        .await
        .unwrap();
    let tagged = other
        .publish(json!({"status": "A new #diabetes education group meets on Tuesdays."}))
        .await;
    other
        .publish(json!({"status": "A note about sleep and screens."}))
        .await;
    let (private_id, tagged_id) = (
        private["id"].as_str().unwrap().to_string(),
        tagged["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        home_ids(&reader).await,
        vec![tagged_id.clone(), private_id.clone(), earlier_id.clone()]
    );
    // Edited out of the topic (an edit that names no topics keeps the old ones, so it names
    // another): no longer on the home timeline.
    let (s, v) = other
        .put(
            &format!("/api/v1/statuses/{tagged_id}"),
            json!({"status": "A new education group meets on Tuesdays.",
                   "topics": ["nutrition"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        home_ids(&reader).await,
        vec![private_id.clone(), earlier_id.clone()]
    );
    // Feeds hold only what their owner may read: not a followers-only post in a followed topic
    // by someone not followed, nor a private message to someone else; a private message to the
    // reader comes in, and leaves when an edit addresses it to someone else.
    other
        .publish(json!({"status": "For my followers: #diabetes clinic news.",
                        "visibility": "private"}))
        .await;
    author
        .publish(json!({"status": "@dr_moss shall we swap Friday's clinic?",
                        "visibility": "direct"}))
        .await;
    let to_reader = author
        .publish(json!({"status": "@rowan your appointment moved to nine.",
                        "visibility": "direct"}))
        .await;
    let to_reader_id = to_reader["id"].as_str().unwrap().to_string();
    assert_eq!(
        home_ids(&reader).await,
        vec![to_reader_id.clone(), private_id.clone(), earlier_id.clone()]
    );
    let (s, v) = author
        .put(
            &format!("/api/v1/statuses/{to_reader_id}"),
            json!({"status": "@dr_moss the appointment moved to nine."}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        home_ids(&reader).await,
        vec![private_id.clone(), earlier_id.clone()]
    );

    // Cached statuses and accounts follow what changes them.
    let (s, v) = author
        .put(
            &format!("/api/v1/statuses/{earlier_id}"),
            json!({"status": "A short walk after meals lowers blood sugar.",
                   "reviewers": ["dr_ives"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = reader
        .post(
            &format!("/api/v1/statuses/{earlier_id}/favourite"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let author_actor = actor_of(&app, &author).await;
    profiles::update(
        &app.core,
        &author_actor,
        profiles::ProfileUpdate {
            display_name: Some("Dr Jo Hale".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let reviewer_actor = actor_of(&app, &reviewer).await;
    posts::decide_review(
        &app.core,
        &reviewer_actor,
        earlier_id.parse().unwrap(),
        true,
    )
    .await
    .unwrap();
    // Written outside a request: wait, as a request would, until this instance has heard of
    // the changes (PostgreSQL; see `ref_cache`).
    app.core.caught_up().await;
    assert_eq!(
        home_ids(&reader).await,
        vec![private_id.clone(), earlier_id.clone()]
    );
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    let shown = &home[1];
    assert!(shown["content"]
        .as_str()
        .unwrap()
        .contains("lowers blood sugar"));
    assert_eq!(shown["favourited"], true);
    assert_eq!(shown["favourites_count"], 1);
    assert_eq!(shown["account"]["display_name"], "Dr Jo Hale");
    assert_eq!(shown["account"]["followers_count"], 1);
    assert_eq!(shown["credence"]["reviewed_by"]["username"], "dr_ives");
    // A change to the reviewer's own account reaches the statuses that show it.
    let other_reader = person(&app, "sasha", Role::Member).await.0;
    let reviewer_profile = profiles::get_by_handle(&app.core, "dr_ives").await.unwrap();
    other_reader
        .post(
            &format!("/api/v1/accounts/{}/follow", reviewer_profile.id),
            json!({}),
        )
        .await;
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    assert_eq!(home[1]["credence"]["reviewed_by"]["followers_count"], 1);
    // Another viewer sees the same post without the reader's like.
    let (_, public) = other_reader.get("/api/v1/timelines/public").await;
    let theirs = public
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == earlier_id.as_str())
        .unwrap();
    assert_eq!(theirs["favourited"], false);
    assert_eq!(theirs["favourites_count"], 1);
    // The reader's own flags, kept on their feed's entries, follow what they do.
    let flags_on_home = || async {
        let (_, home) = reader.get("/api/v1/timelines/home").await;
        let shown = home
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == earlier_id.as_str())
            .cloned()
            .unwrap();
        (
            shown["favourited"].clone(),
            shown["reblogged"].clone(),
            shown["bookmarked"].clone(),
        )
    };
    let act = |actions: [&'static str; 3]| {
        let (reader, id) = (&reader, &earlier_id);
        async move {
            for action in actions {
                let (s, v) = reader
                    .post(&format!("/api/v1/statuses/{id}/{action}"), json!({}))
                    .await;
                assert_eq!(s, 200, "{action}: {v}");
            }
        }
    };
    act(["bookmark", "unfavourite", "reblog"]).await;
    assert_eq!(
        flags_on_home().await,
        (json!(false), json!(true), json!(true))
    );
    act(["unbookmark", "favourite", "unreblog"]).await;
    assert_eq!(
        flags_on_home().await,
        (json!(true), json!(false), json!(false))
    );

    // A deleted post leaves the feed.
    let (s, _) = author
        .delete(&format!("/api/v1/statuses/{private_id}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(home_ids(&reader).await, vec![earlier_id.clone()]);

    // Unfollowing takes their posts away, followers-only ones included.
    let (s, _) = reader
        .post(&format!("/api/v1/accounts/{author_id}/unfollow"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert!(home_ids(&reader).await.is_empty());
}

/// A reply to a private message cannot be public, through the API as on the web page, and
/// reaches the message's author even when it does not name them.
async fn replies_to_private_messages_stay_private(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_lane").await;
    let (member, _) = person(&app, "robin", Role::Member).await;
    let (stranger, _) = person(&app, "casey", Role::Member).await;
    let message = pro
        .publish(
            json!({"status": "@robin your results are ready to discuss.",
                        "visibility": "direct"}),
        )
        .await;
    let id = message["id"].as_str().unwrap();
    let (s, v) = member
        .post(
            "/api/v1/statuses",
            json!({"status": "Thank you, when can we talk?", "in_reply_to_id": id}),
        )
        .await;
    assert_eq!(s, 422, "a public reply to a private message: {v}");
    assert!(
        v["error"].as_str().unwrap().contains("stays private"),
        "{v}"
    );
    let reply = member
        .publish(
            json!({"status": "Thank you, when can we talk?", "in_reply_to_id": id,
                        "visibility": "direct"}),
        )
        .await;
    let reply_id = reply["id"].as_str().unwrap();
    let (s, seen) = pro.get(&format!("/api/v1/statuses/{reply_id}")).await;
    assert_eq!(s, 200, "the message's author reads the reply: {seen}");
    assert_eq!(seen["mentions"][0]["username"], "dr_lane");
    let (s, _) = stranger.get(&format!("/api/v1/statuses/{reply_id}")).await;
    assert_eq!(s, 404);
}

/// The post `id` as the home timeline shows it to `client`, once `done` holds for it (changes
/// made through another instance or outside Credence arrive as notices: milliseconds, not at
/// once); fails if it never does.
async fn home_status_once(client: &Client, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..500 {
        let (s, home) = client.get("/api/v1/timelines/home").await;
        assert_eq!(s, 200, "{home}");
        last = home
            .as_array()
            .unwrap()
            .iter()
            .find(|status| id_of(status) == id)
            .cloned()
            .unwrap_or(Value::Null);
        if done(&last) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the home timeline never showed the change; last seen: {last}");
}

/// Two instances on one database (each keeps posts and accounts in memory and forgets them on
/// the database's change notices or change log): a home page read on one follows likes,
/// profile changes, statements run outside Credence and deletions made elsewhere, and a
/// person's own change shows on their next request at once.
async fn home_pages_follow_changes_made_elsewhere(backend: Backend) {
    let app = spawn(backend).await;
    let (author, author_id) = verified_pro(&app, "dr_vance").await;
    let (fan, _) = person(&app, "fan_one", Role::Member).await;
    let (on_first, _) = person(&app, "reader_two", Role::Member).await;
    let reader = Client {
        http: common::api(),
        base: app.another_instance().await,
        token: on_first.token.clone(),
    };
    let (s, _) = reader
        .post(&format!("/api/v1/accounts/{author_id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
    let id = id_of(
        &author
            .publish(json!({"status": "Stretch gently before a long walk."}))
            .await,
    );
    // Read (and kept) on the second instance.
    let seen = home_status_once(&reader, id, |s| !s.is_null()).await;
    assert_eq!(seen["favourites_count"], 0);

    // A like through the first instance reaches the second.
    let (s, _) = fan
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;
    assert_eq!(s, 200);
    home_status_once(&reader, id, |s| s["favourites_count"] == 1).await;

    // The reader's own like, through the second instance, is on their very next page there.
    let (s, _) = reader
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;
    assert_eq!(s, 200);
    let (_, home) = reader.get("/api/v1/timelines/home").await;
    let mine = home
        .as_array()
        .unwrap()
        .iter()
        .find(|status| id_of(status) == id)
        .unwrap();
    assert_eq!(mine["favourites_count"], 2, "{mine}");
    assert_eq!(mine["favourited"], true);

    // The author's new name, changed on the first instance.
    let author_actor = actor_of(&app, &author).await;
    profiles::update(
        &app.core,
        &author_actor,
        profiles::ProfileUpdate {
            display_name: Some("Dr Ana Vance".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    home_status_once(&reader, id, |s| {
        s["account"]["display_name"] == "Dr Ana Vance"
    })
    .await;

    // A statement run outside Credence (an operator's psql) is heard like any other.
    sqlx::query("UPDATE posts SET reblogs_count = 42 WHERE id = $1")
        .bind(id)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    home_status_once(&reader, id, |s| s["reblogs_count"] == 42).await;

    if backend == Backend::Postgres {
        // Listeners that lose their connection forget everything: a change made while they
        // were away (its notice lost) is still read.
        let (killed,): (i64,) = sqlx::query_as(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .fetch_one(&app.core.db.pool)
        .await
        .unwrap();
        assert_eq!(killed, 2, "one listener per instance");
        sqlx::query("UPDATE posts SET reblogs_count = 43 WHERE id = $1")
            .bind(id)
            .execute(&app.core.db.pool)
            .await
            .unwrap();
        home_status_once(&reader, id, |s| s["reblogs_count"] == 43).await;
    } else {
        // A process that finds change log rows it had not applied gone (pruned, or deleted
        // by hand) forgets everything.
        sqlx::query("UPDATE posts SET reblogs_count = 43 WHERE id = $1")
            .bind(id)
            .execute(&app.core.db.pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM ref_changes")
            .execute(&app.core.db.pool)
            .await
            .unwrap();
        let (_, home) = reader.get("/api/v1/timelines/home").await;
        assert_eq!(home[0]["reblogs_count"], 43, "{home}");
    }

    // Deleted on the first instance: gone from the second.
    let (s, _) = author.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(s, 200);
    home_status_once(&reader, id, Value::is_null).await;
}
