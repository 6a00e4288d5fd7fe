//! How errors reach people: HTML pages get an error page (or a redirect to sign in), the API gets
//! Mastodon-style JSON `{"error": "..."}` with a stable `error_code`. Internal causes are logged
//! and never shown.

use askama::Template;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use credence_core::oauth::GrantError;
use credence_core::CoreError;

pub fn status_of(err: &CoreError) -> StatusCode {
    match err {
        CoreError::Invalid { .. } | CoreError::Conflict { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::NotFound(_) => StatusCode::NOT_FOUND,
        CoreError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        CoreError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        CoreError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        // Gone for good: changed after it was written, or its key was shredded.
        CoreError::Unreadable(_) => StatusCode::GONE,
        CoreError::RegistrationsClosed => StatusCode::FORBIDDEN,
        CoreError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::Database(_) | CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message a person sees; internal errors are logged and replaced by a generic sentence.
pub fn public_message(err: &CoreError) -> String {
    match err {
        CoreError::Database(_) | CoreError::Internal(_) => {
            tracing::error!(error = ?err, "internal error");
            "something went wrong on our side; please try again".into()
        }
        CoreError::NotFound(what) => format!("that {what} does not exist"),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

#[derive(Debug)]
pub enum HtmlError {
    Page { status: StatusCode, message: String },
    Redirect(String),
}

impl HtmlError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HtmlError::Page {
            status,
            message: message.into(),
        }
    }

    pub fn csrf() -> Self {
        HtmlError::new(
            StatusCode::FORBIDDEN,
            "this form has expired or did not come from this site: go back, reload the page and try again",
        )
    }

    pub fn sign_in_required() -> Self {
        HtmlError::Redirect("/signin".into())
    }
}

impl From<CoreError> for HtmlError {
    fn from(err: CoreError) -> Self {
        HtmlError::Page {
            status: status_of(&err),
            message: public_message(&err),
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("Error"),
        message,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {message}", status.as_u16()));
    (status, Html(body)).into_response()
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        match self {
            HtmlError::Page { status, message } => error_page(status, &message),
            HtmlError::Redirect(to) => Redirect::to(&to).into_response(),
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    /// The credibility report behind a refusal, so a client can show every finding.
    pub report: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            report: None,
        }
    }

    /// Mastodon's answer for a missing record, and for one the caller may not see.
    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Record not found")
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "The access token is invalid",
        )
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        let report = match &err {
            CoreError::Refused {
                report: Some(report),
                ..
            } => serde_json::to_value(report).ok(),
            _ => None,
        };
        ApiError {
            report,
            status: status_of(&err),
            code: err.code(),
            field: err.field(),
            message: public_message(&err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message, "error_code": self.code });
        if let Some(field) = self.field {
            // Mastodon's validation errors name the field under `details`.
            body["details"] = serde_json::json!({ field: [{ "error": "ERR_INVALID", "description": self.message }] });
        }
        if let Some(report) = self.report {
            body["report"] = report;
        }
        (self.status, Json(body)).into_response()
    }
}

/// The HTTP status of an OAuth error (RFC 6749 §5.2): a client that failed to authenticate
/// gets 401, another client's token 403 (what Doorkeeper, Mastodon's OAuth server, answers),
/// our own failure 500, anything else about the request 400.
fn grant_status(error: &GrantError) -> StatusCode {
    match error.error {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "unauthorized_client" => StatusCode::FORBIDDEN,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An error in OAuth's own format (RFC 6749 §5.2).
pub fn grant_error(error: GrantError) -> Response {
    (
        grant_status(&error),
        Json(serde_json::json!({"error": error.error, "error_description": error.description})),
    )
        .into_response()
}

/// Missing records, and records the caller may not see, look the same on the API: 404.
pub fn hide(err: CoreError) -> ApiError {
    match err {
        CoreError::NotFound(_) => ApiError::not_found(),
        other => other.into(),
    }
}

/// Whether a path belongs to the JSON API (errors in JSON) rather than the HTML pages.
/// `/oauth/authorize` is the one OAuth page people see; the other OAuth endpoints are JSON.
fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/nodeinfo")
        || path.starts_with("/.well-known/")
        || (path.starts_with("/oauth/") && path != "/oauth/authorize")
}

/// Unknown routes: JSON under `/api`, an HTML page elsewhere.
pub async fn not_found(request: Request) -> Response {
    if is_api_path(request.uri().path()) {
        ApiError::not_found().into_response()
    } else {
        error_page(
            StatusCode::NOT_FOUND,
            "there is no page at this address: check the link, or start from the home page",
        )
    }
}

/// A known route asked with a method it does not have (axum adds the `Allow` header): the
/// same page or JSON as every other error, not axum's empty 405.
pub async fn method_not_allowed(request: Request) -> Response {
    if is_api_path(request.uri().path()) {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This endpoint does not support this method",
        )
        .into_response()
    } else {
        error_page(
            StatusCode::METHOD_NOT_ALLOWED,
            "this address cannot be used that way: open it as a link, or use the form on its page",
        )
    }
}
