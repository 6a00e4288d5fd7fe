//! Mastodon's timelines: home, public, hashtag, an account's statuses, bookmarks, favourites
//! and trends (the explore ranking), rendered through the status cache with `Link` headers.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use credence_core::filters::Context;
use credence_core::posts::PostRef;
use credence_core::timelines::{self, Page, ProfilePosts};
use credence_core::{profiles, topics, Actor, CoreError};
use serde::Deserialize;

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, is_true, Bearer, BoolLike, MaybeBearer};
use crate::paging::{json_text_with_link, link_header, page_ids};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    max_id: Option<String>,
    since_id: Option<String>,
    min_id: Option<String>,
    limit: Option<i64>,
    only_media: Option<BoolLike>,
    exclude_replies: Option<BoolLike>,
    exclude_reblogs: Option<BoolLike>,
    pinned: Option<BoolLike>,
    tagged: Option<String>,
}

impl PageQuery {
    /// The filters and limit a `Link` to the next or previous page keeps.
    fn carried(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, flag) in [
            ("only_media", &self.only_media),
            ("exclude_replies", &self.exclude_replies),
            ("exclude_reblogs", &self.exclude_reblogs),
            ("pinned", &self.pinned),
        ] {
            if is_true(flag) {
                query.append_pair(name, "true");
            }
        }
        if let Some(tag) = self.tagged.as_deref().filter(|t| !t.trim().is_empty()) {
            query.append_pair("tagged", tag);
        }
        if let Some(limit) = self.limit {
            query.append_pair("limit", &limit.to_string());
        }
        query.finish()
    }

    fn page(&self) -> Page {
        let id = |s: &Option<String>| s.as_deref().and_then(|v| v.parse().ok());
        Page {
            max_id: id(&self.max_id),
            since_id: id(&self.since_id),
            min_id: id(&self.min_id),
            limit: self.limit,
            only_media: is_true(&self.only_media),
        }
    }
}

/// A page of statuses (rendered through the cache, see `render`) with Mastodon's `Link`
/// header for the next and previous pages.
///
/// The links follow the page as read, before the reader's filters hid any of it (a page hidden
/// whole still leads on), and carry the query's filters and limit.
async fn paged(
    state: &AppState,
    viewer: Option<&Actor>,
    refs: &[PostRef],
    path: &str,
    context: Option<Context>,
    q: &PageQuery,
) -> Result<Response, ApiError> {
    let body = entities::statuses(state, viewer, refs, context).await?;
    let link = link_header(&state.config, path, &q.carried(), page_ids(refs, |r| r.id));
    Ok(json_text_with_link(body, link))
}

pub async fn home(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let refs = timelines::home(&state.core, actor, &q.page()).await?;
    paged(
        &state,
        Some(actor),
        &refs,
        "/api/v1/timelines/home",
        Some(Context::Home),
        &q,
    )
    .await
}

pub async fn public(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let refs = timelines::public(&state.core, viewer.reader(), &q.page()).await?;
    paged(
        &state,
        viewer.reader(),
        &refs,
        "/api/v1/timelines/public",
        Some(Context::Public),
        &q,
    )
    .await
}

pub async fn tag(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let refs = match topics::get(&state.core, &tag).await {
        Ok(topic) => timelines::topic(&state.core, viewer.reader(), topic.id, &q.page()).await?,
        // An unknown hashtag is an empty timeline, as on Mastodon.
        Err(CoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let path = format!("/api/v1/timelines/tag/{tag}");
    paged(
        &state,
        viewer.reader(),
        &refs,
        &path,
        Some(Context::Public),
        &q,
    )
    .await
}

/// `GET /api/v1/accounts/:id/statuses`, with `exclude_replies`, `exclude_reblogs`, `pinned`,
/// `tagged` and `only_media`.
pub async fn account_statuses(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let id = api_id(&id)?;
    profiles::get(&state.core, id).await.map_err(hide)?;
    let topic_id = match q.tagged.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(tag) => match topics::get(&state.core, tag.trim_start_matches('#')).await {
            Ok(topic) => Some(topic.id),
            // Nothing is tagged with a hashtag no one used.
            Err(CoreError::NotFound(_)) => return paged(&state, None, &[], "", None, &q).await,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let which = ProfilePosts {
        with_replies: !is_true(&q.exclude_replies),
        without_boosts: is_true(&q.exclude_reblogs),
        pinned_only: is_true(&q.pinned),
        topic_id,
    };
    let refs = timelines::profile(&state.core, viewer.reader(), id, &which, &q.page()).await?;
    let path = format!("/api/v1/accounts/{id}/statuses");
    paged(
        &state,
        viewer.reader(),
        &refs,
        &path,
        Some(Context::Account),
        &q,
    )
    .await
}

/// `GET /api/v1/timelines/list/:id`: one of the reader's lists as a timeline.
pub async fn list(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:lists")?;
    let id = api_id(&id)?;
    let refs = timelines::list(&state.core, actor, id, &q.page()).await?;
    paged(
        &state,
        Some(actor),
        &refs,
        &format!("/api/v1/timelines/list/{id}"),
        Some(Context::Home),
        &q,
    )
    .await
}

pub async fn bookmarks(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:bookmarks")?;
    let refs = timelines::bookmarks(&state.core, actor, &q.page()).await?;
    paged(&state, Some(actor), &refs, "/api/v1/bookmarks", None, &q).await
}

pub async fn favourites(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:favourites")?;
    let refs = timelines::favourites(&state.core, actor, &q.page()).await?;
    paged(&state, Some(actor), &refs, "/api/v1/favourites", None, &q).await
}

/// `GET /api/v1/trends/statuses`: the explore ranking (credible content first).
pub async fn trends(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let (refs, _) =
        timelines::explore(&state.core, viewer.reader(), None, q.limit.unwrap_or(20)).await?;
    let body = entities::statuses(&state, viewer.reader(), &refs, Some(Context::Public)).await?;
    Ok(json_text_with_link(body, None))
}
