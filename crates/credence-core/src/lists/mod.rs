//! Lists: a person's own groups of people they follow, each read as a timeline
//! (`timelines::list`). Only their owner sees a list, its members and its timeline; anyone
//! else is told it does not exist.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col, placeholders};
use crate::kernel::text::single_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::profiles::{self, Profile};

/// Most lists one person keeps, and most members in one (Mastodon's limits are similar).
pub const MAX_LISTS: i64 = 50;
pub const MAX_MEMBERS: i64 = 500;

/// Which replies a list's timeline shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepliesPolicy {
    /// Replies to anyone the owner follows.
    Followed,
    /// Replies to members of the list.
    List,
    /// No replies.
    None,
}

impl RepliesPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            RepliesPolicy::Followed => "followed",
            RepliesPolicy::List => "list",
            RepliesPolicy::None => "none",
        }
    }
}

impl fmt::Display for RepliesPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RepliesPolicy {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "followed" => Ok(RepliesPolicy::Followed),
            "list" => Ok(RepliesPolicy::List),
            "none" => Ok(RepliesPolicy::None),
            other => Err(CoreError::invalid(
                "replies_policy",
                format!("replies_policy is followed, list or none, not \"{other}\""),
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct List {
    pub id: i64,
    pub title: String,
    pub replies_policy: RepliesPolicy,
}

/// What a list is made or changed with.
#[derive(Debug, Clone)]
pub struct ListInput {
    pub title: String,
    pub replies_policy: RepliesPolicy,
}

fn clean_title(title: &str) -> CoreResult<String> {
    let title = single_line("title", "A list's title", title, 100)?;
    if title.is_empty() {
        return Err(CoreError::invalid("title", "Give the list a title"));
    }
    Ok(title)
}

fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<List> {
    Ok(List {
        id: col(r, "id")?,
        title: col(r, "title")?,
        replies_policy: parse_col(r, "replies_policy")?,
    })
}

/// The actor's lists, oldest first (as Mastodon lists them).
pub async fn own(core: &Core, actor: &Actor) -> CoreResult<Vec<List>> {
    let rows =
        sqlx::query("SELECT id, title, replies_policy FROM lists WHERE owner_id = $1 ORDER BY id")
            .bind(actor.profile_id)
            .fetch_all(&core.db.pool)
            .await?;
    Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
}

/// One of the actor's lists (anyone else's is "not found").
pub async fn get(core: &Core, actor: &Actor, id: i64) -> CoreResult<List> {
    let row =
        sqlx::query("SELECT id, title, replies_policy FROM lists WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(actor.profile_id)
            .fetch_optional(&core.db.pool)
            .await?
            .ok_or(CoreError::NotFound("list"))?;
    Ok(from_row(&row)?)
}

pub async fn create(core: &Core, actor: &Actor, input: &ListInput) -> CoreResult<List> {
    let title = clean_title(&input.title)?;
    if own(core, actor).await?.len() as i64 >= MAX_LISTS {
        return Err(CoreError::invalid(
            "title",
            format!("You can keep at most {MAX_LISTS} lists"),
        ));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO lists (id, owner_id, title, replies_policy, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(actor.profile_id)
    .bind(&title)
    .bind(input.replies_policy.as_str())
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    get(core, actor, id).await
}

pub async fn update(core: &Core, actor: &Actor, id: i64, input: &ListInput) -> CoreResult<List> {
    let title = clean_title(&input.title)?;
    let changed = sqlx::query(
        "UPDATE lists SET title = $1, replies_policy = $2 WHERE id = $3 AND owner_id = $4",
    )
    .bind(&title)
    .bind(input.replies_policy.as_str())
    .bind(id)
    .bind(actor.profile_id)
    .execute(&core.db.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(CoreError::NotFound("list"));
    }
    get(core, actor, id).await
}

pub async fn delete(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    core.db
        .delete_owned("lists", "owner_id", id, actor.profile_id, "list")
        .await
}

/// The list's members (people the owner chose), newest first.
pub async fn members(core: &Core, actor: &Actor, id: i64) -> CoreResult<Vec<Profile>> {
    get(core, actor, id).await?;
    let rows = sqlx::query(&format!(
        "SELECT profile_id FROM list_members WHERE list_id = $1 \
         ORDER BY created_at DESC LIMIT {MAX_MEMBERS}"
    ))
    .bind(id)
    .fetch_all(&core.db.pool)
    .await?;
    let ids = rows
        .iter()
        .map(|r| col(r, "profile_id"))
        .collect::<sqlx::Result<Vec<i64>>>()?;
    let people = profiles::public_by_ids(core, &ids).await?;
    Ok(ids.iter().filter_map(|i| people.get(i).cloned()).collect())
}

/// Adds people to one of the actor's lists: only people they follow (as Mastodon asks).
pub async fn add_members(core: &Core, actor: &Actor, id: i64, people: &[i64]) -> CoreResult<()> {
    get(core, actor, id).await?;
    if people.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id IN ({})",
        placeholders(2, people.len())
    );
    let mut query = sqlx::query(&sql).bind(actor.profile_id);
    for p in people {
        query = query.bind(*p);
    }
    let followed: Vec<i64> = query
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "followee_id"))
        .collect::<sqlx::Result<_>>()?;
    if let Some(not_followed) = people.iter().find(|p| !followed.contains(p)) {
        return Err(CoreError::invalid(
            "account_ids",
            format!("Follow account {not_followed} before adding it to a list"),
        ));
    }
    let count = sqlx::query("SELECT COUNT(*) AS n FROM list_members WHERE list_id = $1")
        .bind(id)
        .fetch_one(&core.db.pool)
        .await?;
    if col::<i64>(&count, "n")? + people.len() as i64 > MAX_MEMBERS {
        return Err(CoreError::invalid(
            "account_ids",
            format!("A list has at most {MAX_MEMBERS} members"),
        ));
    }
    let mut tx = core.db.begin_write().await?;
    for p in people {
        sqlx::query(
            "INSERT INTO list_members (list_id, profile_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (list_id, profile_id) DO NOTHING",
        )
        .bind(id)
        .bind(*p)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_members(core: &Core, actor: &Actor, id: i64, people: &[i64]) -> CoreResult<()> {
    get(core, actor, id).await?;
    if people.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM list_members WHERE list_id = $1 AND profile_id IN ({})",
        placeholders(2, people.len())
    );
    let mut query = sqlx::query(&sql).bind(id);
    for p in people {
        query = query.bind(*p);
    }
    query.execute(&core.db.pool).await?;
    Ok(())
}

/// The actor's lists that hold `person`.
pub async fn holding(core: &Core, actor: &Actor, person: i64) -> CoreResult<Vec<List>> {
    let rows = sqlx::query(
        "SELECT l.id, l.title, l.replies_policy FROM lists l JOIN list_members m \
         ON m.list_id = l.id WHERE l.owner_id = $1 AND m.profile_id = $2 ORDER BY l.id",
    )
    .bind(actor.profile_id)
    .bind(person)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
}
