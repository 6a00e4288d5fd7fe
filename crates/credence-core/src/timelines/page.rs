//! One page of a listing: Mastodon's keyset pagination, and the page statement every listing
//! but home runs over the posts table.

use sqlx::any::AnyRow;

use crate::kernel::visibility::viewer_id;
use crate::kernel::{Actor, Core, CoreResult};
use crate::posts::{entry_columns, ref_columns, refs_from_rows, CachedPage, PostRef, ENTRY_NAMES};

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
    pub(super) fn bounds(&self) -> (i64, i64) {
        (
            self.max_id.unwrap_or(i64::MAX),
            self.since_id.or(self.min_id).unwrap_or(0),
        )
    }

    /// A `min_id` page is the one just after `min_id`: read oldest first, shown newest first.
    pub(super) fn ascending(&self) -> bool {
        self.min_id.is_some() && self.since_id.is_none()
    }

    /// The SQL to append to a condition over posts `p` for `only_media`.
    pub(super) fn media_condition(&self) -> String {
        self.media_condition_on("p.id")
    }

    /// [`Page::media_condition`] for the post id in column `post_id`.
    pub(super) fn media_condition_on(&self, post_id: &str) -> String {
        if self.only_media {
            format!(" AND EXISTS (SELECT 1 FROM media pm WHERE pm.post_id = {post_id})")
        } else {
            String::new()
        }
    }
}

/// How PostgreSQL should plan a page query (SQLite plans without the values either way).
#[derive(Clone, Copy)]
pub(super) enum Plan {
    /// Prepared once; PostgreSQL may keep a generic plan. Right when the values do not change
    /// the best plan: a walk down posts newest first, filtered by columns of the post.
    Generic,
    /// Planned with the values each time (sent unprepared on PostgreSQL): right when they
    /// decide the plan, as a topic's size does (walk down posts and probe, or collect the
    /// topic's posts and sort).
    WithValues,
}

/// Where a listing's rows come from (posts aliased `p`) and the post id column it pages on.
#[derive(Clone, Copy)]
pub(super) struct Source {
    from: &'static str,
    key: &'static str,
}

/// Every post: pages walk down the primary key.
pub(super) const POSTS: Source = Source {
    from: "posts p",
    key: "p.id",
};

/// Posts found through a table that links them to something (`from` joins it, aliased `k`,
/// to posts): a person's bookmarks and likes, a topic's posts. Pages walk down the link's
/// index on (the thing, `post_id`). A walk down all posts probing each for the link, as these
/// listings were read, goes through every post when the links are few (SQLite without
/// statistics even sorted all published posts for each page of bookmarks), and through ~36
/// posts per post shown for a topic of average size.
pub(super) const fn through(from: &'static str) -> Source {
    Source {
        from,
        key: "k.post_id",
    }
}

/// One page query: rows of `source` meeting `condition` (the viewer at `$1`, `extra` from
/// `$2`), with post ids strictly between `above` and `below`, ordered on id.
pub(super) struct Query<'a> {
    pub(super) source: Source,
    pub(super) condition: &'a str,
    pub(super) extra: &'a [i64],
    pub(super) plan: Plan,
}

impl Query<'_> {
    pub(super) async fn run(
        &self,
        core: &Core,
        viewer: Option<&Actor>,
        bounds: (i64, i64),
        ascending: bool,
        limit: i64,
    ) -> CoreResult<Vec<PostRef>> {
        // Read once: the statement's columns and how they are read must agree.
        let cached = core.refs.is_live();
        let (sql, values) = self.sql(cached, viewer, bounds, ascending, limit);
        let prepared = match self.plan {
            Plan::Generic => true,
            Plan::WithValues => core.db.backend.keeps_value_plans(),
        };
        if cached {
            // The statement reads ids and the viewer's flags; the cache supplies counts,
            // versions and authors (see `ref_cache`).
            let page = CachedPage {
                page: &sql,
                columns: ENTRY_NAMES,
                order: "e.post_id DESC",
                values: &values,
                prepared,
            };
            return page.refs(core).await;
        }
        let mut query = sqlx::query(&sql).persistent(prepared);
        for value in values {
            query = query.bind(value);
        }
        newest_first(&query.fetch_all(&core.db.pool).await?, ascending)
    }

    /// The page statement (the whole ref when the cache is off, else an entry) and its
    /// values, the viewer's first.
    fn sql(
        &self,
        cached: bool,
        viewer: Option<&Actor>,
        (below, above): (i64, i64),
        ascending: bool,
        limit: i64,
    ) -> (String, Vec<i64>) {
        // Only the bounds the page has are written: with both, a generic plan reads the
        // range as narrow and once took 13 s for a 40 ms page (see `Db::connect`).
        let mut bounds = String::new();
        let mut values = Vec::new();
        let key = self.source.key;
        if below != i64::MAX {
            values.push(below);
            bounds.push_str(&format!(
                " AND {key} < ${}",
                self.extra.len() + values.len() + 1
            ));
        }
        if above != 0 {
            values.push(above);
            bounds.push_str(&format!(
                " AND {key} > ${}",
                self.extra.len() + values.len() + 1
            ));
        }
        let order = if ascending { "ASC" } else { "DESC" };
        let columns = if cached {
            entry_columns()
        } else {
            ref_columns()
        };
        let sql = format!(
            "SELECT {columns} FROM {from} WHERE {condition}{bounds} \
             ORDER BY {key} {order} LIMIT {limit}",
            from = self.source.from,
            condition = self.condition,
        );
        let values = std::iter::once(viewer_id(viewer))
            .chain(self.extra.iter().copied())
            .chain(values)
            .collect();
        (sql, values)
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

/// Runs `condition` over `source` as a page, newest first.
pub(super) async fn page_of(
    core: &Core,
    viewer: Option<&Actor>,
    source: Source,
    condition: &str,
    extra: &[i64],
    plan: Plan,
    page: &Page,
) -> CoreResult<Vec<PostRef>> {
    let condition = format!("{condition}{}", page.media_condition());
    let query = Query {
        source,
        condition: &condition,
        extra,
        plan,
    };
    query
        .run(core, viewer, page.bounds(), page.ascending(), page.limit())
        .await
}

/// Published top-level posts and boosts.
pub(super) const LISTED: &str = "p.state = 'published' AND p.in_reply_to_id IS NULL";
