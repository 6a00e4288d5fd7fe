//! Who favourited or boosted a post (Mastodon's `favourited_by`, `reblogged_by`): only for a
//! post the viewer may read, so a followers-only post's audience is not shown to a stranger.

use crate::kernel::db::col;
use crate::kernel::paging::Window;
use crate::kernel::{Actor, Core, CoreResult};
use crate::posts;
use crate::profiles::{self, Profile};

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
    let rows = sqlx::query(&sql)
        .bind(post.id)
        .bind(window.below)
        .bind(window.above)
        .fetch_all(&core.db.pool)
        .await?;
    let mut pairs = rows
        .iter()
        .map(|r| Ok((col::<i64>(r, "page_id")?, col::<i64>(r, "person")?)))
        .collect::<sqlx::Result<Vec<_>>>()?;
    if window.ascending {
        pairs.reverse();
    }
    let ids: Vec<i64> = pairs.iter().map(|(_, person)| *person).collect();
    let people = profiles::public_by_ids(core, &ids).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(page_id, person)| {
            Some(InteractedEntry {
                page_id,
                profile: people.get(&person)?.clone(),
            })
        })
        .collect())
}
