//! Envelope encryption at rest (`kernel::envelope`), tried as someone would who has the
//! database files but not the key file, or the wrong one: consent records are found nowhere in
//! the SQLite file, its write-ahead log or a `pg_dump`; a changed byte, a shredded key, a
//! wrong, missing or world-readable key file each fail cleanly; rotation keeps every record
//! readable, also when interrupted; records written before encryption are sealed and purged
//! at the next start.

use std::path::Path;
use std::process::Command;

use credence_core::kernel::envelope::Owner;
use credence_core::posts::{self, Compose, ConsentInput};
use credence_core::{Actor, Core, CoreError};

use crate::helpers::{spawn, Backend, TestApp};

both_backends!(
    consent_records_are_sealed_on_disk,
    a_changed_byte_is_a_clean_error,
    a_shredded_key_makes_records_unreadable_for_good,
    rotation_keeps_every_record_readable_even_when_interrupted,
    a_wrong_missing_or_open_key_file_refuses_to_start,
    records_written_before_encryption_are_sealed_at_start,
    consent_stays_readable_when_a_draft_or_a_scheduled_post_goes_out,
);

/// A case study with a patient's details (the engine finds PHI), for which consent is recorded.
const CASE: &str = "Case study: my patient John Carter, born 03/14/1961, MRN 44817235, \
                    recovered well after the bypass.";

/// A verified professional who publishes a case study with a consent record whose scope is
/// `scope`; returns them and the post's id.
async fn case_study(app: &TestApp, handle: &str, scope: &str) -> (Actor, i64) {
    case_study_on(app, &app.core, handle, scope).await
}

/// [`case_study`] published through `core` (another instance on the same database).
async fn case_study_on(app: &TestApp, core: &Core, handle: &str, scope: &str) -> (Actor, i64) {
    let (actor, profile) = app.professional(handle).await;
    credence_core::verification::verify_directly(&app.core, None, profile.id, "test")
        .await
        .unwrap();
    let post = posts::create(core, &actor, consented_case(scope))
        .await
        .unwrap();
    (actor, post.id)
}

fn consented_case(scope: &str) -> Compose {
    Compose {
        body: CASE.into(),
        consent: Some(ConsentInput {
            patient_name: "John Carter".into(),
            scope: scope.into(),
            consented_on: "2026-11-02".into(),
        }),
        ..Compose::default()
    }
}

async fn scopes(app: &TestApp, author: &Actor, post: i64) -> Result<Vec<String>, CoreError> {
    Ok(posts::consents(&app.core, author, post)
        .await?
        .into_iter()
        .map(|c| c.scope)
        .collect())
}

/// How often `phrase` occurs in what a copy of the database holds: the SQLite file and its
/// write-ahead log, or a `pg_dump` of the PostgreSQL database.
fn occurrences_at_rest(app: &TestApp, phrase: &str) -> usize {
    let count = |bytes: &[u8]| {
        bytes
            .windows(phrase.len())
            .filter(|w| *w == phrase.as_bytes())
            .count()
    };
    match app.db_url.strip_prefix("sqlite:") {
        Some(path) => [path.to_string(), format!("{path}-wal")]
            .iter()
            .filter(|p| Path::new(p).exists())
            .map(|p| count(&std::fs::read(p).unwrap()))
            .sum(),
        None => {
            let name = app.db_url.rsplit('/').next().unwrap();
            let dump = Command::new("pg_dump")
                .args(["-h", "127.0.0.1", "-U", "postgres", name])
                .output()
                .expect("pg_dump (PostgreSQL's client) is installed");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            count(&dump.stdout)
        }
    }
}

/// The SQLite file settles: the write-ahead log is copied into it and emptied, so the check
/// reads what a backup of the files would hold.
async fn settle(app: &TestApp) {
    if app.db_url.starts_with("sqlite:") {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&app.core.db.pool)
            .await
            .unwrap();
    }
}

async fn consent_records_are_sealed_on_disk(backend: Backend) {
    let app = spawn(backend).await;
    let phrase = "agreed at the bedside, ward 7 zqx-sealed-5519";
    let (author, post) = case_study(&app, "dr_sealed", phrase).await;
    assert_eq!(scopes(&app, &author, post).await.unwrap(), vec![phrase]);
    assert_eq!(occurrences_at_rest(&app, phrase), 0, "before a checkpoint");
    settle(&app).await;
    assert_eq!(occurrences_at_rest(&app, phrase), 0, "after a checkpoint");
    // The plain columns are empty; the sealed value is there.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consents WHERE scope = '' AND sealed IS NOT NULL")
            .await,
        1
    );
}

async fn a_changed_byte_is_a_clean_error(backend: Backend) {
    let app = spawn(backend).await;
    let (author, post) = case_study(&app, "dr_tamper", "a scope to tamper with").await;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM consents WHERE post_id = $1")
        .bind(post)
        .fetch_one(&app.core.db.pool)
        .await
        .unwrap();
    for at in [1, sealed.len() / 2, sealed.len() - 1] {
        let mut changed = sealed.clone();
        changed[at] ^= 0x01;
        sqlx::query("UPDATE consents SET sealed = $1 WHERE post_id = $2")
            .bind(changed)
            .bind(post)
            .execute(&app.core.db.pool)
            .await
            .unwrap();
        match scopes(&app, &author, post).await {
            Err(e @ CoreError::Unreadable(_)) => {
                assert!(
                    e.to_string().contains("changed after it was written"),
                    "{e}"
                );
                assert!(!e.to_string().contains("tamper"), "{e}");
            }
            other => panic!("byte {at}: {other:?}"),
        }
    }
    // Pointed at another post of the same author, a record does not open there: it cannot
    // lend its consent to a post it was not given for.
    sqlx::query("UPDATE consents SET sealed = $1 WHERE post_id = $2")
        .bind(&sealed)
        .bind(post)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    let draft = posts::create(
        &app.core,
        &author,
        Compose {
            body: "A draft about blood pressure.".into(),
            action: posts::Action::SaveDraft,
            ..Compose::default()
        },
    )
    .await
    .unwrap();
    sqlx::query("UPDATE consents SET post_id = $1 WHERE post_id = $2")
        .bind(draft.id)
        .bind(post)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    assert!(matches!(
        scopes(&app, &author, draft.id).await,
        Err(CoreError::Unreadable(_))
    ));
    sqlx::query("UPDATE consents SET post_id = $1 WHERE post_id = $2")
        .bind(post)
        .bind(draft.id)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    assert_eq!(
        scopes(&app, &author, post).await.unwrap(),
        vec!["a scope to tamper with"]
    );
    // Moved to another row, a sealed value does not open either.
    sqlx::query("UPDATE consents SET sealed = $1, id = id + 1 WHERE post_id = $2")
        .bind(&sealed)
        .bind(post)
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    assert!(matches!(
        scopes(&app, &author, post).await,
        Err(CoreError::Unreadable(_))
    ));
}

async fn a_shredded_key_makes_records_unreadable_for_good(backend: Backend) {
    let app = spawn(backend).await;
    let (author, post) = case_study(&app, "dr_shred", "to be shredded").await;
    let (other, other_post) = case_study(&app, "dr_keeps", "kept").await;
    let mut conn = app.core.db.pool.acquire().await.unwrap();
    let owner = Owner {
        kind: "profile",
        id: author.profile_id,
    };
    assert!(app.core.keys.shred(&mut conn, owner).await.unwrap());
    match scopes(&app, &author, post).await {
        Err(e @ CoreError::Unreadable(_)) => assert!(e.to_string().contains("key was deleted")),
        other => panic!("{other:?}"),
    }
    // Another owner's records are untouched.
    assert_eq!(
        scopes(&app, &other, other_post).await.unwrap(),
        vec!["kept"]
    );
    // The post stays editable: the shredded record covers nothing, so keeping the patient's
    // name asks for consent again, and a new record is sealed under a new key.
    let edit = posts::update(
        &app.core,
        &author,
        post,
        Compose {
            consent: None,
            ..consented_case("")
        },
    )
    .await;
    assert!(matches!(edit, Err(CoreError::Refused { .. })), "{edit:?}");
    posts::update(&app.core, &author, post, consented_case("given again"))
        .await
        .unwrap();
    let scopes_now = scopes(&app, &author, post).await;
    assert!(
        matches!(scopes_now, Err(CoreError::Unreadable(_))),
        "the shredded record still cannot be read: {scopes_now:?}"
    );
}

fn key_file_text(app: &TestApp) -> String {
    std::fs::read_to_string(&app.key_file).unwrap()
}

async fn kek_ids(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT kek_id FROM data_keys")
        .fetch_all(&app.core.db.pool)
        .await
        .unwrap()
}

async fn rotation_keeps_every_record_readable_even_when_interrupted(backend: Backend) {
    let app = spawn(backend).await;
    let (first, first_post) = case_study(&app, "dr_rotate_a", "first scope").await;
    let (second, second_post) = case_study(&app, "dr_rotate_b", "second scope").await;
    let before = key_file_text(&app);
    let old = kek_ids(&app).await;
    assert_eq!(old.len(), 1);
    // Another instance, started before the rotation, with the key file as it was then.
    let other = credence_core::open(&app.options()).await.unwrap();

    let rotation = app.core.keys.rotate(&app.core.db).await.unwrap();
    assert_eq!(rotation.rewrapped, 2);
    assert_eq!(rotation.from, old[0]);
    assert_eq!(kek_ids(&app).await, vec![rotation.to.clone()]);
    assert_ne!(key_file_text(&app), before);
    assert!(!key_file_text(&app).contains("retiring"));
    for (author, post, scope) in [
        (&first, first_post, "first scope"),
        (&second, second_post, "second scope"),
    ] {
        assert_eq!(scopes(&app, author, post).await.unwrap(), vec![scope]);
        // The other instance re-reads the key file when it meets the new key.
        let read = posts::consents(&other, author, post).await.unwrap();
        assert_eq!(read[0].scope, scope);
    }
    // A data key the other instance makes now is wrapped by the new key, not the one it read
    // at its start (which the rotation dropped from the key file).
    let (late, late_post) = case_study_on(&app, &other, "dr_rotate_late", "late scope").await;
    assert_eq!(kek_ids(&app).await, vec![rotation.to.clone()]);
    assert_eq!(
        scopes(&app, &late, late_post).await.unwrap(),
        vec!["late scope"]
    );

    // One rotation at a time: while another holds the lock, a second refuses.
    let lock = std::fs::File::create(app.key_file.with_extension("key.lock")).unwrap();
    lock.try_lock().unwrap();
    let refused = app.core.keys.rotate(&app.core.db).await.unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("another key rotation is running"),
        "{refused}"
    );
    drop(lock);

    // Interrupted: a data key it cannot re-wrap stops it after the key file has both keys.
    sqlx::query(
        "INSERT INTO data_keys (id, owner_kind, owner_id, kek_id, wrapped, created_at) \
         VALUES (9223372036854775000, 'profile', -1, 'no-such-key', $1, 0)",
    )
    .bind(vec![1u8; 60])
    .execute(&app.core.db.pool)
    .await
    .unwrap();
    let stopped = app.core.keys.rotate(&app.core.db).await;
    assert!(stopped.is_err(), "{stopped:?}");
    assert!(key_file_text(&app).contains("retiring"), "both keys kept");
    assert_eq!(
        scopes(&app, &first, first_post).await.unwrap(),
        vec!["first scope"]
    );
    // Run again once the cause is gone: it finishes the same rotation, starting no other.
    sqlx::query("DELETE FROM data_keys WHERE kek_id = 'no-such-key'")
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    let finished = app.core.keys.rotate(&app.core.db).await.unwrap();
    assert_eq!(finished.from, rotation.to);
    assert_eq!(kek_ids(&app).await, vec![finished.to.clone()]);
    assert!(!key_file_text(&app).contains("retiring"));
    for (author, post, scope) in [
        (&first, first_post, "first scope"),
        (&second, second_post, "second scope"),
    ] {
        assert_eq!(scopes(&app, author, post).await.unwrap(), vec![scope]);
    }
    // A fresh start with the rotated key file opens the database.
    credence_core::open(&app.options()).await.unwrap();
}

async fn a_wrong_missing_or_open_key_file_refuses_to_start(backend: Backend) {
    let app = spawn(backend).await;
    case_study(&app, "dr_keys", "a scope").await;
    let refusal = |options| async move {
        credence_core::open(&options)
            .await
            .err()
            .map(|e| format!("{e:#}"))
            .expect("refused")
    };
    // Missing: the database holds encrypted records.
    let missing = app.key_file.with_file_name("gone.key");
    let message = refusal(credence_core::CoreOptions::new(&app.db_url, &missing)).await;
    assert!(message.contains("is missing"), "{message}");
    assert!(
        !missing.exists(),
        "no key is made up for a database that has one"
    );
    // Wrong: another database's key.
    let stranger = spawn(backend).await;
    let message = refusal(credence_core::CoreOptions::new(
        &app.db_url,
        &stranger.key_file,
    ))
    .await;
    assert!(message.contains("does not open this database"), "{message}");
    // Readable by others.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&app.key_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "created readable by its owner only");
        std::fs::set_permissions(&app.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let message = refusal(app.options()).await;
        assert!(message.contains("can be read by other users"), "{message}");
        std::fs::set_permissions(&app.key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    credence_core::open(&app.options()).await.unwrap();
}

async fn records_written_before_encryption_are_sealed_at_start(backend: Backend) {
    let app = spawn(backend).await;
    let (author, post) = case_study(&app, "dr_upgrade", "written sealed").await;
    // A record as the previous release stored it: in plain columns, nothing sealed.
    let phrase = "signed on paper, filed in cabinet 3 zqx-legacy-2210";
    sqlx::query(
        "UPDATE consents SET sealed = NULL, patient_name = 'John Carter', scope = $1, \
         consented_on = '2026-10-01', covered = '[\"john carter\"]' WHERE post_id = $2",
    )
    .bind(phrase)
    .bind(post)
    .execute(&app.core.db.pool)
    .await
    .unwrap();
    // What migration 0009 records when it finds consent rows written before it.
    sqlx::query("INSERT INTO pending_purges (name) VALUES ('consents')")
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    settle(&app).await;
    assert!(
        occurrences_at_rest(&app, phrase) > 0,
        "the old release's plain text"
    );
    // The next start seals it and purges the plain text from the files.
    let upgraded = credence_core::open(&app.options()).await.unwrap();
    assert_eq!(occurrences_at_rest(&app, phrase), 0);
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_purges")
        .fetch_one(&app.core.db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "the purge is done and no longer pending");
    let records = posts::consents(&upgraded, &author, post).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].scope, phrase);
    assert_eq!(records[0].consented_on, "2026-10-01");
    assert_eq!(
        posts::seal_legacy_consents(&upgraded).await.unwrap(),
        0,
        "nothing left to seal"
    );
}

/// Publishing gives a draft or a scheduled post a fresh id (`posts::create::rekey`); its consent
/// records, bound to the post, are sealed again for that id and still open.
async fn consent_stays_readable_when_a_draft_or_a_scheduled_post_goes_out(backend: Backend) {
    let app = spawn(backend).await;
    let (author, profile) = app.professional("dr_later").await;
    credence_core::verification::verify_directly(&app.core, None, profile.id, "test")
        .await
        .unwrap();
    let now = credence_core::kernel::clock::now_ms();
    for (action, scope) in [
        (posts::Action::SaveDraft, "kept as a draft first"),
        (
            posts::Action::Schedule(now + 20 * 60 * 1000),
            "scheduled first",
        ),
    ] {
        let held = posts::create(
            &app.core,
            &author,
            Compose {
                action,
                ..consented_case(scope)
            },
        )
        .await
        .unwrap();
        let published = if matches!(action, posts::Action::SaveDraft) {
            let publish = Compose {
                action: posts::Action::Publish,
                ..consented_case(scope)
            };
            posts::update(&app.core, &author, held.id, publish)
                .await
                .unwrap()
                .id
        } else {
            assert_eq!(
                posts::publish_due(&app.core, now + 30 * 60 * 1000)
                    .await
                    .unwrap(),
                1
            );
            sqlx::query_scalar("SELECT id FROM posts WHERE author_id = $1 AND state = 'published' ORDER BY id DESC LIMIT 1")
                .bind(author.profile_id)
                .fetch_one(&app.core.db.pool)
                .await
                .unwrap()
        };
        assert_ne!(published, held.id, "a fresh id");
        // Every record opens: the one made with the draft or the schedule, and any made when
        // it went out.
        let opened = scopes(&app, &author, published).await.unwrap();
        assert!(
            !opened.is_empty() && opened.iter().all(|s| s == scope),
            "{opened:?}"
        );
    }
}
