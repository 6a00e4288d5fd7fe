//! The push queue and the sender that empties it.
//!
//! A notification writes one queue row per subscription that wants it ([`enqueue`]), in its
//! own transaction. Every instance runs [`run`]: each second it claims what is due (a claim
//! lasts a minute, so a crashed instance's pushes go out from another: delivery is at least
//! once), composes each message, encrypts it for the device, signs it, and POSTs it to the
//! push service. What the service answers decides what happens (RFC 8030 §7): taken → done;
//! 404 or 410 → the subscription is gone, and ends here too; 408, 425, 429 or 5xx, no answer,
//! or a failure of our own (the database) → tried again later, after the longer of the
//! backoff and `Retry-After`; any other refusal, or a subscription that no longer opens →
//! given up, logged.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::task::JoinSet;
use web_push_native::{p256, Auth, WebPushBuilder};

use super::endpoint::{self, PublicOnly};
use super::subscriptions::{open_target, Target};
use super::vapid::{self, ServerKey};
use crate::kernel::clock::now_ms;
use crate::kernel::db::col;
use crate::kernel::{Core, CoreError, CoreResult, PushOptions};
use crate::profiles;

/// How often the sender looks for due pushes: a push goes out at most this late. An idle
/// look is one indexed query.
const TICK: Duration = Duration::from_secs(1);
/// Pushes claimed, and sent side by side, per look.
const BATCH: i64 = 32;
/// How long a claim keeps other instances off a push (longer than a send may take).
const CLAIM_MS: i64 = 60_000;
/// Attempts before a push is given up. The waits between them are 30 s × 4ⁿ: 30 s, 2 min,
/// 8 min, 32 min, 2 h 8 min, so the last try is about 2 h 50 min after the first.
const MAX_ATTEMPTS: i64 = 6;
const RETRY_BASE_MS: i64 = 30_000;
/// The longest `Retry-After` honoured; a longer one waits this long.
const RETRY_AFTER_CAP_MS: i64 = 6 * 3_600_000;
/// How long a push service keeps a message for a device that is offline (`TTL`), which is
/// also how long the VAPID signature on it holds (RFC 8292 §2: at most a day).
const VALID_FOR: Duration = Duration::from_secs(12 * 3600);
/// How long one push service may take to answer, and to accept a connection.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Messages are padded to a multiple of this many bytes, so their length tells the push
/// service little of the name or the kind of notification inside.
const PAD_TO: usize = 256;

/// Queues the push of a new notification to every subscription of `recipient` that wants
/// its type and its actor (the subscription's policy), on `conn`: the notification's own
/// transaction. `what` is what happened, in words after the actor's name.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    recipient: i64,
    notification_id: i64,
    notification_type: &str,
    actor: Option<i64>,
    what: &str,
    at: i64,
) -> CoreResult<()> {
    let alert = format!(
        "% {} %",
        notification_type.replace('\\', "\\\\").replace('_', "\\_")
    );
    sqlx::query(
        "INSERT INTO push_deliveries (notification_id, subscription_id, notification_type, \
         actor_id, what, due_at) \
         SELECT $1, s.id, $2, $3, $4, $5 FROM push_subscriptions s \
         JOIN access_tokens t ON t.id = s.token_id AND t.revoked_at IS NULL \
         WHERE s.profile_id = $6 AND (' ' || s.alerts || ' ') LIKE $7 ESCAPE '\\' \
         AND (s.policy = 'all' \
           OR (s.policy = 'followed' AND EXISTS (SELECT 1 FROM follows f \
               WHERE f.follower_id = s.profile_id AND f.followee_id = $3)) \
           OR (s.policy = 'follower' AND EXISTS (SELECT 1 FROM follows f \
               WHERE f.follower_id = $3 AND f.followee_id = s.profile_id)))",
    )
    .bind(notification_id)
    .bind(notification_type)
    .bind(actor)
    .bind(what)
    .bind(at)
    .bind(recipient)
    .bind(alert)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sends pushes: an HTTP client that follows no redirects (a push service answers, it does
/// not send us elsewhere) and, unless private endpoints are allowed, reaches only public
/// addresses.
pub struct Sender {
    client: reqwest::Client,
    contact: String,
    private_endpoints: bool,
    public_url: String,
}

impl Sender {
    pub fn new(options: &PushOptions) -> anyhow::Result<Sender> {
        // No proxy from the environment either: a proxy would resolve the name itself, past
        // the resolver that keeps the sender off private addresses.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("Credence/", env!("CARGO_PKG_VERSION")));
        if !options.private_endpoints {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Sender {
            client: builder.build()?,
            contact: options.contact.clone(),
            private_endpoints: options.private_endpoints,
            public_url: options.public_url.trim_end_matches('/').to_string(),
        })
    }
}

/// Sends due pushes for as long as the process runs (`credence serve` spawns it).
pub async fn run(core: Core) {
    let sender = match Sender::new(&core.push) {
        Ok(sender) => sender,
        Err(e) => {
            tracing::error!(error = %e, "no push notifications: the HTTP client did not start");
            return;
        }
    };
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match deliver_due(&core, &sender, now_ms()).await {
            Ok(round) if round == Round::default() => {}
            Ok(round) => tracing::info!(?round, "sent push notifications"),
            Err(e) => tracing::warn!(error = %e, "sending push notifications"),
        }
    }
}

/// What one look at the queue did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Taken by the push service.
    pub sent: usize,
    /// To be tried again later.
    pub retrying: usize,
    /// Refused for good, or out of attempts.
    pub given_up: usize,
    /// Subscriptions the push service no longer has, ended here too.
    pub gone: usize,
}

/// A queued push.
struct Due {
    notification_id: i64,
    subscription_id: i64,
    notification_type: String,
    actor_id: Option<i64>,
    what: String,
    attempts: i64,
}

enum Outcome {
    Delivered,
    Gone,
    Refused(u16),
    Retry {
        after_ms: Option<i64>,
        why: String,
    },
    /// The subscription ended (its token revoked) or may no longer be sent to.
    Ended,
    /// The sealed subscription does not open (its owner's key shredded, or the row changed).
    Unreadable(String),
}

/// Claims and sends the pushes due at `now` (at most one batch).
pub async fn deliver_due(core: &Core, sender: &Sender, now: i64) -> CoreResult<Round> {
    let due = claim(core, now).await?;
    let mut round = Round::default();
    if due.is_empty() {
        return Ok(round);
    }
    let key = vapid::server_key(core).await?;
    let mut sends = JoinSet::new();
    let mut settled = Vec::new();
    for item in due {
        match request(core, sender, &key, &item).await {
            Ok(Some(request)) => {
                let client = sender.client.clone();
                sends.spawn(async move { (send(&client, request).await, item) });
            }
            Ok(None) => settled.push((Outcome::Ended, item)),
            Err(CoreError::Unreadable(why)) => settled.push((Outcome::Unreadable(why), item)),
            Err(e) => settled.push((
                Outcome::Retry {
                    after_ms: None,
                    why: format!("preparing it: {e}"),
                },
                item,
            )),
        }
    }
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(sent) => settled.push(sent),
            Err(e) => tracing::error!(error = %e, "a push task failed"),
        }
    }
    // Each push is settled on its own: one that cannot be recorded now is claimed again when
    // its claim lapses, and the others are not held back by it.
    for (outcome, item) in settled {
        if let Err(e) = settle(core, &item, outcome, now, &mut round).await {
            tracing::warn!(error = %e, "recording what became of a push");
        }
    }
    Ok(round)
}

async fn claim(core: &Core, now: i64) -> CoreResult<Vec<Due>> {
    let rows = sqlx::query(&format!(
        "SELECT notification_id, subscription_id, notification_type, actor_id, what, attempts \
         FROM push_deliveries WHERE due_at <= $1 AND claimed_until <= $1 \
         ORDER BY due_at LIMIT {BATCH}"
    ))
    .bind(now)
    .fetch_all(&core.db.pool)
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for r in rows {
        let item = Due {
            notification_id: col(&r, "notification_id")?,
            subscription_id: col(&r, "subscription_id")?,
            notification_type: col(&r, "notification_type")?,
            actor_id: col(&r, "actor_id")?,
            what: col(&r, "what")?,
            attempts: col(&r, "attempts")?,
        };
        let taken = sqlx::query(
            "UPDATE push_deliveries SET claimed_until = $1 WHERE notification_id = $2 \
             AND subscription_id = $3 AND claimed_until <= $4",
        )
        .bind(now + CLAIM_MS)
        .bind(item.notification_id)
        .bind(item.subscription_id)
        .bind(now)
        .execute(&core.db.pool)
        .await?
        .rows_affected();
        if taken == 1 {
            claimed.push(item);
        }
    }
    Ok(claimed)
}

/// The encrypted, signed request for a queued push; `None` when its subscription has ended
/// (its token revoked) or may no longer be sent to.
async fn request(
    core: &Core,
    sender: &Sender,
    key: &ServerKey,
    item: &Due,
) -> CoreResult<Option<reqwest::Request>> {
    let Some(row) = sqlx::query(
        "SELECT s.profile_id, s.sealed FROM push_subscriptions s \
         JOIN access_tokens t ON t.id = s.token_id AND t.revoked_at IS NULL WHERE s.id = $1",
    )
    .bind(item.subscription_id)
    .fetch_optional(&core.db.pool)
    .await?
    else {
        return Ok(None);
    };
    let recipient: i64 = col(&row, "profile_id")?;
    let sealed: Vec<u8> = col(&row, "sealed")?;
    let mut conn = core.db.pool.acquire().await?;
    let target = open_target(core, &mut conn, recipient, item.subscription_id, &sealed).await?;
    drop(conn);
    // An address written in the URL is not resolved, so the resolver cannot refuse it.
    let Ok(url) = endpoint::parse(&target.endpoint, sender.private_endpoints) else {
        return Ok(None);
    };
    let body = message(core, sender, recipient, &target, item).await?;
    let mut request = encrypt(&target, body)?;
    let authorization = key.authorization(&url, VALID_FOR, &sender.contact)?;
    request.headers_mut().insert(
        reqwest::header::AUTHORIZATION,
        authorization
            .parse()
            .map_err(|e| anyhow::anyhow!("a VAPID header: {e}"))?,
    );
    Ok(Some(request))
}

/// The push request with `body` encrypted for the device (RFC 8291 `aes128gcm`), and its
/// `TTL`.
fn encrypt(target: &Target, body: Vec<u8>) -> CoreResult<reqwest::Request> {
    let broken = |what: &str| CoreError::Internal(anyhow::anyhow!("push subscription: {what}"));
    let device = p256::PublicKey::from_sec1_bytes(&Target::key_bytes(&target.p256dh))
        .map_err(|_| broken("the device key is not a P-256 point"))?;
    let auth = Target::key_bytes(&target.auth);
    if auth.len() != 16 {
        return Err(broken("the auth secret is not 16 bytes"));
    }
    let request = WebPushBuilder::new(
        target
            .endpoint
            .parse()
            .map_err(|_| broken("the endpoint is not a URI"))?,
        device,
        Auth::clone_from_slice(&auth),
    )
    .with_valid_duration(VALID_FOR)
    .build(body)
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("encrypting a push: {e}")))?;
    reqwest::Request::try_from(request)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("a push request: {e}")))
}

/// What a push says, in Mastodon's payload shape: who did what (and their picture), which
/// notification to read, and the token to read it with. `notification_id` is a number, as
/// Mastodon sends it (a JavaScript app reads ids above 2^53 inexactly; Swift apps decode an
/// integer). Padded with trailing spaces (still the same JSON) to a multiple of [`PAD_TO`].
async fn message(
    core: &Core,
    sender: &Sender,
    recipient: i64,
    target: &Target,
    item: &Due,
) -> CoreResult<Vec<u8>> {
    let actor = match item.actor_id {
        Some(actor) => match profiles::get(core, actor).await {
            Ok(p) => Some(p),
            Err(CoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let (title, body) = match &actor {
        Some(p) if p.id != recipient => (
            format!("{} {}", p.display_name, item.what),
            format!("@{}", p.handle),
        ),
        Some(_) => (item.what.clone(), String::new()),
        None if item.actor_id.is_some() => (format!("Someone {}", item.what), String::new()),
        None => (item.what.clone(), String::new()),
    };
    let icon = actor
        .as_ref()
        .map_or("/static/avatar.png".to_string(), |p| p.avatar_path());
    let payload = json!({
        "access_token": target.access_token,
        "notification_id": item.notification_id,
        "notification_type": item.notification_type,
        "preferred_locale": "en",
        "icon": format!("{}{icon}", sender.public_url),
        "title": title,
        "body": body,
    });
    let mut bytes = payload.to_string().into_bytes();
    let padded = bytes.len().div_ceil(PAD_TO) * PAD_TO;
    bytes.resize(padded, b' ');
    Ok(bytes)
}

async fn send(client: &reqwest::Client, request: reqwest::Request) -> Outcome {
    match client.execute(request).await {
        Ok(response) => {
            let after_ms = retry_after_ms(response.headers());
            classify(response.status().as_u16(), after_ms)
        }
        Err(e) => Outcome::Retry {
            after_ms: None,
            why: e.to_string(),
        },
    }
}

fn classify(status: u16, after_ms: Option<i64>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        404 | 410 => Outcome::Gone,
        408 | 425 | 429 | 500..=599 => Outcome::Retry {
            after_ms,
            why: format!("the push service answered {status}"),
        },
        other => Outcome::Refused(other),
    }
}

/// `Retry-After` in seconds (the form push services send), in milliseconds.
fn retry_after_ms(headers: &reqwest::header::HeaderMap) -> Option<i64> {
    let seconds: i64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(seconds.clamp(0, RETRY_AFTER_CAP_MS / 1000) * 1000)
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
fn backoff_ms(attempts: i64) -> i64 {
    RETRY_BASE_MS * 4_i64.pow((attempts - 1).clamp(0, 10) as u32)
}

async fn settle(
    core: &Core,
    item: &Due,
    outcome: Outcome,
    now: i64,
    round: &mut Round,
) -> CoreResult<()> {
    match outcome {
        Outcome::Delivered => {
            forget(core, item).await?;
            round.sent += 1;
        }
        Outcome::Gone => {
            sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                .bind(item.subscription_id)
                .execute(&core.db.pool)
                .await?;
            round.gone += 1;
        }
        Outcome::Refused(status) => {
            tracing::warn!(status, "a push service refused a push; it is given up");
            forget(core, item).await?;
            round.given_up += 1;
        }
        Outcome::Ended => forget(core, item).await?,
        Outcome::Unreadable(why) => {
            tracing::warn!(%why, "a push subscription does not open; the push is given up");
            forget(core, item).await?;
            round.given_up += 1;
        }
        Outcome::Retry { after_ms, why } => {
            let attempts = item.attempts + 1;
            if attempts >= MAX_ATTEMPTS {
                tracing::warn!(%why, attempts, "a push is given up after its last attempt");
                forget(core, item).await?;
                round.given_up += 1;
                return Ok(());
            }
            let wait = backoff_ms(attempts).max(after_ms.unwrap_or(0));
            sqlx::query(
                "UPDATE push_deliveries SET attempts = $1, due_at = $2, claimed_until = 0 \
                 WHERE notification_id = $3 AND subscription_id = $4",
            )
            .bind(attempts)
            .bind(now + wait)
            .bind(item.notification_id)
            .bind(item.subscription_id)
            .execute(&core.db.pool)
            .await?;
            round.retrying += 1;
        }
    }
    Ok(())
}

async fn forget(core: &Core, item: &Due) -> CoreResult<()> {
    sqlx::query("DELETE FROM push_deliveries WHERE notification_id = $1 AND subscription_id = $2")
        .bind(item.notification_id)
        .bind(item.subscription_id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_fourfold_from_thirty_seconds() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(|a| backoff_ms(a) / 1000).collect();
        assert_eq!(waits, [30, 120, 480, 1920, 7680]);
    }

    #[test]
    fn answers_are_sorted_as_rfc_8030_says() {
        assert!(matches!(classify(201, None), Outcome::Delivered));
        assert!(matches!(classify(410, None), Outcome::Gone));
        assert!(matches!(classify(404, None), Outcome::Gone));
        assert!(matches!(classify(413, None), Outcome::Refused(413)));
        assert!(matches!(
            classify(429, Some(5000)),
            Outcome::Retry {
                after_ms: Some(5000),
                ..
            }
        ));
        assert!(matches!(classify(503, None), Outcome::Retry { .. }));
    }
}
