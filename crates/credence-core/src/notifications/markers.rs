//! Read markers (Mastodon's `/api/v1/markers`): per person and timeline, the newest id read,
//! shared by the web and every app, so that something read in one is read in all.

use std::fmt;
use std::str::FromStr;

use crate::kernel::clock::now_ms;
use crate::kernel::db::{col, parse_col, placeholders};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

/// A timeline that has a read marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeline {
    Home,
    Notifications,
}

impl Timeline {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeline::Home => "home",
            Timeline::Notifications => "notifications",
        }
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Timeline {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "home" => Ok(Timeline::Home),
            "notifications" => Ok(Timeline::Notifications),
            other => Err(CoreError::invalid(
                "timeline",
                format!("Markers are kept for \"home\" and \"notifications\", not \"{other}\""),
            )),
        }
    }
}

/// Where a person has read up to in one timeline.
#[derive(Debug, Clone)]
pub struct Marker {
    pub timeline: Timeline,
    pub last_read_id: i64,
    /// Raised on every save, so that an app can tell another app moved it.
    pub version: i64,
    pub updated_at: i64,
}

/// The newest id the actor has read in `timeline` (0 before the first save).
pub async fn last_read(core: &Core, actor: &Actor, timeline: Timeline) -> CoreResult<i64> {
    let row =
        sqlx::query("SELECT last_read_id FROM markers WHERE profile_id = $1 AND timeline = $2")
            .bind(actor.profile_id)
            .bind(timeline.as_str())
            .fetch_optional(&core.db.pool)
            .await?;
    Ok(match row {
        Some(row) => col(&row, "last_read_id")?,
        None => 0,
    })
}

/// The actor's markers for `timelines` (those never saved are absent, as on Mastodon).
pub async fn get(core: &Core, actor: &Actor, timelines: &[Timeline]) -> CoreResult<Vec<Marker>> {
    if timelines.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT timeline, last_read_id, version, updated_at FROM markers \
         WHERE profile_id = $1 AND timeline IN ({}) ORDER BY timeline",
        placeholders(2, timelines.len())
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for timeline in timelines {
        query = query.bind(timeline.as_str());
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    let marker = |r: &sqlx::any::AnyRow| -> sqlx::Result<Marker> {
        Ok(Marker {
            timeline: parse_col(r, "timeline")?,
            last_read_id: col(r, "last_read_id")?,
            version: col(r, "version")?,
            updated_at: col(r, "updated_at")?,
        })
    };
    Ok(rows.iter().map(marker).collect::<sqlx::Result<_>>()?)
}

/// Saves where the actor has read up to, as an app says (it may move back: Mastodon takes the
/// value it is given), raising the version.
pub async fn save(
    core: &Core,
    actor: &Actor,
    timeline: Timeline,
    last_read_id: i64,
) -> CoreResult<Marker> {
    if last_read_id < 0 {
        return Err(CoreError::invalid(
            "last_read_id",
            "last_read_id must be the id of a status or notification",
        ));
    }
    upsert(core, actor, timeline, last_read_id, "").await?;
    let mut saved = get(core, actor, &[timeline]).await?;
    saved.pop().ok_or(CoreError::NotFound("marker"))
}

/// Moves the actor's marker forward to `newest_seen` (never back: reading an older page on
/// the web leaves newer items unread).
pub async fn advance(
    core: &Core,
    actor: &Actor,
    timeline: Timeline,
    newest_seen: i64,
) -> CoreResult<()> {
    upsert(
        core,
        actor,
        timeline,
        newest_seen,
        " WHERE markers.last_read_id < excluded.last_read_id",
    )
    .await
}

async fn upsert(
    core: &Core,
    actor: &Actor,
    timeline: Timeline,
    last_read_id: i64,
    only_if: &str,
) -> CoreResult<()> {
    let sql = format!(
        "INSERT INTO markers (profile_id, timeline, last_read_id, version, updated_at) \
         VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (profile_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, \
         version = markers.version + 1, updated_at = excluded.updated_at{only_if}"
    );
    sqlx::query(&sql)
        .bind(actor.profile_id)
        .bind(timeline.as_str())
        .bind(last_read_id)
        .bind(now_ms())
        .execute(&core.db.pool)
        .await?;
    Ok(())
}
