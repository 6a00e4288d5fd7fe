//! New profiles, and the counts kept on them.

use crate::audit;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::Tx;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

use super::handle::{clean_display_name, Handle};
use super::model::{Profile, ProfileKind, VerificationState};
use super::read::{ensure_handle_free, for_user, get};

pub(crate) async fn insert_profile(
    tx: &mut Tx,
    user_id: i64,
    kind: ProfileKind,
    handle: &Handle,
    display_name: &str,
) -> CoreResult<i64> {
    let id = new_id();
    let now = now_ms();
    let state = if kind.is_verifiable() {
        VerificationState::Unverified
    } else {
        VerificationState::None
    };
    sqlx::query(
        "INSERT INTO profiles (id, user_id, kind, handle, handle_lower, display_name, \
         verification_state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(handle.as_str())
    .bind(handle.as_str().to_lowercase())
    .bind(display_name)
    .bind(state.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Recounts every profile's followers, following and public posts (after a bulk load that
/// wrote rows without going through `engagement::follow` and `posts::create`).
pub async fn recount(core: &Core) -> CoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET \
            followers_count = (SELECT COUNT(*) FROM follows WHERE followee_id = profiles.id), \
            following_count = (SELECT COUNT(*) FROM follows WHERE follower_id = profiles.id), \
            posts_count = (SELECT COUNT(*) FROM posts WHERE author_id = profiles.id \
                AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL), \
            last_post_at = (SELECT MAX(published_at) FROM posts WHERE author_id = profiles.id \
                AND state = 'published' AND visibility = 'public' AND reblog_of_id IS NULL)",
    )
    .execute(&core.db.pool)
    .await?;
    Ok(())
}

/// Moves a profile's public post count when one of its public posts is published (+1, with
/// the time) or deleted (−1). Runs in the caller's transaction.
pub(crate) async fn count_post(
    conn: &mut sqlx::AnyConnection,
    profile_id: i64,
    delta: i64,
    published_at: Option<i64>,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET posts_count = CASE WHEN posts_count + $2 < 0 THEN 0 \
         ELSE posts_count + $2 END, last_post_at = COALESCE($3, last_post_at) WHERE id = $1",
    )
    .bind(profile_id)
    .bind(delta)
    .bind(published_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a login with these profiles may add a personal one (one at most).
pub fn may_add_personal(mine: &[Profile]) -> bool {
    !mine.iter().any(|p| p.kind == ProfileKind::Personal)
}

/// Adds a personal profile to a professional's or organisation's login, under another handle.
/// The two are never shown together in public.
pub async fn create_personal_profile(
    core: &Core,
    actor: &Actor,
    handle: &str,
    display_name: &str,
) -> CoreResult<Profile> {
    let handle = Handle::parse(handle)?;
    let display_name = clean_display_name(display_name, handle.as_str())?;
    let existing = for_user(core, actor.user_id).await?;
    if !may_add_personal(&existing) {
        return Err(CoreError::invalid(
            "handle",
            "you already have a personal profile",
        ));
    }
    ensure_handle_free(core, &handle).await?;
    let mut tx = core.db.begin_write().await?;
    let id = insert_profile(
        &mut tx,
        actor.user_id,
        ProfileKind::Personal,
        &handle,
        &display_name,
    )
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "profile.create_personal",
        ("profile", Some(id)),
        "",
    )
    .await?;
    tx.commit().await?;
    get(core, id).await
}
