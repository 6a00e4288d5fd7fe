//! Mastodon's follows, relationships, favourites, boosts and bookmarks.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use credence_core::engagement::{self, Interacted, Interaction, Side};
use credence_core::posts;
use credence_core::profiles::Profile;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, Bearer, MaybeBearer};
use crate::paging::{json_with_link, link_header, page_ids, PagingQuery};
use crate::state::AppState;

macro_rules! interaction {
    ($name:ident, $how:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            bearer: Bearer,
            Path(id): Path<String>,
        ) -> Result<Json<Value>, ApiError> {
            let actor = bearer.user("write:statuses")?;
            let id = api_id(&id)?;
            let post = engagement::interact(&state.core, actor, id, $how)
                .await
                .map_err(hide)?;
            Ok(Json(entities::status(&post, &state.config)))
        }
    };
}

interaction!(favourite, Interaction::Favourite);
interaction!(unfavourite, Interaction::Unfavourite);
interaction!(reblog, Interaction::Reblog);
interaction!(unreblog, Interaction::Unreblog);
interaction!(bookmark, Interaction::Bookmark);
interaction!(unbookmark, Interaction::Unbookmark);

macro_rules! pinning {
    ($name:ident, $on:expr) => {
        /// Mastodon's `/api/v1/statuses/:id/pin` and `…/unpin`.
        pub async fn $name(
            State(state): State<AppState>,
            bearer: Bearer,
            Path(id): Path<String>,
        ) -> Result<Json<Value>, ApiError> {
            let actor = bearer.user("write:accounts")?;
            let post = posts::pin(&state.core, actor, api_id(&id)?, $on)
                .await
                .map_err(hide)?;
            Ok(Json(entities::status(&post, &state.config)))
        }
    };
}

pinning!(pin, true);
pinning!(unpin, false);

/// A page of accounts as Mastodon lists them, with its `Link` header: `entries` are (page id,
/// profile), newest first.
fn accounts_page(
    state: &AppState,
    path: &str,
    q: &PagingQuery,
    entries: &[(i64, &Profile)],
) -> Response {
    let carried = q.limit.map(|l| format!("limit={l}")).unwrap_or_default();
    let link = link_header(&state.config, path, &carried, page_ids(entries, |e| e.0));
    let body: Vec<Value> = entries
        .iter()
        .map(|(_, profile)| entities::account(profile, &state.config))
        .collect();
    json_with_link(Value::Array(body), link)
}

/// `GET /api/v1/accounts/:id/followers` and `…/following`: accounts, newest follow first,
/// paged by `Link` on the follows' ids.
async fn follow_list(
    state: &AppState,
    id: &str,
    side: Side,
    q: &PagingQuery,
) -> Result<Response, ApiError> {
    let account = api_id(id)?;
    let list = engagement::follow_list(&state.core, account, side, &q.window())
        .await
        .map_err(hide)?;
    let path = match side {
        Side::Followers => format!("/api/v1/accounts/{account}/followers"),
        Side::Following => format!("/api/v1/accounts/{account}/following"),
    };
    let entries: Vec<(i64, &Profile)> = list.iter().map(|e| (e.follow_id, &e.profile)).collect();
    Ok(accounts_page(state, &path, q, &entries))
}

/// `GET /api/v1/statuses/:id/favourited_by` and `…/reblogged_by`: who liked or boosted a post
/// the viewer may read, newest first, paged by `Link`.
async fn interacted_list(
    state: &AppState,
    viewer: &MaybeBearer,
    id: &str,
    which: Interacted,
    q: &PagingQuery,
) -> Result<Response, ApiError> {
    let post = api_id(id)?;
    let list = engagement::interacted(&state.core, viewer.reader(), post, which, &q.window())
        .await
        .map_err(hide)?;
    let path = match which {
        Interacted::Favourited => format!("/api/v1/statuses/{post}/favourited_by"),
        Interacted::Boosted => format!("/api/v1/statuses/{post}/reblogged_by"),
    };
    let entries: Vec<(i64, &Profile)> = list.iter().map(|e| (e.page_id, &e.profile)).collect();
    Ok(accounts_page(state, &path, q, &entries))
}

pub async fn favourited_by(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    interacted_list(&state, &viewer, &id, Interacted::Favourited, &q).await
}

pub async fn reblogged_by(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    interacted_list(&state, &viewer, &id, Interacted::Boosted, &q).await
}

pub async fn followers(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    follow_list(&state, &id, Side::Followers, &q).await
}

pub async fn following(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    follow_list(&state, &id, Side::Following, &q).await
}

fn relationship_json(r: &engagement::Relationship) -> Value {
    json!({
        "id": r.id.to_string(),
        "following": r.following,
        "followed_by": r.followed_by,
        "showing_reblogs": r.following,
        "notifying": false,
        "languages": null,
        "blocking": false,
        "blocked_by": false,
        "muting": false,
        "muting_notifications": false,
        "requested": r.requested,
        "requested_by": r.requested_by,
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    })
}

pub async fn follow(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:follows")?;
    let r = engagement::follow(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(relationship_json(&r)))
}

pub async fn unfollow(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:follows")?;
    let r = engagement::unfollow(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(relationship_json(&r)))
}

#[derive(Deserialize)]
pub struct RelationshipsQuery {
    #[serde(default, alias = "id[]")]
    id: Vec<String>,
}

/// The accounts of `id[]=1&id[]=2` (repeated keys, which only an HTML-form parser collects),
/// at most 40.
fn ids_param(raw: Option<&str>) -> Result<Vec<i64>, ApiError> {
    let q: RelationshipsQuery = serde_html_form::from_str(raw.unwrap_or_default())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()))?;
    Ok(q.id
        .iter()
        .take(40)
        .filter_map(|id| id.parse().ok())
        .collect())
}

pub async fn relationships(
    State(state): State<AppState>,
    bearer: Bearer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:follows")?;
    let ids = ids_param(raw.as_deref())?;
    let out = engagement::relationships(&state.core, actor, &ids)
        .await?
        .iter()
        .map(relationship_json)
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `GET /api/v1/accounts/familiar_followers?id[]=…`: for each account, the people the reader
/// follows who follow it.
pub async fn familiar_followers(
    State(state): State<AppState>,
    bearer: Bearer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:follows")?;
    let ids = ids_param(raw.as_deref())?;
    let out = engagement::familiar_followers(&state.core, actor, &ids)
        .await?
        .iter()
        .map(|(id, people)| {
            json!({
                "id": id.to_string(),
                "accounts": people.iter().map(|p| entities::account(p, &state.config)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `GET /api/v1/follow_requests`: the people asking to follow the reader, newest first.
pub async fn follow_requests(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PagingQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:follows")?;
    let limit = q.limit.unwrap_or(40);
    let list = engagement::follow_requests(&state.core, actor, q.below(), limit).await?;
    let link = link_header(
        &state.config,
        "/api/v1/follow_requests",
        &format!("limit={limit}"),
        page_ids(&list, |x| x.0),
    );
    let body = list
        .iter()
        .map(|(_, p)| entities::account(p, &state.config))
        .collect();
    Ok(json_with_link(Value::Array(body), link))
}

macro_rules! answering {
    ($name:ident, $approve:expr) => {
        /// `POST /api/v1/follow_requests/:account_id/authorize` or `…/reject`.
        pub async fn $name(
            State(state): State<AppState>,
            bearer: Bearer,
            Path(id): Path<String>,
        ) -> Result<Json<Value>, ApiError> {
            let actor = bearer.user("write:follows")?;
            let r = engagement::answer_follow_request(&state.core, actor, api_id(&id)?, $approve)
                .await?;
            Ok(Json(relationship_json(&r)))
        }
    };
}

answering!(authorize, true);
answering!(reject, false);
