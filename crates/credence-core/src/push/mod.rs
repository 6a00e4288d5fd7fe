//! Web Push for apps, as Mastodon offers it at `/api/v1/push/subscription`: an app hands over
//! a push service's endpoint and its device's keys (one subscription per access token, with
//! the notification types it wants and whose), and each notification of those types is sent
//! there as it happens, encrypted for the device (RFC 8291, `aes128gcm`) and signed with the
//! server's VAPID key (RFC 8292), through a queue that survives restarts and retries (RFC
//! 8030 delivery).
//!
//! - [`subscriptions`]: subscribe, read, change, end; the endpoint and keys are sealed at rest.
//! - [`delivery`]: the queue, written in the notification's transaction ([`enqueue`]), and
//!   the loop every instance runs that sends what is due ([`run`], [`deliver_due`]).
//! - [`endpoint`]: which URLs a subscription may name, and a resolver that keeps the sender
//!   off loopback and private addresses (the URL is chosen by whoever holds an app token).
//! - [`vapid`]: the server's VAPID key pair, made once and shared by every instance.
//!
//! What a push says is short and holds nothing of a post: the actor's name, what they did,
//! their handle, and the notification's id, which the app reads with its token. The message
//! crosses the phone maker's push service; encrypted or not, its text stays with us.

mod delivery;
mod endpoint;
mod subscriptions;
mod vapid;

pub use delivery::{deliver_due, enqueue, run, Round, Sender};
pub use subscriptions::{
    change, current, drop_revoked, subscribe, unsubscribe, Alerts, NewSubscription, Policy,
    Subscription, ALERTS,
};
pub use vapid::public_key;
