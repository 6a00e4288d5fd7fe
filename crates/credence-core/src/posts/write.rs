//! Writing posts: compose (draft, publish, schedule), edit, delete, and the scheduler's
//! publication of due posts. Each write is one transaction.

use super::*;

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
    pub(super) assessment: Assessment,
}

pub(super) async fn profile_ids_for_handles(
    db: &Db,
    field: &'static str,
    handles: &[String],
) -> CoreResult<Vec<Profile>> {
    let mut found = profiles::by_handles(db, handles).await?;
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
    db: &Db,
    checker: &Checker,
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
        .map(|c| clean_citation(checker, c))
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
            let parent = view_published(db, Some(actor), id)
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
    let known = profiles::by_handles(db, &mentioned).await?;
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
    let coauthors = profile_ids_for_handles(db, "coauthors", &input.coauthors).await?;
    if coauthors
        .iter()
        .any(|p| p.id == author.id || !p.kind.is_verifiable())
    {
        return Err(CoreError::invalid(
            "coauthors",
            "Co-authors are other professional or organisation profiles",
        ));
    }
    let reviewers = profile_ids_for_handles(db, "reviewers", &input.reviewers).await?;
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
    let mut extra = spoiler_text.clone();
    for id in &input.media_ids {
        if let Ok(m) = media::get_own(db, actor, *id).await {
            for text in [&m.description, &m.long_description] {
                if !text.is_empty() {
                    extra.push_str("\n\n");
                    extra.push_str(text);
                }
            }
        }
    }
    let text = text_for_check_with(&title, &body, &disclosure, &citations, extra.trim());
    let assessment = assess_prose(
        checker,
        author,
        draft_kind(input.kind, parent.is_some()),
        &text,
        Some(&format!("{title}\n\n{body}")),
        &citations,
    );
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
        assessment,
    })
}

/// Composes a post: saves a draft, publishes it now, or schedules it. Returns the stored post.
pub async fn create(db: &Db, checker: &Checker, actor: &Actor, input: Compose) -> CoreResult<Post> {
    let author = profiles::get(db, actor.profile_id).await?;
    let prepared = prepare(db, checker, actor, &author, &input, None).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids =
        media::claimable(db, actor, &input.media_ids, None, state != PostState::Draft).await?;
    let now = now_ms();
    let id = new_id();
    let bonus = rank_bonus(
        author.is_verified(),
        label_code(prepared.assessment.label),
        false,
    );
    let published_at = (state == PostState::Published).then_some(now);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO posts (id, author_id, kind, state, visibility, title, body, body_html, \
         spoiler_text, sensitive, disclosure, in_reply_to_id, label, label_reasons, score, \
         reading_grade, rank, created_at, published_at, scheduled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
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
    .execute(&mut *tx)
    .await?;
    write_parts(&mut tx, id, actor, &prepared, &media_ids, state).await?;
    if state == PostState::Published {
        on_published(
            &mut tx,
            db.backend,
            id,
            author.id,
            &prepared.mention_ids,
            prepared.parent,
        )
        .await?;
    }
    tx.commit().await?;
    view(db, Some(actor), id).await
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Citations, topics, mentions, co-authors, review requests, consent and media of a post
/// (replacing what an earlier version had).
pub(super) async fn write_parts(
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
            social::notify(
                &mut **tx,
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
            social::notify(
                &mut **tx,
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
        sqlx::query(
            "INSERT INTO consents (id, post_id, author_id, patient_name, scope, consented_on, \
             covered, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(id)
        .bind(actor.profile_id)
        .bind(&consent.patient_name)
        .bind(&consent.scope)
        .bind(&consent.consented_on)
        .bind(serde_json::to_string(&covered).unwrap_or_default())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
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
        social::notify(&mut **tx, *m, "mention", Some(author_id), Some(id)).await?;
    }
    if let Some((parent_id, parent_author)) = parent {
        sqlx::query("UPDATE posts SET replies_count = replies_count + 1 WHERE id = $1")
            .bind(parent_id)
            .execute(&mut **tx)
            .await?;
        if !mention_ids.contains(&parent_author) {
            social::notify(&mut **tx, parent_author, "reply", Some(author_id), Some(id)).await?;
        }
    } else {
        home_feeds::fan_out(tx, backend, id, author_id).await?;
    }
    Ok(())
}

pub(super) async fn own_post_row(db: &Db, actor: &Actor, id: i64) -> CoreResult<Row> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
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
pub async fn update(
    db: &Db,
    checker: &Checker,
    actor: &Actor,
    id: i64,
    mut input: Compose,
) -> CoreResult<Post> {
    let row = own_post_row(db, actor, id).await?;
    let author = profiles::get(db, actor.profile_id).await?;
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
            .fetch_optional(&db.pool)
            .await?
            .map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
            .transpose()?,
        None => None,
    };
    let mut prepared = prepare(db, checker, actor, &author, &input, Some(parent)).await?;
    prepared.consent_on_file = consented_identifiers(db, id).await?;
    let (state, scheduled_at) = state_for(input.action)?;
    if state != PostState::Draft {
        enforce_rules(&author, &input, &prepared, &prepared.assessment)?;
    }
    let media_ids = media::claimable(
        db,
        actor,
        &input.media_ids,
        Some(id),
        state != PostState::Draft,
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
    let old_text = format!("{}\n\n{}\n\n{}", row.title, row.body, row.spoiler_text);
    let old_has_phi = !assess(checker, &author, DraftKind::Post, &old_text, &[])
        .report
        .phi
        .is_empty();
    let mut tx = db.begin_write().await?;
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
            social::notify(
                &mut *tx,
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
         scheduled_at = $17, edited_at = $18 WHERE id = $1",
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
    .execute(&mut *tx)
    .await?;
    write_parts(&mut tx, id, actor, &prepared, &media_ids, state).await?;
    let id = if newly_published {
        let id = rekey(&mut tx, id).await?;
        on_published(
            &mut tx,
            db.backend,
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
            home_feeds::refresh(&mut tx, db.backend, id, author.id).await?;
        }
        id
    };
    tx.commit().await?;
    view(db, Some(actor), id).await
}

/// Gives a post that is being published now a fresh id. Ids order timelines and clients poll
/// for what is newer than the last id they saw, so a draft or scheduled post keeping the id of
/// its creation time would never reach them. Child rows follow (ON UPDATE CASCADE).
pub(super) async fn rekey(tx: &mut Tx, id: i64) -> CoreResult<i64> {
    let fresh = new_id();
    sqlx::query("UPDATE posts SET id = $2 WHERE id = $1")
        .bind(id)
        .bind(fresh)
        .execute(&mut **tx)
        .await?;
    Ok(fresh)
}

/// The identifiers that consent recorded for this post covers (lower-case).
pub(super) async fn consented_identifiers(db: &Db, id: i64) -> CoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT covered FROM consents WHERE post_id = $1")
        .bind(id)
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let covered: String = col(&r, "covered")?;
        out.extend(serde_json::from_str::<Vec<String>>(&covered).unwrap_or_default());
    }
    Ok(out)
}

/// Deletes a post (its author, or a moderator): the content goes, a tombstone stays so
/// replies keep their place; boosts of it go too.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> CoreResult<()> {
    let row = sqlx::query(
        "SELECT author_id, state, visibility, in_reply_to_id, reblog_of_id FROM posts WHERE id = $1",
    )
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(CoreError::NotFound("post"))?;
    let author_id: i64 = col(&row, "author_id")?;
    let state: PostState = parse_col(&row, "state")?;
    let parent: Option<i64> = col(&row, "in_reply_to_id")?;
    let counted = state == PostState::Published
        && parse_col::<Visibility>(&row, "visibility")? == Visibility::Public;
    let moderator = matches!(actor.role, Role::Moderator | Role::Admin);
    if author_id != actor.profile_id && !(moderator && state == PostState::Published) {
        if state != PostState::Published {
            return Err(CoreError::NotFound("post"));
        }
        return Err(CoreError::forbidden("Only the author can delete this post"));
    }
    if state == PostState::Deleted {
        return Err(CoreError::NotFound("post"));
    }
    let mut tx = db.begin_write().await?;
    if let Some(original) = col::<Option<i64>>(&row, "reblog_of_id")? {
        // Deleting a boost is undoing it (as on Mastodon).
        social::remove_boost(&mut tx, db.backend, author_id, original).await?;
        tx.commit().await?;
        return Ok(());
    }
    let now = now_ms();
    sqlx::query(
        "UPDATE posts SET state = 'deleted', title = '', body = '', body_html = '', \
         spoiler_text = '', disclosure = '', label_reasons = '[]', deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM post_versions WHERE post_id = $1",
        "DELETE FROM citations WHERE post_id = $1",
        "DELETE FROM post_topics WHERE post_id = $1",
        "DELETE FROM mentions WHERE post_id = $1",
        "DELETE FROM media WHERE post_id = $1",
        "DELETE FROM notifications WHERE post_id = $1",
        "DELETE FROM home_entries WHERE post_id = $1",
        "DELETE FROM posts WHERE reblog_of_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    if counted {
        profiles::count_post(&mut tx, author_id, -1, None).await?;
    }
    if let (Some(parent), PostState::Published) = (parent, state) {
        sqlx::query(
            "UPDATE posts SET replies_count = replies_count - 1 WHERE id = $1 AND replies_count > 0",
        )
        .bind(parent)
        .execute(&mut *tx)
        .await?;
    }
    if author_id != actor.profile_id {
        crate::audit::record(
            &mut *tx,
            Some(actor.user_id),
            "post.delete",
            ("post", Some(id)),
            "removed by a moderator",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The viewer's own drafts and scheduled posts, newest first.
pub async fn unpublished(db: &Db, actor: &Actor) -> CoreResult<Vec<Post>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.author_id = $1 \
         AND p.state IN ('draft', 'scheduled') ORDER BY p.id DESC LIMIT 100"
    );
    let rows = sqlx::query(&sql)
        .bind(actor.profile_id)
        .fetch_all(&db.pool)
        .await?;
    load(db, Some(actor), rows).await
}

/// Publishes scheduled posts whose time has come. Each row is claimed with a conditional
/// UPDATE, so a post is published once even with several instances running this loop.
/// Returns how many this call published.
pub async fn publish_due(db: &Db, now: i64) -> CoreResult<usize> {
    let rows = sqlx::query(
        "SELECT id, author_id, in_reply_to_id FROM posts WHERE state = 'scheduled' \
         AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut published = 0;
    for r in rows {
        let id: i64 = col(&r, "id")?;
        let author_id: i64 = col(&r, "author_id")?;
        let parent_id: Option<i64> = col(&r, "in_reply_to_id")?;
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE posts SET state = 'published', published_at = $2, rank = rank + $2 \
             WHERE id = $1 AND state = 'scheduled'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let id = rekey(&mut tx, id).await?;
        let mention_ids: Vec<i64> =
            sqlx::query("SELECT profile_id FROM mentions WHERE post_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| col(r, "profile_id"))
                .collect::<sqlx::Result<_>>()?;
        let parent = match parent_id {
            Some(pid) => {
                let r = sqlx::query("SELECT author_id FROM posts WHERE id = $1")
                    .bind(pid)
                    .fetch_optional(&mut *tx)
                    .await?;
                r.map(|r| col::<i64>(&r, "author_id").map(|a| (pid, a)))
                    .transpose()?
            }
            None => None,
        };
        on_published(&mut tx, db.backend, id, author_id, &mention_ids, parent).await?;
        // The author hears that it went out (`actor` is none: it was the scheduler).
        sqlx::query(
            "INSERT INTO notifications (id, recipient_id, kind, actor_id, post_id, created_at) \
             VALUES ($1, $2, 'scheduled_published', $2, $3, $4)",
        )
        .bind(new_id())
        .bind(author_id)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        published += 1;
    }
    Ok(published)
}
