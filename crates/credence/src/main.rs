//! `credence`: the one binary. `serve` (the default) runs the web server; `admin`, `migrate` and
//! `demo` are operator commands that read the same settings (flags, `CREDENCE_*` environment
//! variables, an optional `credence.toml`).

mod check;
mod config;

use std::io::Read;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, CommandFactory, Parser, Subcommand};
use credence_core::accounts::{self, NewAccount};
use credence_core::{instance, verification, Core, CoreError, Role};
use credence_seed::demo;
use credence_seed::scale::{self as seed, ScaleOptions};

use crate::config::{Overrides, Settings};

#[derive(Parser)]
#[command(
    name = "credence",
    version,
    about = "Credible health information from verified professionals"
)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default when no command is given).
    Serve(ServeArgs),
    /// Operator commands: create users, issue API tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Apply database migrations and exit.
    Migrate,
    /// Add the demo content to the database (running it twice adds nothing twice). With
    /// --posts and --authors, also generate a large instance for load tests.
    Demo(DemoArgs),
    /// Check a draft with the credibility engine (offline; no database needed).
    Check(check::CheckArgs),
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Seed demo content before serving.
    #[arg(long)]
    demo: bool,
}

#[derive(Args, Default)]
struct DemoArgs {
    /// Also generate this many published posts (with topics and favourites), spread over the
    /// last 90 days. Each run adds more.
    #[arg(long, value_name = "N", requires = "authors",
          value_parser = clap::value_parser!(u64).range(1..=seed::MAX_POSTS))]
    posts: Option<u64>,
    /// ...by this many generated accounts (about 70% professionals, 8% organisations, the
    /// rest members), who follow one another. All share the demo password.
    #[arg(long, value_name = "M", requires = "posts",
          value_parser = clap::value_parser!(u64).range(1..=seed::MAX_AUTHORS))]
    authors: Option<u64>,
}

impl DemoArgs {
    fn scale(&self) -> Option<ScaleOptions> {
        Some(ScaleOptions {
            posts: self.posts?,
            authors: self.authors?,
        })
    }
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a login; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        handle: String,
        #[arg(long, value_parser = ["member", "professional", "organisation", "moderator", "admin"])]
        role: String,
        /// Name shown on the profile (defaults to the handle).
        #[arg(long, default_value = "")]
        display_name: String,
        /// Mark the professional or organisation profile verified (written to the audit log).
        #[arg(long)]
        verified: bool,
    },
    /// Print a personal access token for a profile (use it as `Authorization: Bearer TOKEN`).
    Token {
        #[arg(long)]
        handle: String,
    },
    /// Re-wrap every data key under a new key-encryption key, written into the key file (the
    /// records themselves are not touched). Safe to interrupt: run it again and it finishes.
    /// Other instances pick the new key up from the same key file.
    RotateKey,
    /// Check that the key file opens this database's encrypted records (after restoring a
    /// backup, say), making it if the database has none yet, and say which key it holds.
    CheckKey,
    /// The server's rules (shown to apps at `/api/v1/instance/rules`).
    Rule {
        #[command(subcommand)]
        action: RuleAction,
    },
    /// Publish an announcement to everyone (apps show it; each person dismisses it).
    Announce {
        #[arg(long)]
        text: String,
        /// When it ends, as an RFC 3339 time (e.g. 2027-01-31T18:00:00Z); until withdrawn if
        /// left out.
        #[arg(long)]
        until: Option<String>,
    },
    /// Withdraw an announcement by its id.
    Withdraw {
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum RuleAction {
    /// Add a rule, with an optional explanation.
    Add {
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "")]
        hint: String,
    },
    /// List the rules with their ids.
    List,
    /// Remove a rule by its id.
    Remove {
        #[arg(long)]
        id: i64,
    },
}

/// mimalloc instead of the system allocator: see the note in Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A usage error like clap's own (exit status 2), before anything is opened.
    if let Some(Command::Demo(args)) = &cli.command {
        if let Some(Err(message)) = args.scale().map(|s| s.validate()) {
            Cli::command()
                .error(clap::error::ErrorKind::ValueValidation, message)
                .exit();
        }
    }
    if let Some(Command::Check(args)) = cli.command {
        return match check::run(args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(3)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CREDENCE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.overrides)?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(settings, args).await,
        Command::Migrate => {
            prepare_storage(&settings)?;
            credence_core::migrate(&settings.database_url).await?;
            println!("migrations applied to {}", settings.database_url_redacted());
            Ok(())
        }
        Command::Demo(args) => {
            let core = open_core(&settings).await?;
            let created = demo::seed(&core).await?;
            println!(
                "demo content: {created} account(s) created (password for all: {})",
                demo::DEMO_PASSWORD
            );
            if let Some(scale) = args.scale() {
                let summary = seed::seed(&core, scale, &|line| eprintln!("{line}")).await?;
                print_seed_summary(&summary);
            }
            Ok(())
        }
        Command::Admin(cmd) => admin(settings, cmd).await,
        Command::Check(_) => unreachable!("handled before the runtime starts"),
    }
}

fn print_seed_summary(s: &seed::Summary) {
    println!(
        "seeded {} posts by {} authors in {:.1}s: {} rows, {:.0} rows/s",
        s.posts,
        s.accounts,
        s.elapsed.as_secs_f64(),
        s.rows(),
        s.rows_per_second()
    );
    println!(
        "  accounts       {:>9}  ({} professionals and {} organisations, {} of them verified; {} members)",
        s.accounts, s.professionals, s.organisations, s.verified, s.members
    );
    println!(
        "  follows        {:>9}  (and {} topic follows)",
        s.follows, s.topic_follows
    );
    println!(
        "  posts          {:>9}  ({} for followers only; {} articles, {} tips, {} research updates)",
        s.posts, s.followers_only, s.articles, s.tips, s.research_updates
    );
    println!("  post topics    {:>9}", s.post_topics);
    println!("  favourites     {:>9}", s.favourites);
    println!(
        "  checked texts  {:>9}  (each distinct text checked once by the credibility engine)",
        s.templates_checked
    );
    println!(
        "sample member: @{} (follows {} accounts; password {})",
        s.sample_member,
        s.sample_member_follows,
        demo::DEMO_PASSWORD
    );
}

async fn open_core(settings: &Settings) -> anyhow::Result<Core> {
    prepare_storage(settings)?;
    credence_core::open(&settings.core_options()).await
}

/// The data directory, for SQLite only: it keeps its database there, and a PostgreSQL
/// deployment may run on a read-only file system and must not fail over a directory it never
/// uses.
fn prepare_storage(settings: &Settings) -> anyhow::Result<()> {
    if settings.uses_sqlite() {
        settings.prepare_data_dir()?;
    }
    Ok(())
}

async fn serve(settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    // Bind first: a port in use is the most common start-up mistake and needs no database.
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: the address is in use or not available here \
                 (is Credence already running? choose another with --listen)",
                settings.listen
            )
        })?;
    let core = open_core(&settings).await?;
    if args.demo {
        let created = demo::seed(&core).await?;
        tracing::info!(
            created,
            "demo content seeded (password for every demo account: {})",
            demo::DEMO_PASSWORD
        );
    }
    let address = listener.local_addr()?;
    let mut web = settings.web_config(address);
    web.limits.max_connections = connections_within_open_files(web.limits.max_connections);
    let public_url = web.public_url.clone();
    let state = credence_web::app_state(core, web);
    if let Some(address) = &settings.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot serve metrics on {address}: the address is in use or not available here"))?;
        tracing::info!(%address, "metrics at /metrics");
        tokio::spawn(credence_web::serve_metrics(metrics, state.clone()));
    }
    // Catch SIGINT and SIGTERM before saying we are up: a signal that comes right after the
    // line below must stop us gracefully, not kill us with requests in flight.
    let shutdown = shutdown_signal()?;
    tracing::info!(%address, %public_url, database = %settings.database_url_redacted(), "Credence is serving");
    println!("Credence is serving at {public_url}");
    credence_web::serve(listener, state, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Files kept free of connections: the database pool, SQLite's journal, uploads in progress.
const FILES_FOR_THE_SERVER: u64 = 256;

/// Raises the open-file limit to its hard limit and keeps the connection cap below it, so
/// that a crowd of sockets cannot leave the server unable to open its database or accept
/// `/healthz` (with the soft limit at 1,024, 700 sockets did that).
fn connections_within_open_files(wanted: usize) -> usize {
    let open_files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            return wanted;
        }
    };
    let room = open_files.saturating_sub(FILES_FOR_THE_SERVER).max(1);
    let allowed = usize::try_from(room).unwrap_or(usize::MAX).min(wanted);
    if allowed < wanted {
        tracing::warn!(
            open_files,
            max_connections = allowed,
            "max_connections lowered to fit the open-file limit (raise it with ulimit -n or LimitNOFILE)"
        );
    }
    allowed
}

/// Registers for SIGINT and SIGTERM now, and returns a future that completes on either; the
/// server then finishes in-flight requests and exits. (Tokio installs a handler only when a
/// signal stream is created; until then a SIGTERM kills the process outright.)
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}

async fn admin(settings: Settings, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser {
            email,
            handle,
            role,
            display_name,
            verified,
        } => {
            let role: Role = role.parse()?;
            if verified && !role.has_professional_profile() {
                bail!("--verified applies to professional and organisation accounts only");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password on standard input: pipe it in, e.g. `echo 'a long passphrase' | credence admin create-user …`");
            }
            let core = open_core(&settings).await?;
            let (user, profile) = accounts::create_account(
                &core,
                NewAccount {
                    email: &email,
                    handle: &handle,
                    display_name: &display_name,
                    password,
                    role,
                },
                None,
            )
            .await?;
            if verified {
                verification::verify_directly(
                    &core,
                    None,
                    profile.id,
                    "verified by operator command",
                )
                .await?;
            }
            println!(
                "created {} account {} with profile @{} (id {}){}",
                user.role,
                user.email,
                profile.handle,
                profile.id,
                if verified { ", verified" } else { "" }
            );
            Ok(())
        }
        AdminCommand::Rule { action } => {
            let core = open_core(&settings).await?;
            match action {
                RuleAction::Add { text, hint } => {
                    let rule = instance::add_rule(&core, &text, &hint).await?;
                    println!("added rule {}: {}", rule.id, rule.text);
                }
                RuleAction::List => {
                    for rule in instance::rules(&core).await? {
                        println!("{}\t{}", rule.id, rule.text);
                    }
                }
                RuleAction::Remove { id } => {
                    instance::remove_rule(&core, id)
                        .await
                        .map_err(|_| anyhow::anyhow!("there is no rule {id}"))?;
                    println!("removed rule {id}");
                }
            }
            Ok(())
        }
        AdminCommand::Announce { text, until } => {
            let ends_at = until
                .as_deref()
                .map(|t| {
                    credence_core::kernel::clock::parse_rfc3339(t).ok_or_else(|| {
                        anyhow::anyhow!("--until takes a time like 2027-01-31T18:00:00Z")
                    })
                })
                .transpose()?;
            let core = open_core(&settings).await?;
            let announcement = instance::announce(&core, &text, ends_at).await?;
            println!("published announcement {}", announcement.id);
            Ok(())
        }
        AdminCommand::Withdraw { id } => {
            let core = open_core(&settings).await?;
            instance::withdraw(&core, id)
                .await
                .map_err(|_| anyhow::anyhow!("there is no announcement {id}"))?;
            println!("withdrew announcement {id}");
            Ok(())
        }
        AdminCommand::Token { handle } => {
            let core = open_core(&settings).await?;
            let token = accounts::personal_token_for_handle(&core, &handle)
                .await
                .map_err(|e| match e {
                    CoreError::NotFound(_) => {
                        anyhow::anyhow!("no profile has the handle @{handle}")
                    }
                    other => other.into(),
                })?;
            println!("{token}");
            Ok(())
        }
        AdminCommand::CheckKey => {
            let core = open_core(&settings).await?;
            let status = core.keys.status(&core.db).await?;
            println!(
                "the key file {} opens this database: key {}, {} data key(s)",
                core.keys.path().display(),
                status.key_id,
                status.data_keys
            );
            Ok(())
        }
        AdminCommand::RotateKey => {
            let core = open_core(&settings).await?;
            let rotation = core.keys.rotate(&core.db).await?;
            println!(
                "rotated the key in {}: {} data key(s) re-wrapped from key {} to key {}",
                core.keys.path().display(),
                rotation.rewrapped,
                rotation.from,
                rotation.to
            );
            Ok(())
        }
    }
}
