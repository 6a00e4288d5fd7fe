//! Signing in with a password, and the throttling of failed attempts.

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Core, CoreError, CoreResult};

use super::password::{hash_password, verify_password};
use super::users::User;

/// Failed sign-ins allowed per typed name (e-mail or handle), and per network address, within
/// [`THROTTLE_WINDOW_MS`].
pub const MAX_FAILURES_PER_NAME: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Signs in with an e-mail address (or a handle) and a password.
///
/// Failed attempts are counted in the database (so the limit holds across several instances)
/// per typed name and per network address. Counting per *name*, not per login, matters: a
/// login's e-mail, professional handle and personal handle must not be linkable, and a shared
/// counter would let anyone test whether two names throttle together. The per-address limit
/// still bounds guessing across all of a login's names. The answer never says which was wrong.
pub async fn authenticate(
    core: &Core,
    login: &str,
    password: &str,
    address: &str,
) -> CoreResult<User> {
    let name = login.trim().trim_start_matches('@').to_lowercase();
    let key = format!("name:{name}");
    check_throttle(core, &key, address).await?;
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.created_at, u.password_hash FROM users u \
         WHERE u.email = $1 OR u.id = (SELECT p.user_id FROM profiles p WHERE p.handle_lower = $1)",
    )
    .bind(&name)
    .fetch_optional(&core.db.pool)
    .await?;
    let verified = match &row {
        Some(row) => verify_password(password, &col::<String>(row, "password_hash")?).await?,
        None => {
            // Spend the same time as a real check so timing does not reveal which names exist.
            let _ = hash_password(password).await;
            false
        }
    };
    match row {
        Some(row) if verified => {
            sqlx::query("DELETE FROM login_attempts WHERE account_key = $1")
                .bind(&key)
                .execute(&core.db.pool)
                .await?;
            Ok(User::from_row(&row)?)
        }
        _ => {
            record_failure(core, &key, address).await?;
            Err(CoreError::Unauthenticated(
                "the e-mail address or password is not correct".into(),
            ))
        }
    }
}

/// Refuses before any password check once the name or the address has too many recent failures.
pub(super) async fn check_throttle(core: &Core, key: &str, address: &str) -> CoreResult<()> {
    let since = now_ms() - THROTTLE_WINDOW_MS;
    let by_name = count_failures(core, "account_key", key, since).await?;
    let by_address = count_failures(core, "address", address, since).await?;
    if by_name >= MAX_FAILURES_PER_NAME || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(CoreError::TooManyRequests(
            "too many wrong passwords: wait 15 minutes and try again".into(),
        ));
    }
    Ok(())
}

pub(super) async fn record_failure(core: &Core, key: &str, address: &str) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO login_attempts (id, account_key, address, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id())
    .bind(key)
    .bind(address)
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    Ok(())
}

async fn count_failures(core: &Core, column: &str, value: &str, since: i64) -> CoreResult<i64> {
    // `column` is one of two fixed names chosen by the caller above, never user input.
    let sql = format!("SELECT COUNT(*) AS n FROM login_attempts WHERE {column} = $1 AND at > $2");
    let row = sqlx::query(&sql)
        .bind(value)
        .bind(since)
        .fetch_one(&core.db.pool)
        .await?;
    Ok(col(&row, "n")?)
}
