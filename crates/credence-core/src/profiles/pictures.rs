//! Profile photos and header images: an image upload (cleaned by `credence-media` like any
//! other: metadata removed, re-encoded, a 400-px thumbnail made) that the profile points at.
//! Replacing or removing one deletes the image it replaced.

use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::media;

use super::model::Profile;
use super::read::get;

/// Which picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    Avatar,
    Header,
}

impl Picture {
    fn column(self) -> &'static str {
        match self {
            Picture::Avatar => "avatar_key",
            Picture::Header => "header_key",
        }
    }

    /// The form field it arrives in (Mastodon's names).
    pub fn field(self) -> &'static str {
        match self {
            Picture::Avatar => "avatar",
            Picture::Header => "header",
        }
    }

    fn current(self, profile: &Profile) -> Option<&str> {
        match self {
            Picture::Avatar => profile.avatar_key.as_deref(),
            Picture::Header => profile.header_key.as_deref(),
        }
    }
}

/// Makes the images the actor's profile photo and/or header. Every image is checked and stored
/// before the profile changes: if one is refused (a video, a file that is no image), none is
/// kept and nothing changes. The images they replace are deleted.
pub async fn set_pictures(
    core: &Core,
    actor: &Actor,
    pictures: Vec<(Picture, Vec<u8>)>,
) -> CoreResult<Profile> {
    let mut stored: Vec<(Picture, String)> = Vec::new();
    for (which, bytes) in pictures {
        match store(core, actor, which, bytes).await {
            Ok(key) => stored.push((which, key)),
            Err(e) => {
                for (_, key) in &stored {
                    media::remove_unattached(core, actor, key).await?;
                }
                return Err(e);
            }
        }
    }
    for (which, key) in stored {
        replace(core, actor, which, Some(&key)).await?;
    }
    Ok(get(core, actor.profile_id).await?.for_viewer(Some(actor)))
}

/// Stores one picture as an upload; returns its file key.
async fn store(core: &Core, actor: &Actor, which: Picture, bytes: Vec<u8>) -> CoreResult<String> {
    let upload = media::upload(core, actor, bytes, "", "")
        .await
        .map_err(|e| match e {
            CoreError::Invalid { message, .. } => CoreError::invalid(which.field(), message),
            other => other,
        })?;
    let key = media::key_of(&upload).to_string();
    if upload.kind != "image" {
        media::remove_unattached(core, actor, &key).await?;
        return Err(CoreError::invalid(
            which.field(),
            "A profile picture must be an image (JPEG, PNG, WebP or GIF), not a video",
        ));
    }
    Ok(key)
}

/// Removes the actor's profile photo or header (the default one shows again).
pub async fn remove_picture(core: &Core, actor: &Actor, which: Picture) -> CoreResult<Profile> {
    replace(core, actor, which, None).await?;
    Ok(get(core, actor.profile_id).await?.for_viewer(Some(actor)))
}

/// Points the profile at `key` and deletes the image it pointed at. The change is made only
/// if the picture is still the one read (two changes at once: the later one reads again), so
/// no replaced image is left behind. (The render version moves by trigger, migration 0021.)
async fn replace(core: &Core, actor: &Actor, which: Picture, key: Option<&str>) -> CoreResult<()> {
    let column = which.column();
    for _ in 0..5 {
        let before = get(core, actor.profile_id).await?;
        let old = which.current(&before).map(str::to_string);
        let changed = sqlx::query(&format!(
            "UPDATE profiles SET {column} = $1 WHERE id = $2 \
             AND ({column} = $3 OR ({column} IS NULL AND $3 IS NULL))"
        ))
        .bind(key)
        .bind(actor.profile_id)
        .bind(old.as_deref())
        .execute(&core.db.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            continue;
        }
        if let Some(old) = old.filter(|old| Some(old.as_str()) != key) {
            media::remove_unattached(core, actor, &old).await?;
        }
        return Ok(());
    }
    Err(CoreError::Conflict {
        field: which.field(),
        message: "The picture changed meanwhile: try again".into(),
    })
}
