//! Credence's HTTP adapters (axum): HTML pages, the Mastodon-compatible JSON API with OAuth,
//! Credence's own API under `/api/v1/credence`, health and metrics.
//!
//! One folder per capability, mirroring `credence_core`'s, each with its `router()`, its pages
//! and its API handlers side by side. Handlers are thin: they parse input, call one
//! `credence_core` function with the acting `Actor` (where every rule and owner check lives)
//! and render the answer. What every capability shares sits beside them, once: errors
//! (`error`), sessions and CSRF (`session`, `extract`), page scaffolding (`page`), Mastodon's
//! entities and the render cache (`entities`), metrics (`metrics`), the accept loop (`server`)
//! and file uploads (`uploads`). Only what the binary needs
//! is public, so the compiler reports anything left unused.

mod cors;
mod entities;
mod error;
mod extract;
mod metrics;
mod page;
mod paging;
mod security;
mod server;
mod session;
mod state;
mod uploads;

mod accounts;
mod admin;
mod engagement;
mod filters;
mod instance;
mod lists;
mod media;
mod notifications;
mod oauth;
mod posts;
mod profiles;
mod push;
mod search;
mod timelines;
mod topics;
mod verification;

use security::CSP;
pub use security::MAX_BODY_BYTES;
pub use server::ServerLimits;
pub use state::{app_state, AppState, WebConfig, DEFAULT_SOURCE_URL};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue};
use axum::Router;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Every route, with CORS where browser clients from other origins need it.
pub fn router(state: AppState) -> Router {
    cors::with_cors(routes(state))
}

fn routes(state: AppState) -> Router {
    Router::new()
        .merge(instance::router())
        .merge(accounts::router())
        .merge(profiles::router())
        .merge(verification::router())
        .merge(admin::router())
        .merge(oauth::router())
        .merge(media::router())
        .merge(posts::router())
        .merge(engagement::router())
        .merge(topics::router())
        .merge(lists::router())
        .merge(filters::router())
        .merge(timelines::router())
        .merge(notifications::router())
        .merge(push::router())
        .merge(search::router())
        // Applies to the routes above, so it must come after all of them.
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            writes_heard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::csrf_cookie,
        ))
        .layer(axum::middleware::from_fn(
            security::private_answers_not_stored,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // `if_not_present`: a route that sets its own policy (the OAuth consent page) keeps it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// After a request that may have written (any method but GET, HEAD and OPTIONS), waits until
/// this instance's caches have heard of its changes (`Core::caught_up`), so that the person's
/// next request here reads them.
async fn writes_heard(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let safe = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let response = next.run(request).await;
    if !safe {
        state.core.caught_up().await;
    }
    response
}

/// Serves Prometheus `/metrics` for `state` on its own listener: request counts by route are
/// for the operator's monitoring, not for anyone who can reach the public port.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    let limits = state.config.limits.clone();
    let app = Router::new()
        .route("/metrics", axum::routing::get(metrics::prometheus))
        .with_state(state);
    server::serve_connections(listener, app, limits, std::future::pending()).await
}

/// Serves until `shutdown` completes, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Trailing slashes are trimmed before routing: Mastodon accepts `/api/v1/instance/`, and
    // client libraries (Mastodon.py) send it.
    state.core.watch_changes().await;
    let scheduler = tokio::spawn(credence_core::jobs::run(state.core.clone()));
    let pusher = tokio::spawn(credence_core::push::run(state.core.clone()));
    let limits = state.config.limits.clone();
    let app = NormalizePathLayer::trim_trailing_slash().layer(router(state));
    server::serve_connections(listener, app, limits, shutdown).await?;
    scheduler.abort();
    pusher.abort();
    Ok(())
}
