//! The two sets of migrations (`credence-core/migrations/{sqlite,postgres}`) build the same
//! schema: both backends are migrated and their tables, columns (name, nullability, type by
//! family) and indexes (name or constraint, columns, uniqueness, partial or not) compared. A
//! difference fails the test unless [`INTENDED`] lists it with its reason.

use std::collections::{BTreeMap, BTreeSet};

use credence_core::Core;
use sqlx::Row;

use crate::helpers::{fresh_database, Backend, Storage};

/// What may differ, and why: (difference as [`differences`] words it, reason).
const INTENDED: &[(&str, &str)] = &[
    (
        "table post_search only on sqlite",
        "SQLite searches with an FTS5 table kept in step by triggers",
    ),
    (
        "table post_search_config only on sqlite",
        "FTS5's own table",
    ),
    ("table post_search_data only on sqlite", "FTS5's own table"),
    (
        "table post_search_docsize only on sqlite",
        "FTS5's own table",
    ),
    ("table post_search_idx only on sqlite", "FTS5's own table"),
    (
        "column posts.search only on postgres",
        "PostgreSQL searches a generated tsvector column",
    ),
    (
        "index posts.posts_search only on postgres",
        "the GIN index over that column",
    ),
    (
        "table ref_changes only on sqlite",
        "SQLite's change log for the listing cache; PostgreSQL announces changes with NOTIFY",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    family: String,
    not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// By name, or `unique(a,b)` for the index behind a UNIQUE constraint (whose name each
    /// backend makes up). Primary keys are compared as `primary_key`.
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

/// A column type as a family: SQLite's declared type and PostgreSQL's `data_type` differ in
/// spelling (`BLOB` / `bytea`), not in what they hold.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let family = if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        "real"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("timestamp") {
        "timestamp"
    } else {
        return t;
    };
    family.to_string()
}

fn constraint_key(columns: &[String]) -> String {
    format!("unique({})", columns.join(","))
}

async fn sqlite_schema(core: &Core) -> Schema {
    let pool = &core.db.pool;
    let names: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("name"))
    .collect();
    let mut schema = Schema::new();
    for name in names {
        let mut table = Table::default();
        let mut key: Vec<(i64, String)> = Vec::new();
        for r in sqlx::query("SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info($1)")
            .bind(&name)
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let column: String = r.get("name");
            let pk: i64 = r.get("pk");
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            table.columns.insert(
                column,
                Column {
                    family: family(&r.get::<String, _>("type")),
                    // SQLite lets a non-INTEGER primary key hold NULL unless told otherwise;
                    // every key here is an id or a pair of ids the code always sets.
                    not_null: r.get::<i64, _>("nn") != 0 || pk > 0,
                },
            );
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        for r in sqlx::query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list($1)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let index: String = r.get("name");
            let origin: String = r.get("origin");
            if origin == "pk" {
                continue;
            }
            let columns: Vec<String> =
                sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|c| c.get("name"))
                    .collect();
            let key = if origin == "u" {
                constraint_key(&columns)
            } else {
                index
            };
            table.indexes.insert(
                key,
                Index {
                    columns,
                    unique: r.get::<i64, _>("is_unique") != 0,
                    partial: r.get::<i64, _>("partial") != 0,
                },
            );
        }
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(core: &Core) -> Schema {
    let pool = &core.db.pool;
    let mut schema = Schema::new();
    for r in sqlx::query(
        "SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name, \
           CAST(data_type AS TEXT) AS data_type, \
           CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
         FROM information_schema.columns WHERE table_schema = 'public' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let table: String = r.get("table_name");
        schema.entry(table).or_default().columns.insert(
            r.get("column_name"),
            Column {
                family: family(&r.get::<String, _>("data_type")),
                not_null: r.get::<i32, _>("not_null") != 0,
            },
        );
    }
    for r in sqlx::query(
        "SELECT CAST(t.relname AS TEXT) AS table_name, CAST(i.relname AS TEXT) AS index_name, \
           CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS is_unique, \
           CASE WHEN ix.indisprimary THEN 1 ELSE 0 END AS is_primary, \
           CASE WHEN ix.indpred IS NULL THEN 0 ELSE 1 END AS is_partial, \
           (SELECT COUNT(*) FROM pg_constraint c WHERE c.conindid = ix.indexrelid \
              AND c.contype = 'u') AS backs_unique, \
           array_to_string(ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY \
              AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
              ORDER BY k.ord), ',') AS columns \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
           JOIN pg_class t ON t.oid = ix.indrelid \
           JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let table = schema.entry(r.get("table_name")).or_default();
        let columns: Vec<String> = r
            .get::<String, _>("columns")
            .split(',')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        if r.get::<i32, _>("is_primary") != 0 {
            table.primary_key = columns;
            continue;
        }
        let key = if r.get::<i64, _>("backs_unique") > 0 {
            constraint_key(&columns)
        } else {
            r.get("index_name")
        };
        table.indexes.insert(
            key,
            Index {
                columns,
                unique: r.get::<i32, _>("is_unique") != 0,
                partial: r.get::<i32, _>("is_partial") != 0,
            },
        );
    }
    schema
}

/// Every difference between the two schemas, in words.
fn differences(sqlite: &Schema, postgres: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let only = |name: &str, on: &str| format!("{name} only on {on}");
    let tables: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for t in tables {
        let (s, p) = match (sqlite.get(t), postgres.get(t)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.insert(only(&format!("table {t}"), "sqlite"));
                continue;
            }
            (None, _) => {
                out.insert(only(&format!("table {t}"), "postgres"));
                continue;
            }
        };
        if s.primary_key != p.primary_key {
            out.insert(format!(
                "primary key of {t}: sqlite {:?}, postgres {:?}",
                s.primary_key, p.primary_key
            ));
        }
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for c in columns {
            match (s.columns.get(c), p.columns.get(c)) {
                (Some(a), Some(b)) if a != b => {
                    out.insert(format!("column {t}.{c}: sqlite {a:?}, postgres {b:?}"));
                }
                (Some(_), None) => {
                    out.insert(only(&format!("column {t}.{c}"), "sqlite"));
                }
                (None, Some(_)) => {
                    out.insert(only(&format!("column {t}.{c}"), "postgres"));
                }
                _ => {}
            }
        }
        let indexes: BTreeSet<&String> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for i in indexes {
            match (s.indexes.get(i), p.indexes.get(i)) {
                (Some(a), Some(b)) if a != b => {
                    out.insert(format!("index {t}.{i}: sqlite {a:?}, postgres {b:?}"));
                }
                (Some(_), None) => {
                    out.insert(only(&format!("index {t}.{i}"), "sqlite"));
                }
                (None, Some(_)) => {
                    out.insert(only(&format!("index {t}.{i}"), "postgres"));
                }
                _ => {}
            }
        }
    }
    out
}

async fn migrated(backend: Backend) -> (Core, Storage) {
    let database = fresh_database(backend).await;
    let core = credence_core::open(&database.options()).await.unwrap();
    (core, database.storage)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432; scripts/test runs it"]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let (sqlite, _s) = migrated(Backend::Sqlite).await;
    let (postgres, _p) = migrated(Backend::Postgres).await;
    let found = differences(
        &sqlite_schema(&sqlite).await,
        &postgres_schema(&postgres).await,
    );
    let intended: BTreeSet<String> = INTENDED.iter().map(|(d, _)| d.to_string()).collect();
    let unexpected: Vec<&String> = found.difference(&intended).collect();
    let stale: Vec<&String> = intended.difference(&found).collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "the SQLite and PostgreSQL migrations disagree:\n  {}\nlisted as intended but no longer \
         different:\n  {}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        stale
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn the_comparison_notices_what_differs() {
    let table = |columns: &[(&str, &str, bool)], indexes: &[(&str, &[&str], bool)]| Table {
        columns: columns
            .iter()
            .map(|(n, t, nn)| {
                (
                    n.to_string(),
                    Column {
                        family: family(t),
                        not_null: *nn,
                    },
                )
            })
            .collect(),
        primary_key: vec!["id".into()],
        indexes: indexes
            .iter()
            .map(|(n, cols, unique)| {
                (
                    n.to_string(),
                    Index {
                        columns: cols.iter().map(|c| c.to_string()).collect(),
                        unique: *unique,
                        partial: false,
                    },
                )
            })
            .collect(),
    };
    let sqlite = Schema::from([(
        "posts".to_string(),
        table(
            &[
                ("id", "BIGINT", true),
                ("body", "TEXT", true),
                ("data", "BLOB", false),
            ],
            &[("posts_author", &["author_id"], false)],
        ),
    )]);
    let same = Schema::from([(
        "posts".to_string(),
        table(
            &[
                ("id", "bigint", true),
                ("body", "text", true),
                ("data", "bytea", false),
            ],
            &[("posts_author", &["author_id"], false)],
        ),
    )]);
    assert!(differences(&sqlite, &same).is_empty());
    let drifted = Schema::from([(
        "posts".to_string(),
        table(
            &[
                ("id", "bigint", true),
                ("body", "text", false),
                ("extra", "text", true),
            ],
            &[("posts_author", &["author_id"], true)],
        ),
    )]);
    let found = differences(&sqlite, &drifted);
    for expected in [
        "column posts.body: sqlite Column { family: \"text\", not_null: true }, postgres Column { family: \"text\", not_null: false }",
        "column posts.data only on sqlite",
        "column posts.extra only on postgres",
    ] {
        assert!(found.contains(expected), "{expected}\nin {found:#?}");
    }
    assert!(
        found
            .iter()
            .any(|d| d.starts_with("index posts.posts_author")),
        "{found:#?}"
    );
}
