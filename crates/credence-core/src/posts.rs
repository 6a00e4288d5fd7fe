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

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use credence_check::{Checker, Draft, DraftKind, Label, Report};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::accounts::{Actor, Role};
use crate::content;
use crate::db::{col, new_id, now_ms, parse_col, placeholders, Db};
use crate::error::{CoreError, CoreResult};
use crate::media::{self, MediaInfo};
use crate::profiles::{self, Profile, ProfileKind};
use crate::social;
use crate::text::{multi_line, single_line};
use crate::topics::{self, Topic};

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
    format!(
        "(p.visibility = 'public' OR p.author_id = ${n} \
          OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f \
              WHERE f.follower_id = ${n} AND f.followee_id = p.author_id)) \
          OR EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = p.id AND m.profile_id = ${n}))"
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
    let rows: Vec<Row> = rows
        .iter()
        .map(Row::from_row)
        .collect::<sqlx::Result<_>>()?;
    // The boosted originals, one level deep (a boost of a boost points at the original).
    let original_ids: Vec<i64> = rows.iter().filter_map(|r| r.reblog_of_id).collect();
    let mut originals: HashMap<i64, Post> = HashMap::new();
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
        let fetched = query.fetch_all(&db.pool).await?;
        let fetched: Vec<Row> = fetched
            .iter()
            .map(Row::from_row)
            .collect::<sqlx::Result<_>>()?;
        for post in hydrate(db, viewer, fetched).await? {
            originals.insert(post.id, post);
        }
    }
    let mut posts = hydrate(db, viewer, rows).await?;
    posts.retain_mut(|post| match post.reblog.take() {
        None => true,
        Some(stub) => match originals.get(&stub.id) {
            Some(original) => {
                post.reblog = Some(Box::new(original.clone()));
                true
            }
            None => false,
        },
    });
    Ok(posts)
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
    let flags = social::viewer_flags(db, viewer, &ids).await?;

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
            reblog: r
                .reblog_of_id
                .map(|id| Box::new(stub(id, &people, r.author_id))),
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

/// A placeholder for a boosted post until the original is loaded (see [`load`]).
fn stub(id: i64, people: &HashMap<i64, Profile>, author_id: i64) -> Post {
    let author = people.get(&author_id).cloned().expect("author loaded");
    Post {
        id,
        author,
        kind: PostKind::Post,
        state: PostState::Deleted,
        visibility: Visibility::Public,
        title: String::new(),
        body: String::new(),
        body_html: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        disclosure: String::new(),
        in_reply_to_id: None,
        in_reply_to_author_id: None,
        reblog: None,
        label: String::new(),
        label_text: String::new(),
        label_reasons: Vec::new(),
        score: 0,
        reading_grade: None,
        reviewer: None,
        reviewed_at: None,
        replies_count: 0,
        favourites_count: 0,
        reblogs_count: 0,
        created_at: 0,
        published_at: None,
        scheduled_at: None,
        edited_at: None,
        citations: Vec::new(),
        topics: Vec::new(),
        media: Vec::new(),
        coauthors: Vec::new(),
        mentions: Vec::new(),
        favourited: false,
        reblogged: false,
        bookmarked: false,
    }
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
    view_published(db, viewer, id).await?;
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

/// Checked, cleaned compose input, ready to store.
struct Prepared {
    title: String,
    body: String,
    body_html: String,
    spoiler_text: String,
    disclosure: String,
    citations: Vec<Citation>,
    topic_slugs: Vec<String>,
    mention_ids: Vec<i64>,
    coauthor_ids: Vec<i64>,
    reviewer_ids: Vec<i64>,
    consent: Option<ConsentInput>,
    /// Identifiers covered by consent recorded with an earlier version of this post.
    consent_on_file: Vec<String>,
    parent: Option<(i64, i64)>,
    assessment: Assessment,
}

/// The engine's verdict on a draft, as stored with the post.
pub struct Assessment {
    pub label: Label,
    pub reasons: Vec<String>,
    pub score: u8,
    pub reading_grade: f64,
    pub report: Report,
}

/// The text the engine checks: title, body, the disclosure and the references, so structured
/// citations count as sources and a disclosure covers what it discloses.
pub fn text_for_check(title: &str, body: &str, disclosure: &str, citations: &[Citation]) -> String {
    text_for_check_with(title, body, disclosure, citations, "")
}

/// [`text_for_check`] plus `extra` text readers also see (content warning, alt text).
pub fn text_for_check_with(
    title: &str,
    body: &str,
    disclosure: &str,
    citations: &[Citation],
    extra: &str,
) -> String {
    let mut text = String::with_capacity(title.len() + body.len() + extra.len() + 256);
    if !title.is_empty() {
        text.push_str(title);
        text.push_str("\n\n");
    }
    text.push_str(body);
    if !disclosure.is_empty() {
        text.push_str("\n\nDisclosure: ");
        text.push_str(disclosure);
    }
    if !extra.is_empty() {
        text.push_str("\n\n");
        text.push_str(extra);
    }
    if !citations.is_empty() {
        text.push_str("\n\nReferences:\n");
        for c in citations {
            text.push_str(&c.title);
            text.push_str(". ");
            text.push_str(&c.url());
            text.push('\n');
        }
    }
    text
}

fn draft_kind(kind: PostKind, reply: bool) -> DraftKind {
    if reply {
        return DraftKind::Reply;
    }
    match kind {
        PostKind::Post => DraftKind::Post,
        PostKind::Article => DraftKind::Article,
        PostKind::ResearchUpdate => DraftKind::ResearchUpdate,
        PostKind::Tip => DraftKind::Tip,
    }
}

/// Checks a draft with the author's byline and declared disclosures, as the compose screen does.
pub fn assess(
    checker: &Checker,
    author: &Profile,
    kind: DraftKind,
    text: &str,
    citations: &[Citation],
) -> Assessment {
    let mut draft = Draft::new(text);
    draft.kind = kind;
    draft.author.names = vec![author.display_name.clone(), author.handle.clone()];
    draft.declared_companies = author
        .disclosures
        .iter()
        .map(|d| d.company.clone())
        .collect();
    let report = checker.check(&draft);
    let mut reasons = Vec::new();
    // The references are part of the checked text, so the engine has usually counted them;
    // the structured count covers sources it does not recognise from the link alone.
    let peer_reviewed = citations
        .iter()
        .filter(|c| c.is_peer_reviewed())
        .count()
        .max(
            report
                .citations
                .iter()
                .filter(|c| c.tier == Some(1))
                .count(),
        );
    if peer_reviewed > 0 {
        reasons.push(format!(
            "Cites {peer_reviewed} peer-reviewed source{}",
            if peer_reviewed == 1 { "" } else { "s" }
        ));
    }
    for finding in &report.findings {
        if finding.severity >= credence_check::Severity::Warning
            && finding.kind != credence_check::FindingKind::Phi
            && !reasons.contains(&finding.message)
        {
            reasons.push(finding.message.clone());
        }
    }
    // Sources cited in structured form count as much as links in the text.
    let trusted = citations.iter().any(|c| c.tier.is_some_and(|t| t <= 2))
        || report
            .citations
            .iter()
            .any(|c| c.tier.is_some_and(|t| t <= 2));
    // Readability and tone do not make evidence less credible; myths, weak sources, hype and
    // undisclosed promotion do.
    let credibility_warning = report.findings.iter().any(|f| {
        use credence_check::FindingKind as K;
        f.severity >= credence_check::Severity::Warning
            && matches!(
                f.kind,
                K::Myth | K::WeakSource | K::Sensationalism | K::CommercialInterest
            )
    });
    let label = match report.label {
        Label::NoIssues | Label::NeedsSources if trusted && !credibility_warning => {
            Label::EvidenceBased
        }
        other => other,
    };
    Assessment {
        label,
        reasons,
        score: report.score,
        reading_grade: report.readability.flesch_kincaid_grade,
        report,
    }
}

fn refused(code: &'static str, message: impl Into<String>, report: Option<Report>) -> CoreError {
    CoreError::Refused {
        code,
        message: message.into(),
        report: report.map(Box::new),
    }
}

/// The publishing rules. Drafts are not held to them (they are private); publishing and
/// scheduling are.
fn enforce_rules(
    author: &Profile,
    input: &Compose,
    prepared: &Prepared,
    assessment: &Assessment,
) -> CoreResult<()> {
    let report = &assessment.report;
    let has_phi = !report.phi.is_empty();
    if has_phi && author.kind == ProfileKind::Personal {
        // Members share their own details; in public they are asked first, in a private
        // message they are not.
        if input.visibility != Visibility::Direct && !input.confirm_public_overshare {
            let what: Vec<&str> = report.phi.iter().map(|p| p.label).collect();
            return Err(refused(
                "overshare",
                format!(
                    "This would share personal health details in public ({}). Anyone can read \
                     public posts: consider sending it as a private message instead, or confirm \
                     that you want to share it publicly.",
                    what.join(", ")
                ),
                Some(report.clone()),
            ));
        }
    } else if has_phi && prepared.consent.is_none() {
        let uncovered = report
            .phi
            .iter()
            .any(|p| !prepared.consent_on_file.contains(&p.text.to_lowercase()));
        if uncovered {
            let message = if prepared.consent_on_file.is_empty() {
                "This draft contains protected health information. Redact it, or record the \
                 patient's written consent before publishing."
            } else {
                "This edit adds protected health information that the recorded consent does \
                 not cover. Redact it, or record the patient's consent for it."
            };
            return Err(refused("phi", message, Some(report.clone())));
        }
    }
    let undisclosed = report.findings.iter().any(|f| {
        f.kind == credence_check::FindingKind::CommercialInterest
            && f.severity >= credence_check::Severity::Warning
    });
    if undisclosed && prepared.disclosure.is_empty() {
        return Err(refused(
            "disclosure_required",
            "This draft promotes a product or company. Add a disclosure of your relationship \
             with it (for example \"I am a paid consultant for …\") before publishing.",
            Some(report.clone()),
        ));
    }
    if input.kind == PostKind::ResearchUpdate
        && !prepared.citations.iter().any(Citation::is_peer_reviewed)
        && !report.citations.iter().any(|c| c.tier == Some(1))
    {
        return Err(refused(
            "peer_review_source_required",
            "A research update must cite at least one peer-reviewed source (a DOI, a PubMed \
             ID, or a link to a peer-reviewed journal).",
            Some(report.clone()),
        ));
    }
    Ok(())
}

/// A DOI without the resolver in front: `https://doi.org/`, `http://dx.doi.org/`, `doi:`, …
fn strip_doi_resolver(lower: &str) -> &str {
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(lower);
    let rest = rest
        .strip_prefix("www.")
        .or_else(|| rest.strip_prefix("dx."))
        .unwrap_or(rest);
    rest.strip_prefix("doi.org/")
        .or_else(|| rest.strip_prefix("doi:"))
        .unwrap_or(rest)
        .trim()
}

fn clean_citation(checker: &Checker, input: &CitationInput) -> CoreResult<Citation> {
    let value = single_line("citations", "A citation", &input.value, 2_000)?;
    let title = single_line("citations", "A citation title", &input.title, 300)?;
    if title.is_empty() {
        return Err(CoreError::invalid(
            "citations",
            format!("The citation \"{value}\" needs a title"),
        ));
    }
    let lower = value.to_ascii_lowercase();
    let kind = match input
        .kind
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("doi") => CitationKind::Doi,
        Some("pmid") => CitationKind::Pmid,
        Some("url") => CitationKind::Url,
        Some(other) => {
            return Err(CoreError::invalid(
                "citations",
                format!("Unknown citation kind \"{other}\": use doi, pmid or url"),
            ))
        }
        None if lower.starts_with("http://") || lower.starts_with("https://") => {
            if strip_doi_resolver(&lower).starts_with("10.") {
                CitationKind::Doi
            } else {
                CitationKind::Url
            }
        }
        None if lower.starts_with("pmid") || value.chars().all(|c| c.is_ascii_digit()) => {
            CitationKind::Pmid
        }
        None => CitationKind::Doi,
    };
    let (value, tier) = match kind {
        CitationKind::Doi => {
            let doi = strip_doi_resolver(&lower);
            // Registrant codes start at 1000 (10.1000/…); the suffix is any printable text.
            let valid = doi.split_once('/').is_some_and(|(prefix, suffix)| {
                prefix
                    .strip_prefix("10.")
                    .and_then(|code| code.split('.').next())
                    .and_then(|code| code.parse::<u32>().ok())
                    .is_some_and(|code| code >= 1000)
                    && !suffix.is_empty()
                    && !suffix.contains(char::is_whitespace)
            });
            if !valid {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a DOI (they look like 10.1056/NEJMoa2034577)"),
                ));
            }
            // Graded as the engine grades DOIs: journal articles are peer-reviewed, preprint
            // servers' prefixes are not.
            let tier = credence_check::citations::doi_tier(doi);
            (doi.to_string(), Some(i64::from(tier)))
        }
        CitationKind::Pmid => {
            let digits = lower
                .trim_start_matches("pmid")
                .trim_start_matches(':')
                .trim();
            if digits.is_empty() || digits.len() > 9 || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a PubMed ID (1 to 9 digits)"),
                ));
            }
            (digits.to_string(), Some(1))
        }
        CitationKind::Url => {
            let url = url::Url::parse(&value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            let Some(url) = url else {
                return Err(CoreError::invalid(
                    "citations",
                    format!("\"{value}\" is not a web address (http:// or https://)"),
                ));
            };
            let tier = checker
                .sources()
                .grade_url(url.as_str())
                .map(|g| i64::from(g.tier));
            (url.to_string(), tier)
        }
    };
    Ok(Citation {
        kind,
        value,
        title,
        tier,
    })
}

async fn profile_ids_for_handles(
    db: &Db,
    field: &'static str,
    handles: &[String],
) -> CoreResult<Vec<Profile>> {
    let mut out = Vec::new();
    for handle in handles {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() {
            continue;
        }
        match profiles::get_by_handle(db, handle).await {
            Ok(p) => {
                if !out.iter().any(|o: &Profile| o.id == p.id) {
                    out.push(p)
                }
            }
            Err(CoreError::NotFound(_)) => {
                return Err(CoreError::invalid(
                    field,
                    format!("There is no one called @{handle} here"),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn clean_consent(consent: &ConsentInput) -> CoreResult<ConsentInput> {
    let patient_name = single_line("consent", "The patient's name", &consent.patient_name, 200)?;
    let scope = multi_line("consent", "The consent's scope", &consent.scope, 2_000)?;
    if patient_name.is_empty() || scope.is_empty() {
        return Err(CoreError::invalid(
            "consent",
            "A consent record needs the patient's name and what they agreed to",
        ));
    }
    let date = chrono::NaiveDate::parse_from_str(consent.consented_on.trim(), "%Y-%m-%d").map_err(
        |_| {
            CoreError::invalid(
                "consent",
                "The consent date must be a date like 2026-11-30 (the date on the signed form)",
            )
        },
    )?;
    if date > chrono::Utc::now().date_naive() {
        return Err(CoreError::invalid(
            "consent",
            "The consent date is in the future",
        ));
    }
    Ok(ConsentInput {
        patient_name,
        scope,
        consented_on: date.to_string(),
    })
}

/// Validates and resolves everything in a compose request, and runs the engine.
/// `existing_parent`: on an edit, the post's parent as stored (not re-checked: the parent may
/// since have been deleted).
async fn prepare(
    db: &Db,
    checker: &Checker,
    actor: &Actor,
    author: &Profile,
    input: &Compose,
    existing_parent: Option<Option<(i64, i64)>>,
) -> CoreResult<Prepared> {
    if author.kind == ProfileKind::Personal && input.kind != PostKind::Post {
        return Err(CoreError::invalid(
            "kind",
            "Articles, research updates and tips are published from a professional or \
             organisation profile",
        ));
    }
    let is_article = matches!(input.kind, PostKind::Article | PostKind::ResearchUpdate);
    let title = single_line("title", "The title", &input.title, 200)?;
    if is_article && title.is_empty() && input.action != Action::SaveDraft {
        return Err(CoreError::invalid("title", "An article needs a title"));
    }
    let max = if is_article {
        MAX_ARTICLE_CHARS
    } else {
        MAX_POST_CHARS
    };
    let body = multi_line("body", "The text", &input.body, max)?;
    if body.is_empty() && input.media_ids.is_empty() {
        return Err(CoreError::invalid("body", "Write something first"));
    }
    let spoiler_text = single_line(
        "spoiler_text",
        "The content warning",
        &input.spoiler_text,
        200,
    )?;
    let disclosure = multi_line("disclosure", "The disclosure", &input.disclosure, 1_000)?;
    if input.citations.len() > MAX_CITATIONS {
        return Err(CoreError::invalid(
            "citations",
            format!("At most {MAX_CITATIONS} citations"),
        ));
    }
    let citations = input
        .citations
        .iter()
        .filter(|c| !c.value.trim().is_empty() || !c.title.trim().is_empty())
        .map(|c| clean_citation(checker, c))
        .collect::<CoreResult<Vec<_>>>()?;
    let mut topic_slugs = Vec::new();
    for slug in input
        .topics
        .iter()
        .map(|t| topics::slugify(t))
        .chain(content::hashtags(&body))
    {
        if !slug.is_empty() && !topic_slugs.contains(&slug) {
            topic_slugs.push(slug);
        }
    }
    topic_slugs.truncate(10);
    let mentioned: Vec<String> = content::mentions(&body);
    let mut mention_ids = Vec::new();
    for handle in &mentioned {
        if let Ok(p) = profiles::get_by_handle(db, handle).await {
            if p.id != actor.profile_id && !mention_ids.contains(&p.id) {
                mention_ids.push(p.id);
            }
        }
    }
    if input.visibility == Visibility::Direct && mention_ids.is_empty() {
        return Err(CoreError::invalid(
            "visibility",
            "A post for mentioned people only must mention someone (@handle)",
        ));
    }
    let coauthors = profile_ids_for_handles(db, "coauthors", &input.coauthors).await?;
    if coauthors
        .iter()
        .any(|p| p.id == author.id || !p.kind.is_verifiable())
    {
        return Err(CoreError::invalid(
            "coauthors",
            "Co-authors are other professional or organisation profiles",
        ));
    }
    let reviewers = profile_ids_for_handles(db, "reviewers", &input.reviewers).await?;
    if reviewers
        .iter()
        .any(|p| p.id == author.id || p.user_id == actor.user_id || !p.is_verified())
    {
        return Err(CoreError::invalid(
            "reviewers",
            "A medical reviewer must be another verified professional",
        ));
    }
    let consent = input.consent.as_ref().map(clean_consent).transpose()?;
    let parent = match (existing_parent, input.in_reply_to_id) {
        (Some(parent), _) => parent,
        (None, None) => None,
        (None, Some(id)) => {
            let parent = view_published(db, Some(actor), id)
                .await
                .map_err(|_| CoreError::invalid("in_reply_to_id", "That post does not exist"))?;
            Some((parent.id, parent.author.id))
        }
    };
    let body_html = if is_article {
        content::render_markdown(&body)
    } else {
        content::render_plain(&body)
    };
    // Everything readers will see is checked: the content warning and the media's alt text and
    // long descriptions too.
    let mut extra = spoiler_text.clone();
    for id in &input.media_ids {
        if let Ok(m) = media::get_own(db, actor, *id).await {
            for text in [&m.description, &m.long_description] {
                if !text.is_empty() {
                    extra.push_str("\n\n");
                    extra.push_str(text);
                }
            }
        }
    }
    let text = text_for_check_with(&title, &body, &disclosure, &citations, extra.trim());
    let assessment = assess(
        checker,
        author,
        draft_kind(input.kind, parent.is_some()),
        &text,
        &citations,
    );
    Ok(Prepared {
        title,
        body,
        body_html,
        spoiler_text,
        disclosure,
        citations,
        topic_slugs,
        mention_ids,
        coauthor_ids: coauthors.iter().map(|p| p.id).collect(),
        reviewer_ids: reviewers.iter().map(|p| p.id).collect(),
        consent,
        consent_on_file: Vec::new(),
        parent,
        assessment,
    })
}

/// Explore order: the publication time plus a credibility bonus, so a verified, sourced,
/// reviewed post stays near the top for longer than an unsourced one published at the same
/// time. Hours are the unit the bonus is tuned in.
pub fn rank_bonus(author_verified: bool, label: &str, reviewed: bool) -> i64 {
    const HOUR: i64 = 3_600_000;
    let mut bonus = 0;
    if author_verified {
        bonus += 12 * HOUR;
    }
    bonus += match label {
        "evidence_based" => 12 * HOUR,
        "no_issues" => 0,
        "needs_sources" => -6 * HOUR,
        "caution" => -24 * HOUR,
        _ => 0,
    };
    if reviewed {
        bonus += 12 * HOUR;
    }
    bonus
}

fn state_for(action: Action) -> CoreResult<(PostState, Option<i64>)> {
    match action {
        Action::SaveDraft => Ok((PostState::Draft, None)),
        Action::Publish => Ok((PostState::Published, None)),
        Action::Schedule(at) => {
            let now = now_ms();
            if at < now + 60_000 {
                return Err(CoreError::invalid(
                    "scheduled_at",
                    "A scheduled time must be at least a minute from now",
                ));
            }
            if at > now + 366 * 86_400_000 {
                return Err(CoreError::invalid(
                    "scheduled_at",
                    "A post can be scheduled at most a year ahead",
                ));
            }
            Ok((PostState::Scheduled, Some(at)))
        }
    }
}

/// Composes a post: saves a draft, publishes it now, or schedules it. Returns the stored post.
pub async fn create(db: &Db, checker: &Checker, actor: &Actor, input: Compose) -> CoreResult<Post> {
    let author = profiles::get(db, actor.profile_id).await?;
    let prepared = prepare(db, checker, actor, &author, &input, None).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids =
        media::claimable(db, actor, &input.media_ids, None, state != PostState::Draft).await?;
    let now = now_ms();
    let id = new_id();
    let bonus = rank_bonus(
        author.is_verified(),
        label_code(prepared.assessment.label),
        false,
    );
    let published_at = (state == PostState::Published).then_some(now);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO posts (id, author_id, kind, state, visibility, title, body, body_html, \
         spoiler_text, sensitive, disclosure, in_reply_to_id, label, label_reasons, score, \
         reading_grade, rank, created_at, published_at, scheduled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(id)
    .bind(author.id)
    .bind(input.kind.as_str())
    .bind(state.as_str())
    .bind(input.visibility.as_str())
    .bind(&prepared.title)
    .bind(&prepared.body)
    .bind(&prepared.body_html)
    .bind(&prepared.spoiler_text)
    .bind(i64::from(input.sensitive))
    .bind(&prepared.disclosure)
    .bind(prepared.parent.map(|p| p.0))
    .bind(label_code(prepared.assessment.label))
    .bind(serde_json::to_string(&prepared.assessment.reasons).unwrap_or_default())
    .bind(i64::from(prepared.assessment.score))
    .bind(prepared.assessment.reading_grade)
    // While scheduled, `rank` holds the bonus alone; publishing adds the time.
    .bind(published_at.map_or(bonus, |t| t + bonus))
    .bind(now)
    .bind(published_at)
    .bind(scheduled_at)
    .execute(&mut *tx)
    .await?;
    write_parts(&mut tx, id, actor, &prepared, &media_ids, state).await?;
    if state == PostState::Published {
        on_published(
            &mut tx,
            id,
            author.id,
            &prepared.mention_ids,
            prepared.parent,
        )
        .await?;
    }
    tx.commit().await?;
    view(db, Some(actor), id).await
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

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Citations, topics, mentions, co-authors, review requests, consent and media of a post
/// (replacing what an earlier version had).
async fn write_parts(
    tx: &mut Tx,
    id: i64,
    actor: &Actor,
    prepared: &Prepared,
    media_ids: &[i64],
    state: PostState,
) -> CoreResult<()> {
    // Requests to others (review, co-authorship) and consent records wait until the post goes
    // out: a draft is private and may never be published.
    let going_out = state != PostState::Draft;
    let keep = if prepared.coauthor_ids.is_empty() {
        "0".to_string()
    } else {
        placeholders(2, prepared.coauthor_ids.len())
    };
    let sql = format!("DELETE FROM coauthors WHERE post_id = $1 AND profile_id NOT IN ({keep})");
    let mut query = sqlx::query(&sql).bind(id);
    for coauthor in &prepared.coauthor_ids {
        query = query.bind(*coauthor);
    }
    query.execute(&mut **tx).await?;
    for table in ["citations", "post_topics", "mentions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for (position, c) in prepared.citations.iter().enumerate() {
        sqlx::query(
            "INSERT INTO citations (post_id, position, kind, value, title, tier) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(c.kind.as_str())
        .bind(&c.value)
        .bind(&c.title)
        .bind(c.tier)
        .execute(&mut **tx)
        .await?;
    }
    for slug in &prepared.topic_slugs {
        let topic_id = topics::ensure(tx, slug).await?;
        sqlx::query("INSERT INTO post_topics (post_id, topic_id) VALUES ($1, $2)")
            .bind(id)
            .bind(topic_id)
            .execute(&mut **tx)
            .await?;
    }
    for profile_id in &prepared.mention_ids {
        sqlx::query("INSERT INTO mentions (post_id, profile_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*profile_id)
            .execute(&mut **tx)
            .await?;
    }
    if !going_out {
        media::attach(tx, id, media_ids).await?;
        return Ok(());
    }
    for profile_id in &prepared.coauthor_ids {
        let asked = sqlx::query(
            "INSERT INTO coauthors (post_id, profile_id) VALUES ($1, $2) \
             ON CONFLICT (post_id, profile_id) DO NOTHING",
        )
        .bind(id)
        .bind(*profile_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if asked == 1 {
            social::notify(
                &mut **tx,
                *profile_id,
                "coauthor_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    for reviewer in &prepared.reviewer_ids {
        let inserted = sqlx::query(
            "INSERT INTO review_requests (id, post_id, reviewer_id, state, created_at) \
             VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (post_id, reviewer_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(id)
        .bind(*reviewer)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            social::notify(
                &mut **tx,
                *reviewer,
                "review_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    if let Some(consent) = &prepared.consent {
        let covered: Vec<String> = prepared
            .assessment
            .report
            .phi
            .iter()
            .map(|p| p.text.to_lowercase())
            .collect();
        sqlx::query(
            "INSERT INTO consents (id, post_id, author_id, patient_name, scope, consented_on, \
             covered, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(id)
        .bind(actor.profile_id)
        .bind(&consent.patient_name)
        .bind(&consent.scope)
        .bind(&consent.consented_on)
        .bind(serde_json::to_string(&covered).unwrap_or_default())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    media::attach(tx, id, media_ids).await?;
    Ok(())
}

/// What happens when a post goes public: mentions and the replied-to author are notified, and
/// the parent's reply count goes up.
async fn on_published(
    tx: &mut Tx,
    id: i64,
    author_id: i64,
    mention_ids: &[i64],
    parent: Option<(i64, i64)>,
) -> CoreResult<()> {
    for m in mention_ids {
        social::notify(&mut **tx, *m, "mention", Some(author_id), Some(id)).await?;
    }
    if let Some((parent_id, parent_author)) = parent {
        sqlx::query("UPDATE posts SET replies_count = replies_count + 1 WHERE id = $1")
            .bind(parent_id)
            .execute(&mut **tx)
            .await?;
        if !mention_ids.contains(&parent_author) {
            social::notify(&mut **tx, parent_author, "reply", Some(author_id), Some(id)).await?;
        }
    }
    Ok(())
}

async fn own_post_row(db: &Db, actor: &Actor, id: i64) -> CoreResult<Row> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    let row = Row::from_row(&row)?;
    if row.author_id != actor.profile_id {
        // Hidden posts stay hidden: a stranger learns nothing about a draft's existence.
        if row.state != PostState::Published {
            return Err(CoreError::NotFound("post"));
        }
        return Err(CoreError::forbidden("Only the author can change this post"));
    }
    if row.state == PostState::Deleted {
        return Err(CoreError::NotFound("post"));
    }
    if row.reblog_of_id.is_some() {
        return Err(CoreError::invalid("id", "A boost cannot be edited"));
    }
    Ok(row)
}

/// Edits a post (author only). A published post keeps its previous version and shows
/// "edited"; a draft can be published or scheduled by editing it with that action.
pub async fn update(
    db: &Db,
    checker: &Checker,
    actor: &Actor,
    id: i64,
    mut input: Compose,
) -> CoreResult<Post> {
    let row = own_post_row(db, actor, id).await?;
    let author = profiles::get(db, actor.profile_id).await?;
    input.in_reply_to_id = row.in_reply_to_id;
    if row.state == PostState::Published {
        // A published post cannot go back to being a draft or be rescheduled.
        input.action = Action::Publish;
    }
    if row.state == PostState::Published && input.visibility != row.visibility {
        // Boosts and replies were made for the first audience; narrowing it afterwards would
        // leave them showing the post to people it is no longer for.
        return Err(CoreError::invalid(
            "visibility",
            "Who can see a published post cannot change: delete it and post it again",
        ));
    }
    let parent = match row.in_reply_to_id {
        Some(pid) => sqlx::query("SELECT author_id FROM posts WHERE id = $1")
            .bind(pid)
            .fetch_optional(&db.pool)
            .await?
            .map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
            .transpose()?,
        None => None,
    };
    let mut prepared = prepare(db, checker, actor, &author, &input, Some(parent)).await?;
    prepared.consent_on_file = consented_identifiers(db, id).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids = media::claimable(
        db,
        actor,
        &input.media_ids,
        Some(id),
        state != PostState::Draft,
    )
    .await?;
    let now = now_ms();
    let newly_published = state == PostState::Published && row.state != PostState::Published;
    let published_at = if newly_published {
        Some(now)
    } else {
        row.published_at
    };
    // A medical review vouches for the words reviewed: changed words need a new review.
    let text_changed = prepared.title != row.title || prepared.body != row.body;
    let keeps_review = row.reviewer_id.is_some() && !text_changed;
    let bonus = rank_bonus(
        author.is_verified(),
        label_code(prepared.assessment.label),
        keeps_review,
    );
    // Earlier versions are shown to readers, so one that names a patient is not kept.
    let old_text = format!("{}\n\n{}\n\n{}", row.title, row.body, row.spoiler_text);
    let old_has_phi = !assess(checker, &author, DraftKind::Post, &old_text, &[])
        .report
        .phi
        .is_empty();
    let mut tx = db.begin_write().await?;
    if row.reviewer_id.is_some() && text_changed {
        sqlx::query("UPDATE posts SET reviewer_id = NULL, reviewed_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let reviewers = sqlx::query(
            "UPDATE review_requests SET state = 'pending', decided_at = NULL \
             WHERE post_id = $1 AND state = 'approved' RETURNING reviewer_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for r in reviewers {
            social::notify(
                &mut *tx,
                col(&r, "reviewer_id")?,
                "review_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    if row.state == PostState::Published && text_changed && !old_has_phi {
        sqlx::query(
            "INSERT INTO post_versions (id, post_id, title, body, spoiler_text, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(id)
        .bind(&row.title)
        .bind(&row.body)
        .bind(&row.spoiler_text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE posts SET kind = $2, state = $3, visibility = $4, title = $5, body = $6, \
         body_html = $7, spoiler_text = $8, sensitive = $9, disclosure = $10, label = $11, \
         label_reasons = $12, score = $13, reading_grade = $14, rank = $15, published_at = $16, \
         scheduled_at = $17, edited_at = $18 WHERE id = $1",
    )
    .bind(id)
    .bind(input.kind.as_str())
    .bind(state.as_str())
    .bind(input.visibility.as_str())
    .bind(&prepared.title)
    .bind(&prepared.body)
    .bind(&prepared.body_html)
    .bind(&prepared.spoiler_text)
    .bind(i64::from(input.sensitive))
    .bind(&prepared.disclosure)
    .bind(label_code(prepared.assessment.label))
    .bind(serde_json::to_string(&prepared.assessment.reasons).unwrap_or_default())
    .bind(i64::from(prepared.assessment.score))
    .bind(prepared.assessment.reading_grade)
    .bind(published_at.map_or(bonus, |t| t + bonus))
    .bind(published_at)
    .bind(scheduled_at)
    .bind((row.state == PostState::Published).then_some(now))
    .execute(&mut *tx)
    .await?;
    write_parts(&mut tx, id, actor, &prepared, &media_ids, state).await?;
    let id = if newly_published {
        let id = rekey(&mut tx, id).await?;
        on_published(
            &mut tx,
            id,
            author.id,
            &prepared.mention_ids,
            prepared.parent,
        )
        .await?;
        id
    } else {
        id
    };
    tx.commit().await?;
    view(db, Some(actor), id).await
}

/// Gives a post that is being published now a fresh id. Ids order timelines and clients poll
/// for what is newer than the last id they saw, so a draft or scheduled post keeping the id of
/// its creation time would never reach them. Child rows follow (ON UPDATE CASCADE).
async fn rekey(tx: &mut Tx, id: i64) -> CoreResult<i64> {
    let fresh = new_id();
    sqlx::query("UPDATE posts SET id = $2 WHERE id = $1")
        .bind(id)
        .bind(fresh)
        .execute(&mut **tx)
        .await?;
    Ok(fresh)
}

/// The identifiers that consent recorded for this post covers (lower-case).
async fn consented_identifiers(db: &Db, id: i64) -> CoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT covered FROM consents WHERE post_id = $1")
        .bind(id)
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let covered: String = col(&r, "covered")?;
        out.extend(serde_json::from_str::<Vec<String>>(&covered).unwrap_or_default());
    }
    Ok(out)
}

/// Deletes a post (its author, or a moderator): the content goes, a tombstone stays so
/// replies keep their place; boosts of it go too.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> CoreResult<()> {
    let row = sqlx::query("SELECT author_id, state, in_reply_to_id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    let author_id: i64 = col(&row, "author_id")?;
    let state: PostState = parse_col(&row, "state")?;
    let parent: Option<i64> = col(&row, "in_reply_to_id")?;
    let moderator = matches!(actor.role, Role::Moderator | Role::Admin);
    if author_id != actor.profile_id && !(moderator && state == PostState::Published) {
        if state != PostState::Published {
            return Err(CoreError::NotFound("post"));
        }
        return Err(CoreError::forbidden("Only the author can delete this post"));
    }
    if state == PostState::Deleted {
        return Err(CoreError::NotFound("post"));
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE posts SET state = 'deleted', title = '', body = '', body_html = '', \
         spoiler_text = '', disclosure = '', label_reasons = '[]', deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM post_versions WHERE post_id = $1",
        "DELETE FROM citations WHERE post_id = $1",
        "DELETE FROM post_topics WHERE post_id = $1",
        "DELETE FROM mentions WHERE post_id = $1",
        "DELETE FROM media WHERE post_id = $1",
        "DELETE FROM notifications WHERE post_id = $1",
        "DELETE FROM posts WHERE reblog_of_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    if let (Some(parent), PostState::Published) = (parent, state) {
        sqlx::query(
            "UPDATE posts SET replies_count = replies_count - 1 WHERE id = $1 AND replies_count > 0",
        )
        .bind(parent)
        .execute(&mut *tx)
        .await?;
    }
    if author_id != actor.profile_id {
        crate::audit::record(
            &mut *tx,
            Some(actor.user_id),
            "post.delete",
            ("post", Some(id)),
            "removed by a moderator",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The viewer's own drafts and scheduled posts, newest first.
pub async fn unpublished(db: &Db, actor: &Actor) -> CoreResult<Vec<Post>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.author_id = $1 \
         AND p.state IN ('draft', 'scheduled') ORDER BY p.id DESC LIMIT 100"
    );
    let rows = sqlx::query(&sql)
        .bind(actor.profile_id)
        .fetch_all(&db.pool)
        .await?;
    load(db, Some(actor), rows).await
}

/// Publishes scheduled posts whose time has come. Each row is claimed with a conditional
/// UPDATE, so a post is published once even with several instances running this loop.
/// Returns how many this call published.
pub async fn publish_due(db: &Db, now: i64) -> CoreResult<usize> {
    let rows = sqlx::query(
        "SELECT id, author_id, in_reply_to_id FROM posts WHERE state = 'scheduled' \
         AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut published = 0;
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let author_id: i64 = col(&r, "author_id")?;
        let parent_id: Option<i64> = col(&r, "in_reply_to_id")?;
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE posts SET state = 'published', published_at = $2, rank = rank + $2 \
             WHERE id = $1 AND state = 'scheduled'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let id = rekey(&mut tx, id).await?;
        let mention_ids: Vec<i64> =
            sqlx::query("SELECT profile_id FROM mentions WHERE post_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| col(r, "profile_id"))
                .collect::<sqlx::Result<_>>()?;
        let parent = match parent_id {
            Some(pid) => {
                let r = sqlx::query("SELECT author_id FROM posts WHERE id = $1")
                    .bind(pid)
                    .fetch_optional(&mut *tx)
                    .await?;
                r.map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
                    .transpose()?
            }
            None => None,
        };
        on_published(&mut tx, id, author_id, &mention_ids, parent).await?;
        // The author hears that it went out (`actor` is none: it was the scheduler).
        sqlx::query(
            "INSERT INTO notifications (id, recipient_id, kind, actor_id, post_id, created_at) \
             VALUES ($1, $2, 'scheduled_published', $2, $3, $4)",
        )
        .bind(new_id())
        .bind(author_id)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        published += 1;
    }
    Ok(published)
}

/// The consent records of a post: its author only.
pub async fn consents(db: &Db, actor: &Actor, id: i64) -> CoreResult<Vec<ConsentInput>> {
    own_post_row(db, actor, id).await?;
    let rows = sqlx::query(
        "SELECT patient_name, scope, consented_on FROM consents WHERE post_id = $1 \
         AND author_id = $2 ORDER BY id",
    )
    .bind(id)
    .bind(actor.profile_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(ConsentInput {
                patient_name: col(r, "patient_name")?,
                scope: col(r, "scope")?,
                consented_on: col(r, "consented_on")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}

/// A pending review request, for the reviewer's list.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRequest {
    pub id: i64,
    pub post_id: i64,
    pub state: String,
    pub created_at: i64,
}

pub async fn review_requests(db: &Db, actor: &Actor) -> CoreResult<Vec<ReviewRequest>> {
    let rows = sqlx::query(
        "SELECT r.id, r.post_id, r.state, r.created_at FROM review_requests r \
         JOIN posts p ON p.id = r.post_id \
         WHERE r.reviewer_id = $1 AND r.state = 'pending' AND p.state = 'published' \
         ORDER BY r.id DESC LIMIT 100",
    )
    .bind(actor.profile_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(ReviewRequest {
                id: col(r, "id")?,
                post_id: col(r, "post_id")?,
                state: col(r, "state")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}

/// The reviewer's answer to a review request. Approving marks the post "Medically reviewed by"
/// the reviewer, who must still be a verified professional.
pub async fn decide_review(
    db: &Db,
    actor: &Actor,
    post_id: i64,
    approve: bool,
) -> CoreResult<Post> {
    let reviewer = profiles::get(db, actor.profile_id).await?;
    let row = sqlx::query(
        "SELECT r.id, p.author_id, p.label FROM review_requests r JOIN posts p ON p.id = r.post_id \
         WHERE r.post_id = $1 AND r.reviewer_id = $2 AND r.state = 'pending' \
         AND p.state = 'published'",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(CoreError::NotFound("review request"))?;
    if approve && !reviewer.is_verified() {
        return Err(CoreError::forbidden(
            "Only a verified professional can mark a post as medically reviewed",
        ));
    }
    let request_id: i64 = col(&row, "id")?;
    let author_id: i64 = col(&row, "author_id")?;
    let label: String = col(&row, "label")?;
    let author = profiles::get(db, author_id).await?;
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE review_requests SET state = $2, decided_at = $3 WHERE id = $1")
        .bind(request_id)
        .bind(if approve { "approved" } else { "declined" })
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if approve {
        sqlx::query(
            "UPDATE posts SET reviewer_id = $2, reviewed_at = $3, \
             rank = published_at + $4 WHERE id = $1",
        )
        .bind(post_id)
        .bind(actor.profile_id)
        .bind(now)
        .bind(rank_bonus(author.is_verified(), &label, true))
        .execute(&mut *tx)
        .await?;
        social::notify(
            &mut *tx,
            author_id,
            "reviewed",
            Some(actor.profile_id),
            Some(post_id),
        )
        .await?;
    }
    tx.commit().await?;
    view(db, Some(actor), post_id).await
}

/// Whether the actor was named a co-author of this post and has not answered yet.
pub async fn coauthorship_pending(db: &Db, actor: &Actor, post_id: i64) -> CoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM coauthors WHERE post_id = $1 AND profile_id = $2 \
         AND accepted_at IS NULL",
    )
    .bind(post_id)
    .bind(actor.profile_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// A named co-author accepts (and is shown on the post) or declines (and is removed).
pub async fn answer_coauthorship(
    db: &Db,
    actor: &Actor,
    post_id: i64,
    accept: bool,
) -> CoreResult<Post> {
    let post = view_published(db, Some(actor), post_id).await?;
    if !coauthorship_pending(db, actor, post_id).await? {
        return Err(CoreError::NotFound("co-authorship request"));
    }
    let mut tx = db.begin_write().await?;
    if accept {
        sqlx::query("UPDATE coauthors SET accepted_at = $3 WHERE post_id = $1 AND profile_id = $2")
            .bind(post_id)
            .bind(actor.profile_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        social::notify(
            &mut *tx,
            post.author.id,
            "coauthor_accepted",
            Some(actor.profile_id),
            Some(post_id),
        )
        .await?;
    } else {
        sqlx::query("DELETE FROM coauthors WHERE post_id = $1 AND profile_id = $2")
            .bind(post_id)
            .bind(actor.profile_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    view(db, Some(actor), post_id).await
}

/// How many public posts a profile has published (boosts not counted).
pub async fn count_by_author(db: &Db, author_id: i64) -> CoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM posts WHERE author_id = $1 AND state = 'published' \
         AND visibility = 'public' AND reblog_of_id IS NULL",
    )
    .bind(author_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(col(&row, "n")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_bonus_orders_credible_content_first() {
        let sourced_verified = rank_bonus(true, "evidence_based", true);
        let plain = rank_bonus(false, "no_issues", false);
        let myth = rank_bonus(false, "caution", false);
        assert!(sourced_verified > plain && plain > myth);
    }

    #[test]
    fn doi_resolver_forms_are_stripped() {
        for form in [
            "https://doi.org/10.1056/x",
            "http://dx.doi.org/10.1056/x",
            "https://www.doi.org/10.1056/x",
            "doi:10.1056/x",
            "10.1056/x",
        ] {
            assert_eq!(strip_doi_resolver(form), "10.1056/x", "{form}");
        }
    }

    #[test]
    fn references_are_part_of_the_checked_text() {
        let c = Citation {
            kind: CitationKind::Pmid,
            value: "123".into(),
            title: "A trial".into(),
            tier: Some(1),
        };
        let text = text_for_check("T", "Body", "I consult for Acme", &[c]);
        assert!(text.contains("https://pubmed.ncbi.nlm.nih.gov/123/"));
        assert!(text.contains("Disclosure: I consult for Acme"));
    }
}
