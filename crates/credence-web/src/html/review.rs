//! Verification: the applicant's page, the reviewers' queue, and the admin page with the
//! accounts list and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use credence_core::accounts::{self, Role};
use credence_core::db::rfc3339;
use credence_core::profiles::{self, Decision, Profile, VerificationRequest};
use credence_core::{audit, CoreError};
use serde::Deserialize;

use super::{path_id, Layout, NoticeQuery};
use crate::error::{public_message, render, status_of, HtmlError};
use crate::session::Ctx;
use crate::AppState;

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
    let p = profiles::get(&state.db, actor.profile_id).await?;
    let request = profiles::latest_request(&state.db, actor, p.id).await?;
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

pub async fn submit_verification(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SubmitForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    match profiles::submit_verification(&state.db, actor, &form.note).await {
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
    let queue = profiles::review_queue(&state.db, actor).await?;
    Ok(render(&ReviewPage {
        l: Layout::new(&ctx, "Review queue").with_notice(q.notice.as_deref()),
        queue,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    pub csrf: String,
    pub decision: String,
    pub reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "verification request")?;
    let decision = match form.decision.as_str() {
        "verify" => Decision::Verify,
        "reject" => Decision::Reject {
            reason: form.reason.clone(),
        },
        _ => {
            return Err(HtmlError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "choose verify or reject",
            ))
        }
    };
    profiles::decide(&state.db, actor, id, decision).await?;
    Ok(Redirect::to("/review?notice=decided").into_response())
}

pub struct UserRow {
    pub id: i64,
    pub email: String,
    /// The login's profiles, each shown with its badge (staff see both of a login's profiles).
    pub profiles: Vec<Profile>,
    /// Every role, and whether it is this login's.
    pub role_options: Vec<(&'static str, bool)>,
    pub joined: String,
}

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    l: Layout,
    users: Vec<UserRow>,
    audit: Vec<AuditRow>,
}

pub async fn admin(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    const SHOWN: i64 = 500;
    let actor = ctx.require()?;
    // The core refuses anyone but an administrator before anything else is read.
    let listed = accounts::list_users(&state.db, actor, SHOWN).await?;
    let mut by_user: std::collections::HashMap<i64, Vec<Profile>> =
        std::collections::HashMap::new();
    for p in profiles::for_newest_users(&state.db, SHOWN).await? {
        by_user
            .entry(p.user_id)
            .or_default()
            .push(p.for_viewer(None));
    }
    let mut users = Vec::new();
    for u in listed {
        let profiles = by_user.remove(&u.id).unwrap_or_default();
        users.push(UserRow {
            id: u.id,
            email: u.email,
            profiles,
            role_options: Role::ALL
                .iter()
                .map(|r| (r.as_str(), *r == u.role))
                .collect(),
            joined: rfc3339(u.created_at)[..10].to_string(),
        });
    }
    let audit = audit::recent(&state.db, None, 200)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            when: rfc3339(e.at)[..19].replace('T', " "),
            who: e
                .actor_handle
                .map(|h| format!("@{h}"))
                .unwrap_or_else(|| "operator".into()),
            action: e.action,
            subject: format!(
                "{} {}",
                e.subject_type,
                e.subject_id.map(|i| i.to_string()).unwrap_or_default()
            ),
            detail: e.detail,
        })
        .collect();
    Ok(render(&AdminPage {
        l: Layout::new(&ctx, "Administration").with_notice(q.notice.as_deref()),
        users,
        audit,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    pub csrf: String,
    pub role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "account")?;
    let role: Role = form.role.parse()?;
    accounts::set_role(&state.db, actor, id, role).await?;
    Ok(Redirect::to("/admin?notice=role").into_response())
}
