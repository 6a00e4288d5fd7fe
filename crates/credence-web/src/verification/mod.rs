//! Verification: the applicant's page and API, the reviewers' queue and decisions.

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/verification",
            get(pages::verification_page).post(pages::submit),
        )
        .route("/review", get(pages::queue))
        .route("/review/{id}", post(pages::decide))
        .route(
            "/api/v1/credence/verification",
            get(api::verification_status).post(api::submit_verification),
        )
        .route(
            "/api/v1/credence/verification/queue",
            get(api::review_queue),
        )
        .route(
            "/api/v1/credence/verification/{id}/decision",
            post(api::decide),
        )
}
