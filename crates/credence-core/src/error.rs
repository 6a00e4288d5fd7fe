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
    /// Publishing refused by a credibility rule (PHI without consent, commercial interest
    /// without a disclosure, …). Carries the engine's report so the author sees every finding.
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: String,
        report: Option<Box<credence_check::Report>>,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
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

    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Invalid { .. } => "invalid",
            CoreError::Conflict { .. } => "taken",
            CoreError::NotFound(_) => "not_found",
            CoreError::Unauthenticated(_) => "unauthenticated",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::TooManyRequests(_) => "too_many_requests",
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

/// Turns a unique-constraint violation into a `Conflict` on `field`; other errors pass through.
pub(crate) fn unique_violation(err: sqlx::Error, field: &'static str, message: &str) -> CoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return CoreError::Conflict {
                field,
                message: message.to_string(),
            };
        }
    }
    CoreError::Database(err)
}
