//! Mastodon's `Link` header: where the next (older) and previous (newer) pages of a listing
//! are, with the listing's own filters carried along so that paging keeps them.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use credence_core::kernel::paging::Window;
use serde::Deserialize;
use serde_json::Value;

use crate::state::WebConfig;

/// Mastodon's paging parameters, as listings without filters of their own take them.
#[derive(Deserialize, Default)]
pub struct PagingQuery {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<i64>,
}

impl PagingQuery {
    pub fn window(&self) -> Window {
        window(&self.max_id, &self.since_id, &self.min_id, self.limit)
    }

    /// The id a listing paged only towards older entries starts below.
    pub fn below(&self) -> i64 {
        self.window().below
    }
}

/// The keyset window of Mastodon's `max_id`, `since_id`, `min_id` and `limit` (ids that are
/// not numbers are left out).
pub fn window(
    max_id: &Option<String>,
    since_id: &Option<String>,
    min_id: &Option<String>,
    limit: Option<i64>,
) -> Window {
    let id = |s: &Option<String>| s.as_deref().and_then(|v| v.parse().ok());
    Window::paged(id(max_id), id(since_id), id(min_id), limit)
}

/// The ids a page runs from and to (newest, oldest), by `id`; `None` for an empty page.
pub fn page_ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Option<(i64, i64)> {
    Some((id(items.first()?), id(items.last()?)))
}

/// `Link` for a page whose items run from `newest` to `oldest` id (none for an empty page);
/// `carried` is the filters' query (`types[]=mention&limit=20`, already encoded), or empty.
pub fn link_header(
    config: &WebConfig,
    path: &str,
    carried: &str,
    ids: Option<(i64, i64)>,
) -> Option<HeaderValue> {
    let (newest, oldest) = ids?;
    let base = config.absolute(path);
    let join = if carried.is_empty() { "" } else { "&" };
    let link = format!(
        "<{base}?{carried}{join}max_id={oldest}>; rel=\"next\", \
         <{base}?{carried}{join}min_id={newest}>; rel=\"prev\""
    );
    HeaderValue::from_str(&link).ok()
}

/// `name[]=value&…` for a list filter, encoded.
pub fn carry_list(name: &str, values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{name}[]={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A JSON answer with its `Link` header, when the page had items.
pub fn json_with_link(body: Value, link: Option<HeaderValue>) -> Response {
    json_text_with_link(body.to_string(), link)
}

/// [`json_with_link`] for JSON already written (statuses rendered through the cache).
pub fn json_text_with_link(body: String, link: Option<HeaderValue>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(link) = link {
        headers.insert(header::LINK, link);
    }
    (headers, body).into_response()
}
