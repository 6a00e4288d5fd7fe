//! Pages for posts: compose (with the live credibility check), a post and its replies, the
//! feeds (home, explore, topics, profiles), search, notifications and drafts, and the Atom
//! feeds. The rules are `credence_core`'s; these handlers translate forms and render pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use credence_core::accounts::Actor;
use credence_core::db::rfc3339;
use credence_core::feeds::{self, Page};
use credence_core::posts::{
    self, Action, CitationInput, Compose, ConsentInput, Post, PostKind, PostRef, PostState,
    Visibility,
};
use credence_core::profiles::{self, Profile};
use credence_core::search::{self, Filters};
use credence_core::topics::{self, Topic};
use credence_core::{media, social, CoreError};
use serde::Deserialize;

use super::{path_id, Layout};
use crate::error::{public_message, render, HtmlError};
use crate::session::Ctx;
use crate::AppState;

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

const KINDS: &[(&str, &str)] = &[
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
    fn page(&self) -> Page {
        Page {
            max_id: self.max_id.as_deref().and_then(|s| s.parse().ok()),
            ..Page::default()
        }
    }
}

/// The link to the next page when this one was full. Counted on the page query's refs: posts
/// left out after it (a boost of a post the viewer cannot read) do not end the feed early.
fn next_link(base: &str, refs: &[PostRef], limit: usize) -> Option<String> {
    let last = refs.last()?;
    (refs.len() >= limit).then(|| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}max_id={}", last.id)
    })
}

fn feed_page(ctx: &Ctx, heading: impl Into<String>, posts: Vec<Post>) -> FeedPage {
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

pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let refs = feeds::home(&state.db, actor, &q.page()).await?;
    let posts = posts::load_refs(&state.db, Some(actor), &refs).await?;
    let next = next_link("/home", &refs, 20);
    let mut page = feed_page(&ctx, "Home", posts);
    page.next = next;
    page.intro = Some("Posts from people and topics you follow.".into());
    page.empty =
        "Nothing here yet: follow professionals and topics from Explore, Topics or Search.";
    Ok(render(&page))
}

pub async fn explore(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    let after = q.after.as_deref().and_then(|s| {
        let (rank, id) = s.split_once('_')?;
        Some((rank.parse().ok()?, id.parse().ok()?))
    });
    let (refs, cursor) = feeds::explore(&state.db, ctx.actor(), after, 20).await?;
    let posts = posts::load_refs(&state.db, ctx.actor(), &refs).await?;
    let mut page = feed_page(&ctx, "Explore", posts);
    page.intro = Some(
        "Public posts, credible first: verified authors, cited evidence and medical review \
         move a post up."
            .into(),
    );
    page.next = cursor.map(|(rank, id)| format!("/explore?after={rank}_{id}"));
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    l: Layout,
    topics: Vec<Topic>,
}

pub async fn topic_list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    Ok(render(&TopicsPage {
        l: Layout::new(&ctx, "Topics"),
        topics: topics::curated(&state.db).await?,
    }))
}

pub async fn topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    if let Some(slug) = slug.strip_suffix(".atom") {
        return topic_atom(&state, slug).await;
    }
    let topic = topics::get(&state.db, &slug).await?;
    let refs = feeds::topic(&state.db, ctx.actor(), topic.id, &q.page()).await?;
    let posts = posts::load_refs(&state.db, ctx.actor(), &refs).await?;
    let base = format!("/topics/{}", topic.slug);
    let next = next_link(&base, &refs, 20);
    let following = match ctx.actor() {
        Some(a) => Some(topics::is_following(&state.db, a, topic.id).await?),
        None => None,
    };
    let mut page = feed_page(&ctx, topic.name.clone(), posts);
    page.intro = Some(format!("#{}", topic.slug));
    page.next = next;
    page.atom = Some(format!("{base}.atom"));
    page.follow = following.map(|f| FollowButton {
        action: format!("{base}/{}", if f { "unfollow" } else { "follow" }),
        label: if f {
            "Following ✓ (unfollow)"
        } else {
            "Follow this topic"
        }
        .into(),
        following: f,
    });
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn follow_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let topic = match action.as_str() {
        "follow" => topics::follow(&state.db, actor, &slug).await?,
        "unfollow" => topics::unfollow(&state.db, actor, &slug).await?,
        _ => return Err(CoreError::NotFound("page").into()),
    };
    Ok(Redirect::to(&format!("/topics/{}", topic.slug)).into_response())
}

/// The posts section of a profile page, and its follow button (see `profile::view`).
pub async fn profile_feed(
    state: &AppState,
    ctx: &Ctx,
    profile: &Profile,
    max_id: Option<i64>,
) -> Result<(Vec<Card>, Option<String>, Option<FollowButton>), HtmlError> {
    let refs = feeds::profile(
        &state.db,
        ctx.actor(),
        profile.id,
        false,
        &Page {
            max_id,
            ..Page::default()
        },
    )
    .await?;
    let posts = posts::load_refs(&state.db, ctx.actor(), &refs).await?;
    let next = next_link(&format!("/@{}", profile.handle), &refs, 20);
    let follow = match ctx.actor() {
        Some(a) if a.profile_id != profile.id => {
            let r = social::relationship(&state.db, a, profile.id).await?;
            Some(FollowButton {
                action: format!(
                    "/@{}/{}",
                    profile.handle,
                    if r.following { "unfollow" } else { "follow" }
                ),
                label: if r.following {
                    "Following ✓ (unfollow)".into()
                } else {
                    format!("Follow @{}", profile.handle)
                },
                following: r.following,
            })
        }
        _ => None,
    };
    Ok((cards(posts, ctx), next, follow))
}

pub async fn follow_profile_follow(
    state: State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    form: Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    follow_profile(state, ctx, handle, "follow", form).await
}

pub async fn follow_profile_unfollow(
    state: State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    form: Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    follow_profile(state, ctx, handle, "unfollow", form).await
}

async fn follow_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    handle: String,
    action: &str,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let target = profiles::get_by_handle(&state.db, &handle).await?;
    match action {
        "follow" => social::follow(&state.db, actor, target.id).await?,
        "unfollow" => social::unfollow(&state.db, actor, target.id).await?,
        _ => return Err(CoreError::NotFound("page").into()),
    };
    Ok(Redirect::to(&format!("/@{}", target.handle)).into_response())
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    l: Layout,
    main: Card,
    ancestors: Vec<Card>,
    replies: Vec<Card>,
    signed_in: bool,
    review: Option<String>,
    coauthor_request: bool,
    error: Option<String>,
    draft: String,
    overshare: bool,
    versions: Vec<(String, posts::Version)>,
}

/// The page of a post the viewer has read (with `posts::view`).
async fn post_page(
    state: &AppState,
    ctx: &Ctx,
    post: Post,
    error: Option<String>,
    draft: String,
    overshare: bool,
) -> Result<Response, HtmlError> {
    let id = post.id;
    let (ancestors, replies) = if post.state == PostState::Published {
        feeds::thread(&state.db, ctx.actor(), &post).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let review = match ctx.actor() {
        Some(a) => posts::review_pending(&state.db, a, id)
            .await?
            .then(|| post.author.display_name.clone()),
        None => None,
    };
    let coauthor_request = match ctx.actor() {
        Some(a) if post.state == PostState::Published => {
            posts::coauthorship_pending(&state.db, a, id).await?
        }
        _ => false,
    };
    let versions = if post.edited_at.is_some() && post.state == PostState::Published {
        posts::versions_of(&state.db, &post)
            .await?
            .into_iter()
            .map(|v| {
                let at = rfc3339(v.replaced_at);
                (format!("{} {} UTC", &at[..10], &at[11..16]), v)
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = if post.title.is_empty() {
        format!("Post by {}", post.author.display_name)
    } else {
        post.title.clone()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PostPage {
        l: Layout::new(ctx, title),
        main: cards(vec![post], ctx).pop().expect("one card"),
        ancestors: cards(ancestors, ctx),
        replies: cards(replies, ctx),
        signed_in: ctx.actor().is_some(),
        review,
        coauthor_request,
        error,
        draft,
        overshare,
        versions,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id = path_id(&id, "post")?;
    let post = posts::view(&state.db, ctx.actor(), id).await?;
    if !post
        .author
        .handle
        .eq_ignore_ascii_case(handle.trim_start_matches('@'))
    {
        return Err(CoreError::NotFound("post").into());
    }
    post_page(&state, &ctx, post, None, String::new(), false).await
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    body: String,
    visibility: Option<String>,
    confirm_public: Option<String>,
}

pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "post")?;
    let parent = posts::view_published(&state.db, Some(actor), id).await?;
    // A reply to a private message stays private, and reaches the author by mentioning them.
    let private =
        form.visibility.as_deref() == Some("direct") || parent.visibility == Visibility::Direct;
    let mut body = form.body.clone();
    if private && !body.contains(&format!("@{}", parent.author.handle)) {
        body = format!("@{} {body}", parent.author.handle);
    }
    let compose = Compose {
        body,
        in_reply_to_id: Some(id),
        visibility: if private {
            Visibility::Direct
        } else {
            parent.visibility
        },
        confirm_public_overshare: form.confirm_public.as_deref() == Some("true"),
        ..Compose::default()
    };
    match posts::create(&state.db, &state.checker, actor, compose).await {
        Ok(reply) => Ok(Redirect::to(&format!(
            "/@{}/{}#post-{}",
            parent.author.handle, parent.id, reply.id
        ))
        .into_response()),
        Err(e @ CoreError::Refused { .. }) | Err(e @ CoreError::Invalid { .. }) => {
            let overshare = e.code() == "overshare";
            post_page(
                &state,
                &ctx,
                parent,
                Some(public_message(&e)),
                form.body,
                overshare,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn interact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "post")?;
    let db = &state.db;
    let post = match action.as_str() {
        "favourite" => social::favourite(db, actor, id).await?,
        "unfavourite" => social::unfavourite(db, actor, id).await?,
        "reblog" => social::reblog(db, actor, id).await?,
        "unreblog" => social::unreblog(db, actor, id).await?,
        "bookmark" => social::bookmark(db, actor, id, true).await?,
        "unbookmark" => social::bookmark(db, actor, id, false).await?,
        _ => return Err(CoreError::NotFound("page").into()),
    };
    let shown = post.reblog.as_deref().unwrap_or(&post);
    // Back to where the button was pressed (our own page), else to the post.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| {
            state
                .config
                .public_url
                .starts_with(&format!("{}://{}", u.scheme(), u.authority()))
        })
        .map(|u| {
            format!(
                "{}{}",
                u.path(),
                u.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| format!("/@{}/{}", shown.author.handle, shown.id));
    Ok(Redirect::to(&format!("{}#post-{}", super::safe_next(&back), shown.id)).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    decision: String,
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "post")?;
    let post = posts::decide_review(&state.db, actor, id, form.decision == "approve").await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
}

#[derive(Deserialize)]
pub struct CoauthorForm {
    csrf: String,
    answer: String,
}

pub async fn coauthor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CoauthorForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "post")?;
    let post = posts::answer_coauthorship(&state.db, actor, id, form.answer == "accept").await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    ctx.check_csrf(&form.csrf)?;
    let id = path_id(&id, "post")?;
    let post = posts::view(&state.db, Some(actor), id).await?;
    posts::delete(&state.db, actor, id).await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, id)).into_response())
}

/// The compose form's fields, kept as typed so a refused draft is shown again unchanged.
#[derive(Default)]
pub struct ComposeForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub visibility: String,
    pub spoiler_text: String,
    pub topics: Vec<String>,
    pub citations: Vec<(String, String)>,
    pub disclosure: String,
    pub consent_patient: String,
    pub consent_scope: String,
    pub consent_date: String,
    pub coauthors: String,
    pub reviewers: String,
    pub schedule_at: String,
    pub alt: String,
    pub long_description: String,
    pub media_ids: Vec<i64>,
    pub action: String,
    pub confirm_public: bool,
    pub sensitive: bool,
}

impl ComposeForm {
    fn blank() -> ComposeForm {
        ComposeForm {
            kind: "post".into(),
            visibility: "public".into(),
            citations: vec![(String::new(), String::new()); 3],
            ..ComposeForm::default()
        }
    }

    fn from_post(p: &Post) -> ComposeForm {
        let mut citations: Vec<(String, String)> = p
            .citations
            .iter()
            .map(|c| (c.url(), c.title.clone()))
            .collect();
        while citations.len() < 3 {
            citations.push((String::new(), String::new()));
        }
        ComposeForm {
            kind: p.kind.to_string(),
            title: p.title.clone(),
            body: p.body.clone(),
            visibility: p.visibility.to_string(),
            spoiler_text: p.spoiler_text.clone(),
            topics: p.topics.iter().map(|t| t.slug.clone()).collect(),
            citations,
            disclosure: p.disclosure.clone(),
            media_ids: p.media.iter().map(|m| m.id).collect(),
            sensitive: p.sensitive,
            ..ComposeForm::blank()
        }
    }

    fn list(text: &str) -> Vec<String> {
        text.split([',', ' '])
            .map(|s| s.trim().trim_start_matches('@').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn to_compose(&self, media_ids: Vec<i64>) -> Result<Compose, CoreError> {
        let action = match self.action.as_str() {
            "draft" => Action::SaveDraft,
            "schedule" => {
                let at = chrono::NaiveDateTime::parse_from_str(
                    self.schedule_at.trim(),
                    "%Y-%m-%d %H:%M",
                )
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(self.schedule_at.trim(), "%Y-%m-%dT%H:%M")
                })
                .map_err(|_| {
                    CoreError::invalid(
                        "scheduled_at",
                        "Give the time to publish as a UTC date and time like 2026-12-01 09:00",
                    )
                })?;
                Action::Schedule(at.and_utc().timestamp_millis())
            }
            _ => Action::Publish,
        };
        let consent = (!self.consent_patient.trim().is_empty()
            || !self.consent_scope.trim().is_empty()
            || !self.consent_date.trim().is_empty())
        .then(|| ConsentInput {
            patient_name: self.consent_patient.clone(),
            scope: self.consent_scope.clone(),
            consented_on: self.consent_date.clone(),
        });
        Ok(Compose {
            kind: self
                .kind
                .parse()
                .map_err(|_| CoreError::invalid("kind", "Choose a kind of post"))?,
            title: self.title.clone(),
            body: self.body.clone(),
            spoiler_text: self.spoiler_text.clone(),
            sensitive: self.sensitive,
            visibility: self
                .visibility
                .parse()
                .map_err(|_| CoreError::invalid("visibility", "Choose who can see the post"))?,
            in_reply_to_id: None,
            citations: self
                .citations
                .iter()
                .filter(|(v, t)| !v.trim().is_empty() || !t.trim().is_empty())
                .map(|(value, title)| CitationInput {
                    kind: None,
                    value: value.clone(),
                    title: title.clone(),
                })
                .collect(),
            topics: self.topics.clone(),
            media_ids,
            disclosure: self.disclosure.clone(),
            consent,
            coauthors: ComposeForm::list(&self.coauthors),
            reviewers: ComposeForm::list(&self.reviewers),
            confirm_public_overshare: self.confirm_public,
            action,
        })
    }
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    l: Layout,
    f: ComposeForm,
    kinds: &'static [(&'static str, &'static str)],
    topics: Vec<Topic>,
    error: Option<String>,
    problems: Vec<String>,
    editing: Option<i64>,
}

async fn compose_page(
    state: &AppState,
    ctx: &Ctx,
    f: ComposeForm,
    error: Option<&CoreError>,
    editing: Option<i64>,
) -> Result<Response, HtmlError> {
    let problems = match error {
        Some(CoreError::Refused {
            report: Some(report),
            ..
        }) => report
            .findings
            .iter()
            .filter(|f| f.severity >= credence_check::Severity::Warning)
            .map(|f| f.message.clone())
            .collect(),
        _ => Vec::new(),
    };
    let page = ComposePage {
        l: Layout::new(
            ctx,
            if editing.is_some() {
                "Edit post"
            } else {
                "Write"
            },
        ),
        f,
        kinds: KINDS,
        topics: topics::curated(&state.db).await?,
        error: error.map(public_message),
        problems,
        editing,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

pub async fn compose_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    ctx.require()?;
    compose_page(&state, &ctx, ComposeForm::blank(), None, None).await
}

/// Reads the multipart compose form (fields, and at most one file).
async fn read_compose(
    mut multipart: Multipart,
) -> Result<(String, ComposeForm, Option<Vec<u8>>), HtmlError> {
    let bad = |e: String| {
        HtmlError::new(
            StatusCode::BAD_REQUEST,
            format!("The form could not be read: {e}"),
        )
    };
    let mut fields: HashMap<String, Vec<String>> = HashMap::new();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
            if !bytes.is_empty() {
                file = Some(bytes.to_vec());
            }
        } else {
            let text = field.text().await.map_err(|e| bad(e.to_string()))?;
            fields.entry(name).or_default().push(text);
        }
    }
    let one = |name: &str| -> String {
        fields
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    };
    let many = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let values = many("citation_value");
    let titles = many("citation_title");
    let mut citations: Vec<(String, String)> = values
        .iter()
        .zip(titles.iter().chain(std::iter::repeat(&String::new())))
        .map(|(v, t)| (v.clone(), t.clone()))
        .collect();
    while citations.len() < 3 {
        citations.push((String::new(), String::new()));
    }
    let form = ComposeForm {
        kind: one("kind"),
        title: one("title"),
        body: one("body"),
        visibility: one("visibility"),
        spoiler_text: one("spoiler_text"),
        topics: many("topics"),
        citations,
        disclosure: one("disclosure"),
        consent_patient: one("consent_patient"),
        consent_scope: one("consent_scope"),
        consent_date: one("consent_date"),
        coauthors: one("coauthors"),
        reviewers: one("reviewers"),
        schedule_at: one("schedule_at"),
        alt: one("alt"),
        long_description: one("long_description"),
        media_ids: many("media_id")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        action: one("action"),
        confirm_public: one("confirm_public") == "true",
        sensitive: one("sensitive") == "true",
    };
    Ok((one("csrf"), form, file))
}

/// Stores the uploaded file (if any) and returns every media id the post should carry.
async fn upload_media(
    state: &AppState,
    actor: &Actor,
    form: &mut ComposeForm,
    file: Option<Vec<u8>>,
) -> Result<Vec<i64>, CoreError> {
    if let Some(bytes) = file {
        let info =
            media::upload(&state.db, actor, bytes, &form.alt, &form.long_description).await?;
        // Kept on the form, so a refused draft does not ask for the file again.
        form.media_ids.push(info.id);
    } else {
        for id in &form.media_ids {
            if !form.alt.is_empty() {
                media::describe(&state.db, actor, *id, &form.alt, &form.long_description).await?;
            }
        }
    }
    Ok(form.media_ids.clone())
}

pub async fn compose(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let (csrf, mut form, file) = read_compose(multipart).await?;
    ctx.check_csrf(&csrf)?;
    let result = async {
        let media_ids = upload_media(&state, actor, &mut form, file).await?;
        let compose = form.to_compose(media_ids)?;
        posts::create(&state.db, &state.checker, actor, compose).await
    }
    .await;
    match result {
        Ok(post) => {
            Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
        }
        Err(e) if matches!(e, CoreError::Refused { .. } | CoreError::Invalid { .. }) => {
            compose_page(&state, &ctx, form, Some(&e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let id = path_id(&id, "post")?;
    let post = posts::view(&state.db, Some(actor), id).await?;
    if post.author.id != actor.profile_id || post.is_deleted() {
        return Err(CoreError::forbidden("Only the author can edit this post").into());
    }
    let mut form = ComposeForm::from_post(&post);
    // Those who have not answered yet too: saving the form does not withdraw a request.
    form.coauthors = posts::named_coauthors(&state.db, actor, id)
        .await?
        .join(", ");
    compose_page(&state, &ctx, form, None, Some(id)).await
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let id = path_id(&id, "post")?;
    let (csrf, mut form, file) = read_compose(multipart).await?;
    ctx.check_csrf(&csrf)?;
    let result = async {
        let media_ids = upload_media(&state, actor, &mut form, file).await?;
        let compose = form.to_compose(media_ids)?;
        posts::update(&state.db, &state.checker, actor, id, compose).await
    }
    .await;
    match result {
        Ok(post) => {
            Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
        }
        Err(e) if matches!(e, CoreError::Refused { .. } | CoreError::Invalid { .. }) => {
            compose_page(&state, &ctx, form, Some(&e), Some(id)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CheckRequest {
    text: String,
    kind: Option<PostKind>,
}

/// `POST /compose/check`: the live check behind the compose page. Session-authenticated; the
/// CSRF token travels in the `X-CSRF-Token` header (the request is JSON, not a form).
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Json(request): Json<CheckRequest>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    ctx.check_csrf(token)?;
    if request.text.chars().count() > posts::MAX_ARTICLE_CHARS {
        return Err(HtmlError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the draft is too long to check",
        ));
    }
    // The session already loaded the acting profile (with its disclosures).
    let author = ctx
        .profile
        .as_ref()
        .filter(|p| p.id == actor.profile_id)
        .ok_or_else(HtmlError::sign_in_required)?;
    let kind = posts::draft_kind(request.kind.unwrap_or(PostKind::Post), false);
    let assessment = posts::assess(&state.checker, author, kind, &request.text, &[]);
    Ok(Json(assessment.report).into_response())
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    l: Layout,
    items: Vec<social::Notification>,
}

pub async fn notifications(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let items = social::notifications(&state.db, actor, None, 80).await?;
    social::mark_notifications_read(&state.db, actor).await?;
    Ok(render(&NotificationsPage {
        l: Layout::new(&ctx, "Notifications"),
        items,
    }))
}

pub async fn drafts(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let posts = posts::unpublished(&state.db, actor).await?;
    let mut page = feed_page(&ctx, "Drafts and scheduled posts", posts);
    page.empty = "No drafts or scheduled posts.";
    page.intro = Some("Only you can see these. Open one and choose Edit to publish it.".into());
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    q: Option<String>,
    verified_only: Option<String>,
    kind: Option<String>,
    topic: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    verified_only: bool,
    kind: String,
    topic: String,
    kinds: &'static [(&'static str, &'static str)],
    topics: Vec<Topic>,
    posts: Vec<Card>,
    people: Vec<Profile>,
    found_topics: Vec<Topic>,
    error: Option<String>,
    signed_in: bool,
}

pub async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(form): Query<SearchForm>,
) -> Result<Response, HtmlError> {
    let q = form.q.unwrap_or_default();
    let kind = form.kind.unwrap_or_default();
    let topic = form.topic.unwrap_or_default();
    let filters = Filters {
        verified_only: form.verified_only.is_some(),
        kind: kind.parse().ok(),
        topic: (!topic.is_empty()).then(|| topic.clone()),
    };
    let (results, error) = if q.trim().is_empty() {
        (search::Results::default(), None)
    } else {
        match search::everything(&state.db, ctx.actor(), &q, &filters, 0, 20).await {
            Ok(r) => (r, None),
            Err(e @ CoreError::Invalid { .. }) => (search::Results::default(), Some(e.to_string())),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(render(&SearchPage {
        l: Layout::new(
            &ctx,
            if q.is_empty() {
                "Search".to_string()
            } else {
                format!("Search: {q}")
            },
        ),
        verified_only: filters.verified_only,
        kinds: KINDS,
        topics: topics::curated(&state.db).await?,
        posts: cards(results.posts, &ctx),
        people: results.profiles,
        found_topics: results.topics,
        error,
        signed_in: ctx.actor().is_some(),
        q,
        kind,
        topic,
    }))
}

pub async fn compose_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/compose.js"),
    )
        .into_response()
}

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
        .filter_map(|p| {
            let p = p.reblog.as_deref().unwrap_or(p);
            (p.visibility == Visibility::Public && p.state == PostState::Published).then_some(p)
        })
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
            html.push_str(&format!("<p><em>{}</em></p>", p.label_text));
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

async fn topic_atom(state: &AppState, slug: &str) -> Result<Response, HtmlError> {
    let topic = topics::get(&state.db, slug).await?;
    let refs = feeds::topic(&state.db, None, topic.id, &Page::default()).await?;
    let posts = posts::load_refs(&state.db, None, &refs).await?;
    Ok(atom(
        state,
        &format!("{} · Credence", topic.name),
        &format!("/topics/{}.atom", topic.slug),
        &format!("/topics/{}", topic.slug),
        &posts,
    ))
}

/// `/@handle.atom`: the profile's public posts. Anonymous: a feed reader is nobody in particular.
pub async fn profile_atom(state: &AppState, handle: &str) -> Result<Response, HtmlError> {
    let profile = profiles::get_by_handle(&state.db, handle).await?;
    let refs = feeds::profile(&state.db, None, profile.id, false, &Page::default()).await?;
    let posts = posts::load_refs(&state.db, None, &refs).await?;
    Ok(atom(
        state,
        &format!("{} (@{}) · Credence", profile.display_name, profile.handle),
        &format!("/@{}.atom", profile.handle),
        &format!("/@{}", profile.handle),
        &posts,
    ))
}
