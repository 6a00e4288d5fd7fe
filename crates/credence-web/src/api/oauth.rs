//! `/oauth/token` and `/oauth/revoke` (RFC 6749, RFC 7009), with errors in OAuth's own format.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::oauth::{self, GrantError, RevokeRequest, TokenRequest};
use serde_json::json;

use super::mastodon::body::JsonOrForm;
use crate::AppState;

pub async fn token(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<TokenRequest>,
) -> Response {
    match oauth::grant(&state.db, req).await {
        Ok(issued) => Json(issued).into_response(),
        Err(e) => grant_error(e),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<RevokeRequest>,
) -> Response {
    match oauth::revoke(&state.db, &req).await {
        // RFC 7009: 200 whether or not the token existed.
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => grant_error(e),
    }
}

/// An error in OAuth's own format (RFC 6749 §5.2).
fn grant_error(e: GrantError) -> Response {
    (
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"error": e.error, "error_description": e.description})),
    )
        .into_response()
}
