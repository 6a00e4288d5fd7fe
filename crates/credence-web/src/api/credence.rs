//! Credence's own API: profiles with credentials, disclosures and the verification workflow.
//! Described in `openapi.json` (served at `/api/v1/credence/openapi.json`).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::profiles::{self, Decision, ProfileUpdate};
use serde::Deserialize;
use serde_json::{json, Value};

use super::entities;
use super::mastodon::body::JsonOrForm;
use super::{Bearer, MaybeBearer};
use crate::error::ApiError;
use crate::AppState;

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

pub async fn own_profile(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let p = profiles::view_by_id(&state.db, Some(actor), actor.profile_id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "that profile does not exist",
        )
    })?;
    let p = profiles::view_by_id(&state.db, viewer.actor(), id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn update_profile(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(update): JsonOrForm<ProfileUpdate>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let p = profiles::update(&state.db, actor, update)
        .await?
        .for_viewer(Some(actor));
    Ok(Json(entities::account(&p, &state.config)))
}

#[derive(Deserialize)]
pub struct DisclosureBody {
    pub company: Option<String>,
    pub relationship: Option<String>,
    pub details: Option<String>,
}

pub async fn add_disclosure(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<DisclosureBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let d = profiles::add_disclosure(
        &state.db,
        actor,
        body.company.as_deref().unwrap_or_default(),
        body.relationship.as_deref().unwrap_or_default(),
        body.details.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(json!({
        "id": d.id.to_string(),
        "company": d.company,
        "relationship": d.relationship,
        "relationship_label": d.relationship_label,
        "details": d.details,
    })))
}

pub async fn remove_disclosure(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "that disclosure does not exist",
        )
    })?;
    profiles::remove_disclosure(&state.db, actor, id).await?;
    Ok(Json(json!({})))
}

pub async fn verification_status(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let request = profiles::latest_request(&state.db, actor, actor.profile_id).await?;
    let p = profiles::view_by_id(&state.db, Some(actor), actor.profile_id).await?;
    Ok(Json(json!({
        "state": p.verification,
        "request": request.map(|r| entities::verification_request(&r, &state.config)),
    })))
}

#[derive(Deserialize)]
pub struct SubmitBody {
    pub note: Option<String>,
}

pub async fn submit_verification(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<SubmitBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let r =
        profiles::submit_verification(&state.db, actor, body.note.as_deref().unwrap_or_default())
            .await?;
    Ok(Json(entities::verification_request(&r, &state.config)))
}

pub async fn review_queue(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read")?;
    let queue = profiles::review_queue(&state.db, actor).await?;
    Ok(Json(Value::Array(
        queue
            .iter()
            .map(|r| entities::verification_request(r, &state.config))
            .collect(),
    )))
}

#[derive(Deserialize)]
pub struct DecisionBody {
    pub decision: Option<String>,
    pub reason: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write")?;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "that verification request does not exist",
        )
    })?;
    let decision = match body.decision.as_deref() {
        Some("verify") => Decision::Verify,
        Some("reject") => Decision::Reject {
            reason: body.reason.unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "decision must be \"verify\" or \"reject\"",
            ))
        }
    };
    let r = profiles::decide(&state.db, actor, id, decision).await?;
    Ok(Json(entities::verification_request(&r, &state.config)))
}

/// Largest draft the check endpoint accepts (characters); a long article is ~50,000.
pub const MAX_CHECK_CHARS: usize = 100_000;

#[derive(Deserialize)]
pub struct CheckBody {
    pub text: Option<String>,
    pub kind: Option<credence_check::DraftKind>,
    pub target_grade: Option<f64>,
}

/// `POST /api/v1/credence/check`: the credibility report for a draft, as the compose screen
/// shows it while the author types. The author's own byline and declared disclosures are
/// taken from their profile.
pub async fn check(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<CheckBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read")?;
    let text = body.text.unwrap_or_default();
    if text.chars().count() > MAX_CHECK_CHARS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the draft is too long to check (at most {MAX_CHECK_CHARS} characters)"),
        ));
    }
    let target_grade = body
        .target_grade
        .unwrap_or(credence_check::DEFAULT_TARGET_GRADE);
    if !(1.0..=20.0).contains(&target_grade) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "target_grade must be between 1 and 20",
        ));
    }
    let profile = profiles::get(&state.db, actor.profile_id).await?;
    let mut draft = credence_check::Draft::new(&text);
    draft.kind = body.kind.unwrap_or_default();
    draft.target_grade = target_grade;
    draft.author.names = vec![profile.display_name.clone(), profile.handle.clone()];
    draft.declared_companies = profile
        .disclosures
        .iter()
        .map(|d| d.company.clone())
        .collect();
    let report = state.checker.check(&draft);
    Ok(Json(serde_json::to_value(report).map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    })?))
}
