//! Timelines: home (people and topics you follow), public, topic, profile, explore (credible
//! content first), bookmarks, favourites and conversation threads. Every listing applies
//! [`posts::visible_to`], and pages with keyset pagination on post ids (or on the explore rank),
//! so page 1,000 costs what page 1 does.

use crate::accounts::Actor;
use crate::db::{col, Backend, Db};
use crate::error::CoreResult;
use crate::posts::{self, viewer_id, visible_to, Post, POST_COLUMNS};

/// Keyset pagination as Mastodon clients send it: `max_id` (older than), `since_id` (newer
/// than), `min_id` (the page just after, oldest first), and `limit`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: Option<i64>,
}

impl Page {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, 40)
    }

    pub fn older_than(id: i64) -> Page {
        Page {
            max_id: Some(id),
            ..Page::default()
        }
    }
}

/// Runs `condition` (with the viewer at `$1` and `extra` at `$2…`) as a page of posts, newest
/// first.
async fn page_of(
    db: &Db,
    viewer: Option<&Actor>,
    condition: &str,
    extra: &[i64],
    page: &Page,
) -> CoreResult<Vec<Post>> {
    let upper = extra.len() + 2;
    let lower = extra.len() + 3;
    let ascending = page.min_id.is_some() && page.since_id.is_none();
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE {condition} AND p.id < ${upper} \
         AND p.id > ${lower} ORDER BY p.id {order} LIMIT {}",
        page.limit()
    );
    let mut query = sqlx::query(&sql).bind(viewer_id(viewer));
    for value in extra {
        query = query.bind(*value);
    }
    let rows = query
        .bind(page.max_id.unwrap_or(i64::MAX))
        .bind(page.since_id.or(page.min_id).unwrap_or(0))
        .fetch_all(&db.pool)
        .await?;
    let mut posts = posts::load(db, viewer, rows).await?;
    if ascending {
        posts.reverse();
    }
    Ok(posts)
}

/// Published top-level posts and boosts.
const LISTED: &str = "p.state = 'published' AND p.in_reply_to_id IS NULL";

/// Your own posts, posts and boosts by people you follow, and posts in topics you follow.
///
/// On PostgreSQL each source is read on its own index, newest first and limited, then the
/// candidates are merged, filtered for visibility and cut to the page: one `OR EXISTS (…)`
/// condition over all posts made it hash every post of every followed topic (100,000 ids and
/// more on a seeded instance) for each request.
pub async fn home(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<Post>> {
    if db.backend == Backend::Sqlite {
        // SQLite walks posts newest first and probes each source per row, which is fast; it
        // plans the merged form below badly (3.7 s on 1M posts).
        let condition = format!(
            "{LISTED} AND (p.author_id = $1 \
               OR EXISTS (SELECT 1 FROM follows f2 WHERE f2.follower_id = $1 AND f2.followee_id = p.author_id) \
               OR EXISTS (SELECT 1 FROM post_topics pt JOIN topic_follows tf ON tf.topic_id = pt.topic_id \
                          WHERE pt.post_id = p.id AND tf.profile_id = $1)) \
             AND {}",
            visible_to(1)
        );
        return page_of(db, Some(actor), &condition, &[], page).await;
    }
    // `page_of` binds the viewer at $1 and the id bounds at $2 (below) and $3 (above).
    let ascending = page.min_id.is_some() && page.since_id.is_none();
    let order = if ascending { "ASC" } else { "DESC" };
    // Enough candidates per source that hidden ones (followers-only posts in a followed topic)
    // rarely leave the page short.
    let cap = page.limit() * 3;
    let bounds = |column: &str| format!("{column} < $2 AND {column} > $3");
    let condition = format!(
        "p.id IN ( \
           SELECT id FROM (SELECT o.id FROM posts o WHERE o.author_id = $1 \
             AND o.state = 'published' AND o.in_reply_to_id IS NULL AND {own} \
             ORDER BY o.id {order} LIMIT {cap}) mine \
           UNION ALL \
           SELECT id FROM (SELECT o.id FROM follows f JOIN posts o ON o.author_id = f.followee_id \
             WHERE f.follower_id = $1 AND o.state = 'published' AND o.in_reply_to_id IS NULL \
             AND {own} ORDER BY o.id {order} LIMIT {cap}) followed \
           UNION ALL \
           SELECT id FROM (SELECT pt.post_id AS id FROM topic_follows tf \
             JOIN post_topics pt ON pt.topic_id = tf.topic_id \
             WHERE tf.profile_id = $1 AND {topical} \
             ORDER BY pt.post_id {order} LIMIT {cap}) topical) \
         AND {LISTED} AND {}",
        visible_to(1),
        own = bounds("o.id"),
        topical = bounds("pt.post_id"),
    );
    page_of(db, Some(actor), &condition, &[], page).await
}

/// Every public post on this server, newest first (boosts left out).
pub async fn public(db: &Db, viewer: Option<&Actor>, page: &Page) -> CoreResult<Vec<Post>> {
    let condition =
        format!("{LISTED} AND p.visibility = 'public' AND p.reblog_of_id IS NULL AND $1 = $1");
    page_of(db, viewer, &condition, &[], page).await
}

/// Posts filed under a topic that the viewer may read.
pub async fn topic(
    db: &Db,
    viewer: Option<&Actor>,
    topic_id: i64,
    page: &Page,
) -> CoreResult<Vec<Post>> {
    let condition = format!(
        "{LISTED} AND p.reblog_of_id IS NULL AND EXISTS (SELECT 1 FROM post_topics pt \
           WHERE pt.post_id = p.id AND pt.topic_id = $2) AND {}",
        visible_to(1)
    );
    page_of(db, viewer, &condition, &[topic_id], page).await
}

/// What a profile published (and boosted) that the viewer may read; replies optional.
pub async fn profile(
    db: &Db,
    viewer: Option<&Actor>,
    author_id: i64,
    with_replies: bool,
    page: &Page,
) -> CoreResult<Vec<Post>> {
    let replies = if with_replies {
        ""
    } else {
        " AND p.in_reply_to_id IS NULL"
    };
    let condition = format!(
        "p.state = 'published' AND p.author_id = $2{replies} AND {}",
        visible_to(1)
    );
    page_of(db, viewer, &condition, &[author_id], page).await
}

pub async fn bookmarks(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<Post>> {
    let condition = format!(
        "p.state = 'published' AND EXISTS (SELECT 1 FROM bookmarks b WHERE b.post_id = p.id \
           AND b.profile_id = $1) AND {}",
        visible_to(1)
    );
    page_of(db, Some(actor), &condition, &[], page).await
}

pub async fn favourites(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<Post>> {
    let condition = format!(
        "p.state = 'published' AND EXISTS (SELECT 1 FROM favourites fv WHERE fv.post_id = p.id \
           AND fv.profile_id = $1) AND {}",
        visible_to(1)
    );
    page_of(db, Some(actor), &condition, &[], page).await
}

/// The explore page's position: (rank, id) of the last post shown.
pub type ExploreCursor = (i64, i64);

/// Public posts ranked credible-first (see [`posts::rank_bonus`]): a verified author, an
/// evidence-based label and a medical review each move a post up by hours of recency.
pub async fn explore(
    db: &Db,
    viewer: Option<&Actor>,
    after: Option<ExploreCursor>,
    limit: i64,
) -> CoreResult<(Vec<Post>, Option<ExploreCursor>)> {
    let (rank, id) = after.unwrap_or((i64::MAX, i64::MAX));
    let sql = format!(
        "SELECT {POST_COLUMNS}, p.rank FROM posts p WHERE p.state = 'published' \
         AND p.visibility = 'public' AND p.reblog_of_id IS NULL AND p.in_reply_to_id IS NULL \
         AND (p.rank < $1 OR (p.rank = $1 AND p.id < $2)) \
         ORDER BY p.rank DESC, p.id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(rank)
        .bind(id)
        .bind(limit.clamp(1, 40))
        .fetch_all(&db.pool)
        .await?;
    let cursor = match rows.last() {
        Some(last) if rows.len() as i64 == limit.clamp(1, 40) => {
            Some((col::<i64>(last, "rank")?, col::<i64>(last, "id")?))
        }
        _ => None,
    };
    Ok((posts::load(db, viewer, rows).await?, cursor))
}

/// A thread around a post: the posts it replies to (oldest first) and the replies under it
/// (in reading order), each only if the viewer may read it.
pub async fn context(
    db: &Db,
    viewer: Option<&Actor>,
    id: i64,
) -> CoreResult<(Vec<Post>, Vec<Post>)> {
    let post = posts::view_published(db, viewer, id).await?;
    let mut ancestors = Vec::new();
    let mut parent = post.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        match posts::view(db, viewer, pid).await {
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
            .fetch_all(&db.pool)
            .await?;
        let children = posts::load(db, viewer, rows).await?;
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
