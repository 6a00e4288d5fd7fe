//! Rows and the writer: multi-row INSERTs in large transactions.

use super::templates::PostBatch;
use super::TX_ROWS;
use credence_core::kernel::db::Backend;
use credence_core::CoreResult;
use sqlx::{AnyConnection, Connection};
use std::collections::HashMap;
use std::sync::Arc;

/// One value of a row, as bound to the statement.
#[derive(Clone)]
pub(super) enum V {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
    Shared(Arc<str>),
    OptText(Option<String>),
    Static(&'static str),
}

/// Rows for one table, flattened.
pub(super) struct Rows {
    pub(super) table: &'static str,
    pub(super) columns: &'static [&'static str],
    pub(super) values: Vec<V>,
}

impl Rows {
    pub(super) fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            values: Vec::new(),
        }
    }

    pub(super) fn push<const N: usize>(&mut self, row: [V; N]) {
        debug_assert_eq!(N, self.columns.len(), "a row for {}", self.table);
        self.values.extend(row);
    }

    pub(super) fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// The first and second half of the rows (for two writers).
    pub(super) fn halves(&self) -> (Rows, Rows) {
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

pub(super) const USER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "password_hash",
    "role",
    "created_at",
    "password_changed_at",
];
pub(super) const PROFILE_COLUMNS: &[&str] = &[
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
pub(super) const VERIFICATION_COLUMNS: &[&str] = &[
    "id",
    "profile_id",
    "note",
    "state",
    "submitted_at",
    "decided_at",
];
pub(super) const DISCLOSURE_COLUMNS: &[&str] = &[
    "id",
    "profile_id",
    "company",
    "relationship",
    "details",
    "created_at",
];
pub(super) const FOLLOW_COLUMNS: &[&str] = &["id", "follower_id", "followee_id", "created_at"];
pub(super) const TOPIC_FOLLOW_COLUMNS: &[&str] = &["profile_id", "topic_id", "created_at"];
pub(super) const POST_COLUMNS: &[&str] = &[
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
pub(super) const POST_TOPIC_COLUMNS: &[&str] = &["post_id", "topic_id"];
pub(super) const FAVOURITE_COLUMNS: &[&str] = &["profile_id", "post_id", "created_at"];

/// Writes [`Rows`] as multi-row INSERTs, keeping the statement texts (and so the prepared
/// statements) for reuse.
pub(super) struct Writer {
    pub(super) backend: Backend,
    pub(super) statements: HashMap<(&'static str, usize), Arc<str>>,
}

impl Writer {
    pub(super) fn new(backend: Backend) -> Writer {
        Writer {
            backend,
            statements: HashMap::new(),
        }
    }

    /// Rows per INSERT: 500, or fewer if the table is wide enough to pass the bind-parameter
    /// limit (SQLite 32,766 since 3.32; PostgreSQL 65,535).
    pub(super) fn rows_per_statement(&self, columns: usize) -> usize {
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
    pub(super) fn statement(&mut self, rows: &Rows, n: usize) -> Arc<str> {
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
    pub(super) async fn insert(&mut self, conn: &mut AnyConnection, rows: &Rows) -> CoreResult<()> {
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
    pub(super) async fn write_in_transactions(
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
    pub(super) async fn write_post_batch(
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
