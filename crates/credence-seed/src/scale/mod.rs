//! Seeding a large instance for load tests and demos: `credence demo --posts N --authors M`.
//!
//! What it writes, in the schema's own shape (every row is one the application could have
//! written): M accounts (about 70% professionals, most of them verified, some pending or
//! unverified; 8% organisations; the rest members) with credentials, NPIs and a few
//! conflict-of-interest disclosures; follows (each member and professional follows 50–200
//! others, skewed towards popular authors) and topic follows; N published posts spread over the
//! last 90 days (mostly short posts, some tips, articles and research updates; about 10% for
//! followers only) with their topics and favourites.
//!
//! Posts carry the credibility engine's real verdict. Checking each of a million texts would
//! take minutes of CPU (about 0.1 ms per short post), so a post's checked text (title and body)
//! is fully determined by a [`Template`] key — the hand-written sentences, the opener and closer,
//! the source link, the kind — and is checked once per key. Everything else that varies per post
//! (author, time, visibility, the second topic, which is picked like the compose form's topic
//! list rather than typed as a hashtag) is outside the checked text. The author's byline and
//! disclosures reach the engine too, but they only matter for text that names them, and the
//! templates name no one. So the cached verdict is exactly what `posts::create` would store;
//! `tests::cached_verdicts_match_a_fresh_check` checks that.
//!
//! Speed: rows go in as multi-row INSERTs (up to 500 rows per statement, under SQLite's 32,766
//! and PostgreSQL's 65,535 bind parameters) in transactions of about 50,000 rows, while another
//! thread generates the next batch. Every seeded login shares one argon2 hash of
//! [`crate::demo::DEMO_PASSWORD`], computed once: hashing 10,000 passwords would take minutes,
//! and demo accounts share their password anyway (never use seeded data in production).
//!
//! Running it again adds another set of accounts and posts (fresh handles, e-mails and ids)
//! without touching what is there.

mod graph;
mod people;
mod templates;
#[cfg(test)]
mod tests;
mod texts;
mod writer;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use credence_core::accounts;
use credence_core::kernel::clock::{new_id, now_ms};
use credence_core::kernel::db::{col, Backend};
use credence_core::{audit, home_feeds, profiles, Core, CoreError, CoreResult};

use graph::Graph;
use people::People;
use templates::{PostBatch, PostFeed, PostGenerator, PostTotals};
use texts::{STUDIES, TOPICS};
use writer::Writer;

/// Upper bounds that keep handles within 30 characters and a run within memory.
pub const MAX_POSTS: u64 = 50_000_000;
pub const MAX_AUTHORS: u64 = 1_000_000;

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    pub posts: u64,
    pub authors: u64,
}

impl ScaleOptions {
    /// The rule for the command-line flags: at least one of each, no more authors than posts.
    pub fn validate(&self) -> Result<(), String> {
        if self.posts == 0 || self.authors == 0 {
            return Err("--posts and --authors must both be at least 1".into());
        }
        if self.authors > self.posts {
            return Err(format!(
                "--authors ({}) cannot exceed --posts ({}): every author needs something to post",
                self.authors, self.posts
            ));
        }
        if self.posts > MAX_POSTS || self.authors > MAX_AUTHORS {
            return Err(format!(
                "at most {MAX_POSTS} posts and {MAX_AUTHORS} authors per run"
            ));
        }
        Ok(())
    }
}

/// What a run wrote, for the final report.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub accounts: u64,
    pub professionals: u64,
    pub verified: u64,
    pub organisations: u64,
    pub members: u64,
    /// verification requests, disclosures and the audit entry.
    pub other_rows: u64,
    pub follows: u64,
    pub topic_follows: u64,
    pub posts: u64,
    pub followers_only: u64,
    pub articles: u64,
    pub tips: u64,
    pub research_updates: u64,
    pub post_topics: u64,
    pub favourites: u64,
    /// Distinct texts the engine checked (see the module comment).
    pub templates_checked: u64,
    /// A seeded member with a realistic home timeline (the load test signs in as them).
    pub sample_member: String,
    pub sample_member_follows: u64,
    pub elapsed: Duration,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.accounts * 2
            + self.other_rows
            + self.follows
            + self.topic_follows
            + self.posts
            + self.post_topics
            + self.favourites
    }

    pub fn rows_per_second(&self) -> f64 {
        self.rows() as f64 / self.elapsed.as_secs_f64().max(0.001)
    }
}

const DAY_MS: i64 = 86_400_000;
/// Posts are spread over this many days before now.
const SPAN_DAYS: i64 = 90;
/// Rows per transaction, roughly: big enough that commits cost little, small enough that a
/// failure loses little and other writers are not held up for long.
const TX_ROWS: usize = 50_000;
/// Posts generated per batch (with their topics and favourites, about [`TX_ROWS`] rows).
const POSTS_PER_BATCH: usize = 10_000;
/// Favourites are capped so that a very large run stays fast.
const MAX_FAVOURITES: u64 = 2_000_000;
const MEAN_FAVOURITES: f64 = 2.5;
/// The share of posts for followers only.
const FOLLOWERS_ONLY: f64 = 0.10;

/// Seeds a large instance. `progress` receives a line now and then.
pub async fn seed(
    core: &Core,
    options: ScaleOptions,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<Summary> {
    options
        .validate()
        .map_err(|message| CoreError::invalid("posts", message))?;
    let started = Instant::now();
    let mut summary = Summary::default();
    let now = now_ms();

    // Names and addresses already in use (a previous run, real accounts): new ones avoid them.
    let taken_handles: HashSet<String> = sqlx::query("SELECT handle_lower FROM profiles")
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "handle_lower"))
        .collect::<sqlx::Result<_>>()?;
    let taken_emails: HashSet<String> = sqlx::query("SELECT email FROM users")
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "email"))
        .collect::<sqlx::Result<_>>()?;
    let topic_ids = topic_ids(core).await?;
    // A different but reproducible set of people and posts each time the seeder runs on the
    // same database, so a second run adds rather than collides.
    let rng_seed = 0x5eed_2026_u64 ^ (taken_emails.len() as u64).wrapping_mul(0x9E37_79B9);

    progress(&format!(
        "seeding {} posts by {} authors into {}",
        options.posts,
        options.authors,
        match core.db.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    ));
    // One hash for every seeded login (see the module comment).
    let password_hash = accounts::hash_password(crate::demo::DEMO_PASSWORD).await?;

    let mut conn = core.db.pool.acquire().await?;
    if core.db.backend == Backend::Sqlite {
        // A bigger page cache for this connection only: the load touches every index of
        // `posts`, and SQLite's default 2 MB cache would re-read pages from disk all the time.
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
    }
    let mut writer = Writer::new(core.db.backend);
    // PostgreSQL spends a core per connection on a bulk load (index and tsvector upkeep,
    // foreign-key checks), so a second connection writes alongside the first; SQLite has one
    // writer at a time, so a second connection would only wait.
    let mut second = match core.db.backend {
        Backend::Postgres => Some((core.db.pool.acquire().await?, Writer::new(core.db.backend))),
        Backend::Sqlite => None,
    };
    audit::record(
        &mut *conn,
        None,
        "demo.seed_scale",
        ("demo", None),
        &format!("posts={} authors={}", options.posts, options.authors),
    )
    .await?;
    summary.other_rows += 1;

    // 1. People.
    let phase = Instant::now();
    let people = tokio::task::spawn_blocking(move || {
        People::generate(
            options.authors as usize,
            rng_seed,
            now,
            &taken_handles,
            &taken_emails,
        )
    })
    .await
    .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?;
    let people = Arc::new(people);
    let (batches, counts) = people.account_rows(&password_hash, rng_seed, now);
    for batch in &batches {
        writer.write_in_transactions(&mut conn, batch).await?;
    }
    summary.accounts = people.authors.len() as u64;
    summary.other_rows += counts.other_rows;
    summary.professionals = counts.professionals;
    summary.verified = counts.verified;
    summary.organisations = counts.organisations;
    summary.members = counts.members;
    progress(&format!(
        "accounts: {} ({} professionals and {} organisations, {} of them verified; {} members) in {:.1}s",
        summary.accounts,
        counts.professionals,
        counts.organisations,
        counts.verified,
        counts.members,
        phase.elapsed().as_secs_f64()
    ));

    // 2. Who follows whom.
    let phase = Instant::now();
    let graph_people = people.clone();
    let topic_ids_for_graph = topic_ids.clone();
    let graph = tokio::task::spawn_blocking(move || {
        Graph::generate(&graph_people, &topic_ids_for_graph, rng_seed, now)
    })
    .await
    .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?;
    let (head, tail) = graph.follow_rows.halves();
    match &mut second {
        Some((conn2, writer2)) => {
            let (a, b) = tokio::join!(
                writer.write_in_transactions(&mut conn, &head),
                writer2.write_in_transactions(conn2, &tail)
            );
            a?;
            b?;
        }
        None => {
            writer.write_in_transactions(&mut conn, &head).await?;
            writer.write_in_transactions(&mut conn, &tail).await?;
        }
    }
    writer
        .write_in_transactions(&mut conn, &graph.topic_follow_rows)
        .await?;
    summary.follows = graph.follow_rows.len() as u64;
    summary.topic_follows = graph.topic_follow_rows.len() as u64;
    summary.sample_member = people.authors[graph.sample_member].handle.clone();
    summary.sample_member_follows = graph.sample_member_follows;
    progress(&format!(
        "follows: {} and {} topic follows in {:.1}s",
        summary.follows,
        summary.topic_follows,
        phase.elapsed().as_secs_f64()
    ));

    // 3. Posts, topics and favourites: generated on a blocking thread while the writers store
    // the batches before.
    let phase = Instant::now();
    let (sender, receiver) = tokio::sync::mpsc::channel::<PostBatch>(3);
    let generator = PostGenerator {
        people: people.clone(),
        followers: graph.followers,
        topic_ids,
        posts: options.posts as usize,
        now,
        rng_seed,
    };
    let generating = tokio::task::spawn_blocking(move || generator.run(sender));
    let feed = PostFeed {
        receiver: tokio::sync::Mutex::new(receiver),
        totals: std::sync::Mutex::new(PostTotals::default()),
        last_report: std::sync::Mutex::new(Instant::now()),
        failed: AtomicBool::new(false),
    };
    let report = |t: &PostTotals, due: bool| {
        if due || t.posts == options.posts {
            let secs = phase.elapsed().as_secs_f64().max(0.001);
            progress(&format!(
                "posts: {}/{} ({:.0}%), {:.0} posts/s, {} favourites",
                t.posts,
                options.posts,
                t.posts as f64 * 100.0 / options.posts as f64,
                t.posts as f64 / secs,
                t.favourites
            ));
        }
    };
    let (first, other) = tokio::join!(feed.drain(&mut conn, &mut writer, &report), async {
        match &mut second {
            Some((conn2, writer2)) => feed.drain(conn2, writer2, &report).await,
            None => Ok(()),
        }
    });
    let totals = feed.totals.lock().map(|t| t.clone()).unwrap_or_default();
    // Dropping the receiver stops the generator if a writer failed; wait for it either way.
    drop(feed);
    drop(second);
    let checked = generating
        .await
        .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?;
    first?;
    other?;
    summary.templates_checked = checked?;
    summary.posts = totals.posts;
    summary.followers_only = totals.followers_only;
    summary.articles = totals.articles;
    summary.tips = totals.tips;
    summary.research_updates = totals.research_updates;
    summary.post_topics = totals.post_topics;
    summary.favourites = totals.favourites;

    // 4. Tidy up. On PostgreSQL first VACUUM ANALYZE, which does now what autovacuum would do
    // within minutes of a bulk load: planner statistics (without them the recount below, and a
    // load test starting now, are planned for empty tables: the recount took 15.6 s for 500
    // profiles that way, 3.5 s for 10,000 with statistics) and the visibility map (without it
    // index-only scans read the table too). SQLite gets no ANALYZE: the application never runs
    // one, and the load test should see the plans a real instance gets.
    let phase = Instant::now();
    if core.db.backend == Backend::Postgres {
        // Not a prepared statement: VACUUM refuses to run inside one's implicit transaction.
        sqlx::raw_sql("VACUUM (ANALYZE)")
            .execute(&mut *conn)
            .await?;
        progress(&format!(
            "VACUUM ANALYZE in {:.1}s",
            phase.elapsed().as_secs_f64()
        ));
    }

    // The follower, following and post counts kept on profiles are maintained by the write
    // paths this bulk load bypasses: count them once now (posts_author_listed, migration 0003,
    // keeps this an index search per profile).
    let phase = Instant::now();
    profiles::recount(core).await?;
    progress(&format!(
        "recounting profiles in {:.1}s",
        phase.elapsed().as_secs_f64()
    ));
    // Home feeds built before this load never had its posts fanned out to them.
    home_feeds::forget_all(core).await?;

    // On SQLite, the WAL folded back into the database so the server starts with a small one.
    if core.db.backend == Backend::Sqlite {
        let phase = Instant::now();
        sqlx::query("PRAGMA cache_size = -2000")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        progress(&format!(
            "WAL checkpoint in {:.1}s",
            phase.elapsed().as_secs_f64()
        ));
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Curated topic ids, in [`TOPICS`] order, plus every curated slug (for related topics).
async fn topic_ids(core: &Core) -> CoreResult<Arc<HashMap<&'static str, i64>>> {
    let rows = sqlx::query("SELECT id, slug FROM topics WHERE curated = 1")
        .fetch_all(&core.db.pool)
        .await?;
    let mut by_slug: HashMap<String, i64> = HashMap::new();
    for r in rows {
        by_slug.insert(col(&r, "slug")?, col(&r, "id")?);
    }
    let mut out = HashMap::new();
    let wanted = TOPICS
        .iter()
        .flat_map(|t| std::iter::once(t.slug).chain(t.related.iter().copied()))
        .chain(STUDIES.iter().map(|s| s.slug));
    for slug in wanted {
        let id = by_slug.get(slug).copied().ok_or_else(|| {
            CoreError::Internal(anyhow::anyhow!(
                "the curated topic #{slug} is missing (run migrations first)"
            ))
        })?;
        out.insert(slug, id);
    }
    Ok(Arc::new(out))
}

/// An id for a row created at `ms` (in the past): the id [`new_id`] would have given it then.
/// Ids sort by creation time and timelines page by id, so seeded posts must carry their
/// publication time in their ids. The low 22 bits still come from `new_id`'s per-process
/// counter, which keeps ids distinct.
fn id_at(ms: i64) -> i64 {
    ((ms - id_epoch()) << 22) | (new_id() & 0x3F_FFFF)
}

/// The time [`new_id`] counts milliseconds from (2024-01-01). Read off a fresh id rather than
/// copied, and rounded to the second (the epoch is midnight; the two clock readings are
/// microseconds apart).
fn id_epoch() -> i64 {
    static EPOCH: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(|| {
        let estimate = now_ms() - (new_id() >> 22);
        (estimate + 500).div_euclid(1000) * 1000
    })
}

/// The earliest time an id can carry (plus a day): an earlier one would make a negative id.
fn earliest_id_time() -> i64 {
    id_epoch() + DAY_MS
}
