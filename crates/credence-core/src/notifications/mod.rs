//! In-app notifications: recorded by the capability where something happened (a mention, a
//! reply, a follow, a like, a review request, a scheduled post going out), in its own
//! transaction, and read back newest first. What a page shows of one (who, which post) is the
//! `timelines` listing of them. Whether one is read is the person's `notifications` read
//! marker ([`markers`]), which the web and the apps share. Apps that subscribed to Web Push
//! get each new one pushed (`push`), queued in the same transaction.

pub mod groups;
pub mod markers;
mod selection;

pub use crate::kernel::paging::Window;
pub use markers::{Marker, Timeline};
pub use selection::{mastodon_type, Selection, KINDS};

use selection::bind_all;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, placeholders};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::push;

/// Records a notification (never to oneself).
pub async fn notify(
    conn: &mut sqlx::AnyConnection,
    recipient: i64,
    kind: &str,
    actor: Option<i64>,
    post: Option<i64>,
) -> CoreResult<()> {
    if actor == Some(recipient) {
        return Ok(());
    }
    insert(conn, recipient, kind, actor, post, now_ms()).await
}

/// Tells an author something about their own post that they did not do themselves at that
/// moment (the scheduler published it at `at`).
pub async fn notify_author(
    conn: &mut sqlx::AnyConnection,
    author: i64,
    kind: &str,
    post: i64,
    at: i64,
) -> CoreResult<()> {
    insert(conn, author, kind, Some(author), Some(post), at).await
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    recipient: i64,
    kind: &str,
    actor: Option<i64>,
    post: Option<i64>,
    at: i64,
) -> CoreResult<()> {
    let group_key = groups::key_for_new(&mut *conn, recipient, kind, post, at).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO notifications (id, recipient_id, kind, actor_id, post_id, created_at, \
         group_key) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(recipient)
    .bind(kind)
    .bind(actor)
    .bind(post)
    .bind(at)
    .bind(group_key)
    .execute(&mut *conn)
    .await?;
    let what = describe(kind);
    push::enqueue(conn, recipient, id, mastodon_type(kind), actor, what, at).await
}

/// What happened, in words after the actor's name ("Dr Okafor liked your post").
pub fn describe(kind: &str) -> &'static str {
    match kind {
        "mention" => "mentioned you",
        "reply" => "replied to your post",
        "follow" => "followed you",
        "follow_request" => "asked to follow you",
        "favourite" => "liked your post",
        "reblog" => "shared your post",
        "review_request" => "asked you to review a post",
        "reviewed" => "medically reviewed your post",
        "coauthor_request" => "named you as a co-author (accept it on the post)",
        "coauthor_accepted" => "accepted co-authorship of your post",
        "scheduled_published" => "Your scheduled post was published",
        _ => "",
    }
}

/// One notification as stored: what happened, who did it, about which post.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub post_id: Option<i64>,
    pub created_at: i64,
    pub read: bool,
    /// The group it belongs to (likes and boosts of one post, follows), if any.
    pub group_key: Option<String>,
}

const COLUMNS: &str = "id, kind, actor_id, post_id, created_at, group_key";

/// The actor's notifications of the kinds `selection` keeps, within `window`, newest first.
pub async fn page(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
) -> CoreResult<Vec<Stored>> {
    let (condition, values) = selection.condition(actor.profile_id, window);
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications WHERE {condition} ORDER BY id {order} LIMIT {}",
        window.limit
    );
    let rows = bind_all(sqlx::query(&sql), &values)
        .fetch_all(&core.db.pool)
        .await?;
    let read_up_to = markers::last_read(core, actor, Timeline::Notifications).await?;
    let mut stored = rows
        .iter()
        .map(|r| stored(r, read_up_to))
        .collect::<sqlx::Result<Vec<_>>>()?;
    if window.ascending {
        stored.reverse();
    }
    Ok(stored)
}

/// One of the actor's notifications (nobody else's: those are "not found").
pub async fn one(core: &Core, actor: &Actor, id: i64) -> CoreResult<Stored> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND recipient_id = $2"
    ))
    .bind(id)
    .bind(actor.profile_id)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or(CoreError::NotFound("notification"))?;
    let read_up_to = markers::last_read(core, actor, Timeline::Notifications).await?;
    Ok(stored(&row, read_up_to)?)
}

fn stored(r: &sqlx::any::AnyRow, read_up_to: i64) -> sqlx::Result<Stored> {
    let id = col(r, "id")?;
    Ok(Stored {
        id,
        kind: col(r, "kind")?,
        actor_id: col(r, "actor_id")?,
        post_id: col(r, "post_id")?,
        created_at: col(r, "created_at")?,
        read: id <= read_up_to,
        group_key: col(r, "group_key")?,
    })
}

/// How many of the actor's notifications that `selection` keeps are above their read marker,
/// counting up to `limit` (Mastodon's default 100, at most 1,000).
pub async fn unread_count(
    core: &Core,
    actor: &Actor,
    selection: &Selection,
    limit: Option<i64>,
) -> CoreResult<i64> {
    let read_up_to = markers::last_read(core, actor, Timeline::Notifications).await?;
    let window = Window {
        above: read_up_to,
        limit: limit.unwrap_or(100).clamp(1, 1000),
        ..Window::default()
    };
    let (condition, values) = selection.condition(actor.profile_id, &window);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT id FROM notifications WHERE {condition} LIMIT {}) u",
        window.limit
    );
    let row = bind_all(sqlx::query(&sql), &values)
        .fetch_one(&core.db.pool)
        .await?;
    Ok(col(&row, "n")?)
}

/// Removes some of the actor's notifications (by id; others' ids are not found).
pub async fn dismiss(core: &Core, actor: &Actor, ids: &[i64]) -> CoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM notifications WHERE recipient_id = $1 AND id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for id in ids {
        query = query.bind(*id);
    }
    if query.execute(&core.db.pool).await?.rows_affected() == 0 {
        return Err(CoreError::NotFound("notification"));
    }
    Ok(())
}

pub async fn clear(core: &Core, actor: &Actor) -> CoreResult<()> {
    sqlx::query("DELETE FROM notifications WHERE recipient_id = $1")
        .bind(actor.profile_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}
