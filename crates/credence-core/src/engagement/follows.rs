//! Following profiles, and the relationship between two.

use std::collections::HashSet;

use serde::Serialize;

use crate::home_feeds;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, placeholders, Tx};
use crate::kernel::paging::Window;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::notifications;
use crate::profiles::{self, Profile};

/// Follows a profile, or asks to when it is locked. Idempotent; the followee is notified the
/// first time.
pub async fn follow(core: &Core, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    if target == actor.profile_id {
        return Err(CoreError::invalid("id", "You cannot follow yourself"));
    }
    let followee = profiles::get(core, target).await?;
    if followee.locked && !relationship(core, actor, target).await?.following {
        request_follow(core, actor, target).await?;
        return relationship(core, actor, target).await;
    }
    let mut tx = core.db.begin_write().await?;
    add_follow(&mut tx, core, actor.profile_id, target).await?;
    tx.commit().await?;
    relationship(core, actor, target).await
}

/// Asks a locked account to be followed; its owner is told once.
async fn request_follow(core: &Core, actor: &Actor, target: i64) -> CoreResult<()> {
    let mut tx = core.db.begin_write().await?;
    let asked = sqlx::query(
        "INSERT INTO follow_requests (id, follower_id, followee_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (follower_id, followee_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(actor.profile_id)
    .bind(target)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if asked == 1 {
        notifications::notify(
            &mut tx,
            target,
            "follow_request",
            Some(actor.profile_id),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `follower` follow `target` in `tx` (counts, the followee's notification, the
/// follower's home timeline rebuilt).
async fn add_follow(tx: &mut Tx, core: &Core, follower: i64, target: i64) -> CoreResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO follows (id, follower_id, followee_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (follower_id, followee_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(follower)
    .bind(target)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        count_follow(tx, follower, target, 1).await?;
        notifications::notify(tx, target, "follow", Some(follower), None).await?;
        home_feeds::forget(tx, core.db.backend, follower).await?;
    }
    Ok(())
}

/// Stops following (or withdraws a request to follow) a profile.
pub async fn unfollow(core: &Core, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    profiles::get(core, target).await?;
    let mut tx = core.db.begin_write().await?;
    sqlx::query("DELETE FROM follow_requests WHERE follower_id = $1 AND followee_id = $2")
        .bind(actor.profile_id)
        .bind(target)
        .execute(&mut *tx)
        .await?;
    let removed = sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
        .bind(actor.profile_id)
        .bind(target)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 1 {
        count_follow(&mut tx, actor.profile_id, target, -1).await?;
        home_feeds::forget(&mut tx, core.db.backend, actor.profile_id).await?;
    }
    tx.commit().await?;
    relationship(core, actor, target).await
}

/// Moves the follower and following counts kept on both profiles.
async fn count_follow(tx: &mut Tx, follower: i64, followee: i64, delta: i64) -> CoreResult<()> {
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
    /// The actor has asked to follow them (a locked account) and waits.
    pub requested: bool,
    /// They have asked to follow the actor.
    pub requested_by: bool,
}

pub async fn relationship(core: &Core, actor: &Actor, target: i64) -> CoreResult<Relationship> {
    let mut one = relationships(core, actor, &[target]).await?;
    Ok(one.pop().unwrap_or(Relationship {
        id: target,
        following: false,
        followed_by: false,
        requested: false,
        requested_by: false,
    }))
}

/// The actor's relationship with each of `targets`, in their order, in one query.
pub async fn relationships(
    core: &Core,
    actor: &Actor,
    targets: &[i64],
) -> CoreResult<Vec<Relationship>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, targets.len());
    let mut following = HashSet::new();
    let mut followed_by = HashSet::new();
    let mut requested = HashSet::new();
    let mut requested_by = HashSet::new();
    for (table, out, into) in [
        ("follows", &mut following, &mut followed_by),
        ("follow_requests", &mut requested, &mut requested_by),
    ] {
        let sql = format!(
            "SELECT follower_id, followee_id FROM {table} \
             WHERE (follower_id = $1 AND followee_id IN ({list})) \
                OR (followee_id = $1 AND follower_id IN ({list}))"
        );
        let mut query = sqlx::query(&sql).bind(actor.profile_id);
        for id in targets {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&core.db.pool).await? {
            let (follower, followee): (i64, i64) =
                (col(&row, "follower_id")?, col(&row, "followee_id")?);
            if follower == actor.profile_id {
                out.insert(followee);
            }
            if followee == actor.profile_id {
                into.insert(follower);
            }
        }
    }
    Ok(targets
        .iter()
        .map(|&id| Relationship {
            id,
            following: following.contains(&id),
            followed_by: followed_by.contains(&id),
            requested: requested.contains(&id),
            requested_by: requested_by.contains(&id),
        })
        .collect())
}

/// Which side of an account's follows a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The people who follow the account.
    Followers,
    /// The people the account follows.
    Following,
}

/// One entry of a followers or following list: the follow's id (to page on) and the person.
#[derive(Debug, Clone)]
pub struct FollowEntry {
    pub follow_id: i64,
    pub profile: Profile,
}

/// The followers or the following of `account` within `window`, newest follow first.
pub async fn follow_list(
    core: &Core,
    account: i64,
    side: Side,
    window: &Window,
) -> CoreResult<Vec<FollowEntry>> {
    profiles::get(core, account).await?;
    let (this_side, other_side) = match side {
        Side::Followers => ("followee_id", "follower_id"),
        Side::Following => ("follower_id", "followee_id"),
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT id AS page_id, {other_side} AS person FROM follows WHERE {this_side} = $1 \
         AND id < $2 AND id > $3 ORDER BY id {order} LIMIT {}",
        window.limit
    );
    Ok(paged_people(core, &sql, account, window)
        .await?
        .into_iter()
        .map(|(follow_id, profile)| FollowEntry { follow_id, profile })
        .collect())
}

/// The people a page statement finds: `sql` selects `page_id` and `person` for `subject`
/// (`$1`) between the window's ids (`$2`, `$3`). Newest first; those no longer public are
/// left out.
pub(super) async fn paged_people(
    core: &Core,
    sql: &str,
    subject: i64,
    window: &Window,
) -> CoreResult<Vec<(i64, Profile)>> {
    let rows = sqlx::query(sql)
        .bind(subject)
        .bind(window.below)
        .bind(window.above)
        .fetch_all(&core.db.pool)
        .await?;
    let mut pairs = rows
        .iter()
        .map(|r| Ok((col::<i64>(r, "page_id")?, col::<i64>(r, "person")?)))
        .collect::<sqlx::Result<Vec<_>>>()?;
    if window.ascending {
        pairs.reverse();
    }
    let ids: Vec<i64> = pairs.iter().map(|(_, person)| *person).collect();
    let people = profiles::public_by_ids(core, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(page_id, person)| Some((page_id, people.get(&person)?.clone())))
        .collect())
}

/// For each of `targets`, the people the actor follows who follow it (Mastodon's familiar
/// followers), at most 40 each.
pub async fn familiar_followers(
    core: &Core,
    actor: &Actor,
    targets: &[i64],
) -> CoreResult<Vec<(i64, Vec<Profile>)>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT f2.followee_id AS target, f2.follower_id AS person FROM follows f1 \
         JOIN follows f2 ON f2.follower_id = f1.followee_id \
         WHERE f1.follower_id = $1 AND f2.followee_id IN ({}) ORDER BY f2.id DESC",
        placeholders(2, targets.len())
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for t in targets {
        query = query.bind(*t);
    }
    let pairs = query
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| Ok((col::<i64>(r, "target")?, col::<i64>(r, "person")?)))
        .collect::<sqlx::Result<Vec<_>>>()?;
    let people_ids: Vec<i64> = pairs.iter().map(|(_, p)| *p).collect();
    let people = profiles::public_by_ids(core, &people_ids).await?;
    Ok(targets
        .iter()
        .map(|&target| {
            let known = pairs
                .iter()
                .filter(|(t, _)| *t == target)
                .filter_map(|(_, p)| people.get(p).cloned())
                .take(40)
                .collect();
            (target, known)
        })
        .collect())
}

/// The people asking to follow the actor, newest first, below request id `below`: (request
/// id, person).
pub async fn follow_requests(
    core: &Core,
    actor: &Actor,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<(i64, Profile)>> {
    let rows = sqlx::query(&format!(
        "SELECT id, follower_id FROM follow_requests WHERE followee_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 80)
    ))
    .bind(actor.profile_id)
    .bind(below)
    .fetch_all(&core.db.pool)
    .await?;
    let pairs = rows
        .iter()
        .map(|r| Ok((col::<i64>(r, "id")?, col::<i64>(r, "follower_id")?)))
        .collect::<sqlx::Result<Vec<_>>>()?;
    let ids: Vec<i64> = pairs.iter().map(|(_, p)| *p).collect();
    let people = profiles::public_by_ids(core, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(id, p)| Some((id, people.get(&p)?.clone())))
        .collect())
}

/// Answers `follower`'s request to follow the actor: approved, they follow; refused, the
/// request is gone. A request that does not exist is "not found".
pub async fn answer_follow_request(
    core: &Core,
    actor: &Actor,
    follower: i64,
    approve: bool,
) -> CoreResult<Relationship> {
    let mut tx = core.db.begin_write().await?;
    let gone =
        sqlx::query("DELETE FROM follow_requests WHERE follower_id = $1 AND followee_id = $2")
            .bind(follower)
            .bind(actor.profile_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if gone == 0 {
        return Err(CoreError::NotFound("follow request"));
    }
    if approve {
        add_follow(&mut tx, core, follower, actor.profile_id).await?;
    }
    tx.commit().await?;
    relationship(core, actor, follower).await
}

/// Locks or unlocks the actor's account; unlocking approves every waiting request (as
/// Mastodon does).
pub async fn set_locked(core: &Core, actor: &Actor, locked: bool) -> CoreResult<()> {
    let mut tx = core.db.begin_write().await?;
    // The version changes what the account looks like (`locked`), so caches render it again.
    sqlx::query("UPDATE profiles SET locked = $1, version = version + 1 WHERE id = $2")
        .bind(i64::from(locked))
        .bind(actor.profile_id)
        .execute(&mut *tx)
        .await?;
    if !locked {
        let waiting =
            sqlx::query("DELETE FROM follow_requests WHERE followee_id = $1 RETURNING follower_id")
                .bind(actor.profile_id)
                .fetch_all(&mut *tx)
                .await?;
        for row in waiting {
            add_follow(&mut tx, core, col(&row, "follower_id")?, actor.profile_id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
