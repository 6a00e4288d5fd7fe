//! Deleting a post (a tombstone stays so replies keep their place) and undoing a boost.

use crate::audit;
use crate::home_feeds;
use crate::kernel::clock::now_ms;
use crate::kernel::db::{col, parse_col, Backend, Tx};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::profiles;

use super::model::{Post, PostState, Visibility};
use super::view::{view, view_published};

/// Deletes a post (its author, or a moderator): the content goes, a tombstone stays so
/// replies keep their place; boosts of it go too. Returns the post as it was.
pub async fn delete(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = view(core, Some(actor), id).await?;
    remove(core, actor, id).await?;
    Ok(post)
}

/// [`delete`] for a published post only (Mastodon's `DELETE /api/v1/statuses/:id`; drafts and
/// scheduled posts are not statuses there).
pub async fn delete_published(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = view_published(core, Some(actor), id).await?;
    remove(core, actor, id).await?;
    Ok(post)
}

/// Cancels one of the actor's own scheduled posts.
pub async fn cancel_scheduled(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    super::view::own_scheduled(core, actor, id).await?;
    remove(core, actor, id).await
}

async fn remove(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    let row = sqlx::query(
        "SELECT author_id, state, visibility, in_reply_to_id, reblog_of_id FROM posts WHERE id = $1",
    )
        .bind(id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    let author_id: i64 = col(&row, "author_id")?;
    let state: PostState = parse_col(&row, "state")?;
    let parent: Option<i64> = col(&row, "in_reply_to_id")?;
    let counted = state == PostState::Published
        && parse_col::<Visibility>(&row, "visibility")? == Visibility::Public;
    let moderator = actor.role.can_review();
    if author_id != actor.profile_id && !(moderator && state == PostState::Published) {
        if state != PostState::Published {
            return Err(CoreError::NotFound("post"));
        }
        return Err(CoreError::forbidden("Only the author can delete this post"));
    }
    if state == PostState::Deleted {
        return Err(CoreError::NotFound("post"));
    }
    let mut tx = core.db.begin_write().await?;
    if let Some(original) = col::<Option<i64>>(&row, "reblog_of_id")? {
        // Deleting a boost is undoing it (as on Mastodon).
        remove_boost(&mut tx, core.db.backend, author_id, original).await?;
        tx.commit().await?;
        return Ok(());
    }
    let now = now_ms();
    sqlx::query(
        "UPDATE posts SET state = 'deleted', title = '', body = '', body_html = '', \
         spoiler_text = '', disclosure = '', label_reasons = '[]', deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM post_versions WHERE post_id = $1",
        "DELETE FROM citations WHERE post_id = $1",
        "DELETE FROM post_topics WHERE post_id = $1",
        "DELETE FROM mentions WHERE post_id = $1",
        "DELETE FROM media WHERE post_id = $1",
        "DELETE FROM notifications WHERE post_id = $1",
        "DELETE FROM home_entries WHERE post_id = $1",
        "DELETE FROM posts WHERE reblog_of_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    if counted {
        profiles::count_post(&mut tx, author_id, -1, None).await?;
    }
    if let (Some(parent), PostState::Published) = (parent, state) {
        sqlx::query(
            "UPDATE posts SET replies_count = replies_count - 1 WHERE id = $1 AND replies_count > 0",
        )
        .bind(parent)
        .execute(&mut *tx)
        .await?;
    }
    if author_id != actor.profile_id {
        audit::record(
            &mut *tx,
            Some(actor.user_id),
            "post.delete",
            ("post", Some(id)),
            "removed by a moderator",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
/// Removes `booster`'s boost of `original` (if any) and the count it added. A boost is a row
/// with nothing of its own, so it is removed rather than left as a tombstone: the unique index
/// on (author, original) would otherwise block boosting the post again.
pub(crate) async fn remove_boost(
    tx: &mut Tx,
    backend: Backend,
    booster: i64,
    original: i64,
) -> CoreResult<()> {
    let removed = sqlx::query("DELETE FROM posts WHERE author_id = $1 AND reblog_of_id = $2")
        .bind(booster)
        .bind(original)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if removed > 0 {
        sqlx::query(
            "UPDATE posts SET reblogs_count = CASE WHEN reblogs_count > $2 \
             THEN reblogs_count - $2 ELSE 0 END WHERE id = $1",
        )
        .bind(original)
        .bind(removed as i64)
        .execute(&mut **tx)
        .await?;
        home_feeds::refresh_flags(tx, backend, booster, original).await?;
    }
    Ok(())
}
