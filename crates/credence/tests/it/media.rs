//! Media: images lose their GPS data and need alt text; videos are served with ranges; bad and
//! oversized uploads are refused with a clear answer, and an account's uploads at once are few.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{
    api, jpeg_with_gps, spawn, spawn_with, tiny_mp4, upload, upload_form, verified_pro, Backend,
    TestApp,
};
use serde_json::json;

both_backends!(
    images_lose_their_gps_data_and_need_alt_text,
    videos_are_served_with_ranges,
    bad_uploads_are_refused_and_nothing_is_stored,
    alt_text_is_edited_with_the_post,
);

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

async fn videos_are_served_with_ranges(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_kim").await;
    let video = tiny_mp4();
    let (s, media) = upload(&pro, video.clone(), "clip.mp4", "Inhaler technique").await;
    assert_eq!(s, 200, "{media}");
    assert_eq!(media["type"], "video");
    let url = media["url"].as_str().unwrap();
    let res = api()
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
    let res = api()
        .get(url)
        .header("Range", "bytes=999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 416);
}

async fn media_count(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM media").await
}

async fn bad_uploads_are_refused_and_nothing_is_stored(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_upload").await;
    let part = |bytes: Vec<u8>| reqwest::multipart::Part::bytes(bytes).file_name("x.jpg");

    // No boundary: the API's JSON error, not a plain-text rejection.
    let res = pro
        .auth(pro.http.post(app.url("/api/v2/media")))
        .header("content-type", "multipart/form-data")
        .body("--x\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("boundary"),
        "{body}"
    );

    // A description that is not UTF-8 is refused, not saved as empty alt text.
    let form = reqwest::multipart::Form::new()
        .part("file", part(jpeg_with_gps()))
        .part(
            "description",
            reqwest::multipart::Part::bytes(vec![b'a', 0xFF, 0xFE]),
        );
    let (s, v) = upload_form(&pro, form).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("description"), "{v}");

    // Two files in one upload.
    let form = reqwest::multipart::Form::new()
        .part("file", part(jpeg_with_gps()))
        .part("file", part(jpeg_with_gps()));
    let (s, v) = upload_form(&pro, form).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("one file"), "{v}");

    // An image over 10 MB, and any file over 100 MB (stopped as it arrives): 413.
    let mut big_jpeg = jpeg_with_gps();
    big_jpeg.resize(10 * 1024 * 1024 + 1, 0);
    let (s, v) = upload(&pro, big_jpeg, "big.jpg", "Too big").await;
    assert_eq!(s, 413, "{v}");
    let (s, v) = upload(&pro, vec![0; 100 * 1024 * 1024 + 1], "huge.mp4", "Huge").await;
    assert_eq!(s, 413, "{v}");
    assert!(v["error"].as_str().unwrap().contains("100 MB"), "{v}");
    assert_eq!(media_count(&app).await, 0, "nothing refused was stored");
}

/// How long the upload-cap test waits for an answer it expects: generous, because on a busy
/// two-core CI machine each upload it retries is processed while hundreds of other tests run
/// (the held uploads keep sending for far longer: 10 MB at 10 KB/s).
const UPLOAD_PATIENCE: Duration = Duration::from_secs(120);

/// Uploads at once per account are capped (two), so one person cannot tie up the server.
/// Independent of the database: SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_has_at_most_two_uploads_in_progress() {
    // The slow-body rule is another test's subject: here it must not end the held uploads
    // when a busy machine starves the tasks that keep them sending.
    let app = spawn_with(Backend::Sqlite, |c| {
        c.limits.body_grace = Duration::from_secs(600);
    })
    .await;
    let (pro, _) = verified_pro(&app, "dr_busy").await;
    let token = pro.token.clone().unwrap();
    // Two uploads that have started sending a file and go on slowly.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut socket = TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/v2/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n\
             --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        // Keep sending above the server's minimum body rate (1 KiB/s after a grace period), so
        // the held uploads stay in progress however long the checks below take on a busy machine.
        held.push(tokio::spawn(async move {
            loop {
                if socket.write_all(&[0u8; 1024]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    let third = tokio::time::timeout(UPLOAD_PATIENCE, async {
        loop {
            let (s, v) = upload(&pro, tiny_mp4(), "c.mp4", "Clip").await;
            // The held uploads may not have reached the handler yet: ask until they have.
            if s != 200 {
                return (s, v);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("a third upload is refused while two are in progress");
    assert_eq!(third.0, 429, "{}", third.1);
    assert!(
        third.1["error"].as_str().unwrap().contains("in progress"),
        "{}",
        third.1
    );
    // Once they end (here, the client gives up), uploads are taken again.
    for sender in held {
        sender.abort();
    }
    let accepted = tokio::time::timeout(UPLOAD_PATIENCE, async {
        loop {
            let (s, v) = upload(&pro, tiny_mp4(), "d.mp4", "Clip").await;
            if s == 200 {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("uploads are taken again once the held ones end");
    assert_eq!(accepted["type"], "video");
}

/// Mastodon's `media_attributes[]` on `PUT /api/v1/statuses/:id`: new alt text is checked with
/// the post (PHI in it refuses the edit and keeps the old text) and saved with it; JSON and
/// form bodies alike. An image uploaded without alt text can be described before it is used.
async fn alt_text_is_edited_with_the_post(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_alt").await;
    // Uploaded before the alt text was typed: described with PUT /api/v1/media/:id.
    let (s, media) = upload(&pro, jpeg_with_gps(), "arm.jpg", "").await;
    assert_eq!(s, 200, "{media}");
    let media_id = media["id"].as_str().unwrap().to_string();
    let (s, refused) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "A common rash.", "media_ids": [media_id]}),
        )
        .await;
    assert_eq!(s, 422, "an image needs alt text: {refused}");
    let (s, refused) = pro
        .post(
            "/api/v1/statuses",
            json!({"status": "A common rash.", "media_ids": [media_id],
                   "media_attributes": [{"id": media_id, "description": "An arm"}]}),
        )
        .await;
    assert_eq!(s, 422, "media_attributes are for edits: {refused}");
    let (s, described) = pro
        .put(
            &format!("/api/v1/media/{media_id}"),
            json!({"description": "A rash on an arm"}),
        )
        .await;
    assert_eq!(
        (s, &described["description"]),
        (200, &json!("A rash on an arm"))
    );
    let post = pro
        .publish(json!({"status": "A common rash.", "media_ids": [media_id]}))
        .await;
    let id = post["id"].as_str().unwrap().to_string();

    // Edited with the post, as JSON.
    let (s, edited) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "A common rash.", "media_ids": [media_id],
                   "media_attributes": [{"id": media_id, "description": "A red rash on a forearm"}]}),
        )
        .await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(
        edited["media_attachments"][0]["description"],
        "A red rash on a forearm"
    );
    // PHI in the new alt text refuses the edit and keeps the old text.
    let (s, refused) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "A common rash.", "media_ids": [media_id],
                   "media_attributes": [{"id": media_id,
                                         "description": "Maria Lopez, MRN 88123456, left arm"}]}),
        )
        .await;
    assert_eq!(s, 422, "{refused}");
    let (_, now) = pro.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(
        now["media_attachments"][0]["description"],
        "A red rash on a forearm"
    );
    // As a form.
    let res = pro
        .auth(
            pro.http
                .put(format!("{}/api/v1/statuses/{id}", pro.base))
                .form(&[
                    ("status", "A common rash."),
                    ("media_ids[]", media_id.as_str()),
                    ("media_attributes[][id]", media_id.as_str()),
                    (
                        "media_attributes[][description]",
                        "A red, raised rash on a forearm",
                    ),
                ]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, now) = pro.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(
        now["media_attachments"][0]["description"],
        "A red, raised rash on a forearm"
    );
    // Only files of the post.
    let (s, other) = pro
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({"status": "A common rash.", "media_ids": [media_id],
                   "media_attributes": [{"id": "12345", "description": "Something else"}]}),
        )
        .await;
    assert_eq!(s, 422, "{other}");
}
