//! Turning what an author typed into HTML that is safe to show: short posts are plain text
//! (links, hashtags and mentions made clickable), articles are Markdown (headings, lists,
//! links, images, tables). Everything passes through ammonia's allow-list sanitiser, so no
//! script, no event handler and no `javascript:` link survives, whatever the author typed.

mod reader;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

pub use reader::{article_text, visible_text, ReaderText};

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .link_rel(Some("nofollow noopener noreferrer"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            // Only the classes our own rendering sets: an author must not be able to dress
            // text up as the site's verified badge or review mark.
            .add_allowed_classes("a", ["hashtag", "mention"]);
        builder
    })
}

/// Sanitises HTML with the allow-list (the last step of every rendering).
pub fn sanitise(html: &str) -> String {
    sanitiser().clean(html).to_string()
}

/// The Markdown articles are written in: CommonMark with tables and strikethrough.
fn markdown_options() -> pulldown_cmark::Options {
    pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
}

/// Renders an article's Markdown to sanitised HTML.
pub fn render_markdown(source: &str) -> String {
    use pulldown_cmark::{html, Parser};
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(source, markdown_options()));
    sanitise(&show_unclosed_hiding_markup(&out))
}

/// A comment, `<style>`, `<script>` or another element whose content is not text hides
/// everything up to its end; left open, it would silently swallow the rest of an article.
/// An opener that is never closed is shown as typed instead. A closed one hides only what it
/// encloses, and neither readers nor the engine (which reads the sanitised result) see that.
fn show_unclosed_hiding_markup(html: &str) -> Cow<'_, str> {
    static OPENER: OnceLock<Regex> = OnceLock::new();
    let opener = OPENER.get_or_init(|| {
        Regex::new(
            r"(?i)<(?:!--|(style|script|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b)",
        )
        .expect("hiding-markup pattern compiles")
    });
    // Raw HTML is the only source of a literal `<` here (Markdown text arrives escaped), and
    // ASCII lower-casing keeps byte offsets.
    let lower = html.to_ascii_lowercase();
    let mut shown = String::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = opener.captures_at(html, from) {
        let whole = found.get(0).expect("group 0");
        let closer = match found.get(1) {
            None => Some("-->".to_string()),
            Some(name) if name.as_str().eq_ignore_ascii_case("plaintext") => None,
            Some(name) => Some(format!("</{}", name.as_str().to_ascii_lowercase())),
        };
        let closed_at = closer.and_then(|c| lower[whole.end()..].find(&c).map(|at| at + c.len()));
        match closed_at {
            Some(length) => from = whole.end() + length,
            None => {
                shown.push_str(&html[copied..whole.start()]);
                shown.push_str("&lt;");
                copied = whole.start() + 1;
                from = whole.end();
            }
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    shown.push_str(&html[copied..]);
    Cow::Owned(shown)
}

fn token_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        // A URL, a #hashtag or an @mention, each starting a word.
        Regex::new(
            r"(?P<url>https?://[^\s<>]+[^\s<>.,;:!?)\]'])|(?:^|\B)#(?P<tag>[A-Za-z][A-Za-z0-9_]{0,49})|(?:^|\B)@(?P<mention>[A-Za-z0-9_]{3,30})",
        )
        .expect("token pattern compiles")
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders a short post: paragraphs and line breaks kept, links, hashtags (to the topic page)
/// and mentions (to the profile) made into links.
pub fn render_plain(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 64);
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        let paragraph = paragraph.trim();
        let mut last = 0;
        for caps in token_pattern().captures_iter(paragraph) {
            let whole = caps.get(0).expect("group 0");
            html.push_str(&escape(&paragraph[last..whole.start()]).replace('\n', "<br>"));
            if let Some(url) = caps.name("url") {
                let url = escape(url.as_str());
                html.push_str(&format!("<a href=\"{url}\">{url}</a>"));
            } else if let Some(tag) = caps.name("tag") {
                let tag = tag.as_str();
                html.push_str(&format!(
                    "<a class=\"hashtag\" href=\"/topics/{}\">#{tag}</a>",
                    tag.to_ascii_lowercase()
                ));
            } else if let Some(handle) = caps.name("mention") {
                let handle = handle.as_str();
                html.push_str(&format!(
                    "<a class=\"mention\" href=\"/@{handle}\">@{handle}</a>"
                ));
            }
            last = whole.end();
        }
        html.push_str(&escape(&paragraph[last..]).replace('\n', "<br>"));
        html.push_str("</p>");
    }
    sanitise(&html)
}

/// The hashtags in a text, lower-cased, in order of first appearance.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for caps in token_pattern().captures_iter(text) {
        if let Some(tag) = caps.name("tag") {
            let tag = tag.as_str().to_ascii_lowercase();
            if !seen.contains(&tag) {
                seen.push(tag);
            }
        }
    }
    seen
}

/// The handles mentioned in a text, lower-cased, in order of first appearance.
pub fn mentions(text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for caps in token_pattern().captures_iter(text) {
        if let Some(handle) = caps.name("mention") {
            let handle = handle.as_str().to_ascii_lowercase();
            if !seen.contains(&handle) {
                seen.push(handle);
            }
        }
    }
    seen
}

/// Plain text from rendered HTML (for feed summaries and search snippets).
pub fn strip_tags(html: &str) -> String {
    let text = ammonia::Builder::empty().clean(html).to_string();
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_structure_and_drops_script() {
        let html = render_markdown(
            "# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
             <script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n\
             ![chart](https://example.org/c.png)",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<li>one</li>"));
        assert!(html.contains("<table>"));
        assert!(html.contains("<img src=\"https://example.org/c.png\" alt=\"chart\">"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn authors_cannot_borrow_the_sites_badges() {
        let html = render_markdown(
            "<span class=\"badge verified\">Verified</span> <a class=\"button\" href=\"https://x.org\">x</a>",
        );
        assert!(!html.contains("badge"), "{html}");
        assert!(!html.contains("button"), "{html}");
        assert!(render_plain("#flu").contains("class=\"hashtag\""));
    }

    #[test]
    fn links_get_safe_rel() {
        let html = render_markdown("[CDC](https://www.cdc.gov/)");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
    }

    #[test]
    fn plain_posts_link_tags_mentions_and_urls_and_escape_the_rest() {
        let html = render_plain(
            "Read https://www.cdc.gov/flu. #Flu season, ask @dr_lee <b>now</b>\nline two",
        );
        assert!(
            html.contains("<a href=\"https://www.cdc.gov/flu\""),
            "{html}"
        );
        assert!(html.contains("href=\"/topics/flu\""), "{html}");
        assert!(html.contains("href=\"/@dr_lee\""), "{html}");
        assert!(html.contains("&lt;b&gt;now&lt;/b&gt;"), "{html}");
        assert!(html.contains("<br>"));
    }

    #[test]
    fn hashtags_and_mentions_are_found_once_each() {
        let text =
            "#Diabetes tips for #diabetes care, email a@b.com, ask @Nurse_Kim and @nurse_kim";
        assert_eq!(hashtags(text), vec!["diabetes"]);
        assert_eq!(mentions(text), vec!["nurse_kim"]);
    }

    #[test]
    fn strip_tags_gives_text() {
        assert_eq!(strip_tags("<p>a &amp; <b>b</b></p>"), "a & b");
    }
}
