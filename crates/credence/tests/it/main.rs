//! The `credence` crate's one integration-test binary: every scenario drives the real server
//! over loopback (or the real binary), and runs on SQLite and on PostgreSQL through
//! [`both_backends!`]. One file per capability; what they share is in [`helpers`].
//!
//! PostgreSQL variants (and the browser tests) are `#[ignore]`d, so plain `cargo test` needs no
//! system package; `scripts/test` runs them all with `--include-ignored`.

/// Runs each listed async test function against both backends, as `<module>::sqlite::<name>`
/// and `<module>::postgres::<name>`. PostgreSQL variants are `#[ignore]`d so that plain
/// `cargo test` needs no database server. `in_browser:` marks tests that also need Chromium and
/// its driver: both variants are ignored.
macro_rules! both_backends {
    (in_browser: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs chromium and chromium-driver; scripts/test runs it"]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs chromium, chromium-driver and PostgreSQL on 127.0.0.1:5432; scripts/test runs it"]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL on 127.0.0.1:5432; scripts/test runs it"]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

mod helpers;

mod accounts;
mod admin;
mod architecture;
mod browser;
mod cli;
mod connections;
mod encryption;
mod engagement;
mod filters;
mod instance;
mod kernel;
mod lists;
mod media;
mod migrations;
mod notifications;
mod oauth;
mod posts;
mod profiles;
mod push;
mod search;
mod seed;
mod timelines;
mod topics;
mod verification;
