//! Following people, favourites, boosts, bookmarks and in-app notifications.
//!
//! Every interaction is with a post the actor may read ([`crate::posts::view_published`]), so
//! a followers-only post cannot be favourited, boosted or bookmarked by a stranger who
//! guessed its id. Only public posts can be boosted: a boost shows the post to the booster's
//! followers, which would widen a narrower audience.

use serde::Serialize;

use crate::accounts::Actor;
use crate::db::{col, new_id, now_ms, Backend, Db};
use crate::error::{CoreError, CoreResult};
use crate::home_feeds;
use crate::posts::{self, Post, Visibility};
use crate::profiles::{self, Profile};

/// Records a notification (never to oneself).
pub async fn notify<'e, E>(
    executor: E,
    recipient: i64,
    kind: &str,
    actor: Option<i64>,
    post: Option<i64>,
) -> CoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if actor == Some(recipient) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (id, recipient_id, kind, actor_id, post_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(recipient)
    .bind(kind)
    .bind(actor)
    .bind(post)
    .bind(now_ms())
    .execute(executor)
    .await?;
    Ok(())
}

/// Follows a profile. Idempotent; the followee is notified the first time.
pub async fn follow(db: &Db, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    if target == actor.profile_id {
        return Err(CoreError::invalid("id", "You cannot follow yourself"));
    }
    profiles::get(db, target).await?;
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (follower_id, followee_id) DO NOTHING",
    )
    .bind(actor.profile_id)
    .bind(target)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        count_follow(&mut tx, actor.profile_id, target, 1).await?;
        notify(&mut *tx, target, "follow", Some(actor.profile_id), None).await?;
        home_feeds::forget(&mut tx, db.backend, actor.profile_id).await?;
    }
    tx.commit().await?;
    relationship(db, actor, target).await
}

pub async fn unfollow(db: &Db, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    profiles::get(db, target).await?;
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
        .bind(actor.profile_id)
        .bind(target)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 1 {
        count_follow(&mut tx, actor.profile_id, target, -1).await?;
        home_feeds::forget(&mut tx, db.backend, actor.profile_id).await?;
    }
    tx.commit().await?;
    relationship(db, actor, target).await
}

/// Moves the follower and following counts kept on both profiles.
async fn count_follow(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    follower: i64,
    followee: i64,
    delta: i64,
) -> CoreResult<()> {
    for (column, id) in [("following_count", follower), ("followers_count", followee)] {
        sqlx::query(&format!(
            "UPDATE profiles SET {column} = CASE WHEN {column} + $2 < 0 THEN 0 \
             ELSE {column} + $2 END WHERE id = $1"
        ))
        .bind(id)
        .bind(delta)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub id: i64,
    pub following: bool,
    pub followed_by: bool,
}

pub async fn relationship(db: &Db, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    let mut one = relationships(db, actor, &[target]).await?;
    Ok(one.pop().unwrap_or(Relationship {
        id: target,
        following: false,
        followed_by: false,
    }))
}

/// The actor's relationship with each of `targets`, in their order, in one query.
pub async fn relationships(
    db: &Db,
    actor: &Actor,
    targets: &[i64],
) -> CoreResult<Vec<Relationship>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::db::placeholders(2, targets.len());
    let sql = format!(
        "SELECT follower_id, followee_id FROM follows \
         WHERE (follower_id = $1 AND followee_id IN ({list})) \
            OR (followee_id = $1 AND follower_id IN ({list}))"
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for id in targets {
        query = query.bind(*id);
    }
    let mut following = std::collections::HashSet::new();
    let mut followed_by = std::collections::HashSet::new();
    for row in query.fetch_all(&db.pool).await? {
        let (follower, followee): (i64, i64) =
            (col(&row, "follower_id")?, col(&row, "followee_id")?);
        if follower == actor.profile_id {
            following.insert(followee);
        }
        if followee == actor.profile_id {
            followed_by.insert(follower);
        }
    }
    Ok(targets
        .iter()
        .map(|&id| Relationship {
            id,
            following: following.contains(&id),
            followed_by: followed_by.contains(&id),
        })
        .collect())
}

/// The post an interaction is about: a boost's original (as Mastodon does).
async fn target(db: &Db, actor: &Actor, id: i64) -> CoreResult<Post> {
    let mut post = posts::view_published(db, Some(actor), id).await?;
    if let Some(original) = post.reblog.take() {
        post = *original;
    }
    Ok(post)
}

/// Favourites a post the actor can read; idempotent, notifies the author once.
pub async fn favourite(db: &Db, actor: &Actor, id: i64) -> CoreResult<Post> {
    let post = target(db, actor, id).await?;
    let id = post.id;
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO favourites (profile_id, post_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (profile_id, post_id) DO NOTHING",
    )
    .bind(actor.profile_id)
    .bind(id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("UPDATE posts SET favourites_count = favourites_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        notify(
            &mut *tx,
            post.author.id,
            "favourite",
            Some(actor.profile_id),
            Some(id),
        )
        .await?;
    }
    home_feeds::refresh_flags(&mut tx, db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(db, Some(actor), id).await
}

pub async fn unfavourite(db: &Db, actor: &Actor, id: i64) -> CoreResult<Post> {
    let id = target(db, actor, id).await?.id;
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM favourites WHERE profile_id = $1 AND post_id = $2")
        .bind(actor.profile_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 1 {
        sqlx::query(
            "UPDATE posts SET favourites_count = favourites_count - 1 \
             WHERE id = $1 AND favourites_count > 0",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    home_feeds::refresh_flags(&mut tx, db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(db, Some(actor), id).await
}

/// Boosts a public post to the actor's followers. Returns the boost (whose `reblog` is the
/// original). Boosting twice returns the existing boost.
pub async fn reblog(db: &Db, actor: &Actor, id: i64) -> CoreResult<Post> {
    let original = target(db, actor, id).await?;
    if original.visibility != Visibility::Public {
        return Err(CoreError::forbidden(
            "Only public posts can be shared: this one is for a narrower audience",
        ));
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // The unique index on (author, original) makes a second, racing boost a no-op.
    let boost_id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO posts (id, author_id, kind, state, visibility, reblog_of_id, label, rank, \
         created_at, published_at) VALUES ($1, $2, 'post', 'published', 'public', $3, $4, $5, $5, $5) \
         ON CONFLICT (author_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL DO NOTHING",
    )
    .bind(boost_id)
    .bind(actor.profile_id)
    .bind(original.id)
    .bind(&original.label)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("UPDATE posts SET reblogs_count = reblogs_count + 1 WHERE id = $1")
            .bind(original.id)
            .execute(&mut *tx)
            .await?;
        notify(
            &mut *tx,
            original.author.id,
            "reblog",
            Some(actor.profile_id),
            Some(original.id),
        )
        .await?;
        home_feeds::fan_out(&mut tx, db.backend, boost_id, actor.profile_id).await?;
        home_feeds::refresh_flags(&mut tx, db.backend, actor.profile_id, original.id).await?;
    }
    tx.commit().await?;
    let id = if inserted == 1 {
        boost_id
    } else {
        // Boosted before (or by a racing request): return that boost.
        let row = sqlx::query("SELECT id FROM posts WHERE author_id = $1 AND reblog_of_id = $2")
            .bind(actor.profile_id)
            .bind(original.id)
            .fetch_one(&db.pool)
            .await?;
        col(&row, "id")?
    };
    posts::view(db, Some(actor), id).await
}

/// Removes the actor's boost of a post; returns the original.
pub async fn unreblog(db: &Db, actor: &Actor, id: i64) -> CoreResult<Post> {
    let original = target(db, actor, id).await?;
    let mut tx = db.begin_write().await?;
    remove_boost(&mut tx, db.backend, actor.profile_id, original.id).await?;
    tx.commit().await?;
    posts::view(db, Some(actor), original.id).await
}

/// Removes `booster`'s boost of `original` (if any) and the count it added. A boost is a row
/// with nothing of its own, so it is removed rather than left as a tombstone: the unique index
/// on (author, original) would otherwise block boosting the post again.
pub(crate) async fn remove_boost(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    booster: i64,
    original: i64,
) -> CoreResult<()> {
    let removed = sqlx::query("DELETE FROM posts WHERE author_id = $1 AND reblog_of_id = $2")
        .bind(booster)
        .bind(original)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if removed > 0 {
        sqlx::query(
            "UPDATE posts SET reblogs_count = CASE WHEN reblogs_count > $2 \
             THEN reblogs_count - $2 ELSE 0 END WHERE id = $1",
        )
        .bind(original)
        .bind(removed as i64)
        .execute(&mut **tx)
        .await?;
        home_feeds::refresh_flags(tx, backend, booster, original).await?;
    }
    Ok(())
}

pub async fn bookmark(db: &Db, actor: &Actor, id: i64, on: bool) -> CoreResult<Post> {
    let id = target(db, actor, id).await?.id;
    let mut tx = db.begin_write().await?;
    if on {
        sqlx::query(
            "INSERT INTO bookmarks (profile_id, post_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (profile_id, post_id) DO NOTHING",
        )
        .bind(actor.profile_id)
        .bind(id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM bookmarks WHERE profile_id = $1 AND post_id = $2")
            .bind(actor.profile_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    home_feeds::refresh_flags(&mut tx, db.backend, actor.profile_id, id).await?;
    tx.commit().await?;
    posts::view(db, Some(actor), id).await
}

/// One in-app notification with who did it and to which post.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    /// `mention`, `reply`, `follow`, `favourite`, `reblog`, `review_request`, `reviewed`,
    /// `scheduled_published`.
    pub kind: String,
    pub created_at: i64,
    pub read: bool,
    pub actor: Option<Profile>,
    pub post: Option<Post>,
}

impl Notification {
    pub fn describe(&self) -> &'static str {
        match self.kind.as_str() {
            "mention" => "mentioned you",
            "reply" => "replied to your post",
            "follow" => "followed you",
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
}

/// The actor's notifications, newest first, with keyset pagination on id. Notifications about
/// posts the actor can no longer read are left out.
pub async fn notifications(
    db: &Db,
    actor: &Actor,
    max_id: Option<i64>,
    limit: i64,
) -> CoreResult<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, kind, actor_id, post_id, created_at, read_at FROM notifications \
         WHERE recipient_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(actor.profile_id)
    .bind(max_id.unwrap_or(i64::MAX))
    .bind(limit.clamp(1, 80))
    .fetch_all(&db.pool)
    .await?;
    let mut people_ids = Vec::new();
    let mut items = Vec::new();
    for r in &rows {
        let actor_id: Option<i64> = col(r, "actor_id")?;
        people_ids.extend(actor_id);
        let read_at: Option<i64> = col(r, "read_at")?;
        items.push((
            col::<i64>(r, "id")?,
            col::<String>(r, "kind")?,
            actor_id,
            col::<Option<i64>>(r, "post_id")?,
            col::<i64>(r, "created_at")?,
            read_at.is_some(),
        ));
    }
    let people = profiles::public_by_ids(db, &people_ids).await?;
    let post_ids: Vec<i64> = items.iter().filter_map(|item| item.3).collect();
    // A notification about a post the actor can no longer read (deleted, narrowed) is left out.
    let readable = posts::readable(db, Some(actor), &post_ids).await?;
    let mut out = Vec::with_capacity(items.len());
    for (id, kind, actor_id, post_id, created_at, read) in items {
        let post = match post_id {
            Some(pid) => match readable.get(&pid) {
                Some(p) => Some(p.clone()),
                None => continue,
            },
            None => None,
        };
        out.push(Notification {
            id,
            kind,
            created_at,
            read,
            actor: actor_id.and_then(|a| people.get(&a).cloned()),
            post,
        });
    }
    Ok(out)
}

pub async fn mark_notifications_read(db: &Db, actor: &Actor) -> CoreResult<()> {
    sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE recipient_id = $1 AND read_at IS NULL",
    )
    .bind(actor.profile_id)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn clear_notifications(db: &Db, actor: &Actor) -> CoreResult<()> {
    sqlx::query("DELETE FROM notifications WHERE recipient_id = $1")
        .bind(actor.profile_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
