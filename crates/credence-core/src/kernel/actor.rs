//! Who is acting and what they may do: the signed-in [`Actor`], their [`Role`], the Bearer
//! token they act through ([`TokenInfo`]), and the policy predicates every capability asks.
//! Kept in the kernel because nearly every rule starts with "who is asking".

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::error::{CoreError, CoreResult};

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

    /// Moderators and admins work the verification queue and remove others' posts.
    pub fn can_review(self) -> bool {
        matches!(self, Role::Moderator | Role::Admin)
    }

    /// Whether a login of this role holds a verifiable (professional or organisation) profile.
    pub fn has_professional_profile(self) -> bool {
        matches!(self, Role::Professional | Role::Organisation)
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

/// Who is acting: the login, its role, and the profile chosen for this session or token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub profile_id: i64,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The admin pages and their data are for administrators only.
pub fn require_admin(actor: &Actor) -> CoreResult<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "only administrators can open the admin page",
        ))
    }
}

/// The verification queue is for moderators and administrators.
pub fn require_reviewer(actor: &Actor) -> CoreResult<()> {
    if actor.role.can_review() {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "only moderators and administrators can open the review queue",
        ))
    }
}

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
    pub fn as_str(self) -> &'static str {
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

/// A live Bearer token: who it acts for and what it grants.
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

    /// The reader behind a token that may read statuses (else anonymous).
    pub fn reader(&self) -> Option<&Actor> {
        self.actor.as_ref().filter(|_| self.grants("read:statuses"))
    }

    /// The person a token may say it belongs to (`verify_credentials`): with `read:accounts`,
    /// or with the `profile` scope (Mastodon 4.3), which allows exactly that.
    pub fn identified(&self) -> Option<&Actor> {
        self.actor
            .as_ref()
            .filter(|_| self.grants("read:accounts") || self.grants("profile"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(token("read:statuses").reader().is_some());
        assert!(token("read:accounts").reader().is_none());
        assert!(token("profile push").identified().is_some());
        assert!(token("read").identified().is_some());
        assert!(token("write push").identified().is_none());
    }

    #[test]
    fn roles_parse_and_know_their_powers() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Moderator.can_review() && !Role::Professional.can_review());
        assert!(Role::Organisation.has_professional_profile());
        assert!(!Role::Admin.has_professional_profile());
    }
}
