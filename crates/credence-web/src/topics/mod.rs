//! Topics: the curated list, a topic's page and feed, following topics.

mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/topics", get(pages::topic_list))
        .route("/topics/{slug}", get(pages::topic))
        .route("/topics/{slug}/{action}", post(pages::follow_topic))
}
