//! Mastodon's hashtags: one hashtag, following and unfollowing it, and the ones followed
//! (Credence's topic follows, which the home timeline already takes in).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use credence_core::topics::{self, Topic};
use serde::Deserialize;
use serde_json::{json, Value};

use credence_core::kernel::clock::rfc3339;

use crate::error::ApiError;
use crate::extract::{Bearer, MaybeBearer};
use crate::paging::{json_with_link, link_header, page_ids, PagingQuery};
use crate::state::{AppState, WebConfig};

/// Mastodon's `Tag` entity. Usage history is not kept, so `history` is empty.
fn tag(topic: &Topic, following: Option<bool>, config: &WebConfig) -> Value {
    let mut tag = json!({
        "id": topic.id.to_string(),
        "name": topic.slug,
        "url": config.absolute(&format!("/topics/{}", topic.slug)),
        "history": [],
    });
    if let Some(following) = following {
        tag["following"] = json!(following);
    }
    tag
}

/// `GET /api/v1/tags/:name`.
pub async fn show(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let reader = viewer.reader();
    let (topic, following) = topics::hashtag_for(&state.core, reader, &name).await?;
    Ok(Json(tag(&topic, reader.map(|_| following), &state.config)))
}

/// `POST /api/v1/tags/:name/follow`.
pub async fn follow(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:follows")?;
    let topic = topics::follow_by_name(&state.core, actor, &name).await?;
    Ok(Json(tag(&topic, Some(true), &state.config)))
}

/// `POST /api/v1/tags/:name/unfollow`.
pub async fn unfollow(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:follows")?;
    match topics::unfollow_by_name(&state.core, actor, &name).await? {
        Some(topic) => Ok(Json(tag(&topic, Some(false), &state.config))),
        None => Err(credence_core::CoreError::NotFound("hashtag").into()),
    }
}

/// `GET /api/v1/followed_tags`: newest hashtag first (100 a page, at most 200), with `Link`.
pub async fn followed(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:follows")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 200);
    let list = topics::followed(&state.core, actor, q.below(), limit).await?;
    let link = link_header(
        &state.config,
        "/api/v1/followed_tags",
        &format!("limit={limit}"),
        page_ids(&list, |x| x.id),
    );
    let body = list
        .iter()
        .map(|t| tag(t, Some(true), &state.config))
        .collect();
    Ok(json_with_link(Value::Array(body), link))
}

/// Mastodon's `FeaturedTag` entity.
fn featured_json(f: &topics::FeaturedTag, config: &WebConfig) -> Value {
    json!({
        "id": f.id.to_string(),
        "name": f.topic.slug,
        "url": config.absolute(&format!("/topics/{}", f.topic.slug)),
        "statuses_count": f.posts.to_string(),
        "last_status_at": f.last_post_at.map(|t| rfc3339(t)[..10].to_string()),
    })
}

/// `GET /api/v1/featured_tags`: the reader's own.
pub async fn own_featured(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let list = topics::featured(&state.core, actor.profile_id).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|f| featured_json(f, &state.config))
            .collect(),
    )))
}

/// `GET /api/v1/accounts/:id/featured_tags`: what a profile features.
pub async fn account_featured(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = crate::extract::api_id(&id)?;
    credence_core::profiles::get(&state.core, id)
        .await
        .map_err(crate::error::hide)?;
    let list = topics::featured(&state.core, id).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|f| featured_json(f, &state.config))
            .collect(),
    )))
}

#[derive(Deserialize)]
pub struct FeatureBody {
    name: Option<String>,
}

/// `POST /api/v1/featured_tags` with `name`.
pub async fn feature(
    State(state): State<AppState>,
    bearer: Bearer,
    crate::extract::JsonOrForm(body): crate::extract::JsonOrForm<FeatureBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let featured =
        topics::feature(&state.core, actor, body.name.as_deref().unwrap_or_default()).await?;
    Ok(Json(featured_json(&featured, &state.config)))
}

/// `DELETE /api/v1/featured_tags/:id`.
pub async fn unfeature(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    topics::unfeature(&state.core, actor, crate::extract::api_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/featured_tags/suggestions`: the reader's most used hashtags not featured yet.
pub async fn feature_suggestions(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let list = topics::suggestions(&state.core, actor).await?;
    Ok(Json(Value::Array(
        list.iter().map(|t| tag(t, None, &state.config)).collect(),
    )))
}
