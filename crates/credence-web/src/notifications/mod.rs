//! Notifications: the page, and Mastodon's endpoints.

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
}
