//! Web Push: Mastodon's `/api/v1/push/subscription` (the sending is `credence_core::push`).

mod api;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/push/subscription",
        get(api::show)
            .post(api::create)
            .put(api::update)
            .delete(api::delete),
    )
}
