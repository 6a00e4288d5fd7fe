//! The home timeline, read from the owner's materialised feed (`home_feeds`).

use crate::home_feeds;
use crate::kernel::db::{col, Backend};
use crate::kernel::visibility::visible_to;
use crate::kernel::{Actor, Core, CoreResult};
use crate::posts::{
    cached_refs, entries_of, newest_change_sql, parse_rows, refs_from_json, PostRef, ENTRY_NAMES,
    REF_BASE_COLUMNS, REF_NAMES,
};

use super::page::{Page, Plan, Query, LISTED, POSTS};

/// Your own posts, posts and boosts by people you follow, and posts in topics you follow,
/// newest first.
///
/// Read from the owner's materialised feed ([`home_feeds`]), which covers the newest few
/// hundred; older pages are read from the posts table. The feed's floor comes along with the
/// page, so a page the feed covers is one statement.
pub async fn home(core: &Core, actor: &Actor, page: &Page) -> CoreResult<Vec<PostRef>> {
    let visible = visible_to(1);
    let media = page.media_condition();
    let (below, above) = page.bounds();
    let (ascending, limit) = (page.ascending(), page.limit());
    let (floor, mut refs) = match feed_page(core, actor, page).await? {
        (Some(floor), refs) => (floor, refs),
        // No feed yet: build it and read again.
        (None, _) => {
            let (floor, _) = home_feeds::floor(core, actor.profile_id).await?;
            (floor, feed_page(core, actor, page).await?.1)
        }
    };
    if above >= floor {
        // The feed covers the whole range.
        return Ok(refs);
    }
    let from_posts = format!("{LISTED} AND {} AND {visible}{media}", home_feeds::SOURCES);
    let scan = Query {
        source: POSTS,
        condition: &from_posts,
        extra: &[],
        plan: Plan::WithValues,
    };
    if ascending {
        // Oldest first from below the floor: rare (a client catching up from long ago).
        return scan
            .run(core, Some(actor), (below, above), true, limit)
            .await;
    }
    // Entries at or below the floor (an old post edited into a followed topic) are left to
    // the scan, which finds them in order.
    refs.retain(|r| r.id > floor);
    if (refs.len() as i64) < limit {
        let below = below.min(floor + 1);
        let rest = limit - refs.len() as i64;
        refs.extend(
            scan.run(core, Some(actor), (below, above), false, rest)
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
async fn feed_page(
    core: &Core,
    actor: &Actor,
    page: &Page,
) -> CoreResult<(Option<i64>, Vec<PostRef>)> {
    if core.refs.is_live() {
        return cached_feed_page(core, actor, page).await;
    }
    let (bounds, values) = entry_bounds(page);
    let sql = format!(
        "SELECT (SELECT h.floor_id FROM home_feeds h WHERE h.owner_id = $1) AS floor_id, \
           (SELECT {refs} FROM (SELECT {REF_BASE_COLUMNS}, e.favourited, e.reblogged, \
                e.bookmarked \
              FROM ({entries}) e \
              JOIN posts p ON p.id = e.post_id WHERE p.state = 'published') r) AS refs",
        refs = core.db.backend.json_rows(REF_NAMES, "r.id DESC"),
        entries = entries_sql(page, &bounds),
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for value in values {
        query = query.bind(value);
    }
    let row = query.fetch_one(&core.db.pool).await?;
    let refs = refs_from_json(&col::<String>(&row, "refs")?)?;
    Ok((col(&row, "floor_id")?, refs))
}

/// [`feed_page`] with the cache of posts and accounts on (`ref_cache`): the statement reads
/// the owner's entries only (and on SQLite where the change log stands), and the posts'
/// counts and versions come from the cache (the database is asked only for what it lacks).
async fn cached_feed_page(
    core: &Core,
    actor: &Actor,
    page: &Page,
) -> CoreResult<(Option<i64>, Vec<PostRef>)> {
    let (bounds, values) = entry_bounds(page);
    // SQLite: the change log's newest row, read with the page (see `ref_cache`).
    let sql = format!(
        "SELECT h.floor_id, CAST({newest} AS BIGINT) AS newest_change, \
           (SELECT {entries} FROM ({page}) e) AS entries \
         FROM home_feeds h WHERE h.owner_id = $1",
        newest = newest_change_sql(core.db.backend),
        entries = core.db.backend.json_rows(ENTRY_NAMES, "e.post_id DESC"),
        page = entries_sql(page, &bounds),
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for value in values {
        query = query.bind(value);
    }
    let Some(row) = query.fetch_optional(&core.db.pool).await? else {
        return Ok((None, Vec::new()));
    };
    if core.db.backend == Backend::Sqlite {
        core.refs
            .apply_change_log(&core.db, col(&row, "newest_change")?)
            .await?;
    }
    let entries = entries_of(&parse_rows(&col::<String>(&row, "entries")?)?);
    Ok((col(&row, "floor_id")?, cached_refs(core, &entries).await?))
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
