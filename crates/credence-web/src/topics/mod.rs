//! Topics: the curated list, a topic's page and feed, following topics.

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/topics", get(pages::topic_list))
        .route("/topics/{slug}", get(pages::topic))
        .route("/topics/{slug}/{action}", post(pages::follow_topic))
        .route("/api/v1/tags/{name}", get(api::show))
        .route("/api/v1/tags/{name}/follow", post(api::follow))
        .route("/api/v1/tags/{name}/unfollow", post(api::unfollow))
        .route("/api/v1/followed_tags", get(api::followed))
        .route(
            "/api/v1/featured_tags",
            get(api::own_featured).post(api::feature),
        )
        .route(
            "/api/v1/featured_tags/suggestions",
            get(api::feature_suggestions),
        )
        .route(
            "/api/v1/featured_tags/{id}",
            axum::routing::delete(api::unfeature),
        )
        .route(
            "/api/v1/accounts/{id}/featured_tags",
            get(api::account_featured),
        )
}
