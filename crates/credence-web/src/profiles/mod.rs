//! Profiles: the public profile page (and its Atom feed), the owner's settings, disclosures,
//! switching between a login's profiles; Mastodon's account lookups and Credence's profile API.

mod api;
mod pages;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;

use crate::extract::MAX_UPLOAD_BYTES;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/@{handle}", get(pages::view))
        .route("/settings/profile", get(pages::edit_page).post(pages::save))
        .route("/settings/disclosures", post(pages::add_disclosure))
        .route(
            "/settings/disclosures/{id}/delete",
            post(pages::remove_disclosure),
        )
        .route("/settings/personal-profile", post(pages::create_personal))
        .route("/settings/switch", post(pages::switch))
        .route("/api/v1/accounts/lookup", get(api::lookup))
        .route("/api/v1/directory", get(api::directory))
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(api::update_credentials)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/profile/{picture}", delete(api::remove_picture))
        .route("/api/v1/accounts/{id}", get(api::account))
        .route(
            "/api/v1/credence/profile",
            get(api::own_profile).patch(api::update_profile),
        )
        .route("/api/v1/credence/profiles/{id}", get(api::profile))
        .route(
            "/api/v1/credence/profile/disclosures",
            post(api::add_disclosure),
        )
        .route(
            "/api/v1/credence/profile/disclosures/{id}",
            delete(api::remove_disclosure),
        )
}
