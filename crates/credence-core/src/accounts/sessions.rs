//! Browser sessions: started at sign-in, acting as one of the login's profiles.

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col};
use crate::kernel::secrets::{random_token, token_hash};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::profiles;

use super::users::User;

/// How long a signed-in session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub actor: Actor,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// Starts a session acting as the login's first profile; returns the cookie value.
pub async fn create_session(core: &Core, user: &User) -> CoreResult<(String, Session)> {
    let profile = profiles::primary_for_user(core, user.id).await?;
    let token = random_token();
    let now = now_ms();
    let session = Session {
        id: new_id(),
        actor: Actor {
            user_id: user.id,
            role: user.role,
            profile_id: profile.id,
        },
        csrf_token: random_token(),
        expires_at: now + SESSION_TTL_MS,
    };
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, user_id, profile_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session.id)
    .bind(token_hash(&token))
    .bind(user.id)
    .bind(profile.id)
    .bind(&session.csrf_token)
    .bind(now)
    .bind(session.expires_at)
    .execute(&core.db.pool)
    .await?;
    Ok((token, session))
}

/// What a session cookie stands for; `Ok(None)` when unknown, `Err(Unauthenticated)` when it
/// existed but expired (so the page can say so).
pub async fn session_from_cookie(core: &Core, token: &str) -> CoreResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.id, s.user_id, s.profile_id, s.csrf_token, s.expires_at, u.role \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&core.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let session = Session {
        id: col(&row, "id")?,
        actor: Actor {
            user_id: col(&row, "user_id")?,
            role: parse_col(&row, "role")?,
            profile_id: col(&row, "profile_id")?,
        },
        csrf_token: col(&row, "csrf_token")?,
        expires_at: col(&row, "expires_at")?,
    };
    if session.expires_at <= now_ms() {
        delete_session(core, session.id).await?;
        return Err(CoreError::Unauthenticated(
            "your session has expired: please sign in again".into(),
        ));
    }
    Ok(Some(session))
}

pub async fn delete_session(core: &Core, session_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

/// Ends a session early by moving its expiry into the past (used by tests and operators).
pub async fn expire_session(core: &Core, session_id: i64) -> CoreResult<()> {
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(now_ms() - 1)
        .bind(session_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

/// Switches which of the login's own profiles the session acts as.
pub async fn switch_profile(core: &Core, session: &Session, profile_id: i64) -> CoreResult<()> {
    let profile = profiles::get(core, profile_id).await?;
    if profile.user_id != session.actor.user_id {
        return Err(CoreError::forbidden(
            "you can only act as your own profiles",
        ));
    }
    sqlx::query("UPDATE sessions SET profile_id = $1 WHERE id = $2")
        .bind(profile_id)
        .bind(session.id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}
