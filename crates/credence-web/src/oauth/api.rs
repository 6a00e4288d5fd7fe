//! OAuth's JSON endpoints: app registration (`/api/v1/apps`, Mastodon's), `/oauth/token` and
//! `/oauth/revoke` (RFC 6749, RFC 7009), with errors in OAuth's own format.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::oauth::{self, RevokeRequest, TokenRequest};
use credence_core::push;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{grant_error, ApiError};
use crate::extract::{Bearer, JsonOrForm};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct AppForm {
    pub client_name: Option<String>,
    pub redirect_uris: Option<StringOrList>,
    pub scopes: Option<String>,
    pub website: Option<String>,
}

/// Mastodon accepts `redirect_uris` as a string or (since 4.3) a list.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    fn joined(&self) -> String {
        match self {
            StringOrList::One(s) => s.clone(),
            StringOrList::Many(v) => v.join("\n"),
        }
    }
}

/// An app as Mastodon describes it; `vapid_key` is the server's Web Push key (the same for
/// every app).
fn app_json(app: &oauth::App, with_secret: bool, vapid_key: &str) -> Value {
    let mut v = json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(' ').collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris.join("\n"),
        "redirect_uris": app.redirect_uris,
        "vapid_key": vapid_key,
    });
    if with_secret {
        v["client_id"] = json!(app.client_id);
        v["client_secret"] = json!(app.client_secret);
    }
    v
}

pub async fn create_app(
    State(state): State<AppState>,
    JsonOrForm(form): JsonOrForm<AppForm>,
) -> Result<Json<Value>, ApiError> {
    let app = oauth::register_app(
        &state.core,
        form.client_name.as_deref().unwrap_or_default(),
        &form
            .redirect_uris
            .as_ref()
            .map(StringOrList::joined)
            .unwrap_or_default(),
        form.scopes.as_deref().unwrap_or("read"),
        form.website.as_deref(),
    )
    .await?;
    let vapid_key = push::public_key(&state.core).await?;
    Ok(Json(app_json(&app, true, &vapid_key)))
}

/// `GET /api/v1/apps/verify_credentials`: the app a token belongs to. A personal token (made
/// with `credence admin token`, as Mastodon's "Development" page makes one) belongs to no
/// registered app: it is described as itself, with its scopes.
pub async fn verify_app(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let vapid_key = push::public_key(&state.core).await?;
    let Some(app_id) = bearer.0.app_id else {
        return Ok(Json(json!({
            "id": format!("personal-{}", bearer.0.id),
            "name": "Personal access token",
            "website": null,
            "scopes": bearer.0.scopes.split(' ').collect::<Vec<_>>(),
            "redirect_uri": oauth::OOB_REDIRECT,
            "redirect_uris": [oauth::OOB_REDIRECT],
            "vapid_key": vapid_key,
        })));
    };
    let app = oauth::app_by_id(&state.core, app_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(app_json(&app, false, &vapid_key)))
}

pub async fn token(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<TokenRequest>,
) -> Response {
    match oauth::grant(&state.core, req).await {
        Ok(issued) => Json(issued).into_response(),
        Err(e) => grant_error(e),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    JsonOrForm(req): JsonOrForm<RevokeRequest>,
) -> Response {
    match oauth::revoke(&state.core, &req).await {
        // RFC 7009: 200 whether or not the token existed.
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => grant_error(e),
    }
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414): where an app signs people in,
/// and that it must use PKCE's S256 (no secret needed with it), as Mastodon 4.3 publishes it.
pub async fn authorization_server_metadata(State(state): State<AppState>) -> Json<Value> {
    let at = |path: &str| state.config.absolute(path);
    Json(json!({
        "issuer": at("/"),
        "authorization_endpoint": at("/oauth/authorize"),
        "token_endpoint": at("/oauth/token"),
        "revocation_endpoint": at("/oauth/revoke"),
        "app_registration_endpoint": at("/api/v1/apps"),
        "scopes_supported": oauth::TOP_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
    }))
}
