//! Mastodon's account sign-up from an app and `verify_credentials`.

use axum::extract::State;
use axum::Json;
use credence_core::accounts::{self, NewAccount};
use credence_core::oauth::{self, IssuedToken};
use credence_core::{profiles, CoreError};
use serde::Deserialize;
use serde_json::Value;

use crate::entities;
use crate::error::ApiError;
use crate::extract::{is_true, Bearer, BoolLike, JsonOrForm};
use crate::state::AppState;

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

/// `POST /api/v1/accounts`: sign-up from an app, authorised by the app's own token (the rule
/// is `oauth::sign_up`'s).
pub async fn register(
    State(state): State<AppState>,
    bearer: Bearer,
    JsonOrForm(form): JsonOrForm<RegisterForm>,
) -> Result<Json<IssuedToken>, ApiError> {
    if !is_true(&form.agreement) {
        return Err(CoreError::invalid(
            "agreement",
            "you must accept the server rules (agreement=true)",
        )
        .into());
    }
    let role = accounts::joining_role(
        "credence_role",
        form.credence_role.as_deref().unwrap_or_default(),
    )?;
    let handle = form.username.unwrap_or_default();
    let issued = oauth::sign_up(
        &state.core,
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

/// `GET /api/v1/accounts/verify_credentials`: who the token acts as.
pub async fn verify_credentials(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Value>, ApiError> {
    let actor = match bearer.0.identified() {
        Some(actor) => actor,
        // Says why not: no person behind the token, or a scope that does not name them.
        None => bearer.user("read:accounts")?,
    };
    // A `profile`-only token identifies the person but does not read their private data: the
    // licence number shows only through a token that grants `read:accounts`.
    let p = profiles::view_by_id(&state.core, bearer.0.viewer(), actor.profile_id).await?;
    Ok(Json(entities::credential_account(&p, &state.config)))
}

/// `GET /api/v1/preferences`: Credence has no per-person posting or reading defaults, so these
/// are the ones every account has (posts are public unless chosen otherwise, media are shown
/// as their sensitivity says, content warnings are folded).
pub async fn preferences(bearer: Bearer) -> Result<Json<Value>, ApiError> {
    bearer.user("read:accounts")?;
    Ok(Json(serde_json::json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "posting:default:quote_policy": "nobody",
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
        "reading:autoplay:gifs": false,
    })))
}
