//! Typed errors. Each variant maps to one status code and one message a person understands;
//! internal causes are logged by the web layer and never shown.

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input that cannot be accepted; `field` names the form field or JSON key.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A unique value already taken (handle, e-mail).
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in but not allowed.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Input too large to handle (a draft longer than any post may be).
    #[error("{0}")]
    TooLarge(String),
    /// A sealed record that cannot be opened: changed after it was written, or its owner's
    /// key was shredded (`kernel::envelope`). Nothing of it is returned.
    #[error("{0}")]
    Unreadable(String),
    /// This server does not take new accounts (`registrations_open = false`).
    #[error("registrations are closed on this server")]
    RegistrationsClosed,
    /// Publishing refused by a credibility rule (PHI without consent, commercial interest
    /// without a disclosure, …). Carries the engine's report so the author sees every finding.
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: String,
        report: Option<Box<credence_check::Report>>,
    },
    /// A database failure (a unique violation someone can cause by typing something taken is
    /// a [`CoreError::Conflict`] instead: see [`TAKEN`]).
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CoreError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        CoreError::Forbidden(message.into())
    }

    /// The conflict a person meets on a unique constraint of [`TAKEN`], for checks made
    /// before writing.
    pub fn taken(rule: &Taken) -> Self {
        CoreError::Conflict {
            field: rule.field,
            message: rule.message.to_string(),
        }
    }

    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Invalid { .. } => "invalid",
            CoreError::Conflict { .. } => "taken",
            CoreError::NotFound(_) => "not_found",
            CoreError::Unauthenticated(_) => "unauthenticated",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::TooManyRequests(_) => "too_many_requests",
            CoreError::TooLarge(_) => "too_large",
            CoreError::Unreadable(_) => "unreadable",
            CoreError::RegistrationsClosed => "closed",
            CoreError::Refused { code, .. } => code,
            CoreError::Database(_) | CoreError::Internal(_) => "internal",
        }
    }

    /// The field a validation error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CoreError::Invalid { field, .. } | CoreError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// A unique constraint that a person meets by choosing something already taken, with the
/// field and the message they are shown. PostgreSQL names the constraint it enforced; SQLite
/// names its table and columns ("UNIQUE constraint failed: users.email"). A violation of any
/// other constraint is a fault of ours, not theirs, and stays a database error (500, logged).
pub struct Taken {
    pub postgres: &'static str,
    pub sqlite: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// Every unique constraint a person can run into (the conformance suite checks each on both
/// backends).
pub const TAKEN: &[&Taken] = &[&EMAIL_TAKEN, &HANDLE_TAKEN, &PROFILE_KIND_TAKEN];

pub const EMAIL_TAKEN: Taken = Taken {
    postgres: "users_email_key",
    sqlite: "users.email",
    field: "email",
    message: "an account with that e-mail address already exists",
};

pub const HANDLE_TAKEN: Taken = Taken {
    postgres: "profiles_handle_lower_key",
    sqlite: "profiles.handle_lower",
    field: "handle",
    message: "that handle is already taken",
};

pub const PROFILE_KIND_TAKEN: Taken = Taken {
    postgres: "profiles_user_id_kind_key",
    sqlite: "profiles.user_id, profiles.kind",
    field: "handle",
    message: "you already have a profile of this kind",
};

/// The [`Taken`] rule a database error is a violation of, if any.
fn taken(err: &sqlx::Error) -> Option<&'static Taken> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    let sqlite_columns = db.message().strip_prefix("UNIQUE constraint failed: ");
    TAKEN
        .iter()
        .find(|rule| db.constraint() == Some(rule.postgres) || sqlite_columns == Some(rule.sqlite))
        .copied()
}

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        match taken(&err) {
            Some(rule) => CoreError::taken(rule),
            None => CoreError::Database(err),
        }
    }
}
