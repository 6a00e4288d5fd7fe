//! The kernel's contracts that every capability relies on, tried against both databases.

use credence_core::kernel::error::TAKEN;
use credence_core::{CoreError, Role};

use crate::helpers::{api, browser, json, page, spawn, Backend, TestApp};

both_backends!(
    unique_violations_name_their_field_by_constraint,
    internal_errors_show_no_cause,
);

/// Inserts a row that collides with one written before, straight into the database, and
/// returns the error as the core sees it.
async fn collide(app: &TestApp, sql: &str, binds: &[&str]) -> CoreError {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let err = query
        .execute(&app.core.db.pool)
        .await
        .expect_err("the row collides");
    CoreError::from(err)
}

/// Each constraint in `TAKEN` becomes a `Conflict` on its field, whichever backend reports it
/// (PostgreSQL by constraint name, SQLite by table and columns); a unique violation of any
/// other constraint stays a database error, so a fault of ours is never blamed on the person.
async fn unique_violations_name_their_field_by_constraint(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, profile) = app.user("taken_one", Role::Professional).await;
    let user = actor.user_id.to_string();
    let email_clash = collide(
        &app,
        "INSERT INTO users (id, email, password_hash, role, created_at, password_changed_at) \
         VALUES (1, 'taken_one@example.org', 'x', 'member', 0, 0)",
        &[],
    )
    .await;
    let handle_clash = collide(
        &app,
        "INSERT INTO profiles (id, user_id, kind, handle, handle_lower, display_name, \
         created_at, updated_at) VALUES (2, CAST($1 AS BIGINT), 'personal', 'Taken_One', \
         'taken_one', 'x', 0, 0)",
        &[&user],
    )
    .await;
    let kind_clash = collide(
        &app,
        "INSERT INTO profiles (id, user_id, kind, handle, handle_lower, display_name, \
         created_at, updated_at) VALUES (3, CAST($1 AS BIGINT), 'professional', 'other_one', \
         'other_one', 'x', 0, 0)",
        &[&user],
    )
    .await;
    let expected = [
        (email_clash, "users_email_key"),
        (handle_clash, "profiles_handle_lower_key"),
        (kind_clash, "profiles_user_id_kind_key"),
    ];
    assert_eq!(
        expected.len(),
        TAKEN.len(),
        "every listed constraint is tried"
    );
    for (error, constraint) in expected {
        let rule = TAKEN.iter().find(|t| t.postgres == constraint).unwrap();
        match error {
            CoreError::Conflict { field, message } => {
                assert_eq!(field, rule.field, "{constraint}");
                assert_eq!(message, rule.message, "{constraint}");
            }
            other => panic!("{constraint}: {other:?}"),
        }
    }
    let slug_clash = collide(
        &app,
        "INSERT INTO topics (id, slug, name, curated, created_at) \
         SELECT 4, slug, name, 0, 0 FROM topics LIMIT 1",
        &[],
    )
    .await;
    assert!(
        matches!(slug_clash, CoreError::Database(_)),
        "{slug_clash:?}"
    );
    assert_eq!(slug_clash.code(), "internal");
    assert_eq!(profile.handle, "taken_one");
}

/// A failure of ours answers 500 with a sentence for people: the cause (here a missing table)
/// goes to the log, never into the page or the JSON.
async fn internal_errors_show_no_cause(backend: Backend) {
    let app = spawn(backend).await;
    sqlx::query("ALTER TABLE topics RENAME TO topics_elsewhere")
        .execute(&app.core.db.pool)
        .await
        .unwrap();
    let (s, page) = page(&browser(), app.url("/topics")).await;
    assert_eq!(s, 500);
    assert!(page.contains("something went wrong on our side"), "{page}");
    let (s, body) = json(
        api()
            .get(app.url("/api/v1/timelines/tag/diabetes"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 500);
    assert_eq!(body["error_code"], "internal");
    for shown in [page, body.to_string()] {
        for cause in ["topics", "no such table", "does not exist", "relation"] {
            assert!(!shown.contains(cause), "{cause} shown in {shown}");
        }
    }
}
