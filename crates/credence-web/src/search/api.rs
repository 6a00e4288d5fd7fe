//! Mastodon's `/api/v2/search`, with Credence's filters.

use axum::extract::{Query, State};
use axum::Json;
use credence_core::posts::PostKind;
use credence_core::search::{self, Filters};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::ApiError;
use crate::extract::{is_true, BoolLike, MaybeBearer};
use crate::state::AppState;

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
        local_domain: state.config.domain(),
        verified_only: is_true(&q.verified_only),
        kind: q.credence_kind,
        topic: q.topic.filter(|t| !t.is_empty()),
    };
    let limit = q.limit.unwrap_or(20);
    let offset = q.offset.unwrap_or(0);
    let results = search::everything(
        &state.core,
        viewer.reader(),
        &query,
        &filters,
        offset,
        limit,
    )
    .await?;
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

#[derive(Deserialize)]
pub struct AccountSearchQuery {
    q: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/accounts/search`: people by handle (`dr_okafor`, `@dr_okafor@domain`), name,
/// profession or specialty; the handle typed exactly first.
pub async fn accounts(
    State(state): State<AppState>,
    Query(q): Query<AccountSearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let query = q.q.unwrap_or_default();
    let domain = state.config.domain();
    let found =
        search::profiles(&state.core, &query, &domain, false, q.limit.unwrap_or(40)).await?;
    Ok(Json(Value::Array(
        found
            .iter()
            .map(|p| entities::account(p, &state.config))
            .collect(),
    )))
}
