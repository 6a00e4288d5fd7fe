//! What every request shares: the domain ([`Core`]), the web layer's settings, metrics and the
//! render cache.

use std::net::SocketAddr;
use std::sync::Arc;

use credence_core::Core;

use crate::{entities, metrics};

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people and apps reach this server at, e.g. `https://credence.example`.
    /// Decides absolute URLs and whether cookies are marked Secure.
    pub public_url: String,
    pub instance_title: String,
    pub contact_email: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Where anyone using this server can get its source code: the AGPL (§13) requires that
    /// network users be offered it. Linked from every page and given in `/api/v2/instance`.
    pub source_url: String,
    /// Timeouts, the minimum body rate and the connection cap.
    pub limits: crate::server::ServerLimits,
    /// Where uploads wait, as unnamed files, until they are processed: a disk, not a tmpfs
    /// (the binary uses the data directory).
    pub upload_dir: std::path::PathBuf,
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
            trust_proxy: false,
            source_url: DEFAULT_SOURCE_URL.into(),
            limits: crate::server::ServerLimits::default(),
            upload_dir: std::env::temp_dir(),
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
    /// The domain: database, caches, the credibility engine.
    pub core: Core,
    pub config: WebConfig,
    pub metrics: metrics::Metrics,
    /// Rendered statuses and accounts, reused while their versions are current.
    pub render: entities::RenderCache,
    /// Uploads in progress, per account and being processed.
    pub uploads: crate::uploads::UploadGate,
}

/// Shared by every request.
pub type AppState = Arc<AppInner>;

pub fn app_state(core: Core, config: WebConfig) -> AppState {
    Arc::new(AppInner {
        core,
        config,
        metrics: metrics::Metrics::new(),
        render: entities::RenderCache::default(),
        uploads: crate::uploads::UploadGate::default(),
    })
}
