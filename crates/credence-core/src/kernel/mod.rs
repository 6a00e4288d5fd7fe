//! The kernel: what every capability stands on. It imports nothing else from this crate (the
//! architecture test checks that), so any capability can use any of it.
//!
//! - [`context`]: [`Core`], the value every capability function takes;
//! - [`db`]: the connection pool over SQLite or PostgreSQL, its dialect helpers, migrations;
//! - [`clock`]: stored times and time-ordered ids; [`paging`]: keyset windows over them;
//! - [`error`]: [`CoreError`], with the unique constraints a person can run into;
//! - [`actor`]: who is acting ([`Actor`], [`Role`], Bearer tokens) and the policy predicates;
//! - [`visibility`]: who may read a post, as the one SQL condition every path uses;
//! - [`envelope`]: envelope encryption of private records, under the key file's key;
//! - [`text`]: rules for typed text; [`secrets`]: random tokens and their stored form;
//! - [`token_cache`], [`ref_cache`]: what this process keeps in memory, and how it stays exact.

pub mod actor;
pub mod clock;
pub mod context;
pub mod db;
pub mod envelope;
pub mod error;
pub mod paging;
pub mod ref_cache;
pub mod secrets;
pub mod text;
pub mod token_cache;
pub mod visibility;

pub use actor::{Actor, Role};
pub use context::{Core, CoreOptions, PushOptions};
pub use error::{CoreError, CoreResult};
