//! Timelines: home (people and topics you follow), public, topic, profile, explore (credible
//! content first), bookmarks, favourites and conversation threads. Every listing applies
//! [`posts::visible_to`], and pages with keyset pagination on post ids (or on the explore rank),
//! so page 1,000 costs what page 1 does.

use crate::accounts::Actor;
use sqlx::any::AnyRow;

use crate::db::{col, Backend, Db};
use crate::error::{CoreError, CoreResult};
use crate::home_feeds;
use crate::posts::{
    self, cached_refs, ref_columns, refs_from_json, refs_from_rows, viewer_id, visible_to, Entry,
    Post, PostRef, POST_COLUMNS, REF_BASE_COLUMNS, REF_NAMES,
};

/// Keyset pagination as Mastodon clients send it: `max_id` (older than), `since_id` (newer
/// than), `min_id` (the page just after, oldest first), and `limit`; `only_media` keeps posts
/// with attachments.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: Option<i64>,
    pub only_media: bool,
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

    /// Exclusive id bounds: (below, above).
    fn bounds(&self) -> (i64, i64) {
        (
            self.max_id.unwrap_or(i64::MAX),
            self.since_id.or(self.min_id).unwrap_or(0),
        )
    }

    /// A `min_id` page is the one just after `min_id`: read oldest first, shown newest first.
    fn ascending(&self) -> bool {
        self.min_id.is_some() && self.since_id.is_none()
    }

    /// The SQL to append to a condition over posts `p` for `only_media`.
    fn media_condition(&self) -> String {
        self.media_condition_on("p.id")
    }

    /// [`Page::media_condition`] for the post id in column `post_id`.
    fn media_condition_on(&self, post_id: &str) -> String {
        if self.only_media {
            format!(" AND EXISTS (SELECT 1 FROM media pm WHERE pm.post_id = {post_id})")
        } else {
            String::new()
        }
    }
}

/// How PostgreSQL should plan a page query (SQLite plans without the values either way).
#[derive(Clone, Copy)]
enum Plan {
    /// Prepared once; PostgreSQL may keep a generic plan. Right when the values do not change
    /// the best plan: a walk down posts newest first, filtered by columns of the post.
    Generic,
    /// Planned with the values each time (sent unprepared on PostgreSQL): right when they
    /// decide the plan, as a topic's size does (walk down posts and probe, or collect the
    /// topic's posts and sort).
    WithValues,
}

/// One page query: posts `p` meeting `condition` (the viewer at `$1`, `extra` from `$2`),
/// with ids strictly between `above` and `below`, ordered on id.
struct Query<'a> {
    condition: &'a str,
    extra: &'a [i64],
    plan: Plan,
}

impl Query<'_> {
    async fn run(
        &self,
        db: &Db,
        viewer: Option<&Actor>,
        bounds: (i64, i64),
        ascending: bool,
        limit: i64,
    ) -> CoreResult<Vec<PostRef>> {
        let rows = self.rows(db, viewer, bounds, ascending, limit).await?;
        newest_first(&rows, ascending)
    }

    async fn rows(
        &self,
        db: &Db,
        viewer: Option<&Actor>,
        (below, above): (i64, i64),
        ascending: bool,
        limit: i64,
    ) -> CoreResult<Vec<AnyRow>> {
        // Only the bounds the page has are written: with both, a generic plan reads the
        // range as narrow and once took 13 s for a 40 ms page (see `Db::connect`).
        let mut bounds = String::new();
        let mut values = Vec::new();
        if below != i64::MAX {
            values.push(below);
            bounds.push_str(&format!(
                " AND p.id < ${}",
                self.extra.len() + values.len() + 1
            ));
        }
        if above != 0 {
            values.push(above);
            bounds.push_str(&format!(
                " AND p.id > ${}",
                self.extra.len() + values.len() + 1
            ));
        }
        let order = if ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {columns} FROM posts p WHERE {condition}{bounds} \
             ORDER BY p.id {order} LIMIT {limit}",
            columns = ref_columns(),
            condition = self.condition,
        );
        let prepared = match self.plan {
            Plan::Generic => true,
            Plan::WithValues => db.backend.keeps_value_plans(),
        };
        let mut query = sqlx::query(&sql)
            .persistent(prepared)
            .bind(viewer_id(viewer));
        for value in self.extra.iter().chain(&values) {
            query = query.bind(*value);
        }
        Ok(query.fetch_all(&db.pool).await?)
    }
}

/// A page's rows as refs, newest first (`ascending` pages are read oldest first).
fn newest_first(rows: &[AnyRow], ascending: bool) -> CoreResult<Vec<PostRef>> {
    let mut refs = refs_from_rows(rows)?;
    if ascending {
        refs.reverse();
    }
    Ok(refs)
}

/// Runs `condition` over all posts as a page, newest first.
async fn page_of(
    db: &Db,
    viewer: Option<&Actor>,
    condition: &str,
    extra: &[i64],
    plan: Plan,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let condition = format!("{condition}{}", page.media_condition());
    let query = Query {
        condition: &condition,
        extra,
        plan,
    };
    query
        .run(db, viewer, page.bounds(), page.ascending(), page.limit())
        .await
}

/// Published top-level posts and boosts.
const LISTED: &str = "p.state = 'published' AND p.in_reply_to_id IS NULL";

/// Your own posts, posts and boosts by people you follow, and posts in topics you follow,
/// newest first.
///
/// Read from the owner's materialised feed ([`home_feeds`]), which covers the newest few
/// hundred; older pages are read from the posts table. The feed's floor comes along with the
/// page, so a page the feed covers is one statement.
pub async fn home(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let visible = visible_to(1);
    let media = page.media_condition();
    let (below, above) = page.bounds();
    let (ascending, limit) = (page.ascending(), page.limit());
    let (floor, mut refs) = match feed_page(db, actor, page).await? {
        (Some(floor), refs) => (floor, refs),
        // No feed yet: build it and read again.
        (None, _) => {
            let (floor, _) = home_feeds::floor(db, actor.profile_id).await?;
            (floor, feed_page(db, actor, page).await?.1)
        }
    };
    if above >= floor {
        // The feed covers the whole range.
        return Ok(refs);
    }
    let from_posts = format!("{LISTED} AND {} AND {visible}{media}", home_feeds::SOURCES);
    let scan = Query {
        condition: &from_posts,
        extra: &[],
        plan: Plan::WithValues,
    };
    if ascending {
        // Oldest first from below the floor: rare (a client catching up from long ago).
        return scan.run(db, Some(actor), (below, above), true, limit).await;
    }
    // Entries at or below the floor (an old post edited into a followed topic) are left to
    // the scan, which finds them in order.
    refs.retain(|r| r.id > floor);
    if (refs.len() as i64) < limit {
        let below = below.min(floor + 1);
        let rest = limit - refs.len() as i64;
        refs.extend(
            scan.run(db, Some(actor), (below, above), false, rest)
                .await?,
        );
    }
    Ok(refs)
}

/// A page of the owner's feed (newest first) and the feed's floor, `None` if there is no feed.
///
/// The page is cut from the entries alone, then joined to posts: entries are exact (see
/// [`home_feeds`], the owner's flags included; only the state is checked, in case a deletion
/// races the read). The
/// statement stays prepared on PostgreSQL, which then keeps a generic plan, and it names
/// only the bounds the page has: `post_id < $2 AND post_id > $3` with unknown values reads
/// as a narrow range to the planner, which then chose to collect every entry in it and
/// sort them (or, on the join, to walk down all posts); `owner_id = $1` alone or with one
/// bound keeps the walk down the primary key that stops after one page. The page comes
/// back as one row (see `Backend::json_rows`).
async fn feed_page(db: &Db, actor: &Actor, page: &Page) -> CoreResult<(Option<i64>, Vec<PostRef>)> {
    if db.refs.is_live() {
        return cached_feed_page(db, actor, page).await;
    }
    let (bounds, values) = entry_bounds(page);
    let sql = format!(
        "SELECT (SELECT h.floor_id FROM home_feeds h WHERE h.owner_id = $1) AS floor_id, \
           (SELECT {refs} FROM (SELECT {REF_BASE_COLUMNS}, e.favourited, e.reblogged, \
                e.bookmarked \
              FROM ({entries}) e \
              JOIN posts p ON p.id = e.post_id WHERE p.state = 'published') r) AS refs",
        refs = db.backend.json_rows(REF_NAMES, "r.id DESC"),
        entries = entries_sql(page, &bounds),
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for value in values {
        query = query.bind(value);
    }
    let row = query.fetch_one(&db.pool).await?;
    let refs = refs_from_json(&col::<String>(&row, "refs")?)?;
    Ok((col(&row, "floor_id")?, refs))
}

/// [`feed_page`] with the cache of posts and accounts on (`ref_cache`): the statement reads
/// the owner's entries only (and on SQLite where the change log stands), and the posts'
/// counts and versions come from the cache (the database is asked only for what it lacks).
async fn cached_feed_page(
    db: &Db,
    actor: &Actor,
    page: &Page,
) -> CoreResult<(Option<i64>, Vec<PostRef>)> {
    let (bounds, values) = entry_bounds(page);
    // SQLite: the change log's newest row, read with the page (see `ref_cache`).
    let newest = match db.backend {
        // The counter, not max(seq): it survives the rows' deletion, so a log emptied by
        // hand reads as a gap (forget everything), not as "nothing new".
        Backend::Sqlite => {
            "(SELECT COALESCE(max(seq), 0) FROM sqlite_sequence WHERE name = 'ref_changes')"
        }
        Backend::Postgres => "0",
    };
    let sql = format!(
        "SELECT h.floor_id, CAST({newest} AS BIGINT) AS newest_change, \
           (SELECT {entries} FROM ({page}) e) AS entries \
         FROM home_feeds h WHERE h.owner_id = $1",
        entries = db.backend.json_rows(
            "e.post_id, e.favourited, e.reblogged, e.bookmarked",
            "e.post_id DESC"
        ),
        page = entries_sql(page, &bounds),
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for value in values {
        query = query.bind(value);
    }
    let Some(row) = query.fetch_optional(&db.pool).await? else {
        return Ok((None, Vec::new()));
    };
    if db.backend == Backend::Sqlite {
        db.apply_change_log(col(&row, "newest_change")?).await?;
    }
    let entries: Vec<[i64; 4]> = serde_json::from_str(&col::<String>(&row, "entries")?)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("a page of feed entries: {e}")))?;
    let entries: Vec<Entry> = entries
        .iter()
        .map(|[id, favourited, reblogged, bookmarked]| {
            (*id, [*favourited != 0, *reblogged != 0, *bookmarked != 0])
        })
        .collect();
    Ok((col(&row, "floor_id")?, cached_refs(db, &entries).await?))
}

/// The page's bounds on `e.post_id` (only those it has: see [`feed_page`]) and their values,
/// numbered from `$2`.
fn entry_bounds(page: &Page) -> (String, Vec<i64>) {
    let mut bounds = String::new();
    let mut values = Vec::new();
    if let Some(max_id) = page.max_id {
        values.push(max_id);
        bounds.push_str(&format!(" AND e.post_id < ${}", values.len() + 1));
    }
    if let Some(above) = page.since_id.or(page.min_id) {
        values.push(above);
        bounds.push_str(&format!(" AND e.post_id > ${}", values.len() + 1));
    }
    (bounds, values)
}

/// The owner's (`$1`) entries on the page: post id and flags, cut before any join.
fn entries_sql(page: &Page, bounds: &str) -> String {
    format!(
        "SELECT e.post_id, e.favourited, e.reblogged, e.bookmarked \
         FROM home_entries e WHERE e.owner_id = $1{bounds}{media} \
         ORDER BY e.post_id {order} LIMIT {limit}",
        media = page.media_condition_on("e.post_id"),
        order = if page.ascending() { "ASC" } else { "DESC" },
        limit = page.limit(),
    )
}

/// Every public post on this server, newest first (boosts left out).
pub async fn public(db: &Db, viewer: Option<&Actor>, page: &Page) -> CoreResult<Vec<PostRef>> {
    let condition =
        format!("{LISTED} AND p.visibility = 'public' AND p.reblog_of_id IS NULL AND $1 = $1");
    page_of(db, viewer, &condition, &[], Plan::Generic, page).await
}

/// Posts filed under a topic that the viewer may read.
pub async fn topic(
    db: &Db,
    viewer: Option<&Actor>,
    topic_id: i64,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let condition = format!(
        "{LISTED} AND p.reblog_of_id IS NULL AND EXISTS (SELECT 1 FROM post_topics pt \
           WHERE pt.post_id = p.id AND pt.topic_id = $2) AND {}",
        visible_to(1)
    );
    page_of(db, viewer, &condition, &[topic_id], Plan::WithValues, page).await
}

/// What a profile published (and boosted) that the viewer may read; replies optional.
pub async fn profile(
    db: &Db,
    viewer: Option<&Actor>,
    author_id: i64,
    with_replies: bool,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let replies = if with_replies {
        ""
    } else {
        " AND p.in_reply_to_id IS NULL"
    };
    let condition = format!(
        "p.state = 'published' AND p.author_id = $2{replies} AND {}",
        visible_to(1)
    );
    page_of(db, viewer, &condition, &[author_id], Plan::Generic, page).await
}

pub async fn bookmarks(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let condition = format!(
        "p.state = 'published' AND EXISTS (SELECT 1 FROM bookmarks b WHERE b.post_id = p.id \
           AND b.profile_id = $1) AND {}",
        visible_to(1)
    );
    page_of(db, Some(actor), &condition, &[], Plan::WithValues, page).await
}

pub async fn favourites(db: &Db, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let condition = format!(
        "p.state = 'published' AND EXISTS (SELECT 1 FROM favourites fv WHERE fv.post_id = p.id \
           AND fv.profile_id = $1) AND {}",
        visible_to(1)
    );
    page_of(db, Some(actor), &condition, &[], Plan::WithValues, page).await
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
) -> CoreResult<(Vec<PostRef>, Option<ExploreCursor>)> {
    let limit = limit.clamp(1, 40);
    // Prepared: with no values in the way (the cursor only when there is one, the limit
    // written out), PostgreSQL's generic plan is the walk down `posts_rank`.
    let after_cursor = if after.is_some() {
        " AND (p.rank < $2 OR (p.rank = $2 AND p.id < $3))"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns}, p.rank FROM posts p WHERE p.state = 'published' \
         AND p.visibility = 'public' AND p.reblog_of_id IS NULL AND p.in_reply_to_id IS NULL\
         {after_cursor} ORDER BY p.rank DESC, p.id DESC LIMIT {limit}",
        columns = ref_columns(),
    );
    let mut query = sqlx::query(&sql).bind(viewer_id(viewer));
    if let Some((rank, id)) = after {
        query = query.bind(rank).bind(id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let cursor = match rows.last() {
        Some(last) if rows.len() as i64 == limit => {
            Some((col::<i64>(last, "rank")?, col::<i64>(last, "id")?))
        }
        _ => None,
    };
    Ok((refs_from_rows(&rows)?, cursor))
}

/// A thread around a post: the posts it replies to (oldest first) and the replies under it
/// (in reading order), each only if the viewer may read it.
pub async fn context(
    db: &Db,
    viewer: Option<&Actor>,
    id: i64,
) -> CoreResult<(Vec<Post>, Vec<Post>)> {
    let post = posts::view_published(db, viewer, id).await?;
    thread(db, viewer, &post).await
}

/// [`context`] around a published post the caller has already read as this viewer.
pub async fn thread(
    db: &Db,
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
