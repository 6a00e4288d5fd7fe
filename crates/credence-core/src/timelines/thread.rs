//! A conversation thread around one post.

use crate::kernel::visibility::{viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreResult};
use crate::posts::{self, Post, POST_COLUMNS};

/// A thread around a post: the posts it replies to (oldest first) and the replies under it
/// (in reading order), each only if the viewer may read it.
pub async fn context(
    core: &Core,
    viewer: Option<&Actor>,
    id: i64,
) -> CoreResult<(Vec<Post>, Vec<Post>)> {
    let post = posts::view_published(core, viewer, id).await?;
    thread(core, viewer, &post).await
}

/// [`context`] around a published post the caller has already read as this viewer.
pub async fn thread(
    core: &Core,
    viewer: Option<&Actor>,
    post: &Post,
) -> CoreResult<(Vec<Post>, Vec<Post>)> {
    let id = post.id;
    let mut ancestors = Vec::new();
    let mut parent = post.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        match posts::view(core, viewer, pid).await {
            Ok(p) => {
                parent = p.in_reply_to_id;
                ancestors.push(p);
            }
            Err(_) => break,
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut frontier = vec![id];
    let condition = format!(
        "p.state = 'published' AND p.in_reply_to_id = $2 AND {}",
        visible_to(1)
    );
    while let Some(parent_id) = frontier.pop() {
        if descendants.len() >= 200 {
            break;
        }
        let sql =
            format!("SELECT {POST_COLUMNS} FROM posts p WHERE {condition} ORDER BY p.id LIMIT 100");
        let rows = sqlx::query(&sql)
            .bind(viewer_id(viewer))
            .bind(parent_id)
            .fetch_all(&core.db.pool)
            .await?;
        let children = posts::load(core, viewer, rows).await?;
        // Depth first, so each reply is followed by its own replies.
        for child in children.iter().rev() {
            frontier.push(child.id);
        }
        descendants.extend(children);
    }
    // Put replies in thread order: a child right after its parent.
    let mut ordered = Vec::with_capacity(descendants.len());
    fn walk(parent: i64, all: &[Post], out: &mut Vec<Post>) {
        for p in all.iter().filter(|p| p.in_reply_to_id == Some(parent)) {
            out.push(p.clone());
            walk(p.id, all, out);
        }
    }
    walk(id, &descendants, &mut ordered);
    Ok((ancestors, ordered))
}
