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
//! - [`text`]: rules for typed text (lengths, control and invisible format characters).

pub mod accounts;
pub mod audit;
pub mod db;
pub mod demo;
pub mod error;
pub mod oauth;
pub mod profiles;
pub mod secrets;
pub mod text;

pub use db::Db;
pub use error::{CoreError, CoreResult};
