//! Mastodon's statuses, media, timelines, interactions, follows, notifications, search and
//! scheduled statuses, over Credence's posts. Every rule lives in `credence_core`; this module
//! only translates Mastodon's parameters and entities.

use axum::extract::{Multipart, Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::accounts::Actor;
use credence_core::feeds::{self, Page};
use credence_core::posts::{
    self, Action, CitationInput, Compose, ConsentInput, Post, PostKind, PostRef, PostState,
    Visibility,
};
use credence_core::search::{self, Filters};
use credence_core::{media, social, topics, CoreError};
use serde::Deserialize;
use serde_json::{json, Value};

use super::mastodon::{body::JsonOrForm, BoolLike};
use super::{entities, render};
use super::{Bearer, MaybeBearer};
use crate::error::ApiError;
use crate::AppState;

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::not_found())
}

/// Missing posts, and posts the caller may not read, look the same: 404.
fn hide(err: CoreError) -> ApiError {
    match err {
        CoreError::NotFound(_) => ApiError::not_found(),
        other => other.into(),
    }
}

impl MaybeBearer {
    /// The reader behind a token that may read statuses (else anonymous).
    fn reader(&self) -> Option<&Actor> {
        self.0
            .as_ref()
            .filter(|t| t.grants("read:statuses"))
            .and_then(|t| t.actor.as_ref())
    }
}

#[derive(Deserialize, Default)]
pub struct StatusBody {
    status: Option<String>,
    #[serde(default, alias = "media_ids[]")]
    media_ids: Option<Vec<String>>,
    in_reply_to_id: Option<String>,
    sensitive: Option<BoolLike>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    scheduled_at: Option<String>,
    /// Credence: `post` (default), `article`, `research_update` or `tip`.
    credence_kind: Option<PostKind>,
    title: Option<String>,
    /// Credence: structured citations (JSON bodies).
    #[serde(default)]
    citations: Vec<CitationInput>,
    #[serde(default, alias = "topics[]")]
    topics: Option<Vec<String>>,
    disclosure: Option<String>,
    consent: Option<ConsentInput>,
    #[serde(default, alias = "coauthors[]")]
    coauthors: Option<Vec<String>>,
    #[serde(default, alias = "reviewers[]")]
    reviewers: Vec<String>,
    /// A member confirms sharing their own health details publicly.
    confirm_public: Option<BoolLike>,
    /// Credence: save as a draft instead of publishing.
    draft: Option<BoolLike>,
}

fn visibility(word: Option<&str>) -> Result<Visibility, ApiError> {
    match word.unwrap_or("public") {
        // Credence has no "unlisted": such posts are public.
        "public" | "unlisted" | "" => Ok(Visibility::Public),
        "private" | "followers" => Ok(Visibility::Followers),
        "direct" => Ok(Visibility::Direct),
        other => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("Visibility \"{other}\" is not one of public, unlisted, private, direct"),
        )),
    }
}

fn compose_from(body: StatusBody) -> Result<Compose, ApiError> {
    let media_ids = body
        .media_ids
        .unwrap_or_default()
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Unknown media id",
                )
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let in_reply_to_id = match body.in_reply_to_id.as_deref() {
        None | Some("") => None,
        Some(id) => Some(id.parse().map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "in_reply_to_id is not a status id",
            )
        })?),
    };
    let action = if body.draft.as_ref().is_some_and(BoolLike::is_true) {
        Action::SaveDraft
    } else if let Some(at) = body.scheduled_at.as_deref().filter(|s| !s.is_empty()) {
        let at = chrono::DateTime::parse_from_rfc3339(at).map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "scheduled_at must be an ISO 8601 time such as 2026-12-01T09:00:00Z",
            )
        })?;
        Action::Schedule(at.timestamp_millis())
    } else {
        Action::Publish
    };
    Ok(Compose {
        kind: body.credence_kind.unwrap_or(PostKind::Post),
        title: body.title.unwrap_or_default(),
        body: body.status.unwrap_or_default(),
        spoiler_text: body.spoiler_text.unwrap_or_default(),
        sensitive: body.sensitive.as_ref().is_some_and(BoolLike::is_true),
        visibility: visibility(body.visibility.as_deref())?,
        in_reply_to_id,
        citations: body.citations,
        topics: body.topics.unwrap_or_default(),
        media_ids,
        disclosure: body.disclosure.unwrap_or_default(),
        consent: body.consent,
        coauthors: body.coauthors.unwrap_or_default(),
        reviewers: body.reviewers,
        confirm_public_overshare: body.confirm_public.as_ref().is_some_and(BoolLike::is_true),
        action,
    })
}

fn status_response(post: &Post, state: &AppState) -> Response {
    if post.state == PostState::Scheduled {
        return Json(entities::scheduled_status(post)).into_response();
    }
    Json(entities::status(post, &state.config)).into_response()
}

/// `POST /api/v1/statuses`
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<StatusBody>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let compose = compose_from(body)?;
    let post = posts::create(&state.db, &state.checker, actor, compose).await?;
    Ok(status_response(&post, &state))
}

/// `GET /api/v1/statuses/:id`
pub async fn show(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let post = posts::view_published(&state.db, viewer.reader(), parse_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::status(&post, &state.config)))
}

/// `PUT /api/v1/statuses/:id`: edit (the author only; the old version is kept).
pub async fn edit(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<StatusBody>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let id = parse_id(&id)?;
    let current = posts::view(&state.db, Some(actor), id)
        .await
        .map_err(hide)?;
    // Mastodon's edit sends what changes; keep what it leaves out.
    let (kept_media, kept_topics, kept_coauthors) = (
        body.media_ids.is_none(),
        body.topics.is_none(),
        body.coauthors.is_none(),
    );
    let mut compose = compose_from(body)?;
    if kept_media {
        compose.media_ids = current.media.iter().map(|m| m.id).collect();
    }
    if kept_topics {
        compose.topics = current.topics.iter().map(|t| t.slug.clone()).collect();
    }
    if kept_coauthors {
        // Those who have not answered yet too: an edit does not withdraw a request.
        compose.coauthors = posts::named_coauthors(&state.db, actor, id).await?;
    }
    compose.visibility = current.visibility;
    if compose.title.is_empty() {
        compose.title = current.title.clone();
    }
    compose.kind = if compose.kind == PostKind::Post {
        current.kind
    } else {
        compose.kind
    };
    if compose.citations.is_empty() {
        compose.citations = current
            .citations
            .iter()
            .map(|c| CitationInput {
                kind: Some(c.kind.to_string()),
                value: c.value.clone(),
                title: c.title.clone(),
            })
            .collect();
    }
    if compose.disclosure.is_empty() {
        compose.disclosure = current.disclosure.clone();
    }
    let post = posts::update(&state.db, &state.checker, actor, id, compose).await?;
    Ok(status_response(&post, &state))
}

/// `DELETE /api/v1/statuses/:id`: returns the post with its source text, as Mastodon does.
pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let id = parse_id(&id)?;
    let post = posts::view_published(&state.db, Some(actor), id)
        .await
        .map_err(hide)?;
    posts::delete(&state.db, actor, id).await?;
    Ok(Json(entities::deleted_status(&post, &state.config)))
}

/// `GET /api/v1/statuses/:id/context`
pub async fn context(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (ancestors, descendants) = feeds::context(&state.db, viewer.reader(), parse_id(&id)?)
        .await
        .map_err(hide)?;
    let list = |posts: &[Post]| -> Vec<Value> {
        posts
            .iter()
            .map(|p| entities::status(p, &state.config))
            .collect()
    };
    Ok(Json(json!({
        "ancestors": list(&ancestors),
        "descendants": list(&descendants),
    })))
}

/// `GET /api/v1/statuses/:id/history`: every version, oldest first, the current one last.
pub async fn history(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    let post = posts::view_published(&state.db, viewer.reader(), id)
        .await
        .map_err(hide)?;
    let versions = posts::versions_of(&state.db, &post).await?;
    let account = entities::account(&post.author, &state.config);
    let mut out: Vec<Value> = versions
        .iter()
        .rev()
        .map(|v| {
            json!({
                "content": credence_core::content::render_plain(&v.body),
                "spoiler_text": v.spoiler_text,
                "sensitive": post.sensitive,
                "created_at": credence_core::db::rfc3339(v.replaced_at),
                "account": account,
                "media_attachments": [],
                "emojis": [],
            })
        })
        .collect();
    out.push(json!({
        "content": post.body_html,
        "spoiler_text": post.spoiler_text,
        "sensitive": post.sensitive,
        "created_at": credence_core::db::rfc3339(post.edited_at.unwrap_or(post.shown_at())),
        "account": account,
        "media_attachments": [],
        "emojis": [],
    }));
    Ok(Json(Value::Array(out)))
}

/// `GET /api/v1/statuses/:id/source`: the text to edit.
pub async fn source(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let post = posts::view(&state.db, Some(actor), parse_id(&id)?)
        .await
        .map_err(hide)?;
    if post.author.id != actor.profile_id {
        return Err(ApiError::not_found());
    }
    Ok(Json(json!({
        "id": post.id.to_string(),
        "text": post.body,
        "spoiler_text": post.spoiler_text,
    })))
}

macro_rules! interaction {
    ($name:ident, $call:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            bearer: Bearer,
            Path(id): Path<String>,
        ) -> Result<Json<Value>, ApiError> {
            let actor = bearer.user("write:statuses")?;
            let id = parse_id(&id)?;
            let post = $call(&state.db, actor, id).await.map_err(hide)?;
            Ok(Json(entities::status(&post, &state.config)))
        }
    };
}

interaction!(favourite, social::favourite);
interaction!(unfavourite, social::unfavourite);
interaction!(reblog, social::reblog);
interaction!(unreblog, social::unreblog);
interaction!(bookmark, |db, actor, id| social::bookmark(
    db, actor, id, true
));
interaction!(unbookmark, |db, actor, id| social::bookmark(
    db, actor, id, false
));

#[derive(Deserialize, Default)]
pub struct PageQuery {
    max_id: Option<String>,
    since_id: Option<String>,
    min_id: Option<String>,
    limit: Option<i64>,
    only_media: Option<BoolLike>,
    exclude_replies: Option<BoolLike>,
}

impl PageQuery {
    fn page(&self) -> Page {
        let id = |s: &Option<String>| s.as_deref().and_then(|v| v.parse().ok());
        Page {
            max_id: id(&self.max_id),
            since_id: id(&self.since_id),
            min_id: id(&self.min_id),
            limit: self.limit,
            only_media: self.only_media.as_ref().is_some_and(BoolLike::is_true),
        }
    }
}

/// A page of statuses (rendered through the cache, see `render`) with Mastodon's `Link`
/// header for the next and previous pages.
async fn paged(
    state: &AppState,
    viewer: Option<&Actor>,
    refs: &[PostRef],
    path: &str,
) -> Result<Response, ApiError> {
    let (body, shown) = render::statuses(state, viewer, refs).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let (Some(first), Some(last)) = (shown.first(), shown.last()) {
        let base = state.config.absolute(path);
        let link = format!(
            "<{base}?max_id={}>; rel=\"next\", <{base}?min_id={}>; rel=\"prev\"",
            last.id, first.id
        );
        if let Ok(value) = HeaderValue::from_str(&link) {
            headers.insert(header::LINK, value);
        }
    }
    Ok((headers, body).into_response())
}

pub async fn home(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let refs = feeds::home(&state.db, actor, &q.page()).await?;
    paged(&state, Some(actor), &refs, "/api/v1/timelines/home").await
}

pub async fn public(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let refs = feeds::public(&state.db, viewer.reader(), &q.page()).await?;
    paged(&state, viewer.reader(), &refs, "/api/v1/timelines/public").await
}

pub async fn tag(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let refs = match topics::get(&state.db, &tag).await {
        Ok(topic) => feeds::topic(&state.db, viewer.reader(), topic.id, &q.page()).await?,
        // An unknown hashtag is an empty timeline, as on Mastodon.
        Err(CoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let path = format!("/api/v1/timelines/tag/{tag}");
    paged(&state, viewer.reader(), &refs, &path).await
}

pub async fn account_statuses(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    credence_core::profiles::get(&state.db, id)
        .await
        .map_err(hide)?;
    let with_replies = !q.exclude_replies.as_ref().is_some_and(BoolLike::is_true);
    let refs = feeds::profile(&state.db, viewer.reader(), id, with_replies, &q.page()).await?;
    let path = format!("/api/v1/accounts/{id}/statuses");
    paged(&state, viewer.reader(), &refs, &path).await
}

pub async fn bookmarks(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:bookmarks")?;
    let refs = feeds::bookmarks(&state.db, actor, &q.page()).await?;
    paged(&state, Some(actor), &refs, "/api/v1/bookmarks").await
}

pub async fn favourites(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:favourites")?;
    let refs = feeds::favourites(&state.db, actor, &q.page()).await?;
    paged(&state, Some(actor), &refs, "/api/v1/favourites").await
}

/// `GET /api/v1/trends/statuses`: the explore ranking (credible content first).
pub async fn trends(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let (refs, _) = feeds::explore(&state.db, viewer.reader(), None, q.limit.unwrap_or(20)).await?;
    let (body, _) = render::statuses(&state, viewer.reader(), &refs).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn relationship_json(r: &social::Relationship) -> Value {
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
        "requested": false,
        "requested_by": false,
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
    let r = social::follow(&state.db, actor, parse_id(&id)?)
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
    let r = social::unfollow(&state.db, actor, parse_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(relationship_json(&r)))
}

#[derive(Deserialize)]
pub struct RelationshipsQuery {
    #[serde(default, alias = "id[]")]
    id: Vec<String>,
}

pub async fn relationships(
    State(state): State<AppState>,
    bearer: Bearer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:follows")?;
    // `id[]=1&id[]=2`: repeated keys, which only an HTML-form parser collects.
    let q: RelationshipsQuery = serde_html_form::from_str(raw.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()))?;
    let ids: Vec<i64> =
        q.id.iter()
            .take(40)
            .filter_map(|id| id.parse().ok())
            .collect();
    let out = social::relationships(&state.db, actor, &ids)
        .await?
        .iter()
        .map(relationship_json)
        .collect();
    Ok(Json(Value::Array(out)))
}

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
    let list = social::notifications(&state.db, actor, max_id, q.limit.unwrap_or(40)).await?;
    Ok(Json(Value::Array(
        list.iter()
            .filter_map(|n| entities::notification(n, &state.config))
            .collect(),
    )))
}

pub async fn clear_notifications(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:notifications")?;
    social::clear_notifications(&state.db, actor).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    /// Credence filters.
    verified_only: Option<BoolLike>,
    credence_kind: Option<PostKind>,
    topic: Option<String>,
}

/// `GET /api/v2/search`: posts, accounts and hashtags, with Credence's filters.
pub async fn search(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let query = q.q.unwrap_or_default();
    let filters = Filters {
        verified_only: q.verified_only.as_ref().is_some_and(BoolLike::is_true),
        kind: q.credence_kind,
        topic: q.topic.filter(|t| !t.is_empty()),
    };
    let limit = q.limit.unwrap_or(20);
    let offset = q.offset.unwrap_or(0);
    let results =
        search::everything(&state.db, viewer.reader(), &query, &filters, offset, limit).await?;
    let want = |t: &str| q.kind.as_deref().is_none_or(|k| k == t);
    Ok(Json(json!({
        "accounts": if want("accounts") { results.profiles.iter().map(|p| entities::account(p, &state.config)).collect::<Vec<_>>() } else { vec![] },
        "statuses": if want("statuses") { results.posts.iter().map(|p| entities::status(p, &state.config)).collect::<Vec<_>>() } else { vec![] },
        "hashtags": if want("hashtags") { results.topics.iter().map(|t| json!({
            "name": t.slug,
            "url": state.config.absolute(&format!("/topics/{}", t.slug)),
            "history": [],
            "credence": { "name": t.name, "curated": t.curated },
        })).collect::<Vec<_>>() } else { vec![] },
    })))
}

pub async fn scheduled(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let list = posts::unpublished(&state.db, actor).await?;
    Ok(Json(Value::Array(
        list.iter()
            .filter(|p| p.state == PostState::Scheduled)
            .map(entities::scheduled_status)
            .collect(),
    )))
}

pub async fn scheduled_one(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let post = posts::view(&state.db, Some(actor), parse_id(&id)?)
        .await
        .map_err(hide)?;
    if post.state != PostState::Scheduled || post.author.id != actor.profile_id {
        return Err(ApiError::not_found());
    }
    Ok(Json(entities::scheduled_status(&post)))
}

pub async fn cancel_scheduled(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let id = parse_id(&id)?;
    let post = posts::view(&state.db, Some(actor), id)
        .await
        .map_err(hide)?;
    if post.state != PostState::Scheduled || post.author.id != actor.profile_id {
        return Err(ApiError::not_found());
    }
    posts::delete(&state.db, actor, id).await?;
    Ok(Json(json!({})))
}

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
        &state.db,
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
    let id = parse_id(&id)?;
    let current = media::get_own(&state.db, actor, id).await.map_err(hide)?;
    let info = media::describe(
        &state.db,
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
    let info = media::get_own(&state.db, actor, parse_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::media_attachment(&info, &state.config)))
}
