//! Time and ids: every stored time is UTC milliseconds, and ids are time-ordered so that
//! keyset pagination can walk them.

use std::sync::atomic::{AtomicU64, Ordering};

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Renders a stored time as RFC 3339 (what the Mastodon API and HTML `<time>` use).
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An RFC 3339 time (`2027-01-31T18:00:00Z`) as stored milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|d| d.timestamp_millis())
}

/// A time-ordered id for something made at `ms` (a bulk load's rows, an earlier row given an
/// id by a migration), as [`new_id`] makes them: `low` orders rows of the same millisecond.
pub fn id_at(ms: i64, low: i64) -> i64 {
    const EPOCH_2024_MS: i64 = 1_704_067_200_000;
    ((ms - EPOCH_2024_MS) << 22) | (low & 0x3F_FFFF)
}

/// Time-ordered 63-bit ids: milliseconds since 2024-01-01 in the high bits, then 22 bits from a
/// per-process random start plus a counter, so several instances can insert without a sequence
/// and ids sort by creation time (keyset pagination relies on that).
pub fn new_id() -> i64 {
    const EPOCH_2024_MS: i64 = 1_704_067_200_000;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(rand::random::<u64>);
    let low = (start.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed))) & 0x3F_FFFF;
    ((now_ms() - EPOCH_2024_MS) << 22) | low as i64
}
