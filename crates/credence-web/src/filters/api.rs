//! Mastodon's v2 filters: the filter, its keywords and its filtered posts, each its owner's
//! alone (anyone else's is "not found").

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::Json;
use credence_core::filters::{self, Action, Context, FilterInput, KeywordChange};
use credence_core::CoreError;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::{api_id, attribute_list, Bearer, BoolLike, JsonOrForm};
use crate::state::AppState;

/// A filter's create or update body, JSON or form.
#[derive(Deserialize, Default)]
pub struct FilterBody {
    title: Option<String>,
    /// A list, or one word (a form with a single `context[]`).
    #[serde(default, alias = "context[]")]
    context: Option<Value>,
    filter_action: Option<String>,
    /// Seconds, or empty (or null) for never.
    expires_in: Option<Value>,
    keywords_attributes: Option<Value>,
    #[serde(flatten)]
    rest: HashMap<String, Value>,
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "1" | "on"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn id_in(v: Option<&Value>) -> Result<Option<i64>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(api_id(s)?)),
        Some(Value::Number(n)) => Ok(n.as_i64()),
        Some(other) => Err(CoreError::invalid("id", format!("{other} is not an id")).into()),
    }
}

impl FilterBody {
    fn input(&self) -> Result<FilterInput, ApiError> {
        let contexts = match &self.context {
            None => None,
            Some(Value::String(one)) => Some(vec![one.parse::<Context>()?]),
            Some(Value::Array(list)) => Some(
                list.iter()
                    .map(|c| c.as_str().unwrap_or_default().parse::<Context>())
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(other) => {
                return Err(CoreError::invalid(
                    "context",
                    format!("context is a list of places, not {other}"),
                )
                .into())
            }
        };
        let action = self
            .filter_action
            .as_deref()
            .map(str::parse::<Action>)
            .transpose()?;
        let expires_in = match &self.expires_in {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(Value::String(s)) => Some(Some(s.trim().parse::<i64>().map_err(|_| {
                CoreError::invalid("expires_in", "expires_in is a number of seconds")
            })?)),
            Some(Value::Number(n)) => Some(n.as_i64()),
            Some(_) => {
                return Err(
                    CoreError::invalid("expires_in", "expires_in is a number of seconds").into(),
                )
            }
        };
        let keywords = attribute_list(
            self.keywords_attributes.as_ref(),
            &self.rest,
            "keywords_attributes",
        )
        .unwrap_or_default()
        .iter()
        .map(keyword_change)
        .collect::<Result<_, _>>()?;
        Ok(FilterInput {
            title: self.title.clone(),
            contexts,
            action,
            expires_in,
            keywords,
        })
    }
}

fn keyword_change(m: &Map<String, Value>) -> Result<KeywordChange, ApiError> {
    Ok(KeywordChange {
        id: id_in(m.get("id"))?,
        keyword: m
            .get("keyword")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        whole_word: m.get("whole_word").is_none_or(|v| truthy(Some(v))),
        destroy: truthy(m.get("_destroy")),
    })
}

pub async fn index(State(state): State<AppState>, bearer: Bearer) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let list = filters::own(&state.core, actor).await?;
    Ok(Json(Value::Array(
        list.iter().map(entities::filter).collect(),
    )))
}

pub async fn show(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let filter = filters::get(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(entities::filter(&filter)))
}

pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<FilterBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    let filter = filters::create(&state.core, actor, &body.input()?).await?;
    Ok(Json(entities::filter(&filter)))
}

pub async fn update(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<FilterBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    let filter = filters::update(&state.core, actor, api_id(&id)?, &body.input()?).await?;
    Ok(Json(entities::filter(&filter)))
}

pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    filters::delete(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct KeywordBody {
    keyword: Option<String>,
    whole_word: Option<BoolLike>,
}

pub async fn keywords(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let filter = filters::get(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(Value::Array(
        filter
            .keywords
            .iter()
            .map(entities::filter_keyword)
            .collect(),
    )))
}

pub async fn add_keyword(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<KeywordBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    let keyword = filters::add_keyword(
        &state.core,
        actor,
        api_id(&id)?,
        body.keyword.as_deref().unwrap_or_default(),
        body.whole_word.as_ref().is_none_or(BoolLike::is_true),
    )
    .await?;
    Ok(Json(entities::filter_keyword(&keyword)))
}

pub async fn keyword(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let keyword = filters::keyword(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(entities::filter_keyword(&keyword)))
}

pub async fn update_keyword(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<KeywordBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    let id = api_id(&id)?;
    let current = filters::keyword(&state.core, actor, id).await?;
    let keyword = filters::update_keyword(
        &state.core,
        actor,
        id,
        body.keyword.as_deref().unwrap_or(&current.keyword),
        body.whole_word
            .as_ref()
            .map_or(current.whole_word, BoolLike::is_true),
    )
    .await?;
    Ok(Json(entities::filter_keyword(&keyword)))
}

pub async fn delete_keyword(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    filters::delete_keyword(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct StatusBody {
    status_id: Option<String>,
}

pub async fn statuses(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let filter = filters::get(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(Value::Array(
        filter.posts.iter().map(entities::filter_status).collect(),
    )))
}

pub async fn add_status(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    let post_id = api_id(body.status_id.as_deref().unwrap_or_default())?;
    let filtered = filters::add_status(&state.core, actor, api_id(&id)?, post_id).await?;
    Ok(Json(entities::filter_status(&filtered)))
}

pub async fn status(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:filters")?;
    let filtered = filters::status(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(entities::filter_status(&filtered)))
}

pub async fn delete_status(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:filters")?;
    filters::delete_status(&state.core, actor, api_id(&id)?).await?;
    Ok(Json(json!({})))
}
