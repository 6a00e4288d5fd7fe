//! The notifications page: each notification with who did it and the post it is about, as
//! the reader may see them.

use serde::Serialize;

use crate::kernel::{Actor, Core, CoreResult};
use crate::notifications;
use crate::posts::{self, Post};
use crate::profiles::{self, Profile};

/// One in-app notification with who did it and to which post.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    /// `mention`, `reply`, `follow`, `favourite`, `reblog`, `review_request`, `reviewed`,
    /// `coauthor_request`, `coauthor_accepted`, `scheduled_published`.
    pub kind: String,
    pub created_at: i64,
    pub read: bool,
    pub actor: Option<Profile>,
    pub post: Option<Post>,
}

impl Notification {
    pub fn describe(&self) -> &'static str {
        notifications::describe(&self.kind)
    }
}

/// The actor's notifications, newest first, with keyset pagination on id. Notifications about
/// posts the actor can no longer read are left out.
pub async fn notifications(
    core: &Core,
    actor: &Actor,
    max_id: Option<i64>,
    limit: i64,
) -> CoreResult<Vec<Notification>> {
    let stored = notifications::page(core, actor, max_id, limit).await?;
    let people_ids: Vec<i64> = stored.iter().filter_map(|n| n.actor_id).collect();
    let people = profiles::public_by_ids(core, &people_ids).await?;
    let post_ids: Vec<i64> = stored.iter().filter_map(|n| n.post_id).collect();
    // A notification about a post the actor can no longer read (deleted, narrowed) is left out.
    let readable = posts::readable(core, Some(actor), &post_ids).await?;
    Ok(stored
        .into_iter()
        .filter_map(|n| {
            let post = match n.post_id {
                Some(id) => Some(readable.get(&id)?.clone()),
                None => None,
            };
            Some(Notification {
                id: n.id,
                actor: n.actor_id.and_then(|a| people.get(&a).cloned()),
                kind: n.kind,
                created_at: n.created_at,
                read: n.read,
                post,
            })
        })
        .collect())
}
