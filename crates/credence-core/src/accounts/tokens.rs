//! Bearer tokens on the API: issued (stored as hashes), looked up through the token cache,
//! revoked.

use std::time::Instant;

use crate::audit;
use crate::kernel::actor::{TokenInfo, TokenKind};
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col};
use crate::kernel::secrets::{random_token, token_hash};
use crate::kernel::{Actor, Core, CoreResult};
use crate::profiles;
use crate::push;

/// Issues a Bearer token. Only the hash is stored; the token is returned once.
pub async fn issue_token<'e, E>(
    executor: E,
    kind: TokenKind,
    app_id: Option<i64>,
    owner: Option<(i64, i64)>,
    scopes: &str,
) -> CoreResult<(String, i64)>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let token = random_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO access_tokens (id, token_hash, kind, app_id, user_id, profile_id, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(token_hash(&token))
    .bind(kind.as_str())
    .bind(app_id)
    .bind(owner.map(|o| o.0))
    .bind(owner.map(|o| o.1))
    .bind(scopes)
    .bind(now)
    .execute(executor)
    .await?;
    Ok((token, now))
}

/// A personal access token for a profile, by handle (`credence admin token`).
pub async fn personal_token_for_handle(core: &Core, handle: &str) -> CoreResult<String> {
    let profile = profiles::get_by_handle(core, handle).await?;
    let mut tx = core.db.begin_write().await?;
    let (token, _) = issue_token(
        &mut *tx,
        TokenKind::Personal,
        None,
        Some((profile.user_id, profile.id)),
        "read write follow push",
    )
    .await?;
    audit::record(
        &mut *tx,
        None,
        "token.issue_personal",
        ("profile", Some(profile.id)),
        "issued by operator command",
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The live token `token` (not revoked), from the token cache if it was looked up lately.
pub async fn token_info(core: &Core, token: &str) -> CoreResult<Option<TokenInfo>> {
    let hash = token_hash(token);
    if let Some(info) = core.tokens.get(&hash) {
        return Ok(Some(info));
    }
    let (generation, at) = (core.tokens.generation(), Instant::now());
    let info = lookup_token(core, &hash).await?;
    if let Some(info) = &info {
        core.tokens.store(hash, info.clone(), generation, at);
    }
    Ok(info)
}

async fn lookup_token(core: &Core, hash: &str) -> CoreResult<Option<TokenInfo>> {
    let row = sqlx::query(
        "SELECT t.id, t.kind, t.app_id, t.user_id, t.profile_id, t.scopes, t.created_at, u.role \
         FROM access_tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(&core.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user_id: Option<i64> = col(&row, "user_id")?;
    let profile_id: Option<i64> = col(&row, "profile_id")?;
    let role: Option<String> = col(&row, "role")?;
    let actor = match (user_id, profile_id, role) {
        (Some(user_id), Some(profile_id), Some(role)) => Some(Actor {
            user_id,
            role: role.parse()?,
            profile_id,
        }),
        _ => None,
    };
    Ok(Some(TokenInfo {
        id: col(&row, "id")?,
        kind: parse_col(&row, "kind")?,
        app_id: col(&row, "app_id")?,
        actor,
        scopes: col(&row, "scopes")?,
        created_at: col(&row, "created_at")?,
    }))
}

/// Revokes `token` if it was issued to the app `app_id`. Returns `false`, changing nothing, for
/// a live token of another app or a personal token: an app may end only its own access, never
/// sign a person out of another app. An unknown or already revoked token is `true` (nothing to
/// do, and nothing to tell).
pub async fn revoke_token(core: &Core, app_id: i64, token: &str) -> CoreResult<bool> {
    let hash = token_hash(token);
    let revoked = sqlx::query(
        "UPDATE access_tokens SET revoked_at = $1 \
         WHERE token_hash = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(&hash)
    .bind(app_id)
    .execute(&core.db.pool)
    .await?;
    if revoked.rows_affected() > 0 {
        core.tokens.clear();
        push::drop_revoked(&mut *core.db.pool.acquire().await?).await?;
        return Ok(true);
    }
    let someone_elses =
        sqlx::query("SELECT id FROM access_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(&hash)
            .fetch_optional(&core.db.pool)
            .await?
            .is_some();
    Ok(!someone_elses)
}
