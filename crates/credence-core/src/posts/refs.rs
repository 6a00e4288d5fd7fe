//! Listings return [`PostRef`]s: a post's id and versions, its counts and the viewer's own
//! flags, all from the page query. A renderer that keeps posts it has already rendered (the
//! API's status cache) needs nothing more when its copies are current; everything else loads
//! full posts for the refs ([`load_refs`]).

use std::collections::HashMap;

use sqlx::any::AnyRow;

use crate::kernel::db::{col, placeholders, Backend};
use crate::kernel::ref_cache::CachedPost;
use crate::kernel::visibility::{flags_of, viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::load::load;
use super::model::{Post, POST_COLUMNS};

/// `p.state = 'published'` for a statement that finds its posts by a list of ids, written so
/// that no index can serve it. SQLite has no statistics (gathering them made the timeline
/// statements three times slower) and weighs `state = ?` like `id IN (…)`: it read every
/// published post through the index on state, 16 ms for a page of notifications on 20,000
/// posts instead of 0.1 ms by id.
pub(crate) const PUBLISHED_BY_ID: &str = "p.state || '' = 'published'";

/// A post in a listing, as of the page query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostRef {
    pub id: i64,
    pub author_id: i64,
    pub reblog_of_id: Option<i64>,
    /// Changes with anything shown of the post itself (its columns, co-authors, media; see
    /// migration 0005) and with the accounts shown inside it (reviewer, co-authors).
    pub version: RenderVersion,
    /// Changes with anything shown of the author's account, counts included.
    pub author_version: i64,
    pub replies_count: i64,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    /// The viewer's own: liked, boosted, bookmarked.
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
}

/// The post's own version and the sum of the versions of the people shown in it (reviewer and
/// co-authors). Versions only grow and a change of who is shown changes the post's own, so the
/// pair changes whenever the rendering does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenderVersion {
    pub post: i64,
    pub people: i64,
}

/// The columns of a [`PostRef`] but the viewer's flags (table alias `p`).
pub(crate) const REF_BASE_COLUMNS: &str = "p.id, p.author_id, p.reblog_of_id, p.version, \
    p.replies_count, p.favourites_count, p.reblogs_count, \
    (SELECT a.version FROM profiles a WHERE a.id = p.author_id) AS author_version, \
    CAST(COALESCE((SELECT r.version FROM profiles r WHERE r.id = p.reviewer_id), 0) \
      + COALESCE((SELECT SUM(ca.version) FROM coauthors c JOIN profiles ca ON ca.id = c.profile_id \
          WHERE c.post_id = p.id AND c.accepted_at IS NOT NULL), 0) AS BIGINT) AS people_version";

/// The columns of a [`PostRef`] for the viewer at `$1` (table alias `p`).
pub(crate) fn ref_columns() -> String {
    let [favourited, reblogged, bookmarked] = flags_of("$1", "p.id");
    format!(
        "{REF_BASE_COLUMNS}, {favourited} AS favourited, {reblogged} AS reblogged, \
         {bookmarked} AS bookmarked"
    )
}

impl PostRef {
    pub(crate) fn from_row(r: &AnyRow) -> sqlx::Result<PostRef> {
        let flag = |name: &str| -> sqlx::Result<bool> { Ok(col::<i64>(r, name)? != 0) };
        Ok(PostRef {
            id: col(r, "id")?,
            author_id: col(r, "author_id")?,
            reblog_of_id: col(r, "reblog_of_id")?,
            version: RenderVersion {
                post: col(r, "version")?,
                people: col(r, "people_version")?,
            },
            author_version: col(r, "author_version")?,
            replies_count: col(r, "replies_count")?,
            favourites_count: col(r, "favourites_count")?,
            reblogs_count: col(r, "reblogs_count")?,
            favourited: flag("favourited")?,
            reblogged: flag("reblogged")?,
            bookmarked: flag("bookmarked")?,
        })
    }
}

/// The names of [`ref_columns`], in the order [`refs_from_json`] reads them, for a query that
/// selects from a subquery of them aliased `r`.
pub(crate) const REF_NAMES: &str = "r.id, r.author_id, r.reblog_of_id, r.version, \
    r.replies_count, r.favourites_count, r.reblogs_count, r.author_version, r.people_version, \
    r.favourited, r.reblogged, r.bookmarked";

/// Refs from a JSON array of arrays of [`REF_NAMES`] (see `Backend::json_rows`).
pub(crate) fn refs_from_json(text: &str) -> CoreResult<Vec<PostRef>> {
    let rows: Vec<[Option<i64>; 12]> = serde_json::from_str(text)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("a page of refs: {e}")))?;
    rows.iter().map(PostRef::from_json).collect()
}

impl PostRef {
    fn from_json(v: &[Option<i64>; 12]) -> CoreResult<PostRef> {
        let field = |i: usize| {
            v[i].ok_or_else(|| CoreError::Internal(anyhow::anyhow!("ref field {i} is null")))
        };
        Ok(PostRef {
            id: field(0)?,
            author_id: field(1)?,
            reblog_of_id: v[2],
            version: RenderVersion {
                post: field(3)?,
                people: field(8)?,
            },
            author_version: field(7)?,
            replies_count: field(4)?,
            favourites_count: field(5)?,
            reblogs_count: field(6)?,
            favourited: field(9)? != 0,
            reblogged: field(10)? != 0,
            bookmarked: field(11)? != 0,
        })
    }
}

pub(crate) fn refs_from_rows(rows: &[AnyRow]) -> CoreResult<Vec<PostRef>> {
    Ok(rows
        .iter()
        .map(PostRef::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// The refs of the posts that boosts in `refs` point at, for this viewer: published and
/// readable by them (a boost whose original is not is left out of a listing).
pub async fn boosted(
    core: &Core,
    viewer: Option<&Actor>,
    refs: &[PostRef],
) -> CoreResult<HashMap<i64, PostRef>> {
    let ids: Vec<i64> = refs.iter().filter_map(|r| r.reblog_of_id).collect();
    readable_refs(core, viewer, &ids).await
}

/// [`readable`] as refs: the posts among `ids` that are published and this viewer may read.
pub async fn readable_refs(
    core: &Core,
    viewer: Option<&Actor>,
    ids: &[i64],
) -> CoreResult<HashMap<i64, PostRef>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let readable = format!(
        "FROM posts p WHERE p.id IN ({}) AND {PUBLISHED_BY_ID} AND {}",
        placeholders(2, ids.len()),
        visible_to(1)
    );
    let refs = if core.refs.is_live() {
        let values: Vec<i64> = std::iter::once(viewer_id(viewer))
            .chain(ids.iter().copied())
            .collect();
        let page = CachedPage {
            page: &format!("SELECT {} {readable}", entry_columns()),
            columns: ENTRY_NAMES,
            order: "e.post_id",
            values: &values,
            prepared: true,
        };
        page.refs(core).await?
    } else {
        let sql = format!("SELECT {} {readable}", ref_columns());
        let mut query = sqlx::query(&sql).bind(viewer_id(viewer));
        for id in ids {
            query = query.bind(*id);
        }
        refs_from_rows(&query.fetch_all(&core.db.pool).await?)?
    };
    Ok(refs.into_iter().map(|r| (r.id, r)).collect())
}

/// Full published posts for `ids`, as this viewer sees them (boosts carry their originals),
/// in no particular order. Listings decide who may read what ([`visible_to`]) and pass only
/// published posts; drafts and scheduled posts are never loaded here, whatever ids come in.
pub async fn load_ids(core: &Core, viewer: Option<&Actor>, ids: &[i64]) -> CoreResult<Vec<Post>> {
    let by_id = load_by_ids(core, viewer, ids, PUBLISHED_BY_ID, Audience::Unchecked).await?;
    Ok(by_id.into_values().collect())
}

/// The posts among `ids` that are published and this viewer may read, by id (one query for a
/// list of them instead of a [`view_published`](super::view_published) each).
pub async fn readable(
    core: &Core,
    viewer: Option<&Actor>,
    ids: &[i64],
) -> CoreResult<HashMap<i64, Post>> {
    load_by_ids(core, viewer, ids, PUBLISHED_BY_ID, Audience::Viewer).await
}

/// Whether [`load_by_ids`] checks that the viewer may read each post, or the caller already did.
pub(crate) enum Audience {
    Viewer,
    Unchecked,
}

/// Full posts among `ids` whose state meets `state` (a condition on `p` in the by-id form,
/// see [`PUBLISHED_BY_ID`]), as this viewer sees them, by id.
pub(crate) async fn load_by_ids(
    core: &Core,
    viewer: Option<&Actor>,
    ids: &[i64],
    state: &str,
    audience: Audience,
) -> CoreResult<HashMap<i64, Post>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.id IN ({}) AND {state}",
        placeholders(1, ids.len())
    );
    if let Audience::Viewer = audience {
        sql.push_str(&format!(" AND {}", visible_to(ids.len() + 1)));
    }
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    if let Audience::Viewer = audience {
        query = query.bind(viewer_id(viewer));
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    Ok(load(core, viewer, rows)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Full posts for a listing, in the listing's order (boosts of posts the viewer may not read
/// are left out).
pub async fn load_refs(
    core: &Core,
    viewer: Option<&Actor>,
    refs: &[PostRef],
) -> CoreResult<Vec<Post>> {
    let ids: Vec<i64> = refs.iter().map(|r| r.id).collect();
    let mut by_id: HashMap<i64, Post> = load_ids(core, viewer, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// A home feed entry: the post's id and its owner's flags (liked, boosted, bookmarked).
pub(crate) type Entry = (i64, [bool; 3]);

/// The columns of an [`Entry`] for the viewer at `$1` (table alias `p`), named `post_id`,
/// `favourited`, `reblogged`, `bookmarked`: what a page statement reads of each post when the
/// cache supplies the rest.
pub(crate) fn entry_columns() -> String {
    let [favourited, reblogged, bookmarked] = flags_of("$1", "p.id");
    format!(
        "p.id AS post_id, {favourited} AS favourited, {reblogged} AS reblogged, \
         {bookmarked} AS bookmarked"
    )
}

/// The names of [`entry_columns`] in a subquery aliased `e`.
pub(crate) const ENTRY_NAMES: &str = "e.post_id, e.favourited, e.reblogged, e.bookmarked";

/// SQL for where SQLite's change log stands (0 on PostgreSQL, whose changes arrive as
/// notices), to read in the same statement as a page that will use the cache.
///
/// The counter, not max(seq): it survives the rows' deletion, so a log emptied by hand reads
/// as a gap (forget everything), not as "nothing new".
pub(crate) fn newest_change_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "(SELECT COALESCE(max(seq), 0) FROM sqlite_sequence WHERE name = 'ref_changes')"
        }
        Backend::Postgres => "0",
    }
}

/// A page statement for the cache: `page` (a query whose rows have `columns`, an
/// [`Entry`]'s names first, see [`ENTRY_NAMES`], over a subquery aliased `e`) runs as one
/// row with where the change log stands, which is applied before the cache is read; the
/// page's rows come back in `order`, each as its columns' values.
pub(crate) struct CachedPage<'a> {
    pub page: &'a str,
    pub columns: &'a str,
    pub order: &'a str,
    /// The values of `$1`, `$2`, … (the viewer first).
    pub values: &'a [i64],
    /// Prepared (PostgreSQL may keep a generic plan) or planned with its values each time.
    pub prepared: bool,
}

impl CachedPage<'_> {
    pub(crate) async fn rows(&self, core: &Core) -> CoreResult<Vec<Vec<i64>>> {
        let sql = format!(
            "SELECT CAST({newest} AS BIGINT) AS newest_change, \
               (SELECT {rows} FROM ({page}) e) AS entries",
            newest = newest_change_sql(core.db.backend),
            rows = core.db.backend.json_rows(self.columns, self.order),
            page = self.page,
        );
        let mut query = sqlx::query(&sql).persistent(self.prepared);
        for value in self.values {
            query = query.bind(*value);
        }
        let row = query.fetch_one(&core.db.pool).await?;
        if core.db.backend == Backend::Sqlite {
            core.refs
                .apply_change_log(&core.db, col(&row, "newest_change")?)
                .await?;
        }
        parse_rows(&col::<String>(&row, "entries")?)
    }

    /// The page's refs (its rows have [`ENTRY_NAMES`] alone).
    pub(crate) async fn refs(&self, core: &Core) -> CoreResult<Vec<PostRef>> {
        let rows = self.rows(core).await?;
        cached(core, &entries_of(&rows)).await
    }
}

/// A JSON array of arrays of integers, as `Backend::json_rows` writes them.
pub(crate) fn parse_rows(text: &str) -> CoreResult<Vec<Vec<i64>>> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("a page of entries: {e}")))
}

/// Rows that begin with [`ENTRY_NAMES`] as entries.
pub(crate) fn entries_of(rows: &[Vec<i64>]) -> Vec<Entry> {
    rows.iter()
        .filter_map(|row| match row.as_slice() {
            [id, favourited, reblogged, bookmarked, ..] => {
                Some((*id, [*favourited != 0, *reblogged != 0, *bookmarked != 0]))
            }
            _ => None,
        })
        .collect()
}

/// Refs for feed entries, in their order, from the posts and accounts the cache keeps
/// (`ref_cache`), reading from the database only what it lacks. Entries whose post is no
/// longer published are left out.
pub(crate) async fn cached(core: &Core, entries: &[Entry]) -> CoreResult<Vec<PostRef>> {
    let cache = &core.refs;
    // Taken before anything is read: what is read after a notice was sent is not kept.
    let generation = cache.generation();
    let mut posts: HashMap<i64, CachedPost> = entries
        .iter()
        .filter_map(|(id, _)| Some((*id, cache.post(*id)?)))
        .collect();
    let missing: Vec<i64> = entries
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !posts.contains_key(id))
        .collect();
    for (id, post) in cached_posts_from_db(core, &missing).await? {
        cache.keep_post(id, post.clone(), generation);
        posts.insert(id, post);
    }
    let mut versions: HashMap<i64, i64> = HashMap::new();
    let mut missing = Vec::new();
    for post in posts.values() {
        for id in std::iter::once(&post.author_id).chain(post.people.iter()) {
            if versions.contains_key(id) || missing.contains(id) {
                continue;
            }
            match cache.profile_version(*id) {
                Some(version) => {
                    versions.insert(*id, version);
                }
                None => missing.push(*id),
            }
        }
    }
    for (id, version) in profile_versions_from_db(core, &missing).await? {
        cache.keep_profile(id, version, generation);
        versions.insert(id, version);
    }
    // An account gone since (its posts go with it) counts as version 0, as in `ref_columns`.
    let version_of = |id: &i64| versions.get(id).copied().unwrap_or(0);
    Ok(entries
        .iter()
        .filter_map(|(id, [favourited, reblogged, bookmarked])| {
            let post = posts.get(id)?;
            Some(PostRef {
                id: *id,
                author_id: post.author_id,
                reblog_of_id: post.reblog_of_id,
                version: RenderVersion {
                    post: post.version,
                    people: post.people.iter().map(version_of).sum(),
                },
                author_version: version_of(&post.author_id),
                replies_count: post.replies_count,
                favourites_count: post.favourites_count,
                reblogs_count: post.reblogs_count,
                favourited: *favourited,
                reblogged: *reblogged,
                bookmarked: *bookmarked,
            })
        })
        .collect())
}

/// The published posts among `ids` as the cache keeps them.
async fn cached_posts_from_db(core: &Core, ids: &[i64]) -> CoreResult<Vec<(i64, CachedPost)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id, p.author_id, p.reblog_of_id, p.version, p.replies_count, \
           p.favourites_count, p.reblogs_count, p.reviewer_id, \
           (SELECT {coauthors} FROM coauthors c \
             WHERE c.post_id = p.id AND c.accepted_at IS NOT NULL) AS coauthor_ids \
         FROM posts p WHERE {PUBLISHED_BY_ID} AND p.id IN ({})",
        placeholders(1, ids.len()),
        coauthors = core.db.backend.text_agg("CAST(c.profile_id AS TEXT)", ","),
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    let post = |r: &AnyRow| -> sqlx::Result<(i64, CachedPost)> {
        let coauthors: Option<String> = col(r, "coauthor_ids")?;
        let people = col::<Option<i64>>(r, "reviewer_id")?
            .into_iter()
            .chain(
                coauthors
                    .iter()
                    .flat_map(|ids| ids.split(','))
                    .filter_map(|id| id.parse().ok()),
            )
            .collect();
        Ok((
            col(r, "id")?,
            CachedPost {
                author_id: col(r, "author_id")?,
                reblog_of_id: col(r, "reblog_of_id")?,
                version: col(r, "version")?,
                replies_count: col(r, "replies_count")?,
                favourites_count: col(r, "favourites_count")?,
                reblogs_count: col(r, "reblogs_count")?,
                people,
            },
        ))
    };
    Ok(rows.iter().map(post).collect::<sqlx::Result<_>>()?)
}

async fn profile_versions_from_db(core: &Core, ids: &[i64]) -> CoreResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT a.id, a.version FROM profiles a WHERE a.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    Ok(rows
        .iter()
        .map(|r| Ok((col(r, "id")?, col(r, "version")?)))
        .collect::<sqlx::Result<_>>()?)
}
