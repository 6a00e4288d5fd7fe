//! Composing a post (a draft, published now, or scheduled) and what publishing sets off:
//! notifications, counts, and the fan-out to home feeds.

use crate::home_feeds;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col, placeholders, Backend, Tx};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::media;
use crate::notifications;
use crate::profiles;
use crate::topics;

use super::compose::{prepare, Prepared};
use super::model::label_code;
use super::model::{Compose, Post, PostState, Visibility};
use super::rules::{enforce_rules, rank_bonus, state_for};
use super::view::{view, view_published};

/// A reply typed under a post on its page.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub body: String,
    /// Sent to the people it mentions only (a reply to a private message is, whatever this says).
    pub private: bool,
    /// A member confirms they want to share their own health details in public.
    pub confirm_public_overshare: bool,
}

/// A reply and the post it answers.
pub struct Replied {
    pub parent: Post,
    pub reply: Post,
}

/// Replies to a post the actor can read, in the post's audience. A private reply (and any reply
/// to a private message) names the author it answers, so it reaches them.
pub async fn reply(
    core: &Core,
    actor: &Actor,
    parent_id: i64,
    reply: Reply,
) -> CoreResult<Replied> {
    let parent = view_published(core, Some(actor), parent_id).await?;
    let private = reply.private || parent.visibility == Visibility::Direct;
    let mention = format!("@{}", parent.author.handle);
    let body = if private && !reply.body.contains(&mention) {
        format!("{mention} {}", reply.body)
    } else {
        reply.body
    };
    let compose = Compose {
        body,
        in_reply_to_id: Some(parent.id),
        visibility: if private {
            Visibility::Direct
        } else {
            parent.visibility
        },
        // A reply to an unlisted post stays out of discovery as well.
        unlisted: !private && parent.unlisted,
        confirm_public_overshare: reply.confirm_public_overshare,
        ..Compose::default()
    };
    let reply = create(core, actor, compose).await?;
    Ok(Replied { parent, reply })
}

/// Composes a post: saves a draft, publishes it now, or schedules it. Returns the stored post.
pub async fn create(core: &Core, actor: &Actor, input: Compose) -> CoreResult<Post> {
    if !input.media_descriptions.is_empty() {
        // Only an edit saves them (`edit::update`); a new post's files carry their own.
        return Err(CoreError::invalid(
            "media_attributes",
            "Give alt text with the upload (description), or with PUT /api/v1/media/:id, \
             before posting; media_attributes change it on an edit",
        ));
    }
    let author = profiles::get(core, actor.profile_id).await?;
    let prepared = prepare(core, actor, &author, &input, None).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids = media::claimable(
        core,
        actor,
        &input.media_ids,
        None,
        state != PostState::Draft,
        &prepared.media_descriptions,
    )
    .await?;
    let now = now_ms();
    let id = new_id();
    let bonus = rank_bonus(
        author.is_verified(),
        label_code(prepared.assessment.label),
        false,
    );
    let published_at = (state == PostState::Published).then_some(now);
    let mut tx = core.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO posts (id, author_id, kind, state, visibility, title, body, body_html, \
         spoiler_text, sensitive, disclosure, in_reply_to_id, label, label_reasons, score, \
         reading_grade, rank, created_at, published_at, scheduled_at, unlisted) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21)",
    )
    .bind(id)
    .bind(author.id)
    .bind(input.kind.as_str())
    .bind(state.as_str())
    .bind(input.visibility.as_str())
    .bind(&prepared.title)
    .bind(&prepared.body)
    .bind(&prepared.body_html)
    .bind(&prepared.spoiler_text)
    .bind(i64::from(input.sensitive))
    .bind(&prepared.disclosure)
    .bind(prepared.parent.map(|p| p.0))
    .bind(label_code(prepared.assessment.label))
    .bind(serde_json::to_string(&prepared.assessment.reasons).unwrap_or_default())
    .bind(i64::from(prepared.assessment.score))
    .bind(prepared.assessment.reading_grade)
    // While scheduled, `rank` holds the bonus alone; publishing adds the time.
    .bind(published_at.map_or(bonus, |t| t + bonus))
    .bind(now)
    .bind(published_at)
    .bind(scheduled_at)
    .bind(i64::from(
        input.unlisted && input.visibility == Visibility::Public,
    ))
    .execute(&mut *tx)
    .await?;
    write_parts(core, &mut tx, id, actor, &prepared, &media_ids, state).await?;
    if state == PostState::Published {
        on_published(
            &mut tx,
            core.db.backend,
            id,
            author.id,
            &prepared.mention_ids,
            prepared.parent,
        )
        .await?;
    }
    tx.commit().await?;
    view(core, Some(actor), id).await
}

/// Citations, topics, mentions, co-authors, review requests, consent and media of a post
/// (replacing what an earlier version had).
pub(super) async fn write_parts(
    core: &Core,
    tx: &mut Tx,
    id: i64,
    actor: &Actor,
    prepared: &Prepared,
    media_ids: &[i64],
    state: PostState,
) -> CoreResult<()> {
    // Requests to others (review, co-authorship) and consent records wait until the post goes
    // out: a draft is private and may never be published.
    let going_out = state != PostState::Draft;
    let keep = if prepared.coauthor_ids.is_empty() {
        "0".to_string()
    } else {
        placeholders(2, prepared.coauthor_ids.len())
    };
    let sql = format!("DELETE FROM coauthors WHERE post_id = $1 AND profile_id NOT IN ({keep})");
    let mut query = sqlx::query(&sql).bind(id);
    for coauthor in &prepared.coauthor_ids {
        query = query.bind(*coauthor);
    }
    query.execute(&mut **tx).await?;
    for table in ["citations", "post_topics", "mentions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for (position, c) in prepared.citations.iter().enumerate() {
        sqlx::query(
            "INSERT INTO citations (post_id, position, kind, value, title, tier) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(c.kind.as_str())
        .bind(&c.value)
        .bind(&c.title)
        .bind(c.tier)
        .execute(&mut **tx)
        .await?;
    }
    for slug in &prepared.topic_slugs {
        let topic_id = topics::ensure(tx, slug).await?;
        sqlx::query("INSERT INTO post_topics (post_id, topic_id) VALUES ($1, $2)")
            .bind(id)
            .bind(topic_id)
            .execute(&mut **tx)
            .await?;
    }
    for profile_id in &prepared.mention_ids {
        sqlx::query("INSERT INTO mentions (post_id, profile_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*profile_id)
            .execute(&mut **tx)
            .await?;
    }
    if !going_out {
        media::attach(tx, id, media_ids).await?;
        return Ok(());
    }
    for profile_id in &prepared.coauthor_ids {
        let asked = sqlx::query(
            "INSERT INTO coauthors (post_id, profile_id) VALUES ($1, $2) \
             ON CONFLICT (post_id, profile_id) DO NOTHING",
        )
        .bind(id)
        .bind(*profile_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if asked == 1 {
            notifications::notify(
                tx,
                *profile_id,
                "coauthor_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    for reviewer in &prepared.reviewer_ids {
        let inserted = sqlx::query(
            "INSERT INTO review_requests (id, post_id, reviewer_id, state, created_at) \
             VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (post_id, reviewer_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(id)
        .bind(*reviewer)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            notifications::notify(
                tx,
                *reviewer,
                "review_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    if let Some(consent) = &prepared.consent {
        let covered: Vec<String> = prepared
            .assessment
            .report
            .phi
            .iter()
            .map(|p| p.text.to_lowercase())
            .collect();
        super::consent::record(core, tx, id, actor.profile_id, consent, covered).await?;
    }
    media::attach(tx, id, media_ids).await?;
    Ok(())
}

/// What happens when a post goes public: mentions and the replied-to author are notified, the
/// parent's reply count goes up, and so does the author's public post count.
pub(super) async fn on_published(
    tx: &mut Tx,
    backend: Backend,
    id: i64,
    author_id: i64,
    mention_ids: &[i64],
    parent: Option<(i64, i64)>,
) -> CoreResult<()> {
    let row = sqlx::query("SELECT visibility, published_at FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    if parse_col::<Visibility>(&row, "visibility")? == Visibility::Public {
        let at: Option<i64> = col(&row, "published_at")?;
        profiles::count_post(tx, author_id, 1, at).await?;
    }
    for m in mention_ids {
        notifications::notify(tx, *m, "mention", Some(author_id), Some(id)).await?;
    }
    if let Some((parent_id, parent_author)) = parent {
        sqlx::query("UPDATE posts SET replies_count = replies_count + 1 WHERE id = $1")
            .bind(parent_id)
            .execute(&mut **tx)
            .await?;
        if !mention_ids.contains(&parent_author) {
            notifications::notify(tx, parent_author, "reply", Some(author_id), Some(id)).await?;
        }
    } else {
        home_feeds::fan_out(tx, backend, id, author_id).await?;
    }
    Ok(())
}

/// Gives a post that is being published now a fresh id. Ids order timelines and clients poll
/// for what is newer than the last id they saw, so a draft or scheduled post keeping the id of
/// its creation time would never reach them. Child rows follow (ON UPDATE CASCADE); consent
/// records, sealed for the post they belong to, are sealed again for the new id.
pub(super) async fn rekey(core: &Core, tx: &mut Tx, id: i64) -> CoreResult<i64> {
    let fresh = new_id();
    sqlx::query("UPDATE posts SET id = $2 WHERE id = $1")
        .bind(id)
        .bind(fresh)
        .execute(&mut **tx)
        .await?;
    super::consent::follow_new_id(core, tx, id, fresh).await?;
    Ok(fresh)
}
