//! Push subscriptions: one per access token (as Mastodon keeps them), naming where pushes go
//! (sealed), which notification types are wanted, and from whom.

use std::collections::BTreeSet;
use std::str::FromStr;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::endpoint;
use super::vapid;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::envelope::{Owner, Place};
use crate::kernel::{Actor, Core, CoreError, CoreResult};

/// The notification types a subscription may ask for: Mastodon's (including those Credence
/// does not record, so that an app's settings screen reads back what it saved) and
/// Credence's own kinds, which keep their names.
pub const ALERTS: [&str; 14] = [
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "review_request",
    "reviewed",
    "coauthor_request",
    "coauthor_accepted",
];

/// Whose notifications are pushed (Mastodon's `policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    All,
    /// From people the subscriber follows.
    Followed,
    /// From people who follow the subscriber.
    Follower,
    None,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::All => "all",
            Policy::Followed => "followed",
            Policy::Follower => "follower",
            Policy::None => "none",
        }
    }
}

impl FromStr for Policy {
    type Err = CoreError;

    fn from_str(s: &str) -> CoreResult<Policy> {
        match s {
            "all" => Ok(Policy::All),
            "followed" => Ok(Policy::Followed),
            "follower" => Ok(Policy::Follower),
            "none" => Ok(Policy::None),
            _ => Err(CoreError::invalid(
                "policy",
                "The policy must be all, followed, follower or none",
            )),
        }
    }
}

/// The notification types pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alerts(BTreeSet<&'static str>);

impl Alerts {
    /// Applies an app's choices (`mention` → on): named types change, the rest stay. Types
    /// Credence does not know are passed over, as apps send those of newer Mastodon versions.
    pub fn apply<'a>(&mut self, choices: impl IntoIterator<Item = (&'a str, bool)>) {
        for (name, on) in choices {
            let Some(known) = ALERTS.iter().find(|a| **a == name) else {
                continue;
            };
            if on {
                self.0.insert(known);
            } else {
                self.0.remove(known);
            }
        }
    }

    pub fn wants(&self, notification_type: &str) -> bool {
        self.0.contains(notification_type)
    }

    fn to_column(&self) -> String {
        self.0.iter().copied().collect::<Vec<_>>().join(" ")
    }

    fn from_column(column: &str) -> Alerts {
        let mut alerts = Alerts::default();
        alerts.apply(column.split(' ').map(|name| (name, true)));
        alerts
    }
}

/// What an app subscribes with.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    pub endpoint: String,
    /// The device's P-256 public key, base64 (URL-safe or not, padded or not).
    pub p256dh: String,
    /// The device's 16-byte auth secret, base64.
    pub auth: String,
    /// Alert choices by type name.
    pub alerts: Vec<(String, bool)>,
    pub policy: Option<String>,
    /// The app's access token (the one subscribing), which Mastodon's payload carries so that
    /// an app signed in to several accounts knows whose notification arrived.
    pub access_token: String,
}

/// A subscription as its app reads it back.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub endpoint: String,
    pub alerts: Alerts,
    pub policy: Policy,
    /// The server's VAPID public key.
    pub server_key: String,
}

/// Where pushes go, as sealed: the endpoint, the device's keys, and the app's token.
#[derive(Serialize, Deserialize)]
pub(super) struct Target {
    pub(super) endpoint: String,
    pub(super) p256dh: String,
    pub(super) auth: String,
    pub(super) access_token: String,
}

impl Target {
    pub(super) fn key_bytes(value: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value)
            .unwrap_or_default()
    }
}

fn owner(profile_id: i64) -> Owner<'static> {
    Owner {
        kind: "profile",
        id: profile_id,
    }
}

fn place(id: i64) -> Place<'static> {
    Place {
        table: "push_subscriptions",
        row: id,
        column: "sealed",
        belongs_to: None,
    }
}

/// Reads a device key in any base64 spelling apps use, as URL-safe base64 without padding.
fn device_key(field: &'static str, value: &str, length: usize) -> CoreResult<String> {
    let normalised: String = value
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = engine.decode(&normalised).map_err(|_| {
        CoreError::invalid(
            field,
            format!("The subscription's {field} key is not base64"),
        )
    })?;
    if bytes.len() != length {
        return Err(CoreError::invalid(
            field,
            format!(
                "The subscription's {field} key must be {length} bytes, not {}",
                bytes.len()
            ),
        ));
    }
    Ok(normalised)
}

fn target(core: &Core, new: &NewSubscription) -> CoreResult<Target> {
    let endpoint = endpoint::parse(&new.endpoint, core.push.private_endpoints)?;
    let p256dh = device_key("p256dh", &new.p256dh, 65)?;
    web_push_native::p256::PublicKey::from_sec1_bytes(&Target::key_bytes(&p256dh)).map_err(
        |_| {
            CoreError::invalid(
                "p256dh",
                "The subscription's p256dh key is not a P-256 point",
            )
        },
    )?;
    Ok(Target {
        endpoint: endpoint.to_string(),
        p256dh,
        auth: device_key("auth", &new.auth, 16)?,
        access_token: new.access_token.clone(),
    })
}

/// Subscribes the app behind `token_id` to push notifications for `actor`, replacing the
/// token's earlier subscription.
pub async fn subscribe(
    core: &Core,
    actor: &Actor,
    token_id: i64,
    new: NewSubscription,
) -> CoreResult<Subscription> {
    let target = target(core, &new)?;
    let policy = match &new.policy {
        Some(p) => p.parse()?,
        None => Policy::All,
    };
    let mut alerts = Alerts::default();
    alerts.apply(new.alerts.iter().map(|(k, v)| (k.as_str(), *v)));
    let server_key = vapid::public_key(core).await?;
    let id = new_id();
    let plaintext = serde_json::to_vec(&target).map_err(anyhow::Error::from)?;
    let mut tx = core.db.begin_write().await?;
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
        .bind(token_id)
        .execute(&mut *tx)
        .await?;
    let sealed = core
        .keys
        .seal(&mut tx, owner(actor.profile_id), place(id), &plaintext)
        .await?;
    sqlx::query(
        "INSERT INTO push_subscriptions (id, token_id, profile_id, sealed, alerts, policy, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(token_id)
    .bind(actor.profile_id)
    .bind(sealed)
    .bind(alerts.to_column())
    .bind(policy.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Subscription {
        id,
        endpoint: target.endpoint,
        alerts,
        policy,
        server_key,
    })
}

/// The subscription of the app behind `token_id`.
pub async fn current(core: &Core, actor: &Actor, token_id: i64) -> CoreResult<Subscription> {
    let row = sqlx::query(
        "SELECT id, sealed, alerts, policy FROM push_subscriptions \
         WHERE token_id = $1 AND profile_id = $2",
    )
    .bind(token_id)
    .bind(actor.profile_id)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or(CoreError::NotFound("push subscription"))?;
    let id: i64 = col(&row, "id")?;
    let sealed: Vec<u8> = col(&row, "sealed")?;
    let mut conn = core.db.pool.acquire().await?;
    let target = open_target(core, &mut conn, actor.profile_id, id, &sealed).await?;
    Ok(Subscription {
        id,
        endpoint: target.endpoint,
        alerts: Alerts::from_column(&col::<String>(&row, "alerts")?),
        policy: col::<String>(&row, "policy")?.parse()?,
        server_key: vapid::public_key(core).await?,
    })
}

/// Changes which types are pushed and from whom. As Mastodon's update, the alerts given
/// replace the old ones (types not named are off); `None` keeps them, and so does a policy not
/// given.
pub async fn change(
    core: &Core,
    actor: &Actor,
    token_id: i64,
    alerts: Option<&[(String, bool)]>,
    policy: Option<&str>,
) -> CoreResult<Subscription> {
    let mut subscription = current(core, actor, token_id).await?;
    if let Some(alerts) = alerts {
        subscription.alerts = Alerts::default();
        subscription
            .alerts
            .apply(alerts.iter().map(|(k, v)| (k.as_str(), *v)));
    }
    if let Some(policy) = policy {
        subscription.policy = policy.parse()?;
    }
    sqlx::query("UPDATE push_subscriptions SET alerts = $1, policy = $2 WHERE id = $3")
        .bind(subscription.alerts.to_column())
        .bind(subscription.policy.as_str())
        .bind(subscription.id)
        .execute(&core.db.pool)
        .await?;
    Ok(subscription)
}

/// Ends the subscription of the app behind `token_id` (nothing to do if it has none).
pub async fn unsubscribe(core: &Core, actor: &Actor, token_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1 AND profile_id = $2")
        .bind(token_id)
        .bind(actor.profile_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

/// Ends the subscriptions of revoked tokens (a revoked app gets no more pushes; the sender
/// skips them in any case).
pub async fn drop_revoked(conn: &mut sqlx::AnyConnection) -> CoreResult<()> {
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE token_id IN (SELECT t.id FROM access_tokens t \
         JOIN push_subscriptions s ON s.token_id = t.id WHERE t.revoked_at IS NOT NULL)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn open_target(
    core: &Core,
    conn: &mut sqlx::AnyConnection,
    profile_id: i64,
    id: i64,
    sealed: &[u8],
) -> CoreResult<Target> {
    let plaintext = core
        .keys
        .open(conn, owner(profile_id), place(id), sealed)
        .await?;
    serde_json::from_slice(&plaintext)
        .map_err(|e| anyhow::anyhow!("a sealed push subscription is not readable: {e}").into())
}
