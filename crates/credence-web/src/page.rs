//! What every page shares: the layout (navigation, notices, the footer's source link), post
//! cards and feed pages, and rendering a template. Every form works without JavaScript and
//! carries a CSRF token; every page has landmarks and a skip link.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use credence_core::kernel::clock::rfc3339;
use credence_core::posts::{Post, PostRef};
use credence_core::profiles::Profile;
use credence_core::timelines::Page;
use serde::Deserialize;

use crate::error::error_page;
use crate::session::Ctx;

/// Renders a page; a template that fails (a bug of ours) is logged and shown as a 500 page.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a template");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown",
            )
        }
    }
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
                is_admin: actor.is_admin(),
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

/// One post as a card: what to show (the original, for a boost) and who shared it.
pub struct Card {
    pub p: Post,
    pub boosted_by: Option<Profile>,
    pub url: String,
    pub when: String,
    pub iso: String,
    pub mine: bool,
}

pub fn cards(posts: Vec<Post>, ctx: &Ctx) -> Vec<Card> {
    let me = ctx.actor().map(|a| a.profile_id);
    posts
        .into_iter()
        .map(|post| {
            let (p, boosted_by) = match post.reblog {
                Some(original) => (*original, Some(post.author)),
                None => (post, None),
            };
            let iso = rfc3339(p.shown_at());
            Card {
                url: format!("/@{}/{}", p.author.handle, p.id),
                when: format!("{} {} UTC", &iso[..10], &iso[11..16]),
                iso,
                mine: me == Some(p.author.id),
                boosted_by,
                p,
            }
        })
        .collect()
}

/// The kinds of post a person picks from (compose and search forms).
pub const KINDS: &[(&str, &str)] = &[
    ("post", "Post"),
    ("article", "Article"),
    ("research_update", "Research update"),
    ("tip", "Health tip"),
];

pub struct FollowButton {
    pub action: String,
    pub label: String,
    pub following: bool,
}

impl FollowButton {
    /// The button on the page at `base` (`/@handle`, `/topics/slug`): it posts to
    /// `{base}/follow` or `{base}/unfollow`, and says `follow_label` until followed.
    pub fn new(base: &str, following: bool, follow_label: String) -> FollowButton {
        let (action, label) = if following {
            ("unfollow", "Following ✓ (unfollow)".to_string())
        } else {
            ("follow", follow_label)
        };
        FollowButton {
            action: format!("{base}/{action}"),
            label,
            following,
        }
    }
}

#[derive(Template)]
#[template(path = "feed.html")]
pub struct FeedPage {
    pub l: Layout,
    pub heading: String,
    pub intro: Option<String>,
    pub posts: Vec<Card>,
    pub next: Option<String>,
    pub atom: Option<String>,
    pub empty: &'static str,
    pub signed_in: bool,
    pub follow: Option<FollowButton>,
}

#[derive(Deserialize, Default)]
pub struct FeedQuery {
    pub max_id: Option<String>,
    pub after: Option<String>,
}

impl FeedQuery {
    pub fn page(&self) -> Page {
        Page {
            max_id: self.max_id.as_deref().and_then(|s| s.parse().ok()),
            ..Page::default()
        }
    }
}

/// The link to the next page when this one (asked for as `page`) was full. Counted on the page
/// query's refs: posts left out after it (a boost of a post the viewer cannot read) do not end
/// the feed early.
pub fn next_link(base: &str, refs: &[PostRef], page: &Page) -> Option<String> {
    let last = refs.last()?;
    (refs.len() as i64 >= page.limit()).then(|| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}max_id={}", last.id)
    })
}

/// A feed page of `posts` headed `heading`, with nothing else set yet.
pub fn feed_page(ctx: &Ctx, heading: impl Into<String>, posts: Vec<Post>) -> FeedPage {
    let heading = heading.into();
    FeedPage {
        l: Layout::new(ctx, heading.clone()),
        heading,
        intro: None,
        posts: cards(posts, ctx),
        next: None,
        atom: None,
        empty: "No posts yet.",
        signed_in: ctx.actor().is_some(),
        follow: None,
    }
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
