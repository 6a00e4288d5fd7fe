//! Mastodon-compatible endpoints: apps, accounts, instance metadata and NodeInfo.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::accounts::{NewAccount, Role};
use credence_core::{oauth, profiles, CoreError};
use serde::Deserialize;
use serde_json::{json, Value};

use super::entities;
use super::{Bearer, MaybeBearer};
use crate::error::ApiError;
use crate::AppState;

/// The Mastodon API level Credence follows; clients read the leading version number.
pub const MASTODON_COMPAT: &str = "4.3.0";

/// Parses JSON or form bodies alike, as Mastodon does (apps send either).
pub mod body {
    use axum::extract::{FromRequest, Request};
    use axum::http::{header, StatusCode};
    use serde::de::DeserializeOwned;

    use crate::error::ApiError;

    pub struct JsonOrForm<T>(pub T);

    impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonOrForm<T> {
        type Rejection = ApiError;

        async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
            let is_json = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            let bad = |e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e);
            if is_json {
                let axum::Json(v) = axum::Json::<T>::from_request(req, state)
                    .await
                    .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
                Ok(JsonOrForm(v))
            } else {
                let bytes = axum::body::Bytes::from_request(req, state)
                    .await
                    .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
                // Query-string syntax also covers multipart-less form posts from most clients.
                let v = serde_html_form::from_bytes::<T>(&bytes)
                    .map_err(|e| bad(format!("the request body could not be read: {e}")))?;
                Ok(JsonOrForm(v))
            }
        }
    }
}

use body::JsonOrForm;

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

fn app_json(app: &oauth::App, with_secret: bool) -> Value {
    let mut v = json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(' ').collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris.join("\n"),
        "redirect_uris": app.redirect_uris,
        "vapid_key": "",
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
        &state.db,
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
    Ok(Json(app_json(&app, true)))
}

pub async fn verify_app(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let app_id = bearer.0.app_id.ok_or_else(ApiError::unauthorized)?;
    let app = oauth::app_by_id(&state.db, app_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(app_json(&app, false)))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub agreement: Option<BoolLike>,
    pub display_name: Option<String>,
    /// Credence extension: `member` (default), `professional` or `organisation`.
    pub credence_role: Option<String>,
}

/// Booleans arrive as `true`, `"true"`, `"1"` or `"on"` depending on the client.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum BoolLike {
    Bool(bool),
    Text(String),
}

impl BoolLike {
    pub(crate) fn is_true(&self) -> bool {
        match self {
            BoolLike::Bool(b) => *b,
            BoolLike::Text(t) => matches!(t.as_str(), "true" | "1" | "on" | "yes"),
        }
    }
}

/// `POST /api/v1/accounts`: sign-up from an app, authorised by the app's own token (the rule
/// is `oauth::sign_up`'s).
pub async fn register(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(form): JsonOrForm<RegisterForm>,
) -> Result<Json<oauth::IssuedToken>, ApiError> {
    if !state.config.registrations_open {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "closed",
            "Registrations are closed on this server",
        ));
    }
    if !form.agreement.as_ref().is_some_and(BoolLike::is_true) {
        return Err(CoreError::invalid(
            "agreement",
            "you must accept the server rules (agreement=true)",
        )
        .into());
    }
    let role = match form.credence_role.as_deref() {
        None | Some("member") => Role::Member,
        Some("professional") => Role::Professional,
        Some("organisation") => Role::Organisation,
        Some(_) => {
            return Err(CoreError::invalid(
                "credence_role",
                "credence_role must be member, professional or organisation",
            )
            .into())
        }
    };
    let handle = form.username.unwrap_or_default();
    let issued = oauth::sign_up(
        &state.db,
        &bearer.0,
        NewAccount {
            email: form.email.as_deref().unwrap_or_default(),
            handle: &handle,
            display_name: form.display_name.as_deref().unwrap_or(&handle),
            password: form.password.as_deref().unwrap_or_default(),
            role,
        },
    )
    .await?;
    Ok(Json(issued))
}

pub async fn verify_credentials(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = match bearer.user("read:accounts") {
        Ok(actor) => actor,
        // The `profile` scope (Mastodon 4.3) allows exactly this call.
        Err(_) if bearer.require_scope("profile").is_ok() && bearer.0.actor.is_some() => {
            bearer.0.actor.as_ref().expect("checked")
        }
        Err(e) => return Err(e),
    };
    // A `profile`-only token identifies the person but does not read their private data: the
    // licence number shows only through a token that grants `read:accounts`.
    let p = profiles::view_by_id(&state.db, bearer.0.viewer(), actor.profile_id).await?;
    Ok(Json(entities::credential_account(&p, &state.config)))
}

#[derive(Deserialize)]
pub struct LookupQuery {
    pub acct: Option<String>,
}

pub async fn lookup(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Query(q): Query<LookupQuery>,
) -> Result<Json<Value>, ApiError> {
    let acct = q.acct.unwrap_or_default();
    // `user@this.domain` names a local account too.
    let domain = state.config.domain();
    let handle = match acct.trim_start_matches('@').split_once('@') {
        Some((user, host)) if host.eq_ignore_ascii_case(&domain) => user.to_string(),
        Some(_) => return Err(ApiError::not_found()),
        None => acct.trim_start_matches('@').to_string(),
    };
    let p = profiles::view(&state.db, viewer.actor(), &handle)
        .await
        .map_err(|_| ApiError::not_found())?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn account(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let p = profiles::view_by_id(&state.db, viewer.actor(), id)
        .await
        .map_err(|_| ApiError::not_found())?;
    Ok(Json(entities::account(&p, &state.config)))
}

fn version() -> String {
    format!(
        "{MASTODON_COMPAT} (compatible; Credence {})",
        env!("CARGO_PKG_VERSION")
    )
}

const DESCRIPTION: &str =
    "Credence: verified health professionals sharing credible health information.";

pub async fn instance_v1(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let c = &state.config;
    let users = profiles::count_profiles(&state.db).await?;
    Ok(Json(json!({
        "uri": c.domain(),
        "title": c.instance_title,
        "short_description": DESCRIPTION,
        "description": DESCRIPTION,
        "email": c.contact_email,
        "version": version(),
        "urls": {},
        "stats": {"user_count": users, "status_count": 0, "domain_count": 0},
        "thumbnail": format!("{}/static/avatar.png", c.public_url),
        "languages": ["en"],
        "registrations": c.registrations_open,
        "approval_required": false,
        "invites_enabled": false,
        "configuration": configuration(),
        "contact_account": null,
        "rules": [],
    })))
}

fn configuration() -> Value {
    json!({
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {"max_characters": 1000, "max_media_attachments": 4, "characters_reserved_per_url": 23},
        "media_attachments": {
            "supported_mime_types": [],
            "image_size_limit": 0, "image_matrix_limit": 0,
            "video_size_limit": 0, "video_frame_rate_limit": 0, "video_matrix_limit": 0
        },
        "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
        "translation": {"enabled": false},
        "urls": {},
    })
}

pub async fn instance_v2(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let c = &state.config;
    let users = profiles::count_profiles(&state.db).await?;
    Ok(Json(json!({
        "domain": c.domain(),
        "title": c.instance_title,
        "version": version(),
        "source_url": c.source_url,
        "description": DESCRIPTION,
        "usage": {"users": {"active_month": users}},
        "thumbnail": {"url": format!("{}/static/avatar.png", c.public_url)},
        "icon": [],
        "languages": ["en"],
        "configuration": configuration(),
        "registrations": {"enabled": c.registrations_open, "approval_required": false, "message": null},
        "api_versions": {"mastodon": 2},
        "contact": {"email": c.contact_email, "account": null},
        "rules": [],
        "credence": {"verification": true, "api": format!("{}/api/v1/credence/openapi.json", c.public_url)},
    })))
}

pub async fn nodeinfo_links(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": format!("{}/nodeinfo/2.0", state.config.public_url),
        }]
    }))
}

pub async fn nodeinfo(State(state): State<AppState>) -> Result<Response, ApiError> {
    let users = profiles::count_profiles(&state.db).await?;
    let body = json!({
        "version": "2.0",
        "software": {"name": "credence", "version": env!("CARGO_PKG_VERSION")},
        // Federation (ActivityPub) is not built yet; the list says so rather than claim it.
        "protocols": [],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": state.config.registrations_open,
        "usage": {"users": {"total": users}, "localPosts": 0},
        "metadata": {"nodeName": state.config.instance_title},
    });
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
        )],
        Json(body),
    )
        .into_response())
}
