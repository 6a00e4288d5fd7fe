//! Engagement: following people, and liking, sharing and bookmarking posts, from pages and
//! through Mastodon's API.

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/@{handle}/follow", post(pages::follow))
        .route("/@{handle}/unfollow", post(pages::unfollow))
        .route("/posts/{id}/{action}", post(pages::interact))
        .route("/api/v1/accounts/{id}/follow", post(api::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(api::unfollow))
        .route("/api/v1/accounts/relationships", get(api::relationships))
        .route("/api/v1/follow_requests", get(api::follow_requests))
        .route(
            "/api/v1/follow_requests/{id}/authorize",
            post(api::authorize),
        )
        .route("/api/v1/follow_requests/{id}/reject", post(api::reject))
        .route(
            "/api/v1/accounts/familiar_followers",
            get(api::familiar_followers),
        )
        .route("/api/v1/accounts/{id}/followers", get(api::followers))
        .route("/api/v1/accounts/{id}/following", get(api::following))
        .route("/api/v1/statuses/{id}/favourite", post(api::favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(api::unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(api::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(api::unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(api::bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(api::unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(api::pin))
        .route(
            "/api/v1/statuses/{id}/favourited_by",
            get(api::favourited_by),
        )
        .route("/api/v1/statuses/{id}/reblogged_by", get(api::reblogged_by))
        .route("/api/v1/statuses/{id}/unpin", post(api::unpin))
}
