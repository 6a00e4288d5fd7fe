//! What administrators see of and do to others' logins: the accounts table, the audit log,
//! role changes (audited). Everything here refuses anyone but an administrator first.

use std::collections::HashMap;

use crate::accounts::{self, User};
use crate::audit::{self, AuditEntry};
use crate::kernel::actor::require_admin;
use crate::kernel::{Actor, Core, CoreError, CoreResult, Role};
use crate::profiles::{self, Profile};

/// One login in the accounts table, with its profiles as the public sees them.
pub struct AccountRow {
    pub user: User,
    pub profiles: Vec<Profile>,
}

/// The `limit` newest logins with their profiles (administrators only: e-mail addresses are
/// private), in two queries however many there are.
pub async fn accounts(core: &Core, actor: &Actor, limit: i64) -> CoreResult<Vec<AccountRow>> {
    let users = list_users(core, actor, limit).await?;
    let mut by_user: HashMap<i64, Vec<Profile>> = HashMap::new();
    for p in profiles::for_newest_users(core, limit).await? {
        by_user
            .entry(p.user_id)
            .or_default()
            .push(p.for_viewer(None));
    }
    Ok(users
        .into_iter()
        .map(|user| AccountRow {
            profiles: by_user.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect())
}

/// The newest entries of the audit log (administrators only).
pub async fn audit_log(core: &Core, actor: &Actor, limit: i64) -> CoreResult<Vec<AuditEntry>> {
    require_admin(actor)?;
    audit::recent(core, None, limit).await
}

/// The newest logins (administrators only: e-mail addresses are private).
async fn list_users(core: &Core, actor: &Actor, limit: i64) -> CoreResult<Vec<User>> {
    require_admin(actor)?;
    let rows =
        sqlx::query("SELECT id, email, role, created_at FROM users ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&core.db.pool)
            .await?;
    Ok(rows
        .iter()
        .map(User::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// Changes a login's role (admins only). Audited.
///
/// A professional's or organisation's badge says "this is a checked professional account";
/// once the login is anything else, the badge no longer describes it, so its verifiable
/// profile goes back to unverified (audited too).
pub async fn set_role(core: &Core, actor: &Actor, user_id: i64, role: Role) -> CoreResult<()> {
    if actor.role != Role::Admin {
        return Err(CoreError::forbidden("only administrators can change roles"));
    }
    if actor.user_id == user_id && role != Role::Admin {
        return Err(CoreError::forbidden(
            "you cannot remove your own administrator role",
        ));
    }
    let before = accounts::get_user(core, user_id).await?;
    let leaves_professional_role = before.role.has_professional_profile() && role != before.role;
    let verifiable: Vec<i64> = profiles::for_user(core, user_id)
        .await?
        .iter()
        .filter(|p| p.kind.is_verifiable())
        .map(|p| p.id)
        .collect();
    let mut tx = core.db.begin_write().await?;
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "account.role_change",
        ("user", Some(user_id)),
        &format!("{} -> {}", before.role, role),
    )
    .await?;
    if leaves_professional_role {
        let why = format!("role changed from {} to {role}", before.role);
        for profile_id in verifiable {
            profiles::reset_verification(&mut tx, profile_id, Some(actor.user_id), &why).await?;
        }
    }
    tx.commit().await?;
    // Tokens carry the role.
    core.tokens.clear();
    Ok(())
}
