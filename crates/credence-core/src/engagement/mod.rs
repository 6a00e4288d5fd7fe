//! Engagement with people and posts: following profiles, and favouriting, boosting and
//! bookmarking posts.
//!
//! Every interaction is with a post the actor may read (`posts::view_published`), so a
//! followers-only post cannot be favourited, boosted or bookmarked by a stranger who guessed
//! its id. Only public posts can be boosted: a boost shows the post to the booster's
//! followers, which would widen a narrower audience.

mod follows;
mod interactions;
mod who;

pub use follows::{
    answer_follow_request, familiar_followers, follow, follow_list, follow_requests, relationship,
    relationships, set_locked, unfollow, FollowEntry, Relationship, Side,
};
pub use interactions::{interact, Interaction};
pub use who::{interacted, Interacted, InteractedEntry};
