//! Media attached to posts: uploads are checked by content and cleaned by `credence-media`
//! (EXIF and GPS stripped, thumbnails made), then stored in the database so several
//! instances serve the same files. Files are served under an unguessable key; an image
//! cannot be published without alt text.

use std::collections::HashMap;

use base64::Engine;
use credence_media::{Limits, MediaError, MediaKind};
use serde::Serialize;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, placeholders, Tx};
use crate::kernel::text::multi_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

/// Most files one post carries.
pub const MAX_MEDIA: usize = 4;

/// The largest file of any kind an upload may carry (a video), in bytes: a reader of the
/// request can stop at the first byte past it.
pub fn largest_file_bytes() -> usize {
    let limits = Limits::default();
    limits.max_video_bytes.max(limits.max_image_bytes)
}

/// The media types uploads may have.
pub fn supported_mime_types() -> Vec<&'static str> {
    credence_media::Format::ALL
        .iter()
        .map(credence_media::Format::mime)
        .collect()
}

/// The largest video an upload may carry, in bytes.
pub fn largest_video_bytes() -> usize {
    Limits::default().max_video_bytes
}

/// The most pixels (width × height) an uploaded image may have.
pub fn largest_image_pixels() -> u64 {
    Limits::default().max_pixels
}

/// The largest image an upload may carry, in bytes.
pub fn largest_image_bytes() -> usize {
    Limits::default().max_image_bytes
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaInfo {
    pub id: i64,
    /// `image` or `video`.
    pub kind: String,
    pub mime: String,
    /// Path of the file, e.g. `/media/Q2x…` (the web layer makes it absolute).
    pub path: String,
    /// Path of the thumbnail (the file itself for videos).
    pub preview_path: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub blurhash: Option<String>,
    /// Alt text: what the image shows, for people who cannot see it.
    pub description: String,
    /// An infographic's full text, for screen readers and search.
    pub long_description: String,
    pub post_id: Option<i64>,
}

const MEDIA_COLUMNS: &str = "id, file_key, kind, mime, thumbnail_mime, width, height, blurhash, \
    description, long_description, post_id";

fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<MediaInfo> {
    let key: String = col(r, "file_key")?;
    let thumb: Option<String> = col(r, "thumbnail_mime")?;
    Ok(MediaInfo {
        id: col(r, "id")?,
        kind: col(r, "kind")?,
        mime: col(r, "mime")?,
        preview_path: if thumb.is_some() {
            format!("/media/{key}/thumbnail")
        } else {
            format!("/media/{key}")
        },
        path: format!("/media/{key}"),
        width: col(r, "width")?,
        height: col(r, "height")?,
        blurhash: col(r, "blurhash")?,
        description: col(r, "description")?,
        long_description: col(r, "long_description")?,
        post_id: col(r, "post_id")?,
    })
}

/// Alt text as it is stored (the rules of [`describe`]).
pub(crate) fn clean_description(description: &str) -> CoreResult<String> {
    Ok(clean_texts(description, "")?.0)
}

fn clean_texts(description: &str, long_description: &str) -> CoreResult<(String, String)> {
    Ok((
        multi_line("description", "The alt text", description, 1_500)?,
        multi_line(
            "long_description",
            "The long description",
            long_description,
            10_000,
        )?,
    ))
}

/// Checks, cleans and stores an upload. The heavy image work runs off the async threads.
pub async fn upload(
    core: &Core,
    actor: &Actor,
    bytes: Vec<u8>,
    description: &str,
    long_description: &str,
) -> CoreResult<MediaInfo> {
    let (description, long_description) = clean_texts(description, long_description)?;
    let processed = tokio::task::spawn_blocking(move || {
        credence_media::process_owned(bytes, &Limits::default())
    })
    .await
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("media worker: {e}")))?
    .map_err(|e| match e {
        MediaError::TooLarge { .. } => CoreError::TooLarge(e.to_string()),
        e => CoreError::invalid("file", e.to_string()),
    })?;
    let id = new_id();
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>());
    let kind = match processed.format.kind() {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
    };
    sqlx::query(
        "INSERT INTO media (id, file_key, owner_id, kind, mime, data, thumbnail, thumbnail_mime, \
         width, height, blurhash, description, long_description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(&key)
    .bind(actor.profile_id)
    .bind(kind)
    .bind(processed.format.mime())
    .bind(processed.data)
    .bind(processed.thumbnail)
    .bind(processed.thumbnail_format.map(|f| f.mime()))
    .bind(processed.width.map(i64::from))
    .bind(processed.height.map(i64::from))
    .bind(processed.blurhash)
    .bind(&description)
    .bind(&long_description)
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    get_own(core, actor, id).await
}

/// The file key an upload is served by (`/media/KEY`).
pub fn key_of(info: &MediaInfo) -> &str {
    info.path.trim_start_matches("/media/")
}

/// Deletes the actor's upload served as `key` if no post uses it (a replaced profile picture).
pub async fn remove_unattached(core: &Core, actor: &Actor, key: &str) -> CoreResult<()> {
    sqlx::query("DELETE FROM media WHERE file_key = $1 AND owner_id = $2 AND post_id IS NULL")
        .bind(key)
        .bind(actor.profile_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

/// One of the actor's own uploads.
pub async fn get_own(core: &Core, actor: &Actor, id: i64) -> CoreResult<MediaInfo> {
    let row = sqlx::query(&format!(
        "SELECT {MEDIA_COLUMNS} FROM media WHERE id = $1 AND owner_id = $2"
    ))
    .bind(id)
    .bind(actor.profile_id)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or(CoreError::NotFound("media"))?;
    Ok(from_row(&row)?)
}

/// Changes the alt text (and long description) of the actor's own upload.
pub async fn describe(
    core: &Core,
    actor: &Actor,
    id: i64,
    description: &str,
    long_description: &str,
) -> CoreResult<MediaInfo> {
    let current = get_own(core, actor, id).await?;
    if let Some(post_id) = current.post_id {
        let going_out =
            sqlx::query("SELECT COUNT(*) AS n FROM posts WHERE id = $1 AND state <> 'draft'")
                .bind(post_id)
                .fetch_one(&core.db.pool)
                .await?;
        if col::<i64>(&going_out, "n")? > 0 {
            // A post's text is checked for PHI when it is published, scheduled or edited (a
            // scheduled post goes out later without another check); a description changed on
            // its own would skip that check.
            return Err(CoreError::invalid(
                "description",
                "This file belongs to a published or scheduled post: edit the post to change its \
                 description",
            ));
        }
    }
    let (description, long_description) = clean_texts(description, long_description)?;
    sqlx::query(
        "UPDATE media SET description = $3, long_description = $4 WHERE id = $1 AND owner_id = $2",
    )
    .bind(id)
    .bind(actor.profile_id)
    .bind(&description)
    .bind(&long_description)
    .execute(&core.db.pool)
    .await?;
    get_own(core, actor, id).await
}

/// The uploads a post may take: the actor's own, not attached to another post, at most four;
/// when publishing, every image needs alt text (stored, or given with the post in
/// `new_alt_text`).
pub(crate) async fn claimable(
    core: &Core,
    actor: &Actor,
    ids: &[i64],
    post_id: Option<i64>,
    publishing: bool,
    new_alt_text: &[(i64, String)],
) -> CoreResult<Vec<i64>> {
    // Each file once, in the order given (the post shows them in that order).
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if unique.len() > MAX_MEDIA {
        return Err(CoreError::invalid(
            "media_ids",
            format!("At most {} files per post", MAX_MEDIA),
        ));
    }
    for id in &unique {
        let media = get_own(core, actor, *id)
            .await
            .map_err(|_| CoreError::invalid("media_ids", "An attached file was not found"))?;
        if media.post_id.is_some() && media.post_id != post_id {
            return Err(CoreError::invalid(
                "media_ids",
                "An attached file already belongs to another post",
            ));
        }
        let described = !media.description.trim().is_empty()
            || new_alt_text
                .iter()
                .any(|(m, text)| m == id && !text.trim().is_empty());
        if publishing && media.kind == "image" && !described {
            return Err(CoreError::invalid(
                "media_ids",
                "Every image needs alt text (a short description of what it shows) before \
                 publishing",
            ));
        }
    }
    Ok(unique)
}

/// Makes `ids` the post's media (files dropped from an edited post are deleted).
pub(crate) async fn attach(tx: &mut Tx, post_id: i64, ids: &[i64]) -> CoreResult<()> {
    let keep = if ids.is_empty() {
        String::new()
    } else {
        format!(" AND id NOT IN ({})", placeholders(2, ids.len()))
    };
    let sql = format!("DELETE FROM media WHERE post_id = $1{keep}");
    let mut query = sqlx::query(&sql).bind(post_id);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(&mut **tx).await?;
    for id in ids {
        sqlx::query("UPDATE media SET post_id = $1 WHERE id = $2")
            .bind(post_id)
            .bind(*id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn for_posts(
    core: &Core,
    ids: &[i64],
) -> CoreResult<HashMap<i64, Vec<MediaInfo>>> {
    let sql = format!(
        "SELECT {MEDIA_COLUMNS} FROM media WHERE post_id IN ({}) ORDER BY id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut out: HashMap<i64, Vec<MediaInfo>> = HashMap::new();
    for r in query.fetch_all(&core.db.pool).await? {
        let info = from_row(&r)?;
        out.entry(info.post_id.unwrap_or_default())
            .or_default()
            .push(info);
    }
    Ok(out)
}

/// A stored file by key: (MIME type, bytes). `thumbnail` picks the preview image.
pub async fn file(core: &Core, key: &str, thumbnail: bool) -> CoreResult<(String, Vec<u8>)> {
    let sql = if thumbnail {
        "SELECT thumbnail_mime AS mime, thumbnail AS data FROM media WHERE file_key = $1"
    } else {
        "SELECT mime, data FROM media WHERE file_key = $1"
    };
    let row = sqlx::query(sql)
        .bind(key)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("file"))?;
    let mime: Option<String> = col(&row, "mime")?;
    let data: Option<Vec<u8>> = col(&row, "data")?;
    match (mime, data) {
        (Some(mime), Some(data)) => Ok((mime, data)),
        _ => Err(CoreError::NotFound("file")),
    }
}
