//! Mastodon's lists, as its entity (`id`, `title`, `replies_policy`, `exclusive`).

use axum::extract::{Path, State};
use axum::Json;
use axum_extra::extract::Query;
use credence_core::lists::{self, List, ListInput, RepliesPolicy};
use credence_core::CoreError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::{api_id, is_true, Bearer, BoolLike, JsonOrForm};
use crate::state::AppState;

fn list_json(list: &List) -> Value {
    json!({
        "id": list.id.to_string(),
        "title": list.title,
        "replies_policy": list.replies_policy,
        "exclusive": false,
    })
}

fn lists_json(lists: &[List]) -> Value {
    Value::Array(lists.iter().map(list_json).collect())
}

#[derive(Deserialize)]
pub struct ListBody {
    title: Option<String>,
    replies_policy: Option<String>,
    exclusive: Option<BoolLike>,
}

impl ListBody {
    /// What the list is made or changed with; what a change leaves out stays as it was.
    fn input(&self, current: Option<&List>) -> Result<ListInput, ApiError> {
        if is_true(&self.exclusive) {
            // Keeping members' posts out of the home timeline is not built.
            return Err(CoreError::invalid(
                "exclusive",
                "Exclusive lists (members' posts left out of home) are not available here",
            )
            .into());
        }
        let title = match (&self.title, current) {
            (Some(title), _) => title.clone(),
            (None, Some(list)) => list.title.clone(),
            (None, None) => String::new(),
        };
        let replies_policy = match (&self.replies_policy, current) {
            (Some(policy), _) => policy.parse()?,
            (None, Some(list)) => list.replies_policy,
            (None, None) => RepliesPolicy::List,
        };
        Ok(ListInput {
            title,
            replies_policy,
        })
    }
}

pub async fn index(State(state): State<AppState>, bearer: Bearer) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:lists")?;
    Ok(Json(lists_json(&lists::own(&state.core, actor).await?)))
}

pub async fn show(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:lists")?;
    let list = lists::get(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(list_json(&list)))
}

pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<ListBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:lists")?;
    let list = lists::create(&state.core, actor, &body.input(None)?).await?;
    Ok(Json(list_json(&list)))
}

pub async fn update(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ListBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:lists")?;
    let id = api_id(&id)?;
    let current = lists::get(&state.core, actor, id).await?;
    let list = lists::update(&state.core, actor, id, &body.input(Some(&current))?).await?;
    Ok(Json(list_json(&list)))
}

pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:lists")?;
    lists::delete(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn members(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:lists")?;
    let people = lists::members(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(Value::Array(
        people
            .iter()
            .map(|p| entities::account(p, &state.config))
            .collect(),
    )))
}

/// `account_ids[]` of a members change, from a form, a JSON body or the query string (Mastodon
/// clients send a DELETE's list in the query).
#[derive(Deserialize, Default)]
pub struct MembersBody {
    #[serde(default, alias = "account_ids[]")]
    account_ids: Vec<Value>,
}

impl MembersBody {
    fn ids(&self) -> Result<Vec<i64>, ApiError> {
        self.account_ids
            .iter()
            .map(|v| match v {
                Value::String(s) => api_id(s),
                Value::Number(n) => n.as_i64().ok_or_else(|| bad_id(&n.to_string())),
                other => Err(bad_id(&other.to_string())),
            })
            .collect()
    }
}

fn bad_id(raw: &str) -> ApiError {
    CoreError::invalid("account_ids", format!("{raw} is not an account id")).into()
}

pub async fn add_members(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<MembersBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:lists")?;
    lists::add_members(&state.core, actor, api_id(&id)?, &body.ids()?).await?;
    Ok(Json(json!({})))
}

pub async fn remove_members(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    Query(query): Query<MembersQuery>,
    JsonOrForm(body): JsonOrForm<MembersBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:lists")?;
    let mut ids = body.ids()?;
    for raw in &query.account_ids {
        ids.push(api_id(raw)?);
    }
    lists::remove_members(&state.core, actor, api_id(&id)?, &ids).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    #[serde(default, alias = "account_ids[]")]
    account_ids: Vec<String>,
}

/// `GET /api/v1/accounts/:id/lists`: which of the actor's lists hold this account.
pub async fn holding(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:lists")?;
    let lists = lists::holding(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(lists_json(&lists)))
}
