//! Notifications: the page, and Mastodon's endpoints (v1, grouped v2, read markers).

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::notifications))
        .route("/api/v1/notifications", get(api::notifications))
        .route("/api/v1/notifications/clear", post(api::clear))
        .route("/api/v1/notifications/unread_count", get(api::unread_count))
        .route("/api/v1/notifications/{id}", get(api::notification))
        .route("/api/v1/notifications/{id}/dismiss", post(api::dismiss))
        .route("/api/v2/notifications", get(api::groups))
        .route(
            "/api/v2/notifications/unread_count",
            get(api::unread_group_count),
        )
        .route("/api/v2/notifications/{group_key}", get(api::group))
        .route(
            "/api/v2/notifications/{group_key}/dismiss",
            post(api::dismiss_group),
        )
        .route(
            "/api/v2/notifications/{group_key}/accounts",
            get(api::group_accounts),
        )
        .route(
            "/api/v1/markers",
            get(api::get_markers).post(api::save_markers),
        )
}
