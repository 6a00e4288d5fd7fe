//! Credence domain: every rule and every query lives here, behind service functions that the
//! HTML pages, the JSON API and the CLI all call, so a rule is written once.
//!
//! Modules by capability:
//! - [`db`]: the connection pool (SQLite or PostgreSQL through sqlx's `Any` driver), migrations,
//!   ids and clocks.
//! - [`accounts`]: logins, passwords, roles, sessions, login throttling, access tokens.
//! - [`profiles`]: personal, professional and organisation profiles, disclosures, verification.
//! - [`oauth`]: OAuth 2 applications and authorization codes (PKCE) for API clients.
//! - [`audit`]: the append-only log of who decided what.
//! - [`demo`]: realistic seed content.
//! - [`seed`]: a large generated instance (`demo --posts N --authors M`) for load tests.
//! - [`text`]: rules for typed text (lengths, control and invisible format characters).
//! - [`posts`]: composing, publishing (with the credibility rules), editing and deleting.
//! - [`content`]: Markdown and plain-text rendering to sanitised HTML.
//! - [`media`]: uploads (cleaned by `credence-media`) and their alt text.
//! - [`topics`]: curated topics and hashtags.
//! - [`social`]: follows, favourites, boosts, bookmarks, notifications.
//! - [`feeds`]: timelines with keyset pagination, explore ranking, threads.
//! - [`home_feeds`]: materialised home timelines (built on first read, filled on publish).
//! - [`search`]: full-text search with medical synonyms.

pub mod accounts;
pub mod audit;
pub mod content;
pub mod db;
pub mod demo;
pub mod error;
pub mod feeds;
pub mod home_feeds;
pub mod media;
pub mod oauth;
pub mod posts;
pub mod profiles;
pub mod ref_cache;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod social;
pub mod text;
pub mod token_cache;
pub mod topics;

pub use db::Db;
pub use error::{CoreError, CoreResult};
