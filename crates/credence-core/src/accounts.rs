//! Logins: e-mail and password (argon2id), roles, server-side sessions, login throttling and
//! personal access tokens.
//!
//! A login (`users` row) holds one or two profiles: a personal one and, for professionals and
//! organisations, a professional one. The session records which profile the person is acting as.

use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit;
use crate::db::{col, new_id, now_ms, parse_col, Db};
use crate::error::{unique_violation, CoreError, CoreResult};
use crate::profiles::{self, ProfileKind};
use crate::secrets::{random_token, token_hash};
use crate::text::{is_format_char, refuse_format_chars};

/// How long a signed-in session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;
/// Failed sign-ins allowed per typed name (e-mail or handle), and per network address, within
/// [`THROTTLE_WINDOW_MS`].
pub const MAX_FAILURES_PER_NAME: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Professional,
    Organisation,
    Moderator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Member,
        Role::Professional,
        Role::Organisation,
        Role::Moderator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Professional => "professional",
            Role::Organisation => "organisation",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Moderators and admins work the verification queue.
    pub fn can_review(self) -> bool {
        matches!(self, Role::Moderator | Role::Admin)
    }

    /// The kind of the profile an account of this role starts with.
    pub fn primary_profile_kind(self) -> ProfileKind {
        match self {
            Role::Professional => ProfileKind::Professional,
            Role::Organisation => ProfileKind::Organisation,
            _ => ProfileKind::Personal,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                CoreError::invalid(
                    "role",
                    "role must be one of member, professional, organisation, moderator, admin",
                )
            })
    }
}

/// A syntactically valid e-mail address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> CoreResult<Email> {
        let email = input.trim().to_lowercase();
        let bad = || CoreError::invalid("email", "enter an e-mail address like name@example.org");
        if email.is_empty() || email.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !is_format_char(c)
                    && !"@<>()[],;:\"\\".contains(c)
            });
        if domain_ok && local_ok {
            Ok(Email(email))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A profile handle: 3–30 letters, digits or underscores, as on Mastodon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

/// Handles that would be confused with the site's own pages or staff.
const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "oauth",
    "settings",
    "static",
    "signin",
    "signup",
    "signout",
    "review",
    "verification",
    "support",
    "security",
    "credence",
    "root",
    "system",
    "moderator",
    "healthz",
    "metrics",
    "nodeinfo",
    "well_known",
];

impl Handle {
    pub fn parse(input: &str) -> CoreResult<Handle> {
        let handle = input.trim().trim_start_matches('@');
        // Named apart from the general rule below, so the person learns what is wrong with a
        // handle that looks right (one pasted with a zero-width space, say).
        refuse_format_chars("handle", "the handle", handle)?;
        let chars_ok = handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(3..=30).contains(&handle.len()) || !chars_ok {
            return Err(CoreError::invalid(
                "handle",
                "a handle is 3 to 30 letters, digits or underscores",
            ));
        }
        if RESERVED_HANDLES.contains(&handle.to_ascii_lowercase().as_str()) {
            return Err(CoreError::invalid("handle", "that handle is reserved"));
        }
        Ok(Handle(handle.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

async fn verify_password(password: &str, hash: &str) -> CoreResult<bool> {
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

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
}

impl User {
    fn from_row(row: &AnyRow) -> sqlx::Result<User> {
        Ok(User {
            id: col(row, "id")?,
            email: col(row, "email")?,
            role: parse_col(row, "role")?,
            created_at: col(row, "created_at")?,
        })
    }
}

impl FromStr for ProfileKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "personal" => Ok(ProfileKind::Personal),
            "professional" => Ok(ProfileKind::Professional),
            "organisation" => Ok(ProfileKind::Organisation),
            _ => Err(()),
        }
    }
}

/// Who is acting: the login, its role, and the profile chosen for this session or token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub profile_id: i64,
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// Creates a login and its first profile. Validates everything before writing anything.
pub async fn create_account(
    db: &Db,
    new: NewAccount<'_>,
    actor_user_id: Option<i64>,
) -> CoreResult<(User, profiles::Profile)> {
    let email = Email::parse(new.email)?;
    let handle = Handle::parse(new.handle)?;
    let display_name = profiles::clean_display_name(new.display_name, handle.as_str())?;
    check_password_strength(new.password, email.as_str(), handle.as_str())?;
    if email_taken(db, &email).await? {
        return Err(CoreError::Conflict {
            field: "email",
            message: "an account with that e-mail address already exists".into(),
        });
    }
    profiles::ensure_handle_free(db, &handle).await?;
    let hash = hash_password(new.password).await?;

    let now = now_ms();
    let user_id = new_id();
    let mut tx = db.begin_write().await?;
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
    .await
    .map_err(|e| {
        unique_violation(
            e,
            "email",
            "an account with that e-mail address already exists",
        )
    })?;
    let profile_id = profiles::insert_profile(
        &mut tx,
        user_id,
        new.role.primary_profile_kind(),
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
    let user = get_user(db, user_id).await?;
    let profile = profiles::get(db, profile_id).await?;
    Ok((user, profile))
}

async fn email_taken(db: &Db, email: &Email) -> CoreResult<bool> {
    Ok(sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&db.pool)
        .await?
        .is_some())
}

pub async fn get_user(db: &Db, id: i64) -> CoreResult<User> {
    let row = sqlx::query("SELECT id, email, role, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("account"))?;
    Ok(User::from_row(&row)?)
}

/// The newest logins (administrators only: e-mail addresses are private).
pub async fn list_users(db: &Db, actor: &Actor, limit: i64) -> CoreResult<Vec<User>> {
    require_admin(actor)?;
    let rows =
        sqlx::query("SELECT id, email, role, created_at FROM users ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .iter()
        .map(User::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// Signs in with an e-mail address (or a handle) and a password.
///
/// Failed attempts are counted in the database (so the limit holds across several instances)
/// per typed name and per network address. Counting per *name*, not per login, matters: a
/// login's e-mail, professional handle and personal handle must not be linkable, and a shared
/// counter would let anyone test whether two names throttle together. The per-address limit
/// still bounds guessing across all of a login's names. The answer never says which was wrong.
pub async fn authenticate(db: &Db, login: &str, password: &str, address: &str) -> CoreResult<User> {
    let name = login.trim().trim_start_matches('@').to_lowercase();
    let key = format!("name:{name}");
    check_throttle(db, &key, address).await?;
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.created_at, u.password_hash FROM users u \
         WHERE u.email = $1 OR u.id = (SELECT p.user_id FROM profiles p WHERE p.handle_lower = $1)",
    )
    .bind(&name)
    .fetch_optional(&db.pool)
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
                .execute(&db.pool)
                .await?;
            Ok(User::from_row(&row)?)
        }
        _ => {
            record_failure(db, &key, address).await?;
            Err(CoreError::Unauthenticated(
                "the e-mail address or password is not correct".into(),
            ))
        }
    }
}

/// Refuses before any password check once the name or the address has too many recent failures.
async fn check_throttle(db: &Db, key: &str, address: &str) -> CoreResult<()> {
    let since = now_ms() - THROTTLE_WINDOW_MS;
    let by_name = count_failures(db, "account_key", key, since).await?;
    let by_address = count_failures(db, "address", address, since).await?;
    if by_name >= MAX_FAILURES_PER_NAME || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(CoreError::TooManyRequests(
            "too many failed sign-in attempts: wait 15 minutes and try again".into(),
        ));
    }
    Ok(())
}

async fn record_failure(db: &Db, key: &str, address: &str) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO login_attempts (id, account_key, address, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id())
    .bind(key)
    .bind(address)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

async fn count_failures(db: &Db, column: &str, value: &str, since: i64) -> CoreResult<i64> {
    // `column` is one of two fixed names chosen by the caller above, never user input.
    let sql = format!("SELECT COUNT(*) AS n FROM login_attempts WHERE {column} = $1 AND at > $2");
    let row = sqlx::query(&sql)
        .bind(value)
        .bind(since)
        .fetch_one(&db.pool)
        .await?;
    Ok(col(&row, "n")?)
}

/// Changes the password after checking the current one; signs out every other session and
/// revokes personal and OAuth tokens, since a password change often follows a suspected leak.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    current: &str,
    new_password: &str,
    keep_session_id: Option<i64>,
) -> CoreResult<()> {
    let row = sqlx::query(
        "SELECT u.password_hash, u.email, p.handle FROM users u JOIN profiles p ON p.id = $2 \
         WHERE u.id = $1",
    )
    .bind(actor.user_id)
    .bind(actor.profile_id)
    .fetch_one(&db.pool)
    .await?;
    let hash: String = col(&row, "password_hash")?;
    if !verify_password(current, &hash).await? {
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
    let mut tx = db.begin_write().await?;
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
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "account.password_change",
        ("user", Some(actor.user_id)),
        "",
    )
    .await?;
    tx.commit().await?;
    db.tokens.clear();
    Ok(())
}

/// The admin pages and their data are for administrators only.
pub fn require_admin(actor: &Actor) -> CoreResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "only administrators can open the admin page",
        ))
    }
}

/// Changes a login's role (admins only). Audited.
///
/// A professional's or organisation's badge says "this is a checked professional account";
/// once the login is anything else, the badge no longer describes it, so its verifiable
/// profile goes back to unverified (audited too).
pub async fn set_role(db: &Db, actor: &Actor, user_id: i64, role: Role) -> CoreResult<()> {
    if actor.role != Role::Admin {
        return Err(CoreError::forbidden("only administrators can change roles"));
    }
    if actor.user_id == user_id && role != Role::Admin {
        return Err(CoreError::forbidden(
            "you cannot remove your own administrator role",
        ));
    }
    let before = get_user(db, user_id).await?;
    let leaves_professional_role =
        profiles::role_has_professional_profile(before.role) && role != before.role;
    let verifiable: Vec<i64> = profiles::for_user(db, user_id)
        .await?
        .iter()
        .filter(|p| p.kind.is_verifiable())
        .map(|p| p.id)
        .collect();
    let mut tx = db.begin_write().await?;
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
    db.tokens.clear();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sessions

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub actor: Actor,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// Starts a session acting as the login's first profile; returns the cookie value.
pub async fn create_session(db: &Db, user: &User) -> CoreResult<(String, Session)> {
    let profile = profiles::primary_for_user(db, user.id).await?;
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
    .execute(&db.pool)
    .await?;
    Ok((token, session))
}

/// What a session cookie stands for; `Ok(None)` when unknown, `Err(Unauthenticated)` when it
/// existed but expired (so the page can say so).
pub async fn session_from_cookie(db: &Db, token: &str) -> CoreResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.id, s.user_id, s.profile_id, s.csrf_token, s.expires_at, u.role \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
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
        delete_session(db, session.id).await?;
        return Err(CoreError::Unauthenticated(
            "your session has expired: please sign in again".into(),
        ));
    }
    Ok(Some(session))
}

pub async fn delete_session(db: &Db, session_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends a session early by moving its expiry into the past (used by tests and operators).
pub async fn expire_session(db: &Db, session_id: i64) -> CoreResult<()> {
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(now_ms() - 1)
        .bind(session_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Switches which of the login's own profiles the session acts as.
pub async fn switch_profile(db: &Db, session: &Session, profile_id: i64) -> CoreResult<()> {
    let profile = profiles::get(db, profile_id).await?;
    if profile.user_id != session.actor.user_id {
        return Err(CoreError::forbidden(
            "you can only act as your own profiles",
        ));
    }
    sqlx::query("UPDATE sessions SET profile_id = $1 WHERE id = $2")
        .bind(profile_id)
        .bind(session.id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Access tokens (Bearer tokens on the API)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Made by `credence admin token` for an operator or a script.
    Personal,
    /// Issued to an app through OAuth on behalf of a person.
    OAuth,
    /// Client-credentials token: identifies an app, not a person (used to sign up from an app).
    App,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::OAuth => "oauth",
            TokenKind::App => "app",
        }
    }
}

impl FromStr for TokenKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "personal" => Ok(TokenKind::Personal),
            "oauth" => Ok(TokenKind::OAuth),
            "app" => Ok(TokenKind::App),
            _ => Err(()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub kind: TokenKind,
    pub app_id: Option<i64>,
    /// `None` for app-only tokens.
    pub actor: Option<Actor>,
    pub scopes: String,
    pub created_at: i64,
}

impl TokenInfo {
    /// Whether the token grants `scope`, exactly or through its top-level scope (`read` grants
    /// `read:accounts`).
    pub fn grants(&self, scope: &str) -> bool {
        self.scopes.split(' ').any(|granted| {
            granted == scope
                || scope
                    .strip_prefix(granted)
                    .is_some_and(|rest| rest.starts_with(':'))
        })
    }

    /// Who views through this token on public endpoints. Elevated views (a reviewer sees
    /// licence numbers) need the app to hold `read:accounts`: an app a moderator authorised
    /// only for `profile` or `push` sees what anyone sees.
    pub fn viewer(&self) -> Option<&Actor> {
        self.actor.as_ref().filter(|_| self.grants("read:accounts"))
    }
}

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
pub async fn personal_token_for_handle(db: &Db, handle: &str) -> CoreResult<String> {
    let profile = profiles::get_by_handle(db, handle).await?;
    let mut tx = db.begin_write().await?;
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
pub async fn token_info(db: &Db, token: &str) -> CoreResult<Option<TokenInfo>> {
    let hash = token_hash(token);
    if let Some(info) = db.tokens.get(&hash) {
        return Ok(Some(info));
    }
    let (generation, at) = (db.tokens.generation(), Instant::now());
    let info = lookup_token(db, &hash).await?;
    if let Some(info) = &info {
        db.tokens.store(hash, info.clone(), generation, at);
    }
    Ok(info)
}

async fn lookup_token(db: &Db, hash: &str) -> CoreResult<Option<TokenInfo>> {
    let row = sqlx::query(
        "SELECT t.id, t.kind, t.app_id, t.user_id, t.profile_id, t.scopes, t.created_at, u.role \
         FROM access_tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
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
pub async fn revoke_token(db: &Db, app_id: i64, token: &str) -> CoreResult<bool> {
    let hash = token_hash(token);
    let revoked = sqlx::query(
        "UPDATE access_tokens SET revoked_at = $1 \
         WHERE token_hash = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(&hash)
    .bind(app_id)
    .execute(&db.pool)
    .await?;
    if revoked.rows_affected() > 0 {
        db.tokens.clear();
        return Ok(true);
    }
    let someone_elses =
        sqlx::query("SELECT id FROM access_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(&hash)
            .fetch_optional(&db.pool)
            .await?
            .is_some();
    Ok(!someone_elses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@ex..org",
            "ana@@example.org",
            "an\u{202E}a@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn handles() {
        assert_eq!(Handle::parse("@dr_ana").unwrap().as_str(), "dr_ana");
        for bad in [
            "ab",
            "has space",
            "émile",
            "admin",
            &"x".repeat(31),
            "dr\u{200B}ana",
        ] {
            assert!(Handle::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn token_scopes() {
        let token = |scopes: &str| TokenInfo {
            id: 1,
            kind: TokenKind::OAuth,
            app_id: None,
            actor: Some(Actor {
                user_id: 1,
                role: Role::Moderator,
                profile_id: 1,
            }),
            scopes: scopes.into(),
            created_at: 0,
        };
        assert!(token("read write").grants("read:accounts"));
        assert!(token("read:accounts").grants("read:accounts"));
        assert!(!token("read:accounts").grants("read"));
        assert!(!token("readx").grants("read:accounts"));
        assert!(token("read").viewer().is_some());
        assert!(token("read:accounts push").viewer().is_some());
        assert!(token("profile push").viewer().is_none());
        assert!(token("read:statuses").viewer().is_none());
    }

    #[test]
    fn password_strength() {
        assert!(check_password_strength("short", "a@b.org", "ana").is_err());
        assert!(check_password_strength("password123", "a@b.org", "ana").is_err());
        assert!(check_password_strength("aaaaaaaaaaaa", "a@b.org", "ana").is_err());
        assert!(check_password_strength("correct horse battery", "a@b.org", "ana").is_ok());
    }
}
