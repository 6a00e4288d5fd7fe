//! Topics: a curated list of conditions and health subjects (`data/topics.toml`) plus the free
//! hashtags authors use. A topic's slug is its hashtag.

mod featured;

pub use featured::{feature, featured, suggestions, unfeature, FeaturedTag, MAX_FEATURED};

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::home_feeds;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, placeholders, Tx};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub curated: bool,
}

#[derive(Deserialize)]
struct TopicFile {
    topics: Vec<CuratedTopic>,
}

#[derive(Deserialize)]
struct CuratedTopic {
    slug: String,
    name: String,
}

/// A hashtag or typed topic as a slug: ASCII letters and digits, lower-cased, at most 50.
pub fn slugify(input: &str) -> String {
    input
        .trim()
        .trim_start_matches('#')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(50)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Adds or renames the curated topics (run after migrations; idempotent).
pub async fn seed_curated(core: &Core) -> CoreResult<()> {
    let file: TopicFile = toml::from_str(include_str!("../../data/topics.toml"))
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("data/topics.toml: {e}")))?;
    for t in file.topics {
        sqlx::query(
            "INSERT INTO topics (id, slug, name, curated, created_at) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, curated = 1",
        )
        .bind(new_id())
        .bind(&t.slug)
        .bind(&t.name)
        .bind(now_ms())
        .execute(&core.db.pool)
        .await?;
    }
    Ok(())
}

/// The id of the topic with this slug, creating a free (uncurated) topic when it is new.
pub async fn ensure(conn: &mut sqlx::AnyConnection, slug: &str) -> CoreResult<i64> {
    sqlx::query(
        "INSERT INTO topics (id, slug, name, curated, created_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(new_id())
    .bind(slug)
    .bind(format!("#{slug}"))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT id FROM topics WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?;
    Ok(col(&row, "id")?)
}

fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<Topic> {
    let curated: i64 = col(r, "curated")?;
    Ok(Topic {
        id: col(r, "id")?,
        slug: col(r, "slug")?,
        name: col(r, "name")?,
        curated: curated != 0,
    })
}

/// A topic is public when it is curated or a public post uses it: a hashtag typed only in a
/// draft, a private message, a followers-only or an unlisted post stays unknown to everyone
/// else.
const PUBLIC_TOPIC: &str = "(curated = 1 OR EXISTS (SELECT 1 FROM post_topics pt \
    JOIN posts p ON p.id = pt.post_id WHERE pt.topic_id = topics.id \
    AND p.state = 'published' AND p.visibility = 'public' AND p.unlisted = 0))";

pub async fn get(core: &Core, slug: &str) -> CoreResult<Topic> {
    let sql =
        format!("SELECT id, slug, name, curated FROM topics WHERE slug = $1 AND {PUBLIC_TOPIC}");
    let row = sqlx::query(&sql)
        .bind(slugify(slug))
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("topic"))?;
    Ok(from_row(&row)?)
}

/// The curated topics, by name (the compose form's list and the topics page).
pub async fn curated(core: &Core) -> CoreResult<Vec<Topic>> {
    let rows =
        sqlx::query("SELECT id, slug, name, curated FROM topics WHERE curated = 1 ORDER BY name")
            .fetch_all(&core.db.pool)
            .await?;
    Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
}

/// Topics whose name or slug contains the query (search).
pub async fn search(core: &Core, query: &str, limit: i64) -> CoreResult<Vec<Topic>> {
    let pattern = format!("%{}%", query.trim().to_lowercase().replace(['%', '_'], ""));
    let slug = format!("%{}%", slugify(query));
    let sql = format!(
        "SELECT id, slug, name, curated FROM topics WHERE (LOWER(name) LIKE $1 OR slug LIKE $2) \
         AND {PUBLIC_TOPIC} ORDER BY curated DESC, name LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(slug)
        .bind(limit.clamp(1, 40))
        .fetch_all(&core.db.pool)
        .await?;
    Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
}

pub(crate) async fn for_posts(core: &Core, ids: &[i64]) -> CoreResult<HashMap<i64, Vec<Topic>>> {
    let sql = format!(
        "SELECT pt.post_id, t.id, t.slug, t.name, t.curated FROM post_topics pt \
         JOIN topics t ON t.id = pt.topic_id WHERE pt.post_id IN ({}) ORDER BY t.name",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut out: HashMap<i64, Vec<Topic>> = HashMap::new();
    for r in query.fetch_all(&core.db.pool).await? {
        out.entry(col(&r, "post_id")?)
            .or_default()
            .push(from_row(&r)?);
    }
    Ok(out)
}

pub async fn follow(core: &Core, actor: &Actor, slug: &str) -> CoreResult<Topic> {
    let topic = get(core, slug).await?;
    let mut tx = core.db.begin_write().await?;
    add_follow(&mut tx, core, actor, topic.id).await?;
    tx.commit().await?;
    Ok(topic)
}

/// Records that the actor follows `topic_id` (their home timeline is rebuilt to take it in).
async fn add_follow(tx: &mut Tx, core: &Core, actor: &Actor, topic_id: i64) -> CoreResult<()> {
    let added = sqlx::query(
        "INSERT INTO topic_follows (profile_id, topic_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (profile_id, topic_id) DO NOTHING",
    )
    .bind(actor.profile_id)
    .bind(topic_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if added == 1 {
        home_feeds::forget(tx, core.db.backend, actor.profile_id).await?;
    }
    Ok(())
}

pub async fn unfollow(core: &Core, actor: &Actor, slug: &str) -> CoreResult<Topic> {
    let topic = get(core, slug).await?;
    let mut tx = core.db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM topic_follows WHERE profile_id = $1 AND topic_id = $2")
        .bind(actor.profile_id)
        .bind(topic.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 1 {
        home_feeds::forget(&mut tx, core.db.backend, actor.profile_id).await?;
    }
    tx.commit().await?;
    Ok(topic)
}

/// Follows a hashtag by name, as Mastodon's `/api/v1/tags/:name/follow` does: a hashtag no
/// post has used yet is made (the answer is the same whether it existed, so it tells nothing of
/// hashtags used only in private posts).
pub async fn follow_by_name(core: &Core, actor: &Actor, name: &str) -> CoreResult<Topic> {
    let slug = hashtag_slug(name)?;
    let mut tx = core.db.begin_write().await?;
    let topic_id = ensure(&mut tx, &slug).await?;
    add_follow(&mut tx, core, actor, topic_id).await?;
    tx.commit().await?;
    followed_one(core, actor, &slug)
        .await?
        .ok_or(CoreError::NotFound("hashtag"))
}

/// Stops following a hashtag by name (following nothing by that name is no error).
pub async fn unfollow_by_name(core: &Core, actor: &Actor, name: &str) -> CoreResult<Option<Topic>> {
    let slug = hashtag_slug(name)?;
    let Some(topic) = followed_one(core, actor, &slug).await? else {
        return Ok(get(core, &slug).await.ok());
    };
    let mut tx = core.db.begin_write().await?;
    sqlx::query("DELETE FROM topic_follows WHERE profile_id = $1 AND topic_id = $2")
        .bind(actor.profile_id)
        .bind(topic.id)
        .execute(&mut *tx)
        .await?;
    home_feeds::forget(&mut tx, core.db.backend, actor.profile_id).await?;
    tx.commit().await?;
    Ok(Some(topic))
}

/// A hashtag as the viewer may see it, and whether they follow it: a public one, or one they
/// follow.
pub async fn hashtag_for(
    core: &Core,
    viewer: Option<&Actor>,
    name: &str,
) -> CoreResult<(Topic, bool)> {
    let slug = hashtag_slug(name)?;
    if let Some(actor) = viewer {
        if let Some(topic) = followed_one(core, actor, &slug).await? {
            return Ok((topic, true));
        }
    }
    Ok((get(core, &slug).await?, false))
}

/// The hashtags the actor follows, newest topic first, below topic id `below`.
pub async fn followed(
    core: &Core,
    actor: &Actor,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<Topic>> {
    let rows = sqlx::query(&format!(
        "SELECT t.id, t.slug, t.name, t.curated FROM topics t JOIN topic_follows f \
         ON f.topic_id = t.id WHERE f.profile_id = $1 AND t.id < $2 ORDER BY t.id DESC LIMIT {}",
        limit.clamp(1, 200)
    ))
    .bind(actor.profile_id)
    .bind(below)
    .fetch_all(&core.db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
}

async fn followed_one(core: &Core, actor: &Actor, slug: &str) -> CoreResult<Option<Topic>> {
    let row = sqlx::query(
        "SELECT t.id, t.slug, t.name, t.curated FROM topics t JOIN topic_follows f \
         ON f.topic_id = t.id WHERE f.profile_id = $1 AND t.slug = $2",
    )
    .bind(actor.profile_id)
    .bind(slug)
    .fetch_optional(&core.db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

fn hashtag_slug(name: &str) -> CoreResult<String> {
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(CoreError::invalid(
            "name",
            "A hashtag is made of letters, digits and underscores",
        ));
    }
    Ok(slug)
}

pub async fn is_following(core: &Core, actor: &Actor, topic_id: i64) -> CoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM topic_follows WHERE profile_id = $1 AND topic_id = $2",
    )
    .bind(actor.profile_id)
    .bind(topic_id)
    .fetch_one(&core.db.pool)
    .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_hashtags() {
        assert_eq!(slugify("#Heart-Disease "), "heartdisease");
        assert_eq!(slugify("COVID19"), "covid19");
    }

    #[test]
    fn curated_topics_parse_and_are_slugs() {
        let file: TopicFile = toml::from_str(include_str!("../../data/topics.toml")).unwrap();
        assert!(file.topics.len() >= 40);
        for t in file.topics {
            assert_eq!(slugify(&t.slug), t.slug);
        }
    }
}
