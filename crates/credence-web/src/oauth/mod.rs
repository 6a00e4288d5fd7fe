//! OAuth 2 for apps: registering an app, the sign-in and consent page, the token and
//! revocation endpoints.

mod api;
mod pages;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(api::create_app))
        .route("/api/v1/apps/verify_credentials", get(api::verify_app))
        .route("/oauth/token", post(api::token))
        .route("/oauth/revoke", post(api::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(api::authorization_server_metadata),
        )
        .route(
            "/oauth/authorize",
            get(pages::authorize_page).post(pages::authorize).layer(
                SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(crate::security::AUTHORIZE_CSP),
                ),
            ),
        )
}
