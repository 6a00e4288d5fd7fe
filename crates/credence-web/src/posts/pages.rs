//! Pages for posts: a post with its thread, replying, reviewing, co-authorship, deleting,
//! composing and editing (with the live check), and the author's drafts.

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::kernel::clock::rfc3339;
use credence_core::posts::{self, Post, PostState, Reply};
use credence_core::timelines;
use credence_core::topics::{self, Topic};
use credence_core::CoreError;
use serde::Deserialize;

use super::form::{read_compose, upload_media, ComposeForm};
use crate::error::{public_message, HtmlError};
use crate::extract::{csrf_field, page_id, CsrfOnly, SignedInForm};
use crate::page::{cards, feed_page, render, Card, Layout, KINDS};
use crate::session::Ctx;
use crate::state::AppState;

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

/// A reply the page shows again, refused, with what the person typed.
struct RefusedReply {
    error: CoreError,
    draft: String,
}

/// The page of a post the viewer has read (with `posts::view`).
async fn post_page(
    state: &AppState,
    ctx: &Ctx,
    post: Post,
    refused: Option<RefusedReply>,
) -> Result<Response, HtmlError> {
    let core = &state.core;
    let id = post.id;
    let (ancestors, replies) = if post.state == PostState::Published {
        timelines::thread(core, ctx.actor(), &post).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let review = match ctx.actor() {
        Some(a) => posts::review_pending(core, a, id)
            .await?
            .then(|| post.author.display_name.clone()),
        None => None,
    };
    let coauthor_request = match ctx.actor() {
        Some(a) if post.state == PostState::Published => {
            posts::coauthorship_pending(core, a, id).await?
        }
        _ => false,
    };
    let versions = if post.edited_at.is_some() && post.state == PostState::Published {
        posts::versions_of(core, &post)
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
    let status = if refused.is_some() {
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
        overshare: refused
            .as_ref()
            .is_some_and(|r| r.error.code() == "overshare"),
        error: refused.as_ref().map(|r| public_message(&r.error)),
        draft: refused.map(|r| r.draft).unwrap_or_default(),
        versions,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let post = posts::view(&state.core, ctx.actor(), id).await?;
    if !post
        .author
        .handle
        .eq_ignore_ascii_case(handle.trim_start_matches('@'))
    {
        return Err(CoreError::NotFound("post").into());
    }
    post_page(&state, &ctx, post, None).await
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    body: String,
    visibility: Option<String>,
    confirm_public: Option<String>,
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    decision: String,
}

#[derive(Deserialize)]
pub struct CoauthorForm {
    csrf: String,
    answer: String,
}

csrf_field!(ReplyForm, ReviewForm, CoauthorForm);

pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { ctx, actor, form }: SignedInForm<ReplyForm>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let reply = Reply {
        body: form.body.clone(),
        private: form.visibility.as_deref() == Some("direct"),
        confirm_public_overshare: form.confirm_public.as_deref() == Some("true"),
    };
    match posts::reply(&state.core, &actor, id, reply).await {
        Ok(replied) => Ok(Redirect::to(&format!(
            "/@{}/{}#post-{}",
            replied.parent.author.handle, replied.parent.id, replied.reply.id
        ))
        .into_response()),
        Err(error @ (CoreError::Refused { .. } | CoreError::Invalid { .. })) => {
            let parent = posts::view_published(&state.core, Some(&actor), id).await?;
            let refused = RefusedReply {
                error,
                draft: form.body,
            };
            post_page(&state, &ctx, parent, Some(refused)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, form, .. }: SignedInForm<ReviewForm>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let post = posts::decide_review(&state.core, &actor, id, form.decision == "approve").await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
}

pub async fn coauthor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, form, .. }: SignedInForm<CoauthorForm>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let post = posts::answer_coauthorship(&state.core, &actor, id, form.answer == "accept").await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { actor, .. }: SignedInForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    let post = posts::delete(&state.core, &actor, id).await?;
    Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, id)).into_response())
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
        topics: topics::curated(&state.core).await?,
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

pub async fn compose(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, HtmlError> {
    save(&state, &ctx, multipart, None).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let id = page_id(&id, "post")?;
    let post = posts::editable(&state.core, actor, id).await?;
    let mut form = ComposeForm::from_post(&post);
    // Those who have not answered yet too: saving the form does not withdraw a request.
    form.coauthors = posts::named_coauthors(&state.core, actor, id)
        .await?
        .join(", ");
    compose_page(&state, &ctx, form, None, Some(id)).await
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, HtmlError> {
    let id = page_id(&id, "post")?;
    save(&state, &ctx, multipart, Some(id)).await
}

/// Publishes (or saves, or schedules) the compose form, new or an edit of post `editing`; a
/// refused draft is shown again as typed, with the reasons.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    multipart: Result<Multipart, MultipartRejection>,
    editing: Option<i64>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let _in_progress = state.uploads.begin(actor.profile_id)?;
    let (csrf, mut form, file) = read_compose(state, multipart).await?;
    ctx.check_csrf(&csrf)?;
    let result = async {
        let media_ids = upload_media(state, actor, &mut form, file).await?;
        let compose = form.to_compose(media_ids)?;
        match editing {
            Some(id) => posts::update(&state.core, actor, id, compose).await,
            None => posts::create(&state.core, actor, compose).await,
        }
    }
    .await;
    match result {
        Ok(post) => {
            Ok(Redirect::to(&format!("/@{}/{}", post.author.handle, post.id)).into_response())
        }
        Err(e) if matches!(e, CoreError::Refused { .. } | CoreError::Invalid { .. }) => {
            compose_page(state, ctx, form, Some(&e), editing).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn drafts(State(state): State<AppState>, ctx: Ctx) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let posts = posts::unpublished(&state.core, actor).await?;
    let mut page = feed_page(&ctx, "Drafts and scheduled posts", posts);
    page.empty = "No drafts or scheduled posts.";
    page.intro = Some("Only you can see these. Open one and choose Edit to publish it.".into());
    Ok(render(&page))
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
