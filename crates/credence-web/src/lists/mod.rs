//! Lists: Mastodon's `/api/v1/lists` and the lists holding an account (the list timeline is
//! in `timelines`).

mod api;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lists", get(api::index).post(api::create))
        .route(
            "/api/v1/lists/{id}",
            get(api::show).put(api::update).delete(api::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(api::members)
                .post(api::add_members)
                .delete(api::remove_members),
        )
        .route("/api/v1/accounts/{id}/lists", get(api::holding))
}
