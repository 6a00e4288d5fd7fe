//! The notifications page (reading it marks them read, for the apps too).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use credence_core::notifications::{markers, Selection, Timeline, Window};
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
    let window = Window {
        limit: 80,
        ..Window::default()
    };
    let items =
        timelines::notifications(&state.core, actor, &window, &Selection::default()).await?;
    // Reading the page moves the shared read marker (the apps' `notifications` marker) to the
    // newest one shown; it never moves back.
    if let Some(newest) = items.first() {
        markers::advance(&state.core, actor, Timeline::Notifications, newest.id).await?;
    }
    Ok(render(&NotificationsPage {
        l: Layout::new(&ctx, "Notifications"),
        items,
    }))
}
