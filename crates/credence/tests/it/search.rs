//! Search: medical synonyms through the API, and the search page's filters.

use crate::helpers::{
    browser, compose, ids, page, person, spawn, verified, verified_pro, ApiClient, Backend,
};
use credence_core::Role;
use serde_json::json;

both_backends!(
    search_understands_medical_synonyms,
    search_page_filters,
    handles_with_underscores_are_found,
);

async fn search_understands_medical_synonyms(backend: Backend) {
    let app = spawn(backend).await;
    let (pro, _) = verified_pro(&app, "dr_lane").await;
    let (unverified, _) = person(&app, "dr_moss", Role::Professional).await;
    let anon = ApiClient::new(&app, None);
    let mi = pro
        .publish(json!({"status": "Women often have atypical symptoms of myocardial infarction, such as jaw pain."}))
        .await;
    let htn = unverified
        .publish(json!({"status": "Hypertension rarely causes symptoms: check your numbers."}))
        .await;
    let tip = pro
        .publish(json!({"status": "Cut salt to help high blood pressure.", "credence_kind": "tip"}))
        .await;

    let (s, r) = anon.get("/api/v2/search?q=heart%20attack").await;
    assert_eq!(s, 200);
    assert_eq!(ids(&r["statuses"]), vec![mi["id"].as_str().unwrap()]);
    let (_, r) = anon.get("/api/v2/search?q=high%20blood%20pressure").await;
    let found = ids(&r["statuses"]);
    assert!(found.contains(&htn["id"].as_str().unwrap().to_string()));
    assert!(found.contains(&tip["id"].as_str().unwrap().to_string()));
    let (_, r) = anon
        .get("/api/v2/search?q=high%20blood%20pressure&verified_only=true")
        .await;
    assert_eq!(ids(&r["statuses"]), vec![tip["id"].as_str().unwrap()]);
    let (_, r) = anon
        .get("/api/v2/search?q=hypertension&credence_kind=tip")
        .await;
    assert_eq!(ids(&r["statuses"]), vec![tip["id"].as_str().unwrap()]);
    // Profiles and topics are searched too.
    let (_, r) = anon.get("/api/v2/search?q=cardiology").await;
    assert!(r["accounts"].as_array().unwrap().len() >= 2);
    let (_, r) = anon.get("/api/v2/search?q=diabetes&type=hashtags").await;
    assert_eq!(r["hashtags"][0]["name"], "diabetes");
    assert!(r["statuses"].as_array().unwrap().is_empty());
    // Query syntax is not the searcher's problem.
    let (s, _) = anon.get("/api/v2/search?q=%22NEAR(%20OR%20*").await;
    assert!(s == 200 || s == 422, "status {s}");
}

async fn search_page_filters(backend: Backend) {
    let app = spawn(backend).await;
    let pro = verified(&app, "dr_jude").await;
    compose(
        &app,
        &pro,
        &[
            ("kind", "post"),
            (
                "body",
                "Signs of a stroke: face drooping, arm weakness, speech trouble.",
            ),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    app.professional("dr_kerr").await;
    let other = app.signed_in("dr_kerr@example.org").await;
    compose(
        &app,
        &other,
        &[
            ("kind", "post"),
            ("body", "A brain attack needs an ambulance, fast."),
            ("visibility", "public"),
            ("action", "publish"),
        ],
    )
    .await;
    let anon = browser();
    let (s, html) = page(&anon, app.url("/search?q=cerebrovascular+accident")).await;
    assert_eq!(s, 200);
    assert!(html.contains("face drooping"));
    assert!(html.contains("brain attack needs"));
    let (_, html) = page(&anon, app.url("/search?q=stroke&verified_only=true")).await;
    assert!(html.contains("face drooping"));
    assert!(!html.contains("brain attack needs"));
    let (s, html) = page(&anon, app.url(&format!("/search?q={}", "x".repeat(300)))).await;
    assert_eq!(s, 200);
    assert!(html.contains("at most 200 characters"));
}

/// Handles with underscores are found as typed, with or without `@` and the domain, by both
/// search endpoints apps use; `_` and `%` are letters, not wildcards.
async fn handles_with_underscores_are_found(backend: Backend) {
    let app = spawn(backend).await;
    let (reader, _) = person(&app, "reader_one", Role::Member).await;
    person(&app, "dr_okafor", Role::Professional).await;
    person(&app, "drxokafor", Role::Professional).await;
    person(&app, "dr_okafor_team", Role::Member).await;
    let handles = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| a["acct"].as_str().unwrap().to_string())
            .collect()
    };
    let domain = app.base.trim_start_matches("http://").to_string();
    for q in ["dr_okafor", "@dr_okafor", &format!("dr_okafor@{domain}")] {
        let (s, found) = reader
            .get(&format!("/api/v1/accounts/search?q={}", urlencode(q)))
            .await;
        assert_eq!(s, 200);
        let found = handles(&found);
        assert_eq!(found, ["dr_okafor", "dr_okafor_team"], "{q}");
        let (_, v2) = reader
            .get(&format!("/api/v2/search?type=accounts&q={}", urlencode(q)))
            .await;
        assert_eq!(handles(&v2["accounts"])[0], "dr_okafor", "{q}");
    }
    let (_, elsewhere) = reader
        .get("/api/v1/accounts/search?q=dr_okafor%40elsewhere.example")
        .await;
    assert!(
        handles(&elsewhere).is_empty(),
        "another server's address is not our namesake"
    );
    let (_, wildcard) = reader.get("/api/v1/accounts/search?q=%25").await;
    assert!(handles(&wildcard).is_empty(), "% is not a wildcard");
    let (_, one_letter) = reader.get("/api/v1/accounts/search?q=dr_o").await;
    assert!(
        !handles(&one_letter).contains(&"drxokafor".to_string()),
        "_ is not a wildcard"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
