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
//! - who may read a post is the kernel's one SQL condition (`kernel::visibility`).

mod check;
mod compose;
mod consent;
mod create;
mod delete;
mod edit;
mod idempotency;
mod load;
mod model;
mod pins;
mod refs;
mod review;
mod rules;
mod schedule;
mod view;

pub use check::{check_draft, check_draft_by, DraftCheck};
pub use consent::{consents, seal_legacy_consents};
pub use create::{create, reply, Replied, Reply};
pub(crate) use delete::remove_boost;
pub use delete::{cancel_scheduled, delete, delete_published};
pub use edit::{revise, update, Revision};
pub use idempotency::{create_once, KEY_LIFETIME_MS};
pub(crate) use load::load;
pub use model::label_code;
pub(crate) use model::POST_COLUMNS;
pub use model::{
    Action, Citation, CitationInput, CitationKind, Compose, ConsentInput, MediaDescription, Post,
    PostKind, PostState, Version, Visibility, MAX_ARTICLE_CHARS, MAX_CITATIONS, MAX_POST_CHARS,
};
pub use pins::{pin, MAX_PINNED};
pub use refs::{boosted, load_ids, load_refs, readable, readable_refs, PostRef, RenderVersion};
pub(crate) use refs::{
    cached as cached_refs, entries_of, entry_columns, load_by_ids, newest_change_sql, parse_rows,
    ref_columns, refs_from_json, refs_from_rows, Audience, CachedPage, Entry, ENTRY_NAMES,
    PUBLISHED_BY_ID, REF_BASE_COLUMNS, REF_NAMES,
};
pub use review::{
    answer_coauthorship, coauthorship_pending, decide_review, named_coauthors, review_pending,
    review_requests, ReviewRequest,
};
pub use rules::{
    assess, assess_prose, draft_kind, rank_bonus, text_for_check, text_for_check_with, Assessment,
};
pub use schedule::publish_due;
pub use view::{
    count_by_author, count_published, editable, own_scheduled, scheduled, source, unpublished,
    versions, versions_of, view, view_published,
};
