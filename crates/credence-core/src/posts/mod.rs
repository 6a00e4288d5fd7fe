//! Posts: compose, publish, schedule, edit, delete, and read one post as a given viewer.
//!
//! Rules kept here, so the web pages, the Mastodon API and the CLI all obey them:
//! - every draft is checked by the credibility engine when it is published (or scheduled);
//!   PHI blocks publishing unless the author records the patient's written consent (stored
//!   privately) or redacts it; flagged commercial interest needs a disclosure; a research
//!   update must cite at least one peer-reviewed source;
//! - the credibility label and its reasons are stored with the post and shown to readers;
//! - a member who shares their own health details in public is warned first and offered a
//!   private message instead;
//! - only the author edits (each edit keeps the previous version); the author or a moderator
//!   deletes, leaving a tombstone;
//! - who may read a post is one SQL condition ([`visible_to`]) used by every listing.

mod refs;
mod review;
mod rules;
mod write;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use credence_check::{Checker, Draft, DraftKind, Label, Report};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::accounts::{Actor, Role};
use crate::content;
use crate::db::{col, new_id, now_ms, parse_col, placeholders, Backend, Db};
use crate::error::{CoreError, CoreResult};
use crate::home_feeds;
use crate::media::{self, MediaInfo};
use crate::profiles::{self, Profile, ProfileKind};
use crate::social;
use crate::text::{multi_line, single_line};
use crate::topics::{self, Topic};

pub use refs::{boosted, load_ids, load_refs, readable, PostRef, RenderVersion};
pub(crate) use refs::{
    cached as cached_refs, flags_of, ref_columns, refs_from_json, refs_from_rows, Entry,
    REF_BASE_COLUMNS, REF_NAMES,
};
pub use review::*;
pub use rules::*;
pub use write::*;

/// Longest short post, in characters.
pub const MAX_POST_CHARS: usize = 1_000;

/// Longest article body, in characters.
pub const MAX_ARTICLE_CHARS: usize = 100_000;

pub const MAX_MEDIA: usize = 4;

pub const MAX_CITATIONS: usize = 50;

macro_rules! text_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(PostKind {
    Post = "post",
    Article = "article",
    ResearchUpdate = "research_update",
    Tip = "tip",
});

text_enum!(Visibility {
    Public = "public",
    Followers = "followers",
    Direct = "direct",
});

text_enum!(PostState {
    Draft = "draft",
    Scheduled = "scheduled",
    Published = "published",
    Deleted = "deleted",
});

text_enum!(CitationKind {
    Doi = "doi",
    Pmid = "pmid",
    Url = "url",
});

impl PostKind {
    pub fn label(self) -> &'static str {
        match self {
            PostKind::Post => "Post",
            PostKind::Article => "Article",
            PostKind::ResearchUpdate => "Research update",
            PostKind::Tip => "Health tip",
        }
    }
}

/// A structured reference under a post.
#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    pub kind: CitationKind,
    pub value: String,
    pub title: String,
    /// Source tier (1 = peer-reviewed … 8), when known.
    pub tier: Option<i64>,
}

impl Citation {
    /// Where the reference can be read.
    pub fn url(&self) -> String {
        match self.kind {
            CitationKind::Doi => format!("https://doi.org/{}", self.value),
            CitationKind::Pmid => format!("https://pubmed.ncbi.nlm.nih.gov/{}/", self.value),
            CitationKind::Url => self.value.clone(),
        }
    }

    pub fn is_peer_reviewed(&self) -> bool {
        self.tier == Some(1)
    }
}

/// A citation as typed: a DOI, a PMID or a URL, and a title.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CitationInput {
    /// `doi`, `pmid` or `url`; guessed from the value when absent.
    pub kind: Option<String>,
    pub value: String,
    #[serde(default)]
    pub title: String,
}

/// A patient's written consent to publish details about them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ConsentInput {
    pub patient_name: String,
    /// What the patient agreed to (e.g. "this post and its photos, on Credence").
    pub scope: String,
    /// The date on the signed form, `YYYY-MM-DD`.
    pub consented_on: String,
}

/// What to do with a composed post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SaveDraft,
    Publish,
    /// Publish at this time (ms since the epoch).
    Schedule(i64),
}

/// Everything a compose form or API call can send.
#[derive(Debug, Clone)]
pub struct Compose {
    pub kind: PostKind,
    pub title: String,
    pub body: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub in_reply_to_id: Option<i64>,
    pub citations: Vec<CitationInput>,
    pub topics: Vec<String>,
    pub media_ids: Vec<i64>,
    pub disclosure: String,
    pub consent: Option<ConsentInput>,
    pub coauthors: Vec<String>,
    pub reviewers: Vec<String>,
    /// A member confirms they want to share their own health details in public.
    pub confirm_public_overshare: bool,
    pub action: Action,
}

impl Default for Compose {
    fn default() -> Self {
        Compose {
            kind: PostKind::Post,
            title: String::new(),
            body: String::new(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: Visibility::Public,
            in_reply_to_id: None,
            citations: Vec::new(),
            topics: Vec::new(),
            media_ids: Vec::new(),
            disclosure: String::new(),
            consent: None,
            coauthors: Vec::new(),
            reviewers: Vec::new(),
            confirm_public_overshare: false,
            action: Action::Publish,
        }
    }
}

/// A post as a viewer sees it, with everything a page or API entity shows.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub id: i64,
    pub author: Profile,
    pub kind: PostKind,
    pub state: PostState,
    pub visibility: Visibility,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub disclosure: String,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_author_id: Option<i64>,
    pub reblog: Option<Box<Post>>,
    /// The engine's verdict (`evidence_based`, `needs_sources`, …) and its reader-facing text.
    pub label: String,
    pub label_text: String,
    pub label_reasons: Vec<String>,
    pub score: i64,
    pub reading_grade: Option<f64>,
    pub reviewer: Option<Profile>,
    pub reviewed_at: Option<i64>,
    pub replies_count: i64,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub scheduled_at: Option<i64>,
    pub edited_at: Option<i64>,
    pub citations: Vec<Citation>,
    pub topics: Vec<Topic>,
    pub media: Vec<MediaInfo>,
    pub coauthors: Vec<Profile>,
    pub mentions: Vec<Profile>,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
}

impl Post {
    pub fn is_deleted(&self) -> bool {
        self.state == PostState::Deleted
    }

    /// The time shown and sorted on: publication, or creation for drafts.
    pub fn shown_at(&self) -> i64 {
        self.published_at.unwrap_or(self.created_at)
    }
}

/// The columns every post query reads (table alias `p`).
pub(crate) const POST_COLUMNS: &str = "p.id, p.author_id, p.kind, p.state, p.visibility, \
    p.title, p.body, p.body_html, p.spoiler_text, p.sensitive, p.disclosure, p.in_reply_to_id, \
    p.reblog_of_id, p.label, p.label_reasons, p.score, p.reading_grade, p.reviewer_id, \
    p.reviewed_at, p.replies_count, p.favourites_count, p.reblogs_count, p.created_at, \
    p.published_at, p.scheduled_at, p.edited_at";

/// Who may read a post, as SQL over alias `p`, for the viewer bound at `$n` (0 for nobody):
/// public posts; your own; followers-only posts of people you follow; anything that mentions
/// you. Drafts, scheduled and deleted posts are left to the caller's `state` condition.
pub fn visible_to(n: usize) -> String {
    visible_to_profile(&format!("${n}"))
}

/// [`visible_to`] for the profile id that the SQL expression `who` gives (a bound parameter or
/// a column of another table).
pub(crate) fn visible_to_profile(who: &str) -> String {
    format!(
        "(p.visibility = 'public' OR p.author_id = {who} \
          OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f \
              WHERE f.follower_id = {who} AND f.followee_id = p.author_id)) \
          OR EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = p.id AND m.profile_id = {who}))"
    )
}

/// The viewer's profile id for [`visible_to`] (0 matches nobody).
pub fn viewer_id(viewer: Option<&Actor>) -> i64 {
    viewer.map_or(0, |a| a.profile_id)
}

struct Row {
    id: i64,
    author_id: i64,
    kind: PostKind,
    state: PostState,
    visibility: Visibility,
    title: String,
    body: String,
    body_html: String,
    spoiler_text: String,
    sensitive: bool,
    disclosure: String,
    in_reply_to_id: Option<i64>,
    reblog_of_id: Option<i64>,
    label: String,
    label_reasons: String,
    score: i64,
    reading_grade: Option<f64>,
    reviewer_id: Option<i64>,
    reviewed_at: Option<i64>,
    replies_count: i64,
    favourites_count: i64,
    reblogs_count: i64,
    created_at: i64,
    published_at: Option<i64>,
    scheduled_at: Option<i64>,
    edited_at: Option<i64>,
}

impl Row {
    fn from_row(r: &AnyRow) -> sqlx::Result<Row> {
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
        })
    }
}

/// Runs a query whose columns are [`POST_COLUMNS`] and returns full posts for the viewer.
pub(crate) async fn load(
    db: &Db,
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
            "SELECT {POST_COLUMNS} FROM posts p WHERE p.id IN ({}) AND p.state = 'published' \
             AND {}",
            placeholders(2, original_ids.len()),
            visible_to(1)
        );
        let mut query = sqlx::query(&sql).bind(viewer_id(viewer));
        for id in &original_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&db.pool).await? {
            rows.push(Row::from_row(&row)?);
        }
    }
    // Rows and originals joined in one pass; a post can be both (a post and its boost on one
    // page), hence the map.
    let by_id: HashMap<i64, Post> = hydrate(db, viewer, rows)
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
async fn hydrate(db: &Db, viewer: Option<&Actor>, rows: Vec<Row>) -> CoreResult<Vec<Post>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let citations = load_citations(db, &ids).await?;
    let topics = topics::for_posts(db, &ids).await?;
    let media = media::for_posts(db, &ids).await?;
    let coauthors = id_pairs(
        db,
        "SELECT post_id, profile_id FROM coauthors WHERE accepted_at IS NOT NULL AND",
        &ids,
    )
    .await?;
    let mentions = id_pairs(db, "SELECT post_id, profile_id FROM mentions WHERE", &ids).await?;
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
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((col::<i64>(r, "id")?, col::<i64>(r, "author_id")?)))
            .collect::<sqlx::Result<HashMap<_, _>>>()?
    };
    let mut profile_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    profile_ids.extend(rows.iter().filter_map(|r| r.reviewer_id));
    profile_ids.extend(coauthors.values().flatten());
    profile_ids.extend(mentions.values().flatten());
    let people = profiles::public_by_ids(db, &profile_ids).await?;
    let flags = viewer_flags(db, viewer, &ids).await?;

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
    db: &Db,
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
    for r in query.fetch_all(&db.pool).await? {
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
async fn id_pairs(db: &Db, select: &str, ids: &[i64]) -> CoreResult<HashMap<i64, Vec<i64>>> {
    let sql = format!(
        "{select} post_id IN ({}) ORDER BY post_id, profile_id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in query.fetch_all(&db.pool).await? {
        out.entry(col(&r, "post_id")?)
            .or_default()
            .push(col(&r, "profile_id")?);
    }
    Ok(out)
}

async fn load_citations(db: &Db, ids: &[i64]) -> CoreResult<HashMap<i64, Vec<Citation>>> {
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
    for r in query.fetch_all(&db.pool).await? {
        out.entry(col(&r, "post_id")?).or_default().push(Citation {
            kind: parse_col(&r, "kind")?,
            value: col(&r, "value")?,
            title: col(&r, "title")?,
            tier: col(&r, "tier")?,
        });
    }
    Ok(out)
}

/// The reader-facing label: the engine's verdict in plain words.
fn label_text(label: Label, reasons_json: &str) -> &'static str {
    match label {
        Label::EvidenceBased if reasons_json.contains("peer-reviewed") => {
            "Cites peer-reviewed sources"
        }
        Label::EvidenceBased => "Cites trusted sources",
        Label::NeedsSources => "Needs sources",
        Label::Caution => "Caution: read the reasons",
        Label::NoIssues => "No issues found",
        Label::BlockedPhi => "Shared with the patient's written consent",
    }
}

/// One post as this viewer may see it. Drafts and scheduled posts are the author's alone;
/// a deleted post is returned as a tombstone (state `deleted`, no content).
pub async fn view(db: &Db, viewer: Option<&Actor>, id: i64) -> CoreResult<Post> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1 AND \
         (((p.state = 'published' OR (p.state = 'deleted' AND p.published_at IS NOT NULL)) \
            AND {}) OR (p.author_id = $2 AND p.state <> 'deleted'))",
        visible_to(2)
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(viewer_id(viewer))
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    load(db, viewer, vec![row])
        .await?
        .pop()
        .ok_or(CoreError::NotFound("post"))
}

/// A published, readable post, or NotFound (tombstones, drafts and hidden posts included).
pub async fn view_published(db: &Db, viewer: Option<&Actor>, id: i64) -> CoreResult<Post> {
    let post = view(db, viewer, id).await?;
    if post.state != PostState::Published {
        return Err(CoreError::NotFound("post"));
    }
    Ok(post)
}

/// The earlier versions of a post (newest first), for "edited" history. Same visibility as
/// the post.
pub async fn versions(db: &Db, viewer: Option<&Actor>, id: i64) -> CoreResult<Vec<Version>> {
    let post = view_published(db, viewer, id).await?;
    versions_of(db, &post).await
}

/// The earlier versions of a post the caller has already read as this viewer (newest first).
pub async fn versions_of(db: &Db, post: &Post) -> CoreResult<Vec<Version>> {
    let id = post.id;
    let rows = sqlx::query(
        "SELECT title, body, spoiler_text, created_at FROM post_versions WHERE post_id = $1 \
         ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&db.pool)
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

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub title: String,
    pub body: String,
    pub spoiler_text: String,
    /// When this version was replaced by an edit.
    pub replaced_at: i64,
}

fn label_from_code(code: &str) -> Label {
    match code {
        "blocked_phi" => Label::BlockedPhi,
        "caution" => Label::Caution,
        "needs_sources" => Label::NeedsSources,
        "evidence_based" => Label::EvidenceBased,
        _ => Label::NoIssues,
    }
}

pub(crate) fn label_code(label: Label) -> &'static str {
    match label {
        Label::BlockedPhi => "blocked_phi",
        Label::Caution => "caution",
        Label::NeedsSources => "needs_sources",
        Label::EvidenceBased => "evidence_based",
        Label::NoIssues => "no_issues",
    }
}
