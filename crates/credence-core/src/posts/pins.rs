//! Pinned posts: an author shows up to [`MAX_PINNED`] of their own posts first on their profile
//! (Mastodon's `/api/v1/statuses/:id/pin`, with its rules and messages).

use crate::kernel::clock::now_ms;
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::model::{Post, Visibility};
use super::view::view_published;

/// Posts one author may have pinned at once (Mastodon's limit).
pub const MAX_PINNED: i64 = 5;

/// Pins (`on`) or unpins one of the actor's published posts; returns it as they now see it.
pub async fn pin(core: &Core, actor: &Actor, id: i64, on: bool) -> CoreResult<Post> {
    let post = view_published(core, Some(actor), id).await?;
    if on {
        check_pinnable(&post, actor)?;
    }
    if on == post.pinned_at.is_some() {
        return Ok(post);
    }
    let mut tx = core.db.begin_write().await?;
    if on {
        let pinned = sqlx::query(
            "SELECT COUNT(*) AS n FROM posts WHERE author_id = $1 AND pinned_at IS NOT NULL \
             AND state = 'published'",
        )
        .bind(actor.profile_id)
        .fetch_one(&mut *tx)
        .await?;
        if col::<i64>(&pinned, "n")? >= MAX_PINNED {
            return Err(CoreError::invalid(
                "id",
                format!("You have already pinned {MAX_PINNED} posts: unpin one first"),
            ));
        }
    }
    // The version changes what the post looks like (`pinned`), so caches render it again.
    sqlx::query(
        "UPDATE posts SET pinned_at = $1, version = version + 1 \
         WHERE id = $2 AND author_id = $3",
    )
    .bind(on.then(now_ms))
    .bind(id)
    .bind(actor.profile_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    view_published(core, Some(actor), id).await
}

fn check_pinnable(post: &Post, actor: &Actor) -> CoreResult<()> {
    if post.author.id != actor.profile_id {
        return Err(CoreError::invalid(
            "id",
            "Someone else's post cannot be pinned",
        ));
    }
    if post.reblog.is_some() {
        return Err(CoreError::invalid("id", "A boost cannot be pinned"));
    }
    if post.visibility == Visibility::Direct {
        return Err(CoreError::invalid(
            "id",
            "Posts only the people mentioned can see cannot be pinned",
        ));
    }
    Ok(())
}
