//! Server-rendered pages (askama). Every form works without JavaScript and carries a CSRF token;
//! every page shares one layout with landmarks and a skip link.

mod account;
mod oauth;
mod posts;
mod profile;
mod review;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use credence_core::profiles::{self, Profile};
use credence_core::CoreError;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{render, HtmlError};
use crate::session::Ctx;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/static/style.css", get(stylesheet))
        .route("/static/avatar.png", get(avatar))
        .route("/static/header.png", get(header_image))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/signin", get(account::signin_page).post(account::signin))
        .route("/signout", post(account::signout))
        .route(
            "/settings/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/@{handle}", get(profile::view))
        .route("/@{handle}/{id}", get(posts::show))
        .route("/@{handle}/follow", post(posts::follow_profile_follow))
        .route("/@{handle}/unfollow", post(posts::follow_profile_unfollow))
        .route("/home", get(posts::home))
        .route("/explore", get(posts::explore))
        .route("/topics", get(posts::topic_list))
        .route("/topics/{slug}", get(posts::topic))
        .route("/topics/{slug}/{action}", post(posts::follow_topic))
        .route(
            "/compose",
            get(posts::compose_form)
                .post(posts::compose)
                .layer(DefaultBodyLimit::max(crate::api::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/compose/check",
            post(posts::check).layer(DefaultBodyLimit::max(crate::api::MAX_ARTICLE_BYTES)),
        )
        .route("/static/compose.js", get(posts::compose_js))
        .route(
            "/posts/{id}/edit",
            get(posts::edit_form)
                .post(posts::edit)
                .layer(DefaultBodyLimit::max(crate::api::MAX_UPLOAD_BYTES)),
        )
        .route("/posts/{id}/delete", post(posts::delete))
        .route("/posts/{id}/reply", post(posts::reply))
        .route("/posts/{id}/review", post(posts::review))
        .route("/posts/{id}/coauthor", post(posts::coauthor))
        .route("/posts/{id}/{action}", post(posts::interact))
        .route("/notifications", get(posts::notifications))
        .route("/drafts", get(posts::drafts))
        .route("/search", get(posts::search_page))
        .route(
            "/settings/profile",
            get(profile::edit_page).post(profile::save),
        )
        .route("/settings/disclosures", post(profile::add_disclosure))
        .route(
            "/settings/disclosures/{id}/delete",
            post(profile::remove_disclosure),
        )
        .route("/settings/personal-profile", post(profile::create_personal))
        .route("/settings/switch", post(profile::switch))
        .route(
            "/verification",
            get(review::verification_page).post(review::submit_verification),
        )
        .route("/review", get(review::queue))
        .route("/review/{id}", post(review::decide))
        .route("/admin", get(review::admin))
        .route("/admin/users/{id}/role", post(review::change_role))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize).layer(
                SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(crate::AUTHORIZE_CSP),
                ),
            ),
        )
}

/// A numeric id from the path. Parsed here rather than with `Path<i64>`, whose rejection is a
/// plain-text 400: a malformed id is just a page that does not exist.
pub fn path_id(raw: &str, what: &'static str) -> Result<i64, HtmlError> {
    raw.parse()
        .map_err(|_| HtmlError::from(CoreError::NotFound(what)))
}

/// What the layout shows about the signed-in person: the acting profile (its handle and badge
/// in the navigation bar) and which staff links to offer.
pub struct Me {
    pub profile: Profile,
    pub can_review: bool,
    pub is_admin: bool,
}

pub struct Layout {
    pub title: String,
    pub csrf: String,
    pub me: Option<Me>,
    pub notice: Option<&'static str>,
    pub source_url: String,
}

impl Layout {
    pub fn new(ctx: &Ctx, title: impl Into<String>) -> Layout {
        let me = match (ctx.actor(), &ctx.profile) {
            (Some(actor), Some(profile)) => Some(Me {
                profile: profile.clone(),
                can_review: actor.role.can_review(),
                is_admin: actor.role == credence_core::accounts::Role::Admin,
            }),
            _ => None,
        };
        Layout {
            title: title.into(),
            csrf: ctx.csrf.clone(),
            me,
            notice: None,
            source_url: ctx.source_url.clone(),
        }
    }

    pub fn with_notice(mut self, key: Option<&str>) -> Layout {
        self.notice = key.and_then(notice_text);
        self
    }
}

/// Messages shown after a redirect, chosen by key so no arbitrary text is reflected.
fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "welcome" => "Welcome to Credence! Complete your profile, then ask for verification.",
        "welcome_member" => "Welcome to Credence!",
        "saved" => "Your profile was saved.",
        "reset" => {
            "Your profile was saved. Because a detail the badge vouches for changed (name, \
             credentials, specialty or affiliations), it must be verified again."
        }
        "submitted" => "Your verification request was sent to the reviewers.",
        "decided" => "The decision was recorded.",
        "password" => "Your password was changed. Other sessions were signed out.",
        "role" => "The role was changed.",
        "disclosure_added" => "The disclosure was added to your profile.",
        "disclosure_removed" => "The disclosure was removed.",
        "switched" => "You are now acting as another of your profiles.",
        "personal" => "Your personal profile was created. Switch to it below.",
        "signed_out" => "You have signed out.",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    directory: Vec<Profile>,
}

async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HtmlError> {
    let directory = profiles::verified_directory(&state.db, 60).await?;
    Ok(render(&HomePage {
        l: Layout::new(&ctx, "Trusted health information").with_notice(q.notice.as_deref()),
        directory,
    }))
}

async fn stylesheet() -> Response {
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
async fn avatar() -> Response {
    png(include_bytes!("../../static/avatar.png"))
}

/// The default profile header, likewise (made by `scripts/make-header-png.py`).
async fn header_image() -> Response {
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

/// A local path to return to after signing in; anything else becomes "/".
///
/// Browsers are lenient with URLs: they drop tabs and newlines and read `\` as `/`, so
/// `/<tab>/evil.example` or `/\evil.example` would take the person to `//evil.example`, another
/// site. Only a plain path is accepted: one leading `/` not followed by another, and nothing but
/// visible ASCII other than `\` (no whitespace or control characters anywhere). Our own links
/// percent-encode everything else, and a raw non-ASCII byte could not go in the `Location`
/// header anyway.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if local {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_be_a_local_path() {
        for ok in [
            "/",
            "/settings/profile",
            "/oauth/authorize?client_id=a&scope=read",
        ] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\tevil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\\/evil.example",
            "/ /evil.example",
            "/path\\..\\x",
            "/\u{0}x",
            "/\u{a0}/evil.example",
            "/caf\u{e9}",
            "evil.example",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
