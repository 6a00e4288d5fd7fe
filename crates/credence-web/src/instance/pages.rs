//! The front page and the site's static files.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use credence_core::profiles::{self, Profile};

use crate::error::HtmlError;
use crate::page::{render, Layout, NoticeQuery};
use crate::session::Ctx;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    directory: Vec<Profile>,
}

pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    let directory = profiles::verified_directory(&state.core, 60).await?;
    Ok(render(&HomePage {
        l: Layout::new(&ctx, "Trusted health information").with_notice(q.notice.as_deref()),
        directory,
    }))
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// The default avatar that Mastodon clients are given (they expect a raster image).
pub async fn avatar() -> Response {
    png(include_bytes!("../../static/avatar.png"))
}

/// The default profile header, likewise (made by `scripts/make-header-png.py`).
pub async fn header_image() -> Response {
    png(include_bytes!("../../static/header.png"))
}

fn png(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}
