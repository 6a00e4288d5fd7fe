//! Feed pages: home (people and topics followed), explore (credible first), and the posts on a
//! profile page.

use axum::extract::{Query, State};
use axum::response::Response;
use credence_core::engagement;
use credence_core::posts;
use credence_core::profiles::Profile;
use credence_core::timelines::{self, Page, ProfilePosts};

use crate::error::HtmlError;
use crate::page::{cards, feed_page, next_link, render, Card, FeedQuery, FollowButton};
use crate::session::Ctx;
use crate::state::AppState;

pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FeedQuery>,
) -> Result<Response, HtmlError> {
    let actor = ctx.require()?;
    let asked = q.page();
    let refs = timelines::home(&state.core, actor, &asked).await?;
    let posts = posts::load_refs(&state.core, Some(actor), &refs).await?;
    let next = next_link("/home", &refs, &asked);
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
    let (refs, cursor) = timelines::explore(&state.core, ctx.actor(), after, 20).await?;
    let posts = posts::load_refs(&state.core, ctx.actor(), &refs).await?;
    let mut page = feed_page(&ctx, "Explore", posts);
    page.intro = Some(
        "Public posts, credible first: verified authors, cited evidence and medical review \
         move a post up."
            .into(),
    );
    page.next = cursor.map(|(rank, id)| format!("/explore?after={rank}_{id}"));
    Ok(render(&page))
}

/// The posts section of a profile page, and its follow button.
pub(crate) async fn profile_feed(
    state: &AppState,
    ctx: &Ctx,
    profile: &Profile,
    asked: &Page,
) -> Result<(Vec<Card>, Option<String>, Option<FollowButton>), HtmlError> {
    let refs = timelines::profile(
        &state.core,
        ctx.actor(),
        profile.id,
        &ProfilePosts::page(),
        asked,
    )
    .await?;
    let posts = posts::load_refs(&state.core, ctx.actor(), &refs).await?;
    let next = next_link(&format!("/@{}", profile.handle), &refs, asked);
    let follow = match ctx.actor() {
        Some(a) if a.profile_id != profile.id => {
            let r = engagement::relationship(&state.core, a, profile.id).await?;
            let mut button = FollowButton::new(
                &format!("/@{}", profile.handle),
                r.following,
                if profile.locked {
                    format!("Ask to follow @{}", profile.handle)
                } else {
                    format!("Follow @{}", profile.handle)
                },
            );
            if r.requested {
                // Pressing it again withdraws the request.
                button = FollowButton::new(&format!("/@{}", profile.handle), true, String::new());
                button.label = "Requested (withdraw)".into();
            }
            Some(button)
        }
        _ => None,
    };
    Ok((cards(posts, ctx), next, follow))
}
