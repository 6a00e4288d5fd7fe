//! Profile pages: the public view, the owner's settings, disclosures, and switching between a
//! login's personal and professional profiles.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::accounts;
use credence_core::kernel::clock::rfc3339;
use credence_core::profiles::{
    self, Profile, ProfileUpdate, ORG_KINDS, PROFESSIONS, RELATIONSHIPS,
};
use credence_core::CoreError;
use serde::Deserialize;

use crate::error::{public_message, status_of, HtmlError};
use crate::extract::{csrf_field, page_id, CsrfOnly, SignedInForm};
use crate::page::{render, Card, FeedQuery, FollowButton, Layout, NoticeQuery};
use crate::session::Ctx;
use crate::state::AppState;
use crate::timelines;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    l: Layout,
    p: Profile,
    is_owner: bool,
    verified_on: Option<String>,
    posts: Vec<Card>,
    next: Option<String>,
    follow: Option<FollowButton>,
    counts: profiles::Stats,
    signed_in: bool,
    /// A verified profile with this unverified one's name.
    namesake: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    if let Some(handle) = handle.strip_suffix(".atom") {
        return timelines::profile_atom(&state, handle).await;
    }
    let p = profiles::view(&state.core, ctx.actor(), &handle).await?;
    let is_owner = ctx.actor().is_some_and(|a| a.profile_id == p.id);
    let (posts, next, follow) = timelines::profile_feed(&state, &ctx, &p, &q.page()).await?;
    let counts = p.stats.unwrap_or_default();
    let namesake = profiles::verified_namesake(&state.core, &p).await?;
    Ok(render(&ProfilePage {
        namesake,
        posts,
        next,
        follow,
        counts,
        signed_in: ctx.actor().is_some(),
        l: Layout::new(&ctx, p.display_name.clone()),
        verified_on: p
            .verified_at
            .filter(|_| p.is_verified())
            .map(|ms| rfc3339(ms)[..10].to_string()),
        is_owner,
        p,
    }))
}

#[derive(Template)]
#[template(path = "profile_edit.html")]
struct EditPage {
    l: Layout,
    p: Profile,
    error: Option<String>,
    mine: Vec<Profile>,
    can_add_personal: bool,
    professions: &'static [(&'static str, &'static str)],
    org_kinds: &'static [(&'static str, &'static str)],
    relationships: &'static [(&'static str, &'static str)],
}

async fn edit_page_with(
    state: &AppState,
    ctx: &Ctx,
    notice: Option<&str>,
    error: Option<String>,
    shown: Option<Profile>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let stored = profiles::get(&state.core, actor.profile_id).await?;
    let mine = profiles::for_user(&state.core, actor.user_id).await?;
    let can_add_personal = profiles::may_add_personal(&mine);
    Ok(render(&EditPage {
        l: Layout::new(ctx, "Profile settings").with_notice(notice),
        p: shown.unwrap_or(stored),
        error,
        mine,
        can_add_personal,
        professions: PROFESSIONS,
        org_kinds: ORG_KINDS,
        relationships: RELATIONSHIPS,
    }))
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    edit_page_with(&state, &ctx, q.notice.as_deref(), None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    pub csrf: String,
    #[serde(flatten)]
    pub update: ProfileUpdate,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisclosureForm {
    pub csrf: String,
    pub company: String,
    pub relationship: String,
    pub details: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonalForm {
    pub csrf: String,
    pub handle: String,
    pub display_name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchForm {
    pub csrf: String,
    pub profile_id: i64,
}

csrf_field!(ProfileForm, DisclosureForm, PersonalForm, SwitchForm);

pub async fn save(
    State(state): State<AppState>,
    SignedInForm { ctx, actor, form }: SignedInForm<ProfileForm>,
) -> Result<Response, HtmlError> {
    match profiles::update(&state.core, &actor, form.update.clone()).await {
        Ok(edited) => {
            let key = if edited.verification_reset {
                "reset"
            } else {
                "saved"
            };
            Ok(Redirect::to(&format!("/settings/profile?notice={key}")).into_response())
        }
        Err(e @ CoreError::Invalid { .. }) => {
            // Show the form again with what the person typed, so nothing is lost.
            let mut shown = profiles::get(&state.core, actor.profile_id).await?;
            let u = &form.update;
            let text = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
            shown.display_name = u.display_name.clone().unwrap_or(shown.display_name);
            shown.bio = u.bio.clone().unwrap_or(shown.bio);
            shown.specialty = text(&u.specialty);
            shown.credentials = text(&u.credentials);
            shown.licence_number = text(&u.licence_number);
            shown.licence_jurisdiction = text(&u.licence_jurisdiction);
            shown.npi = text(&u.npi);
            let page =
                edit_page_with(&state, &ctx, None, Some(public_message(&e)), Some(shown)).await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Shows the settings page again with a refused change's error, with that error's status.
async fn refused(state: &AppState, ctx: &Ctx, e: &CoreError) -> Result<Response, HtmlError> {
    let page = edit_page_with(state, ctx, None, Some(public_message(e)), None).await?;
    Ok((status_of(e), page).into_response())
}

pub async fn add_disclosure(
    State(state): State<AppState>,
    SignedInForm { ctx, actor, form }: SignedInForm<DisclosureForm>,
) -> Result<Response, HtmlError> {
    match profiles::add_disclosure(
        &state.core,
        &actor,
        &form.company,
        &form.relationship,
        &form.details,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/settings/profile?notice=disclosure_added").into_response()),
        Err(e @ CoreError::Invalid { .. }) => refused(&state, &ctx, &e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_disclosure(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, .. }: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "disclosure")?;
    profiles::remove_disclosure(&state.core, &actor, id).await?;
    Ok(Redirect::to("/settings/profile?notice=disclosure_removed").into_response())
}

pub async fn create_personal(
    State(state): State<AppState>,
    SignedInForm { ctx, actor, form }: SignedInForm<PersonalForm>,
) -> Result<Response, HtmlError> {
    match profiles::create_personal_profile(&state.core, &actor, &form.handle, &form.display_name)
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/profile?notice=personal").into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::Conflict { .. })) => {
            refused(&state, &ctx, &e).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn switch(
    State(state): State<AppState>,
    SignedInForm { ctx, form, .. }: SignedInForm<SwitchForm>,
) -> Result<Response, HtmlError> {
    let session = ctx
        .session
        .as_ref()
        .ok_or_else(HtmlError::sign_in_required)?;
    accounts::switch_profile(&state.core, session, form.profile_id).await?;
    Ok(Redirect::to("/settings/profile?notice=switched").into_response())
}
