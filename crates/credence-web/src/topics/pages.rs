//! Topics: the curated list, a topic's page (its posts, its Atom feed, a follow button), and
//! following a topic.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::posts;
use credence_core::timelines;
use credence_core::topics::{self, Topic};
use credence_core::CoreError;

use crate::error::HtmlError;
use crate::extract::{CsrfOnly, SignedInForm};
use crate::page::{feed_page, next_link, render, FeedQuery, FollowButton, Layout};
use crate::session::Ctx;
use crate::state::AppState;
use crate::timelines::topic_atom;

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    l: Layout,
    topics: Vec<Topic>,
}

pub async fn topic_list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    Ok(render(&TopicsPage {
        l: Layout::new(&ctx, "Topics"),
        topics: topics::curated(&state.core).await?,
    }))
}

pub async fn topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    if let Some(slug) = slug.strip_suffix(".atom") {
        return topic_atom(&state, slug).await;
    }
    let topic = topics::get(&state.core, &slug).await?;
    let asked = q.page();
    let refs = timelines::topic(&state.core, ctx.actor(), topic.id, &asked).await?;
    let posts = posts::load_refs(&state.core, ctx.actor(), &refs).await?;
    let base = format!("/topics/{}", topic.slug);
    let next = next_link(&base, &refs, &asked);
    let following = match ctx.actor() {
        Some(a) => Some(topics::is_following(&state.core, a, topic.id).await?),
        None => None,
    };
    let mut page = feed_page(&ctx, topic.name.clone(), posts);
    page.intro = Some(format!("#{}", topic.slug));
    page.next = next;
    page.atom = Some(format!("{base}.atom"));
    page.follow = following.map(|f| FollowButton::new(&base, f, "Follow this topic".into()));
    Ok(render(&page))
}

pub async fn follow_topic(
    State(state): State<AppState>,
    Path((slug, action)): Path<(String, String)>,
    SignedInForm { actor, .. }: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    let topic = match action.as_str() {
        "follow" => topics::follow(&state.core, &actor, &slug).await?,
        "unfollow" => topics::unfollow(&state.core, &actor, &slug).await?,
        _ => return Err(CoreError::NotFound("page").into()),
    };
    Ok(Redirect::to(&format!("/topics/{}", topic.slug)).into_response())
}
