//! What the operator tells everyone on this server: its rules and its announcements. The
//! operator writes them from the command line (`credence admin rule …`, `credence admin
//! announce`), which is trusted as `create-user` is; everyone reads them, and each person
//! dismisses an announcement for themselves.

use serde::Serialize;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::text::{multi_line, single_line};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: i64,
    pub text: String,
    pub hint: String,
}

/// The server's rules, in the order they were written.
pub async fn rules(core: &Core) -> CoreResult<Vec<Rule>> {
    let rows = sqlx::query("SELECT id, text, hint FROM instance_rules ORDER BY id")
        .fetch_all(&core.db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Rule {
                id: col(r, "id")?,
                text: col(r, "text")?,
                hint: col(r, "hint")?,
            })
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}

/// Adds a rule (the operator's command).
pub async fn add_rule(core: &Core, text: &str, hint: &str) -> CoreResult<Rule> {
    let text = single_line("text", "A rule", text, 300)?;
    if text.is_empty() {
        return Err(CoreError::invalid("text", "A rule needs its text"));
    }
    let hint = multi_line("hint", "A rule's explanation", hint, 1_000)?;
    let id = new_id();
    sqlx::query("INSERT INTO instance_rules (id, text, hint, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&text)
        .bind(&hint)
        .bind(now_ms())
        .execute(&core.db.pool)
        .await?;
    Ok(Rule { id, text, hint })
}

pub async fn remove_rule(core: &Core, id: i64) -> CoreResult<()> {
    let gone = sqlx::query("DELETE FROM instance_rules WHERE id = $1")
        .bind(id)
        .execute(&core.db.pool)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(CoreError::NotFound("rule"));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub id: i64,
    pub text: String,
    pub published_at: i64,
    pub ends_at: Option<i64>,
    pub updated_at: i64,
    /// Whether the reader has dismissed it.
    pub read: bool,
}

/// Publishes an announcement now, shown until `ends_at` (or until withdrawn).
pub async fn announce(core: &Core, text: &str, ends_at: Option<i64>) -> CoreResult<Announcement> {
    let text = multi_line("text", "An announcement", text, 2_000)?;
    if text.trim().is_empty() {
        return Err(CoreError::invalid("text", "An announcement needs its text"));
    }
    let now = now_ms();
    if ends_at.is_some_and(|end| end <= now) {
        return Err(CoreError::invalid(
            "ends_at",
            "An announcement must end in the future",
        ));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO announcements (id, text, published_at, ends_at, updated_at) \
         VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(id)
    .bind(&text)
    .bind(now)
    .bind(ends_at)
    .execute(&core.db.pool)
    .await?;
    Ok(Announcement {
        id,
        text,
        published_at: now,
        ends_at,
        updated_at: now,
        read: false,
    })
}

pub async fn withdraw(core: &Core, id: i64) -> CoreResult<()> {
    let gone = sqlx::query("DELETE FROM announcements WHERE id = $1")
        .bind(id)
        .execute(&core.db.pool)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(CoreError::NotFound("announcement"));
    }
    Ok(())
}

/// The announcements running now, newest first, with whether the reader dismissed each.
pub async fn current(core: &Core, reader: &Actor) -> CoreResult<Vec<Announcement>> {
    let rows = sqlx::query(
        "SELECT a.id, a.text, a.published_at, a.ends_at, a.updated_at, \
         CAST(CASE WHEN d.profile_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS dismissed \
         FROM announcements a LEFT JOIN announcement_dismissals d \
         ON d.announcement_id = a.id AND d.profile_id = $1 \
         WHERE a.ends_at IS NULL OR a.ends_at > $2 ORDER BY a.id DESC",
    )
    .bind(reader.profile_id)
    .bind(now_ms())
    .fetch_all(&core.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Announcement {
                id: col(r, "id")?,
                text: col(r, "text")?,
                published_at: col(r, "published_at")?,
                ends_at: col(r, "ends_at")?,
                updated_at: col(r, "updated_at")?,
                read: col::<i64>(r, "dismissed")? != 0,
            })
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}

/// Marks a running announcement read for the reader.
pub async fn dismiss(core: &Core, reader: &Actor, id: i64) -> CoreResult<()> {
    if !current(core, reader).await?.iter().any(|a| a.id == id) {
        return Err(CoreError::NotFound("announcement"));
    }
    sqlx::query(
        "INSERT INTO announcement_dismissals (announcement_id, profile_id) VALUES ($1, $2) \
         ON CONFLICT (announcement_id, profile_id) DO NOTHING",
    )
    .bind(id)
    .bind(reader.profile_id)
    .execute(&core.db.pool)
    .await?;
    Ok(())
}
