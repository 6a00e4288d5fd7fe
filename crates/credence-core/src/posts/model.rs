//! What a post is: its kinds, states and audiences, its citations, what a compose form sends,
//! and a post as a viewer sees it.

use std::fmt;
use std::str::FromStr;

use credence_check::Label;
use serde::Serialize;

use crate::media::MediaInfo;
use crate::profiles::Profile;
use crate::topics::Topic;

/// Longest short post, in characters.
pub const MAX_POST_CHARS: usize = 1_000;

/// Longest article body, in characters.
pub const MAX_ARTICLE_CHARS: usize = 100_000;

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
/// New alt text for one of a post's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    pub media_id: i64,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Compose {
    pub kind: PostKind,
    pub title: String,
    pub body: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    /// A public post kept out of the public timeline, explore, topic feeds and search.
    pub unlisted: bool,
    pub in_reply_to_id: Option<i64>,
    pub citations: Vec<CitationInput>,
    pub topics: Vec<String>,
    pub media_ids: Vec<i64>,
    /// New alt text for files of the post, given with the edit (Mastodon's
    /// `media_attributes[]`): checked with the post and saved with it.
    pub media_descriptions: Vec<MediaDescription>,
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
            unlisted: false,
            in_reply_to_id: None,
            citations: Vec::new(),
            topics: Vec::new(),
            media_ids: Vec::new(),
            media_descriptions: Vec::new(),
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
    /// When the author pinned it to their profile, if they did.
    pub pinned_at: Option<i64>,
    /// A public post kept out of discovery (see migration 0013).
    pub unlisted: bool,
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

    /// The credibility check in one short line for readers outside Credence's own pages
    /// (Mastodon apps, Atom; federation reuses it): the label and its main reason (for a myth,
    /// the correction with its strongest source), at most a few hundred characters. `None` when
    /// there is nothing to say.
    pub fn credibility_summary(&self) -> Option<String> {
        let head = match self.label.as_str() {
            "caution" => "Caution",
            "needs_sources" => "Needs sources",
            "evidence_based" | "blocked_phi" => self.label_text.as_str(),
            _ => return None,
        };
        let reason = match self.label.as_str() {
            "caution" | "needs_sources" => {
                self.label_reasons.iter().find(|r| !r.starts_with("Cites "))
            }
            _ => None,
        };
        Some(match reason {
            Some(reason) => format!(
                "Credence check: {head}. {}",
                shorten_keeping_source(reason, SUMMARY_REASON_CHARS)
            ),
            None => format!("Credence check: {head}."),
        })
    }

    /// What a feed outside Credence (Atom) may carry: the post a boost shares, or the post
    /// itself, when it is published and public.
    pub fn syndicated(&self) -> Option<&Post> {
        let shown = self.reblog.as_deref().unwrap_or(self);
        (shown.visibility == Visibility::Public && shown.state == PostState::Published)
            .then_some(shown)
    }
}

/// Longest reason in a [`Post::credibility_summary`]: a line apps show without folding.
const SUMMARY_REASON_CHARS: usize = 280;

/// `reason` in at most `max` characters; a trailing ` Source: title (link)` is kept (as its
/// link alone if the title makes it too long) and the text before it shortened instead.
fn shorten_keeping_source(reason: &str, max: usize) -> String {
    if reason.chars().count() <= max {
        return reason.to_string();
    }
    let (text, mut source) = match reason.rfind(" Source: ") {
        Some(at) => (&reason[..at], reason[at..].to_string()),
        None => (reason, String::new()),
    };
    if source.chars().count() > max / 2 {
        let link = source
            .rsplit_once('(')
            .map(|(_, l)| l.trim_end_matches(')'))
            .filter(|l| l.chars().count() < max / 2);
        source = link.map_or_else(String::new, |l| format!(" Source: {l}"));
    }
    let room = max.saturating_sub(source.chars().count() + 1);
    let cut: String = text.chars().take(room).collect();
    format!("{}…{source}", cut.trim_end())
}

/// The reader-facing label: the engine's verdict in plain words.
pub(super) fn label_text(label: Label, reasons_json: &str) -> &'static str {
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

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub title: String,
    pub body: String,
    pub spoiler_text: String,
    /// When this version was replaced by an edit.
    pub replaced_at: i64,
}

pub(super) fn label_from_code(code: &str) -> Label {
    match code {
        "blocked_phi" => Label::BlockedPhi,
        "caution" => Label::Caution,
        "needs_sources" => Label::NeedsSources,
        "evidence_based" => Label::EvidenceBased,
        _ => Label::NoIssues,
    }
}

pub fn label_code(label: Label) -> &'static str {
    match label {
        Label::BlockedPhi => "blocked_phi",
        Label::Caution => "caution",
        Label::NeedsSources => "needs_sources",
        Label::EvidenceBased => "evidence_based",
        Label::NoIssues => "no_issues",
    }
}

/// The columns every post query reads (table alias `p`).
pub(crate) const POST_COLUMNS: &str = "p.id, p.author_id, p.kind, p.state, p.visibility, \
    p.title, p.body, p.body_html, p.spoiler_text, p.sensitive, p.disclosure, p.in_reply_to_id, \
    p.reblog_of_id, p.label, p.label_reasons, p.score, p.reading_grade, p.reviewer_id, \
    p.reviewed_at, p.replies_count, p.favourites_count, p.reblogs_count, p.created_at, \
    p.published_at, p.scheduled_at, p.edited_at, p.pinned_at, p.unlisted";

#[cfg(test)]
mod tests {
    use super::shorten_keeping_source;

    #[test]
    fn a_long_reason_is_shortened_before_its_source() {
        let source = " Source: CDC (https://www.cdc.gov/vaccinesafety/)";
        let reason = format!("{}{source}", "word ".repeat(100));
        let short = shorten_keeping_source(&reason, 120);
        assert!(short.chars().count() <= 120, "{short}");
        assert!(short.ends_with(source), "{short}");
        assert!(short.contains('…'));
        assert_eq!(shorten_keeping_source("Short.", 120), "Short.");
        let long_title = format!(
            "{} Source: {} (https://doi.org/10.1/x)",
            "word ".repeat(100),
            "Title ".repeat(40)
        );
        let short = shorten_keeping_source(&long_title, 120);
        assert!(
            short.ends_with(" Source: https://doi.org/10.1/x"),
            "{short}"
        );
        assert!(short.chars().count() <= 120);
        let no_source = "x".repeat(300);
        assert_eq!(shorten_keeping_source(&no_source, 50).chars().count(), 50);
    }
}
