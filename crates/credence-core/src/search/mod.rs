//! Full-text search over posts (SQLite FTS5, or PostgreSQL's tsvector with a GIN index, so
//! several instances share one index), plus profiles and topics, with a medical synonym list:
//! a search for "heart attack" also finds "myocardial infarction" (`data/synonyms.toml`).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::kernel::db::{col, Backend};
use crate::kernel::visibility::{listed_to, viewer_id, visible_to};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::posts::{self, Post, PostKind, POST_COLUMNS};
use crate::profiles::{self, Profile};
use crate::topics::{self, Topic};

#[derive(Deserialize)]
struct SynonymFile {
    groups: Vec<Vec<String>>,
}

/// Synonym groups, each phrase as lower-case words.
fn synonyms() -> &'static Vec<Vec<Vec<String>>> {
    static GROUPS: OnceLock<Vec<Vec<Vec<String>>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let file: SynonymFile =
            toml::from_str(include_str!("../../data/synonyms.toml")).expect("data/synonyms.toml");
        file.groups
            .iter()
            .map(|g| g.iter().map(|phrase| words(phrase)).collect())
            .collect()
    })
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A query as groups that must all match; each group is a set of alternative phrases.
pub fn expand(query: &str) -> Vec<Vec<Vec<String>>> {
    let tokens = words(query);
    let mut groups = Vec::new();
    let mut i = 0;
    'outer: while i < tokens.len() {
        // The longest synonym phrase starting here wins.
        let mut best: Option<(usize, &Vec<Vec<String>>)> = None;
        for group in synonyms() {
            for phrase in group {
                let n = phrase.len();
                if n > 0
                    && tokens.len() - i >= n
                    && tokens[i..i + n] == phrase[..]
                    && best.is_none_or(|(len, _)| n > len)
                {
                    best = Some((n, group));
                }
            }
        }
        if let Some((n, group)) = best {
            groups.push(group.clone());
            i += n;
            continue 'outer;
        }
        groups.push(vec![vec![tokens[i].clone()]]);
        i += 1;
    }
    groups.truncate(12);
    groups
}

/// The FTS5 MATCH expression for expanded groups: phrases quoted, alternatives OR-ed.
fn fts5_query(groups: &[Vec<Vec<String>>]) -> String {
    groups
        .iter()
        .map(|alternatives| {
            let phrases: Vec<String> = alternatives
                .iter()
                .map(|p| format!("\"{}\"", p.join(" ").replace('"', "")))
                .collect();
            format!("({})", phrases.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// This server's domain, for addresses typed as `handle@domain`.
    pub local_domain: String,
    pub verified_only: bool,
    pub kind: Option<PostKind>,
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    pub posts: Vec<Post>,
    pub profiles: Vec<Profile>,
    pub topics: Vec<Topic>,
}

/// Posts matching the query that the viewer may read, best match first.
pub async fn posts(
    core: &Core,
    viewer: Option<&Actor>,
    query: &str,
    filters: &Filters,
    offset: i64,
    limit: i64,
) -> CoreResult<Vec<Post>> {
    let groups = expand(query);
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds: Vec<String> = Vec::new();
    let mut condition = format!(
        "p.state = 'published' AND p.reblog_of_id IS NULL AND {} AND {}",
        visible_to(1),
        listed_to(1)
    );
    if filters.verified_only {
        condition.push_str(
            " AND EXISTS (SELECT 1 FROM profiles a WHERE a.id = p.author_id \
              AND a.verification_state = 'verified')",
        );
    }
    if let Some(kind) = filters.kind {
        condition.push_str(&format!(" AND p.kind = '{}'", kind.as_str()));
    }
    // Text parameters start at $2 ($1 is the viewer).
    let mut next = 2;
    if let Some(topic) = &filters.topic {
        binds.push(topics::slugify(topic));
        condition.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM post_topics pt JOIN topics t ON t.id = pt.topic_id \
              WHERE pt.post_id = p.id AND t.slug = ${next})"
        ));
        next += 1;
    }
    let limit = limit.clamp(1, 40);
    let offset = offset.clamp(0, 10_000);
    let sql = match core.db.backend {
        Backend::Sqlite => {
            binds.push(fts5_query(&groups));
            format!(
                "SELECT {POST_COLUMNS} FROM post_search s JOIN posts p ON p.id = s.rowid \
                 WHERE post_search MATCH ${next} AND {condition} \
                 ORDER BY s.rank LIMIT {limit} OFFSET {offset}"
            )
        }
        Backend::Postgres => {
            let mut and_parts = Vec::new();
            for alternatives in &groups {
                let mut or_parts = Vec::new();
                for phrase in alternatives {
                    binds.push(phrase.join(" "));
                    or_parts.push(format!("phraseto_tsquery('english', ${next})"));
                    next += 1;
                }
                and_parts.push(format!("({})", or_parts.join(" || ")));
            }
            let tsquery = and_parts.join(" && ");
            format!(
                "SELECT {POST_COLUMNS} FROM posts p, (SELECT {tsquery} AS query) q \
                 WHERE p.search @@ q.query AND {condition} \
                 ORDER BY ts_rank(p.search, q.query) DESC, p.id DESC LIMIT {limit} OFFSET {offset}"
            )
        }
    };
    // On PostgreSQL, planned with the words each time: a common word and a rare one want
    // different plans (`Backend::keeps_value_plans`).
    let mut q = sqlx::query(&sql)
        .persistent(core.db.backend.keeps_value_plans())
        .bind(viewer_id(viewer));
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(&core.db.pool).await.map_err(|e| match e {
        // A query FTS5 cannot parse is the searcher's input, not a server fault.
        sqlx::Error::Database(d) if d.message().contains("fts5") => {
            CoreError::invalid("q", "That search could not be understood")
        }
        other => CoreError::Database(other),
    })?;
    posts::load(core, viewer, rows).await
}

/// Profiles whose handle, name, profession or specialty contain the query; the handle typed
/// exactly first (`dr_okafor`, `@dr_okafor`, `dr_okafor@this.domain`), then verified people.
pub async fn profiles(
    core: &Core,
    query: &str,
    local_domain: &str,
    verified_only: bool,
    limit: i64,
) -> CoreResult<Vec<Profile>> {
    let q = query.trim().trim_start_matches('@').to_lowercase();
    // An address is looked up by its handle when it is this server's (`handle@this.domain`);
    // another server's address names nobody here (no federation yet), so a local namesake is
    // never offered for it.
    let (q, domain) = match q.split_once('@') {
        Some((handle, domain)) => (handle.trim(), Some(domain.trim())),
        None => (q.as_str(), None),
    };
    if domain.is_some_and(|d| !d.is_empty() && !d.eq_ignore_ascii_case(local_domain)) {
        return Ok(Vec::new());
    }
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let pattern = format!("%{}%", like_literal(q));
    let verified = if verified_only {
        " AND verification_state = 'verified'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id FROM profiles WHERE (handle_lower LIKE $1 ESCAPE '\\' \
         OR LOWER(display_name) LIKE $1 ESCAPE '\\' \
         OR LOWER(COALESCE(specialty, '')) LIKE $1 ESCAPE '\\' \
         OR LOWER(COALESCE(profession, '')) LIKE $1 ESCAPE '\\'){verified} \
         ORDER BY CASE WHEN handle_lower = $3 THEN 0 ELSE 1 END, \
         CASE WHEN verification_state = 'verified' THEN 0 ELSE 1 END, handle_lower LIMIT $2"
    );
    let ids: Vec<i64> = sqlx::query(&sql)
        .bind(pattern)
        .bind(limit.clamp(1, 40))
        .bind(q)
        .fetch_all(&core.db.pool)
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<sqlx::Result<_>>()?;
    let people = profiles::public_by_ids(core, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| people.get(id).cloned())
        .collect())
}

/// `text` matched literally by `LIKE … ESCAPE '\'`: its `%` and `_` are not wildcards
/// (handles have underscores: `dr_okafor` must not match `drXokafor`, nor lose its `_`).
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Posts, profiles and topics for one query (the search page and `/api/v2/search`).
pub async fn everything(
    core: &Core,
    viewer: Option<&Actor>,
    query: &str,
    filters: &Filters,
    offset: i64,
    limit: i64,
) -> CoreResult<Results> {
    if query.trim().chars().count() > 200 {
        return Err(CoreError::invalid(
            "q",
            "A search can be at most 200 characters",
        ));
    }
    if query.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            "q",
            "A search cannot contain control characters",
        ));
    }
    Ok(Results {
        posts: posts(core, viewer, query, filters, offset, limit).await?,
        profiles: profiles(
            core,
            query,
            &filters.local_domain,
            filters.verified_only,
            limit,
        )
        .await?,
        topics: topics::search(core, query, limit).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_expand_lay_and_clinical_terms() {
        let groups = expand("Heart attack aspirin");
        assert_eq!(groups.len(), 2);
        assert!(groups[0].contains(&vec!["myocardial".to_string(), "infarction".to_string()]));
        assert_eq!(groups[1], vec![vec!["aspirin".to_string()]]);
        let q = fts5_query(&groups);
        assert_eq!(
            q,
            "(\"heart attack\" OR \"myocardial infarction\") AND (\"aspirin\")"
        );
    }

    #[test]
    fn quotes_cannot_break_out_of_a_phrase() {
        let q = fts5_query(&expand("\"flu OR\" NEAR("));
        assert!(!q.contains("NEAR("), "{q}");
    }
}
