//! Turning what an author sent into a post ready to store: every field validated, handles
//! resolved, the text rendered and checked by the engine.

use crate::content;
use crate::kernel::text::{multi_line, single_line};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::media;
use crate::profiles::{self, Profile, ProfileKind};
use crate::topics;

use super::model::{
    Action, Citation, Compose, ConsentInput, PostKind, Visibility, MAX_ARTICLE_CHARS,
    MAX_CITATIONS, MAX_POST_CHARS,
};
use super::rules::{
    add_hidden_phi, assess_prose, clean_citation, clean_consent, draft_kind, text_for_check_with,
    Assessment,
};
use super::view::view_published;

/// Checked, cleaned compose input, ready to store.
pub(super) struct Prepared {
    pub(super) title: String,
    pub(super) body: String,
    pub(super) body_html: String,
    pub(super) spoiler_text: String,
    pub(super) disclosure: String,
    pub(super) citations: Vec<Citation>,
    pub(super) topic_slugs: Vec<String>,
    pub(super) mention_ids: Vec<i64>,
    pub(super) coauthor_ids: Vec<i64>,
    pub(super) reviewer_ids: Vec<i64>,
    pub(super) consent: Option<ConsentInput>,
    /// Identifiers covered by consent recorded with an earlier version of this post.
    pub(super) consent_on_file: Vec<String>,
    pub(super) parent: Option<(i64, i64)>,
    /// Alt text to save with the post (cleaned), for files it keeps.
    pub(super) media_descriptions: Vec<(i64, String)>,
    pub(super) assessment: Assessment,
}

pub(super) async fn profile_ids_for_handles(
    core: &Core,
    field: &'static str,
    handles: &[String],
) -> CoreResult<Vec<Profile>> {
    let mut found = profiles::by_handles(core, handles).await?;
    let mut out: Vec<Profile> = Vec::new();
    for handle in handles {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() {
            continue;
        }
        match found.remove(&handle.to_lowercase()) {
            Some(p) => out.push(p),
            // Named twice: already taken.
            None if out.iter().any(|o| o.handle.eq_ignore_ascii_case(handle)) => {}
            None => {
                return Err(CoreError::invalid(
                    field,
                    format!("There is no one called @{handle} here"),
                ))
            }
        }
    }
    Ok(out)
}

/// Validates and resolves everything in a compose request, and runs the engine.
/// `existing_parent`: on an edit, the post's parent as stored (not re-checked: the parent may
/// since have been deleted).
pub(super) async fn prepare(
    core: &Core,
    actor: &Actor,
    author: &Profile,
    input: &Compose,
    existing_parent: Option<Option<(i64, i64)>>,
) -> CoreResult<Prepared> {
    if author.kind == ProfileKind::Personal && input.kind != PostKind::Post {
        return Err(CoreError::invalid(
            "kind",
            "Articles, research updates and tips are published from a professional or \
             organisation profile",
        ));
    }
    let is_article = matches!(input.kind, PostKind::Article | PostKind::ResearchUpdate);
    let title = single_line("title", "The title", &input.title, 200)?;
    if is_article && title.is_empty() && input.action != Action::SaveDraft {
        return Err(CoreError::invalid("title", "An article needs a title"));
    }
    let max = if is_article {
        MAX_ARTICLE_CHARS
    } else {
        MAX_POST_CHARS
    };
    let body = multi_line("body", "The text", &input.body, max)?;
    if body.is_empty() && input.media_ids.is_empty() {
        return Err(CoreError::invalid("body", "Write something first"));
    }
    let spoiler_text = single_line(
        "spoiler_text",
        "The content warning",
        &input.spoiler_text,
        200,
    )?;
    let disclosure = multi_line("disclosure", "The disclosure", &input.disclosure, 1_000)?;
    if input.citations.len() > MAX_CITATIONS {
        return Err(CoreError::invalid(
            "citations",
            format!("At most {MAX_CITATIONS} citations"),
        ));
    }
    let citations = input
        .citations
        .iter()
        .filter(|c| !c.value.trim().is_empty() || !c.title.trim().is_empty())
        .map(|c| clean_citation(core.checker(), c))
        .collect::<CoreResult<Vec<_>>>()?;
    let mut topic_slugs = Vec::new();
    for slug in input
        .topics
        .iter()
        .map(|t| topics::slugify(t))
        .chain(content::hashtags(&body))
    {
        if !slug.is_empty() && !topic_slugs.contains(&slug) {
            topic_slugs.push(slug);
        }
    }
    topic_slugs.truncate(10);
    // The post replied to, and whether it is a private message (the rule below).
    let (parent, private_parent) = match (existing_parent, input.in_reply_to_id) {
        (Some(parent), _) => (parent, false),
        (None, None) => (None, false),
        (None, Some(id)) => {
            let parent = view_published(core, Some(actor), id)
                .await
                .map_err(|_| CoreError::invalid("in_reply_to_id", "That post does not exist"))?;
            let private = parent.visibility == Visibility::Direct;
            (Some((parent.id, parent.author.id)), private)
        }
    };
    // A reply to a private message stays private, and reaches its author whether or not the
    // reply names them: a public answer would show the conversation to everyone.
    if private_parent && input.visibility != Visibility::Direct {
        return Err(CoreError::invalid(
            "visibility",
            "A reply to a private message stays private: send it to mentioned people only",
        ));
    }
    let mentioned: Vec<String> = content::mentions(&body);
    // Unknown handles stay plain text; people are mentioned once, in order.
    let known = profiles::by_handles(core, &mentioned).await?;
    let mut mention_ids = Vec::new();
    for handle in &mentioned {
        if let Some(p) = known.get(&handle.to_lowercase()) {
            if p.id != actor.profile_id && !mention_ids.contains(&p.id) {
                mention_ids.push(p.id);
            }
        }
    }
    if let (true, Some((_, parent_author))) = (private_parent, parent) {
        if parent_author != actor.profile_id && !mention_ids.contains(&parent_author) {
            mention_ids.insert(0, parent_author);
        }
    }
    if input.visibility == Visibility::Direct && mention_ids.is_empty() {
        return Err(CoreError::invalid(
            "visibility",
            "A post for mentioned people only must mention someone (@handle)",
        ));
    }
    let coauthors = profile_ids_for_handles(core, "coauthors", &input.coauthors).await?;
    if coauthors
        .iter()
        .any(|p| p.id == author.id || !p.kind.is_verifiable())
    {
        return Err(CoreError::invalid(
            "coauthors",
            "Co-authors are other professional or organisation profiles",
        ));
    }
    let reviewers = profile_ids_for_handles(core, "reviewers", &input.reviewers).await?;
    if reviewers
        .iter()
        .any(|p| p.id == author.id || p.user_id == actor.user_id || !p.is_verified())
    {
        return Err(CoreError::invalid(
            "reviewers",
            "A medical reviewer must be another verified professional",
        ));
    }
    let consent = input.consent.as_ref().map(clean_consent).transpose()?;
    let body_html = if is_article {
        content::render_markdown(&body)
    } else {
        content::render_plain(&body)
    };
    // Everything readers will see is checked: the content warning and the media's alt text and
    // long descriptions too.
    let media_descriptions = new_descriptions(input)?;
    let mut extra = spoiler_text.clone();
    for id in &input.media_ids {
        if let Ok(mut m) = media::get_own(core, actor, *id).await {
            if let Some((_, new)) = media_descriptions.iter().find(|(m_id, _)| m_id == id) {
                m.description = new.clone();
            }
            for text in [&m.description, &m.long_description] {
                if !text.is_empty() {
                    extra.push_str("\n\n");
                    extra.push_str(text);
                }
            }
        }
    }
    // The engine reads what readers get: an article as rendered, so an entity or emphasis
    // cannot hide a name from it and a comment cannot show it a source readers never see.
    let body_seen = if is_article {
        content::visible_text(&body_html)
    } else {
        body.clone()
    };
    let text = text_for_check_with(&title, &body_seen, &disclosure, &citations, extra.trim());
    let kind = draft_kind(input.kind, parent.is_some());
    let mut assessment = assess_prose(
        core.checker(),
        author,
        kind,
        &text,
        Some(&format!("{title}\n\n{body_seen}")),
        &citations,
    );
    if is_article && add_hidden_phi(core.checker(), author, kind, &body, &mut assessment.report) {
        assessment.label = assessment.report.label;
        assessment.score = 0;
    }
    Ok(Prepared {
        title,
        body,
        body_html,
        spoiler_text,
        disclosure,
        citations,
        topic_slugs,
        mention_ids,
        coauthor_ids: coauthors.iter().map(|p| p.id).collect(),
        reviewer_ids: reviewers.iter().map(|p| p.id).collect(),
        consent,
        consent_on_file: Vec::new(),
        parent,
        media_descriptions,
        assessment,
    })
}

/// The new alt texts, cleaned; each must name one of the post's files.
fn new_descriptions(input: &Compose) -> CoreResult<Vec<(i64, String)>> {
    input
        .media_descriptions
        .iter()
        .map(|d| {
            if !input.media_ids.contains(&d.media_id) {
                return Err(CoreError::invalid(
                    "media_attributes",
                    format!(
                        "File {} is not attached to this post: attach it with media_ids first",
                        d.media_id
                    ),
                ));
            }
            Ok((d.media_id, media::clean_description(&d.description)?))
        })
        .collect()
}
