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

mod texts;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use credence_check::{Checker, DraftKind};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{AnyConnection, Connection};

use crate::accounts::{self, Role};
use crate::content;
use crate::db::{col, new_id, now_ms, Backend, Db};
use crate::error::{CoreError, CoreResult};
use crate::posts::{self, PostKind};
use crate::profiles::{self, npi_check_digit, Profile, ProfileKind, VerificationState};
use texts::{TopicText, STUDIES, TOPICS};

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
    db: &Db,
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
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| col(r, "handle_lower"))
        .collect::<sqlx::Result<_>>()?;
    let taken_emails: HashSet<String> = sqlx::query("SELECT email FROM users")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| col(r, "email"))
        .collect::<sqlx::Result<_>>()?;
    let topic_ids = topic_ids(db).await?;
    // A different but reproducible set of people and posts each time the seeder runs on the
    // same database, so a second run adds rather than collides.
    let rng_seed = 0x5eed_2026_u64 ^ (taken_emails.len() as u64).wrapping_mul(0x9E37_79B9);

    progress(&format!(
        "seeding {} posts by {} authors into {}",
        options.posts,
        options.authors,
        match db.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    ));
    // One hash for every seeded login (see the module comment).
    let password_hash = accounts::hash_password(crate::demo::DEMO_PASSWORD).await?;

    let mut conn = db.pool.acquire().await?;
    if db.backend == Backend::Sqlite {
        // A bigger page cache for this connection only: the load touches every index of
        // `posts`, and SQLite's default 2 MB cache would re-read pages from disk all the time.
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
    }
    let mut writer = Writer::new(db.backend);
    // PostgreSQL spends a core per connection on a bulk load (index and tsvector upkeep,
    // foreign-key checks), so a second connection writes alongside the first; SQLite has one
    // writer at a time, so a second connection would only wait.
    let mut second = match db.backend {
        Backend::Postgres => Some((db.pool.acquire().await?, Writer::new(db.backend))),
        Backend::Sqlite => None,
    };
    crate::audit::record(
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
    if db.backend == Backend::Postgres {
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
    crate::profiles::recount(db).await?;
    progress(&format!(
        "recounting profiles in {:.1}s",
        phase.elapsed().as_secs_f64()
    ));
    // Home feeds built before this load never had its posts fanned out to them.
    crate::home_feeds::forget_all(db).await?;

    // On SQLite, the WAL folded back into the database so the server starts with a small one.
    if db.backend == Backend::Sqlite {
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
async fn topic_ids(db: &Db) -> CoreResult<Arc<HashMap<&'static str, i64>>> {
    let rows = sqlx::query("SELECT id, slug FROM topics WHERE curated = 1")
        .fetch_all(&db.pool)
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

// ---------------------------------------------------------------------------------------------
// Rows and the writer

/// One value of a row, as bound to the statement.
#[derive(Clone)]
enum V {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
    Shared(Arc<str>),
    OptText(Option<String>),
    Static(&'static str),
}

/// Rows for one table, flattened.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            values: Vec::new(),
        }
    }

    fn push<const N: usize>(&mut self, row: [V; N]) {
        debug_assert_eq!(N, self.columns.len(), "a row for {}", self.table);
        self.values.extend(row);
    }

    fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// The first and second half of the rows (for two writers).
    fn halves(&self) -> (Rows, Rows) {
        let width = self.columns.len();
        let (a, b) = self.values.split_at(self.len() / 2 * width);
        let part = |values: &[V]| Rows {
            table: self.table,
            columns: self.columns,
            values: values.to_vec(),
        };
        (part(a), part(b))
    }
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "password_hash",
    "role",
    "created_at",
    "password_changed_at",
];
const PROFILE_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "kind",
    "handle",
    "handle_lower",
    "display_name",
    "bio",
    "links",
    "profession",
    "specialty",
    "credentials",
    "licence_number",
    "licence_jurisdiction",
    "npi",
    "affiliations",
    "org_kind",
    "verification_state",
    "verified_at",
    "created_at",
    "updated_at",
];
const VERIFICATION_COLUMNS: &[&str] = &[
    "id",
    "profile_id",
    "note",
    "state",
    "submitted_at",
    "decided_at",
];
const DISCLOSURE_COLUMNS: &[&str] = &[
    "id",
    "profile_id",
    "company",
    "relationship",
    "details",
    "created_at",
];
const FOLLOW_COLUMNS: &[&str] = &["follower_id", "followee_id", "created_at"];
const TOPIC_FOLLOW_COLUMNS: &[&str] = &["profile_id", "topic_id", "created_at"];
const POST_COLUMNS: &[&str] = &[
    "id",
    "author_id",
    "kind",
    "state",
    "visibility",
    "title",
    "body",
    "body_html",
    "label",
    "label_reasons",
    "score",
    "reading_grade",
    "rank",
    "favourites_count",
    "created_at",
    "published_at",
];
const POST_TOPIC_COLUMNS: &[&str] = &["post_id", "topic_id"];
const FAVOURITE_COLUMNS: &[&str] = &["profile_id", "post_id", "created_at"];

/// Writes [`Rows`] as multi-row INSERTs, keeping the statement texts (and so the prepared
/// statements) for reuse.
struct Writer {
    backend: Backend,
    statements: HashMap<(&'static str, usize), Arc<str>>,
}

impl Writer {
    fn new(backend: Backend) -> Writer {
        Writer {
            backend,
            statements: HashMap::new(),
        }
    }

    /// Rows per INSERT: 500, or fewer if the table is wide enough to pass the bind-parameter
    /// limit (SQLite 32,766 since 3.32; PostgreSQL 65,535).
    fn rows_per_statement(&self, columns: usize) -> usize {
        let limit = match self.backend {
            Backend::Sqlite => 32_766,
            Backend::Postgres => 65_535,
        };
        (limit / columns).min(500)
    }

    /// `INSERT INTO table (columns) VALUES (…), (…)` for `n` rows.
    ///
    /// The placeholders are `$1, $2, …` on PostgreSQL, as everywhere else, but bare `?` on
    /// SQLite: sqlx binds each SQLite parameter after asking for its name, and SQLite finds a
    /// name with a linear scan of all of them, so binding a statement of named parameters costs
    /// the square of their number. With 500 rows of 16 columns that was half of all the CPU
    /// time of a seed (measured with perf); anonymous `?` parameters have no name to look up.
    fn statement(&mut self, rows: &Rows, n: usize) -> Arc<str> {
        let numbered = self.backend == Backend::Postgres;
        self.statements
            .entry((rows.table, n))
            .or_insert_with(|| {
                let width = rows.columns.len();
                let mut sql = format!(
                    "INSERT INTO {} ({}) VALUES ",
                    rows.table,
                    rows.columns.join(", ")
                );
                for row in 0..n {
                    if row > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('(');
                    for c in 0..width {
                        if c > 0 {
                            sql.push_str(", ");
                        }
                        if numbered {
                            sql.push('$');
                            sql.push_str(&(row * width + c + 1).to_string());
                        } else {
                            sql.push('?');
                        }
                    }
                    sql.push(')');
                }
                sql.into()
            })
            .clone()
    }

    /// Inserts all of `rows` on `conn` (inside the caller's transaction, if any).
    async fn insert(&mut self, conn: &mut AnyConnection, rows: &Rows) -> CoreResult<()> {
        let width = rows.columns.len();
        let per = self.rows_per_statement(width);
        for chunk in rows.values.chunks(per * width) {
            let sql = self.statement(rows, chunk.len() / width);
            let mut query = sqlx::query(&sql);
            for v in chunk {
                query = match v {
                    V::Int(i) => query.bind(*i),
                    V::OptInt(i) => query.bind(*i),
                    V::Real(f) => query.bind(*f),
                    V::Text(s) => query.bind(s.as_str()),
                    V::Shared(s) => query.bind(&**s),
                    V::OptText(s) => query.bind(s.as_deref()),
                    V::Static(s) => query.bind(*s),
                };
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Inserts a large set of rows in transactions of about [`TX_ROWS`] rows.
    async fn write_in_transactions(
        &mut self,
        conn: &mut AnyConnection,
        rows: &Rows,
    ) -> CoreResult<()> {
        let width = rows.columns.len();
        for part in rows.values.chunks(TX_ROWS * width) {
            let part = Rows {
                table: rows.table,
                columns: rows.columns,
                values: part.to_vec(),
            };
            let mut tx = conn.begin().await?;
            self.insert(&mut tx, &part).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// One batch of posts with their topics and favourites, in one transaction (posts first:
    /// the others refer to them).
    async fn write_post_batch(
        &mut self,
        conn: &mut AnyConnection,
        batch: &PostBatch,
    ) -> CoreResult<()> {
        let mut tx = conn.begin().await?;
        self.insert(&mut tx, &batch.posts).await?;
        self.insert(&mut tx, &batch.post_topics).await?;
        self.insert(&mut tx, &batch.favourites).await?;
        tx.commit().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// People

struct Author {
    user_id: i64,
    profile_id: i64,
    role: Role,
    verification: VerificationState,
    handle: String,
    email: String,
    display_name: String,
    /// Index into [`texts::SPECIALTIES`] (professionals) or [`texts::ORGANISATIONS`].
    variant: usize,
    /// Topics this author mostly posts about (indexes into [`TOPICS`]).
    focus: Vec<usize>,
    created_at: i64,
    /// How much they post, and how much others follow and favourite them (relative).
    activity: f64,
    popularity: f64,
}

impl Author {
    fn verified(&self) -> bool {
        self.verification == VerificationState::Verified
    }
}

struct People {
    authors: Vec<Author>,
}

#[derive(Default)]
struct AccountCounts {
    professionals: u64,
    verified: u64,
    organisations: u64,
    members: u64,
    other_rows: u64,
}

impl People {
    fn generate(
        n: usize,
        rng_seed: u64,
        now: i64,
        taken_handles: &HashSet<String>,
        taken_emails: &HashSet<String>,
    ) -> People {
        let mut rng = StdRng::seed_from_u64(rng_seed);
        let organisations = ((n as f64) * 0.08).round() as usize;
        let members = if n >= 2 {
            (((n as f64) * 0.22).round() as usize).max(1)
        } else {
            0
        };
        let professionals = n - organisations.min(n) - members.min(n - organisations.min(n));
        let mut roles: Vec<Role> = std::iter::repeat_n(Role::Professional, professionals)
            .chain(std::iter::repeat_n(Role::Organisation, organisations))
            .chain(std::iter::repeat_n(Role::Member, members))
            .take(n)
            .collect();
        // Interleave roles so that ids (creation times) do not group by role.
        for i in (1..roles.len()).rev() {
            roles.swap(i, rng.gen_range(0..=i));
        }
        // Popularity follows a power law over a random ranking (a few authors have most of
        // the followers), scaled by how much people follow each kind of account.
        let mut ranking: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            ranking.swap(i, rng.gen_range(0..=i));
        }
        let mut handles: HashSet<String> = taken_handles.clone();
        // Accounts were opened up to three years before the posts began (never before ids
        // could record it).
        let newest = (now - (SPAN_DAYS + 1) * DAY_MS).max(earliest_id_time() + 1);
        let oldest = (now - 3 * 365 * DAY_MS)
            .max(earliest_id_time())
            .min(newest - 1);
        let mut authors = Vec::with_capacity(n);
        for (i, role) in roles.into_iter().enumerate() {
            let first = texts::FIRST_NAMES[rng.gen_range(0..texts::FIRST_NAMES.len())];
            let last = texts::LAST_NAMES[rng.gen_range(0..texts::LAST_NAMES.len())];
            let (stem, display_name, variant, verification) = match role {
                Role::Professional => {
                    let v = rng.gen_range(0..texts::SPECIALTIES.len());
                    let s = &texts::SPECIALTIES[v];
                    let state = match rng.gen_range(0..100) {
                        0..=84 => VerificationState::Verified,
                        85..=89 => VerificationState::Pending,
                        _ => VerificationState::Unverified,
                    };
                    (
                        format!("{}_{}", s.handle_stem, last.to_ascii_lowercase()),
                        s.display.replace("{f}", first).replace("{l}", last),
                        v,
                        state,
                    )
                }
                Role::Organisation => {
                    let v = rng.gen_range(0..texts::ORGANISATIONS.len());
                    let city = texts::CITIES[rng.gen_range(0..texts::CITIES.len())];
                    let (kind, pattern, _) = texts::ORGANISATIONS[v];
                    let word = match kind {
                        "clinic" => "health",
                        "hospital" => "hospital",
                        "public_health_agency" => "publichealth",
                        "advocacy_group" => "network",
                        "professional_association" => "nurses",
                        _ => "research",
                    };
                    let state = if rng.gen_bool(0.9) {
                        VerificationState::Verified
                    } else {
                        VerificationState::Unverified
                    };
                    (
                        format!("{}_{word}", city.to_ascii_lowercase().replace(' ', "")),
                        pattern.replace("{c}", city),
                        v,
                        state,
                    )
                }
                _ => (
                    format!(
                        "{}_{}",
                        first.to_ascii_lowercase(),
                        &last[..1].to_ascii_lowercase()
                    ),
                    format!("{first} {}.", &last[..1]),
                    0,
                    VerificationState::None,
                ),
            };
            // A number makes the handle unique; a taken one (earlier run, real account) is
            // skipped.
            let mut number = i + 1;
            let handle = loop {
                let candidate = format!("{stem}{number}");
                let email = format!("{candidate}@seed.credence.example");
                if !handles.contains(&candidate) && !taken_emails.contains(&email) {
                    break candidate;
                }
                number += n;
            };
            handles.insert(handle.clone());
            let focus = match role {
                Role::Professional => texts::SPECIALTIES[variant]
                    .focus
                    .iter()
                    .filter_map(|slug| TOPICS.iter().position(|t| t.slug == *slug))
                    .collect(),
                Role::Organisation => (0..3).map(|_| rng.gen_range(0..TOPICS.len())).collect(),
                _ => Vec::new(),
            };
            let (post_factor, follow_factor) = match (role, verification) {
                (Role::Organisation, VerificationState::Verified) => (2.0, 1.5),
                (Role::Professional, VerificationState::Verified) => (1.0, 1.0),
                (Role::Member, _) => (0.15, 0.05),
                _ => (0.6, 0.3),
            };
            let rank = ranking[i] as f64 + 1.0;
            let created_at = rng.gen_range(oldest..newest);
            authors.push(Author {
                user_id: id_at(created_at),
                profile_id: id_at(created_at),
                role,
                verification,
                email: format!("{handle}@seed.credence.example"),
                handle,
                display_name,
                variant,
                focus,
                created_at,
                activity: post_factor / rank.powf(0.5),
                popularity: follow_factor / rank.powf(0.8),
            });
        }
        People { authors }
    }

    /// Users, profiles, verification requests and disclosures, as rows.
    fn account_rows(
        &self,
        password_hash: &str,
        rng_seed: u64,
        now: i64,
    ) -> (Vec<Rows>, AccountCounts) {
        let mut rng = StdRng::seed_from_u64(rng_seed ^ 0xacc0);
        let hash: Arc<str> = password_hash.into();
        let mut users = Rows::new("users", USER_COLUMNS);
        let mut profile_rows = Rows::new("profiles", PROFILE_COLUMNS);
        let mut requests = Rows::new("verification_requests", VERIFICATION_COLUMNS);
        let mut disclosures = Rows::new("disclosures", DISCLOSURE_COLUMNS);
        let mut counts = AccountCounts::default();
        for a in &self.authors {
            users.push([
                V::Int(a.user_id),
                V::Text(a.email.clone()),
                V::Shared(hash.clone()),
                V::Static(a.role.as_str()),
                V::Int(a.created_at),
                V::Int(a.created_at),
            ]);
            let (state_code, st_name) = texts::STATES[rng.gen_range(0..texts::STATES.len())];
            let city = texts::CITIES[rng.gen_range(0..texts::CITIES.len())];
            let npi = |rng: &mut StdRng| {
                let prefix = format!("1{:08}", rng.gen_range(0..100_000_000u32));
                format!("{prefix}{}", npi_check_digit(&prefix))
            };
            let verified_at =
                (a.verified()).then(|| a.created_at + rng.gen_range(DAY_MS..14 * DAY_MS));
            let mut details = Details::default();
            match a.role {
                Role::Professional => {
                    counts.professionals += 1;
                    let s = &texts::SPECIALTIES[a.variant];
                    let topics: Vec<&str> =
                        a.focus.iter().take(3).map(|t| TOPICS[*t].slug).collect();
                    details = Details {
                        kind: ProfileKind::Professional,
                        bio: format!(
                            "{} ({}). I share practical, evidence-based information on {}.",
                            s.specialty,
                            profiles::label_of(profiles::PROFESSIONS, s.profession)
                                .unwrap_or("Health professional"),
                            topics
                                .iter()
                                .map(|t| format!("#{t}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        profession: Some(s.profession.to_string()),
                        specialty: Some(s.specialty.to_string()),
                        credentials: Some(s.credentials.to_string()),
                        licence_number: Some(format!(
                            "{state_code}-{}-{:06}",
                            s.handle_stem.to_ascii_uppercase(),
                            rng.gen_range(0..1_000_000)
                        )),
                        licence_jurisdiction: Some(format!("{st_name} {}", s.board)),
                        npi: rng.gen_bool(0.8).then(|| npi(&mut rng)),
                        affiliations: if rng.gen_bool(0.6) {
                            format!("{city} Family Health")
                        } else {
                            String::new()
                        },
                        org_kind: None,
                    };
                }
                Role::Organisation => {
                    counts.organisations += 1;
                    let (kind, _, bio) = texts::ORGANISATIONS[a.variant];
                    details = Details {
                        kind: ProfileKind::Organisation,
                        bio: bio.to_string(),
                        licence_number: Some(format!(
                            "ORG-{state_code}-{:05}",
                            rng.gen_range(0..100_000)
                        )),
                        licence_jurisdiction: Some(format!("{st_name} Department of Health")),
                        npi: Some(npi(&mut rng)),
                        org_kind: Some(kind.to_string()),
                        ..Details::default()
                    };
                }
                _ => counts.members += 1,
            }
            if a.verified() {
                counts.verified += 1;
            }
            profile_rows.push([
                V::Int(a.profile_id),
                V::Int(a.user_id),
                V::Static(details.kind.as_str()),
                V::Text(a.handle.clone()),
                V::Text(a.handle.to_lowercase()),
                V::Text(a.display_name.clone()),
                V::Text(details.bio),
                V::Static(""),
                V::OptText(details.profession),
                V::OptText(details.specialty),
                V::OptText(details.credentials),
                V::OptText(details.licence_number),
                V::OptText(details.licence_jurisdiction),
                V::OptText(details.npi),
                V::Text(details.affiliations),
                V::OptText(details.org_kind),
                V::Static(a.verification.as_str()),
                V::OptInt(verified_at),
                V::Int(a.created_at),
                V::Int(verified_at.unwrap_or(a.created_at)),
            ]);
            // The verification history the review queue and audit expect.
            match (a.verification, verified_at) {
                (VerificationState::Verified, Some(at)) => requests.push([
                    V::Int(id_at(at)),
                    V::Int(a.profile_id),
                    V::Static("demo content"),
                    V::Static("verified"),
                    V::Int(at),
                    V::OptInt(Some(at)),
                ]),
                (VerificationState::Pending, _) => {
                    let at = now - rng.gen_range(DAY_MS..20 * DAY_MS);
                    requests.push([
                        V::Int(id_at(at)),
                        V::Int(a.profile_id),
                        V::Static("My licence can be checked on the state board's website."),
                        V::Static("pending"),
                        V::Int(at),
                        V::OptInt(None),
                    ]);
                }
                _ => {}
            }
            if a.role == Role::Professional && rng.gen_bool(0.08) {
                let (company, relationship, text) =
                    texts::COMPANIES[rng.gen_range(0..texts::COMPANIES.len())];
                disclosures.push([
                    V::Int(id_at(a.created_at)),
                    V::Int(a.profile_id),
                    V::Static(company),
                    V::Static(relationship),
                    V::Static(text),
                    V::Int(a.created_at),
                ]);
            }
        }
        counts.other_rows = (requests.len() + disclosures.len()) as u64;
        (vec![users, profile_rows, requests, disclosures], counts)
    }
}

struct Details {
    kind: ProfileKind,
    bio: String,
    profession: Option<String>,
    specialty: Option<String>,
    credentials: Option<String>,
    licence_number: Option<String>,
    licence_jurisdiction: Option<String>,
    npi: Option<String>,
    affiliations: String,
    org_kind: Option<String>,
}

impl Default for Details {
    fn default() -> Self {
        Details {
            kind: ProfileKind::Personal,
            bio: String::new(),
            profession: None,
            specialty: None,
            credentials: None,
            licence_number: None,
            licence_jurisdiction: None,
            npi: None,
            affiliations: String::new(),
            org_kind: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The follow graph

struct Graph {
    follow_rows: Rows,
    topic_follow_rows: Rows,
    /// For each author, the authors following them (indexes).
    followers: Vec<Vec<u32>>,
    sample_member: usize,
    sample_member_follows: u64,
}

impl Graph {
    fn generate(
        people: &People,
        topic_ids: &HashMap<&'static str, i64>,
        rng_seed: u64,
        now: i64,
    ) -> Graph {
        let mut rng = StdRng::seed_from_u64(rng_seed ^ 0xf011);
        let authors = &people.authors;
        let n = authors.len();
        let weights: Vec<f64> = authors.iter().map(|a| a.popularity).collect();
        let pick = WeightedIndex::new(&weights).ok();
        // The first member follows exactly 100 accounts (fewer on a tiny instance): the load
        // test reads their home timeline, and a fixed size keeps runs comparable.
        let sample_member = authors
            .iter()
            .position(|a| a.role == Role::Member)
            .unwrap_or(0);
        let mut followers: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pairs: Vec<(i64, i64, i64)> = Vec::new();
        let mut topic_follows = Rows::new("topic_follows", TOPIC_FOLLOW_COLUMNS);
        // With few accounts, following "50–200" would mean following nearly everyone.
        let most = (n.saturating_sub(1) / 2).max(1);
        for (i, a) in authors.iter().enumerate() {
            let wanted = if i == sample_member {
                100.min(n.saturating_sub(1))
            } else if a.role == Role::Organisation {
                rng.gen_range(10..=40).min(most)
            } else {
                rng.gen_range(50..=200).min(most)
            };
            let Some(pick) = &pick else { break };
            // A BTreeSet, so that the same seed gives the same graph (a HashSet's order varies).
            let mut chosen: BTreeSet<usize> = BTreeSet::new();
            let mut attempts = 0;
            while chosen.len() < wanted && attempts < wanted * 50 {
                attempts += 1;
                let j = pick.sample(&mut rng);
                if j != i {
                    chosen.insert(j);
                }
            }
            // Popularity is skewed; on a small instance fill up with anyone not yet followed.
            if chosen.len() < wanted {
                for j in (0..n).filter(|j| *j != i) {
                    if chosen.len() >= wanted {
                        break;
                    }
                    chosen.insert(j);
                }
            }
            for j in chosen {
                let since = a.created_at.max(authors[j].created_at);
                let at = since + rng.gen_range(0..=((now - since) / 2).max(1));
                pairs.push((a.profile_id, authors[j].profile_id, at));
                followers[j].push(i as u32);
            }
            // Some people also follow topics; the sample member follows three.
            let topic_count = if i == sample_member {
                3
            } else if a.role != Role::Organisation && rng.gen_bool(0.3) {
                rng.gen_range(1..=5)
            } else {
                0
            };
            let mut topics: Vec<usize> = Vec::new();
            while topics.len() < topic_count {
                let t = if !a.focus.is_empty() && rng.gen_bool(0.7) {
                    a.focus[rng.gen_range(0..a.focus.len())]
                } else {
                    rng.gen_range(0..TOPICS.len())
                };
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
            for t in topics {
                topic_follows.push([
                    V::Int(a.profile_id),
                    V::Int(topic_ids[TOPICS[t].slug]),
                    V::Int(a.created_at + rng.gen_range(0..DAY_MS * 30)),
                ]);
            }
        }
        let sample_member_follows = pairs
            .iter()
            .filter(|p| p.0 == authors[sample_member].profile_id)
            .count() as u64;
        // Primary-key order makes the inserts append to the B-tree instead of splitting pages
        // all over it.
        pairs.sort_unstable();
        let mut follow_rows = Rows::new("follows", FOLLOW_COLUMNS);
        follow_rows.values.reserve(pairs.len() * 3);
        for (follower, followee, at) in pairs {
            follow_rows.push([V::Int(follower), V::Int(followee), V::Int(at)]);
        }
        Graph {
            follow_rows,
            topic_follow_rows: topic_follows,
            followers,
            sample_member,
            sample_member_follows,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Posts

/// Everything that determines a post's checked text (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Template {
    Post {
        topic: u8,
        fact: u8,
        action: u8,
        sourced: bool,
        opener: u8,
        closer: u8,
    },
    Tip {
        topic: u8,
        fact: u8,
        action: u8,
        sourced: bool,
        closer: u8,
    },
    Article {
        topic: u8,
        title: u8,
        closer: u8,
    },
    ResearchUpdate {
        study: u8,
        closer: u8,
    },
}

impl Template {
    fn kind(self) -> PostKind {
        match self {
            Template::Post { .. } => PostKind::Post,
            Template::Tip { .. } => PostKind::Tip,
            Template::Article { .. } => PostKind::Article,
            Template::ResearchUpdate { .. } => PostKind::ResearchUpdate,
        }
    }

    fn draft_kind(self) -> DraftKind {
        match self.kind() {
            PostKind::Post => DraftKind::Post,
            PostKind::Tip => DraftKind::Tip,
            PostKind::Article => DraftKind::Article,
            PostKind::ResearchUpdate => DraftKind::ResearchUpdate,
        }
    }

    /// The curated topic this text is about (its slug is the hashtag).
    fn slug(self) -> &'static str {
        match self {
            Template::Post { topic, .. }
            | Template::Tip { topic, .. }
            | Template::Article { topic, .. } => TOPICS[topic as usize].slug,
            Template::ResearchUpdate { study, .. } => STUDIES[study as usize].slug,
        }
    }

    /// Title and body, as an author would have typed them.
    fn text(self) -> (String, String) {
        fn sentence(parts: &[&str]) -> String {
            parts
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        }
        let closer_of = |c: u8| texts::CLOSERS[c as usize];
        match self {
            Template::Post {
                topic,
                fact,
                action,
                sourced,
                opener,
                closer,
            } => {
                let t: &TopicText = &TOPICS[topic as usize];
                let mut body = sentence(&[
                    texts::OPENERS[opener as usize],
                    t.facts[fact as usize],
                    t.actions[action as usize],
                    closer_of(closer),
                ]);
                if sourced {
                    let lead =
                        texts::SOURCE_LEADS[(fact + action) as usize % texts::SOURCE_LEADS.len()];
                    body.push_str(&format!("\n\n{lead} {}", t.source));
                }
                // Two in three carry their topic as an inline hashtag; the others were filed
                // with the compose form's topic list.
                if (fact + action) % 3 != 0 {
                    body.push_str(&format!("\n\n#{}", t.slug));
                }
                (String::new(), body)
            }
            Template::Tip {
                topic,
                fact,
                action,
                sourced,
                closer,
            } => {
                let t = &TOPICS[topic as usize];
                let mut body = sentence(&[
                    t.actions[action as usize],
                    t.facts[fact as usize],
                    closer_of(closer),
                ]);
                if sourced {
                    body.push_str(&format!("\n\nSource: {}", t.source));
                }
                body.push_str(&format!("\n\n#{}", t.slug));
                (String::new(), body)
            }
            Template::Article {
                topic,
                title,
                closer,
            } => {
                let t = &TOPICS[topic as usize];
                let f = &t.facts;
                let a = &t.actions;
                let mut body = format!(
                    "{} {}\n\n## What you can do\n\n- {}\n- {}\n- {}\n- {}\n\n{} {}\n\n",
                    f[0], f[1], a[0], a[1], a[2], a[3], f[2], f[3]
                );
                if !closer_of(closer).is_empty() {
                    body.push_str(closer_of(closer));
                    body.push_str("\n\n");
                }
                body.push_str(&format!("Source: <{}>\n\n#{}", t.source, t.slug));
                (t.titles[title as usize].to_string(), body)
            }
            Template::ResearchUpdate { study, closer } => {
                let s = &STUDIES[study as usize];
                let mut body = format!("{}\n\n<https://doi.org/{}>\n\n", s.summary, s.doi);
                if !closer_of(closer).is_empty() {
                    body.push_str(closer_of(closer));
                    body.push_str("\n\n");
                }
                body.push_str(&format!("#{}", s.slug));
                (s.title.to_string(), body)
            }
        }
    }
}

/// A template's text, rendered and checked once.
struct Prepared {
    title: Arc<str>,
    body: Arc<str>,
    body_html: Arc<str>,
    /// The slugs of the hashtags in the body.
    hashtags: Vec<String>,
    label: &'static str,
    reasons: Arc<str>,
    score: i64,
    reading_grade: f64,
    /// Whether `posts::create` would publish it (see [`publishable`]).
    publishable: bool,
}

impl Prepared {
    fn new(checker: &Checker, author: &Profile, template: Template) -> Prepared {
        let (title, body) = template.text();
        let kind = template.kind();
        let body_html = if matches!(kind, PostKind::Article | PostKind::ResearchUpdate) {
            content::render_markdown(&body)
        } else {
            content::render_plain(&body)
        };
        let assessment = check(checker, author, template, &title, &body);
        Prepared {
            hashtags: content::hashtags(&body),
            publishable: publishable(kind, &assessment),
            label: posts::label_code(assessment.label),
            reasons: serde_json::to_string(&assessment.reasons)
                .unwrap_or_else(|_| "[]".into())
                .into(),
            score: i64::from(assessment.score),
            reading_grade: assessment.reading_grade,
            title: title.into(),
            body: body.into(),
            body_html: body_html.into(),
        }
    }
}

/// The engine's verdict on a post's text, checked exactly as `posts::create` checks it (no
/// disclosure, citations, content warning or media here; readability on title and body).
fn check(
    checker: &Checker,
    author: &Profile,
    template: Template,
    title: &str,
    body: &str,
) -> posts::Assessment {
    posts::assess_prose(
        checker,
        author,
        template.draft_kind(),
        &posts::text_for_check(title, body, "", &[]),
        Some(&format!("{title}\n\n{body}")),
        &[],
    )
}

/// The publishing rules of `posts::create` that a seeded post could meet: no PHI (seeded posts
/// record no consent, and members are not asked to confirm), no commercial promotion (they
/// carry no disclosure), and a research update needs a peer-reviewed source.
fn publishable(kind: PostKind, assessment: &posts::Assessment) -> bool {
    let report = &assessment.report;
    let commercial = report.findings.iter().any(|f| {
        f.kind == credence_check::FindingKind::CommercialInterest
            && f.severity >= credence_check::Severity::Warning
    });
    let peer_reviewed = report.citations.iter().any(|c| c.tier == Some(1));
    report.phi.is_empty() && !commercial && (kind != PostKind::ResearchUpdate || peer_reviewed)
}

/// The byline the engine sees for cached checks: no name or company in a template matches it.
fn template_author() -> Profile {
    let now = now_ms();
    Profile {
        id: 0,
        user_id: 0,
        kind: ProfileKind::Professional,
        handle: "seeded_author".into(),
        display_name: "Seeded Author".into(),
        bio: String::new(),
        links: Vec::new(),
        profession: None,
        specialty: None,
        credentials: None,
        licence_number: None,
        licence_jurisdiction: None,
        npi: None,
        affiliations: Vec::new(),
        org_kind: None,
        verification: VerificationState::Verified,
        verified_at: None,
        created_at: now,
        updated_at: now,
        disclosures: Vec::new(),
        stats: None,
    }
}

/// Post batches shared by one or two writers, and what they have stored so far.
struct PostFeed {
    receiver: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<PostBatch>>,
    totals: std::sync::Mutex<PostTotals>,
    last_report: std::sync::Mutex<Instant>,
    /// Set when a writer fails, so the other one stops too.
    failed: AtomicBool,
}

#[derive(Debug, Clone, Default)]
struct PostTotals {
    posts: u64,
    followers_only: u64,
    articles: u64,
    tips: u64,
    research_updates: u64,
    post_topics: u64,
    favourites: u64,
}

impl PostFeed {
    /// Stores batches on `conn` until there are none left (or the other writer failed), calling
    /// `report` with the totals at most every five seconds.
    async fn drain(
        &self,
        conn: &mut AnyConnection,
        writer: &mut Writer,
        report: &(dyn Fn(&PostTotals, bool) + Sync),
    ) -> CoreResult<()> {
        while !self.failed.load(Ordering::Relaxed) {
            let batch = self.receiver.lock().await.recv().await;
            let Some(batch) = batch else { break };
            if let Err(e) = writer.write_post_batch(conn, &batch).await {
                self.failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
            let totals = {
                let mut t = self.totals.lock().expect("totals lock");
                t.posts += batch.posts.len() as u64;
                t.followers_only += batch.followers_only;
                t.articles += batch.articles;
                t.tips += batch.tips;
                t.research_updates += batch.research_updates;
                t.post_topics += batch.post_topics.len() as u64;
                t.favourites += batch.favourites.len() as u64;
                t.clone()
            };
            let due = {
                let mut last = self.last_report.lock().expect("report lock");
                let due = last.elapsed() >= Duration::from_secs(5);
                if due {
                    *last = Instant::now();
                }
                due
            };
            report(&totals, due);
        }
        Ok(())
    }
}

/// A batch of posts with their topics and favourites.
struct PostBatch {
    posts: Rows,
    post_topics: Rows,
    favourites: Rows,
    followers_only: u64,
    articles: u64,
    tips: u64,
    research_updates: u64,
}

struct PostGenerator {
    people: Arc<People>,
    followers: Vec<Vec<u32>>,
    topic_ids: Arc<HashMap<&'static str, i64>>,
    posts: usize,
    now: i64,
    rng_seed: u64,
}

impl PostGenerator {
    /// Generates every post, sending batches until done or until the receiver is gone.
    /// Returns how many templates were checked.
    fn run(self, sender: tokio::sync::mpsc::Sender<PostBatch>) -> CoreResult<u64> {
        let mut rng = StdRng::seed_from_u64(self.rng_seed ^ 0x9057);
        let checker = Checker::new();
        let byline = template_author();
        let authors = &self.people.authors;
        let activity = WeightedIndex::new(authors.iter().map(|a| a.activity))
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("author weights: {e}")))?;
        // Favourites per post follow the author's popularity, scaled so the mean over all
        // posts is MEAN_FAVOURITES (or less, under the cap).
        let total_activity: f64 = authors.iter().map(|a| a.activity).sum();
        let mean_appeal: f64 = authors
            .iter()
            .map(|a| a.activity / total_activity * a.popularity)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mean_favourites = MEAN_FAVOURITES.min(MAX_FAVOURITES as f64 / self.posts.max(1) as f64);
        let mut favourites_left = MAX_FAVOURITES;
        let mut cache: HashMap<Template, Arc<Prepared>> = HashMap::new();
        let start = (self.now - SPAN_DAYS * DAY_MS).max(earliest_id_time());
        let span = (self.now - 60_000 - start).max(self.posts as i64);
        let slot = (span / self.posts as i64).max(1);

        let mut i = 0;
        while i < self.posts {
            let n = POSTS_PER_BATCH.min(self.posts - i);
            let mut batch = PostBatch {
                posts: Rows::new("posts", POST_COLUMNS),
                post_topics: Rows::new("post_topics", POST_TOPIC_COLUMNS),
                favourites: Rows::new("favourites", FAVOURITE_COLUMNS),
                followers_only: 0,
                articles: 0,
                tips: 0,
                research_updates: 0,
            };
            batch.posts.values.reserve(n * POST_COLUMNS.len());
            for k in i..i + n {
                // Publication times rise with k (one slot per post, jittered inside it), so
                // ids come in order and the inserts append to the indexes on id.
                let at = start + (k as i64 * span) / self.posts as i64 + rng.gen_range(0..slot);
                let a = activity.sample(&mut rng);
                let author = &authors[a];
                let mut prepared = None;
                for _ in 0..20 {
                    let template = pick_template(&mut rng, author);
                    let p = cache
                        .entry(template)
                        .or_insert_with(|| Arc::new(Prepared::new(&checker, &byline, template)))
                        .clone();
                    if p.publishable {
                        prepared = Some((template, p));
                        break;
                    }
                }
                let Some((template, p)) = prepared else {
                    return Err(CoreError::Internal(anyhow::anyhow!(
                        "no publishable template found: the seed texts need fixing"
                    )));
                };
                let id = id_at(at);
                let followers = &self.followers[a];
                let visibility = if rng.gen_bool(FOLLOWERS_ONLY) {
                    batch.followers_only += 1;
                    "followers"
                } else {
                    "public"
                };
                match template.kind() {
                    PostKind::Article => batch.articles += 1,
                    PostKind::Tip => batch.tips += 1,
                    PostKind::ResearchUpdate => batch.research_updates += 1,
                    PostKind::Post => {}
                }
                // Topics: the hashtags in the text, and sometimes a related topic picked from
                // the compose form's list.
                let mut topics: Vec<i64> = p
                    .hashtags
                    .iter()
                    .filter_map(|slug| self.topic_ids.get(slug.as_str()).copied())
                    .collect();
                let main = self.topic_ids[template.slug()];
                if !topics.contains(&main) {
                    topics.push(main);
                }
                if let Template::Post { topic, .. } | Template::Tip { topic, .. } = template {
                    let related = TOPICS[topic as usize].related;
                    if rng.gen_bool(0.4) {
                        let extra = self.topic_ids[related[rng.gen_range(0..related.len())]];
                        if !topics.contains(&extra) {
                            topics.push(extra);
                        }
                    }
                }
                for t in &topics {
                    batch.post_topics.push([V::Int(id), V::Int(*t)]);
                }
                // Favourites: followers mostly; for a public post, anyone now and then; a
                // followers-only post only by followers (who else could see it).
                let mean = mean_favourites * author.popularity / mean_appeal;
                let wanted = ((-rng.gen::<f64>().max(1e-12).ln()) * mean).round() as u64;
                let wanted = wanted.min(200).min(favourites_left);
                let mut fans: Vec<usize> = Vec::new();
                let mut attempts = 0;
                while (fans.len() as u64) < wanted && attempts < wanted * 4 {
                    attempts += 1;
                    let from_followers = visibility == "followers" || rng.gen_bool(0.7);
                    let fan = if from_followers {
                        if followers.is_empty() {
                            break;
                        }
                        followers[rng.gen_range(0..followers.len())] as usize
                    } else {
                        rng.gen_range(0..authors.len())
                    };
                    if fan != a && !fans.contains(&fan) {
                        fans.push(fan);
                    }
                }
                favourites_left -= fans.len() as u64;
                let latest = self.now.saturating_sub(at).clamp(1, 2 * DAY_MS);
                for fan in &fans {
                    batch.favourites.push([
                        V::Int(authors[*fan].profile_id),
                        V::Int(id),
                        V::Int(at + rng.gen_range(0..latest)),
                    ]);
                }
                let rank = at + posts::rank_bonus(author.verified(), p.label, false);
                batch.posts.push([
                    V::Int(id),
                    V::Int(author.profile_id),
                    V::Static(template.kind().as_str()),
                    V::Static("published"),
                    V::Static(visibility),
                    V::Shared(p.title.clone()),
                    V::Shared(p.body.clone()),
                    V::Shared(p.body_html.clone()),
                    V::Static(p.label),
                    V::Shared(p.reasons.clone()),
                    V::Int(p.score),
                    V::Real(p.reading_grade),
                    V::Int(rank),
                    V::Int(fans.len() as i64),
                    V::Int(at),
                    V::Int(at),
                ]);
            }
            i += n;
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
        Ok(cache.len() as u64)
    }
}

/// One of the first `n` phrases, by index. The lists repeat "" to make it more likely; every
/// blank counts as index 0, so that one text is one cache key.
fn phrase(rng: &mut StdRng, n: usize, phrases: &[&str]) -> u8 {
    let i = rng.gen_range(0..n);
    if phrases[i].is_empty() {
        0
    } else {
        i as u8
    }
}

/// What an author writes next: members write short posts on any topic; professionals and
/// organisations mostly short posts in their field, some tips and articles, and a few
/// research updates.
fn pick_template(rng: &mut StdRng, author: &Author) -> Template {
    let topic = if !author.focus.is_empty() && rng.gen_bool(0.75) {
        author.focus[rng.gen_range(0..author.focus.len())]
    } else {
        rng.gen_range(0..TOPICS.len())
    } as u8;
    let fact = rng.gen_range(0..4u8);
    let action = rng.gen_range(0..4u8);
    let closer = phrase(rng, texts::CLOSERS.len(), texts::CLOSERS);
    let member = author.role == Role::Member;
    let roll = if member { 0.0 } else { rng.gen::<f64>() };
    // Members open with the plain phrases only ("From our team:" is for clinics and
    // clinicians).
    let openers = if member { 7 } else { texts::OPENERS.len() };
    if roll < 0.74 {
        Template::Post {
            topic,
            fact,
            action,
            sourced: rng.gen_bool(0.45),
            opener: phrase(rng, openers, texts::OPENERS),
            closer,
        }
    } else if roll < 0.86 {
        Template::Tip {
            topic,
            fact,
            action,
            sourced: rng.gen_bool(0.45),
            closer,
        }
    } else if roll < 0.97 {
        Template::Article {
            topic,
            title: rng.gen_range(0..2u8),
            closer,
        }
    } else {
        Template::ResearchUpdate {
            study: rng.gen_range(0..STUDIES.len()) as u8,
            closer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Email, Handle};

    /// The rules real sign-ups follow.
    fn valid_account_names(a: &Author) -> bool {
        Handle::parse(&a.handle).is_ok_and(|h| h.as_str() == a.handle)
            && Email::parse(&a.email).is_ok()
            && profiles::clean_display_name(&a.display_name, &a.handle).is_ok()
    }

    fn every_template() -> Vec<Template> {
        let mut all = Vec::new();
        for topic in 0..TOPICS.len() as u8 {
            for fact in 0..4 {
                for action in 0..4 {
                    for sourced in [false, true] {
                        all.push(Template::Post {
                            topic,
                            fact,
                            action,
                            sourced,
                            opener: 0,
                            closer: 0,
                        });
                        all.push(Template::Tip {
                            topic,
                            fact,
                            action,
                            sourced,
                            closer: 0,
                        });
                    }
                }
            }
            for title in 0..2 {
                all.push(Template::Article {
                    topic,
                    title,
                    closer: 0,
                });
            }
        }
        for study in 0..STUDIES.len() as u8 {
            all.push(Template::ResearchUpdate { study, closer: 0 });
        }
        // Every opener and closer, around a few sentences.
        for opener in 0..texts::OPENERS.len() as u8 {
            for closer in 0..texts::CLOSERS.len() as u8 {
                for (topic, sourced) in [(0, true), (11, false), (22, true)] {
                    all.push(Template::Post {
                        topic,
                        fact: opener % 4,
                        action: closer % 4,
                        sourced,
                        opener,
                        closer,
                    });
                }
            }
        }
        all
    }

    #[test]
    fn every_template_can_be_published() {
        let checker = Checker::new();
        let byline = template_author();
        let mut labels: HashMap<&str, usize> = HashMap::new();
        for template in every_template() {
            let p = Prepared::new(&checker, &byline, template);
            assert!(
                p.publishable,
                "{template:?} would be refused: {}",
                template.text().1
            );
            *labels.entry(p.label).or_default() += 1;
            assert!(p.hashtags.len() <= 1);
            assert!(
                p.body.chars().count() <= posts::MAX_POST_CHARS
                    || template.kind() == PostKind::Article
                    || template.kind() == PostKind::ResearchUpdate
            );
        }
        // A realistic mix: sourced posts earn the evidence-based label, unsourced claims are
        // asked for sources.
        assert!(labels["evidence_based"] > 100, "{labels:?}");
        assert!(labels["needs_sources"] > 20, "{labels:?}");
        assert!(labels["no_issues"] > 100, "{labels:?}");
    }

    #[test]
    fn cached_verdicts_match_a_fresh_check() {
        // The cache stands for a check of each post's own text by its own author: a different
        // byline with disclosures must not change the verdict.
        let checker = Checker::new();
        let mut author = template_author();
        author.display_name = "Dr Amara Okafor".into();
        author.handle = "dr_okafor12".into();
        author.disclosures.push(profiles::Disclosure {
            id: 1,
            company: texts::COMPANIES[0].0.into(),
            relationship: "consulting".into(),
            relationship_label: "Consulting fees",
            details: String::new(),
        });
        let byline = template_author();
        for template in every_template().into_iter().step_by(7) {
            let cached = Prepared::new(&checker, &byline, template);
            let (title, body) = template.text();
            let fresh = check(&checker, &author, template, &title, &body);
            assert_eq!(cached.label, posts::label_code(fresh.label), "{template:?}");
            assert_eq!(cached.score, i64::from(fresh.score), "{template:?}");
            assert_eq!(cached.reading_grade, fresh.reading_grade, "{template:?}");
            assert_eq!(
                &*cached.reasons,
                serde_json::to_string(&fresh.reasons).unwrap()
            );
        }
    }

    #[test]
    fn generated_people_have_valid_names_and_a_realistic_mix() {
        let people = People::generate(2_000, 7, now_ms(), &HashSet::new(), &HashSet::new());
        let mut handles = HashSet::new();
        for a in &people.authors {
            assert!(valid_account_names(a), "{} {}", a.handle, a.email);
            assert!(handles.insert(a.handle.to_lowercase()), "{}", a.handle);
        }
        let count = |f: &dyn Fn(&Author) -> bool| people.authors.iter().filter(|a| f(a)).count();
        let pros = count(&|a| a.role == Role::Professional);
        assert!((1_300..=1_500).contains(&pros), "{pros}");
        assert!(count(&|a| a.role == Role::Professional && a.verified()) > pros * 3 / 4);
        assert!(count(&|a| a.role == Role::Member) > 300);
        assert!(count(&|a| a.role == Role::Organisation) > 100);
        // A second run avoids the first run's handles.
        let taken: HashSet<String> = handles.clone();
        let again = People::generate(2_000, 7, now_ms(), &taken, &HashSet::new());
        assert!(again.authors.iter().all(|a| !taken.contains(&a.handle)));
    }

    #[test]
    fn ids_carry_their_time() {
        let now = now_ms();
        let a = id_at(now - 10 * DAY_MS);
        let b = id_at(now - 9 * DAY_MS);
        assert!(a < b && b < new_id());
        // 22 low bits hold the counter; the rest is milliseconds.
        assert_eq!((b >> 22) - (a >> 22), DAY_MS);
        assert_eq!(id_epoch(), 1_704_067_200_000, "2024-01-01T00:00:00Z");
        assert!(id_at(earliest_id_time()) > 0);
    }

    #[test]
    fn options_are_validated() {
        let ok = |posts, authors| ScaleOptions { posts, authors }.validate();
        assert!(ok(1_000_000, 10_000).is_ok());
        assert!(ok(0, 0).is_err());
        assert!(ok(10, 20).unwrap_err().contains("cannot exceed"));
    }

    #[test]
    fn statements_stay_under_the_parameter_limits() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let w = Writer::new(backend);
            for columns in [POST_COLUMNS, PROFILE_COLUMNS, FOLLOW_COLUMNS] {
                let n = w.rows_per_statement(columns.len());
                assert!(n * columns.len() <= 32_766 && n >= 1);
            }
        }
    }
}
