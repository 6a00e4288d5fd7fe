//! Search: the page, and Mastodon's `/api/v2/search`.

mod api;
mod pages;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(pages::search_page))
        .route("/api/v2/search", get(api::search))
        .route("/api/v1/accounts/search", get(api::accounts))
}
