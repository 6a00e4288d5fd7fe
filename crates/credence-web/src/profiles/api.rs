//! Accounts as Mastodon shows them (`/api/v1/accounts/:id`, `lookup`), and Credence's own
//! profile endpoints: credentials and disclosures.

use axum::extract::{Path, Query, State};
use axum::Json;
use credence_core::kernel::text::no_null;
use credence_core::profiles::{self, ProfileUpdate};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, api_named_id, Bearer, JsonOrForm, MaybeBearer};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LookupQuery {
    pub acct: Option<String>,
}

/// `GET /api/v1/accounts/lookup?acct=`: `handle`, `@handle` or `handle@this.domain`.
pub async fn lookup(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<LookupQuery>,
) -> Result<Json<Value>, ApiError> {
    let acct = q.acct.unwrap_or_default();
    // `user@this.domain` names a local account too.
    let domain = state.config.domain();
    let handle = match acct.trim_start_matches('@').split_once('@') {
        Some((user, host)) if host.eq_ignore_ascii_case(&domain) => user.to_string(),
        Some(_) => return Err(ApiError::not_found()),
        None => acct.trim_start_matches('@').to_string(),
    };
    let p = profiles::view(&state.core, viewer.actor(), &handle)
        .await
        .map_err(hide)?;
    Ok(Json(entities::account(&p, &state.config)))
}

/// `GET /api/v1/accounts/:id`
pub async fn account(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = profiles::view_by_id(&state.core, viewer.actor(), api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn own_profile(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let p = profiles::view_by_id(&state.core, Some(actor), actor.profile_id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = api_named_id(&id, "profile")?;
    let p = profiles::view_by_id(&state.core, viewer.actor(), id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn update_profile(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(update): JsonOrForm<ProfileUpdate>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let p = profiles::update(&state.core, actor, update)
        .await?
        .profile
        .for_viewer(Some(actor));
    Ok(Json(entities::account(&p, &state.config)))
}

#[derive(Deserialize)]
pub struct DisclosureBody {
    #[serde(default, deserialize_with = "no_null")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub relationship: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub details: Option<String>,
}

pub async fn add_disclosure(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<DisclosureBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let d = profiles::add_disclosure(
        &state.core,
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
    let id = api_named_id(&id, "disclosure")?;
    profiles::remove_disclosure(&state.core, actor, id).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct DirectoryParams {
    offset: Option<i64>,
    limit: Option<i64>,
    order: Option<String>,
    /// Credence filters.
    profession: Option<String>,
    specialty: Option<String>,
    verified_only: Option<crate::extract::BoolLike>,
}

/// `GET /api/v1/directory`: professionals and organisations (never members), by recent
/// activity or newest, with Credence's profession, specialty and verified filters.
pub async fn directory(
    State(state): State<AppState>,
    Query(q): Query<DirectoryParams>,
) -> Result<Json<Value>, ApiError> {
    let order = match q.order.as_deref() {
        None | Some("active") => profiles::DirectoryOrder::Active,
        Some("new") => profiles::DirectoryOrder::New,
        Some(other) => {
            return Err(credence_core::CoreError::invalid(
                "order",
                format!("order is active or new, not \"{other}\""),
            )
            .into())
        }
    };
    let query = profiles::DirectoryQuery {
        order,
        profession: q.profession,
        specialty: q.specialty,
        verified_only: crate::extract::is_true(&q.verified_only),
        offset: q.offset.unwrap_or(0),
        limit: q.limit.unwrap_or(40),
    };
    let people = profiles::directory(&state.core, &query).await?;
    Ok(Json(Value::Array(
        people
            .iter()
            .map(|p| entities::account(p, &state.config))
            .collect(),
    )))
}
