//! Cross-origin access, as Mastodon grants it: browser clients served from another origin
//! (Phanpy, Elk, a masto.js app) call the API, the OAuth token and revoke endpoints, the
//! `/.well-known` documents and NodeInfo. Any origin may, without credentials: the answer
//! carries `Access-Control-Allow-Origin: *` and never `Allow-Credentials`, so a browser never
//! sends the session cookie cross-origin and a foreign page cannot act as a signed-in person.
//! The HTML pages, which use that cookie, get no CORS headers at all.

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower::Service;
use tower_http::cors::{Any, CorsLayer};

/// Paths that answer cross-origin requests (Mastodon's `config/initializers/cors.rb`), and
/// the pictures apps show: uploaded media and the default avatar and header, which web
/// clients load with `crossorigin` to read their colours (Phanpy's profile header did not).
pub fn answers_cross_origin(path: &str) -> bool {
    const PREFIXES: [&str; 4] = ["/api/", "/.well-known/", "/nodeinfo/", "/media/"];
    const EXACT: [&str; 4] = [
        "/oauth/token",
        "/oauth/revoke",
        "/static/avatar.png",
        "/static/header.png",
    ];
    let path = path.strip_suffix('/').unwrap_or(path);
    PREFIXES.iter().any(|p| path.starts_with(p)) || EXACT.contains(&path)
}

/// `app` with CORS on the paths of [`answers_cross_origin`] and untouched elsewhere. The
/// choice is made before routing (a router inside a route would see the outer route's path
/// parameters as well as its own).
pub fn with_cors(app: Router) -> Router {
    let cross_origin = app
        .clone()
        .layer(layer())
        .layer(axum::middleware::from_fn(preflight_no_content));
    Router::new().fallback_service(ByPath {
        cross_origin,
        same_origin: app,
    })
}

/// The app with CORS for the paths that answer cross-origin requests, without for the rest.
#[derive(Clone)]
struct ByPath {
    cross_origin: Router,
    same_origin: Router,
}

impl Service<Request> for ByPath {
    type Response = Response;
    type Error = Infallible;
    type Future = <Router as Service<Request>>::Future;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // A router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if answers_cross_origin(request.uri().path()) {
            self.cross_origin.call(request)
        } else {
            self.same_origin.call(request)
        }
    }
}

fn layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(Any)
        .expose_headers([
            header::LINK,
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(Duration::from_secs(24 * 3600))
}

/// A preflight answer has no body: 204, as Mastodon's server gives it (tower-http sends 200).
async fn preflight_no_content(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.run(request).await;
    if preflight && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}
