//! Posts: composing and editing (with the live check), a post's page and thread, replying,
//! peer review and co-authorship, deleting, drafts; Mastodon's statuses and scheduled statuses.

mod api;
mod check;
mod form;
mod pages;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::extract::{MAX_ARTICLE_BYTES, MAX_UPLOAD_BYTES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/@{handle}/{id}", get(pages::show))
        .route(
            "/compose",
            get(pages::compose_form)
                .post(pages::compose)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/compose/check",
            post(check::page).layer(DefaultBodyLimit::max(MAX_ARTICLE_BYTES)),
        )
        .route("/static/compose.js", get(pages::compose_js))
        .route(
            "/posts/{id}/edit",
            get(pages::edit_form)
                .post(pages::edit)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/posts/{id}/delete", post(pages::delete))
        .route("/posts/{id}/reply", post(pages::reply))
        .route("/posts/{id}/review", post(pages::review))
        .route("/posts/{id}/coauthor", post(pages::coauthor))
        .route("/drafts", get(pages::drafts))
        .route(
            "/api/v1/statuses",
            post(api::create).layer(DefaultBodyLimit::max(MAX_ARTICLE_BYTES)),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(api::show)
                .put(api::edit)
                .layer(DefaultBodyLimit::max(MAX_ARTICLE_BYTES))
                .delete(api::delete),
        )
        .route("/api/v1/statuses/{id}/context", get(api::context))
        .route("/api/v1/statuses/{id}/history", get(api::history))
        .route("/api/v1/statuses/{id}/source", get(api::source))
        .route("/api/v1/scheduled_statuses", get(api::scheduled))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(api::scheduled_one).delete(api::cancel_scheduled),
        )
        .route("/api/v1/credence/check", post(check::api))
}
