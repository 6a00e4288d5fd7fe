//! A conversation thread around one post: the posts it replies to and the replies under it.
//!
//! Both are read as ids (two recursive statements, whatever the thread's depth); the API
//! renders them as refs through the cache like any listing, the post page loads them in full.

use std::collections::HashMap;

use crate::kernel::db::col;
use crate::kernel::visibility::{viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::posts::{
    cached_refs, entries_of, entry_columns, load_by_ids, Audience, CachedPage, Entry, Post,
    PostRef, ENTRY_NAMES, PUBLISHED_BY_ID,
};

/// How far up a thread is followed, and how many replies are shown under a post.
const MAX_ANCESTORS: i64 = 40;
const MAX_DESCENDANTS: i64 = 200;

/// A published post or what is left of one deleted after publication (its place in a
/// thread stays, shown as deleted).
const IN_THREAD: &str =
    "(p.state = 'published' OR (p.state = 'deleted' AND p.published_at IS NOT NULL))";

/// A thread around a post as refs, for the API: the posts it replies to (oldest first) and
/// the replies under it (in reading order), each only if the viewer may read it. A deleted
/// ancestor is left out (those above it stay).
pub async fn context(
    core: &Core,
    viewer: Option<&Actor>,
    id: i64,
) -> CoreResult<(Vec<PostRef>, Vec<PostRef>)> {
    let parent = readable_parent(core, viewer, id).await?;
    let (ancestors, descendants) = thread_entries(core, viewer, id, parent).await?;
    Ok((
        cached_refs(core, &ancestors).await?,
        cached_refs(core, &descendants).await?,
    ))
}

/// [`context`] in full, deleted ancestors included, around a published post the caller has
/// already read as this viewer: what the post page shows.
pub async fn thread(
    core: &Core,
    viewer: Option<&Actor>,
    post: &Post,
) -> CoreResult<(Vec<Post>, Vec<Post>)> {
    let (ancestors, descendants) =
        thread_entries(core, viewer, post.id, post.in_reply_to_id).await?;
    let ids: Vec<i64> = ancestors.iter().chain(&descendants).map(|e| e.0).collect();
    // The ids are the viewer's to read already.
    let mut loaded = load_by_ids(core, viewer, &ids, IN_THREAD, Audience::Unchecked).await?;
    let mut take = |entries: &[Entry]| -> Vec<Post> {
        entries.iter().filter_map(|e| loaded.remove(&e.0)).collect()
    };
    Ok((take(&ancestors), take(&descendants)))
}

/// What the published post `id` replies to, if the viewer may read the post (one small
/// statement: the thread's posts come through the cache, the post itself need not be loaded).
async fn readable_parent(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Option<i64>> {
    let sql = format!(
        "SELECT p.in_reply_to_id FROM posts p WHERE p.id = $2 AND p.state = 'published' AND {}",
        visible_to(1)
    );
    let row = sqlx::query(&sql)
        .bind(viewer_id(viewer))
        .bind(id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    Ok(col(&row, "in_reply_to_id")?)
}

/// The thread's entries around post `id` (replying to `parent`): ancestors oldest first, then
/// the replies with each followed by its own replies.
async fn thread_entries(
    core: &Core,
    viewer: Option<&Actor>,
    id: i64,
    parent: Option<i64>,
) -> CoreResult<(Vec<Entry>, Vec<Entry>)> {
    let ancestors = match parent {
        Some(parent) => ancestors(core, viewer, parent).await?,
        None => Vec::new(),
    };
    Ok((ancestors, descendants(core, viewer, id).await?))
}

/// The chain of posts above `parent` (itself included) that the viewer may read, oldest
/// first; it stops below the first one they may not.
async fn ancestors(core: &Core, viewer: Option<&Actor>, parent: i64) -> CoreResult<Vec<Entry>> {
    let page = format!(
        "WITH RECURSIVE up(id, depth) AS ( \
           SELECT CAST($2 AS BIGINT), 1 \
           UNION ALL \
           SELECT p.in_reply_to_id, up.depth + 1 FROM up CROSS JOIN posts p \
           WHERE p.id = up.id AND p.in_reply_to_id IS NOT NULL AND up.depth < {MAX_ANCESTORS}) \
         SELECT {columns}, up.depth FROM up CROSS JOIN posts p \
         WHERE p.id = up.id AND {IN_THREAD} AND {visible}",
        columns = entry_columns(),
        visible = visible_to(1),
    );
    let rows = CachedPage {
        page: &page,
        columns: &format!("{ENTRY_NAMES}, e.depth"),
        order: "e.depth",
        values: &[viewer_id(viewer), parent],
        prepared: true,
    }
    .rows(core)
    .await?;
    // Depths 1, 2, … up to the first the viewer may not read.
    let chain: Vec<Vec<i64>> = rows
        .into_iter()
        .enumerate()
        .take_while(|(i, row)| row.get(4) == Some(&(*i as i64 + 1)))
        .map(|(_, row)| row)
        .collect();
    let mut entries = entries_of(&chain);
    entries.reverse();
    Ok(entries)
}

/// The published replies under `id` that the viewer may read (a reply they may not read, or
/// one deleted, hides its own replies), in reading order: each reply followed by its own,
/// oldest first.
async fn descendants(core: &Core, viewer: Option<&Actor>, id: i64) -> CoreResult<Vec<Entry>> {
    // From the post itself down, each step from the replies found (`CROSS JOIN` keeps that
    // order on SQLite) by the index on `in_reply_to_id`. SQLite, without statistics, weighed
    // `state = 'published'` as selective as `in_reply_to_id = ?` and read every published post
    // through the index on state for each step, and then scanned all posts for the final
    // join (28 thread pages a second on 20,000 posts).
    let readable = format!("{PUBLISHED_BY_ID} AND {}", visible_to(1));
    let page = format!(
        "WITH RECURSIVE down(id) AS ( \
           SELECT CAST($2 AS BIGINT) \
           UNION ALL \
           SELECT p.id FROM down CROSS JOIN posts p \
           WHERE p.in_reply_to_id = down.id AND {readable}) \
         SELECT {columns}, p.in_reply_to_id FROM down CROSS JOIN posts p \
         WHERE p.id = down.id AND p.id <> $2 ORDER BY p.id LIMIT {MAX_DESCENDANTS}",
        columns = entry_columns(),
    );
    let rows = CachedPage {
        page: &page,
        columns: &format!("{ENTRY_NAMES}, e.in_reply_to_id"),
        order: "e.post_id",
        values: &[viewer_id(viewer), id],
        prepared: true,
    }
    .rows(core)
    .await?;
    let mut children: HashMap<i64, Vec<&Vec<i64>>> = HashMap::new();
    for row in &rows {
        if let Some(parent) = row.get(4) {
            children.entry(*parent).or_default().push(row);
        }
    }
    // Depth first from the post, so each reply is followed by its own replies.
    let mut ordered = Vec::with_capacity(rows.len());
    let mut stack: Vec<&Vec<i64>> = children.remove(&id).unwrap_or_default();
    stack.reverse();
    while let Some(row) = stack.pop() {
        ordered.push(row.clone());
        if let Some(mut below) = row.first().and_then(|id| children.remove(id)) {
            below.reverse();
            stack.extend(below);
        }
    }
    Ok(entries_of(&ordered))
}
