//! What the operator tells everyone on this server: its rules and its announcements. The
//! operator writes them from the command line (`credence admin rule …`, `credence admin
//! announce`), which is trusted as `create-user` is; everyone reads them, reacts to an
//! announcement with emoji, and dismisses it for themselves.

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
    /// The emoji people reacted with, in the order first used.
    pub reactions: Vec<Reaction>,
}

/// One emoji's reactions to an announcement.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    /// Whether the reader is among them.
    pub me: bool,
}

/// Distinct reactions one person may add to one announcement (Mastodon's limit).
const REACTIONS_PER_PERSON: i64 = 8;

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
        reactions: Vec::new(),
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
    let mut running = rows
        .iter()
        .map(|r| {
            Ok(Announcement {
                id: col(r, "id")?,
                text: col(r, "text")?,
                published_at: col(r, "published_at")?,
                ends_at: col(r, "ends_at")?,
                updated_at: col(r, "updated_at")?,
                read: col::<i64>(r, "dismissed")? != 0,
                reactions: Vec::new(),
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    for announcement in &mut running {
        announcement.reactions = reactions(core, reader, announcement.id).await?;
    }
    Ok(running)
}

/// The reactions to one announcement (a handful of announcements run at once).
async fn reactions(core: &Core, reader: &Actor, id: i64) -> CoreResult<Vec<Reaction>> {
    let rows = sqlx::query(
        "SELECT name, COUNT(*) AS n, \
         MAX(CASE WHEN profile_id = $2 THEN 1 ELSE 0 END) AS mine, MIN(created_at) AS first \
         FROM announcement_reactions WHERE announcement_id = $1 GROUP BY name ORDER BY first, name",
    )
    .bind(id)
    .bind(reader.profile_id)
    .fetch_all(&core.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Reaction {
                name: col(r, "name")?,
                count: col(r, "n")?,
                me: col::<i64>(r, "mine")? != 0,
            })
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}

/// Whether announcement `id` is running now (one indexed read, not the reader's whole list).
async fn running(core: &Core, id: i64) -> CoreResult<()> {
    sqlx::query("SELECT id FROM announcements WHERE id = $1 AND (ends_at IS NULL OR ends_at > $2)")
        .bind(id)
        .bind(now_ms())
        .fetch_optional(&core.db.pool)
        .await?
        .map(|_| ())
        .ok_or(CoreError::NotFound("announcement"))
}

/// Adds the reader's reaction `name` (an emoji) to a running announcement; reacting twice with
/// the same one changes nothing.
pub async fn react(core: &Core, reader: &Actor, id: i64, name: &str) -> CoreResult<()> {
    running(core, id).await?;
    let Some(emoji) = emojis::get(name) else {
        return Err(CoreError::invalid(
            "name",
            "A reaction is an emoji (this server has no custom emoji)",
        ));
    };
    let mut tx = core.db.begin_write().await?;
    let mine: i64 = col(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM announcement_reactions \
             WHERE announcement_id = $1 AND profile_id = $2 AND name <> $3",
        )
        .bind(id)
        .bind(reader.profile_id)
        .bind(emoji.as_str())
        .fetch_one(&mut *tx)
        .await?,
        "n",
    )?;
    if mine >= REACTIONS_PER_PERSON {
        return Err(CoreError::invalid(
            "name",
            format!("You can react to an announcement with at most {REACTIONS_PER_PERSON} emoji"),
        ));
    }
    sqlx::query(
        "INSERT INTO announcement_reactions (announcement_id, profile_id, name, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (announcement_id, profile_id, name) DO NOTHING",
    )
    .bind(id)
    .bind(reader.profile_id)
    .bind(emoji.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes back the reader's reaction `name` to a running announcement.
pub async fn unreact(core: &Core, reader: &Actor, id: i64, name: &str) -> CoreResult<()> {
    running(core, id).await?;
    let name = emojis::get(name).map_or(name, |emoji| emoji.as_str());
    sqlx::query(
        "DELETE FROM announcement_reactions \
         WHERE announcement_id = $1 AND profile_id = $2 AND name = $3",
    )
    .bind(id)
    .bind(reader.profile_id)
    .bind(name)
    .execute(&core.db.pool)
    .await?;
    Ok(())
}

/// Marks a running announcement read for the reader.
pub async fn dismiss(core: &Core, reader: &Actor, id: i64) -> CoreResult<()> {
    running(core, id).await?;
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
