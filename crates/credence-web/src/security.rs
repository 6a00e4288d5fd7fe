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
