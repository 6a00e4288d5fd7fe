//! Grouped notifications, as Mastodon 4.3 defines them (`/api/v2/notifications`): likes and
//! boosts of one post, and follows, fall into one group while it spans less than
//! [`MAXIMUM_GROUP_SPAN_HOURS`]; every other notification is a group of its own
//! (`ungrouped-<id>`). A page holds `limit` groups, each shown by its newest notification in
//! the page, with how many it holds and a sample of who.

use std::collections::HashMap;

use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::selection::bind_all;
use super::{mastodon_type, one, page, Selection, Stored, Window};

/// The kinds that group (Mastodon's `GROUPABLE_NOTIFICATION_TYPES`, less `admin.sign_up`,
/// which Credence does not have).
pub const GROUPABLE: [&str; 3] = ["favourite", "reblog", "follow"];

/// A group takes new notifications while it began less than this many hours before.
pub const MAXIMUM_GROUP_SPAN_HOURS: i64 = 12;

/// How many of the people in a group are named (Mastodon's `SAMPLE_ACCOUNTS_SIZE`).
pub const SAMPLE_ACCOUNTS: i64 = 8;

const HOUR_MS: i64 = 3_600_000;

/// Rows read at a time while collecting a page of groups.
const BATCH: i64 = 200;

/// What a group is about, before its hour: `favourite-<post>`, `reblog-<post>`, `follow`.
fn prefix(kind: &str, post: Option<i64>) -> Option<String> {
    match (kind, post) {
        ("favourite" | "reblog", Some(post)) => Some(format!("{kind}-{post}")),
        ("follow", _) => Some("follow".to_string()),
        _ => None,
    }
}

/// The group key of a notification about to be recorded at `at`: its kind's latest group
/// if that began less than [`MAXIMUM_GROUP_SPAN_HOURS`] before, else a new one from this hour.
pub(super) async fn key_for_new(
    conn: &mut sqlx::AnyConnection,
    recipient: i64,
    kind: &str,
    post: Option<i64>,
    at: i64,
) -> CoreResult<Option<String>> {
    let Some(prefix) = prefix(kind, post) else {
        return Ok(None);
    };
    // The keys that start with `prefix-` (`favourite-12-` is not `favourite-123-`), compared
    // as a substring so that no collation's ordering of punctuation can change the answer.
    let start = format!("{prefix}-");
    let latest = sqlx::query(
        "SELECT group_key FROM notifications WHERE recipient_id = $1 \
         AND group_key IS NOT NULL AND SUBSTR(group_key, 1, CAST($3 AS INTEGER)) = $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(recipient)
    .bind(&start)
    .bind(start.chars().count() as i64)
    .fetch_optional(conn)
    .await?;
    let mut hour = at / HOUR_MS;
    let began = match latest {
        Some(row) => col::<String>(&row, "group_key")?
            .rsplit_once('-')
            .and_then(|(_, h)| h.parse::<i64>().ok()),
        None => None,
    };
    if let Some(began) = began {
        if hour < began + MAXIMUM_GROUP_SPAN_HOURS {
            hour = began;
        }
    }
    Ok(Some(format!("{prefix}-{hour}")))
}

/// One group as a page shows it.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its key: the stored group key, or `ungrouped-<id>`.
    pub key: String,
    /// Its newest notification in the page.
    pub latest: Stored,
    /// How many notifications it holds up to the end of the page.
    pub count: i64,
    /// Its oldest and newest notification ids within the page.
    pub page_min_id: i64,
    pub page_max_id: i64,
    /// The people who caused its newest notifications, newest first, at most
    /// [`SAMPLE_ACCOUNTS`].
    pub sample_actor_ids: Vec<i64>,
}

/// Which kinds a request groups (Mastodon's `grouped_types[]`; all groupable ones when empty).
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    pub grouped_types: Vec<String>,
}

impl Grouping {
    fn groups(&self, kind: &str) -> bool {
        GROUPABLE.contains(&kind)
            && (self.grouped_types.is_empty()
                || self.grouped_types.iter().any(|t| t == mastodon_type(kind)))
    }

    /// The key a notification is shown under.
    fn key_of(&self, n: &Stored) -> String {
        match &n.group_key {
            Some(key) if self.groups(&n.kind) => key.clone(),
            _ => format!("ungrouped-{}", n.id),
        }
    }
}

/// A page of the actor's notification groups: at most `window.limit` groups, newest first.
pub async fn groups_page(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
    grouping: &Grouping,
) -> CoreResult<Vec<Group>> {
    let representatives = representatives(core, actor, window, selection, grouping).await?;
    let Some(oldest) = representatives.iter().map(|n| n.id).min() else {
        return Ok(Vec::new());
    };
    let newest = representatives.iter().map(|n| n.id).max().unwrap_or(oldest);
    // The page reaches up to what was asked for (`max_id`), or its newest notification.
    let end = if window.below == i64::MAX {
        newest
    } else {
        window.below - 1
    };
    let mut groups = Vec::with_capacity(representatives.len());
    for n in representatives {
        groups.push(group(core, actor, grouping, n, (oldest, end)).await?);
    }
    Ok(groups)
}

/// The newest notification of each group in the window (oldest of each for an ascending
/// window), in the window's order, until `limit` groups.
async fn representatives(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
    grouping: &Grouping,
) -> CoreResult<Vec<Stored>> {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut chosen = Vec::new();
    let mut batch = Window {
        limit: BATCH,
        ..*window
    };
    loop {
        // `page` gives newest first whatever the order it read in; walk in reading order.
        let mut rows = page(core, actor, &batch, selection).await?;
        if batch.ascending {
            rows.reverse();
        }
        let exhausted = (rows.len() as i64) < BATCH;
        for n in &rows {
            if seen.insert(grouping.key_of(n), ()).is_none() {
                chosen.push(n.clone());
                if chosen.len() as i64 == window.limit {
                    return Ok(in_page_order(chosen, window));
                }
            }
        }
        match rows.last() {
            Some(last) if !exhausted => {
                if batch.ascending {
                    batch.above = last.id;
                } else {
                    batch.below = last.id;
                }
            }
            _ => return Ok(in_page_order(chosen, window)),
        }
    }
}

/// Groups are shown newest first, whichever way they were read.
fn in_page_order(mut chosen: Vec<Stored>, window: &Window) -> Vec<Stored> {
    if window.ascending {
        chosen.reverse();
    }
    chosen
}

async fn group(
    core: &Core,
    actor: &Actor,
    grouping: &Grouping,
    latest: Stored,
    (begin, end): (i64, i64),
) -> CoreResult<Group> {
    let key = grouping.key_of(&latest);
    let Some(stored_key) = latest
        .group_key
        .clone()
        .filter(|_| !key.starts_with("ungrouped-"))
    else {
        return Ok(Group {
            key,
            count: 1,
            page_min_id: latest.id,
            page_max_id: latest.id,
            sample_actor_ids: latest.actor_id.into_iter().collect(),
            latest,
        });
    };
    let stats = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(CASE WHEN id >= $4 THEN id END) AS page_min, \
         MAX(id) AS page_max FROM notifications \
         WHERE recipient_id = $1 AND group_key = $2 AND id <= $3",
    )
    .bind(actor.profile_id)
    .bind(&stored_key)
    .bind(end)
    .bind(begin)
    .fetch_one(&core.db.pool)
    .await?;
    let samples = sqlx::query(&format!(
        "SELECT actor_id FROM notifications WHERE recipient_id = $1 AND group_key = $2 \
         AND id <= $3 AND actor_id IS NOT NULL ORDER BY id DESC LIMIT {SAMPLE_ACCOUNTS}"
    ))
    .bind(actor.profile_id)
    .bind(&stored_key)
    .bind(end)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(Group {
        key,
        count: col(&stats, "n")?,
        page_min_id: col::<Option<i64>>(&stats, "page_min")?.unwrap_or(latest.id),
        page_max_id: col::<Option<i64>>(&stats, "page_max")?.unwrap_or(latest.id),
        sample_actor_ids: samples
            .iter()
            .map(|r| col(r, "actor_id"))
            .collect::<sqlx::Result<_>>()?,
        latest,
    })
}

/// One of the actor's groups by key, as of now.
pub async fn group_by_key(core: &Core, actor: &Actor, key: &str) -> CoreResult<Group> {
    let latest = newest_of(core, actor, key).await?;
    let grouping = Grouping::default();
    group(core, actor, &grouping, latest, (0, i64::MAX)).await
}

/// The newest notification of the actor's group `key`.
async fn newest_of(core: &Core, actor: &Actor, key: &str) -> CoreResult<Stored> {
    if let Some(id) = key.strip_prefix("ungrouped-") {
        let id = id
            .parse()
            .map_err(|_| CoreError::NotFound("notification group"))?;
        return one(core, actor, id).await;
    }
    let row = sqlx::query(
        "SELECT id FROM notifications WHERE recipient_id = $1 AND group_key = $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(actor.profile_id)
    .bind(key)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or(CoreError::NotFound("notification group"))?;
    one(core, actor, col(&row, "id")?).await
}

/// The people in the actor's group `key`, newest first, with the id of the notification each
/// came from (to page on): below `max_id`, at most `limit` (40 by default, at most 80).
pub async fn group_people(
    core: &Core,
    actor: &Actor,
    key: &str,
    max_id: Option<i64>,
    limit: Option<i64>,
) -> CoreResult<Vec<(i64, i64)>> {
    let latest = newest_of(core, actor, key).await?;
    let Some(stored_key) = latest.group_key.filter(|_| !key.starts_with("ungrouped-")) else {
        return Ok(latest
            .actor_id
            .map(|a| (latest.id, a))
            .into_iter()
            .collect());
    };
    let rows = sqlx::query(&format!(
        "SELECT id, actor_id FROM notifications WHERE recipient_id = $1 AND group_key = $2 \
         AND id < $3 AND actor_id IS NOT NULL ORDER BY id DESC LIMIT {}",
        limit.unwrap_or(40).clamp(1, 80)
    ))
    .bind(actor.profile_id)
    .bind(stored_key)
    .bind(max_id.unwrap_or(i64::MAX))
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((col(r, "id")?, col(r, "actor_id")?)))
        .collect::<sqlx::Result<_>>()?)
}

/// Removes every notification of the actor's group `key`.
pub async fn dismiss_group(core: &Core, actor: &Actor, key: &str) -> CoreResult<()> {
    if let Some(id) = key.strip_prefix("ungrouped-") {
        let id = id
            .parse()
            .map_err(|_| CoreError::NotFound("notification group"))?;
        return super::dismiss(core, actor, &[id]).await;
    }
    let gone = sqlx::query("DELETE FROM notifications WHERE recipient_id = $1 AND group_key = $2")
        .bind(actor.profile_id)
        .bind(key)
        .execute(&core.db.pool)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(CoreError::NotFound("notification group"));
    }
    Ok(())
}

/// How many groups hold notifications above the actor's read marker, counting up to `limit`
/// (100 by default, at most 1,000).
pub async fn unread_group_count(
    core: &Core,
    actor: &Actor,
    selection: &Selection,
    grouping: &Grouping,
    limit: Option<i64>,
) -> CoreResult<i64> {
    let read_up_to = super::markers::last_read(core, actor, super::Timeline::Notifications).await?;
    let window = Window {
        above: read_up_to,
        limit: limit.unwrap_or(100).clamp(1, 1000),
        ..Window::default()
    };
    let grouped: Vec<&str> = GROUPABLE
        .into_iter()
        .filter(|k| grouping.groups(k))
        .collect();
    // The kinds are this module's constants, so they may be written into the statement.
    let key = if grouped.is_empty() {
        "CAST(id AS TEXT)".to_string()
    } else {
        format!(
            "CASE WHEN group_key IS NOT NULL AND kind IN ('{}') THEN group_key \
             ELSE CAST(id AS TEXT) END",
            grouped.join("', '")
        )
    };
    let (condition, values) = selection.condition(actor.profile_id, &window);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT DISTINCT {key} AS k FROM notifications \
         WHERE {condition} LIMIT {}) u",
        window.limit
    );
    let row = bind_all(sqlx::query(&sql), &values)
        .fetch_one(&core.db.pool)
        .await?;
    Ok(col(&row, "n")?)
}
