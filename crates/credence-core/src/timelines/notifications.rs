//! The notifications page: each notification with who did it and the post it is about, as
//! the reader may see them. The page gets full posts; the API gets refs, rendered through its
//! status cache like any listing.

use std::collections::HashMap;

use serde::Serialize;

use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::notifications::groups::{self, Group, Grouping};
use crate::notifications::{self, Selection, Stored, Window};
use crate::posts::{self, Post, PostRef};
use crate::profiles::{self, Profile};

/// One in-app notification with who did it and to which post (`P`: the full post, or its
/// [`PostRef`] for a renderer that keeps posts).
#[derive(Debug, Clone, Serialize)]
pub struct Notification<P = Post> {
    pub id: i64,
    /// `mention`, `reply`, `follow`, `favourite`, `reblog`, `review_request`, `reviewed`,
    /// `coauthor_request`, `coauthor_accepted`, `scheduled_published`.
    pub kind: String,
    pub created_at: i64,
    pub read: bool,
    /// Its group (likes and boosts of one post, follows), if it has one.
    pub group_key: Option<String>,
    pub actor: Option<Profile>,
    pub post: Option<P>,
}

impl<P> Notification<P> {
    pub fn describe(&self) -> &'static str {
        notifications::describe(&self.kind)
    }
}

/// The actor's notifications that `selection` keeps within `window`, newest first.
/// Notifications about posts the actor can no longer read are left out.
pub async fn notifications(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
) -> CoreResult<Vec<Notification>> {
    let stored = notifications::page(core, actor, window, selection).await?;
    let readable = posts::readable(core, Some(actor), &post_ids(&stored)).await?;
    with_people(core, stored, readable).await
}

/// [`notifications`] with their posts as refs.
pub async fn notification_refs(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
) -> CoreResult<Vec<Notification<PostRef>>> {
    let stored = notifications::page(core, actor, window, selection).await?;
    let readable = posts::readable_refs(core, Some(actor), &post_ids(&stored)).await?;
    with_people(core, stored, readable).await
}

/// One of the actor's notifications (its post as a ref), unless it is about a post they can
/// no longer read.
pub async fn notification(
    core: &Core,
    actor: &Actor,
    id: i64,
) -> CoreResult<Notification<PostRef>> {
    let stored = vec![notifications::one(core, actor, id).await?];
    let readable = posts::readable_refs(core, Some(actor), &post_ids(&stored)).await?;
    with_people(core, stored, readable)
        .await?
        .pop()
        .ok_or(CoreError::NotFound("notification"))
}

fn post_ids(stored: &[Stored]) -> Vec<i64> {
    stored.iter().filter_map(|n| n.post_id).collect()
}

/// The notifications with who did them and their posts from `readable`: one about a post
/// the actor can no longer read (deleted, narrowed), not in it, is left out.
async fn with_people<P: Clone>(
    core: &Core,
    stored: Vec<Stored>,
    readable: HashMap<i64, P>,
) -> CoreResult<Vec<Notification<P>>> {
    let people_ids: Vec<i64> = stored.iter().filter_map(|n| n.actor_id).collect();
    let people = profiles::public_by_ids(core, &people_ids).await?;
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
                group_key: n.group_key,
                post,
            })
        })
        .collect())
}

/// A page of notification groups with the people and posts (as refs) they name, as the
/// reader may see them: a group about a post they can no longer read is left out.
#[derive(Debug, Clone)]
pub struct GroupedNotifications {
    pub groups: Vec<Group>,
    pub people: HashMap<i64, Profile>,
    pub posts: HashMap<i64, PostRef>,
}

/// The actor's notification groups that `selection` keeps within `window`, newest first.
pub async fn notification_groups(
    core: &Core,
    actor: &Actor,
    window: &Window,
    selection: &Selection,
    grouping: &Grouping,
) -> CoreResult<GroupedNotifications> {
    let groups = groups::groups_page(core, actor, window, selection, grouping).await?;
    with_people_and_posts_of_groups(core, actor, groups).await
}

/// One of the actor's notification groups, by key.
pub async fn notification_group(
    core: &Core,
    actor: &Actor,
    key: &str,
) -> CoreResult<GroupedNotifications> {
    let group = groups::group_by_key(core, actor, key).await?;
    let found = with_people_and_posts_of_groups(core, actor, vec![group]).await?;
    if found.groups.is_empty() {
        return Err(CoreError::NotFound("notification group"));
    }
    Ok(found)
}

async fn with_people_and_posts_of_groups(
    core: &Core,
    actor: &Actor,
    groups: Vec<Group>,
) -> CoreResult<GroupedNotifications> {
    let people_ids: Vec<i64> = groups
        .iter()
        .flat_map(|g| g.sample_actor_ids.iter().copied())
        .collect();
    let people = profiles::public_by_ids(core, &people_ids).await?;
    let post_ids: Vec<i64> = groups.iter().filter_map(|g| g.latest.post_id).collect();
    let posts = posts::readable_refs(core, Some(actor), &post_ids).await?;
    let groups = groups
        .into_iter()
        .filter(|g| g.latest.post_id.is_none_or(|id| posts.contains_key(&id)))
        .collect();
    Ok(GroupedNotifications {
        groups,
        people,
        posts,
    })
}
