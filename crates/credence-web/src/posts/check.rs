//! The live credibility check, from the compose page (`POST /compose/check`, with the session)
//! and from apps (`POST /api/v1/credence/check`, with a token). Both are the core's
//! `posts::check_draft`, the same assessment as publishing.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_check::{DraftKind, Report};
use credence_core::posts::{self, DraftCheck, PostKind};
use serde::Deserialize;

use crate::error::{ApiError, HtmlError};
use crate::extract::{Bearer, JsonOrForm};
use crate::session::Ctx;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct PageCheck {
    text: String,
    kind: Option<PostKind>,
}

/// `POST /compose/check`: the check behind the compose page. Session-authenticated; the CSRF
/// token travels in the `X-CSRF-Token` header (the request is JSON, not a form).
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Json(request): Json<PageCheck>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    ctx.check_csrf(token)?;
    let check = DraftCheck {
        text: request.text,
        kind: posts::draft_kind(request.kind.unwrap_or(PostKind::Post), false),
        target_grade: None,
    };
    // The session already loaded the acting profile (with its disclosures).
    let report = match ctx.profile.as_ref().filter(|p| p.id == actor.profile_id) {
        Some(author) => posts::check_draft_by(&state.core, author, check)?,
        None => posts::check_draft(&state.core, actor, check).await?,
    };
    Ok(Json(report).into_response())
}

#[derive(Deserialize)]
pub struct ApiCheck {
    pub text: Option<String>,
    pub kind: Option<DraftKind>,
    pub target_grade: Option<f64>,
}

/// `POST /api/v1/credence/check`: the credibility report for a draft, as the compose screen
/// shows it while the author types (see `docs/credibility.md` for its fields).
pub async fn api(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<ApiCheck>,
) -> Result<Json<Report>, ApiError> {
    let actor = bearer.user("read")?;
    let check = DraftCheck {
        text: body.text.unwrap_or_default(),
        kind: body.kind.unwrap_or_default(),
        target_grade: body.target_grade,
    };
    Ok(Json(posts::check_draft(&state.core, actor, check).await?))
}
