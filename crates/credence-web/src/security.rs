//! What every response is held to: the Content-Security-Policy and the largest body accepted.

macro_rules! base_csp {
    () => {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         frame-ancestors 'none'"
    };
}

/// The Content-Security-Policy of every response: everything from this site only, no framing,
/// and forms post only here.
pub const CSP: &str = concat!(base_csp!(), "; form-action 'self'");

/// The policy of `/oauth/authorize`: the same without `form-action`. Approving or denying posts
/// here and is redirected on to the app's redirect URI; Chrome and Safari check that redirect
/// against `form-action` too, and apps often use their own scheme (`myapp://callback`), which
/// `'self'` (and even `*`) does not match. The redirect URI was checked against the app's
/// registration before the page was shown.
pub const AUTHORIZE_CSP: &str = base_csp!();

/// Largest request body accepted (forms and JSON); bigger ones get 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Answers to a request that carries credentials (a session cookie or a Bearer token) are
/// private: `Cache-Control: no-store`, so no shared or browser cache keeps a settings page
/// with a licence number or an API answer with a private post. A route that sets its own
/// policy (the immutable media files) keeps it.
pub async fn private_answers_not_stored(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = request.headers();
    let has_session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| {
            c.split_once('=')
                .is_some_and(|(name, _)| name.trim() == crate::session::SESSION_COOKIE)
        });
    // Token and app-registration answers carry secrets whatever the request held
    // (RFC 6749 §5.1 asks for no-store on the token endpoint).
    let path = request.uri().path();
    let hands_out_secrets = path == "/oauth/token" || path == "/api/v1/apps";
    let credentialed =
        has_session || headers.contains_key(header::AUTHORIZATION) || hands_out_secrets;
    let mut response = next.run(request).await;
    if credentialed {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}
