//! Credence's HTTP adapters (axum): HTML pages, the Mastodon-compatible JSON API with OAuth,
//! Credence's own API under `/api/v1/credence`, health and metrics. Handlers are thin: they
//! parse input, call `credence_core` services (where every rule lives) and render the answer.

pub mod api;
pub mod error;
mod files;
pub mod html;
pub mod metrics;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use axum::ServiceExt;
use credence_core::Db;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people and apps reach this server at, e.g. `https://credence.example`.
    /// Decides absolute URLs and whether cookies are marked Secure.
    pub public_url: String,
    pub instance_title: String,
    pub contact_email: String,
    pub registrations_open: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Where anyone using this server can get its source code: the AGPL (§13) requires that
    /// network users be offered it. Linked from every page and given in `/api/v2/instance`.
    pub source_url: String,
}

/// The project's repository (`repository` in the workspace's Cargo.toml): the default source
/// URL for a server that runs Credence unmodified.
pub const DEFAULT_SOURCE_URL: &str = env!("CARGO_PKG_REPOSITORY");

impl WebConfig {
    pub fn for_local(addr: SocketAddr) -> WebConfig {
        WebConfig {
            public_url: format!("http://{addr}"),
            instance_title: "Credence".into(),
            contact_email: "admin@credence.example".into(),
            registrations_open: true,
            trust_proxy: false,
            source_url: DEFAULT_SOURCE_URL.into(),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `path` (starting with `/`) as an absolute URL on this server.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }

    /// The host (and port) part of the public URL: the instance's domain for `acct` and nodeinfo.
    pub fn domain(&self) -> String {
        url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
            })
            .unwrap_or_else(|| "localhost".into())
    }
}

pub struct AppInner {
    pub db: Db,
    pub config: WebConfig,
    pub metrics: metrics::Metrics,
    /// The credibility engine, built once at start-up.
    pub checker: credence_check::Checker,
    /// Rendered statuses and accounts, reused while their versions are current.
    pub render: api::RenderCache,
}

/// Shared by every request.
pub type AppState = Arc<AppInner>;

pub fn app_state(db: Db, config: WebConfig) -> AppState {
    Arc::new(AppInner {
        db,
        config,
        metrics: metrics::Metrics::new(),
        checker: credence_check::Checker::new(),
        render: api::RenderCache::default(),
    })
}

macro_rules! base_csp {
    () => {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         frame-ancestors 'none'"
    };
}

/// The Content-Security-Policy of every response: everything from this site only, no framing,
/// and forms post only here.
pub const CSP: &str = concat!(base_csp!(), "; form-action 'self'");

/// The policy of `/oauth/authorize`: the same without `form-action`. Approving or denying posts
/// here and is redirected on to the app's redirect URI; Chrome and Safari check that redirect
/// against `form-action` too, and apps often use their own scheme (`myapp://callback`), which
/// `'self'` (and even `*`) does not match. The redirect URI was checked against the app's
/// registration before the page was shown.
pub const AUTHORIZE_CSP: &str = base_csp!();

/// Largest request body accepted (forms and JSON); bigger ones get 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(html::router())
        .merge(api::router())
        .route("/media/{key}", get(files::original))
        .route("/media/{key}/thumbnail", get(files::thumbnail))
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::prometheus))
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
/// this instance's caches have heard of its changes (`Db::caught_up`), so that the person's
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
        state.db.caught_up().await;
    }
    response
}

/// Serves until `shutdown` completes, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Trailing slashes are trimmed before routing: Mastodon accepts `/api/v1/instance/`, and
    // client libraries (Mastodon.py) send it.
    state.db.watch_changes().await;
    let scheduler = tokio::spawn(run_scheduler(state.db.clone()));
    let app = NormalizePathLayer::trim_trailing_slash().layer(router(state));
    axum::serve(
        listener,
        ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(
            app,
        ),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    scheduler.abort();
    Ok(())
}

/// Publishes scheduled posts when their time comes, every minute prunes the change log
/// (SQLite, see `ref_cache`), and every ten minutes drops home feeds due for a rebuild. Every instance runs it; the claim in `posts::publish_due` makes each
/// post go out once.
async fn run_scheduler(db: credence_core::Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 0u64.. {
        tick.tick().await;
        match credence_core::posts::publish_due(&db, credence_core::db::now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(published = n, "published scheduled posts"),
            Err(e) => tracing::warn!(error = %e, "publishing scheduled posts"),
        }
        if round % 12 == 0 {
            if let Err(e) = db.prune_change_log().await {
                tracing::warn!(error = %e, "pruning the change log");
            }
        }
        if round % 120 == 0 {
            match credence_core::home_feeds::expire(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(dropped = n, "dropped home feeds due for a rebuild"),
                Err(e) => tracing::warn!(error = %e, "expiring home feeds"),
            }
        }
    }
}
