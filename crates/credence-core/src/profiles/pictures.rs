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

/// Makes the image in `bytes` the actor's profile photo or header. A video, or a file that is
/// no image, is refused and nothing changes.
pub async fn set_picture(
    core: &Core,
    actor: &Actor,
    which: Picture,
    bytes: Vec<u8>,
) -> CoreResult<Profile> {
    let upload = media::upload(core, actor, bytes, "", "")
        .await
        .map_err(|e| match e {
            CoreError::Invalid { message, .. } => CoreError::invalid(which.field(), message),
            other => other,
        })?;
    let key = media::key_of(&upload);
    if upload.kind != "image" {
        media::remove_unattached(core, actor, key).await?;
        return Err(CoreError::invalid(
            which.field(),
            "A profile picture must be an image (JPEG, PNG, WebP or GIF), not a video",
        ));
    }
    replace(core, actor, which, Some(key)).await
}

/// Removes the actor's profile photo or header (the default one shows again).
pub async fn remove_picture(core: &Core, actor: &Actor, which: Picture) -> CoreResult<Profile> {
    replace(core, actor, which, None).await
}

async fn replace(
    core: &Core,
    actor: &Actor,
    which: Picture,
    key: Option<&str>,
) -> CoreResult<Profile> {
    let before = get(core, actor.profile_id).await?;
    sqlx::query(&format!(
        // The version is what cached renderings of the account are checked against.
        "UPDATE profiles SET {} = $1, version = version + 1 WHERE id = $2",
        which.column()
    ))
    .bind(key)
    .bind(actor.profile_id)
    .execute(&core.db.pool)
    .await?;
    if let Some(old) = which.current(&before) {
        media::remove_unattached(core, actor, old).await?;
    }
    Ok(get(core, actor.profile_id).await?.for_viewer(Some(actor)))
}
