//! Mastodon's media endpoints: upload (checked and cleaned by `credence-media` in the core),
//! describe, show.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::Json;
use credence_core::media;
use serde::Deserialize;
use serde_json::Value;

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, Bearer, JsonOrForm};
use crate::state::AppState;

/// `POST /api/v2/media` (and v1): multipart `file`, `description`; Credence adds
/// `long_description` for infographics.
pub async fn upload(
    State(state): State<AppState>,
    bearer: Bearer,
    mut multipart: Multipart,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:media")?;
    let bad = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m);
    let mut file = None;
    let mut description = String::new();
    let mut long_description = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(format!("The upload could not be read: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                file = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| bad(format!("The file could not be read: {e}")))?,
                )
            }
            "description" => description = field.text().await.unwrap_or_default(),
            "long_description" => long_description = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| bad("Attach the file as the `file` field".into()))?;
    let info = media::upload(
        &state.core,
        actor,
        file.to_vec(),
        &description,
        &long_description,
    )
    .await?;
    Ok(Json(entities::media_attachment(&info, &state.config)))
}

#[derive(Deserialize)]
pub struct MediaUpdate {
    description: Option<String>,
    long_description: Option<String>,
}

pub async fn update_media(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<MediaUpdate>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:media")?;
    let id = api_id(&id)?;
    let current = media::get_own(&state.core, actor, id).await.map_err(hide)?;
    let info = media::describe(
        &state.core,
        actor,
        id,
        body.description.as_deref().unwrap_or(&current.description),
        body.long_description
            .as_deref()
            .unwrap_or(&current.long_description),
    )
    .await?;
    Ok(Json(entities::media_attachment(&info, &state.config)))
}

pub async fn show_media(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let info = media::get_own(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::media_attachment(&info, &state.config)))
}
