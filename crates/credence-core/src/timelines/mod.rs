//! Timelines: home (people and topics you follow), public, topic, profile, explore (credible
//! content first), bookmarks, favourites, conversation threads and the notifications page.
//! Every listing applies the kernel's visibility condition, and pages with keyset pagination
//! on post ids (or on the explore rank), so page 1,000 costs what page 1 does.
//!
//! Listings return refs (`posts::PostRef`); a page loads the posts it lacks with
//! `posts::load_refs`, and the API renders them through its cache.

mod home;
mod listings;
mod notifications;
mod page;
mod thread;

pub use home::home;
pub use listings::{
    bookmarks, explore, favourites, list, profile, public, topic, ExploreCursor, ProfilePosts,
};
pub use notifications::{
    notification, notification_group, notification_groups, notification_refs, notifications,
    GroupedNotifications, Notification,
};
pub use page::Page;
pub use thread::{context, thread};
