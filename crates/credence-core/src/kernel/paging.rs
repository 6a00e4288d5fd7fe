//! Keyset windows over time-ordered ids, as Mastodon clients page: `max_id` (older than),
//! `since_id` (newer than), `min_id` (the page just after), `limit`.

/// Which ids a page reads: strictly between `above` and `below`, newest first, or oldest first
/// for Mastodon's `min_id` (the page just after it; shown newest first all the same).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub below: i64,
    pub above: i64,
    pub ascending: bool,
    pub limit: i64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            below: i64::MAX,
            above: 0,
            ascending: false,
            limit: 40,
        }
    }
}

impl Window {
    /// A window from Mastodon's paging parameters; `limit` defaults to 40 and is at most 80,
    /// as Mastodon's notifications and account lists.
    pub fn paged(
        max_id: Option<i64>,
        since_id: Option<i64>,
        min_id: Option<i64>,
        limit: Option<i64>,
    ) -> Window {
        Window {
            below: max_id.unwrap_or(i64::MAX),
            above: since_id.or(min_id).unwrap_or(0),
            ascending: min_id.is_some() && since_id.is_none(),
            limit: limit.unwrap_or(40).clamp(1, 80),
        }
    }
}
