//! Timelines: the home and explore pages, the Atom feeds, and Mastodon's timeline endpoints.

mod api;
mod atom;
mod pages;

pub(crate) use atom::{profile_atom, topic_atom};
pub(crate) use pages::profile_feed;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home", get(pages::home))
        .route("/explore", get(pages::explore))
        .route("/api/v1/timelines/home", get(api::home))
        .route("/api/v1/timelines/public", get(api::public))
        .route("/api/v1/timelines/tag/{tag}", get(api::tag))
        .route("/api/v1/accounts/{id}/statuses", get(api::account_statuses))
        .route("/api/v1/timelines/list/{id}", get(api::list))
        .route("/api/v1/bookmarks", get(api::bookmarks))
        .route("/api/v1/favourites", get(api::favourites))
        .route("/api/v1/trends/statuses", get(api::trends))
}
