//! `credence demo --posts N --authors M`: a generated instance on both databases, checked the
//! way the application reads it (counts, followers-only posts, search, the home timeline), run
//! twice to show that a second run adds a second set without corrupting the first.

use crate::helpers::unique_name;

use std::path::PathBuf;
use std::process::Output;

use crate::cli::bin;
use crate::helpers::{fresh_database, Backend, FreshDatabase};
use credence_core::kernel::db::Backend as DbBackend;
use credence_core::search::{self, Filters};
use credence_core::timelines::{self, Page};
use credence_core::{home_feeds, posts, profiles};
use credence_core::{Actor, Core, Role};
use sqlx::Row;

both_backends!(seeding_twice_adds_a_consistent_instance);

const POSTS: i64 = 2_000;
const AUTHORS: i64 = 50;
/// The hand-made demo accounts `demo` always adds (once), with a few posts of their own.
const DEMO_ACCOUNTS: i64 = 12;
/// Posts by generated accounts (alias `p`).
const SEEDED: &str =
    "p.author_id IN (SELECT a.id FROM profiles a JOIN users u ON u.id = a.user_id \
     WHERE u.email LIKE '%@seed.credence.example')";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn seed(database: &FreshDatabase) -> Output {
    let (url, key_file) = (database.url.clone(), database.key_file.clone());
    tokio::task::spawn_blocking(move || {
        bin()
            .arg("--key-file")
            .arg(key_file)
            .args(["--database-url", &url, "demo", "--posts"])
            .arg(POSTS.to_string())
            .arg("--authors")
            .arg(AUTHORS.to_string())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn count(core: &Core, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&core.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get::<i64, _>(0)
        .unwrap()
}

/// The member the summary names, whose home timeline the load test reads.
fn sample_member(stdout: &str) -> String {
    let re = regex::Regex::new(r"sample member: @(\w+) \(follows (\d+) accounts").unwrap();
    let caps = re
        .captures(stdout)
        .expect("the summary names a sample member");
    assert_eq!(&caps[2], (AUTHORS - 1).to_string(), "{stdout}");
    caps[1].to_string()
}

async fn seeding_twice_adds_a_consistent_instance(backend: Backend) {
    let database = fresh_database(backend).await;
    let first = seed(&database).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains(&format!("seeded {POSTS} posts by {AUTHORS} authors")),
        "{stdout}"
    );
    assert!(stdout.contains("rows/s"), "{stdout}");
    assert!(text(&first.stderr).contains("posts: 2000/2000 (100%)"));
    let first_member = sample_member(&stdout);
    let core = credence_core::open(&database.options()).await.unwrap();
    check(&core, 1, &first_member).await;

    let second = seed(&database).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    let second_member = sample_member(&text(&second.stdout));
    assert_ne!(first_member, second_member, "a second run makes new people");
    check(&core, 2, &second_member).await;
    // The first run's member still reads a full home timeline.
    check_home(&core, &first_member).await;
}

/// Everything the application relies on, after `runs` runs.
async fn check(core: &Core, runs: i64, member: &str) {
    assert_eq!(
        count(core, "SELECT COUNT(*) FROM users").await,
        DEMO_ACCOUNTS + runs * AUTHORS
    );
    assert_eq!(
        count(
            core,
            &format!("SELECT COUNT(*) FROM posts p WHERE p.state = 'published' AND {SEEDED}")
        )
        .await,
        runs * POSTS
    );
    // A realistic mix of accounts: mostly professionals, most of them verified.
    let pros = count(
        core,
        "SELECT COUNT(*) FROM profiles p JOIN users u ON u.id = p.user_id \
         WHERE u.email LIKE '%@seed.credence.example' AND p.kind = 'professional'",
    )
    .await;
    assert!(
        (runs * 30..=runs * 40).contains(&pros),
        "{pros} professionals"
    );
    let verified = count(
        core,
        "SELECT COUNT(*) FROM profiles p JOIN users u ON u.id = p.user_id \
         WHERE u.email LIKE '%@seed.credence.example' AND p.verification_state = 'verified'",
    )
    .await;
    assert!(verified * 10 >= pros * 7, "{verified} verified of {pros}");
    // About one post in ten is for followers only.
    let followers_only = count(
        core,
        &format!("SELECT COUNT(*) FROM posts p WHERE p.visibility = 'followers' AND {SEEDED}"),
    )
    .await;
    assert!(
        (runs * POSTS / 20..=runs * POSTS * 3 / 20).contains(&followers_only),
        "{followers_only} followers-only posts"
    );
    // Stored counts agree with the rows they count.
    assert_eq!(
        count(
            core,
            "SELECT CAST(COALESCE(SUM(favourites_count), 0) AS BIGINT) FROM posts"
        )
        .await,
        count(core, "SELECT COUNT(*) FROM favourites").await
    );
    assert!(count(core, "SELECT COUNT(*) FROM favourites").await >= runs * POSTS);
    // The counts kept on profiles were recounted after the bulk load.
    for (column, truth) in [
        (
            "followers_count",
            "SELECT COUNT(*) FROM follows WHERE followee_id = p.id",
        ),
        (
            "following_count",
            "SELECT COUNT(*) FROM follows WHERE follower_id = p.id",
        ),
        (
            "posts_count",
            "SELECT COUNT(*) FROM posts q WHERE q.author_id = p.id AND q.state = 'published' \
             AND q.visibility = 'public' AND q.reblog_of_id IS NULL",
        ),
    ] {
        let wrong = count(
            core,
            &format!("SELECT COUNT(*) FROM profiles p WHERE p.{column} <> ({truth})"),
        )
        .await;
        assert_eq!(wrong, 0, "{column}");
    }
    // Every post is filed under at least one topic, and no one follows themselves.
    assert_eq!(
        count(
            core,
            &format!(
                "SELECT COUNT(*) FROM posts p WHERE {SEEDED} AND NOT EXISTS \
                 (SELECT 1 FROM post_topics pt WHERE pt.post_id = p.id)"
            )
        )
        .await,
        0
    );
    assert_eq!(
        count(
            core,
            "SELECT COUNT(*) FROM follows WHERE follower_id = followee_id"
        )
        .await,
        0
    );
    // Labels come from the engine: a mix, with sourced posts marked evidence-based.
    for label in ["evidence_based", "no_issues", "needs_sources"] {
        let n = count(
            core,
            &format!("SELECT COUNT(*) FROM posts WHERE label = '{label}'"),
        )
        .await;
        assert!(n > 0, "no post labelled {label}");
    }
    // Ids are positive (0 means "nobody" to the visibility rule, and keyset pages start
    // above 0).
    for table in ["users", "profiles", "posts", "verification_requests"] {
        assert_eq!(
            count(core, &format!("SELECT COUNT(*) FROM {table} WHERE id <= 0")).await,
            0,
            "{table}"
        );
    }
    // Ids carry the publication time exactly (timelines page by id): 22 low bits are the
    // counter.
    assert_eq!(
        count(
            core,
            &format!(
                "SELECT COUNT(*) FROM posts p WHERE {SEEDED} \
                 AND p.published_at - 1704067200000 - (p.id / 4194304) <> 0"
            )
        )
        .await,
        0
    );

    // Search finds seeded text, and the index holds exactly what the table holds.
    let found = search::posts(core, None, "cholesterol", &Filters::default(), 0, 40)
        .await
        .unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|p| {
        let text = format!("{} {}", p.title, p.body).to_lowercase();
        text.contains("cholesterol") && p.visibility.as_str() == "public"
    }));
    let (indexed, containing) = match core.db.backend {
        DbBackend::Sqlite => {
            // FTS5 compares the index with the posts table and fails on any difference.
            sqlx::query("INSERT INTO post_search (post_search) VALUES ('integrity-check')")
                .execute(&core.db.pool)
                .await
                .expect("the search index matches the posts table");
            (
                count(
                    core,
                    "SELECT COUNT(*) FROM post_search WHERE post_search MATCH 'cholesterol'",
                )
                .await,
                count(
                    core,
                    "SELECT COUNT(*) FROM posts WHERE title LIKE '%cholesterol%' \
                     OR body LIKE '%cholesterol%'",
                )
                .await,
            )
        }
        DbBackend::Postgres => (
            count(
                core,
                "SELECT COUNT(*) FROM posts WHERE search @@ plainto_tsquery('english', 'cholesterol')",
            )
            .await,
            count(
                core,
                "SELECT COUNT(*) FROM posts WHERE title ILIKE '%cholesterol%' \
                 OR body ILIKE '%cholesterol%'",
            )
            .await,
        ),
    };
    assert!(containing > 0);
    assert_eq!(indexed, containing);

    check_home(core, member).await;
}

/// The member's home timeline is a full page, newest first, of posts they may read from
/// people and topics they follow, including followers-only posts.
async fn check_home(core: &Core, handle: &str) {
    let profile = profiles::get_by_handle(core, handle).await.unwrap();
    let actor = Actor {
        user_id: profile.user_id,
        role: Role::Member,
        profile_id: profile.id,
    };
    let mut page = Page {
        limit: Some(40),
        ..Page::default()
    };
    let mut seen_followers_only = false;
    let mut total = 0;
    for _ in 0..5 {
        let refs = timelines::home(core, &actor, &page).await.unwrap();
        let posts = posts::load_refs(core, Some(&actor), &refs).await.unwrap();
        if posts.is_empty() {
            break;
        }
        assert!(posts.windows(2).all(|w| w[0].id > w[1].id));
        for p in &posts {
            let followed = count(
                core,
                &format!(
                    "SELECT COUNT(*) FROM follows WHERE follower_id = {} AND followee_id = {}",
                    profile.id, p.author.id
                ),
            )
            .await
                > 0;
            let topic = count(
                core,
                &format!(
                    "SELECT COUNT(*) FROM post_topics pt JOIN topic_follows tf \
                     ON tf.topic_id = pt.topic_id WHERE pt.post_id = {} AND tf.profile_id = {}",
                    p.id, profile.id
                ),
            )
            .await
                > 0;
            // Your own posts are on your home timeline too.
            let own = p.author.id == profile.id;
            assert!(
                own || followed || topic,
                "post {} by {} (reblog: {}) on the home timeline of {}",
                p.id,
                p.author.id,
                p.reblog.is_some(),
                profile.id
            );
            if p.visibility.as_str() == "followers" && !own {
                assert!(followed, "a followers-only post from someone not followed");
                seen_followers_only = true;
            }
        }
        total += posts.len();
        page = Page::older_than(posts.last().unwrap().id);
        page.limit = Some(40);
    }
    assert!(total >= 100, "{total} posts on the home timeline");
    assert!(
        seen_followers_only,
        "no followers-only post on the home timeline"
    );
    check_home_against_the_posts_table(core, &actor).await;
}

/// Paging through the whole home timeline (the materialised feed, then the posts table below
/// its floor) gives exactly the posts a plain query over all posts gives, in order; so does a
/// `min_id` page from below the floor.
async fn check_home_against_the_posts_table(core: &Core, actor: &Actor) {
    let me = actor.profile_id;
    let sql = format!(
        "SELECT p.id FROM posts p WHERE p.state = 'published' AND p.in_reply_to_id IS NULL \
         AND (p.author_id = {me} \
           OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = {me}) \
           OR p.id IN (SELECT pt.post_id FROM post_topics pt JOIN topic_follows tf \
                       ON tf.topic_id = pt.topic_id WHERE tf.profile_id = {me})) \
         AND (p.visibility = 'public' OR p.author_id = {me} \
           OR (p.visibility = 'followers' \
               AND p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = {me})) \
           OR p.id IN (SELECT post_id FROM mentions WHERE profile_id = {me})) \
         ORDER BY p.id DESC"
    );
    let expected: Vec<i64> = sqlx::query(&sql)
        .fetch_all(&core.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64, _>(0).unwrap())
        .collect();
    assert!(
        expected.len() as i64 > home_feeds::WINDOW + 40,
        "{} posts: too few to page past the feed's floor",
        expected.len()
    );
    let mut got = Vec::new();
    let mut page = Page {
        limit: Some(40),
        ..Page::default()
    };
    loop {
        let refs = timelines::home(core, actor, &page).await.unwrap();
        let Some(last) = refs.last() else { break };
        page = Page::older_than(last.id);
        page.limit = Some(40);
        got.extend(refs.iter().map(|r| r.id));
    }
    if let Some(at) = (0..got.len().max(expected.len())).find(|&i| got.get(i) != expected.get(i)) {
        panic!(
            "home timeline pages differ at {at} of {} (read {}): read {:?}, expected {:?}",
            expected.len(),
            got.len(),
            &got[at.saturating_sub(2)..(at + 3).min(got.len())],
            &expected[at.saturating_sub(2)..(at + 3).min(expected.len())],
        );
    }
    // The page just after a post far below the floor, read oldest first.
    let at = expected.len() - 30;
    let after = Page {
        min_id: Some(expected[at]),
        limit: Some(10),
        ..Page::default()
    };
    let refs = timelines::home(core, actor, &after).await.unwrap();
    let ids: Vec<i64> = refs.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        expected[at - 10..at].to_vec(),
        "min_id page below the floor"
    );
}

#[test]
fn bad_sizes_are_usage_errors() {
    let dir = std::env::temp_dir().join(unique_name("credence_seed"));
    std::fs::create_dir_all(&dir).unwrap();
    for (args, message) in [
        (
            &["--posts", "0", "--authors", "0"][..],
            "invalid value '0' for '--posts <N>'",
        ),
        (
            &["--posts", "10", "--authors", "20"][..],
            "--authors (20) cannot exceed --posts (10)",
        ),
        (
            &["--posts", "10"][..],
            "the following required arguments were not provided",
        ),
        (
            &["--authors", "-3", "--posts", "10"][..],
            "unexpected argument",
        ),
    ] {
        let o = bin()
            .arg("--data-dir")
            .arg(&dir)
            .arg("demo")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(message),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    // Nothing was opened or created.
    assert!(!PathBuf::from(&dir).join("credence.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
