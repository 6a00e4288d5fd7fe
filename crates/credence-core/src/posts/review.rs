//! Peer review and co-authorship: what other professionals vouch for on a post.

use serde::Serialize;

use crate::kernel::clock::now_ms;
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::notifications;
use crate::profiles;

use super::model::Post;
use super::rules::rank_bonus;
use super::view::{view, view_published};

/// A pending review request, for the reviewer's list.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRequest {
    pub id: i64,
    pub post_id: i64,
    pub state: String,
    pub created_at: i64,
}

pub async fn review_requests(core: &Core, actor: &Actor) -> CoreResult<Vec<ReviewRequest>> {
    let rows = sqlx::query(
        "SELECT r.id, r.post_id, r.state, r.created_at FROM review_requests r \
         JOIN posts p ON p.id = r.post_id \
         WHERE r.reviewer_id = $1 AND r.state = 'pending' AND p.state = 'published' \
         ORDER BY r.id DESC LIMIT 100",
    )
    .bind(actor.profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(ReviewRequest {
                id: col(r, "id")?,
                post_id: col(r, "post_id")?,
                state: col(r, "state")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}

/// The reviewer's answer to a review request. Approving marks the post "Medically reviewed by"
/// the reviewer, who must still be a verified professional.
pub async fn decide_review(
    core: &Core,
    actor: &Actor,
    post_id: i64,
    approve: bool,
) -> CoreResult<Post> {
    // A reviewer who cannot read the post (followers only, and they do not follow) cannot
    // vouch for it; checked first, so nothing is written for them.
    view_published(core, Some(actor), post_id).await?;
    let reviewer = profiles::get(core, actor.profile_id).await?;
    let row = sqlx::query(
        "SELECT r.id, p.author_id, p.label FROM review_requests r JOIN posts p ON p.id = r.post_id \
         WHERE r.post_id = $1 AND r.reviewer_id = $2 AND r.state = 'pending' \
         AND p.state = 'published'",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or(CoreError::NotFound("review request"))?;
    if approve && !reviewer.is_verified() {
        return Err(CoreError::forbidden(
            "Only a verified professional can mark a post as medically reviewed",
        ));
    }
    let request_id: i64 = col(&row, "id")?;
    let author_id: i64 = col(&row, "author_id")?;
    let label: String = col(&row, "label")?;
    let author = profiles::get(core, author_id).await?;
    let now = now_ms();
    let mut tx = core.db.begin_write().await?;
    sqlx::query("UPDATE review_requests SET state = $2, decided_at = $3 WHERE id = $1")
        .bind(request_id)
        .bind(if approve { "approved" } else { "declined" })
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if approve {
        sqlx::query(
            "UPDATE posts SET reviewer_id = $2, reviewed_at = $3, \
             rank = published_at + $4 WHERE id = $1",
        )
        .bind(post_id)
        .bind(actor.profile_id)
        .bind(now)
        .bind(rank_bonus(author.is_verified(), &label, true))
        .execute(&mut *tx)
        .await?;
        notifications::notify(
            &mut tx,
            author_id,
            "reviewed",
            Some(actor.profile_id),
            Some(post_id),
        )
        .await?;
    }
    tx.commit().await?;
    view(core, Some(actor), post_id).await
}

/// Whether the actor was asked to review this published post and has not answered yet.
pub async fn review_pending(core: &Core, actor: &Actor, post_id: i64) -> CoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM review_requests r JOIN posts p ON p.id = r.post_id \
         WHERE r.post_id = $1 AND r.reviewer_id = $2 AND r.state = 'pending' \
         AND p.state = 'published'",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_one(&core.db.pool)
    .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// The handles of everyone the actor named as a co-author of their own post, whether or not
/// they have answered (readers see only those who accepted): what an edit keeps when it does
/// not name co-authors again. Empty for someone else's post.
pub async fn named_coauthors(core: &Core, actor: &Actor, post_id: i64) -> CoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT pr.handle FROM coauthors c JOIN profiles pr ON pr.id = c.profile_id \
         JOIN posts p ON p.id = c.post_id WHERE c.post_id = $1 AND p.author_id = $2 \
         ORDER BY pr.handle_lower",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| col(r, "handle"))
        .collect::<sqlx::Result<_>>()?)
}

/// Whether the actor was named a co-author of this post and has not answered yet.
pub async fn coauthorship_pending(core: &Core, actor: &Actor, post_id: i64) -> CoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM coauthors WHERE post_id = $1 AND profile_id = $2 \
         AND accepted_at IS NULL",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_one(&core.db.pool)
    .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// A named co-author accepts (and is shown on the post) or declines (and is removed).
pub async fn answer_coauthorship(
    core: &Core,
    actor: &Actor,
    post_id: i64,
    accept: bool,
) -> CoreResult<Post> {
    let post = view_published(core, Some(actor), post_id).await?;
    if !coauthorship_pending(core, actor, post_id).await? {
        return Err(CoreError::NotFound("co-authorship request"));
    }
    let mut tx = core.db.begin_write().await?;
    if accept {
        sqlx::query("UPDATE coauthors SET accepted_at = $3 WHERE post_id = $1 AND profile_id = $2")
            .bind(post_id)
            .bind(actor.profile_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        notifications::notify(
            &mut tx,
            post.author.id,
            "coauthor_accepted",
            Some(actor.profile_id),
            Some(post_id),
        )
        .await?;
    } else {
        sqlx::query("DELETE FROM coauthors WHERE post_id = $1 AND profile_id = $2")
            .bind(post_id)
            .bind(actor.profile_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    view(core, Some(actor), post_id).await
}
