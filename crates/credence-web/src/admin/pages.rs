//! The administrators' page: accounts and their roles, and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::admin;
use credence_core::kernel::clock::rfc3339;
use credence_core::profiles::Profile;
use credence_core::Role;
use serde::Deserialize;

use crate::error::HtmlError;
use crate::extract::{csrf_field, page_id, SignedInForm};
use crate::page::{render, Layout, NoticeQuery};
use crate::session::Ctx;
use crate::state::AppState;

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
    let users = admin::accounts(&state.core, actor, SHOWN)
        .await?
        .into_iter()
        .map(|row| UserRow {
            id: row.user.id,
            role_options: Role::ALL
                .iter()
                .map(|r| (r.as_str(), *r == row.user.role))
                .collect(),
            joined: rfc3339(row.user.created_at)[..10].to_string(),
            email: row.user.email,
            profiles: row.profiles,
        })
        .collect();
    let audit = admin::audit_log(&state.core, actor, 200)
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

csrf_field!(RoleForm);

pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, form, .. }: SignedInForm<RoleForm>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "account")?;
    let role: Role = form.role.parse()?;
    admin::set_role(&state.core, &actor, id, role).await?;
    Ok(Redirect::to("/admin?notice=role").into_response())
}
