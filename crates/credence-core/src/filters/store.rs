//! Filters as stored: made, read, changed and removed by their owner only.

use std::collections::HashMap;

use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col, placeholders, Tx};
use crate::kernel::text::single_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::posts;

use super::{Action, Context, Filter, FilterInput, FilteredPost, Keyword, KeywordChange};

/// Most filters one person keeps, and keywords in one.
const MAX_FILTERS: usize = 100;
const MAX_KEYWORDS: usize = 100;

fn not_found() -> CoreError {
    CoreError::NotFound("filter")
}

fn clean_title(title: &str) -> CoreResult<String> {
    let title = single_line("title", "A filter's title", title, 100)?;
    if title.is_empty() {
        return Err(CoreError::invalid("title", "Give the filter a title"));
    }
    Ok(title)
}

fn clean_keyword(keyword: &str) -> CoreResult<String> {
    let keyword = single_line("keyword", "A keyword", keyword, 100)?;
    if keyword.is_empty() {
        return Err(CoreError::invalid("keyword", "A keyword cannot be empty"));
    }
    Ok(keyword)
}

fn contexts_text(contexts: &[Context]) -> CoreResult<String> {
    if contexts.is_empty() {
        return Err(CoreError::invalid(
            "context",
            "Say where the filter applies: home, notifications, public, thread or account",
        ));
    }
    let mut names: Vec<&str> = contexts.iter().map(|c| c.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(names.join(" "))
}

fn expiry(expires_in: Option<i64>) -> CoreResult<Option<i64>> {
    match expires_in {
        None => Ok(None),
        Some(seconds) if seconds > 0 => Ok(Some(now_ms() + seconds.min(10 * 365 * 86_400) * 1000)),
        Some(_) => Err(CoreError::invalid(
            "expires_in",
            "expires_in is a number of seconds above zero, or empty for never",
        )),
    }
}

/// Filters of `owner` (one id, or all when `only` is `None`), with keywords and posts.
pub(super) async fn load(core: &Core, owner: i64, only: Option<i64>) -> CoreResult<Vec<Filter>> {
    let one = if only.is_some() { " AND id = $2" } else { "" };
    let sql = format!(
        "SELECT id, title, contexts, action, expires_at FROM filters \
         WHERE owner_id = $1{one} ORDER BY id"
    );
    let mut query = sqlx::query(&sql).bind(owner);
    if let Some(id) = only {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&core.db.pool).await?;
    let mut filters = Vec::with_capacity(rows.len());
    for r in &rows {
        let contexts: String = col(r, "contexts")?;
        filters.push(Filter {
            id: col(r, "id")?,
            title: col(r, "title")?,
            contexts: contexts
                .split_whitespace()
                .filter_map(|c| c.parse().ok())
                .collect(),
            action: parse_col(r, "action")?,
            expires_at: col(r, "expires_at")?,
            keywords: Vec::new(),
            posts: Vec::new(),
        });
    }
    if filters.is_empty() {
        return Ok(filters);
    }
    let ids: Vec<i64> = filters.iter().map(|f| f.id).collect();
    let list = placeholders(1, ids.len());
    let mut keywords: HashMap<i64, Vec<Keyword>> = HashMap::new();
    let sql = format!(
        "SELECT id, filter_id, keyword, whole_word FROM filter_keywords \
         WHERE filter_id IN ({list}) ORDER BY id"
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(*id);
    }
    for r in q.fetch_all(&core.db.pool).await? {
        let k = Keyword {
            id: col(&r, "id")?,
            filter_id: col(&r, "filter_id")?,
            keyword: col(&r, "keyword")?,
            whole_word: col::<i64>(&r, "whole_word")? != 0,
        };
        keywords.entry(k.filter_id).or_default().push(k);
    }
    let sql = format!(
        "SELECT id, filter_id, post_id FROM filter_statuses WHERE filter_id IN ({list}) ORDER BY id"
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(*id);
    }
    let mut posts: HashMap<i64, Vec<FilteredPost>> = HashMap::new();
    for r in q.fetch_all(&core.db.pool).await? {
        let p = FilteredPost {
            id: col(&r, "id")?,
            filter_id: col(&r, "filter_id")?,
            post_id: col(&r, "post_id")?,
        };
        posts.entry(p.filter_id).or_default().push(p);
    }
    for f in &mut filters {
        f.keywords = keywords.remove(&f.id).unwrap_or_default();
        f.posts = posts.remove(&f.id).unwrap_or_default();
    }
    Ok(filters)
}

/// The actor's filters, oldest first.
pub async fn own(core: &Core, actor: &Actor) -> CoreResult<Vec<Filter>> {
    load(core, actor.profile_id, None).await
}

/// One of the actor's filters.
pub async fn get(core: &Core, actor: &Actor, id: i64) -> CoreResult<Filter> {
    load(core, actor.profile_id, Some(id))
        .await?
        .pop()
        .ok_or_else(not_found)
}

pub async fn create(core: &Core, actor: &Actor, input: &FilterInput) -> CoreResult<Filter> {
    let title = clean_title(input.title.as_deref().unwrap_or_default())?;
    let contexts = contexts_text(input.contexts.as_deref().unwrap_or_default())?;
    let expires_at = expiry(input.expires_in.flatten())?;
    if own(core, actor).await?.len() >= MAX_FILTERS {
        return Err(CoreError::invalid(
            "title",
            format!("You can keep at most {MAX_FILTERS} filters"),
        ));
    }
    let id = new_id();
    let mut tx = core.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO filters (id, owner_id, title, contexts, action, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(actor.profile_id)
    .bind(&title)
    .bind(&contexts)
    .bind(input.action.unwrap_or(Action::Warn).as_str())
    .bind(expires_at)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    change_keywords(&mut tx, id, &input.keywords).await?;
    tx.commit().await?;
    get(core, actor, id).await
}

pub async fn update(
    core: &Core,
    actor: &Actor,
    id: i64,
    input: &FilterInput,
) -> CoreResult<Filter> {
    let current = get(core, actor, id).await?;
    let title = clean_title(input.title.as_deref().unwrap_or(&current.title))?;
    let contexts = contexts_text(input.contexts.as_deref().unwrap_or(&current.contexts))?;
    let expires_at = match input.expires_in {
        Some(expires_in) => expiry(expires_in)?,
        None => current.expires_at,
    };
    let mut tx = core.db.begin_write().await?;
    sqlx::query(
        "UPDATE filters SET title = $1, contexts = $2, action = $3, expires_at = $4 \
         WHERE id = $5 AND owner_id = $6",
    )
    .bind(&title)
    .bind(&contexts)
    .bind(input.action.unwrap_or(current.action).as_str())
    .bind(expires_at)
    .bind(id)
    .bind(actor.profile_id)
    .execute(&mut *tx)
    .await?;
    change_keywords(&mut tx, id, &input.keywords).await?;
    tx.commit().await?;
    get(core, actor, id).await
}

/// Adds, changes and removes keywords of filter `id` (already known to be the actor's).
async fn change_keywords(tx: &mut Tx, id: i64, changes: &[KeywordChange]) -> CoreResult<()> {
    for change in changes {
        match (change.id, change.destroy) {
            (Some(keyword_id), true) => {
                sqlx::query("DELETE FROM filter_keywords WHERE id = $1 AND filter_id = $2")
                    .bind(keyword_id)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            (Some(keyword_id), false) => {
                let changed = sqlx::query(
                    "UPDATE filter_keywords SET keyword = $1, whole_word = $2 \
                     WHERE id = $3 AND filter_id = $4",
                )
                .bind(clean_keyword(&change.keyword)?)
                .bind(i64::from(change.whole_word))
                .bind(keyword_id)
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(CoreError::NotFound("filter keyword"));
                }
            }
            (None, true) => {}
            (None, false) => {
                insert_keyword(tx, id, &change.keyword, change.whole_word).await?;
            }
        }
    }
    let count = sqlx::query("SELECT COUNT(*) AS n FROM filter_keywords WHERE filter_id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    if col::<i64>(&count, "n")? as usize > MAX_KEYWORDS {
        return Err(CoreError::invalid(
            "keywords_attributes",
            format!("A filter has at most {MAX_KEYWORDS} keywords"),
        ));
    }
    Ok(())
}

async fn insert_keyword(
    tx: &mut Tx,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> CoreResult<i64> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO filter_keywords (id, filter_id, keyword, whole_word) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(filter_id)
    .bind(clean_keyword(keyword)?)
    .bind(i64::from(whole_word))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn delete(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    core.db
        .delete_owned("filters", "owner_id", id, actor.profile_id, "filter")
        .await
}

/// The filter a keyword or filtered post (`table`, `id`) belongs to, if it is the actor's.
async fn owning_filter(core: &Core, actor: &Actor, table: &str, id: i64) -> CoreResult<i64> {
    let row = sqlx::query(&format!(
        "SELECT x.filter_id FROM {table} x JOIN filters f ON f.id = x.filter_id \
         WHERE x.id = $1 AND f.owner_id = $2"
    ))
    .bind(id)
    .bind(actor.profile_id)
    .fetch_optional(&core.db.pool)
    .await?
    .ok_or_else(not_found)?;
    Ok(col(&row, "filter_id")?)
}

pub async fn add_keyword(
    core: &Core,
    actor: &Actor,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> CoreResult<Keyword> {
    get(core, actor, filter_id).await?;
    let mut tx = core.db.begin_write().await?;
    let id = insert_keyword(&mut tx, filter_id, keyword, whole_word).await?;
    change_keywords(&mut tx, filter_id, &[]).await?;
    tx.commit().await?;
    self::keyword(core, actor, id).await
}

pub async fn keyword(core: &Core, actor: &Actor, id: i64) -> CoreResult<Keyword> {
    let filter_id = owning_filter(core, actor, "filter_keywords", id).await?;
    get(core, actor, filter_id)
        .await?
        .keywords
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(not_found)
}

pub async fn update_keyword(
    core: &Core,
    actor: &Actor,
    id: i64,
    keyword: &str,
    whole_word: bool,
) -> CoreResult<Keyword> {
    let filter_id = owning_filter(core, actor, "filter_keywords", id).await?;
    let mut tx = core.db.begin_write().await?;
    let change = KeywordChange {
        id: Some(id),
        keyword: keyword.to_string(),
        whole_word,
        destroy: false,
    };
    change_keywords(&mut tx, filter_id, &[change]).await?;
    tx.commit().await?;
    self::keyword(core, actor, id).await
}

pub async fn delete_keyword(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    owning_filter(core, actor, "filter_keywords", id).await?;
    sqlx::query("DELETE FROM filter_keywords WHERE id = $1")
        .bind(id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}

/// Filters one post the actor can read.
pub async fn add_status(
    core: &Core,
    actor: &Actor,
    filter_id: i64,
    post_id: i64,
) -> CoreResult<FilteredPost> {
    get(core, actor, filter_id).await?;
    posts::view_published(core, Some(actor), post_id).await?;
    sqlx::query(
        "INSERT INTO filter_statuses (id, filter_id, post_id) VALUES ($1, $2, $3) \
         ON CONFLICT (filter_id, post_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(filter_id)
    .bind(post_id)
    .execute(&core.db.pool)
    .await?;
    get(core, actor, filter_id)
        .await?
        .posts
        .into_iter()
        .find(|p| p.post_id == post_id)
        .ok_or_else(not_found)
}

pub async fn status(core: &Core, actor: &Actor, id: i64) -> CoreResult<FilteredPost> {
    let filter_id = owning_filter(core, actor, "filter_statuses", id).await?;
    get(core, actor, filter_id)
        .await?
        .posts
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(not_found)
}

pub async fn delete_status(core: &Core, actor: &Actor, id: i64) -> CoreResult<()> {
    owning_filter(core, actor, "filter_statuses", id).await?;
    sqlx::query("DELETE FROM filter_statuses WHERE id = $1")
        .bind(id)
        .execute(&core.db.pool)
        .await?;
    Ok(())
}
