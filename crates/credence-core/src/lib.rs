//! Credence domain: every rule and every query lives here, behind service functions that the
//! HTML pages, the JSON API and the CLI all call with the acting `Actor`, so a rule is written
//! once.
//!
//! The [`kernel`] is the bottom layer and imports nothing else from this crate. Above it, one
//! folder per capability; a capability uses the kernel and the capabilities below it, never one
//! above (the table of allowed directions is in `docs/architecture.md`, and the architecture
//! test in `crates/credence/tests/it/architecture.rs` enforces it):
//!
//! - [`audit`]: the append-only log of who decided what;
//! - [`content`]: Markdown and plain-text rendering to sanitised HTML;
//! - [`profiles`]: personal, professional and organisation profiles, credentials, disclosures;
//! - [`verification`]: the verification workflow;
//! - [`accounts`]: logins, passwords, sessions, sign-in throttling, Bearer tokens;
//! - [`admin`]: administrators' changes to others' logins;
//! - [`oauth`]: OAuth 2 applications, authorization codes (PKCE) and token grants;
//! - [`media`]: uploads (cleaned by `credence-media`) and their alt text;
//! - [`home_feeds`]: materialised home timelines, filled as posts are published;
//! - [`topics`]: curated topics and hashtags, and following them;
//! - [`push`]: Web Push subscriptions of apps, and the queue that sends them notifications;
//! - [`notifications`]: in-app notifications, recorded where things happen;
//! - [`posts`]: composing, publishing (with the credibility rules), editing, deleting, review;
//! - [`engagement`]: follows, favourites, boosts, bookmarks;
//! - [`timelines`]: every listing, with keyset pagination, and the notifications page;
//! - [`search`]: full-text search with medical synonyms;
//! - [`jobs`]: the background work every instance runs.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod content;
pub mod engagement;
pub mod filters;
pub mod home_feeds;
pub mod instance;
pub mod jobs;
pub mod kernel;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod posts;
pub mod profiles;
pub mod push;
pub mod search;
pub mod timelines;
pub mod topics;
pub mod verification;

pub use kernel::{Actor, Core, CoreError, CoreOptions, CoreResult, Role};

/// Applies the database migrations, and nothing else: no key file is read or made, so a
/// deployment can migrate from a job that holds no keys (`credence migrate`).
pub async fn migrate(database_url: &str) -> anyhow::Result<()> {
    kernel::db::Db::connect(database_url).await?.migrate().await
}

/// Opens Credence's storage as every command needs it: connects, applies the migrations, opens
/// the key file, and brings the data up to date (the curated topics; consent records written
/// before they were encrypted are sealed and their text purged).
pub async fn open(options: &CoreOptions) -> anyhow::Result<Core> {
    let core = Core::open(options).await?;
    topics::seed_curated(&core)
        .await
        .map_err(|e| anyhow::anyhow!("seeding curated topics: {e}"))?;
    posts::seal_legacy_consents(&core)
        .await
        .map_err(|e| anyhow::anyhow!("sealing consent records: {e}"))?;
    Ok(core)
}
