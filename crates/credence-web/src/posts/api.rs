//! Mastodon's statuses over Credence's posts: compose, read, edit with history, delete,
//! context, source, and scheduled statuses. Every rule lives in `credence_core`; this module
//! only translates Mastodon's parameters and entities. Credence's own parameters ride along
//! (`credence_kind`, `title`, `citations`, `disclosure`, `consent`, `coauthors`, `reviewers`,
//! `confirm_public`, `draft`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::posts::{
    self, Action, CitationInput, Compose, ConsentInput, MediaDescription, Post, PostKind, PostRef,
    PostState, Revision, Visibility,
};
use credence_core::{filters, timelines};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, is_true, Bearer, BoolLike, JsonOrForm, MaybeBearer};
use crate::paging::json_text_with_link;
use crate::state::AppState;

/// One of Mastodon's `media_attributes[]` (JSON): new alt text for an attached file.
#[derive(Deserialize)]
struct MediaAttribute {
    id: Value,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct StatusBody {
    status: Option<String>,
    #[serde(default, alias = "media_ids[]")]
    media_ids: Option<Vec<String>>,
    /// Mastodon's `media_attributes[]` on an edit: JSON objects, or the form's parallel
    /// `media_attributes[][id]` and `media_attributes[][description]` lists.
    #[serde(default)]
    media_attributes: Vec<MediaAttribute>,
    #[serde(default, rename = "media_attributes[][id]")]
    media_attribute_ids: Vec<String>,
    #[serde(default, rename = "media_attributes[][description]")]
    media_attribute_descriptions: Vec<String>,
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
    /// Mastodon's poll, as JSON (`poll: {options: […]}`) or form (`poll[options][]=…`):
    /// polls are not built yet, so one is refused rather than dropped from the post.
    poll: Option<serde_json::Value>,
    #[serde(default, rename = "poll[options][]")]
    poll_options: Vec<String>,
}

/// Mastodon's visibility words: `unlisted` is a public post kept out of discovery.
fn visibility(word: Option<&str>) -> Result<(Visibility, bool), ApiError> {
    match word.unwrap_or("public") {
        "public" | "" => Ok((Visibility::Public, false)),
        "unlisted" => Ok((Visibility::Public, true)),
        "private" | "followers" => Ok((Visibility::Followers, false)),
        "direct" => Ok((Visibility::Direct, false)),
        other => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("Visibility \"{other}\" is not one of public, unlisted, private, direct"),
        )),
    }
}

/// The new alt texts of `media_attributes[]`, in either form clients send.
fn media_descriptions(body: &StatusBody) -> Result<Vec<MediaDescription>, ApiError> {
    let unknown = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "media_attributes names a file by an id that is not a media id",
        )
    };
    let from_json = body.media_attributes.iter().filter_map(|a| {
        let description = a.description.clone()?;
        let id = match &a.id {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        Some(id.ok_or_else(unknown).map(|media_id| MediaDescription {
            media_id,
            description,
        }))
    });
    if body.media_attribute_ids.len() != body.media_attribute_descriptions.len() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Give each media_attributes[][id] with its media_attributes[][description]",
        ));
    }
    let from_form = body
        .media_attribute_ids
        .iter()
        .zip(&body.media_attribute_descriptions)
        .map(|(id, description)| {
            Ok(MediaDescription {
                media_id: id.parse().map_err(|_| unknown())?,
                description: description.clone(),
            })
        });
    from_json.chain(from_form).collect()
}

fn compose_from(body: StatusBody) -> Result<Compose, ApiError> {
    if body.poll.as_ref().is_some_and(|p| !p.is_null()) || !body.poll_options.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Polls are not available on this server yet: post without the poll",
        ));
    }
    let media_descriptions = media_descriptions(&body)?;
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
    let action = if is_true(&body.draft) {
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
    let (visibility, unlisted) = visibility(body.visibility.as_deref())?;
    Ok(Compose {
        kind: body.credence_kind.unwrap_or(PostKind::Post),
        title: body.title.unwrap_or_default(),
        body: body.status.unwrap_or_default(),
        spoiler_text: body.spoiler_text.unwrap_or_default(),
        sensitive: is_true(&body.sensitive),
        visibility,
        unlisted,
        in_reply_to_id,
        citations: body.citations,
        topics: body.topics.unwrap_or_default(),
        media_ids,
        media_descriptions,
        disclosure: body.disclosure.unwrap_or_default(),
        consent: body.consent,
        coauthors: body.coauthors.unwrap_or_default(),
        reviewers: body.reviewers,
        confirm_public_overshare: is_true(&body.confirm_public),
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
/// With an `Idempotency-Key`, a request the app resends within the hour gets the post the
/// first one made.
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    headers: HeaderMap,
    JsonOrForm(body): JsonOrForm<StatusBody>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let compose = compose_from(body)?;
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        Some(Err(_)) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "The Idempotency-Key header must be plain text (letters, digits, dashes)",
            ))
        }
        Some(Ok(key)) => Some(key),
        None => None,
    };
    let post = posts::create_once(&state.core, actor, compose, key).await?;
    Ok(status_response(&post, &state))
}

/// `GET /api/v1/statuses/:id`
pub async fn show(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let post = posts::view_published(&state.core, viewer.reader(), api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::status(&post, &state.config)))
}

/// `PUT /api/v1/statuses/:id`: edit (the author only; the old version is kept). Mastodon's edit
/// sends what changes; the core keeps what it leaves out (`posts::Revision`).
pub async fn edit(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<StatusBody>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let id = api_id(&id)?;
    let media_ids = body.media_ids.is_some();
    let (topics, coauthors) = (body.topics.clone(), body.coauthors.clone());
    let compose = compose_from(body)?;
    let revision = Revision {
        media_ids: media_ids.then(|| compose.media_ids.clone()),
        topics,
        coauthors,
        compose,
    };
    let post = posts::revise(&state.core, actor, id, revision)
        .await
        .map_err(hide)?;
    Ok(status_response(&post, &state))
}

/// `DELETE /api/v1/statuses/:id`: returns the post with its source text, as Mastodon does.
pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let post = posts::delete_published(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::deleted_status(&post, &state.config)))
}

/// `GET /api/v1/statuses/:id/context`, rendered through the status cache like a timeline, in
/// one pass for both lists (the reader's thread filters applied: `hide` leaves a post out,
/// `warn` folds it).
pub async fn context(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let reader = viewer.reader();
    let (ancestors, descendants) = timelines::context(&state.core, reader, api_id(&id)?)
        .await
        .map_err(hide)?;
    let thread: Vec<PostRef> = ancestors.iter().chain(&descendants).copied().collect();
    let statuses =
        entities::rendered(&state, reader, &thread, Some(filters::Context::Thread)).await?;
    let list = |refs: &[PostRef]| -> String {
        let shown: Vec<&str> = refs.iter().filter_map(|r| statuses.get(r.id)).collect();
        shown.join(",")
    };
    let body = format!(
        "{{\"ancestors\":[{}],\"descendants\":[{}]}}",
        list(&ancestors),
        list(&descendants)
    );
    Ok(json_text_with_link(body, None))
}

/// `GET /api/v1/statuses/:id/history`: every version, oldest first, the current one last.
pub async fn history(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = api_id(&id)?;
    let post = posts::view_published(&state.core, viewer.reader(), id)
        .await
        .map_err(hide)?;
    let versions = posts::versions_of(&state.core, &post).await?;
    let account = entities::status_account(&post.author, &state.config);
    let mut out: Vec<Value> = versions
        .iter()
        .rev()
        .map(|v| {
            json!({
                "content": credence_core::content::render_plain(&v.body),
                "spoiler_text": v.spoiler_text,
                "sensitive": post.sensitive,
                "created_at": credence_core::kernel::clock::rfc3339(v.replaced_at),
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
        "created_at": credence_core::kernel::clock::rfc3339(post.edited_at.unwrap_or(post.shown_at())),
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
    let post = posts::source(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(json!({
        "id": post.id.to_string(),
        "text": post.body,
        "spoiler_text": post.spoiler_text,
    })))
}

pub async fn scheduled(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let list = posts::scheduled(&state.core, actor).await?;
    Ok(Json(Value::Array(
        list.iter().map(entities::scheduled_status).collect(),
    )))
}

pub async fn scheduled_one(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let post = posts::own_scheduled(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::scheduled_status(&post)))
}

pub async fn cancel_scheduled(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:statuses")?;
    posts::cancel_scheduled(&state.core, actor, api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(json!({})))
}
