//! Storage: one pool over SQLite or PostgreSQL, chosen by the database URL at run time.
//!
//! Queries use sqlx's `Any` driver with `$1` placeholders and portable types only (BIGINT, TEXT),
//! so one query text runs on both backends. Migrations are kept per backend and embedded.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};

use super::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQL for one JSON text holding the rows of a query as arrays of `columns`, in `order`
    /// (`[]` for none). A page read this way comes back as one row: sqlx's SQLite driver hands
    /// every row over from its connection thread separately, and on a 20-post page those
    /// hand-offs cost more than the query.
    pub(crate) fn json_rows(self, columns: &str, order: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array(json_array({columns}) ORDER BY {order})"),
            Backend::Postgres => format!(
                "COALESCE(CAST(json_agg(json_build_array({columns}) ORDER BY {order}) AS TEXT), '[]')"
            ),
        }
    }

    /// SQL aggregating the text `expr` of a group's rows into one text separated by `sep`.
    pub(crate) fn text_agg(self, expr: &str, sep: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, '{sep}')"),
            Backend::Postgres => format!("string_agg({expr}, '{sep}')"),
        }
    }

    /// Whether a statement whose best plan depends on its values (a scan of all posts between
    /// two ids, a full-text search) may stay prepared: on SQLite, yes (it plans without the
    /// values either way, and preparing such a statement again costs more than running it);
    /// on PostgreSQL, no: sent unprepared, it is planned with its values (see `Db::connect`).
    pub(crate) fn keeps_value_plans(self) -> bool {
        self == Backend::Sqlite
    }

    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!(
                "unsupported database URL '{url}': use sqlite:PATH or postgres://USER@HOST/DB"
            )
        }
    }
}

/// A handle on the database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Where the pool connects, for the change listener's own connection (`ref_cache`).
    pub(crate) url: Arc<str>,
}

/// A write transaction (see [`Db::begin_write`]).
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects, failing with a message that names the database when it cannot be reached.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            // Create the file on first use.
            Backend::Sqlite if !url.contains("mode=") => {
                if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            _ => url.to_string(),
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        options = match backend {
            // A file on this machine cannot go stale between uses: checking each connection
            // on acquire (sqlx's default) was a second round trip to the connection's thread
            // for every statement, and thread hand-offs were the largest cost of a page.
            Backend::Sqlite => options
                .max_connections(8)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL lets readers run beside the writer; synchronous=FULL makes a commit
                        // that returned success durable; foreign keys are off by default in SQLite.
                        // Reads map the file (up to 2 GiB) rather than copy pages through each
                        // connection's 2 MB page cache, which a timeline page on a 1.8 GB
                        // instance overran, with a system call per page read.
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; \
                             PRAGMA mmap_size=2147418112;",
                        )
                        .await?;
                        Ok(())
                    })
                }),
            // Statements are prepared once per connection and PostgreSQL may then keep a
            // generic plan, which suits lookups by key (a home feed page, a profile). Scans of
            // all posts between two ids are sent unprepared instead (`Backend::keeps_value_plans` in
            // `timelines` and `search`), so they are planned with their values: a generic plan for
            // `id < $2 AND id > $3` guesses a narrow range and once took 13 s for 40 ms of work.
            Backend::Postgres => options.max_connections(16),
        };
        let pool = options
            .connect(&url)
            .await
            .with_context(|| format!("cannot open the database at {}", redact_url(&url)))?;
        Ok(Db {
            pool,
            backend,
            url: url.into(),
        })
    }

    /// Applies pending schema migrations for this backend (what data they need, such as the
    /// curated topics, is added by `crate::open`).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .context("applying database migrations")?;
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at `BEGIN IMMEDIATE`:
    /// a deferred transaction that reads first (an FTS5 trigger loading its index counts) and
    /// then writes cannot upgrade its lock while another connection writes, and SQLite refuses
    /// it at once instead of waiting out the busy timeout.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Deletes row `id` of `table` if `owner_column` names `owner`; someone else's row, or none,
    /// is `NotFound(what)` (a person's lists, filters, featured hashtags).
    pub async fn delete_owned(
        &self,
        table: &'static str,
        owner_column: &'static str,
        id: i64,
        owner: i64,
        what: &'static str,
    ) -> CoreResult<()> {
        let gone = sqlx::query(&format!(
            "DELETE FROM {table} WHERE id = $1 AND {owner_column} = $2"
        ))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if gone == 0 {
            return Err(CoreError::NotFound(what));
        }
        Ok(())
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Hides a password in a URL before it reaches a log or an error message.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// `$from, $from+1, …` for an `IN (…)` list of `n` values.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a column, turning a decode failure into an error that names the column.
pub fn col<T>(row: &AnyRow, name: &str) -> sqlx::Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name)
}

/// Parses a stored enum-like text column.
pub fn parse_col<T: FromStr>(row: &AnyRow, name: &str) -> sqlx::Result<T> {
    let text: String = col(row, name)?;
    text.parse().map_err(|_| sqlx::Error::ColumnDecode {
        index: name.to_string(),
        source: format!("unexpected value '{text}'").into(),
    })
}
