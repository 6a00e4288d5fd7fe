//! The scheduler's part: publishing scheduled posts when their time comes.

use crate::kernel::db::col;
use crate::kernel::{Core, CoreResult};
use crate::notifications;

use super::create::{on_published, rekey};

/// Publishes scheduled posts whose time has come. Each row is claimed with a conditional
/// UPDATE, so a post is published once even with several instances running this loop.
/// Returns how many this call published.
pub async fn publish_due(core: &Core, now: i64) -> CoreResult<usize> {
    let rows = sqlx::query(
        "SELECT id, author_id, in_reply_to_id FROM posts WHERE state = 'scheduled' \
         AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(&core.db.pool)
    .await?;
    let mut published = 0;
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let author_id: i64 = col(&r, "author_id")?;
        let parent_id: Option<i64> = col(&r, "in_reply_to_id")?;
        let mut tx = core.db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE posts SET state = 'published', published_at = $2, rank = rank + $2 \
             WHERE id = $1 AND state = 'scheduled'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let id = rekey(core, &mut tx, id).await?;
        let mention_ids: Vec<i64> =
            sqlx::query("SELECT profile_id FROM mentions WHERE post_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| col(r, "profile_id"))
                .collect::<sqlx::Result<_>>()?;
        let parent = match parent_id {
            Some(pid) => {
                let r = sqlx::query("SELECT author_id FROM posts WHERE id = $1")
                    .bind(pid)
                    .fetch_optional(&mut *tx)
                    .await?;
                r.map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
                    .transpose()?
            }
            None => None,
        };
        on_published(
            &mut tx,
            core.db.backend,
            id,
            author_id,
            &mention_ids,
            parent,
        )
        .await?;
        // The author hears that it went out.
        notifications::notify_author(&mut tx, author_id, "scheduled_published", id, now).await?;
        tx.commit().await?;
        published += 1;
    }
    Ok(published)
}
