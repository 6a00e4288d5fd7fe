//! Settings, from (highest first) command-line flags, `CREDENCE_*` environment variables, the
//! optional `credence.toml` (in the working directory, or `--config`), and built-in defaults
//! that need no configuration at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use credence_core::accounts::Email;
use credence_core::kernel::db::{redact_url, Backend};
use credence_core::kernel::text::single_line;
use credence_core::kernel::token_cache;
use credence_core::kernel::PushOptions;
use credence_core::CoreOptions;
use credence_web::{ServerLimits, WebConfig};
use serde::Deserialize;

#[derive(Args, Default, Debug)]
pub struct Overrides {
    /// Settings file (TOML). Default: ./credence.toml when it exists.
    #[arg(long, env = "CREDENCE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "CREDENCE_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Directory for the SQLite database and media [default: ./credence-data].
    #[arg(long, env = "CREDENCE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://USER@HOST/DB [default: SQLite in the data directory].
    #[arg(long, env = "CREDENCE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// The public address of this server, e.g. https://health.example.org [default: http://LISTEN].
    #[arg(long, env = "CREDENCE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The server's name, shown to apps [default: Credence].
    #[arg(long, env = "CREDENCE_INSTANCE_TITLE", global = true)]
    pub instance_title: Option<String>,
    /// Where people reach the server's operators [default: admin@credence.example].
    #[arg(long, env = "CREDENCE_CONTACT_EMAIL", global = true)]
    pub contact_email: Option<String>,
    /// Whether people may sign up [default: true].
    #[arg(
        long,
        env = "CREDENCE_REGISTRATIONS_OPEN",
        global = true,
        value_name = "true|false"
    )]
    pub registrations_open: Option<bool>,
    /// Behind a reverse proxy: take the client address and scheme from its X-Forwarded-For and
    /// X-Forwarded-Proto headers (only if nothing else can reach the server) [default: false].
    #[arg(
        long,
        env = "CREDENCE_TRUST_PROXY",
        global = true,
        value_name = "true|false"
    )]
    pub trust_proxy: Option<bool>,
    /// Where users can get this server's source code, as the AGPL requires; point it at your
    /// own copy if you changed Credence [default: the project's repository].
    #[arg(long, env = "CREDENCE_SOURCE_URL", global = true)]
    pub source_url: Option<String>,
    /// How long a Bearer token, once looked up, is trusted without asking the database again;
    /// a token revoked through another instance (or a `credence admin` command) keeps working
    /// on this one for up to this long. 0 turns the cache off [default: 30].
    #[arg(
        long,
        env = "CREDENCE_TOKEN_CACHE_SECONDS",
        global = true,
        value_name = "SECONDS"
    )]
    pub token_cache_seconds: Option<u64>,
    /// The key file that seals private records (consent records, messages): created, readable
    /// by its owner only, when the database holds no encrypted data yet; back it up apart from
    /// the database [default: DATA_DIR/credence.key].
    #[arg(long, env = "CREDENCE_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,
    /// Time a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open [default: 10].
    #[arg(
        long,
        env = "CREDENCE_HEADER_TIMEOUT_SECONDS",
        global = true,
        value_name = "SECONDS"
    )]
    pub header_timeout_seconds: Option<u64>,
    /// The slowest a request body may arrive after its first 10 seconds, in bytes a second:
    /// slower bodies are cut off, large uploads on slow links are not [default: 1024].
    #[arg(
        long,
        env = "CREDENCE_MIN_BODY_RATE",
        global = true,
        value_name = "BYTES_PER_SECOND"
    )]
    pub min_body_rate: Option<u64>,
    /// Open connections at most (kept below the open-file limit, which is raised to its hard
    /// limit at start); more wait until one closes [default: 2048].
    #[arg(long, env = "CREDENCE_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<usize>,
    /// Address to serve Prometheus /metrics on, apart from the public port (for example
    /// 127.0.0.1:9090) [default: not served].
    #[arg(long, env = "CREDENCE_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<String>,
    /// Let apps' Web Push subscriptions name plain-http endpoints and loopback or private
    /// addresses, which the server would then POST to. For a test push service only: on a
    /// real server anyone with an app token could aim those requests into your network
    /// [default: false].
    #[arg(
        long,
        env = "CREDENCE_PUSH_TO_PRIVATE_ADDRESSES",
        global = true,
        value_name = "true|false"
    )]
    pub push_to_private_addresses: Option<bool>,
}

/// What `credence.toml` may hold; every key is optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub instance_title: Option<String>,
    pub contact_email: Option<String>,
    pub registrations_open: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub source_url: Option<String>,
    pub token_cache_seconds: Option<u64>,
    pub key_file: Option<PathBuf>,
    pub header_timeout_seconds: Option<u64>,
    pub min_body_rate: Option<u64>,
    pub max_connections: Option<usize>,
    pub metrics_listen: Option<String>,
    pub push_to_private_addresses: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: Option<String>,
    pub instance_title: String,
    pub contact_email: String,
    pub registrations_open: bool,
    pub trust_proxy: bool,
    pub source_url: String,
    pub token_cache: std::time::Duration,
    pub key_file: PathBuf,
    pub limits: ServerLimits,
    pub metrics_listen: Option<String>,
    pub push_to_private_addresses: bool,
}

impl Settings {
    pub fn load(o: &Overrides) -> anyhow::Result<Settings> {
        let file = match &o.config {
            Some(path) => read_file(path)?,
            None if Path::new("credence.toml").exists() => read_file(Path::new("credence.toml"))?,
            None => FileSettings::default(),
        };
        let limits = server_limits(o, &file)?;
        let metrics_listen = o.metrics_listen.clone().or(file.metrics_listen.clone());
        if let Some(address) = &metrics_listen {
            if address.parse::<SocketAddr>().is_err() {
                bail!("--metrics-listen '{address}' is not an address like 127.0.0.1:9090");
            }
        }
        let listen = o
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        if listen.parse::<SocketAddr>().is_err() && !listen.contains(':') {
            bail!("--listen '{listen}' is not an address like 127.0.0.1:8080");
        }
        let data_dir = o
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| "credence-data".into());
        let key_file = o
            .key_file
            .clone()
            .or(file.key_file)
            .unwrap_or_else(|| data_dir.join("credence.key"));
        let database_url = o
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("credence.db").display()));
        Backend::from_url(&database_url)?;
        let public_url = o.public_url.clone().or(file.public_url);
        if let Some(u) = &public_url {
            require_web_address("public URL", u)?;
        }
        let instance_title = o
            .instance_title
            .clone()
            .or(file.instance_title)
            .unwrap_or_else(|| "Credence".into());
        let instance_title =
            single_line("instance_title", "the instance title", &instance_title, 100)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        if instance_title.is_empty() {
            bail!("the instance title cannot be empty");
        }
        let contact_email = o
            .contact_email
            .clone()
            .or(file.contact_email)
            .unwrap_or_else(|| "admin@credence.example".into());
        let contact_email = Email::parse(&contact_email).map_err(|_| {
            anyhow::anyhow!("the contact e-mail '{contact_email}' is not an e-mail address")
        })?;
        let source_url = o
            .source_url
            .clone()
            .or(file.source_url)
            .unwrap_or_else(|| credence_web::DEFAULT_SOURCE_URL.into());
        require_web_address("source URL", &source_url)?;
        Ok(Settings {
            listen,
            data_dir,
            database_url,
            public_url,
            instance_title,
            contact_email: contact_email.as_str().to_string(),
            registrations_open: o
                .registrations_open
                .or(file.registrations_open)
                .unwrap_or(true),
            trust_proxy: o.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            source_url,
            token_cache: o
                .token_cache_seconds
                .or(file.token_cache_seconds)
                .map_or(token_cache::DEFAULT_TTL, std::time::Duration::from_secs),
            key_file,
            limits,
            metrics_listen,
            push_to_private_addresses: o
                .push_to_private_addresses
                .or(file.push_to_private_addresses)
                .unwrap_or(false),
        })
    }

    pub fn uses_sqlite(&self) -> bool {
        matches!(Backend::from_url(&self.database_url), Ok(Backend::Sqlite))
    }

    /// Creates the data directory and proves it is writable, so a mistake is reported at start
    /// with the path, not later as an obscure database error.
    pub fn prepare_data_dir(&self) -> anyhow::Result<()> {
        let dir = &self.data_dir;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let probe = dir.join(".credence-write-test");
        std::fs::write(&probe, b"ok")
            .with_context(|| format!("the data directory {} is not writable", dir.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(())
    }

    /// What the domain needs to open: the database, and the settings its rules read.
    pub fn core_options(&self) -> CoreOptions {
        CoreOptions {
            database_url: self.database_url.clone(),
            token_ttl: self.token_cache,
            registrations_open: self.registrations_open,
            key_file: self.key_file.clone(),
            push: PushOptions {
                contact: format!("mailto:{}", self.contact_email),
                private_endpoints: self.push_to_private_addresses,
                public_url: self
                    .public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", self.listen)),
            },
        }
    }

    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }

    pub fn web_config(&self, bound: SocketAddr) -> WebConfig {
        WebConfig {
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{bound}"))
                .trim_end_matches('/')
                .to_string(),
            instance_title: self.instance_title.clone(),
            contact_email: self.contact_email.clone(),
            trust_proxy: self.trust_proxy,
            source_url: self.source_url.clone(),
            limits: self.limits.clone(),
            // The data directory is a disk the operator chose; a PostgreSQL deployment may
            // have none (a read-only image), and then the system's temporary directory serves.
            upload_dir: if self.data_dir.is_dir() {
                self.data_dir.clone()
            } else {
                std::env::temp_dir()
            },
        }
    }
}

fn server_limits(o: &Overrides, file: &FileSettings) -> anyhow::Result<ServerLimits> {
    let defaults = ServerLimits::default();
    let header_timeout = o.header_timeout_seconds.or(file.header_timeout_seconds);
    let min_body_rate = o.min_body_rate.or(file.min_body_rate);
    let max_connections = o.max_connections.or(file.max_connections);
    if header_timeout == Some(0) {
        bail!("--header-timeout-seconds must be at least 1");
    }
    if min_body_rate == Some(0) {
        bail!("--min-body-rate must be at least 1 byte a second");
    }
    if max_connections == Some(0) {
        bail!("--max-connections must be at least 1");
    }
    Ok(ServerLimits {
        header_timeout: header_timeout.map_or(defaults.header_timeout, Duration::from_secs),
        min_body_rate: min_body_rate.unwrap_or(defaults.min_body_rate),
        max_connections: max_connections.unwrap_or(defaults.max_connections),
        ..defaults
    })
}

fn require_web_address(what: &str, address: &str) -> anyhow::Result<()> {
    let ok = url::Url::parse(address).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        bail!("the {what} '{address}' must start with http:// or https://");
    }
    Ok(())
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the settings file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("the settings file {} is not valid", path.display()))
}
