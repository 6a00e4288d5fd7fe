//! Materialised home timelines (tables `home_feeds` and `home_entries`, migration 0005).
//!
//! A home page used to be found by walking all posts newest first and probing, for each, the
//! owner's follows and topic follows until the page was full: about 2,000 probes for a member
//! who follows 100 of 10,000 authors (0.8 ms of SQLite CPU per page on 1,000,000 posts, more on
//! PostgreSQL). Like Mastodon's home feeds, ours are kept ready instead:
//! - the owner's first read builds the feed: the newest [`WINDOW`] candidates (own posts, posts
//!   and boosts by people followed, posts in topics followed); the feed's floor says which ids
//!   it covers, and older pages are read from the posts table;
//! - publishing adds the post to every existing feed it belongs in ([`fan_out`]);
//! - following or unfollowing a person or topic drops the owner's feed ([`forget`]), to be
//!   rebuilt on the next read, and feeds older than [`MAX_AGE_MS`] are dropped ([`expire`]),
//!   which bounds their size and forgets people who stopped reading;
//! - entries are exact: a post is entered only for owners who may read it, and an edit of a
//!   published post enters it afresh ([`refresh`]): out of the feeds of people who followed
//!   only a topic it left or lost sight of it (a narrowed audience), into those it now
//!   belongs in. Everything else that decides membership (follows, topic follows) drops the
//!   owner's feed, and deleting a post (or undoing a boost) removes its entries. So a read
//!   takes a page of entries as they stand;
//! - entries keep their owner's own flags (liked, boosted, bookmarked: migration 0006), set when
//!   entries are made and recomputed by [`refresh_flags`] in the favourite, boost and bookmark
//!   transactions.
//!
//! Building and fanning out must not interleave, or a post published while a feed is built
//! could miss it (and a like racing a build would be missed by both: the build cannot see the
//! uncommitted like, the like's update cannot see the uncommitted entries): SQLite runs all of
//! them in write transactions (one writer at a time); PostgreSQL takes a transaction-level
//! advisory lock, shared by publishers and flag updates and exclusive for a build.

use crate::kernel::clock::now_ms;
use crate::kernel::db::{col, Backend, Tx};
use crate::kernel::visibility::{flags_of, visible_to, visible_to_profile};
use crate::kernel::{Core, CoreResult};

/// How many candidates a new feed holds (Mastodon keeps 800 in Redis).
pub const WINDOW: i64 = 400;

/// Feeds are rebuilt after a week: they only grow between builds.
pub const MAX_AGE_MS: i64 = 7 * 24 * 3600 * 1000;

/// The advisory lock key on PostgreSQL ("home" in ASCII).
const LOCK_KEY: i64 = 0x686f_6d65;

/// Whether post `p` is a home candidate for the owner at `$1`: theirs, by someone they follow,
/// or in a topic they follow (unless unlisted: those stay out of topic feeds). `OFFSET 0`
/// keeps PostgreSQL from turning the topic test into a hash of every post in every followed
/// topic (over 100,000 ids on a seeded instance).
pub(crate) const SOURCES: &str = "(p.author_id = $1 \
    OR EXISTS (SELECT 1 FROM follows hf WHERE hf.follower_id = $1 AND hf.followee_id = p.author_id) \
    OR (p.unlisted = 0 AND EXISTS (SELECT 1 FROM post_topics hp \
               JOIN topic_follows ht ON ht.topic_id = hp.topic_id \
               WHERE hp.post_id = p.id AND ht.profile_id = $1 LIMIT 1 OFFSET 0)))";

/// The floor of `owner`'s feed (entries cover every candidate above it), building the feed
/// first if there is none; `true` if this call built it.
pub async fn floor(core: &Core, owner: i64) -> CoreResult<(i64, bool)> {
    let row = sqlx::query("SELECT floor_id FROM home_feeds WHERE owner_id = $1")
        .bind(owner)
        .fetch_optional(&core.db.pool)
        .await?;
    match row {
        Some(row) => Ok((col(&row, "floor_id")?, false)),
        None => Ok((build(core, owner).await?, true)),
    }
}

async fn build(core: &Core, owner: i64) -> CoreResult<i64> {
    let mut tx = core.db.begin_write().await?;
    lock(&mut tx, core.db.backend, Lock::Exclusive).await?;
    let created = sqlx::query(
        "INSERT INTO home_feeds (owner_id, floor_id, built_at) VALUES ($1, 0, $2) \
         ON CONFLICT (owner_id) DO NOTHING",
    )
    .bind(owner)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 0 {
        // Another request built it first.
        let row = sqlx::query("SELECT floor_id FROM home_feeds WHERE owner_id = $1")
            .bind(owner)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(col(&row, "floor_id")?);
    }
    let sql = format!(
        "SELECT p.id FROM posts p WHERE p.state = 'published' AND p.in_reply_to_id IS NULL \
         AND {SOURCES} AND {} ORDER BY p.id DESC LIMIT {WINDOW}",
        visible_to(1)
    );
    // On PostgreSQL, planned for this owner each time (rare, and the owner's follows decide
    // the best plan).
    let ids: Vec<i64> = sqlx::query(&sql)
        .persistent(core.db.backend.keeps_value_plans())
        .bind(owner)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<sqlx::Result<_>>()?;
    for chunk in ids.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO home_entries (owner_id, post_id) VALUES {values}");
        let mut query = sqlx::query(&sql).bind(owner);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *tx).await?;
    }
    set_flags(&mut tx, "home_entries.owner_id = $1", &[owner]).await?;
    // A full window may have older candidates below it; a short one holds them all.
    let floor = match ids.last() {
        Some(oldest) if ids.len() as i64 == WINDOW => oldest - 1,
        _ => 0,
    };
    sqlx::query("UPDATE home_feeds SET floor_id = $2 WHERE owner_id = $1")
        .bind(owner)
        .bind(floor)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if core.db.backend == Backend::Postgres {
        analyse_if_unseen(core).await?;
    }
    Ok(floor)
}

/// PostgreSQL: analyses the feed tables if its statistics say the entries hold less than one
/// feed, as on a new instance whose first feeds were built after the last ANALYZE.
///
/// A page is planned from those statistics: read as empty, the owner's entries were planned
/// as a scan and sort, and a fresh feed ran at about 60% of its steady rate until
/// autovacuum's ANALYZE, a minute or more later (bench/README.md, finding 12). Once the
/// statistics have seen a feed, autovacuum keeps them current as feeds come and go.
async fn analyse_if_unseen(core: &Core) -> CoreResult<()> {
    let row = sqlx::query(
        "SELECT CAST(reltuples AS BIGINT) AS seen FROM pg_class \
         WHERE oid = CAST('home_entries' AS regclass)",
    )
    .fetch_one(&core.db.pool)
    .await?;
    if col::<i64>(&row, "seen")? < WINDOW {
        sqlx::query("ANALYZE home_entries, home_feeds")
            .execute(&core.db.pool)
            .await?;
    }
    Ok(())
}

/// Adds a newly published top-level post (or boost) to the feeds it belongs in: its author's,
/// their followers', and those of people following one of its topics, each if its owner may
/// read it. Runs in the publishing transaction, after the post's topics and mentions are
/// written.
pub(crate) async fn fan_out(
    tx: &mut Tx,
    backend: Backend,
    post_id: i64,
    author_id: i64,
) -> CoreResult<()> {
    lock(tx, backend, Lock::Shared).await?;
    enter(tx, post_id, author_id).await
}

/// Enters an edited published post afresh: its topics, audience or mentions may have changed,
/// so it leaves every feed and enters those it belongs in now. Runs in the editing transaction.
pub(crate) async fn refresh(
    tx: &mut Tx,
    backend: Backend,
    post_id: i64,
    author_id: i64,
) -> CoreResult<()> {
    lock(tx, backend, Lock::Shared).await?;
    sqlx::query("DELETE FROM home_entries WHERE post_id = $1")
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    enter(tx, post_id, author_id).await?;
    // Unlike a new post, an edited one may be liked, boosted or bookmarked already.
    set_flags(tx, "home_entries.post_id = $1", &[post_id]).await
}

async fn enter(tx: &mut Tx, post_id: i64, author_id: i64) -> CoreResult<()> {
    let sql = format!(
        "INSERT INTO home_entries (owner_id, post_id) \
         SELECT h.owner_id, p.id FROM home_feeds h JOIN posts p ON p.id = $2 \
         WHERE h.owner_id IN ( \
           SELECT CAST($1 AS BIGINT) \
           UNION SELECT f.follower_id FROM follows f WHERE f.followee_id = $1 \
           UNION SELECT tf.profile_id FROM post_topics pt \
             JOIN topic_follows tf ON tf.topic_id = pt.topic_id \
             JOIN posts up ON up.id = pt.post_id WHERE pt.post_id = $2 AND up.unlisted = 0) \
         AND {} \
         ON CONFLICT (owner_id, post_id) DO NOTHING",
        visible_to_profile("h.owner_id")
    );
    sqlx::query(&sql)
        .bind(author_id)
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Recomputes `owner`'s flags on their entry for `post_id` (if their feed has it), after they
/// liked, boosted or bookmarked it or took that back. Runs in that change's transaction.
pub(crate) async fn refresh_flags(
    tx: &mut Tx,
    backend: Backend,
    owner: i64,
    post_id: i64,
) -> CoreResult<()> {
    lock(tx, backend, Lock::Shared).await?;
    set_flags(
        tx,
        "home_entries.owner_id = $1 AND home_entries.post_id = $2",
        &[owner, post_id],
    )
    .await
}

/// Recomputes the flags of the entries that `condition` (over `home_entries`, with `values`
/// bound from `$1`) selects.
async fn set_flags(tx: &mut Tx, condition: &str, values: &[i64]) -> CoreResult<()> {
    let sql = flags_update(condition);
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(*value);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

fn flags_update(condition: &str) -> String {
    let [favourited, reblogged, bookmarked] =
        flags_of("home_entries.owner_id", "home_entries.post_id");
    format!(
        "UPDATE home_entries SET favourited = {favourited}, reblogged = {reblogged}, \
         bookmarked = {bookmarked} WHERE {condition}"
    )
}

/// Drops `owner`'s feed after they follow or unfollow someone or something: it is rebuilt,
/// with the new sources, on their next read (a new follow's past posts were never fanned out
/// to it).
pub(crate) async fn forget(tx: &mut Tx, backend: Backend, owner: i64) -> CoreResult<()> {
    lock(tx, backend, Lock::Exclusive).await?;
    sqlx::query("DELETE FROM home_feeds WHERE owner_id = $1")
        .bind(owner)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Drops every feed, after a bulk load that bypassed [`fan_out`].
pub async fn forget_all(core: &Core) -> CoreResult<()> {
    let mut tx = core.db.begin_write().await?;
    lock(&mut tx, core.db.backend, Lock::Exclusive).await?;
    sqlx::query("DELETE FROM home_feeds")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Drops feeds built more than [`MAX_AGE_MS`] ago. Returns how many.
pub async fn expire(core: &Core) -> CoreResult<u64> {
    let mut tx = core.db.begin_write().await?;
    lock(&mut tx, core.db.backend, Lock::Exclusive).await?;
    let dropped = sqlx::query("DELETE FROM home_feeds WHERE built_at < $1")
        .bind(now_ms() - MAX_AGE_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(dropped)
}

enum Lock {
    /// Adding entries to feeds (publishers, many at once).
    Shared,
    /// Creating or dropping feeds.
    Exclusive,
}

/// On PostgreSQL, the transaction-level advisory lock that keeps builds and drops apart from
/// fan-outs (a fan-out racing a build could miss the new feed; one racing a drop would insert
/// entries for a feed that is gone). SQLite's write transactions are already one at a time.
async fn lock(tx: &mut Tx, backend: Backend, mode: Lock) -> CoreResult<()> {
    if backend == Backend::Postgres {
        let sql = match mode {
            Lock::Shared => "SELECT pg_advisory_xact_lock_shared($1)",
            Lock::Exclusive => "SELECT pg_advisory_xact_lock($1)",
        };
        sqlx::query(sql).bind(LOCK_KEY).execute(&mut **tx).await?;
    }
    Ok(())
}
