//! Mastodon's push subscription endpoints and `WebPushSubscription` entity. Bodies come as
//! JSON (`{"subscription": {"endpoint": …, "keys": {…}}, "data": {"alerts": {…}}}`) or as
//! forms with the same names in brackets (`subscription[keys][p256dh]=…`), as Mastodon.py
//! and phone apps send them.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use credence_core::push::{self, NewSubscription, Subscription, ALERTS};
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::extract::{bearer_token, Bearer, JsonOrForm};
use crate::state::AppState;

type Body = HashMap<String, Value>;

fn subscription_json(s: &Subscription) -> Value {
    let alerts: Map<String, Value> = ALERTS
        .iter()
        .map(|a| (a.to_string(), Value::Bool(s.alerts.wants(a))))
        .collect();
    json!({
        "id": s.id.to_string(),
        "endpoint": s.endpoint,
        // RFC 8291 `aes128gcm` is what is sent, whatever the app asked for: Mastodon's older
        // `aesgcm` is not (see docs/architecture.md).
        "standard": true,
        "alerts": alerts,
        "server_key": s.server_key,
        "policy": s.policy.as_str(),
    })
}

/// The value at `path` in a JSON body, or under the bracketed key a form body uses.
fn field<'a>(body: &'a Body, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let nested = rest.iter().fold(body.get(*first), |value, key| {
        value.and_then(|v| v.get(key))
    });
    nested.or_else(|| {
        let flat = rest
            .iter()
            .fold(first.to_string(), |key, part| format!("{key}[{part}]"));
        body.get(&flat)
    })
}

fn text(body: &Body, path: &[&str]) -> Option<String> {
    match field(body, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A boolean as Mastodon (Rails) reads one: false, 0, "0", "f", "false", "off" (any case) are
/// false, and so is nothing; anything else is true.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !matches!(
            s.to_ascii_lowercase().as_str(),
            "" | "0" | "f" | "false" | "off"
        ),
        _ => true,
    }
}

/// `data[policy]`, or `policy` on its own as Mastodon.py sends it.
fn policy(body: &Body) -> Option<String> {
    text(body, &["data", "policy"]).or_else(|| text(body, &["policy"]))
}

/// The alert choices in `data[alerts]`, whichever way they were sent; `None` if none were.
fn alerts(body: &Body) -> Option<Vec<(String, bool)>> {
    if let Some(Value::Object(map)) = field(body, &["data", "alerts"]) {
        return Some(map.iter().map(|(k, v)| (k.clone(), truthy(v))).collect());
    }
    let flat: Vec<(String, bool)> = body
        .iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix("data[alerts][")?.strip_suffix(']')?;
            Some((name.to_string(), truthy(value)))
        })
        .collect();
    (!flat.is_empty()).then_some(flat)
}

/// `POST /api/v1/push/subscription`: subscribes this token's app, replacing its earlier
/// subscription.
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    headers: HeaderMap,
    JsonOrForm(body): JsonOrForm<Body>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("push")?;
    let access_token = bearer_token(&headers).unwrap_or_default().to_string();
    let new = NewSubscription {
        endpoint: text(&body, &["subscription", "endpoint"]).unwrap_or_default(),
        p256dh: text(&body, &["subscription", "keys", "p256dh"]).unwrap_or_default(),
        auth: text(&body, &["subscription", "keys", "auth"]).unwrap_or_default(),
        alerts: alerts(&body).unwrap_or_default(),
        policy: policy(&body),
        access_token,
    };
    let subscription = push::subscribe(&state.core, actor, bearer.0.id, new).await?;
    Ok(Json(subscription_json(&subscription)))
}

/// `GET /api/v1/push/subscription`: this token's subscription (404 if it has none).
pub async fn show(State(state): State<AppState>, bearer: Bearer) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("push")?;
    let subscription = push::current(&state.core, actor, bearer.0.id).await?;
    Ok(Json(subscription_json(&subscription)))
}

/// `PUT /api/v1/push/subscription`: the alerts given replace the old ones (as Mastodon);
/// the policy changes if given.
pub async fn update(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<Body>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("push")?;
    let policy = policy(&body);
    let subscription = push::change(
        &state.core,
        actor,
        bearer.0.id,
        alerts(&body).as_deref(),
        policy.as_deref(),
    )
    .await?;
    Ok(Json(subscription_json(&subscription)))
}

/// `DELETE /api/v1/push/subscription`: ends this token's subscription (`{}` either way).
pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("push")?;
    push::unsubscribe(&state.core, actor, bearer.0.id).await?;
    Ok(Json(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(pairs: &[(&str, Value)]) -> Body {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn fields_are_read_from_json_and_from_bracketed_form_keys() {
        let json_body = body(&[(
            "subscription",
            json!({"endpoint": "https://push.example/1", "keys": {"auth": "abc"}}),
        )]);
        let form_body = body(&[
            ("subscription[endpoint]", json!("https://push.example/1")),
            ("subscription[keys][auth]", json!("abc")),
        ]);
        for b in [&json_body, &form_body] {
            assert_eq!(
                text(b, &["subscription", "endpoint"]).as_deref(),
                Some("https://push.example/1")
            );
            assert_eq!(
                text(b, &["subscription", "keys", "auth"]).as_deref(),
                Some("abc")
            );
            assert_eq!(text(b, &["subscription", "keys", "p256dh"]), None);
        }
    }

    #[test]
    fn alert_choices_are_read_from_json_and_from_forms() {
        let json_body = body(&[(
            "data",
            json!({"alerts": {"mention": true, "follow": "false", "favourite": "1"}}),
        )]);
        let form_body = body(&[
            ("data[alerts][mention]", json!("true")),
            ("data[alerts][follow]", json!("false")),
            ("data[alerts][favourite]", json!("1")),
        ]);
        for b in [&json_body, &form_body] {
            let mut got = alerts(b).unwrap();
            got.sort();
            assert_eq!(
                got,
                [
                    ("favourite".to_string(), true),
                    ("follow".to_string(), false),
                    ("mention".to_string(), true)
                ]
            );
        }
    }

    #[test]
    fn booleans_read_as_rails_reads_them() {
        for yes in [
            json!(true),
            json!("true"),
            json!("True"),
            json!("1"),
            json!(1),
            json!("t"),
        ] {
            assert!(truthy(&yes), "{yes}");
        }
        for no in [
            json!(false),
            json!("false"),
            json!("FALSE"),
            json!("0"),
            json!(0),
            json!("f"),
            json!("off"),
            json!(""),
            Value::Null,
        ] {
            assert!(!truthy(&no), "{no}");
        }
        assert_eq!(alerts(&body(&[("policy", json!("all"))])), None);
    }
}
