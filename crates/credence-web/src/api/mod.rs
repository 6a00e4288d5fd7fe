//! The JSON API: Mastodon's REST API where Mastodon has the same thing (so existing apps and
//! client libraries work), and Credence's own endpoints under `/api/v1/credence`, described by
//! the OpenAPI document at `/api/v1/credence/openapi.json`.

mod credence;
mod entities;
mod mastodon;
mod oauth;
mod render;
mod statuses;

pub use render::RenderCache;

use axum::extract::DefaultBodyLimit;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{delete, get, post};
use axum::Router;
use credence_core::accounts::{self, Actor, TokenInfo};

use crate::error::ApiError;
use crate::AppState;

/// Uploads: the largest video `credence-media` accepts, plus multipart overhead.
pub const MAX_UPLOAD_BYTES: usize = 101 * 1024 * 1024;
/// Statuses: an article of 100,000 characters in UTF-8, with room for citations.
pub const MAX_ARTICLE_BYTES: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(mastodon::create_app))
        .route("/api/v1/apps/verify_credentials", get(mastodon::verify_app))
        .route("/api/v1/accounts", post(mastodon::register))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(mastodon::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(mastodon::lookup))
        .route("/api/v1/accounts/{id}", get(mastodon::account))
        .route(
            "/api/v1/accounts/{id}/statuses",
            get(statuses::account_statuses),
        )
        .route("/api/v1/accounts/{id}/follow", post(statuses::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(statuses::unfollow))
        .route(
            "/api/v1/accounts/relationships",
            get(statuses::relationships),
        )
        .route(
            "/api/v1/statuses",
            post(statuses::create).layer(DefaultBodyLimit::max(MAX_ARTICLE_BYTES)),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::show)
                .put(statuses::edit)
                .layer(DefaultBodyLimit::max(MAX_ARTICLE_BYTES))
                .delete(statuses::delete),
        )
        .route("/api/v1/statuses/{id}/context", get(statuses::context))
        .route("/api/v1/statuses/{id}/history", get(statuses::history))
        .route("/api/v1/statuses/{id}/source", get(statuses::source))
        .route("/api/v1/statuses/{id}/favourite", post(statuses::favourite))
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            post(statuses::unfavourite),
        )
        .route("/api/v1/statuses/{id}/reblog", post(statuses::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(statuses::unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(statuses::bookmark))
        .route(
            "/api/v1/statuses/{id}/unbookmark",
            post(statuses::unbookmark),
        )
        .route("/api/v1/timelines/home", get(statuses::home))
        .route("/api/v1/timelines/public", get(statuses::public))
        .route("/api/v1/timelines/tag/{tag}", get(statuses::tag))
        .route("/api/v1/bookmarks", get(statuses::bookmarks))
        .route("/api/v1/favourites", get(statuses::favourites))
        .route("/api/v1/trends/statuses", get(statuses::trends))
        .route("/api/v1/notifications", get(statuses::notifications))
        .route(
            "/api/v1/notifications/clear",
            post(statuses::clear_notifications),
        )
        .route("/api/v2/search", get(statuses::search))
        .route("/api/v1/scheduled_statuses", get(statuses::scheduled))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(statuses::scheduled_one).delete(statuses::cancel_scheduled),
        )
        .route(
            "/api/v2/media",
            post(statuses::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/api/v1/media",
            post(statuses::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/api/v1/media/{id}",
            get(statuses::show_media).put(statuses::update_media),
        )
        .route("/api/v1/instance", get(mastodon::instance_v1))
        .route("/api/v2/instance", get(mastodon::instance_v2))
        .route("/.well-known/nodeinfo", get(mastodon::nodeinfo_links))
        .route("/nodeinfo/2.0", get(mastodon::nodeinfo))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route("/api/v1/credence/openapi.json", get(credence::openapi))
        .route("/api/v1/credence/check", post(credence::check))
        .route(
            "/api/v1/credence/profile",
            get(credence::own_profile).patch(credence::update_profile),
        )
        .route("/api/v1/credence/profiles/{id}", get(credence::profile))
        .route(
            "/api/v1/credence/profile/disclosures",
            post(credence::add_disclosure),
        )
        .route(
            "/api/v1/credence/profile/disclosures/{id}",
            delete(credence::remove_disclosure),
        )
        .route(
            "/api/v1/credence/verification",
            get(credence::verification_status).post(credence::submit_verification),
        )
        .route(
            "/api/v1/credence/verification/queue",
            get(credence::review_queue),
        )
        .route(
            "/api/v1/credence/verification/{id}/decision",
            post(credence::decide),
        )
}

/// A request with a valid Bearer token (a person's or an app's).
pub struct Bearer(pub TokenInfo);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        accounts::token_info(&state.db, token)
            .await?
            .map(Bearer)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// An optional Bearer token: public endpoints show more to some viewers (reviewers see licences).
pub struct MaybeBearer(pub Option<TokenInfo>);

impl FromRequestParts<AppState> for MaybeBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            Ok(MaybeBearer(Some(
                Bearer::from_request_parts(parts, state).await?.0,
            )))
        } else {
            Ok(MaybeBearer(None))
        }
    }
}

impl MaybeBearer {
    /// The viewer for elevated views: the token's person only if the token grants
    /// `read:accounts` (see `TokenInfo::viewer`); otherwise the caller is anonymous.
    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref().and_then(TokenInfo::viewer)
    }
}

impl Bearer {
    /// The person behind the token, who must have granted `scope` (`read`, `write`, …).
    pub fn user(&self, scope: &str) -> Result<&Actor, ApiError> {
        let actor = self.0.actor.as_ref().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_user",
                "This method requires an authenticated user",
            )
        })?;
        self.require_scope(scope)?;
        Ok(actor)
    }

    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        if self.0.grants(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "scope",
                format!("This action is outside the authorized scopes (needs {scope})"),
            ))
        }
    }
}
