//! Editing a post: the author only; a published post keeps its previous version.

use credence_check::DraftKind;

use crate::content;
use crate::home_feeds;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::media;
use crate::notifications;
use crate::profiles;

use super::compose::prepare;
use super::consent::consented_identifiers;
use super::create::{on_published, rekey, write_parts};
use super::load::Row;
use super::model::label_code;
use super::model::{
    Action, CitationInput, Compose, Post, PostKind, PostState, Visibility, POST_COLUMNS,
};
use super::review::named_coauthors;
use super::rules::{assess, enforce_rules, rank_bonus, state_for};
use super::view::view;

/// An edit that says only what changes, as Mastodon's `PUT /api/v1/statuses/:id` does. What it
/// leaves out stays as the post has it: `None` lists, and in `compose` an empty title,
/// citation list or disclosure, and the kind `post` (the default of a client that knows no
/// kinds). The audience never changes.
#[derive(Debug, Clone)]
pub struct Revision {
    pub compose: Compose,
    pub media_ids: Option<Vec<i64>>,
    pub topics: Option<Vec<String>>,
    pub coauthors: Option<Vec<String>>,
}

/// Applies a [`Revision`] to one of the actor's posts (see [`update`]).
pub async fn revise(core: &Core, actor: &Actor, id: i64, revision: Revision) -> CoreResult<Post> {
    let current = view(core, Some(actor), id).await?;
    let mut compose = revision.compose;
    compose.media_ids = revision
        .media_ids
        .unwrap_or_else(|| current.media.iter().map(|m| m.id).collect());
    compose.topics = revision
        .topics
        .unwrap_or_else(|| current.topics.iter().map(|t| t.slug.clone()).collect());
    compose.coauthors = match revision.coauthors {
        Some(coauthors) => coauthors,
        // Those who have not answered yet too: an edit does not withdraw a request.
        None => named_coauthors(core, actor, id).await?,
    };
    compose.visibility = current.visibility;
    compose.unlisted = current.unlisted || compose.unlisted;
    if compose.title.is_empty() {
        compose.title = current.title.clone();
    }
    if compose.kind == PostKind::Post {
        compose.kind = current.kind;
    }
    if compose.citations.is_empty() {
        compose.citations = current
            .citations
            .iter()
            .map(|c| CitationInput {
                kind: Some(c.kind.to_string()),
                value: c.value.clone(),
                title: c.title.clone(),
            })
            .collect();
    }
    if compose.disclosure.is_empty() {
        compose.disclosure = current.disclosure.clone();
    }
    update(core, actor, id, compose).await
}

pub(super) async fn own_post_row(core: &Core, actor: &Actor, id: i64) -> CoreResult<Row> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    let row = Row::from_row(&row)?;
    if row.author_id != actor.profile_id {
        // Hidden posts stay hidden: a stranger learns nothing about a draft's existence.
        if row.state != PostState::Published {
            return Err(CoreError::NotFound("post"));
        }
        return Err(CoreError::forbidden("Only the author can change this post"));
    }
    if row.state == PostState::Deleted {
        return Err(CoreError::NotFound("post"));
    }
    if row.reblog_of_id.is_some() {
        return Err(CoreError::invalid("id", "A boost cannot be edited"));
    }
    Ok(row)
}

/// Edits a post (author only). A published post keeps its previous version and shows
/// "edited"; a draft can be published or scheduled by editing it with that action.
pub async fn update(core: &Core, actor: &Actor, id: i64, mut input: Compose) -> CoreResult<Post> {
    let row = own_post_row(core, actor, id).await?;
    let author = profiles::get(core, actor.profile_id).await?;
    input.in_reply_to_id = row.in_reply_to_id;
    if row.state == PostState::Published {
        // A published post cannot go back to being a draft or be rescheduled.
        input.action = Action::Publish;
    }
    if row.state == PostState::Published && input.visibility != row.visibility {
        // Boosts and replies were made for the first audience; narrowing it afterwards would
        // leave them showing the post to people it is no longer for.
        return Err(CoreError::invalid(
            "visibility",
            "Who can see a published post cannot change: delete it and post it again",
        ));
    }
    let parent = match row.in_reply_to_id {
        Some(pid) => sqlx::query("SELECT author_id FROM posts WHERE id = $1")
            .bind(pid)
            .fetch_optional(&core.db.pool)
            .await?
            .map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
            .transpose()?,
        None => None,
    };
    let mut prepared = prepare(core, actor, &author, &input, Some(parent)).await?;
    prepared.consent_on_file = consented_identifiers(core, id).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids = media::claimable(
        core,
        actor,
        &input.media_ids,
        Some(id),
        state != PostState::Draft,
        &prepared.media_descriptions,
    )
    .await?;
    let now = now_ms();
    let newly_published = state == PostState::Published && row.state != PostState::Published;
    let published_at = if newly_published {
        Some(now)
    } else {
        row.published_at
    };
    // A medical review vouches for the words reviewed: changed words need a new review.
    let text_changed = prepared.title != row.title || prepared.body != row.body;
    let keeps_review = row.reviewer_id.is_some() && !text_changed;
    let bonus = rank_bonus(
        author.is_verified(),
        label_code(prepared.assessment.label),
        keeps_review,
    );
    // Earlier versions are shown to readers, so one that names a patient is not kept.
    // Both what readers saw and what was typed: a version keeps the typed body.
    let old_seen = content::visible_text(&row.body_html);
    let old_text = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        row.title, old_seen, row.body, row.spoiler_text
    );
    let old_has_phi = !assess(core.checker(), &author, DraftKind::Post, &old_text, &[])
        .report
        .phi
        .is_empty();
    let mut tx = core.db.begin_write().await?;
    if row.reviewer_id.is_some() && text_changed {
        sqlx::query("UPDATE posts SET reviewer_id = NULL, reviewed_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let reviewers = sqlx::query(
            "UPDATE review_requests SET state = 'pending', decided_at = NULL \
             WHERE post_id = $1 AND state = 'approved' RETURNING reviewer_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for r in reviewers {
            notifications::notify(
                &mut tx,
                col(&r, "reviewer_id")?,
                "review_request",
                Some(actor.profile_id),
                Some(id),
            )
            .await?;
        }
    }
    if row.state == PostState::Published && text_changed && !old_has_phi {
        sqlx::query(
            "INSERT INTO post_versions (id, post_id, title, body, spoiler_text, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(id)
        .bind(&row.title)
        .bind(&row.body)
        .bind(&row.spoiler_text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE posts SET kind = $2, state = $3, visibility = $4, title = $5, body = $6, \
         body_html = $7, spoiler_text = $8, sensitive = $9, disclosure = $10, label = $11, \
         label_reasons = $12, score = $13, reading_grade = $14, rank = $15, published_at = $16, \
         scheduled_at = $17, edited_at = $18, unlisted = $19 WHERE id = $1",
    )
    .bind(id)
    .bind(input.kind.as_str())
    .bind(state.as_str())
    .bind(input.visibility.as_str())
    .bind(&prepared.title)
    .bind(&prepared.body)
    .bind(&prepared.body_html)
    .bind(&prepared.spoiler_text)
    .bind(i64::from(input.sensitive))
    .bind(&prepared.disclosure)
    .bind(label_code(prepared.assessment.label))
    .bind(serde_json::to_string(&prepared.assessment.reasons).unwrap_or_default())
    .bind(i64::from(prepared.assessment.score))
    .bind(prepared.assessment.reading_grade)
    .bind(published_at.map_or(bonus, |t| t + bonus))
    .bind(published_at)
    .bind(scheduled_at)
    .bind((row.state == PostState::Published).then_some(now))
    // Who may find a post is fixed once it is out; a draft or scheduled post may still change.
    .bind(i64::from(if row.state == PostState::Published {
        row.unlisted
    } else {
        input.unlisted && input.visibility == Visibility::Public
    }))
    .execute(&mut *tx)
    .await?;
    write_parts(core, &mut tx, id, actor, &prepared, &media_ids, state).await?;
    for (media_id, description) in &prepared.media_descriptions {
        // Checked with the post above; saved with it, in its transaction.
        sqlx::query("UPDATE media SET description = $1 WHERE id = $2 AND owner_id = $3")
            .bind(description)
            .bind(media_id)
            .bind(actor.profile_id)
            .execute(&mut *tx)
            .await?;
    }
    let id = if newly_published {
        let id = rekey(core, &mut tx, id).await?;
        on_published(
            &mut tx,
            core.db.backend,
            id,
            author.id,
            &prepared.mention_ids,
            prepared.parent,
        )
        .await?;
        id
    } else {
        if state == PostState::Published && prepared.parent.is_none() {
            // An edit may file the post under other topics or change who may read it.
            home_feeds::refresh(&mut tx, core.db.backend, id, author.id).await?;
        }
        id
    };
    tx.commit().await?;
    view(core, Some(actor), id).await
}
