//! `/oauth/token` and `/oauth/revoke` (RFC 6749, RFC 7009), with errors in OAuth's own format.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::accounts;
use credence_core::oauth::{self, TokenRequest};
use serde::Deserialize;
use serde_json::json;

use super::mastodon::body::JsonOrForm;
use crate::error::ApiError;
use crate::AppState;

pub async fn token(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<TokenRequest>,
) -> Response {
    match oauth::grant(&state.db, req).await {
        Ok(issued) => Json(issued).into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(json!({"error": e.error, "error_description": e.description})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub struct RevokeRequest {
    pub token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

pub async fn revoke(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<RevokeRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let app = oauth::app_by_client_id(&state.db, req.client_id.as_deref().unwrap_or_default())
        .await?
        .filter(|a| {
            req.client_secret
                .as_deref()
                .is_some_and(|s| credence_core::secrets::constant_time_eq(s, &a.client_secret))
        });
    if app.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_client",
            "client authentication failed",
        ));
    }
    if let Some(token) = req.token {
        accounts::revoke_token(&state.db, &token).await?;
    }
    // RFC 7009: answer 200 whether or not the token existed.
    Ok(Json(json!({})))
}
