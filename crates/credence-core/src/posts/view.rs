//! Reading one post as a viewer may see it, its earlier versions, and the author's drafts.

use crate::kernel::db::col;
use crate::kernel::visibility::{viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::load::load;
use super::model::{Post, PostState, Version, POST_COLUMNS};

/// One post as this viewer may see it. Drafts and scheduled posts are the author's alone;
/// a deleted post is returned as a tombstone (state `deleted`, no content).
pub async fn view(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Post> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1 AND \
         (((p.state = 'published' OR (p.state = 'deleted' AND p.published_at IS NOT NULL)) \
            AND {}) OR (p.author_id = $2 AND p.state <> 'deleted'))",
        visible_to(2)
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(viewer_id(viewer))
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    load(core, viewer, vec![row])
        .await?
        .pop()
        .ok_or(CoreError::NotFound("post"))
}

/// A published, readable post, or NotFound (tombstones, drafts and hidden posts included).
pub async fn view_published(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Post> {
    let post = view(core, viewer, id).await?;
    if post.state != PostState::Published {
        return Err(CoreError::NotFound("post"));
    }
    Ok(post)
}

/// One of the actor's own posts, to edit (not a deleted one): anyone else's is refused.
pub async fn editable(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = view(core, Some(actor), id).await?;
    if post.author.id != actor.profile_id || post.is_deleted() {
        return Err(CoreError::forbidden("Only the author can edit this post"));
    }
    Ok(post)
}

/// The text of one of the actor's own posts, as they typed it (Mastodon's `source`): anyone
/// else's answers as if it did not exist.
pub async fn source(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = view(core, Some(actor), id).await?;
    if post.author.id != actor.profile_id {
        return Err(CoreError::NotFound("post"));
    }
    Ok(post)
}

/// One of the actor's own scheduled posts.
pub async fn own_scheduled(core: &Core, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = view(core, Some(actor), id).await?;
    if post.state != PostState::Scheduled || post.author.id != actor.profile_id {
        return Err(CoreError::NotFound("scheduled post"));
    }
    Ok(post)
}

/// The earlier versions of a post (newest first), for "edited" history. Same visibility as
/// the post.
pub async fn versions(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Vec<Version>> {
    let post = view_published(core, viewer, id).await?;
    versions_of(core, &post).await
}

/// The earlier versions of a post the caller has already read as this viewer (newest first).
pub async fn versions_of(core: &Core, post: &Post) -> CoreResult<Vec<Version>> {
    let id = post.id;
    let rows = sqlx::query(
        "SELECT title, body, spoiler_text, created_at FROM post_versions WHERE post_id = $1 \
         ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Version {
                title: col(r, "title")?,
                body: col(r, "body")?,
                spoiler_text: col(r, "spoiler_text")?,
                replaced_at: col(r, "created_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}

/// The viewer's own drafts and scheduled posts, newest first.
pub async fn unpublished(core: &Core, actor: &Actor) -> CoreResult<Vec<Post>> {
    own_in_states(core, actor, "'draft', 'scheduled'").await
}

/// The actor's scheduled posts (newest first, at most 100): Mastodon's scheduled statuses.
pub async fn scheduled(core: &Core, actor: &Actor) -> CoreResult<Vec<Post>> {
    own_in_states(core, actor, "'scheduled'").await
}

/// The actor's posts in `states` (a literal SQL list), newest first, at most 100.
async fn own_in_states(core: &Core, actor: &Actor, states: &'static str) -> CoreResult<Vec<Post>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.author_id = $1 \
         AND p.state IN ({states}) ORDER BY p.id DESC LIMIT 100"
    );
    let rows = sqlx::query(&sql)
        .bind(actor.profile_id)
        .fetch_all(&core.db.pool)
        .await?;
    load(core, Some(actor), rows).await
}

/// How many posts this server's people have published (boosts and deleted posts not
/// counted): NodeInfo's `localPosts`, Mastodon's `status_count`.
pub async fn count_published(core: &Core) -> CoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM posts WHERE state = 'published' AND reblog_of_id IS NULL",
    )
    .fetch_one(&core.db.pool)
    .await?;
    Ok(col(&row, "n")?)
}

/// How many public posts a profile has published (boosts not counted).
pub async fn count_by_author(core: &Core, author_id: i64) -> CoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM posts WHERE author_id = $1 AND state = 'published' \
         AND visibility = 'public' AND reblog_of_id IS NULL",
    )
    .bind(author_id)
    .fetch_one(&core.db.pool)
    .await?;
    Ok(col(&row, "n")?)
}
