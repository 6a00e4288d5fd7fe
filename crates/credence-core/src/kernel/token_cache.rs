//! Bearer tokens looked up recently, so that an app's burst of requests (a client opening
//! loads the home timeline, notifications, its account and more at once) costs one database
//! round trip for the token instead of one each. On the home timeline the token lookup was
//! one of the two statements of a page.
//!
//! The trade-off is a stated revocation delay, as with OAuth token introspection caches
//! (RFC 7662, section 4): whatever this process changes — a token revoked, a password changed
//! (which revokes every token of the person), a role changed — clears the cache at once; a
//! change made by another process (another instance on the same PostgreSQL database, or a
//! `credence admin` command) reaches this one within the cache's TTL ([`DEFAULT_TTL`] unless
//! configured otherwise: `--token-cache-seconds`).
//!
//! Keys are the tokens' SHA-256 hashes, as stored in the database, never the tokens.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::actor::TokenInfo;

/// How long a looked-up token is trusted without asking the database again.
pub const DEFAULT_TTL: Duration = Duration::from_secs(30);

/// How many tokens are kept (least recently used ones go first).
const CAPACITY: usize = 10_000;

pub struct TokenCache {
    entries: Cache<String, (TokenInfo, Instant)>,
    /// Moves on every clear. A lookup that began before a clear does not store what it read,
    /// which may be the state from before the change.
    generation: AtomicU64,
    ttl: Duration,
}

impl TokenCache {
    /// A cache trusting entries for `ttl`; a zero `ttl` turns caching off.
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            entries: Cache::new(CAPACITY),
            generation: AtomicU64::new(0),
            ttl,
        }
    }

    /// The cached token for `hash` if it was looked up less than the TTL ago.
    pub(crate) fn get(&self, hash: &str) -> Option<TokenInfo> {
        let (info, at) = self.entries.get(hash)?;
        if at.elapsed() < self.ttl {
            Some(info)
        } else {
            self.entries.remove(hash);
            None
        }
    }

    /// Where a lookup starts: pass it to [`TokenCache::store`] with what the lookup read.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what a lookup that started at `generation` read, unless the cache was cleared
    /// since.
    pub(crate) fn store(&self, hash: String, info: TokenInfo, generation: u64, at: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        self.entries.insert(hash.clone(), (info, at));
        // Cleared meanwhile: the entry may be from before the change. (Checked after the
        // insert: a clear between a check and the insert would miss the entry.)
        if self.generation() != generation {
            self.entries.remove(&hash);
        }
    }

    /// Forgets every token, after a change that may revoke some or change what they grant.
    /// Call it after the change is committed.
    pub(crate) fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }
}
