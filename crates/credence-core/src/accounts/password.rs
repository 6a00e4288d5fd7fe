//! Passwords: what is strong enough, and argon2id hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::kernel::{CoreError, CoreResult};

/// Passwords people commonly choose; refusing them costs little and stops the easiest guesses.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "abcdefghij",
    "0123456789",
    "qwerty1234",
    "passw0rd12",
    "trustno1234",
    "healthcare1",
    "doctor1234",
    "nurse12345",
];

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks a new password: long enough, not one of the most common, not the e-mail or handle.
pub fn check_password_strength(password: &str, email: &str, handle: &str) -> CoreResult<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(CoreError::invalid(
            "password",
            format!("the password is too weak: use at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(CoreError::invalid(
            "password",
            format!("the password is too long: use at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let distinct = {
        let mut chars: Vec<char> = lower.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        chars.len()
    };
    if distinct < 4
        || COMMON_PASSWORDS.contains(&lower.as_str())
        || lower == email.to_lowercase()
        || lower == handle.to_lowercase()
    {
        return Err(CoreError::invalid(
            "password",
            "the password is too weak: it is common or easy to guess",
        ));
    }
    Ok(())
}

/// Hashes with argon2id (the crate's defaults follow OWASP's recommendation). CPU-heavy, so it
/// runs off the async executor.
pub async fn hash_password(password: &str) -> CoreResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(Into::into)
}

pub(super) async fn verify_password(password: &str, hash: &str) -> CoreResult<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok::<_, anyhow::Error>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_strength() {
        assert!(check_password_strength("short", "a@b.org", "ana").is_err());
        assert!(check_password_strength("password123", "a@b.org", "ana").is_err());
        assert!(check_password_strength("aaaaaaaaaaaa", "a@b.org", "ana").is_err());
        assert!(check_password_strength("correct horse battery", "a@b.org", "ana").is_ok());
    }
}
