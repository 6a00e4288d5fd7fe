//! Atom feeds (RFC 4287, `atom_syndication`) of public posts: `/@handle.atom` and
//! `/topics/slug.atom`. Anonymous: a feed reader is nobody in particular.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use credence_core::posts::{self, Post};
use credence_core::timelines::{self, Page, ProfilePosts};
use credence_core::{profiles, topics};

use crate::error::HtmlError;
use crate::state::AppState;

/// An Atom feed (RFC 4287) of public posts.
fn atom(
    state: &AppState,
    title: &str,
    self_path: &str,
    html_path: &str,
    posts: &[Post],
) -> Response {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let absolute = |path: &str| state.config.absolute(path);
    let date = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .fixed_offset()
    };
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(Into::into),
        ..Link::default()
    };
    let entries: Vec<Entry> = posts
        .iter()
        .filter_map(Post::syndicated)
        .map(|p| {
            let url = absolute(&format!("/@{}/{}", p.author.handle, p.id));
            let title = if p.title.is_empty() {
                let text = credence_core::content::strip_tags(&p.body_html);
                let mut short: String = text.chars().take(80).collect();
                if text.chars().count() > 80 {
                    short.push('…');
                }
                short
            } else {
                p.title.clone()
            };
            let mut html = p.body_html.clone();
            if let Some(summary) = p.credibility_summary() {
                html.push_str(&format!(
                    "<p><em>{}</em></p>",
                    crate::entities::escape_html(&summary)
                ));
            }
            Entry {
                id: url.clone(),
                title: Text::plain(title),
                updated: date(p.edited_at.unwrap_or(p.shown_at())),
                published: Some(date(p.shown_at())),
                authors: vec![Person {
                    name: p.author.display_name.clone(),
                    uri: Some(absolute(&format!("/@{}", p.author.handle))),
                    ..Person::default()
                }],
                links: vec![link(url, "alternate", Some("text/html"))],
                content: Some(Content {
                    value: Some(html),
                    content_type: Some("html".into()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| date(0));
    let feed = Feed {
        id: absolute(self_path),
        title: Text::plain(title.to_string()),
        updated,
        links: vec![
            link(absolute(self_path), "self", Some("application/atom+xml")),
            link(absolute(html_path), "alternate", Some("text/html")),
        ],
        generator: Some(atom_syndication::Generator {
            value: "Credence".into(),
            ..Default::default()
        }),
        entries,
        ..Feed::default()
    };
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response()
}

pub(crate) async fn topic_atom(state: &AppState, slug: &str) -> Result<Response, HtmlError> {
    let topic = topics::get(&state.core, slug).await?;
    let refs = timelines::topic(&state.core, None, topic.id, &Page::default()).await?;
    let posts = posts::load_refs(&state.core, None, &refs).await?;
    Ok(atom(
        state,
        &format!("{} · Credence", topic.name),
        &format!("/topics/{}.atom", topic.slug),
        &format!("/topics/{}", topic.slug),
        &posts,
    ))
}

/// `/@handle.atom`: the profile's public posts. Anonymous: a feed reader is nobody in particular.
pub(crate) async fn profile_atom(state: &AppState, handle: &str) -> Result<Response, HtmlError> {
    let profile = profiles::get_by_handle(&state.core, handle).await?;
    let refs = timelines::profile(
        &state.core,
        None,
        profile.id,
        &ProfilePosts::page(),
        &Page::default(),
    )
    .await?;
    let posts = posts::load_refs(&state.core, None, &refs).await?;
    Ok(atom(
        state,
        &format!("{} (@{}) · Credence", profile.display_name, profile.handle),
        &format!("/@{}.atom", profile.handle),
        &format!("/@{}", profile.handle),
        &posts,
    ))
}
