//! In-app notifications: recorded by the capability where something happened (a mention, a
//! reply, a follow, a like, a review request, a scheduled post going out), in its own
//! transaction, and read back newest first. What a page shows of one (who, which post) is the
//! `timelines` listing of them.

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreResult};

/// Records a notification (never to oneself).
pub async fn notify<'e, E>(
    executor: E,
    recipient: i64,
    kind: &str,
    actor: Option<i64>,
    post: Option<i64>,
) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if actor == Some(recipient) {
        return Ok(());
    }
    insert(executor, recipient, kind, actor, post, now_ms()).await
}

/// Tells an author something about their own post that they did not do themselves at that
/// moment (the scheduler published it at `at`).
pub async fn notify_author<'e, E>(
    executor: E,
    author: i64,
    kind: &str,
    post: i64,
    at: i64,
) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    insert(executor, author, kind, Some(author), Some(post), at).await
}

async fn insert<'e, E>(
    executor: E,
    recipient: i64,
    kind: &str,
    actor: Option<i64>,
    post: Option<i64>,
    at: i64,
) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO notifications (id, recipient_id, kind, actor_id, post_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(recipient)
    .bind(kind)
    .bind(actor)
    .bind(post)
    .bind(at)
    .execute(executor)
    .await?;
    Ok(())
}

/// What happened, in words after the actor's name ("Dr Okafor liked your post").
pub fn describe(kind: &str) -> &'static str {
    match kind {
        "mention" => "mentioned you",
        "reply" => "replied to your post",
        "follow" => "followed you",
        "favourite" => "liked your post",
        "reblog" => "shared your post",
        "review_request" => "asked you to review a post",
        "reviewed" => "medically reviewed your post",
        "coauthor_request" => "named you as a co-author (accept it on the post)",
        "coauthor_accepted" => "accepted co-authorship of your post",
        "scheduled_published" => "Your scheduled post was published",
        _ => "",
    }
}

/// One notification as stored: what happened, who did it, about which post.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub post_id: Option<i64>,
    pub created_at: i64,
    pub read: bool,
}

/// The actor's notifications, newest first, with keyset pagination on id.
pub async fn page(
    core: &Core,
    actor: &Actor,
    max_id: Option<i64>,
    limit: i64,
) -> CoreResult<Vec<Stored>> {
    let rows = sqlx::query(
        "SELECT id, kind, actor_id, post_id, created_at, read_at FROM notifications \
         WHERE recipient_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(actor.profile_id)
    .bind(max_id.unwrap_or(i64::MAX))
    .bind(limit.clamp(1, 80))
    .fetch_all(&core.db.pool)
    .await?;
    let stored = |r: &sqlx::any::AnyRow| -> sqlx::Result<Stored> {
        Ok(Stored {
            id: col(r, "id")?,
            kind: col(r, "kind")?,
            actor_id: col(r, "actor_id")?,
            post_id: col(r, "post_id")?,
            created_at: col(r, "created_at")?,
            read: col::<Option<i64>>(r, "read_at")?.is_some(),
        })
    };
    Ok(rows.iter().map(stored).collect::<sqlx::Result<_>>()?)
}
pub async fn mark_read(core: &Core, actor: &Actor) -> CoreResult<()> {
    sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE recipient_id = $1 AND read_at IS NULL",
    )
    .bind(actor.profile_id)
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    Ok(())
}

pub async fn clear(core: &Core, actor: &Actor) -> CoreResult<()> {
    sqlx::query("DELETE FROM notifications WHERE recipient_id = $1")
        .bind(actor.profile_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}
