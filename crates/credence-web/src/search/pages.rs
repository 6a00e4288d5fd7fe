//! The search page: posts, people and topics, with medical synonyms and filters.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use credence_core::profiles::Profile;
use credence_core::search::{self, Filters};
use credence_core::topics::{self, Topic};
use credence_core::CoreError;
use serde::Deserialize;

use crate::error::HtmlError;
use crate::page::{cards, render, Card, Layout, KINDS};
use crate::session::Ctx;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct SearchForm {
    q: Option<String>,
    verified_only: Option<String>,
    kind: Option<String>,
    topic: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    verified_only: bool,
    kind: String,
    topic: String,
    kinds: &'static [(&'static str, &'static str)],
    topics: Vec<Topic>,
    posts: Vec<Card>,
    people: Vec<Profile>,
    found_topics: Vec<Topic>,
    error: Option<String>,
    signed_in: bool,
}

pub async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(form): Query<SearchForm>,
) -> Result<Response, HtmlError> {
    let q = form.q.unwrap_or_default();
    let kind = form.kind.unwrap_or_default();
    let topic = form.topic.unwrap_or_default();
    let filters = Filters {
        local_domain: state.config.domain(),
        verified_only: form.verified_only.is_some(),
        kind: kind.parse().ok(),
        topic: (!topic.is_empty()).then(|| topic.clone()),
    };
    let (results, error) = if q.trim().is_empty() {
        (search::Results::default(), None)
    } else {
        match search::everything(&state.core, ctx.actor(), &q, &filters, 0, 20).await {
            Ok(r) => (r, None),
            Err(e @ CoreError::Invalid { .. }) => (search::Results::default(), Some(e.to_string())),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(render(&SearchPage {
        l: Layout::new(
            &ctx,
            if q.is_empty() {
                "Search".to_string()
            } else {
                format!("Search: {q}")
            },
        ),
        verified_only: filters.verified_only,
        kinds: KINDS,
        topics: topics::curated(&state.core).await?,
        posts: cards(results.posts, &ctx),
        people: results.profiles,
        found_topics: results.topics,
        error,
        signed_in: ctx.actor().is_some(),
        q,
        kind,
        topic,
    }))
}
