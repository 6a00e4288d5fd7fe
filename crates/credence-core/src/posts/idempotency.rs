//! Posting once per `Idempotency-Key` (Mastodon's rule): within an hour, the same key from the
//! same account gets back the post the first request made.

use crate::kernel::clock::now_ms;
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::create::create;
use super::model::{Compose, Post};
use super::view::view;

/// How long a key is remembered.
pub const KEY_LIFETIME_MS: i64 = 60 * 60 * 1000;

/// A claim whose post has not been written after this long was abandoned.
const ABANDONED_CLAIM_MS: i64 = 60 * 1000;

/// Longest key accepted (apps send UUIDs).
const MAX_KEY_CHARS: usize = 255;

/// [`create`], unless `key` was used by the actor within the hour: then the post it made.
pub async fn create_once(
    core: &Core,
    actor: &Actor,
    input: Compose,
    key: Option<&str>,
) -> CoreResult<Post> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return create(core, actor, input).await;
    };
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(CoreError::invalid(
            "Idempotency-Key",
            format!("An Idempotency-Key can be at most {MAX_KEY_CHARS} characters"),
        ));
    }
    if !claim(core, actor, key).await? {
        return earlier_post(core, actor, key).await;
    }
    match create(core, actor, input).await {
        Ok(post) => {
            sqlx::query(
                "UPDATE idempotency_keys SET post_id = $1 WHERE profile_id = $2 AND key = $3",
            )
            .bind(post.id)
            .bind(actor.profile_id)
            .bind(key)
            .execute(&core.db.pool)
            .await?;
            Ok(post)
        }
        Err(refused) => {
            // Nothing was posted: the key is free for the corrected request.
            release(core, actor, key).await?;
            Err(refused)
        }
    }
}

/// Claims `key` for a new post (forgetting the actor's keys older than an hour first); false
/// when it is already taken.
async fn claim(core: &Core, actor: &Actor, key: &str) -> CoreResult<bool> {
    let now = now_ms();
    // Keys older than an hour are forgotten, and so are claims that never got their post
    // after a minute (a request dropped when its client went away): the retry may post.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE profile_id = $1 \
         AND (created_at < $2 OR (post_id IS NULL AND created_at < $3))",
    )
    .bind(actor.profile_id)
    .bind(now - KEY_LIFETIME_MS)
    .bind(now - ABANDONED_CLAIM_MS)
    .execute(&core.db.pool)
    .await?;
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (profile_id, key, post_id, created_at) \
         VALUES ($1, $2, NULL, $3) ON CONFLICT (profile_id, key) DO NOTHING",
    )
    .bind(actor.profile_id)
    .bind(key)
    .bind(now)
    .execute(&core.db.pool)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

async fn release(core: &Core, actor: &Actor, key: &str) -> CoreResult<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE profile_id = $1 AND key = $2 AND post_id IS NULL",
    )
    .bind(actor.profile_id)
    .bind(key)
    .execute(&core.db.pool)
    .await?;
    Ok(())
}

/// The post an earlier request with `key` made, or a conflict while it is still being made.
async fn earlier_post(core: &Core, actor: &Actor, key: &str) -> CoreResult<Post> {
    let row =
        sqlx::query("SELECT post_id FROM idempotency_keys WHERE profile_id = $1 AND key = $2")
            .bind(actor.profile_id)
            .bind(key)
            .fetch_optional(&core.db.pool)
            .await?;
    let post_id = match row {
        Some(row) => col::<Option<i64>>(&row, "post_id")?,
        None => None,
    };
    match post_id {
        Some(id) => view(core, Some(actor), id).await,
        // "Later" (429), which apps retry, rather than a refusal: the first request may yet
        // fail and free the key.
        None => Err(CoreError::TooManyRequests(
            "A post with this Idempotency-Key is still being published: ask again in a moment"
                .into(),
        )),
    }
}
