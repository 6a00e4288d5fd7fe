//! What a person's filters do to a listing: which posts they leave out, and which they fold
//! with the filter's title. Read per request (one query when the person has no filter).

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::content;
use crate::kernel::clock::now_ms;
use crate::kernel::db::{col, placeholders};
use crate::kernel::{Actor, Core, CoreResult};

use super::store::load;
use super::{Action, Context, Filter, Keyword};

/// One filter that matched a post: which of its keywords, and whether it names the post.
#[derive(Debug, Clone)]
pub struct FilterResult {
    pub filter: Filter,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<i64>,
}

/// What the filters do to a page of posts.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Posts a `hide` filter leaves out.
    pub hidden: HashSet<i64>,
    /// Posts shown folded, with the `warn` filters that matched them.
    pub warned: HashMap<i64, Vec<FilterResult>>,
}

impl Applied {
    /// Whether a post (or the post a boost shares) is left out.
    pub fn hides(&self, id: i64, shared: Option<i64>) -> bool {
        self.hidden.contains(&id) || shared.is_some_and(|s| self.hidden.contains(&s))
    }
}

/// The actor's filters for `context` (unexpired) applied to `post_ids`.
pub async fn apply(
    core: &Core,
    actor: &Actor,
    context: Context,
    post_ids: &[i64],
) -> CoreResult<Applied> {
    let now = now_ms();
    let filters: Vec<Filter> = load(core, actor.profile_id, None)
        .await?
        .into_iter()
        .filter(|f| f.contexts.contains(&context) && f.expires_at.is_none_or(|at| at > now))
        .collect();
    let mut applied = Applied::default();
    if filters.is_empty() || post_ids.is_empty() {
        return Ok(applied);
    }
    let texts = searchable_texts(core, post_ids).await?;
    let patterns: Vec<Vec<(String, Regex)>> = filters
        .iter()
        .map(|f| f.keywords.iter().filter_map(pattern).collect())
        .collect();
    for &id in post_ids {
        let text = texts.get(&id).map(String::as_str).unwrap_or_default();
        for (filter, patterns) in filters.iter().zip(&patterns) {
            let keyword_matches: Vec<String> = patterns
                .iter()
                .filter(|(_, re)| re.is_match(text))
                .map(|(k, _)| k.clone())
                .collect();
            let status_matches: Vec<i64> = filter
                .posts
                .iter()
                .filter(|p| p.post_id == id)
                .map(|p| p.post_id)
                .collect();
            if keyword_matches.is_empty() && status_matches.is_empty() {
                continue;
            }
            match filter.action {
                Action::Hide => {
                    applied.hidden.insert(id);
                }
                Action::Warn => applied.warned.entry(id).or_default().push(FilterResult {
                    filter: filter.clone(),
                    keyword_matches,
                    status_matches,
                }),
            }
        }
    }
    Ok(applied)
}

/// A keyword as a case-insensitive pattern; a whole word is bounded where it starts or ends
/// with a letter or digit (as Mastodon matches, so `#flu` or `C++` still match).
fn pattern(k: &Keyword) -> Option<(String, Regex)> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let (start, end) = if k.whole_word {
        (
            if word(k.keyword.chars().next()) {
                r"\b"
            } else {
                ""
            },
            if word(k.keyword.chars().last()) {
                r"\b"
            } else {
                ""
            },
        )
    } else {
        ("", "")
    };
    let re = Regex::new(&format!("(?i){start}{}{end}", regex::escape(&k.keyword))).ok()?;
    Some((k.keyword.clone(), re))
}

/// What a filter reads of each post: title, text as readers see it, content warning and the
/// alt text of its files.
async fn searchable_texts(core: &Core, ids: &[i64]) -> CoreResult<HashMap<i64, String>> {
    let list = placeholders(1, ids.len());
    let sql = format!("SELECT id, title, body_html, spoiler_text FROM posts WHERE id IN ({list})");
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut texts = HashMap::with_capacity(ids.len());
    for r in query.fetch_all(&core.db.pool).await? {
        let id: i64 = col(&r, "id")?;
        let title: String = col(&r, "title")?;
        let body: String = col(&r, "body_html")?;
        let spoiler: String = col(&r, "spoiler_text")?;
        texts.insert(
            id,
            format!("{title}\n{}\n{spoiler}", content::visible_text(&body)),
        );
    }
    let sql = format!("SELECT post_id, description FROM media WHERE post_id IN ({list})");
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for r in query.fetch_all(&core.db.pool).await? {
        let id: i64 = col(&r, "post_id")?;
        let description: String = col(&r, "description")?;
        texts
            .entry(id)
            .or_default()
            .push_str(&format!("\n{description}"));
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(keyword: &str, whole_word: bool, text: &str) -> bool {
        let k = Keyword {
            id: 1,
            filter_id: 1,
            keyword: keyword.into(),
            whole_word,
        };
        pattern(&k).unwrap().1.is_match(text)
    }

    #[test]
    fn keywords_match_as_mastodon_matches_them() {
        assert!(matches("cancer", true, "A new Cancer screening"));
        assert!(!matches("cancer", true, "cancerous cells"));
        assert!(matches("cancer", false, "cancerous cells"));
        assert!(matches("#flu", true, "season of #flu shots"));
        assert!(matches("C++", true, "written in C++ today"));
        assert!(
            !matches("a.b", false, "axb"),
            "the keyword is text, not a pattern"
        );
    }
}
