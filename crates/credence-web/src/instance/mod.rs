//! The instance as a whole: the front page, static files, Mastodon's instance metadata,
//! NodeInfo, host-meta and WebFinger, and health. Metrics are served apart, on the operator's address (`serve_metrics`).

mod api;
mod pages;

use axum::routing::get;
use axum::Router;

use crate::metrics;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/avatar.png", get(pages::avatar))
        .route("/static/header.png", get(pages::header_image))
        .route("/api/v1/instance", get(api::instance_v1))
        .route("/api/v2/instance", get(api::instance_v2))
        .route("/api/v1/custom_emojis", get(api::custom_emojis))
        .route("/api/v1/instance/rules", get(api::rules))
        .route("/api/v1/announcements", get(api::announcements))
        .route(
            "/api/v1/announcements/{id}/dismiss",
            axum::routing::post(api::dismiss_announcement),
        )
        .route(
            "/api/v1/announcements/{id}/reactions/{name}",
            axum::routing::put(api::react).delete(api::unreact),
        )
        .route("/.well-known/nodeinfo", get(api::nodeinfo_links))
        .route("/.well-known/host-meta", get(api::host_meta))
        .route("/.well-known/host-meta.json", get(api::host_meta_json))
        .route("/.well-known/webfinger", get(api::webfinger))
        .route("/nodeinfo/2.0", get(api::nodeinfo))
        .route("/api/v1/credence/openapi.json", get(api::openapi))
        .route("/healthz", get(metrics::healthz))
}
