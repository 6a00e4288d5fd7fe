//! Featured hashtags: the topics a person shows on their profile, each with how many of their
//! public posts carry it and when they last posted on it.

use serde::Serialize;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::{ensure, hashtag_slug, Topic};

/// Most hashtags one profile features (Mastodon's default).
pub const MAX_FEATURED: i64 = 10;

#[derive(Debug, Clone, Serialize)]
pub struct FeaturedTag {
    pub id: i64,
    pub topic: Topic,
    /// The profile's published public posts on the topic.
    pub posts: i64,
    pub last_post_at: Option<i64>,
}

/// What a profile features, oldest first.
pub async fn featured(core: &Core, profile_id: i64) -> CoreResult<Vec<FeaturedTag>> {
    let rows = sqlx::query(
        "SELECT f.id AS featured_id, t.id, t.slug, t.name, t.curated, \
         (SELECT COUNT(*) FROM posts p JOIN post_topics pt ON pt.post_id = p.id \
            WHERE pt.topic_id = t.id AND p.author_id = f.profile_id AND p.state = 'published' \
            AND p.visibility = 'public' AND p.unlisted = 0) AS posts, \
         (SELECT MAX(p.published_at) FROM posts p JOIN post_topics pt ON pt.post_id = p.id \
            WHERE pt.topic_id = t.id AND p.author_id = f.profile_id AND p.state = 'published' \
            AND p.visibility = 'public' AND p.unlisted = 0) AS last_post_at \
         FROM featured_tags f JOIN topics t ON t.id = f.topic_id \
         WHERE f.profile_id = $1 ORDER BY f.id",
    )
    .bind(profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FeaturedTag {
                id: col(r, "featured_id")?,
                topic: super::from_row(r)?,
                posts: col(r, "posts")?,
                last_post_at: col(r, "last_post_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}

/// Features a hashtag on the actor's profile (made if no post has used it yet).
pub async fn feature(core: &Core, actor: &Actor, name: &str) -> CoreResult<FeaturedTag> {
    let slug = hashtag_slug(name)?;
    let current = featured(core, actor.profile_id).await?;
    if let Some(already) = current.iter().find(|f| f.topic.slug == slug) {
        return Ok(already.clone());
    }
    if current.len() as i64 >= MAX_FEATURED {
        return Err(CoreError::invalid(
            "name",
            format!("You can feature at most {MAX_FEATURED} hashtags: remove one first"),
        ));
    }
    let mut tx = core.db.begin_write().await?;
    let topic_id = ensure(&mut tx, &slug).await?;
    sqlx::query(
        "INSERT INTO featured_tags (id, profile_id, topic_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (profile_id, topic_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(actor.profile_id)
    .bind(topic_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    featured(core, actor.profile_id)
        .await?
        .into_iter()
        .find(|f| f.topic.slug == slug)
        .ok_or(CoreError::NotFound("featured hashtag"))
}

/// Stops featuring one of the actor's hashtags.
pub async fn unfeature(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    core.db
        .delete_owned(
            "featured_tags",
            "profile_id",
            id,
            actor.profile_id,
            "featured hashtag",
        )
        .await
}

/// The hashtags the actor uses most in public posts and does not feature yet (at most 10).
pub async fn suggestions(core: &Core, actor: &Actor) -> CoreResult<Vec<Topic>> {
    let rows = sqlx::query(
        "SELECT t.id, t.slug, t.name, t.curated FROM topics t \
         JOIN post_topics pt ON pt.topic_id = t.id JOIN posts p ON p.id = pt.post_id \
         WHERE p.author_id = $1 AND p.state = 'published' AND p.visibility = 'public' \
         AND NOT EXISTS (SELECT 1 FROM featured_tags f WHERE f.profile_id = $1 AND f.topic_id = t.id) \
         GROUP BY t.id, t.slug, t.name, t.curated ORDER BY COUNT(*) DESC, t.id LIMIT 10",
    )
    .bind(actor.profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    rows.iter()
        .map(super::from_row)
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}
