//! Favourites, boosts and bookmarks: what a reader does with a post they can read.

use crate::home_feeds;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::notifications;
use crate::posts::{self, Post, Visibility};

/// The post an interaction is about: a boost's original (as Mastodon does).
async fn target(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let mut post = posts::view_published(core, Some(actor), id).await?;
    if let Some(original) = post.reblog.take() {
        post = *original;
    }
    Ok(post)
}

/// Favourites a post the actor can read; idempotent, notifies the author once.
pub async fn favourite(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = target(core, actor, id).await?;
    let id = post.id;
    let mut tx = core.db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO favourites (profile_id, post_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (profile_id, post_id) DO NOTHING",
    )
    .bind(actor.profile_id)
    .bind(id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("UPDATE posts SET favourites_count = favourites_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        notifications::notify(
            &mut tx,
            post.author.id,
            "favourite",
            Some(actor.profile_id),
            Some(id),
        )
        .await?;
    }
    home_feeds::refresh_flags(&mut tx, core.db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(core, Some(actor), id).await
}

pub async fn unfavourite(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let id = target(core, actor, id).await?.id;
    let mut tx = core.db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM favourites WHERE profile_id = $1 AND post_id = $2")
        .bind(actor.profile_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 1 {
        sqlx::query(
            "UPDATE posts SET favourites_count = favourites_count - 1 \
             WHERE id = $1 AND favourites_count > 0",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    home_feeds::refresh_flags(&mut tx, core.db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(core, Some(actor), id).await
}

/// Boosts a public post to the actor's followers. Returns the boost (whose `reblog` is the
/// original). Boosting twice returns the existing boost.
pub async fn reblog(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let original = target(core, actor, id).await?;
    if original.visibility != Visibility::Public {
        return Err(CoreError::forbidden(
            "Only public posts can be shared: this one is for a narrower audience",
        ));
    }
    let now = now_ms();
    let mut tx = core.db.begin_write().await?;
    // The unique index on (author, original) makes a second, racing boost a no-op.
    let boost_id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO posts (id, author_id, kind, state, visibility, reblog_of_id, label, rank, \
         created_at, published_at) VALUES ($1, $2, 'post', 'published', 'public', $3, $4, $5, $5, $5) \
         ON CONFLICT (author_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL DO NOTHING",
    )
    .bind(boost_id)
    .bind(actor.profile_id)
    .bind(original.id)
    .bind(&original.label)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("UPDATE posts SET reblogs_count = reblogs_count + 1 WHERE id = $1")
            .bind(original.id)
            .execute(&mut *tx)
            .await?;
        notifications::notify(
            &mut tx,
            original.author.id,
            "reblog",
            Some(actor.profile_id),
            Some(original.id),
        )
        .await?;
        home_feeds::fan_out(&mut tx, core.db.backend, boost_id, actor.profile_id).await?;
        home_feeds::refresh_flags(&mut tx, core.db.backend, actor.profile_id, original.id).await?;
    }
    tx.commit().await?;
    let id = if inserted == 1 {
        boost_id
    } else {
        // Boosted before (or by a racing request): return that boost.
        let row = sqlx::query("SELECT id FROM posts WHERE author_id = $1 AND reblog_of_id = $2")
            .bind(actor.profile_id)
            .bind(original.id)
            .fetch_one(&core.db.pool)
            .await?;
        col(&row, "id")?
    };
    posts::view(core, Some(actor), id).await
}

/// Removes the actor's boost of a post; returns the original.
pub async fn unreblog(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let original = target(core, actor, id).await?;
    let mut tx = core.db.begin_write().await?;
    posts::remove_boost(&mut tx, core.db.backend, actor.profile_id, original.id).await?;
    tx.commit().await?;
    posts::view(core, Some(actor), original.id).await
}

pub async fn bookmark(core: &Core, actor: &Actor, id: i64, on: bool) -> CoreResult<Post> {
    let id = target(core, actor, id).await?.id;
    let mut tx = core.db.begin_write().await?;
    if on {
        sqlx::query(
            "INSERT INTO bookmarks (profile_id, post_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (profile_id, post_id) DO NOTHING",
        )
        .bind(actor.profile_id)
        .bind(id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM bookmarks WHERE profile_id = $1 AND post_id = $2")
            .bind(actor.profile_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    home_feeds::refresh_flags(&mut tx, core.db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(core, Some(actor), id).await
}

/// One of the buttons under a post, by the name the pages and Mastodon's routes give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    Favourite,
    Unfavourite,
    Reblog,
    Unreblog,
    Bookmark,
    Unbookmark,
}

impl Interaction {
    /// `favourite`, `unreblog`, …; `None` for any other word.
    pub fn parse(name: &str) -> Option<Interaction> {
        Some(match name {
            "favourite" => Interaction::Favourite,
            "unfavourite" => Interaction::Unfavourite,
            "reblog" => Interaction::Reblog,
            "unreblog" => Interaction::Unreblog,
            "bookmark" => Interaction::Bookmark,
            "unbookmark" => Interaction::Unbookmark,
            _ => return None,
        })
    }
}

/// Does what the button says to post `id`, as the actor; returns the post as they now see it.
pub async fn interact(core: &Core, actor: &Actor, id: i64, how: Interaction) -> CoreResult<Post> {
    match how {
        Interaction::Favourite => favourite(core, actor, id).await,
        Interaction::Unfavourite => unfavourite(core, actor, id).await,
        Interaction::Reblog => reblog(core, actor, id).await,
        Interaction::Unreblog => unreblog(core, actor, id).await,
        Interaction::Bookmark => bookmark(core, actor, id, true).await,
        Interaction::Unbookmark => bookmark(core, actor, id, false).await,
    }
}
