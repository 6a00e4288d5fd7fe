//! [`Core`]: the one value every capability function takes. It carries the database and what
//! this process keeps beside it: the token and listing caches, and the credibility engine.
//! Cheap to clone (everything in it is shared).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use credence_check::Checker;

use super::db::Db;
use super::envelope::Keyring;
use super::ref_cache::RefCache;
use super::token_cache::{self, TokenCache};

/// What opening a [`Core`] needs to know.
#[derive(Debug, Clone)]
pub struct CoreOptions {
    /// `sqlite:PATH` or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// How long a Bearer token, once looked up, is trusted (zero: asked every time).
    pub token_ttl: Duration,
    /// Whether people may open accounts themselves (operators always can).
    pub registrations_open: bool,
    /// The key file holding the key-encryption key (see `envelope`).
    pub key_file: PathBuf,
    /// How Web Push messages are sent (see `push`).
    pub push: PushOptions,
}

/// How this server sends Web Push messages to apps' push services.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Who push services may contact about our pushes: the VAPID subject (RFC 8292 §2.1), a
    /// `mailto:` or `https:` address.
    pub contact: String,
    /// Whether a subscription may name a plain-http endpoint or one on a loopback or private
    /// address. Off in production: a push endpoint is a URL anyone with an app token chooses,
    /// and this server would POST to it (a request forged into the operator's own network).
    /// Tests turn it on for the push service they run on loopback.
    pub private_endpoints: bool,
    /// This server's public address, for the pictures pushes point at.
    pub public_url: String,
}

impl Default for PushOptions {
    fn default() -> PushOptions {
        PushOptions {
            contact: "mailto:admin@credence.example".into(),
            private_endpoints: false,
            public_url: "http://localhost".into(),
        }
    }
}

impl CoreOptions {
    pub fn new(database_url: impl Into<String>, key_file: impl Into<PathBuf>) -> CoreOptions {
        CoreOptions {
            database_url: database_url.into(),
            token_ttl: token_cache::DEFAULT_TTL,
            registrations_open: true,
            key_file: key_file.into(),
            push: PushOptions::default(),
        }
    }
}

#[derive(Clone)]
pub struct Core {
    pub db: Db,
    /// Bearer tokens looked up recently (see `token_cache` for what that trades).
    pub tokens: Arc<TokenCache>,
    /// Posts and accounts as listings need them, once [`Core::watch_changes`] runs (see
    /// `ref_cache`).
    pub refs: Arc<RefCache>,
    /// Whether people may open accounts themselves (see [`CoreOptions`]).
    pub registrations_open: bool,
    /// The key-encryption keys that seal private records (see `envelope`).
    pub keys: Arc<Keyring>,
    /// How Web Push messages are sent (see [`CoreOptions`]).
    pub push: PushOptions,
    /// Built on first use: about 45 ms of loading that a CLI command without drafts to check
    /// need not pay.
    checker: Arc<OnceLock<Checker>>,
}

impl Core {
    /// Connects, applies the schema migrations and opens the key file. (`credence_core::open`
    /// also brings the data up to date; use that.)
    pub async fn open(options: &CoreOptions) -> anyhow::Result<Core> {
        let db = Db::connect(&options.database_url).await?;
        db.migrate().await?;
        let keys = Keyring::load(&db, &options.key_file).await?;
        Ok(Core {
            keys: Arc::new(keys),
            db,
            tokens: Arc::new(TokenCache::new(options.token_ttl)),
            refs: Arc::default(),
            registrations_open: options.registrations_open,
            push: options.push.clone(),
            checker: Arc::default(),
        })
    }

    /// The credibility engine (one per process).
    pub fn checker(&self) -> &Checker {
        self.checker.get_or_init(Checker::new)
    }

    /// Turns the listing cache on and keeps it exact (see `ref_cache`); `credence serve` calls
    /// it once at start.
    pub async fn watch_changes(&self) {
        self.refs.watch_changes(&self.db).await;
    }

    /// Returns once this instance has heard every change committed before the call (see
    /// [`RefCache::caught_up`]).
    pub async fn caught_up(&self) {
        self.refs.caught_up(&self.db).await;
    }
}
