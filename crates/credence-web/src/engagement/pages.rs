//! The follow buttons on profile pages and the like, share and bookmark buttons on posts.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::engagement::{self, Interaction};
use credence_core::{profiles, CoreError};

use crate::error::HtmlError;
use crate::extract::{page_id, CsrfOnly, SignedInForm};
use crate::page::safe_next;
use crate::state::AppState;

pub async fn follow(
    state: State<AppState>,
    Path(handle): Path<String>,
    form: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    follow_profile(state, handle, true, form).await
}

pub async fn unfollow(
    state: State<AppState>,
    Path(handle): Path<String>,
    form: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    follow_profile(state, handle, false, form).await
}

async fn follow_profile(
    State(state): State<AppState>,
    handle: String,
    follow: bool,
    SignedInForm { actor, .. }: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    let target = profiles::get_by_handle(&state.core, &handle).await?;
    if follow {
        engagement::follow(&state.core, &actor, target.id).await?;
    } else {
        engagement::unfollow(&state.core, &actor, target.id).await?;
    }
    Ok(Redirect::to(&format!("/@{}", target.handle)).into_response())
}

/// `POST /posts/{id}/{action}`: favourite, boost or bookmark (or take it back), then back to
/// the page the button was on.
pub async fn interact(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    SignedInForm { actor, .. }: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let how = Interaction::parse(&action).ok_or(CoreError::NotFound("page"))?;
    let post = engagement::interact(&state.core, &actor, id, how).await?;
    let shown = post.reblog.as_deref().unwrap_or(&post);
    // Back to where the button was pressed (our own page), else to the post.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| {
            state
                .config
                .public_url
                .starts_with(&format!("{}://{}", u.scheme(), u.authority()))
        })
        .map(|u| {
            format!(
                "{}{}",
                u.path(),
                u.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| format!("/@{}/{}", shown.author.handle, shown.id));
    Ok(Redirect::to(&format!("{}#post-{}", safe_next(&back), shown.id)).into_response())
}
