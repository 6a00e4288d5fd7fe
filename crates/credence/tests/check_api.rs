//! `POST /api/v1/credence/check` over loopback on both backends: the report the compose screen
//! shows while an author types.

mod common;

use common::{spawn, Backend};
use credence_core::profiles;
use credence_core::Role;
use serde_json::{json, Value};

both_backends!(
    check_endpoint_reports_and_uses_the_authors_profile,
    check_endpoint_refuses_bad_input
);

async fn post(app: &common::TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = common::api()
        .post(app.url("/api/v1/credence/check"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

async fn check_endpoint_reports_and_uses_the_authors_profile(backend: Backend) {
    let app = spawn(backend).await;
    let (actor, _) = app.professional("dr_author").await;
    profiles::add_disclosure(&app.core, &actor, "Novo Nordisk", "consulting", "")
        .await
        .unwrap();
    let token = app.token("dr_author").await;

    let (s, r) = post(
        &app,
        Some(&token),
        json!({"text": "My patient Jane Doe (MRN 448812) is recovering."}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["label"], "blocked_phi");
    assert_eq!(r["score"], 0);
    assert!(r["phi"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["label"] == "MRN" && p["text"] == "448812"));

    // The author's own name is a byline, not a patient's.
    let (_, r) = post(
        &app,
        Some(&token),
        json!({"text": "New post from Name of dr_author: wash your hands."}),
    )
    .await;
    assert!(r["phi"].as_array().unwrap().is_empty(), "{r}");

    // A declared relationship counts as disclosure for that company's products.
    let promo = "Ask about Ozempic — use my code SAVE20 for 20% off!";
    let (_, declared) = post(&app, Some(&token), json!({"text": promo})).await;
    let (_, undeclared) = {
        let (other, _) = app.professional("dr_other").await;
        let _ = other;
        let t = app.token("dr_other").await;
        post(&app, Some(&t), json!({"text": promo})).await
    };
    let warnings = |r: &Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "commercial_interest" && f["severity"] == "warning")
            .count()
    };
    assert!(warnings(&undeclared) > 0, "{undeclared}");
    assert!(
        warnings(&declared) < warnings(&undeclared),
        "declared: {declared}"
    );

    let (_, r) = post(&app, Some(&token), json!({"text": "Statins lower LDL cholesterol by about 30% (doi:10.1056/NEJMoa1410489).", "kind": "post"})).await;
    assert_eq!(r["citations"][0]["kind"], "doi");
    assert_eq!(r["citations"][0]["tier"], 1);
}

async fn check_endpoint_refuses_bad_input(backend: Backend) {
    let app = spawn(backend).await;
    app.user("member_check", Role::Member).await;
    let token = app.token("member_check").await;
    let (s, _) = post(&app, None, json!({"text": "hello"})).await;
    assert_eq!(s, 401);
    let (s, e) = post(&app, Some(&token), json!({"text": "x".repeat(100_001)})).await;
    assert_eq!(s, 413, "{e}");
    let (s, e) = post(
        &app,
        Some(&token),
        json!({"text": "ok", "target_grade": 99}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = post(&app, Some(&token), json!({"text": "ok", "kind": "sonnet"})).await;
    assert_eq!(s, 422);
    let (s, r) = post(&app, Some(&token), json!({"text": ""})).await;
    assert_eq!(s, 200);
    assert_eq!(r["label"], "no_issues");
}
