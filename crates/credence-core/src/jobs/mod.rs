//! Background work that every instance runs: publishing scheduled posts when their time comes,
//! pruning SQLite's change log (see `kernel::ref_cache`), and dropping home feeds due for a
//! rebuild. Several instances may run it at once: each step claims its rows, so a scheduled
//! post goes out once.

use std::time::Duration;

use crate::home_feeds;
use crate::kernel::clock::now_ms;
use crate::kernel::ref_cache::prune_change_log;
use crate::kernel::Core;
use crate::posts;

/// How often the loop wakes: a scheduled post goes out at most this late.
const TICK: Duration = Duration::from_secs(5);
/// Every this many ticks (a minute) the change log is pruned.
const PRUNE_EVERY: u64 = 12;
/// Every this many ticks (ten minutes) old home feeds are dropped.
const EXPIRE_EVERY: u64 = 120;

/// Runs for as long as the process does (`credence serve` spawns it).
pub async fn run(core: Core) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 0u64.. {
        tick.tick().await;
        run_round(&core, round).await;
    }
}

/// One tick's work; failures are logged and the next tick tries again.
pub async fn run_round(core: &Core, round: u64) {
    match posts::publish_due(core, now_ms()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(published = n, "published scheduled posts"),
        Err(e) => tracing::warn!(error = %e, "publishing scheduled posts"),
    }
    if round.is_multiple_of(PRUNE_EVERY) {
        if let Err(e) = prune_change_log(&core.db).await {
            tracing::warn!(error = %e, "pruning the change log");
        }
    }
    if round.is_multiple_of(EXPIRE_EVERY) {
        match home_feeds::expire(core).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(dropped = n, "dropped home feeds due for a rebuild"),
            Err(e) => tracing::warn!(error = %e, "expiring home feeds"),
        }
    }
}
