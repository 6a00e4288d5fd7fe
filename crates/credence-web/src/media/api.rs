//! Mastodon's media endpoints: upload (checked and cleaned by `credence-media` in the core),
//! describe, show.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use credence_core::media;
use serde::Deserialize;
use serde_json::Value;

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, Bearer, JsonOrForm};
use crate::state::AppState;
use crate::uploads;

/// `POST /api/v2/media` (and v1): multipart `file`, `description`; Credence adds
/// `long_description` for infographics. The file streams to disk as it arrives (`uploads`).
pub async fn upload(
    State(state): State<AppState>,
    bearer: Bearer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:media")?;
    let _in_progress = state.uploads.begin(actor.profile_id)?;
    let mut form = uploads::read_form(multipart, &state.config.upload_dir).await?;
    let file = form.take_file("file").ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Attach the file as the `file` field",
        )
    })?;
    let info = uploads::store(
        &state,
        actor,
        file,
        &form.text("description"),
        &form.text("long_description"),
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
