//! What handlers take from a request, parsed once for every capability: the API's Bearer
//! token, bodies as JSON or forms, Mastodon's loose booleans, form posts with their CSRF token
//! checked, and ids from paths.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use credence_core::accounts;
use credence_core::kernel::actor::TokenInfo;
use credence_core::{Actor, CoreError};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, HtmlError};
use crate::session::Ctx;
use crate::state::AppState;

/// Uploads: the largest video `credence-media` accepts, plus multipart overhead.
pub const MAX_UPLOAD_BYTES: usize = 101 * 1024 * 1024;
/// Statuses: an article of 100,000 characters in UTF-8, with room for citations.
pub const MAX_ARTICLE_BYTES: usize = 1024 * 1024;

/// A request with a valid Bearer token (a person's or an app's).
pub struct Bearer(pub TokenInfo);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        accounts::token_info(&state.core, token)
            .await?
            .map(Bearer)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The Bearer token of a request's `Authorization` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

impl Bearer {
    /// The person behind the token, who must have granted `scope` (`read`, `write`, …).
    pub fn user(&self, scope: &str) -> Result<&Actor, ApiError> {
        let actor = self.0.actor.as_ref().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_user",
                "This method requires an authenticated user",
            )
        })?;
        self.require_scope(scope)?;
        Ok(actor)
    }

    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        if self.0.grants(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "scope",
                format!("This action is outside the authorized scopes (needs {scope})"),
            ))
        }
    }
}

/// An optional Bearer token: public endpoints show more to some viewers (reviewers see licences).
pub struct MaybeBearer(pub Option<TokenInfo>);

impl FromRequestParts<AppState> for MaybeBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            Ok(MaybeBearer(Some(
                Bearer::from_request_parts(parts, state).await?.0,
            )))
        } else {
            Ok(MaybeBearer(None))
        }
    }
}

impl MaybeBearer {
    /// The viewer for elevated views: the token's person only if the token grants
    /// `read:accounts` (see `TokenInfo::viewer`); otherwise the caller is anonymous.
    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref().and_then(TokenInfo::viewer)
    }

    /// The reader behind a token that may read statuses (else anonymous).
    pub fn reader(&self) -> Option<&Actor> {
        self.0.as_ref().and_then(TokenInfo::reader)
    }
}

/// Parses JSON, URL-encoded and multipart form bodies alike, as Mastodon does (apps send any
/// of them: masto.js sends the OAuth token request as multipart).
pub struct JsonOrForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonOrForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is_json = content_type.starts_with("application/json");
        let bad = |e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e);
        if content_type.starts_with("multipart/form-data") {
            let fields = multipart_text_fields(req, state).await?;
            let v = serde_html_form::from_str::<T>(&fields)
                .map_err(|e| bad(format!("the request body could not be read: {e}")))?;
            return Ok(JsonOrForm(v));
        }
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

/// Booleans arrive as `true`, `"true"`, `"1"` or `"on"` depending on the client.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum BoolLike {
    Bool(bool),
    Text(String),
}

impl BoolLike {
    pub fn is_true(&self) -> bool {
        match self {
            BoolLike::Bool(b) => *b,
            BoolLike::Text(t) => matches!(t.as_str(), "true" | "1" | "on" | "yes"),
        }
    }
}

/// Whether an optional Mastodon boolean was sent as true.
pub fn is_true(value: &Option<BoolLike>) -> bool {
    value.as_ref().is_some_and(BoolLike::is_true)
}

/// A page form that carries the CSRF token every form on our pages has (field `csrf`).
pub trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// Implements [`WithCsrf`] for form structs whose token is their `csrf` field.
macro_rules! csrf_field {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::extract::WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use csrf_field;

/// A form with nothing but its CSRF token (sign out, follow, delete, …).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

csrf_field!(CsrfOnly);

/// A form posted by a signed-in person, with its CSRF token checked against their session.
/// Signed out: a redirect to the sign-in page, before anything else is looked at; a missing or
/// forged token: 403, and nothing changes.
pub struct SignedInForm<T> {
    pub ctx: Ctx,
    pub actor: Actor,
    pub form: T,
}

impl<T: DeserializeOwned + WithCsrf + Send> FromRequest<AppState> for SignedInForm<T> {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HtmlError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let actor = ctx.require()?.clone();
        let form = read_form::<T>(Request::from_parts(parts, body), state).await?;
        ctx.check_csrf(form.csrf())?;
        Ok(SignedInForm { ctx, actor, form })
    }
}

/// A form posted before signing in (sign-up, sign-in), its CSRF token checked against the
/// browser's `credence_csrf` cookie.
pub struct PublicForm<T> {
    pub ctx: Ctx,
    pub form: T,
}

impl<T: DeserializeOwned + WithCsrf + Send> FromRequest<AppState> for PublicForm<T> {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HtmlError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let form = read_form::<T>(Request::from_parts(parts, body), state).await?;
        ctx.check_csrf(form.csrf())?;
        Ok(PublicForm { ctx, form })
    }
}

async fn read_form<T: DeserializeOwned>(req: Request, state: &AppState) -> Result<T, HtmlError> {
    let Form(form) = Form::<T>::from_request(req, state)
        .await
        .map_err(|e| HtmlError::new(e.status(), e.body_text()))?;
    Ok(form)
}

/// A numeric id from a page's path. Parsed here rather than with `Path<i64>`, whose rejection is
/// a plain-text 400: a malformed id is just a `what` that does not exist (404).
pub fn page_id(raw: &str, what: &'static str) -> Result<i64, HtmlError> {
    named_id(raw, what)
}

/// [`page_id`] for the API, whose 404 names what was looked for: "that profile does not exist".
pub fn api_named_id(raw: &str, what: &'static str) -> Result<i64, ApiError> {
    named_id(raw, what)
}

fn named_id<E: From<CoreError>>(raw: &str, what: &'static str) -> Result<i64, E> {
    raw.parse().map_err(|_| E::from(CoreError::NotFound(what)))
}

/// A numeric id from an API path: a malformed one is a record that does not exist (404).
pub fn api_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// A list of objects as Mastodon clients send `name` (`fields_attributes`,
/// `keywords_attributes`): a JSON array, a JSON object keyed by index, or form keys
/// `name[0][key]=…` (and `name[][key]=…`: the n-th value of each key makes the n-th entry),
/// which a flattened map (`rest`) holds. In the order given.
pub fn attribute_list(
    json: Option<&serde_json::Value>,
    rest: &std::collections::HashMap<String, serde_json::Value>,
    name: &str,
) -> Option<Vec<serde_json::Map<String, serde_json::Value>>> {
    use serde_json::Value;
    let objects = |list: Vec<&Value>| -> Vec<serde_json::Map<String, Value>> {
        list.into_iter()
            .filter_map(|v| v.as_object().cloned())
            .collect()
    };
    match json {
        Some(Value::Array(list)) => return Some(objects(list.iter().collect())),
        Some(Value::Object(map)) => {
            let mut keyed: Vec<(&String, &Value)> = map.iter().collect();
            keyed.sort_by_key(|(k, _)| k.parse::<usize>().unwrap_or(usize::MAX));
            return Some(objects(keyed.into_iter().map(|(_, v)| v).collect()));
        }
        _ => {}
    }
    let prefix = format!("{name}[");
    let mut indexed: std::collections::BTreeMap<usize, serde_json::Map<String, Value>> =
        Default::default();
    for (key, value) in rest {
        let Some(inner) = key.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, field)) = inner.split_once("][") else {
            continue;
        };
        let field = field.trim_end_matches(']').to_string();
        if index.is_empty() {
            // `name[][field]`: the n-th value of each field belongs to the n-th entry.
            let values = match value {
                Value::Array(values) => values.clone(),
                one => vec![one.clone()],
            };
            for (position, v) in values.into_iter().enumerate() {
                indexed
                    .entry(position)
                    .or_default()
                    .insert(field.clone(), v);
            }
            continue;
        }
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        indexed
            .entry(index)
            .or_default()
            .insert(field, value.clone());
    }
    (!indexed.is_empty()).then(|| indexed.into_values().collect())
}

/// A multipart body's text fields as one URL-encoded form, in order (files have no place in
/// the bodies this reads: a field with a file name is refused).
async fn multipart_text_fields<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<String, ApiError> {
    let bad = |e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e);
    let mut multipart = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(format!("the request body could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() {
            return Err(bad(format!("{name} cannot be a file here")));
        }
        let value = field
            .text()
            .await
            .map_err(|e| bad(format!("the request body could not be read: {e}")))?;
        pairs.push((name, value));
    }
    Ok(url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish())
}
