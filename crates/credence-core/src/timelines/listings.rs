//! The listings read from the posts table: public, topic, profile, bookmarks, favourites and
//! explore (credible content first).

use crate::kernel::db::col;
use crate::kernel::visibility::{listed_to, viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreResult};
use crate::lists::{self, RepliesPolicy};
use crate::posts::{
    cached_refs, entries_of, entry_columns, ref_columns, refs_from_rows, CachedPage, PostRef,
    ENTRY_NAMES,
};

use super::page::{page_of, through, Page, Plan, Source, LISTED, POSTS};

/// Every public post on this server, newest first (boosts left out).
pub async fn public(core: &Core, viewer: Option<&Actor>, page: &Page) -> CoreResult<Vec<PostRef>> {
    let condition =
        format!("{LISTED} AND p.visibility = 'public' AND p.unlisted = 0 AND p.reblog_of_id IS NULL AND $1 = $1");
    page_of(core, viewer, POSTS, &condition, &[], Plan::Generic, page).await
}

/// Posts filed under a topic that the viewer may read.
pub async fn topic(
    core: &Core,
    viewer: Option<&Actor>,
    topic_id: i64,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let condition = format!(
        "k.topic_id = $2 AND {LISTED} AND p.reblog_of_id IS NULL AND {} AND {}",
        visible_to(1),
        listed_to(1)
    );
    let source = through("post_topics k JOIN posts p ON p.id = k.post_id");
    page_of(
        core,
        viewer,
        source,
        &condition,
        &[topic_id],
        Plan::Generic,
        page,
    )
    .await
}

/// What a profile published (and boosted) that the viewer may read; replies optional.
/// Which of an author's posts a profile listing shows (Mastodon's `exclude_replies`,
/// `exclude_reblogs`, `pinned`, `tagged`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfilePosts {
    pub with_replies: bool,
    pub without_boosts: bool,
    /// Only the posts the author pinned.
    pub pinned_only: bool,
    /// Only posts on this topic (hashtag).
    pub topic_id: Option<i64>,
}

impl ProfilePosts {
    /// Top-level posts and boosts: what a profile page shows.
    pub fn page() -> ProfilePosts {
        ProfilePosts::default()
    }
}

pub async fn profile(
    core: &Core,
    viewer: Option<&Actor>,
    author_id: i64,
    which: &ProfilePosts,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let mut condition = String::from("p.state = 'published' AND p.author_id = $2");
    if !which.with_replies {
        condition.push_str(" AND p.in_reply_to_id IS NULL");
    }
    if which.without_boosts {
        condition.push_str(" AND p.reblog_of_id IS NULL");
    }
    if which.pinned_only {
        condition.push_str(" AND p.pinned_at IS NOT NULL");
    }
    let mut extra = vec![author_id];
    if let Some(topic) = which.topic_id {
        extra.push(topic);
        condition.push_str(
            " AND EXISTS (SELECT 1 FROM post_topics pt WHERE pt.post_id = p.id \
             AND pt.topic_id = $3)",
        );
    }
    condition.push_str(&format!(" AND {}", visible_to(1)));
    page_of(core, viewer, POSTS, &condition, &extra, Plan::Generic, page).await
}

/// One of the actor's lists as a timeline: its members' posts and boosts the actor may read,
/// with the replies its policy keeps.
pub async fn list(
    core: &Core,
    actor: &Actor,
    list_id: i64,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let list = lists::get(core, actor, list_id).await?;
    let replies = match list.replies_policy {
        RepliesPolicy::None => " AND p.in_reply_to_id IS NULL",
        RepliesPolicy::List => {
            " AND (p.in_reply_to_id IS NULL OR EXISTS (SELECT 1 FROM posts rp \
               JOIN list_members rm ON rm.profile_id = rp.author_id \
               WHERE rp.id = p.in_reply_to_id AND rm.list_id = $2))"
        }
        RepliesPolicy::Followed => {
            " AND (p.in_reply_to_id IS NULL OR EXISTS (SELECT 1 FROM posts rp \
               JOIN follows rf ON rf.followee_id = rp.author_id \
               WHERE rp.id = p.in_reply_to_id AND rf.follower_id = $1))"
        }
    };
    let condition = format!(
        "p.state = 'published' AND EXISTS (SELECT 1 FROM list_members m \
           WHERE m.list_id = $2 AND m.profile_id = p.author_id){replies} AND {}",
        visible_to(1)
    );
    page_of(
        core,
        Some(actor),
        POSTS,
        &condition,
        &[list_id],
        Plan::WithValues,
        page,
    )
    .await
}

/// The posts the actor bookmarked that they may still read, newest post first.
pub async fn bookmarks(core: &Core, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let source = through("bookmarks k JOIN posts p ON p.id = k.post_id");
    kept(core, actor, source, page).await
}

/// The posts the actor liked that they may still read, newest post first.
pub async fn favourites(core: &Core, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let source = through("favourites k JOIN posts p ON p.id = k.post_id");
    kept(core, actor, source, page).await
}

async fn kept(core: &Core, actor: &Actor, source: Source, page: &Page) -> CoreResult<Vec<PostRef>> {
    let condition = format!(
        "k.profile_id = $1 AND p.state = 'published' AND {}",
        visible_to(1)
    );
    page_of(
        core,
        Some(actor),
        source,
        &condition,
        &[],
        Plan::Generic,
        page,
    )
    .await
}

/// The explore page's position: (rank, id) of the last post shown.
pub type ExploreCursor = (i64, i64);

/// Public posts ranked credible-first (see [`posts::rank_bonus`]): a verified author, an
/// evidence-based label and a medical review each move a post up by hours of recency.
pub async fn explore(
    core: &Core,
    viewer: Option<&Actor>,
    after: Option<ExploreCursor>,
    limit: i64,
) -> CoreResult<(Vec<PostRef>, Option<ExploreCursor>)> {
    let limit = limit.clamp(1, 40);
    // Prepared: with no values in the way (the cursor only when there is one, the limit
    // written out), PostgreSQL's generic plan is the walk down `posts_rank`.
    let after_cursor = if after.is_some() {
        " AND (p.rank < $2 OR (p.rank = $2 AND p.id < $3))"
    } else {
        ""
    };
    let cached = core.refs.is_live();
    let sql = format!(
        "SELECT {columns}, p.rank FROM posts p WHERE p.state = 'published' \
         AND p.visibility = 'public' AND p.unlisted = 0 AND p.reblog_of_id IS NULL \
         AND p.in_reply_to_id IS NULL\
         {after_cursor} ORDER BY p.rank DESC, p.id DESC LIMIT {limit}",
        columns = if cached {
            entry_columns()
        } else {
            ref_columns()
        },
    );
    let mut values = vec![viewer_id(viewer)];
    values.extend(after.map(|(rank, id)| [rank, id]).into_iter().flatten());
    // A full page has a next one, after its last row.
    let cursor = |rows: usize, last: Option<ExploreCursor>| last.filter(|_| rows as i64 == limit);
    if cached {
        // Ids, flags and rank from the statement; the rest from the cache (see `ref_cache`).
        let page = CachedPage {
            page: &sql,
            columns: &format!("{ENTRY_NAMES}, e.rank"),
            order: "e.rank DESC, e.post_id DESC",
            values: &values,
            prepared: true,
        };
        let rows = page.rows(core).await?;
        let last = rows
            .last()
            .and_then(|row| Some((*row.get(4)?, *row.first()?)));
        let refs = cached_refs(core, &entries_of(&rows)).await?;
        return Ok((refs, cursor(rows.len(), last)));
    }
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    let last = match rows.last() {
        Some(last) => Some((col::<i64>(last, "rank")?, col::<i64>(last, "id")?)),
        None => None,
    };
    Ok((refs_from_rows(&rows)?, cursor(rows.len(), last)))
}
