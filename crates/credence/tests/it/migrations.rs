//! The two sets of migrations (`credence-core/migrations/{sqlite,postgres}`) build the same
//! schema: both directories hold the same migrations (version and name), and both backends
//! are migrated and their tables, columns (name, nullability, type by family), indexes (name
//! or constraint, columns, uniqueness, partial or not), foreign keys (columns, target and what
//! a delete does) and triggers (by name) compared. A difference fails the test unless
//! [`INTENDED`] lists it with its reason. Not compared: CHECK constraints, defaults and a
//! partial index's condition (each backend words its SQL its own way).

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
    (
        "trigger posts posts_search only on sqlite",
        "keeps the FTS5 table in step with posts",
    ),
    (
        "trigger posts posts_ref only on sqlite",
        "writes deleted posts into SQLite's change log (ref_changes)",
    ),
    (
        "trigger posts posts_ref_change only on sqlite",
        "writes changed posts into SQLite's change log (ref_changes)",
    ),
    (
        "trigger profiles profiles_ref only on sqlite",
        "writes deleted profiles into SQLite's change log (ref_changes)",
    ),
    (
        "trigger profiles profiles_ref_change only on sqlite",
        "writes changed profiles into SQLite's change log (ref_changes)",
    ),
    (
        "trigger posts posts_announce_deletes only on postgres",
        "PostgreSQL's NOTIFY of deleted posts, for the same caches",
    ),
    (
        "trigger posts posts_announce_updates only on postgres",
        "PostgreSQL's NOTIFY of changed posts, for the same caches",
    ),
    (
        "trigger profiles profiles_announce_deletes only on postgres",
        "PostgreSQL's NOTIFY of deleted profiles, for the same caches",
    ),
    (
        "trigger profiles profiles_announce_updates only on postgres",
        "PostgreSQL's NOTIFY of changed profiles, for the same caches",
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
    /// `(author_id) -> profiles(id) on delete cascade`.
    foreign_keys: BTreeSet<String>,
    triggers: BTreeSet<String>,
    /// By name, or `unique(a,b)` for the index behind a UNIQUE constraint (whose name each
    /// backend makes up). Primary keys are compared as `primary_key`.
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

/// A column type as a family: SQLite's declared type and PostgreSQL's `data_type` differ in
/// spelling (`BLOB` / `bytea`), not in what they hold. Any other type is compared as written.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let family = match t.as_str() {
        "integer" | "int" | "bigint" | "smallint" | "int2" | "int4" | "int8" => "integer",
        "text" | "character varying" | "varchar" | "character" | "char" => "text",
        "blob" | "bytea" => "bytes",
        "real" | "double precision" | "float" | "double" => "real",
        "boolean" | "bool" => "boolean",
        _ => return t,
    };
    family.to_string()
}

/// A trigger's name without the event it fires on: SQLite needs a trigger per event
/// (`media_render_insert`, `…_update`, `…_delete`) where PostgreSQL's one fires on several
/// (`media_render`).
fn trigger_purpose(name: &str) -> String {
    ["_insert", "_update", "_delete"]
        .iter()
        .find_map(|event| name.strip_suffix(event))
        .unwrap_or(name)
        .to_string()
}

/// A foreign key as the comparison words it.
fn foreign_key(columns: &str, target: &str, target_columns: &str, on_delete: &str) -> String {
    format!(
        "({columns}) -> {target}({target_columns}) on delete {}",
        on_delete.to_ascii_lowercase()
    )
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
            // An expression has no column name.
            let columns: Vec<String> =
                sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|c| {
                        c.get::<Option<String>, _>("name")
                            .unwrap_or_else(|| "(expression)".into())
                    })
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
        let mut keys: BTreeMap<i64, (Vec<String>, String, Vec<String>, String)> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT id, seq, \"table\" AS target, \"from\" AS col, \"to\" AS target_col, \
             on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let key = keys.entry(r.get("id")).or_default();
            key.0.push(r.get("col"));
            key.1 = r.get("target");
            key.2.push(
                r.get::<Option<String>, _>("target_col")
                    .unwrap_or_else(|| "id".into()),
            );
            key.3 = r.get("on_delete");
        }
        table.foreign_keys = keys
            .values()
            .map(|(c, t, tc, d)| foreign_key(&c.join(","), t, &tc.join(","), d))
            .collect();
        table.triggers =
            sqlx::query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| trigger_purpose(&r.get::<String, _>("name")))
                .collect();
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
    for r in sqlx::query(
        "SELECT CAST(t.relname AS TEXT) AS table_name, CAST(f.relname AS TEXT) AS target, \
           array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY \
              AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid \
              AND a.attnum = k.attnum ORDER BY k.ord), ',') AS columns, \
           array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY \
              AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid \
              AND a.attnum = k.attnum ORDER BY k.ord), ',') AS target_columns, \
           CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' \
             WHEN 'd' THEN 'set default' WHEN 'r' THEN 'restrict' ELSE 'no action' END \
             AS on_delete \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
           JOIN pg_class f ON f.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE c.contype = 'f' AND n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let key = foreign_key(
            &r.get::<String, _>("columns"),
            &r.get::<String, _>("target"),
            &r.get::<String, _>("target_columns"),
            &r.get::<String, _>("on_delete"),
        );
        schema
            .entry(r.get("table_name"))
            .or_default()
            .foreign_keys
            .insert(key);
    }
    for r in sqlx::query(
        "SELECT CAST(c.relname AS TEXT) AS table_name, CAST(t.tgname AS TEXT) AS name \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
           JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal AND n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        schema
            .entry(r.get("table_name"))
            .or_default()
            .triggers
            .insert(trigger_purpose(&r.get::<String, _>("name")));
    }
    schema
}

/// Every difference between the two schemas, in words.
fn differences(sqlite: &Schema, postgres: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let only = |name: &str, on: &str| format!("{name} only on {on}");
    // sqlx's own bookkeeping, typed by sqlx for each backend.
    let tables: BTreeSet<&String> = sqlite
        .keys()
        .chain(postgres.keys())
        .filter(|t| *t != "_sqlx_migrations")
        .collect();
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
        for (what, a, b) in [
            ("foreign key", &s.foreign_keys, &p.foreign_keys),
            ("trigger", &s.triggers, &p.triggers),
        ] {
            for x in a.difference(b) {
                out.insert(only(&format!("{what} {t} {x}"), "sqlite"));
            }
            for x in b.difference(a) {
                out.insert(only(&format!("{what} {t} {x}"), "postgres"));
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

/// The migrations of one backend: `0001_initial` for `0001_initial.sql`.
fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../credence-core/migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Where the two directories' migrations differ, and why.
const INTENDED_MIGRATIONS: &[(&str, &str)] = &[
    (
        "0007: 0007_change_log on sqlite, 0007_change_notices on postgres",
        "each backend's way of telling the other instances' caches what changed",
    ),
    (
        "0008_home_entries_post_hash only on postgres",
        "an index change for PostgreSQL's generic plans (bench/README.md, finding 12)",
    ),
];

#[test]
fn both_backends_have_the_same_migrations() {
    let version = |name: &String| name.split('_').next().unwrap_or_default().to_string();
    let by_version = |names: BTreeSet<String>| -> BTreeMap<String, String> {
        names.into_iter().map(|n| (version(&n), n)).collect()
    };
    let sqlite = by_version(migration_names("sqlite"));
    let postgres = by_version(migration_names("postgres"));
    assert!(!sqlite.is_empty());
    let mut found = BTreeSet::new();
    for v in sqlite.keys().chain(postgres.keys()) {
        match (sqlite.get(v), postgres.get(v)) {
            (Some(s), Some(p)) if s != p => {
                found.insert(format!("{v}: {s} on sqlite, {p} on postgres"));
            }
            (Some(s), None) => {
                found.insert(format!("{s} only on sqlite"));
            }
            (None, Some(p)) => {
                found.insert(format!("{p} only on postgres"));
            }
            _ => {}
        }
    }
    let intended: BTreeSet<String> = INTENDED_MIGRATIONS
        .iter()
        .map(|(d, _)| d.to_string())
        .collect();
    assert_eq!(
        found, intended,
        "a migration on one backend needs its counterpart on the other (or a reason in \
         INTENDED_MIGRATIONS)"
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
        ..Table::default()
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
    // A delete that cascades on one backend only, and a trigger on one only.
    let mut cascading = table(&[("id", "bigint", true)], &[]);
    cascading
        .foreign_keys
        .insert(foreign_key("author_id", "profiles", "id", "CASCADE"));
    cascading.triggers.insert("posts_count".into());
    let mut not_cascading = table(&[("id", "BIGINT", true)], &[]);
    not_cascading
        .foreign_keys
        .insert(foreign_key("author_id", "profiles", "id", "NO ACTION"));
    let found = differences(
        &Schema::from([("posts".to_string(), cascading)]),
        &Schema::from([("posts".to_string(), not_cascading)]),
    );
    assert_eq!(
        found,
        BTreeSet::from([
            "foreign key posts (author_id) -> profiles(id) on delete cascade only on sqlite"
                .to_string(),
            "foreign key posts (author_id) -> profiles(id) on delete no action only on postgres"
                .to_string(),
            "trigger posts posts_count only on sqlite".to_string(),
        ])
    );
    // Types outside the known families are compared as written.
    assert_eq!(family("point"), "point");
    assert_ne!(family("interval"), family("BIGINT"));
}
