//! Media: uploads and their descriptions through the API, and serving the files.

mod api;
mod files;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::extract::MAX_UPLOAD_BYTES;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/media/{key}", get(files::original))
        .route("/media/{key}/thumbnail", get(files::thumbnail))
        .route(
            "/api/v2/media",
            post(api::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/api/v1/media",
            post(api::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/api/v1/media/{id}",
            get(api::show_media).put(api::update_media),
        )
}
