//! Mastodon's notifications: the list and clearing it.

use axum::extract::{Query, State};
use axum::Json;
use credence_core::notifications;
use credence_core::timelines;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::Bearer;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct NotificationsQuery {
    max_id: Option<String>,
    limit: Option<i64>,
}

pub async fn notifications(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<NotificationsQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let max_id = q.max_id.as_deref().and_then(|s| s.parse().ok());
    let list = timelines::notifications(&state.core, actor, max_id, q.limit.unwrap_or(40)).await?;
    Ok(Json(Value::Array(
        list.iter()
            .filter_map(|n| entities::notification(n, &state.config))
            .collect(),
    )))
}

pub async fn clear(State(state): State<AppState>, bearer: Bearer) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:notifications")?;
    notifications::clear(&state.core, actor).await?;
    Ok(Json(json!({})))
}
