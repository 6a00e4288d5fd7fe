//! Mastodon's instance metadata (`/api/v1/instance`, `/api/v2/instance`), NodeInfo, host-meta
//! and WebFinger, and the OpenAPI document of Credence's own endpoints.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::kernel::clock::rfc3339;
use credence_core::{instance, media, posts, profiles, push};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::extract::{api_id, Bearer};
use crate::state::AppState;

/// The Mastodon API level Credence follows; clients read the leading version number.
pub const MASTODON_COMPAT: &str = "4.3.0";

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
    let users = profiles::count_profiles(&state.core).await?;
    let statuses = posts::count_published(&state.core).await?;
    Ok(Json(json!({
        "uri": c.domain(),
        "title": c.instance_title,
        "short_description": DESCRIPTION,
        "description": DESCRIPTION,
        "email": c.contact_email,
        "version": version(),
        "urls": {},
        // Federation is not built: no other domain is known.
        "stats": {"user_count": users, "status_count": statuses, "domain_count": 0},
        "thumbnail": c.absolute("/static/avatar.png"),
        "languages": ["en"],
        "registrations": state.core.registrations_open,
        "approval_required": false,
        "invites_enabled": false,
        "configuration": configuration(),
        "contact_account": null,
        "rules": rules_json(&state).await?,
    })))
}

fn configuration() -> Value {
    json!({
        "accounts": {"max_featured_tags": credence_core::topics::MAX_FEATURED, "max_pinned_statuses": posts::MAX_PINNED},
        "statuses": {
            "max_characters": posts::MAX_POST_CHARS,
            "max_media_attachments": media::MAX_MEDIA,
            "characters_reserved_per_url": 23
        },
        // Videos are not re-encoded, so there is no frame-rate or size-in-pixels limit (0:
        // clients skip the check).
        "media_attachments": {
            "supported_mime_types": media::supported_mime_types(),
            "image_size_limit": media::largest_image_bytes(),
            "image_matrix_limit": media::largest_image_pixels(),
            "video_size_limit": media::largest_video_bytes(),
            "video_frame_rate_limit": 0, "video_matrix_limit": 0
        },
        "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
        "translation": {"enabled": false},
        "urls": {},
    })
}

pub async fn instance_v2(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let c = &state.config;
    let users = profiles::count_profiles(&state.core).await?;
    let mut configuration = configuration();
    configuration["vapid"] = json!({"public_key": push::public_key(&state.core).await?});
    Ok(Json(json!({
        "domain": c.domain(),
        "title": c.instance_title,
        "version": version(),
        "source_url": c.source_url,
        "description": DESCRIPTION,
        "usage": {"users": {"active_month": users}},
        "thumbnail": {"url": c.absolute("/static/avatar.png")},
        "icon": [],
        "languages": ["en"],
        "configuration": configuration,
        "registrations": {"enabled": state.core.registrations_open, "approval_required": false, "message": null},
        "api_versions": {"mastodon": 2},
        "contact": {"email": c.contact_email, "account": null},
        "rules": rules_json(&state).await?,
        "credence": {"verification": true, "api": c.absolute("/api/v1/credence/openapi.json")},
    })))
}

/// The server's rules as Mastodon's `Rule` entities.
async fn rules_json(state: &AppState) -> Result<Value, ApiError> {
    let rules = instance::rules(&state.core).await?;
    Ok(Value::Array(
        rules
            .iter()
            .map(|r| json!({"id": r.id.to_string(), "text": r.text, "hint": r.hint}))
            .collect(),
    ))
}

/// `GET /api/v1/instance/rules`.
pub async fn rules(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(rules_json(&state).await?))
}

/// `GET /api/v1/announcements`: the operator's announcements running now, with whether the
/// reader dismissed each and the emoji reactions (Unicode emoji: no `url`, as Mastodon).
pub async fn announcements(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let reader = bearer.user("read:accounts")?;
    let list = instance::current(&state.core, reader).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|a| {
                json!({
                    "id": a.id.to_string(),
                    "content": crate::entities::paragraphs(&a.text),
                    "starts_at": null,
                    "ends_at": a.ends_at.map(rfc3339),
                    "all_day": false,
                    "published": true,
                    "published_at": rfc3339(a.published_at),
                    "updated_at": rfc3339(a.updated_at),
                    "read": a.read,
                    "mentions": [], "statuses": [], "tags": [], "emojis": [],
                    "reactions": a.reactions,
                })
            })
            .collect(),
    )))
}

/// `PUT /api/v1/announcements/:id/reactions/:name`: reacts with an emoji.
pub async fn react(
    State(state): State<AppState>,
    bearer: Bearer,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let reader = bearer.user("write:favourites")?;
    instance::react(&state.core, reader, api_id(&id)?, &name).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/announcements/:id/reactions/:name`: takes a reaction back.
pub async fn unreact(
    State(state): State<AppState>,
    bearer: Bearer,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let reader = bearer.user("write:favourites")?;
    instance::unreact(&state.core, reader, api_id(&id)?, &name).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/announcements/:id/dismiss`.
pub async fn dismiss_announcement(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let reader = bearer.user("write:accounts")?;
    instance::dismiss(&state.core, reader, api_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/custom_emojis`: Credence has no custom emoji (clients ask at start).
pub async fn custom_emojis() -> Json<Value> {
    Json(json!([]))
}

pub async fn nodeinfo_links(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": state.config.absolute("/nodeinfo/2.0"),
        }]
    }))
}

/// `GET /.well-known/host-meta` (RFC 6415): where WebFinger is, as XRD (or as JSON, for
/// `host-meta.json`), for clients that look it up before WebFinger.
pub async fn host_meta(State(state): State<AppState>) -> Response {
    let template = state
        .config
        .absolute("/.well-known/webfinger?resource={uri}");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        crate::entities::escape_html(&template)
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

pub async fn host_meta_json(State(state): State<AppState>) -> Response {
    let template = state
        .config
        .absolute("/.well-known/webfinger?resource={uri}");
    let body = json!({"links": [{"rel": "lrdd", "template": template}]});
    jrd(&body)
}

fn jrd(body: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// The handle a WebFinger `resource` names on this server: `acct:handle@domain` (or without
/// `acct:`), or the profile's address. Another server's accounts are not ours to describe.
fn local_handle(resource: &str, config: &crate::state::WebConfig) -> Result<String, ApiError> {
    if let Some(handle) = resource.strip_prefix(&config.absolute("/@")) {
        return Ok(handle.to_string());
    }
    if resource.starts_with("https://") || resource.starts_with("http://") {
        return Err(ApiError::not_found());
    }
    let account = resource.strip_prefix("acct:").unwrap_or(resource);
    let account = account.strip_prefix('@').unwrap_or(account);
    let (handle, domain) = match account.rsplit_once('@') {
        Some((handle, domain)) => (handle, Some(domain)),
        None => (account, None),
    };
    if handle.is_empty() || handle.contains([':', '/', '@']) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The resource must be acct:handle@domain or a profile's address",
        ));
    }
    match domain {
        Some(domain) if !domain.eq_ignore_ascii_case(&config.domain()) => {
            Err(ApiError::not_found())
        }
        _ => Ok(handle.to_string()),
    }
}

/// `GET /.well-known/webfinger?resource=acct:handle@domain` (RFC 7033): a local account's
/// canonical name and its profile page. The ActivityPub `self` link comes with federation,
/// which is not built.
pub async fn webfinger(
    State(state): State<AppState>,
    Query(query): Query<WebfingerQuery>,
) -> Result<Response, ApiError> {
    let resource = query.resource.unwrap_or_default();
    if resource.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The resource parameter is missing (acct:handle@domain)",
        ));
    }
    let handle = local_handle(resource.trim(), &state.config)?;
    let profile = profiles::view(&state.core, None, &handle).await?;
    let page = state.config.absolute(&format!("/@{}", profile.handle));
    Ok(jrd(&json!({
        "subject": format!("acct:{}@{}", profile.handle, state.config.domain()),
        "aliases": [page],
        "links": [{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page}],
    })))
}

pub async fn nodeinfo(State(state): State<AppState>) -> Result<Response, ApiError> {
    let users = profiles::count_profiles(&state.core).await?;
    let local_posts = posts::count_published(&state.core).await?;
    let body = json!({
        "version": "2.0",
        "software": {"name": "credence", "version": env!("CARGO_PKG_VERSION")},
        // Federation (ActivityPub) is not built yet; the list says so rather than claim it.
        "protocols": [],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": state.core.registrations_open,
        "usage": {"users": {"total": users}, "localPosts": local_posts},
        "metadata": {"nodeName": state.config.instance_title},
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
        )],
        Json(body),
    )
        .into_response())
}

/// `GET /api/v1/credence/openapi.json`: the Credence-only endpoints (a test checks that every
/// path it documents is routed).
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
