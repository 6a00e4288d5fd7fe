//! Web Push: an app subscribes at `/api/v1/push/subscription`, and each notification it asked
//! for reaches a push service the test runs on loopback, encrypted for the app's device (opened
//! here with the device's keys) and signed with the server's VAPID key. The Python suite opens
//! them again with an independent library (`http_ece`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use credence_core::kernel::clock::now_ms;
use credence_core::kernel::PushOptions;
use credence_core::push::{deliver_due, Sender};
use credence_core::Role;
use serde_json::{json, Value};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::SecretKey;
use web_push_native::Auth;

use crate::helpers::*;

/// A push as the test push service received it.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A status the test push service answers with, and its `Retry-After`.
type Answer = (u16, Option<&'static str>);

/// A push service on loopback: keeps what it receives, answers with the scripted statuses
/// (and `Retry-After`) in order, then 201.
#[derive(Clone, Default)]
struct PushService {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<Answer>>>,
}

async fn receive(
    State(service): State<PushService>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, HeaderMap) {
    service.received.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
    });
    let (status, retry_after) = service
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((201, None));
    let mut answer = HeaderMap::new();
    if let Some(seconds) = retry_after {
        answer.insert("retry-after", seconds.parse().unwrap());
    }
    (StatusCode::from_u16(status).unwrap(), answer)
}

impl PushService {
    /// Starts it; returns it and its endpoint URL.
    async fn start() -> (PushService, String) {
        let service = PushService::default();
        let router = axum::Router::new()
            .route("/push/{device}", axum::routing::post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/push/device-1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (service, endpoint)
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Waits (up to a minute: CI machines are slow) until `n` pushes have arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..600 {
            if self.count() >= n {
                return self.received.lock().unwrap().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} pushes did not arrive; {} did", self.count());
    }
}

/// An app's device: its P-256 key pair and auth secret.
struct Device {
    secret: SecretKey,
    auth: [u8; 16],
}

impl Device {
    fn new() -> Device {
        Device {
            secret: SecretKey::random(&mut rand::rngs::OsRng),
            auth: rand::random(),
        }
    }

    /// Its keys as a browser gives them: URL-safe base64 without padding.
    fn keys(&self) -> Value {
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        json!({
            "p256dh": encode(self.secret.public_key().to_encoded_point(false).as_bytes()),
            "auth": encode(&self.auth),
        })
    }

    /// Opens a push as the device would.
    fn open(&self, push: &Received) -> Value {
        let plain = web_push_native::decrypt(
            push.body.clone(),
            &self.secret,
            Auth::from_slice(&self.auth),
        )
        .expect("the push opens with the device's keys");
        assert_eq!(plain.len() % 256, 0, "messages are padded");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// A server whose push sender may reach the loopback push service.
async fn spawn_pushing(backend: Backend) -> TestApp {
    spawn_configured(backend, |o| o.push.private_endpoints = true, |_| {}).await
}

fn subscription(endpoint: &str, device: &Device, alerts: Value, policy: &str) -> Value {
    json!({
        "subscription": {"endpoint": endpoint, "keys": device.keys(), "standard": true},
        "data": {"alerts": alerts, "policy": policy},
    })
}

fn sender() -> Sender {
    Sender::new(&PushOptions {
        private_endpoints: true,
        ..PushOptions::default()
    })
    .unwrap()
}

async fn queued(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM push_deliveries").await
}

/// The VAPID `Authorization` header's public key (`k=`).
fn vapid_key_of(push: &Received) -> String {
    let header = push.headers["authorization"].to_str().unwrap();
    assert!(header.starts_with("vapid t="), "{header}");
    header.split("k=").nth(1).unwrap().to_string()
}

async fn an_app_gets_each_notification_it_asked_for_encrypted_for_its_device(backend: Backend) {
    let app = spawn_pushing(backend).await;
    let (alice, alice_id) = person(&app, "alice_push", Role::Member).await;
    let (bob, _) = person(&app, "bob_push", Role::Member).await;
    let (service, endpoint) = PushService::start().await;
    let device = Device::new();

    let alerts = json!({"follow": true, "mention": true, "favourite": false, "quote": true});
    let (s, v) = alice
        .post(
            "/api/v1/push/subscription",
            subscription(&endpoint, &device, alerts, "all"),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["endpoint"], endpoint);
    assert_eq!(v["alerts"]["follow"], true);
    assert_eq!(v["alerts"]["favourite"], false);
    assert_eq!(v["alerts"]["reblog"], false);
    assert!(
        v["alerts"].get("quote").is_none(),
        "unknown types are passed over"
    );
    assert_eq!(v["policy"], "all");
    assert_eq!(v["standard"], true, "aes128gcm is what is sent");
    let server_key = v["server_key"].as_str().unwrap().to_string();
    let (_, instance) = alice.get("/api/v2/instance").await;
    assert_eq!(instance["configuration"]["vapid"]["public_key"], server_key);
    let (_, again) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(again, v);

    // A follow is pushed: encrypted for the device, signed with the server's key.
    let (s, _) = bob
        .post(&format!("/api/v1/accounts/{alice_id}/follow"), json!({}))
        .await;
    assert_eq!(s, 200);
    let pushes = service.wait_for(1).await;
    let push = &pushes[0];
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert!(push.headers.contains_key("ttl"));
    assert_eq!(vapid_key_of(push), server_key);
    let message = device.open(push);
    let (_, notifications) = alice.get("/api/v1/notifications").await;
    assert_eq!(message["notification_type"], "follow");
    assert_eq!(
        message["notification_id"].to_string(),
        notifications[0]["id"].as_str().unwrap()
    );
    assert_eq!(message["title"], "Name of bob_push followed you");
    assert_eq!(message["body"], "@bob_push");
    assert_eq!(message["access_token"], alice.token.clone().unwrap());
    assert!(message["icon"]
        .as_str()
        .unwrap()
        .ends_with("/static/avatar.png"));
    let raw = String::from_utf8_lossy(&push.body);
    assert!(!raw.contains("bob_push"), "the push travels encrypted");

    // A like is not asked for: nothing is queued. A mention is pushed, saying nothing of the
    // post.
    let post = alice
        .publish(json!({"status": "Flu vaccines are open at the clinic"}))
        .await;
    bob.post(
        &format!(
            "/api/v1/statuses/{}/favourite",
            post["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(
        queued(&app).await,
        0,
        "a like was queued for a subscription without likes"
    );
    bob.publish(json!({"status": "@alice_push thank you, booked mine today"}))
        .await;
    let pushes = service.wait_for(2).await;
    let message = device.open(&pushes[1]);
    assert_eq!(message["notification_type"], "mention");
    assert_eq!(message["title"], "Name of bob_push mentioned you");
    assert!(!message.to_string().contains("booked"));

    // As Mastodon, the alerts of a change replace the old ones: likes on, follows off.
    let (s, v) = alice
        .put(
            "/api/v1/push/subscription",
            json!({"data": {"alerts": {"favourite": true, "mention": true}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["alerts"]["favourite"].clone(),
            v["alerts"]["follow"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(v["policy"], "all", "a change without a policy keeps it");
    let second = alice
        .publish(json!({"status": "Clinic closed on Friday"}))
        .await;
    bob.post(
        &format!(
            "/api/v1/statuses/{}/favourite",
            second["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let pushes = service.wait_for(3).await;
    assert_eq!(device.open(&pushes[2])["notification_type"], "favourite");

    // Unsubscribed: nothing more is queued, and the subscription is gone.
    let (s, v) = alice.delete("/api/v1/push/subscription").await;
    assert_eq!((s, v), (200, json!({})));
    let (s, _) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
    bob.publish(json!({"status": "@alice_push see you Friday"}))
        .await;
    assert_eq!(queued(&app).await, 0);
}

async fn a_failing_push_service_is_tried_again_and_a_forgotten_device_ends_the_subscription(
    backend: Backend,
) {
    let app = spawn_pushing(backend).await;
    let (alice, alice_id) = person(&app, "alice_retry", Role::Member).await;
    let (bob, _) = person(&app, "bob_retry", Role::Member).await;
    let (service, endpoint) = PushService::start().await;
    service
        .answers
        .lock()
        .unwrap()
        .extend([(503, Some("120")), (201, None), (410, None)]);
    let device = Device::new();
    let (s, _) = alice
        .post(
            "/api/v1/push/subscription",
            subscription(
                &endpoint,
                &device,
                json!({"follow": true, "mention": true}),
                "all",
            ),
        )
        .await;
    assert_eq!(s, 200);

    bob.post(&format!("/api/v1/accounts/{alice_id}/follow"), json!({}))
        .await;
    service.wait_for(1).await;
    // The 503 leaves the push queued, waiting what the service asked (120 s, longer than the
    // first 30-second wait).
    let mut waiting = None;
    for _ in 0..600 {
        waiting = sqlx::query_as::<_, (i64, i64)>("SELECT attempts, due_at FROM push_deliveries")
            .fetch_optional(&app.core.db.pool)
            .await
            .unwrap()
            .filter(|(attempts, _)| *attempts == 1);
        if waiting.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, due_at) = waiting.expect("the failed push waits to be tried again");
    assert!(due_at - now_ms() > 100_000, "Retry-After was not honoured");
    let round = deliver_due(&app.core, &sender(), due_at).await.unwrap();
    assert_eq!(round.sent, 1, "{round:?}");
    let pushes = service.wait_for(2).await;
    assert_eq!(device.open(&pushes[1])["notification_type"], "follow");
    assert_eq!(queued(&app).await, 0);

    // 410: the push service forgot the device; the subscription ends here too.
    bob.publish(json!({"status": "@alice_retry are you there?"}))
        .await;
    service.wait_for(3).await;
    for _ in 0..600 {
        if app.count("SELECT COUNT(*) FROM push_subscriptions").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, _) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
}

/// The queued push's attempts and when it is due next, once `attempts` have been made.
async fn waiting_after(app: &TestApp, attempts: i64) -> i64 {
    for _ in 0..600 {
        let row = sqlx::query_as::<_, (i64, i64)>("SELECT attempts, due_at FROM push_deliveries")
            .fetch_optional(&app.core.db.pool)
            .await
            .unwrap();
        if let Some((made, due_at)) = row {
            if made == attempts {
                return due_at;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the push was not tried {attempts} times");
}

async fn a_push_is_given_up_after_its_last_attempt(backend: Backend) {
    let app = spawn_pushing(backend).await;
    let (alice, alice_id) = person(&app, "alice_gives_up", Role::Member).await;
    let (bob, _) = person(&app, "bob_gives_up", Role::Member).await;
    let (service, endpoint) = PushService::start().await;
    service.answers.lock().unwrap().extend([(500, None); 6]);
    let (s, _) = alice
        .post(
            "/api/v1/push/subscription",
            subscription(&endpoint, &Device::new(), json!({"follow": true}), "all"),
        )
        .await;
    assert_eq!(s, 200);
    bob.post(&format!("/api/v1/accounts/{alice_id}/follow"), json!({}))
        .await;
    let mut due_at = waiting_after(&app, 1).await;
    let mut waits = Vec::new();
    for attempt in 2..=5 {
        let round = deliver_due(&app.core, &sender(), due_at).await.unwrap();
        assert_eq!(round.retrying, 1, "attempt {attempt}: {round:?}");
        let next = waiting_after(&app, attempt).await;
        waits.push((next - due_at) / 1000);
        due_at = next;
    }
    assert_eq!(waits, [120, 480, 1920, 7680], "the waits grow fourfold");
    let round = deliver_due(&app.core, &sender(), due_at).await.unwrap();
    assert_eq!(round.given_up, 1, "{round:?}");
    assert_eq!(queued(&app).await, 0);
    assert_eq!(service.count(), 6);
    let (s, _) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(s, 200, "a failing service does not end the subscription");
}

async fn policies_choose_whose_notifications_are_pushed(backend: Backend) {
    let app = spawn_pushing(backend).await;
    let (alice, _) = person(&app, "alice_policy", Role::Member).await;
    let (friend, friend_id) = person(&app, "friend_policy", Role::Member).await;
    let (stranger, _) = person(&app, "stranger_policy", Role::Member).await;
    // The service is down for an hour: whatever is queued stays queued, to be counted.
    let (service, endpoint) = PushService::start().await;
    service
        .answers
        .lock()
        .unwrap()
        .extend([(503, Some("3600")); 8]);
    let (s, _) = alice
        .post(
            "/api/v1/push/subscription",
            subscription(
                &endpoint,
                &Device::new(),
                json!({"mention": true}),
                "followed",
            ),
        )
        .await;
    assert_eq!(s, 200);
    alice
        .post(&format!("/api/v1/accounts/{friend_id}/follow"), json!({}))
        .await;

    stranger
        .publish(json!({"status": "@alice_policy hello from someone you do not follow"}))
        .await;
    assert_eq!(queued(&app).await, 0, "a stranger's mention was queued");
    friend
        .publish(json!({"status": "@alice_policy hello from a friend"}))
        .await;
    assert_eq!(
        queued(&app).await,
        1,
        "a followed person's mention was not queued"
    );

    let (s, v) = alice
        .put(
            "/api/v1/push/subscription",
            json!({"data": {"policy": "none"}}),
        )
        .await;
    assert_eq!((s, v["policy"].clone()), (200, json!("none")));
    friend
        .publish(json!({"status": "@alice_policy and again"}))
        .await;
    assert_eq!(queued(&app).await, 1);

    let (s, v) = alice
        .put(
            "/api/v1/push/subscription",
            json!({"data": {"policy": "everyone"}}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("all, followed, follower or none"));
    let (_, kept) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(kept["policy"], "none");
}

async fn subscriptions_are_refused_clearly_and_belong_to_their_token(backend: Backend) {
    // A server as deployed: private endpoints refused.
    let app = spawn(backend).await;
    let (alice, _) = person(&app, "alice_sub", Role::Member).await;
    let device = Device::new();
    let good = "https://push.example.net/wpush/v2/abc";
    let attempts = [
        ("http://push.example.net/x", "https://"),
        ("https://127.0.0.1:9/x", "public internet"),
        ("https://169.254.169.254/latest", "public internet"),
        ("https://[::1]/x", "public internet"),
        ("", "missing"),
    ];
    for (endpoint, says) in attempts {
        let (s, v) = alice
            .post(
                "/api/v1/push/subscription",
                subscription(endpoint, &device, json!({"follow": true}), "all"),
            )
            .await;
        assert_eq!(s, 422, "{endpoint}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(says),
            "{endpoint}: {v}"
        );
    }
    let mut bad_key = subscription(good, &device, json!({}), "all");
    bad_key["subscription"]["keys"]["p256dh"] = json!("bm90IGEga2V5");
    let (s, v) = alice.post("/api/v1/push/subscription", bad_key).await;
    assert_eq!(s, 422);
    assert!(v["error"].as_str().unwrap().contains("p256dh"), "{v}");
    let mut bad_auth = subscription(good, &device, json!({}), "all");
    bad_auth["subscription"]["keys"]["auth"] = json!("%%%");
    let (s, v) = alice.post("/api/v1/push/subscription", bad_auth).await;
    assert_eq!(s, 422);
    assert!(v["error"].as_str().unwrap().contains("auth"), "{v}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM push_subscriptions").await,
        0
    );

    // Form bodies as Mastodon.py sends them; standard base64 with padding is read too.
    let keys = device.keys();
    let padded = |k: &str| {
        let s = keys[k]
            .as_str()
            .unwrap()
            .replace('-', "+")
            .replace('_', "/");
        let pad = (4 - s.len() % 4) % 4;
        format!("{s}{}", "=".repeat(pad))
    };
    let form = [
        ("subscription[endpoint]", good.to_string()),
        ("subscription[keys][p256dh]", padded("p256dh")),
        ("subscription[keys][auth]", padded("auth")),
        ("data[alerts][mention]", "true".to_string()),
        ("data[alerts][follow]", "0".to_string()),
        ("data[policy]", "follower".to_string()),
    ];
    let (s, v) = alice
        .send(
            alice
                .http
                .post(app.url("/api/v1/push/subscription"))
                .form(&form),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["alerts"]["mention"].clone(),
            v["alerts"]["follow"].clone(),
            v["policy"].clone()
        ),
        (json!(true), json!(false), json!("follower"))
    );

    // Sealed at rest: the endpoint is nowhere in the row.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM push_subscriptions")
        .fetch_one(&app.core.db.pool)
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("push.example.net"));

    // Another token of the same person has its own (no) subscription, and cannot end this
    // one; a token without the push scope, or of no person, is refused.
    let second = ApiClient::new(&app, Some(app.token("alice_sub").await));
    let (s, _) = second.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
    let (s, _) = second.delete("/api/v1/push/subscription").await;
    assert_eq!(s, 200);
    let (s, _) = alice.get("/api/v1/push/subscription").await;
    assert_eq!(
        s, 200,
        "another token's DELETE ended this token's subscription"
    );
    let alice_actor = actor_of(&app, &alice).await;
    let (read_write, _) = credence_core::accounts::issue_token(
        &app.core.db.pool,
        credence_core::kernel::actor::TokenKind::OAuth,
        None,
        Some((alice_actor.user_id, alice_actor.profile_id)),
        "read write follow",
    )
    .await
    .unwrap();
    let no_push = ApiClient::new(&app, Some(read_write));
    let (s, v) = no_push.get("/api/v1/push/subscription").await;
    assert_eq!(s, 403, "{v}");
    let (s, _) = ApiClient::new(&app, None)
        .get("/api/v1/push/subscription")
        .await;
    assert_eq!(s, 401);
}

async fn a_revoked_token_loses_its_subscription(backend: Backend) {
    let app = spawn(backend).await;
    app.user("alice_revoke", Role::Member).await;
    let registered = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read write push").await;
    let alice = ApiClient::new(&app, Some(app.token("alice_revoke").await));
    let actor = actor_of(&app, &alice).await;
    let app_id: i64 = registered["id"].as_str().unwrap().parse().unwrap();
    let (token, _) = credence_core::accounts::issue_token(
        &app.core.db.pool,
        credence_core::kernel::actor::TokenKind::OAuth,
        Some(app_id),
        Some((actor.user_id, actor.profile_id)),
        "read write push",
    )
    .await
    .unwrap();
    let phone = ApiClient::new(&app, Some(token.clone()));
    let (s, v) = phone
        .post(
            "/api/v1/push/subscription",
            subscription(
                "https://push.example.net/wpush/v2/phone",
                &Device::new(),
                json!({"mention": true}),
                "all",
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let res = api()
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", registered["client_id"].as_str().unwrap()),
            (
                "client_secret",
                registered["client_secret"].as_str().unwrap(),
            ),
            ("token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM push_subscriptions").await,
        0
    );
}

both_backends!(
    an_app_gets_each_notification_it_asked_for_encrypted_for_its_device,
    a_failing_push_service_is_tried_again_and_a_forgotten_device_ends_the_subscription,
    a_push_is_given_up_after_its_last_attempt,
    policies_choose_whose_notifications_are_pushed,
    subscriptions_are_refused_clearly_and_belong_to_their_token,
    a_revoked_token_loses_its_subscription,
);
