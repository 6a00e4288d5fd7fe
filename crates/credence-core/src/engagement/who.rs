//! Who favourited or boosted a post (Mastodon's `favourited_by`, `reblogged_by`): only for a
//! post the viewer may read, so a followers-only post's audience is not shown to a stranger.

use super::follows::paged_people;
use crate::kernel::paging::Window;
use crate::kernel::{Actor, Core, CoreResult};
use crate::posts;
use crate::profiles::Profile;

/// Which people a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interacted {
    Favourited,
    Boosted,
}

/// One person of such a list, and what it is paged on: the favourite's time (favourites have
/// no id of their own) or the boost's id.
#[derive(Debug, Clone)]
pub struct InteractedEntry {
    pub page_id: i64,
    pub profile: Profile,
}

/// The people who favourited or boosted post `id` within `window`, newest first.
pub async fn interacted(
    core: &Core,
    viewer: Option<&Actor>,
    id: i64,
    which: Interacted,
    window: &Window,
) -> CoreResult<Vec<InteractedEntry>> {
    let post = posts::view_published(core, viewer, id).await?;
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = match which {
        Interacted::Favourited => format!(
            "SELECT created_at AS page_id, profile_id AS person FROM favourites \
             WHERE post_id = $1 AND created_at < $2 AND created_at > $3 \
             ORDER BY created_at {order} LIMIT {}",
            window.limit
        ),
        Interacted::Boosted => format!(
            "SELECT id AS page_id, author_id AS person FROM posts \
             WHERE reblog_of_id = $1 AND state = 'published' AND id < $2 AND id > $3 \
             ORDER BY id {order} LIMIT {}",
            window.limit
        ),
    };
    Ok(paged_people(core, &sql, post.id, window)
        .await?
        .into_iter()
        .map(|(page_id, profile)| InteractedEntry { page_id, profile })
        .collect())
}
