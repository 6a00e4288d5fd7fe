//! The verification page (a professional asks to be verified) and the review queue (moderators
//! and administrators decide).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::profiles::{self, Profile};
use credence_core::verification::{self, Decision, VerificationRequest};
use credence_core::CoreError;
use serde::Deserialize;

use crate::error::{public_message, status_of, HtmlError};
use crate::extract::{csrf_field, page_id, SignedInForm};
use crate::page::{render, Layout, NoticeQuery};
use crate::session::Ctx;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "verification.html")]
struct VerificationPage {
    l: Layout,
    p: Profile,
    request: Option<VerificationRequest>,
    error: Option<String>,
}

async fn verification_with(
    state: &AppState,
    ctx: &Ctx,
    notice: Option<&str>,
    error: Option<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let p = profiles::get(&state.core, actor.profile_id).await?;
    let request = verification::latest_request(&state.core, actor, p.id).await?;
    Ok(render(&VerificationPage {
        l: Layout::new(ctx, "Verification").with_notice(notice),
        p,
        request,
        error,
    }))
}

pub async fn verification_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    verification_with(&state, &ctx, q.notice.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    pub csrf: String,
    pub note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    pub csrf: String,
    pub decision: String,
    pub reason: String,
}

csrf_field!(SubmitForm, DecisionForm);

pub async fn submit(
    State(state): State<AppState>,
    SignedInForm { ctx, actor, form }: SignedInForm<SubmitForm>,
) -> Result<Response, HtmlError> {
    match verification::submit(&state.core, &actor, &form.note).await {
        Ok(_) => Ok(Redirect::to("/verification?notice=submitted").into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let page = verification_with(&state, &ctx, None, Some(public_message(&e))).await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    l: Layout,
    queue: Vec<VerificationRequest>,
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let queue = verification::review_queue(&state.core, actor).await?;
    Ok(render(&ReviewPage {
        l: Layout::new(&ctx, "Review queue").with_notice(q.notice.as_deref()),
        queue,
    }))
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, form, .. }: SignedInForm<DecisionForm>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "verification request")?;
    let decision = Decision::parse(&form.decision, form.reason)?;
    verification::decide(&state.core, &actor, id, decision).await?;
    Ok(Redirect::to("/review?notice=decided").into_response())
}
