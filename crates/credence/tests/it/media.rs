//! Media: images lose their GPS data and need alt text; videos are served with ranges.

use crate::helpers::{api, jpeg_with_gps, spawn, tiny_mp4, upload, verified_pro, Backend};
use serde_json::json;

both_backends!(
    images_lose_their_gps_data_and_need_alt_text,
    videos_are_served_with_ranges,
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
