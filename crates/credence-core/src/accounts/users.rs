//! Logins: creating one with its first profile, reading it, changing its password.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col};
use crate::kernel::error::EMAIL_TAKEN;
use crate::kernel::{Actor, Core, CoreError, CoreResult, Role};
use crate::profiles::{self, Handle, ProfileKind};
use crate::push;

use super::email::Email;
use super::password::{check_password_strength, hash_password, verify_password};
use super::sign_in::{check_throttle, record_failure};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
}

impl User {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<User> {
        Ok(User {
            id: col(row, "id")?,
            email: col(row, "email")?,
            role: parse_col(row, "role")?,
            created_at: col(row, "created_at")?,
        })
    }
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// The role someone chooses when they open an account themselves (`field` names the form field):
/// staff roles are given by an administrator, never chosen at sign-up.
pub fn joining_role(field: &'static str, choice: &str) -> CoreResult<Role> {
    match choice {
        "" | "member" => Ok(Role::Member),
        "professional" => Ok(Role::Professional),
        "organisation" => Ok(Role::Organisation),
        _ => Err(CoreError::invalid(
            field,
            "choose how you are joining: as a member, a professional or an organisation",
        )),
    }
}

/// Someone opens an account themselves (the sign-up page, an app): refused while this server
/// does not take new accounts.
pub async fn register(core: &Core, new: NewAccount<'_>) -> CoreResult<(User, profiles::Profile)> {
    if !core.registrations_open {
        return Err(CoreError::RegistrationsClosed);
    }
    create_account(core, new, None).await
}

/// Creates a login and its first profile. Validates everything before writing anything.
pub async fn create_account(
    core: &Core,
    new: NewAccount<'_>,
    actor_user_id: Option<i64>,
) -> CoreResult<(User, profiles::Profile)> {
    let email = Email::parse(new.email)?;
    let handle = Handle::parse(new.handle)?;
    let display_name = profiles::clean_display_name(new.display_name, handle.as_str())?;
    check_password_strength(new.password, email.as_str(), handle.as_str())?;
    if email_taken(core, &email).await? {
        return Err(CoreError::taken(&EMAIL_TAKEN));
    }
    profiles::ensure_handle_free(core, &handle).await?;
    let hash = hash_password(new.password).await?;

    let now = now_ms();
    let user_id = new_id();
    let mut tx = core.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(user_id)
    .bind(email.as_str())
    .bind(&hash)
    .bind(new.role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let profile_id = profiles::insert_profile(
        &mut tx,
        user_id,
        ProfileKind::primary_for(new.role),
        &handle,
        &display_name,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor_user_id.or(Some(user_id)),
        "account.create",
        ("user", Some(user_id)),
        &format!("role={} handle={}", new.role, handle.as_str()),
    )
    .await?;
    tx.commit().await?;
    let user = get_user(core, user_id).await?;
    let profile = profiles::get(core, profile_id).await?;
    Ok((user, profile))
}

async fn email_taken(core: &Core, email: &Email) -> CoreResult<bool> {
    Ok(sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&core.db.pool)
        .await?
        .is_some())
}

pub async fn get_user(core: &Core, id: i64) -> CoreResult<User> {
    let row = sqlx::query("SELECT id, email, role, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("account"))?;
    Ok(User::from_row(&row)?)
}

/// Changes the password after checking the current one; signs out every other session and
/// revokes personal and OAuth tokens, since a password change often follows a suspected leak.
///
/// Wrong current passwords are throttled like sign-ins (per account and per address, from
/// `address`): a stolen session must not become a way to guess the password it lacks.
pub async fn change_password(
    core: &Core,
    actor: &Actor,
    current: &str,
    new_password: &str,
    keep_session_id: Option<i64>,
    address: &str,
) -> CoreResult<()> {
    let throttle_key = format!("password-change:{}", actor.user_id);
    check_throttle(core, &throttle_key, address).await?;
    let row = sqlx::query(
        "SELECT u.password_hash, u.email, p.handle FROM users u JOIN profiles p ON p.id = $2 \
         WHERE u.id = $1",
    )
    .bind(actor.user_id)
    .bind(actor.profile_id)
    .fetch_one(&core.db.pool)
    .await?;
    let hash: String = col(&row, "password_hash")?;
    if !verify_password(current, &hash).await? {
        record_failure(core, &throttle_key, address).await?;
        return Err(CoreError::invalid(
            "current_password",
            "the current password is not correct",
        ));
    }
    let email: String = col(&row, "email")?;
    let handle: String = col(&row, "handle")?;
    check_password_strength(new_password, &email, &handle)?;
    let new_hash = hash_password(new_password).await?;
    let now = now_ms();
    let mut tx = core.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(&new_hash)
        .bind(now)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(actor.user_id)
        .bind(keep_session_id.unwrap_or(0))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    push::drop_revoked(&mut tx).await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "account.password_change",
        ("user", Some(actor.user_id)),
        "",
    )
    .await?;
    tx.commit().await?;
    core.tokens.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_join_as_members_professionals_or_organisations_never_as_staff() {
        assert_eq!(joining_role("role", "").unwrap(), Role::Member);
        assert_eq!(joining_role("role", "member").unwrap(), Role::Member);
        assert_eq!(
            joining_role("role", "professional").unwrap(),
            Role::Professional
        );
        assert_eq!(
            joining_role("role", "organisation").unwrap(),
            Role::Organisation
        );
        for staff in ["moderator", "admin", "Admin", "root"] {
            let err = joining_role("credence_role", staff).unwrap_err();
            assert_eq!(err.field(), Some("credence_role"), "{staff}");
            assert!(err.to_string().contains("choose how you are joining"));
        }
    }
}
