//! Accounts as Mastodon shows them (`/api/v1/accounts/:id`, `lookup`), and Credence's own
//! profile endpoints: credentials and disclosures.

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use credence_core::engagement;
use credence_core::kernel::text::no_null;
use credence_core::profiles::{self, AppProfileEdit, Picture, ProfileUpdate};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::entities;
use crate::error::{hide, ApiError};
use crate::extract::{api_id, api_named_id, Bearer, JsonOrForm, MaybeBearer};
use crate::state::AppState;
use crate::uploads;

#[derive(Deserialize)]
pub struct LookupQuery {
    pub acct: Option<String>,
}

/// `GET /api/v1/accounts/lookup?acct=`: `handle`, `@handle` or `handle@this.domain`.
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
    let p = profiles::view(&state.core, viewer.actor(), &handle)
        .await
        .map_err(hide)?;
    Ok(Json(entities::account(&p, &state.config)))
}

/// `GET /api/v1/accounts/:id`
pub async fn account(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = profiles::view_by_id(&state.core, viewer.actor(), api_id(&id)?)
        .await
        .map_err(hide)?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn own_profile(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("read:accounts")?;
    let p = profiles::view_by_id(&state.core, Some(actor), actor.profile_id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: MaybeBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = api_named_id(&id, "profile")?;
    let p = profiles::view_by_id(&state.core, viewer.actor(), id).await?;
    Ok(Json(entities::account(&p, &state.config)))
}

pub async fn update_profile(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(update): JsonOrForm<ProfileUpdate>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let p = profiles::update(&state.core, actor, update)
        .await?
        .profile
        .for_viewer(Some(actor));
    Ok(Json(entities::account(&p, &state.config)))
}

#[derive(Deserialize)]
pub struct DisclosureBody {
    #[serde(default, deserialize_with = "no_null")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub relationship: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub details: Option<String>,
}

pub async fn add_disclosure(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(body): JsonOrForm<DisclosureBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let d = profiles::add_disclosure(
        &state.core,
        actor,
        body.company.as_deref().unwrap_or_default(),
        body.relationship.as_deref().unwrap_or_default(),
        body.details.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(json!({
        "id": d.id.to_string(),
        "company": d.company,
        "relationship": d.relationship,
        "relationship_label": d.relationship_label,
        "details": d.details,
    })))
}

pub async fn remove_disclosure(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let id = api_named_id(&id, "disclosure")?;
    profiles::remove_disclosure(&state.core, actor, id).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct DirectoryParams {
    offset: Option<i64>,
    limit: Option<i64>,
    order: Option<String>,
    /// Credence filters.
    profession: Option<String>,
    specialty: Option<String>,
    verified_only: Option<crate::extract::BoolLike>,
}

/// `GET /api/v1/directory`: professionals and organisations (never members), by recent
/// activity or newest, with Credence's profession, specialty and verified filters.
pub async fn directory(
    State(state): State<AppState>,
    Query(q): Query<DirectoryParams>,
) -> Result<Json<Value>, ApiError> {
    let order = match q.order.as_deref() {
        None | Some("active") => profiles::DirectoryOrder::Active,
        Some("new") => profiles::DirectoryOrder::New,
        Some(other) => {
            return Err(credence_core::CoreError::invalid(
                "order",
                format!("order is active or new, not \"{other}\""),
            )
            .into())
        }
    };
    let query = profiles::DirectoryQuery {
        order,
        profession: q.profession,
        specialty: q.specialty,
        verified_only: crate::extract::is_true(&q.verified_only),
        offset: q.offset.unwrap_or(0),
        limit: q.limit.unwrap_or(40),
    };
    let people = profiles::directory(&state.core, &query).await?;
    Ok(Json(Value::Array(
        people
            .iter()
            .map(|p| entities::account(p, &state.config))
            .collect(),
    )))
}

/// Mastodon's `PATCH /api/v1/accounts/update_credentials` body (form or JSON).
#[derive(Deserialize, Default)]
pub struct CredentialsBody {
    display_name: Option<String>,
    note: Option<String>,
    locked: Option<crate::extract::BoolLike>,
    bot: Option<crate::extract::BoolLike>,
    discoverable: Option<crate::extract::BoolLike>,
    /// JSON: `{"0": {"name": …, "value": …}}` or a list of them.
    fields_attributes: Option<Value>,
    /// Forms: `fields_attributes[0][name]=…&fields_attributes[0][value]=…`, flattened.
    #[serde(flatten)]
    rest: std::collections::HashMap<String, Value>,
}

impl CredentialsBody {
    /// The profile fields given, in order: (name, value).
    fn fields(&self) -> Option<Vec<(String, String)>> {
        let list = crate::extract::attribute_list(
            self.fields_attributes.as_ref(),
            &self.rest,
            "fields_attributes",
        )?;
        let text = |m: &serde_json::Map<String, Value>, key: &str| {
            m.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Some(
            list.iter()
                .map(|m| (text(m, "name"), text(m, "value")))
                .collect(),
        )
    }
}

/// What Credence cannot keep of an update: said, rather than silently dropped.
fn refuse(field: &'static str, message: &str) -> ApiError {
    credence_core::CoreError::invalid(field, message).into()
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// The most an update_credentials body without files may hold: the name, the bio and four
/// links, many times over.
const TEXT_BODY_LIMIT: usize = 256 * 1024;

/// update_credentials' body as JSON or a form, or as multipart with the pictures as files
/// (`avatar`, `header`).
async fn credentials_request(
    state: &AppState,
    request: Request,
) -> Result<(CredentialsBody, Vec<(Picture, uploads::ReceivedFile)>), ApiError> {
    if !is_multipart(&request) {
        // The route takes uploads; a body without files is held in memory, so it keeps the
        // small limit of other requests.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, TEXT_BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "The request is larger than a profile's text can be",
                )
            })?;
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        let JsonOrForm(body) = JsonOrForm::from_request(request, state).await?;
        return Ok((body, Vec::new()));
    }
    let multipart = Multipart::from_request(request, state).await;
    let fields = [Picture::Avatar.field(), Picture::Header.field()];
    let mut form =
        uploads::read_form_with_files(multipart, &state.config.upload_dir, &fields).await?;
    let body = serde_html_form::from_str(&form.texts_encoded()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("the request body could not be read: {e}"),
        )
    })?;
    let pictures = [Picture::Avatar, Picture::Header]
        .into_iter()
        .filter_map(|p| form.take_file(p.field()).map(|file| (p, file)))
        .filter(|(_, file)| !file.is_empty())
        .collect();
    Ok((body, pictures))
}

/// `DELETE /api/v1/profile/avatar` and `/header`: back to the default picture.
pub async fn remove_picture(
    State(state): State<AppState>,
    bearer: Bearer,
    Path(which): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    let which = match which.as_str() {
        "avatar" => Picture::Avatar,
        "header" => Picture::Header,
        _ => return Err(ApiError::not_found()),
    };
    let p = profiles::remove_picture(&state.core, actor, which).await?;
    Ok(Json(entities::credential_account(&p, &state.config)))
}

/// `PATCH /api/v1/accounts/update_credentials`: display name, bio (`note`) and link fields,
/// through the same rules as the profile page (changes to what a badge vouches for reset it);
/// `avatar` and `header` images (multipart); `locked` makes follows requests to approve. Bot
/// accounts and leaving the directory are not available, and say so.
pub async fn update_credentials(
    State(state): State<AppState>,
    bearer: Bearer,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let actor = bearer.user("write:accounts")?;
    // Pictures count as an upload from before the files arrive (at most two at once per
    // account).
    let _in_progress = is_multipart(&request)
        .then(|| state.uploads.begin(actor.profile_id))
        .transpose()?;
    let (body, pictures) = credentials_request(&state, request).await?;
    if let Some(name) = body.rest.keys().find(|k| *k == "avatar" || *k == "header") {
        return Err(refuse(
            if name == "avatar" { "avatar" } else { "header" },
            "Send the picture as a file in a multipart/form-data request",
        ));
    }
    let edit = AppProfileEdit {
        fields: body.fields(),
        display_name: body.display_name,
        note: body.note,
        bot: crate::extract::is_true(&body.bot),
        discoverable: body.discoverable.as_ref().map(|d| d.is_true()),
    };
    let update = edit.into_update()?;
    // The text is checked in full first, and the pictures (each checked as it is stored)
    // before the text is saved: a refused request keeps nothing of either.
    profiles::check_update(&state.core, actor, &update).await?;
    let changed_pictures = !pictures.is_empty();
    if changed_pictures {
        let _turn = state.uploads.processing_slot().await;
        let mut files = Vec::new();
        for (which, file) in pictures {
            files.push((which, file.into_bytes().await?));
        }
        profiles::set_pictures(&state.core, actor, files).await?;
    }
    let edited = profiles::update(&state.core, actor, update).await?;
    if let Some(locked) = &body.locked {
        engagement::set_locked(&state.core, actor, locked.is_true()).await?;
    }
    let p = match (&body.locked, changed_pictures) {
        (None, false) => edited.profile.for_viewer(Some(actor)),
        _ => profiles::view_by_id(&state.core, Some(actor), actor.profile_id).await?,
    };
    Ok(Json(entities::credential_account(&p, &state.config)))
}
