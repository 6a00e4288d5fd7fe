//! Mastodon's notifications: the list (v1) and the grouped list (v2), one notification or
//! group, dismissing and clearing, unread counts and the read markers apps share with the web.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use axum_extra::extract::Query;
use credence_core::filters::Context;
use credence_core::notifications::groups::{self, Grouping};
use credence_core::notifications::{self, markers, Selection, Timeline, Window};
use credence_core::posts::PostRef;
use credence_core::timelines::Notification;
use credence_core::{profiles, timelines, Actor};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::{api_id, Bearer, JsonOrForm};
use crate::paging::{self, carry_list, json_text_with_link, json_with_link, link_header, page_ids};
use crate::state::AppState;

/// What Mastodon's notification listings take: paging, and which types and whose.
#[derive(Deserialize, Default)]
pub struct NotificationsQuery {
    max_id: Option<String>,
    since_id: Option<String>,
    min_id: Option<String>,
    limit: Option<i64>,
    #[serde(default, alias = "types[]")]
    types: Vec<String>,
    #[serde(default, alias = "exclude_types[]")]
    exclude_types: Vec<String>,
    #[serde(default, alias = "grouped_types[]")]
    grouped_types: Vec<String>,
    account_id: Option<String>,
}

impl NotificationsQuery {
    fn window(&self) -> Window {
        paging::window(&self.max_id, &self.since_id, &self.min_id, self.limit)
    }

    fn selection(&self) -> Result<Selection, ApiError> {
        Ok(Selection {
            types: self.types.clone(),
            exclude_types: self.exclude_types.clone(),
            account_id: self.account_id.as_deref().map(api_id).transpose()?,
        })
    }

    fn grouping(&self) -> Grouping {
        Grouping {
            grouped_types: self.grouped_types.clone(),
        }
    }

    /// The filters a `Link` carries to the next page.
    fn carried(&self) -> String {
        let mut parts = vec![
            carry_list("types", &self.types),
            carry_list("exclude_types", &self.exclude_types),
            carry_list("grouped_types", &self.grouped_types),
        ];
        if let Some(account) = &self.account_id {
            parts.push(format!("account_id={}", account.trim()));
        }
        if let Some(limit) = self.limit {
            parts.push(format!("limit={limit}"));
        }
        parts.retain(|p| !p.is_empty());
        parts.join("&")
    }
}

/// `GET /api/v1/notifications`.
pub async fn notifications(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<NotificationsQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let list =
        timelines::notification_refs(&state.core, actor, &q.window(), &q.selection()?).await?;
    let statuses = notification_statuses(&state, actor, &list).await?;
    let link = link_header(
        &state.config,
        "/api/v1/notifications",
        &q.carried(),
        page_ids(&list, |x| x.id),
    );
    let body: Vec<String> = list
        .iter()
        .filter_map(|n| entities::notification(n, &statuses, &state))
        .collect();
    Ok(json_text_with_link(format!("[{}]", body.join(",")), link))
}

/// The statuses of notifications, rendered through the cache with the reader's
/// notification filters (a `hide` filter leaves the notification out).
async fn notification_statuses(
    state: &AppState,
    actor: &Actor,
    list: &[Notification<PostRef>],
) -> Result<entities::Statuses, ApiError> {
    let refs: Vec<PostRef> = list.iter().filter_map(|n| n.post).collect();
    Ok(entities::rendered(state, Some(actor), &refs, Some(Context::Notifications)).await?)
}

/// `GET /api/v1/notifications/:id`.
pub async fn notification(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let n = timelines::notification(&state.core, actor, api_id(&id)?).await?;
    let statuses = notification_statuses(&state, actor, std::slice::from_ref(&n)).await?;
    entities::notification(&n, &statuses, &state)
        .map(|body| json_text_with_link(body, None))
        .ok_or_else(|| credence_core::CoreError::NotFound("notification").into())
}

/// `POST /api/v1/notifications/:id/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:notifications")?;
    notifications::dismiss(&state.core, actor, &[api_id(&id)?]).await?;
    Ok(Json(json!({})))
}

pub async fn clear(State(state): State<AppState>, bearer: Bearer) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:notifications")?;
    notifications::clear(&state.core, actor).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/notifications/unread_count`: notifications above the read marker.
pub async fn unread_count(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<NotificationsQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let count = notifications::unread_count(&state.core, actor, &q.selection()?, q.limit).await?;
    Ok(Json(json!({ "count": count })))
}

/// `GET /api/v2/notifications`: Mastodon's grouped notifications.
pub async fn groups(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<NotificationsQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let mut page = timelines::notification_groups(
        &state.core,
        actor,
        &q.window(),
        &q.selection()?,
        &q.grouping(),
    )
    .await?;
    let statuses = group_statuses(&state, actor, &page).await?;
    page.groups
        .retain(|g| g.latest.post_id.is_none_or(|id| statuses.contains(id)));
    let newest = page.groups.iter().map(|g| g.page_max_id).max();
    let oldest = page.groups.iter().map(|g| g.page_min_id).min();
    let link = link_header(
        &state.config,
        "/api/v2/notifications",
        &q.carried(),
        newest.zip(oldest),
    );
    let body = entities::notification_groups(&page, &statuses, &state);
    Ok(json_text_with_link(body, link))
}

/// The statuses of a page of groups, newest first, rendered through the cache with the
/// reader's notification filters (a `hide` filter leaves the group out).
async fn group_statuses(
    state: &AppState,
    actor: &Actor,
    page: &timelines::GroupedNotifications,
) -> Result<entities::Statuses, ApiError> {
    let mut refs: Vec<PostRef> = page.posts.values().copied().collect();
    refs.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(entities::rendered(state, Some(actor), &refs, Some(Context::Notifications)).await?)
}

/// `GET /api/v2/notifications/:group_key`.
pub async fn group(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let found = timelines::notification_group(&state.core, actor, &key).await?;
    let statuses = group_statuses(&state, actor, &found).await?;
    let body = entities::notification_groups(&found, &statuses, &state);
    Ok(json_text_with_link(body, None))
}

/// `POST /api/v2/notifications/:group_key/dismiss`.
pub async fn dismiss_group(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:notifications")?;
    groups::dismiss_group(&state.core, actor, &key).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    max_id: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v2/notifications/:group_key/accounts`: everyone in a group, newest first.
pub async fn group_accounts(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(key): Path<String>,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let max_id = q.max_id.as_deref().and_then(|v| v.parse().ok());
    let people = groups::group_people(&state.core, actor, &key, max_id, q.limit).await?;
    let ids: Vec<i64> = people.iter().map(|(_, person)| *person).collect();
    let profiles = profiles::public_by_ids(&state.core, &ids).await?;
    let body = people
        .iter()
        .filter_map(|(_, id)| profiles.get(id))
        .map(|p| entities::account(p, &state.config))
        .collect();
    let link = link_header(
        &state.config,
        &format!("/api/v2/notifications/{key}/accounts"),
        "",
        page_ids(&people, |x| x.0),
    );
    Ok(json_with_link(Value::Array(body), link))
}

/// `GET /api/v2/notifications/unread_count`: groups with unread notifications.
pub async fn unread_group_count(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<NotificationsQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:notifications")?;
    let count =
        groups::unread_group_count(&state.core, actor, &q.selection()?, &q.grouping(), q.limit)
            .await?;
    Ok(Json(json!({ "count": count })))
}

#[derive(Deserialize)]
pub struct MarkersQuery {
    #[serde(default, alias = "timeline[]")]
    timeline: Vec<String>,
}

/// `GET /api/v1/markers?timeline[]=home&timeline[]=notifications`.
pub async fn get_markers(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(q): Query<MarkersQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:statuses")?;
    let timelines = q
        .timeline
        .iter()
        .map(|t| t.parse::<Timeline>())
        .collect::<Result<Vec<_>, _>>()?;
    let found = markers::get(&state.core, actor, &timelines).await?;
    Ok(Json(markers_body(&found)))
}

/// `POST /api/v1/markers`: `{"home": {"last_read_id": "…"}}` or `home[last_read_id]=…`.
pub async fn save_markers(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:statuses")?;
    let mut saved = Vec::new();
    for (name, value) in marker_updates(&body)? {
        saved.push(markers::save(&state.core, actor, name, value).await?);
    }
    Ok(Json(markers_body(&saved)))
}

/// The timelines and ids a markers body sets, in either form clients send.
fn marker_updates(body: &Map<String, Value>) -> Result<Vec<(Timeline, i64)>, ApiError> {
    let mut updates = Vec::new();
    for (key, value) in body {
        let (timeline, last_read) = match key.strip_suffix("[last_read_id]") {
            Some(timeline) => (timeline, Some(value)),
            None => (key.as_str(), value.get("last_read_id")),
        };
        let timeline: Timeline = timeline.parse()?;
        let id = last_read
            .and_then(|v| match v {
                Value::String(s) => s.parse().ok(),
                Value::Number(n) => n.as_i64(),
                _ => None,
            })
            .ok_or_else(|| {
                credence_core::CoreError::invalid(
                    "last_read_id",
                    format!("Give {timeline}'s last_read_id as the id of what was read"),
                )
            })?;
        updates.push((timeline, id));
    }
    if updates.is_empty() {
        return Err(credence_core::CoreError::invalid(
            "timeline",
            "Say which marker to save: home[last_read_id] or notifications[last_read_id]",
        )
        .into());
    }
    Ok(updates)
}

fn markers_body(found: &[markers::Marker]) -> Value {
    let mut body = Map::new();
    for m in found {
        body.insert(
            m.timeline.to_string(),
            json!({
                "last_read_id": m.last_read_id.to_string(),
                "version": m.version,
                "updated_at": entities::rfc3339(m.updated_at),
            }),
        );
    }
    Value::Object(body)
}
