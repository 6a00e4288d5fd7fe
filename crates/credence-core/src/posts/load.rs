//! Loading full posts for rows of [`POST_COLUMNS`]: authors, citations, topics, media,
//! co-authors, mentions and the viewer's own flags, one query per kind of thing.

use std::collections::HashMap;

use sqlx::any::AnyRow;

use crate::kernel::db::{col, parse_col, placeholders};
use crate::kernel::visibility::{viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreResult};
use crate::media;
use crate::profiles::{self, Profile};
use crate::topics;

use super::model::{
    label_from_code, label_text, Citation, Post, PostKind, PostState, Visibility, POST_COLUMNS,
};
use super::refs::PUBLISHED_BY_ID;

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) author_id: i64,
    pub(super) kind: PostKind,
    pub(super) state: PostState,
    pub(super) visibility: Visibility,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) body_html: String,
    pub(super) spoiler_text: String,
    pub(super) sensitive: bool,
    pub(super) disclosure: String,
    pub(super) in_reply_to_id: Option<i64>,
    pub(super) reblog_of_id: Option<i64>,
    pub(super) label: String,
    pub(super) label_reasons: String,
    pub(super) score: i64,
    pub(super) reading_grade: Option<f64>,
    pub(super) reviewer_id: Option<i64>,
    pub(super) reviewed_at: Option<i64>,
    pub(super) replies_count: i64,
    pub(super) favourites_count: i64,
    pub(super) reblogs_count: i64,
    pub(super) created_at: i64,
    pub(super) published_at: Option<i64>,
    pub(super) scheduled_at: Option<i64>,
    pub(super) edited_at: Option<i64>,
    pub(super) pinned_at: Option<i64>,
    pub(super) unlisted: bool,
}

impl Row {
    pub(super) fn from_row(r: &AnyRow) -> sqlx::Result<Row> {
        let sensitive: i64 = col(r, "sensitive")?;
        Ok(Row {
            id: col(r, "id")?,
            author_id: col(r, "author_id")?,
            kind: parse_col(r, "kind")?,
            state: parse_col(r, "state")?,
            visibility: parse_col(r, "visibility")?,
            title: col(r, "title")?,
            body: col(r, "body")?,
            body_html: col(r, "body_html")?,
            spoiler_text: col(r, "spoiler_text")?,
            sensitive: sensitive != 0,
            disclosure: col(r, "disclosure")?,
            in_reply_to_id: col(r, "in_reply_to_id")?,
            reblog_of_id: col(r, "reblog_of_id")?,
            label: col(r, "label")?,
            label_reasons: col(r, "label_reasons")?,
            score: col(r, "score")?,
            reading_grade: col(r, "reading_grade")?,
            reviewer_id: col(r, "reviewer_id")?,
            reviewed_at: col(r, "reviewed_at")?,
            replies_count: col(r, "replies_count")?,
            favourites_count: col(r, "favourites_count")?,
            reblogs_count: col(r, "reblogs_count")?,
            created_at: col(r, "created_at")?,
            published_at: col(r, "published_at")?,
            scheduled_at: col(r, "scheduled_at")?,
            edited_at: col(r, "edited_at")?,
            pinned_at: col(r, "pinned_at")?,
            unlisted: col::<i64>(r, "unlisted")? != 0,
        })
    }
}

/// Runs a query whose columns are [`POST_COLUMNS`] and returns full posts for the viewer.
pub(crate) async fn load(
    core: &Core,
    viewer: Option<&Actor>,
    rows: Vec<AnyRow>,
) -> CoreResult<Vec<Post>> {
    let mut rows: Vec<Row> = rows
        .iter()
        .map(Row::from_row)
        .collect::<sqlx::Result<_>>()?;
    // The listing's order, and what each boost points at (one level deep: a boost of a boost
    // points at the original).
    let order: Vec<(i64, Option<i64>)> = rows.iter().map(|r| (r.id, r.reblog_of_id)).collect();
    let original_ids: Vec<i64> = rows.iter().filter_map(|r| r.reblog_of_id).collect();
    if !original_ids.is_empty() {
        // The original is shown only if this viewer may read it (defence in depth: a boosted
        // post's audience cannot be narrowed, see `update`).
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts p WHERE p.id IN ({}) AND {PUBLISHED_BY_ID} \
             AND {}",
            placeholders(2, original_ids.len()),
            visible_to(1)
        );
        let mut query = sqlx::query(&sql).bind(viewer_id(viewer));
        for id in &original_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&core.db.pool).await? {
            rows.push(Row::from_row(&row)?);
        }
    }
    // Rows and originals joined in one pass; a post can be both (a post and its boost on one
    // page), hence the map.
    let by_id: HashMap<i64, Post> = hydrate(core, viewer, rows)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(order
        .into_iter()
        .filter_map(|(id, boost_of)| {
            let mut post = by_id.get(&id)?.clone();
            if let Some(original) = boost_of {
                // A boost of a post this viewer may not read is left out.
                let original = by_id.get(&original)?.clone();
                post.reblog = Some(Box::new(original));
            }
            Some(post)
        })
        .collect())
}

/// Joins authors, citations, topics, media, co-authors, mentions and the viewer's own
/// favourites/boosts/bookmarks onto post rows, with one query per kind of thing.
async fn hydrate(core: &Core, viewer: Option<&Actor>, rows: Vec<Row>) -> CoreResult<Vec<Post>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let citations = load_citations(core, &ids).await?;
    let topics = topics::for_posts(core, &ids).await?;
    let media = media::for_posts(core, &ids).await?;
    let coauthors = id_pairs(
        core,
        "SELECT post_id, profile_id FROM coauthors WHERE accepted_at IS NOT NULL AND",
        &ids,
    )
    .await?;
    let mentions = id_pairs(core, "SELECT post_id, profile_id FROM mentions WHERE", &ids).await?;
    let parent_ids: Vec<i64> = rows.iter().filter_map(|r| r.in_reply_to_id).collect();
    let parent_authors = if parent_ids.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT id, author_id FROM posts WHERE id IN ({})",
            placeholders(1, parent_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &parent_ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&core.db.pool)
            .await?
            .iter()
            .map(|r| Ok((col::<i64>(r, "id")?, col::<i64>(r, "author_id")?)))
            .collect::<sqlx::Result<HashMap<_, _>>>()?
    };
    let mut profile_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    profile_ids.extend(rows.iter().filter_map(|r| r.reviewer_id));
    profile_ids.extend(coauthors.values().flatten());
    profile_ids.extend(mentions.values().flatten());
    let people = profiles::public_by_ids(core, &profile_ids).await?;
    let flags = viewer_flags(core, viewer, &ids).await?;

    let mut posts = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(author) = people.get(&r.author_id).cloned() else {
            continue;
        };
        let pick = |map: &HashMap<i64, Vec<i64>>| -> Vec<Profile> {
            map.get(&r.id)
                .into_iter()
                .flatten()
                .filter_map(|id| people.get(id).cloned())
                .collect()
        };
        let (favourited, reblogged, bookmarked) = flags.get(&r.id).copied().unwrap_or_default();
        let label = label_from_code(&r.label);
        posts.push(Post {
            id: r.id,
            label_text: label_text(label, &r.label_reasons).to_string(),
            label_reasons: serde_json::from_str(&r.label_reasons).unwrap_or_default(),
            label: r.label,
            author,
            kind: r.kind,
            state: r.state,
            visibility: r.visibility,
            title: r.title,
            body: r.body,
            body_html: r.body_html,
            spoiler_text: r.spoiler_text,
            sensitive: r.sensitive,
            disclosure: r.disclosure,
            in_reply_to_id: r.in_reply_to_id,
            in_reply_to_author_id: r
                .in_reply_to_id
                .and_then(|id| parent_authors.get(&id).copied()),
            // Attached by `load`.
            reblog: None,
            score: r.score,
            reading_grade: r.reading_grade,
            reviewer: r.reviewer_id.and_then(|id| people.get(&id).cloned()),
            reviewed_at: r.reviewed_at,
            replies_count: r.replies_count,
            favourites_count: r.favourites_count,
            reblogs_count: r.reblogs_count,
            created_at: r.created_at,
            published_at: r.published_at,
            scheduled_at: r.scheduled_at,
            edited_at: r.edited_at,
            pinned_at: r.pinned_at,
            unlisted: r.unlisted,
            citations: citations.get(&r.id).cloned().unwrap_or_default(),
            topics: topics.get(&r.id).cloned().unwrap_or_default(),
            media: media.get(&r.id).cloned().unwrap_or_default(),
            coauthors: pick(&coauthors),
            mentions: pick(&mentions),
            favourited,
            reblogged,
            bookmarked,
        });
    }
    Ok(posts)
}

/// (favourited, reblogged, bookmarked) by the viewer, for each of these posts.
async fn viewer_flags(
    core: &Core,
    viewer: Option<&Actor>,
    ids: &[i64],
) -> CoreResult<HashMap<i64, (bool, bool, bool)>> {
    let mut out: HashMap<i64, (bool, bool, bool)> = HashMap::new();
    let Some(viewer) = viewer else {
        return Ok(out);
    };
    let list = placeholders(2, ids.len());
    let sql = format!(
        "SELECT post_id, 0 AS what FROM favourites WHERE profile_id = $1 AND post_id IN ({list}) \
         UNION ALL SELECT reblog_of_id AS post_id, 1 AS what FROM posts \
           WHERE author_id = $1 AND reblog_of_id IN ({list}) \
         UNION ALL SELECT post_id, 2 AS what FROM bookmarks WHERE profile_id = $1 AND post_id IN ({list})"
    );
    let mut query = sqlx::query(&sql).bind(viewer.profile_id);
    for id in ids {
        query = query.bind(*id);
    }
    for r in query.fetch_all(&core.db.pool).await? {
        let entry = out.entry(col(&r, "post_id")?).or_default();
        match col::<i64>(&r, "what")? {
            0 => entry.0 = true,
            1 => entry.1 = true,
            _ => entry.2 = true,
        }
    }
    Ok(out)
}

/// `select` ends with `WHERE` or `AND`, so a condition can come before the id list.
async fn id_pairs(core: &Core, select: &str, ids: &[i64]) -> CoreResult<HashMap<i64, Vec<i64>>> {
    let sql = format!(
        "{select} post_id IN ({}) ORDER BY post_id, profile_id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in query.fetch_all(&core.db.pool).await? {
        out.entry(col(&r, "post_id")?)
            .or_default()
            .push(col(&r, "profile_id")?);
    }
    Ok(out)
}

async fn load_citations(core: &Core, ids: &[i64]) -> CoreResult<HashMap<i64, Vec<Citation>>> {
    let sql = format!(
        "SELECT post_id, kind, value, title, tier FROM citations WHERE post_id IN ({}) \
         ORDER BY post_id, position",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut out: HashMap<i64, Vec<Citation>> = HashMap::new();
    for r in query.fetch_all(&core.db.pool).await? {
        out.entry(col(&r, "post_id")?).or_default().push(Citation {
            kind: parse_col(&r, "kind")?,
            value: col(&r, "value")?,
            title: col(&r, "title")?,
            tier: col(&r, "tier")?,
        });
    }
    Ok(out)
}
