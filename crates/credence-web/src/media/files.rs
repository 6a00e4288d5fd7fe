//! Serving uploaded media: images and videos by their unguessable key, with HTTP range
//! requests so a video can be played from any point and resumed.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use credence_core::media;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn original(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &key, false, &headers).await
}

pub async fn thumbnail(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &key, true, &headers).await
}

async fn serve(
    state: &AppState,
    key: &str,
    thumbnail: bool,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let (mime, data) = media::file(&state.core, key, thumbnail)
        .await
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not_found", "File not found"))?;
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Keys never change content: a new upload gets a new key.
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let total = data.len() as u64;
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok((StatusCode::OK, out, data).into_response());
    };
    let ranges = http_range_header::parse_range_header(range)
        .ok()
        .and_then(|r| r.validate(total).ok());
    match ranges.as_deref() {
        // One range is what players ask for; several are answered with the whole file.
        Some([only]) => {
            let (start, end) = (*only.start(), *only.end());
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {start}-{end}/{total}"))
                    .expect("ascii header"),
            );
            let body = data[start as usize..=end as usize].to_vec();
            Ok((StatusCode::PARTIAL_CONTENT, out, body).into_response())
        }
        Some(_) => Ok((StatusCode::OK, out, data).into_response()),
        None => {
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{total}")).expect("ascii header"),
            );
            Ok((StatusCode::RANGE_NOT_SATISFIABLE, out).into_response())
        }
    }
}
