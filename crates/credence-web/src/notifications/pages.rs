//! The notifications page (reading it marks them read).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use credence_core::notifications;
use credence_core::timelines::{self, Notification};

use crate::error::HtmlError;
use crate::page::{render, Layout};
use crate::session::Ctx;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    l: Layout,
    items: Vec<Notification>,
}

pub async fn notifications(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let items = timelines::notifications(&state.core, actor, None, 80).await?;
    notifications::mark_read(&state.core, actor).await?;
    Ok(render(&NotificationsPage {
        l: Layout::new(&ctx, "Notifications"),
        items,
    }))
}
