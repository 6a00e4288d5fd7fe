//! Filters: Mastodon's `/api/v2/filters`, with keywords and filtered posts. What they do to
//! listings is applied where each listing is rendered (`entities::statuses` and the thread,
//! notification and grouped-notification answers).

mod api;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v2/filters", get(api::index).post(api::create))
        .route(
            "/api/v2/filters/{id}",
            get(api::show).put(api::update).delete(api::delete),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(api::keywords).post(api::add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(api::keyword)
                .put(api::update_keyword)
                .delete(api::delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(api::statuses).post(api::add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(api::status).delete(api::delete_status),
        )
}
