//! What a page needs of each post it lists (counts, versions, author) and each account's render
//! version, kept in memory on PostgreSQL and forgotten the moment the database announces a
//! change, so that a home page costs one small statement (the owner's feed entries) instead of
//! one that looks up twenty posts, their authors, reviewers and co-authors (bench/README.md,
//! finding 12).
//!
//! Exactness rests on the database, not on the code paths that write:
//! - Every statement that updates or deletes posts or profiles announces the ids on the
//!   channel `credence_refs` (migration 0007), whichever process ran it: this instance, another
//!   one, a `credence admin` command, psql. Notices arrive after commit, in commit order.
//! - A read that started before a notice does not keep what it read ([`RefCache::generation`]),
//!   so a value read from before a change cannot outlive the notice of the change.
//! - A write request does not answer until this instance has heard its own changes
//!   ([`RefCache::caught_up`], called by the web layer after every request that may write), so the
//!   next request of the same person sees them, on this instance. Another instance sees them
//!   when the notice reaches it (a round trip on the database's connection: milliseconds).
//! - (PostgreSQL) Until the listener is connected, and whenever it loses its connection (notices sent
//!   meanwhile are lost), the cache is off: everything is forgotten and pages read the
//!   database in full until it is listening again. A heartbeat on the channel catches a
//!   connection that died without a word.
//!
//!
//! SQLite has no notices: there the same triggers write a change log (its migration 0007), and
//! a page statement reads the log's newest row with the page; the process applies the rows it
//! has not applied before it uses the cache ([`RefCache::apply_change_log`]). Every change is then
//! seen by the next page read in any process, its own writes included, with no waiting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use sqlx::postgres::PgListener;
use tokio::sync::oneshot;

use super::db::{col, Backend, Db};
use super::error::CoreResult;

/// The channel of migration 0007.
const CHANNEL: &str = "credence_refs";
/// Posts and accounts kept (least recently used go first). A post takes about 100 bytes.
const POSTS: usize = 200_000;
const PROFILES: usize = 50_000;
/// How often the listener checks that its connection still delivers, and how long it waits
/// for its own heartbeat before treating the connection as lost.
const HEARTBEAT: Duration = Duration::from_secs(10);
const HEARTBEAT_LIMIT: Duration = Duration::from_secs(25);
/// SQLite: change log rows read at once (more than that: forget everything instead), and rows
/// kept when pruning.
const CHANGE_LOG_BATCH: i64 = 1_000;
const CHANGE_LOG_KEPT: i64 = 100_000;
/// How long a write request waits to hear its own changes before giving up on the cache
/// (it then forgets everything, which is always safe).
const CATCH_UP_LIMIT: Duration = Duration::from_secs(5);

/// A post as a listing needs it, but for the reader's own flags and the render versions of the
/// accounts shown in it (kept apart: an account's version moves with every post it writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedPost {
    pub author_id: i64,
    pub reblog_of_id: Option<i64>,
    pub version: i64,
    pub replies_count: i64,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    /// The reviewer and the co-authors who accepted: the accounts besides the author whose
    /// versions make up `RenderVersion::people`.
    pub people: Box<[i64]>,
}

pub struct RefCache {
    posts: Cache<i64, CachedPost>,
    profiles: Cache<i64, i64>,
    /// Moves on every notice and every loss of the connection (see `keep`).
    generation: AtomicU64,
    live: AtomicBool,
    /// This process's mark on its catch-up and heartbeat notices.
    instance: u64,
    next_mark: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    /// SQLite: the last row of the change log applied (mirrored in `applied_fast` so that a
    /// page with nothing new need not take the lock).
    applied: tokio::sync::Mutex<i64>,
    applied_fast: AtomicI64,
}

impl Default for RefCache {
    fn default() -> Self {
        RefCache {
            posts: Cache::new(POSTS),
            profiles: Cache::new(PROFILES),
            generation: AtomicU64::new(0),
            live: AtomicBool::new(false),
            instance: rand::random(),
            next_mark: AtomicU64::new(0),
            waiting: Mutex::new(HashMap::new()),
            applied: tokio::sync::Mutex::new(0),
            applied_fast: AtomicI64::new(0),
        }
    }
}

impl RefCache {
    /// Whether the cache may be used: on PostgreSQL, its listener is connected; on SQLite,
    /// `RefCache::watch_changes` has read where the change log stands.
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Where a read starts: pass it to `keep_*` with what the read found.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn post(&self, id: i64) -> Option<CachedPost> {
        self.posts.get(&id)
    }

    pub(crate) fn profile_version(&self, id: i64) -> Option<i64> {
        self.profiles.get(&id)
    }

    pub(crate) fn keep_post(&self, id: i64, post: CachedPost, generation: u64) {
        keep(&self.posts, id, post, || self.still(generation));
    }

    pub(crate) fn keep_profile(&self, id: i64, version: i64, generation: u64) {
        keep(&self.profiles, id, version, || self.still(generation));
    }

    /// Nothing was announced (or lost) since `generation`, and the cache is on.
    fn still(&self, generation: u64) -> bool {
        self.is_live() && self.generation() == generation
    }

    /// Applies one notice from the channel (see migration 0007 for the payload).
    fn apply(&self, payload: &str) {
        let Some((kind, rest)) = payload.split_once(':') else {
            tracing::warn!(payload, "unknown change notice");
            return;
        };
        match kind {
            "p" | "a" if rest == "*" => self.forget_all_of(kind),
            "p" | "a" => self.forget(
                rest.split(',')
                    .filter_map(|id| id.parse::<i64>().ok())
                    .map(|id| (kind, id)),
            ),
            // A catch-up or heartbeat mark: `<instance>:<n>`; another instance's is not ours.
            "m" => {
                if let Some(waiter) = self.own_mark(rest).and_then(|n| self.unwait(n)) {
                    let _ = waiter.send(());
                }
            }
            _ => tracing::warn!(payload, "unknown change notice"),
        }
    }

    /// The number of a mark `<instance>:<n>` made by this process.
    fn own_mark(&self, mark: &str) -> Option<u64> {
        let (instance, n) = mark.split_once(':')?;
        if instance.parse::<u64>().ok()? != self.instance {
            return None;
        }
        n.parse().ok()
    }

    fn unwait(&self, n: u64) -> Option<oneshot::Sender<()>> {
        self.waiting.lock().unwrap().remove(&n)
    }

    /// Forgets the posts (`p`) and accounts (`a`) named by notices or change log rows.
    fn forget<'k>(&self, changes: impl IntoIterator<Item = (&'k str, i64)>) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for (kind, id) in changes {
            match kind {
                "p" => {
                    self.posts.remove(&id);
                }
                "a" => {
                    self.profiles.remove(&id);
                }
                _ => tracing::warn!(kind, id, "unknown kind of change"),
            }
        }
    }

    /// Forgets every post (`p`) or every account (`a`).
    fn forget_all_of(&self, kind: &str) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if kind == "p" {
            self.posts.clear();
        } else {
            self.profiles.clear();
        }
    }

    /// The listener's connection is gone (or not yet there): off, and nothing kept.
    fn stop(&self) {
        self.live.store(false, Ordering::Release);
        self.forget_everything();
        // Nobody will hear their marks: let them go (they find the cache off).
        self.waiting.lock().unwrap().clear();
    }

    /// Listening again: start from nothing, since notices sent meanwhile are lost.
    fn start(&self) {
        self.forget_everything();
        self.live.store(true, Ordering::Release);
    }

    fn forget_everything(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.posts.clear();
        self.profiles.clear();
    }

    /// A fresh mark (its number and payload) and the receiver that fires when the listener
    /// hears it.
    fn mark(&self) -> (u64, String, oneshot::Receiver<()>) {
        let n = self.next_mark.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        self.waiting.lock().unwrap().insert(n, sender);
        (n, format!("m:{}:{n}", self.instance), receiver)
    }
}

/// Inserts, then checks: a notice between a check and the insert would be missed.
fn keep<V: Clone>(cache: &Cache<i64, V>, id: i64, value: V, still: impl Fn() -> bool) {
    if !still() {
        return;
    }
    cache.insert(id, value);
    if !still() {
        cache.remove(&id);
    }
}

impl RefCache {
    /// Turns the cache on and keeps it exact: on PostgreSQL by listening for change notices in
    /// the background (the cache is on while the listener is connected; returns once the
    /// first attempt to connect is over), on SQLite from the change log, which pages read as
    /// they go (see [`RefCache::apply_change_log`]).
    pub async fn watch_changes(self: &Arc<Self>, db: &Db) {
        match db.backend {
            Backend::Postgres => self.listen_for_notices(db).await,
            Backend::Sqlite => match newest_change(db).await {
                Ok(newest) => {
                    *self.applied.lock().await = newest;
                    self.applied_fast.store(newest, Ordering::Release);
                    self.start();
                }
                Err(e) => tracing::warn!(error = %e, "change log unreadable; caching nothing"),
            },
        }
    }

    async fn listen_for_notices(self: &Arc<Self>, db: &Db) {
        let listener = match listen(&db.url).await {
            Ok(listener) => {
                self.start();
                Some(listener)
            }
            Err(e) => {
                tracing::warn!(error = %e, "change notices: cannot listen yet; caching nothing");
                None
            }
        };
        let (db, cache) = (db.clone(), Arc::clone(self));
        tokio::spawn(async move { watch(db, cache, listener).await });
    }

    /// SQLite: applies the change log up to `newest` (read in the same statement as the page
    /// about to use the cache), so that the cache holds nothing changed before that statement.
    pub(crate) async fn apply_change_log(&self, db: &Db, newest: i64) -> CoreResult<()> {
        let cache = self;
        if cache.applied_fast.load(Ordering::Acquire) >= newest {
            return Ok(());
        }
        let mut applied = cache.applied.lock().await;
        if *applied >= newest {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT seq, kind, id FROM ref_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(*applied)
        .bind(CHANGE_LOG_BATCH + 1)
        .fetch_all(&db.pool)
        .await?;
        let changes = rows
            .iter()
            .map(|r| {
                Ok((
                    col::<i64>(r, "seq")?,
                    col::<String>(r, "kind")?,
                    col::<i64>(r, "id")?,
                ))
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        let complete = changes
            .first()
            .is_some_and(|(seq, _, _)| *seq == *applied + 1)
            && changes.len() as i64 <= CHANGE_LOG_BATCH;
        if complete {
            cache.forget(changes.iter().map(|(_, kind, id)| (kind.as_str(), *id)));
        } else {
            // Pruned past what we applied, or too much to apply one by one.
            cache.forget_everything();
        }
        let last = changes.last().map_or(newest, |(seq, _, _)| *seq);
        *applied = last.max(newest);
        cache.applied_fast.store(*applied, Ordering::Release);
        Ok(())
    }

    /// Returns once this instance has heard every change committed before the call (a
    /// no-op when the cache is off). The web layer calls it after each request that may
    /// write, so that the writer's next request on this instance reads its own changes.
    pub async fn caught_up(&self, db: &Db) {
        // SQLite: pages apply the change log themselves.
        if db.backend != Backend::Postgres || !self.is_live() {
            return;
        }
        let (n, mark, heard) = self.mark();
        let heard = match notify(db, mark).await {
            Ok(()) => matches!(
                tokio::time::timeout(CATCH_UP_LIMIT, heard).await,
                Ok(Ok(()))
            ),
            Err(_) => false,
        };
        if !heard {
            self.unwait(n);
            // Stale entries must not survive a notice we could not wait for.
            tracing::warn!("change notices are late: forgetting cached posts and accounts");
            self.forget_everything();
        }
    }
}

/// SQLite: drops change log rows every process has long applied (a process further behind
/// finds the gap and forgets everything). The scheduler calls it.
pub async fn prune_change_log(db: &Db) -> CoreResult<u64> {
    if db.backend != Backend::Sqlite {
        return Ok(0);
    }
    let done =
        sqlx::query("DELETE FROM ref_changes WHERE seq < (SELECT max(seq) FROM ref_changes) - $1")
            .bind(CHANGE_LOG_KEPT)
            .execute(&db.pool)
            .await?;
    Ok(done.rows_affected())
}

async fn newest_change(db: &Db) -> sqlx::Result<i64> {
    let row = sqlx::query(
        "SELECT COALESCE(max(seq), 0) AS newest FROM sqlite_sequence WHERE name = 'ref_changes'",
    )
    .fetch_one(&db.pool)
    .await?;
    col(&row, "newest")
}

async fn notify(db: &Db, payload: String) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn listen(url: &str) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Applies notices for as long as the process runs, reconnecting (with the cache off) when the
/// connection is lost.
async fn watch(db: Db, cache: Arc<RefCache>, listener: Option<PgListener>) {
    let mut listener = match listener {
        Some(listener) => listener,
        None => {
            let listener = reconnect(&db.url).await;
            cache.start();
            listener
        }
    };
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut last_heard = Instant::now();
    loop {
        let lost = tokio::select! {
            notice = listener.try_recv() => match notice {
                Ok(Some(notice)) => {
                    last_heard = Instant::now();
                    cache.apply(notice.payload());
                    false
                }
                Ok(None) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "change notices: connection failed");
                    true
                }
            },
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > HEARTBEAT_LIMIT {
                    tracing::warn!("change notices: no heartbeat heard");
                    true
                } else {
                    // Heard by this listener like any mark; a quiet database still hears this.
                    let (_, mark, _) = cache.mark();
                    let _ = notify(&db, mark).await;
                    false
                }
            }
        };
        if lost {
            cache.stop();
            listener = reconnect(&db.url).await;
            cache.start();
            last_heard = Instant::now();
            tracing::info!("change notices: listening again");
        }
    }
}

async fn reconnect(url: &str) -> PgListener {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        match listen(url).await {
            Ok(listener) => return listener,
            Err(e) => tracing::warn!(error = %e, "change notices: cannot reconnect yet"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(favourites_count: i64) -> CachedPost {
        CachedPost {
            author_id: 1,
            reblog_of_id: None,
            version: 0,
            replies_count: 0,
            favourites_count,
            reblogs_count: 0,
            people: Box::new([]),
        }
    }

    #[test]
    fn keeps_nothing_while_off() {
        let cache = RefCache::default();
        cache.keep_post(1, post(0), cache.generation());
        assert_eq!(cache.post(1), None);
    }

    #[test]
    fn notices_forget_the_ids_they_name_or_everything() {
        let cache = RefCache::default();
        cache.start();
        for id in 1..=3 {
            cache.keep_post(id, post(id), cache.generation());
            cache.keep_profile(id, id, cache.generation());
        }
        cache.apply("p:1,3");
        assert_eq!(cache.post(1), None);
        assert_eq!(cache.post(2), Some(post(2)));
        assert_eq!(cache.post(3), None);
        assert_eq!(
            cache.profile_version(1),
            Some(1),
            "a post notice leaves accounts"
        );
        cache.apply("a:*");
        assert_eq!(cache.profile_version(2), None);
        assert_eq!(cache.post(2), Some(post(2)));
        cache.apply("p:*");
        assert_eq!(cache.post(2), None);
    }

    #[test]
    fn a_read_from_before_a_notice_is_not_kept() {
        let cache = RefCache::default();
        cache.start();
        let started = cache.generation();
        cache.apply("p:7");
        cache.keep_post(7, post(1), started);
        assert_eq!(cache.post(7), None);
        cache.keep_post(7, post(2), cache.generation());
        assert_eq!(cache.post(7), Some(post(2)));
    }

    #[test]
    fn losing_the_connection_forgets_everything_and_turns_off() {
        let cache = RefCache::default();
        cache.start();
        cache.keep_post(1, post(0), cache.generation());
        let (_, _, heard) = cache.mark();
        cache.stop();
        assert!(!cache.is_live());
        assert_eq!(cache.post(1), None);
        assert!(heard.blocking_recv().is_err(), "a waiting writer is let go");
    }

    #[test]
    fn marks_wake_their_own_waiter_only() {
        let cache = RefCache::default();
        cache.start();
        let (_, mark, mut heard) = cache.mark();
        cache.apply(&format!("m:{}:999", cache.instance.wrapping_add(1)));
        cache.apply("m:not-a-number:0");
        assert!(heard.try_recv().is_err());
        cache.apply(&mark);
        assert!(heard.try_recv().is_ok());
    }
}
