//! Status lists rendered from a cache of JSON fragments.
//!
//! A timeline page used to load every post in full (author, citations, topics, media,
//! co-authors, mentions, viewer flags: a dozen queries) and build each status as a
//! `serde_json::Value` tree: ~4 ms per page on a seeded instance, of which SQL was a third.
//! Here the page query returns [`PostRef`]s (ids, render versions, counts and the viewer's
//! flags); each status's fixed part and each account are rendered once per version and kept,
//! and a page is assembled by concatenating them with the few fields that change per request.
//!
//! The versions come from the database in the same query as the page (triggers move them,
//! migration 0005), so a copy is used only while it is current, and instances sharing one
//! database need not tell each other anything.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use credence_core::filters;
use credence_core::posts::{self, PostRef, RenderVersion};
use credence_core::profiles;
use credence_core::{Actor, CoreResult};
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::entities;
use crate::state::AppState;

/// Memory for rendered statuses and accounts together.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Rendered JSON kept for one post or profile, with the version it was rendered for.
#[derive(Clone)]
struct Rendered<V> {
    version: V,
    json: Arc<str>,
}

#[derive(Clone)]
struct ByLength;

impl<V> Weighter<i64, Rendered<V>> for ByLength {
    fn weight(&self, _id: &i64, value: &Rendered<V>) -> u64 {
        // The bytes of JSON plus the entry's own overhead.
        value.json.len() as u64 + 64
    }
}

pub struct RenderCache {
    /// Post id → the status without its closing brace, account, boost and changing fields.
    statuses: Cache<i64, Rendered<RenderVersion>, ByLength>,
    /// Profile id → the account entity.
    accounts: Cache<i64, Rendered<i64>, ByLength>,
}

impl Default for RenderCache {
    fn default() -> Self {
        // About 3 KB per status and 1.5 KB per account on a seeded instance.
        RenderCache {
            statuses: Cache::with_weighter(20_000, CACHE_BYTES * 3 / 4, ByLength),
            accounts: Cache::with_weighter(10_000, CACHE_BYTES / 4, ByLength),
        }
    }
}

/// A listing's statuses as a JSON array, in order (a boost of a post the viewer may not read
/// is left out), with the reader's filters for `context` applied: a `hide` filter leaves a
/// post (or a boost of it) out, a `warn` filter fills its `filtered`.
pub async fn statuses(
    state: &AppState,
    viewer: Option<&Actor>,
    refs: &[PostRef],
    context: Option<filters::Context>,
) -> CoreResult<String> {
    Ok(rendered(state, viewer, refs, context).await?.array)
}

/// Statuses rendered as [`statuses`] renders them, each to be found by its post's id.
pub struct Statuses {
    /// The JSON array.
    array: String,
    /// Where each status is in it.
    spans: HashMap<i64, std::ops::Range<usize>>,
}

impl Statuses {
    /// The status of post `id`, unless it was left out.
    pub fn get(&self, id: i64) -> Option<&str> {
        self.spans.get(&id).map(|span| &self.array[span.clone()])
    }

    /// The JSON array of every status rendered.
    pub fn array(&self) -> &str {
        &self.array
    }

    /// Whether the status of post `id` was rendered.
    pub fn contains(&self, id: i64) -> bool {
        self.spans.contains_key(&id)
    }
}

/// [`statuses`], each to be found by id.
pub async fn rendered(
    state: &AppState,
    viewer: Option<&Actor>,
    refs: &[PostRef],
    context: Option<filters::Context>,
) -> CoreResult<Statuses> {
    let cache = &state.render;
    let originals = posts::boosted(&state.core, viewer, refs).await?;
    let applied = match (viewer, context) {
        (Some(reader), Some(context)) => {
            let ids: Vec<i64> = refs
                .iter()
                .map(|r| r.id)
                .chain(originals.keys().copied())
                .collect();
            filters::apply(&state.core, reader, context, &ids).await?
        }
        _ => filters::Applied::default(),
    };
    let shown: Vec<PostRef> = refs
        .iter()
        .filter(|r| r.reblog_of_id.is_none_or(|id| originals.contains_key(&id)))
        .filter(|r| !applied.hides(r.id, r.reblog_of_id))
        .copied()
        .collect();
    let filtered: HashMap<i64, String> = applied
        .warned
        .iter()
        .map(|(id, results)| (*id, entities::filter_results(results).to_string()))
        .collect();
    // What each post and author shown must be rendered as, by the page query.
    let versions: HashMap<i64, RenderVersion> = shown
        .iter()
        .chain(originals.values())
        .map(|r| (r.id, r.version))
        .collect();
    let author_versions: HashMap<i64, i64> = shown
        .iter()
        .chain(originals.values())
        .map(|r| (r.author_id, r.author_version))
        .collect();

    // The fixed parts: from the cache when current, else rendered from the full posts.
    let mut fixed: HashMap<i64, Arc<str>> = HashMap::with_capacity(versions.len());
    let mut stale = Vec::new();
    for (&id, &version) in &versions {
        match current(&cache.statuses, id, version) {
            Some(json) => {
                fixed.insert(id, json);
            }
            None => stale.push(id),
        }
    }
    // Authors that loading stale posts brought along, so they are not read twice.
    let mut loaded_authors: HashMap<i64, profiles::Profile> = HashMap::new();
    if !stale.is_empty() {
        // Viewer-independent: the viewer's flags come with the refs, and the caller already
        // decided what they may read.
        for post in posts::load_ids(&state.core, None, &stale).await? {
            let Some(&version) = versions.get(&post.id) else {
                continue;
            };
            let json = fragment(&post, state);
            cache.statuses.insert(
                post.id,
                Rendered {
                    version,
                    json: json.clone(),
                },
            );
            fixed.insert(post.id, json);
            loaded_authors.insert(post.author.id, post.author);
        }
    }

    // The accounts, likewise.
    let mut accounts: HashMap<i64, Arc<str>> = HashMap::with_capacity(author_versions.len());
    let mut stale_accounts = Vec::new();
    for (&id, &version) in &author_versions {
        match current(&cache.accounts, id, version) {
            Some(json) => {
                accounts.insert(id, json);
            }
            None => match loaded_authors.remove(&id) {
                Some(profile) => {
                    accounts.insert(id, render_account(cache, &profile, version, state));
                }
                None => stale_accounts.push(id),
            },
        }
    }
    if !stale_accounts.is_empty() {
        for (id, profile) in profiles::public_by_ids(&state.core, &stale_accounts).await? {
            if let Some(&version) = author_versions.get(&id) {
                accounts.insert(id, render_account(cache, &profile, version, state));
            }
        }
    }

    let parts = Parts {
        fixed: &fixed,
        accounts: &accounts,
        filtered: &filtered,
    };
    let mut out = String::with_capacity(shown.len() * 3_000 + 2);
    let mut spans = HashMap::with_capacity(shown.len());
    out.push('[');
    for r in &shown {
        let original = r.reblog_of_id.and_then(|id| originals.get(&id));
        let mark = out.len();
        if !spans.is_empty() {
            out.push(',');
        }
        let start = out.len();
        if parts.write(&mut out, r, original) {
            spans.insert(r.id, start..out.len());
        } else {
            out.truncate(mark);
        }
    }
    out.push(']');
    Ok(Statuses { array: out, spans })
}

/// An account as statuses embed it, from the cache while its version stands (notifications,
/// which name an account each, render them here).
pub fn account(state: &AppState, profile: &profiles::Profile) -> Arc<str> {
    let version = profile.render_version;
    current(&state.render.accounts, profile.id, version)
        .unwrap_or_else(|| render_account(&state.render, profile, version, state))
}

/// The rendering kept for `id`, if it was rendered for `version`.
fn current<V: PartialEq + Clone>(
    cache: &Cache<i64, Rendered<V>, ByLength>,
    id: i64,
    version: V,
) -> Option<Arc<str>> {
    cache
        .get(&id)
        .filter(|hit| hit.version == version)
        .map(|hit| hit.json)
}

/// An account entity as JSON, kept in the cache for `version`.
fn render_account(
    cache: &RenderCache,
    profile: &profiles::Profile,
    version: i64,
    state: &AppState,
) -> Arc<str> {
    let json: Arc<str> = entities::status_account(profile, &state.config)
        .to_string()
        .into();
    cache.accounts.insert(
        profile.id,
        Rendered {
            version,
            json: json.clone(),
        },
    );
    json
}

/// A post's fixed part as JSON without the closing brace, ready for the rest to follow.
fn fragment(post: &posts::Post, state: &AppState) -> Arc<str> {
    let mut json =
        serde_json::Value::Object(entities::status_fixed(post, &state.config)).to_string();
    json.pop(); // the object's closing brace
    json.into()
}

/// What one page needs, found before it is written.
struct Parts<'a> {
    fixed: &'a HashMap<i64, Arc<str>>,
    accounts: &'a HashMap<i64, Arc<str>>,
    /// The `filtered` array of each post a `warn` filter matched (others get `[]`).
    filtered: &'a HashMap<i64, String>,
}

impl Parts<'_> {
    /// Writes one status; false (and something partial to cut) if a part is missing, as when
    /// a post was deleted between the page query and its loading.
    fn write(&self, out: &mut String, r: &PostRef, original: Option<&PostRef>) -> bool {
        let (Some(fixed), Some(account)) = (self.fixed.get(&r.id), self.accounts.get(&r.author_id))
        else {
            return false;
        };
        out.push_str(fixed);
        out.push_str(",\"account\":");
        out.push_str(account);
        out.push_str(",\"reblog\":");
        match original {
            Some(o) => {
                if !self.write(out, o, None) {
                    return false;
                }
            }
            None => out.push_str("null"),
        }
        let changing = entities::Changing {
            replies_count: r.replies_count,
            reblogs_count: r.reblogs_count,
            favourites_count: r.favourites_count,
            favourited: r.favourited,
            reblogged: r.reblogged,
            bookmarked: r.bookmarked,
        };
        out.push_str(",\"filtered\":");
        out.push_str(self.filtered.get(&r.id).map_or("[]", String::as_str));
        // `Changing` as JSON is an object: its fields follow ours.
        let changing = serde_json::to_string(&changing).unwrap_or_default();
        let _ = write!(out, ",{}", changing.trim_start_matches('{'));
        true
    }
}
