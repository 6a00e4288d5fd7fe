//! Credence's verification API: the applicant's status and request, the review queue and
//! decisions.

use axum::extract::{Path, State};
use axum::Json;
use credence_core::kernel::text::no_null;
use credence_core::profiles;
use credence_core::verification::{self, Decision};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::{api_named_id, Bearer, JsonOrForm};
use crate::state::AppState;

pub async fn verification_status(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let request = verification::latest_request(&state.core, actor, actor.profile_id).await?;
    let p = profiles::view_by_id(&state.core, Some(actor), actor.profile_id).await?;
    Ok(Json(json!({
        "state": p.verification,
        "request": request.map(|r| entities::verification_request(&r, &state.config)),
    })))
}

#[derive(Deserialize)]
pub struct SubmitBody {
    #[serde(default, deserialize_with = "no_null")]
    pub note: Option<String>,
}

pub async fn submit_verification(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<SubmitBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let r =
        verification::submit(&state.core, actor, body.note.as_deref().unwrap_or_default()).await?;
    Ok(Json(entities::verification_request(&r, &state.config)))
}

pub async fn review_queue(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read")?;
    let queue = verification::review_queue(&state.core, actor).await?;
    Ok(Json(Value::Array(
        queue
            .iter()
            .map(|r| entities::verification_request(r, &state.config))
            .collect(),
    )))
}

#[derive(Deserialize)]
pub struct DecisionBody {
    #[serde(default, deserialize_with = "no_null")]
    pub decision: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub reason: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write")?;
    let id = api_named_id(&id, "verification request")?;
    let decision = Decision::parse(
        body.decision.as_deref().unwrap_or_default(),
        body.reason.unwrap_or_default(),
    )?;
    let r = verification::decide(&state.core, actor, id, decision).await?;
    Ok(Json(entities::verification_request(&r, &state.config)))
}
