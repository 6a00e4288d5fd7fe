//! Browser sessions and CSRF protection.
//!
//! - The session cookie holds a random token; the database holds its hash, the acting profile
//!   and a per-session CSRF token (synchronizer-token pattern).
//! - Before sign-in (sign-up and sign-in forms) a random `credence_csrf` cookie is compared with
//!   the form's hidden field (double-submit pattern).
//! - Cookies are HttpOnly and SameSite=Lax, and Secure when the public URL is https or a
//!   trusted proxy says the client came over https.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use credence_core::accounts::{self, Session};
use credence_core::kernel::secrets::{constant_time_eq, random_token};
use credence_core::profiles::{self, Profile};
use credence_core::{Actor, CoreError};

use crate::error::HtmlError;
use crate::state::{AppState, WebConfig};

pub const SESSION_COOKIE: &str = "credence_session";
pub const CSRF_COOKIE: &str = "credence_csrf";

/// The anonymous CSRF token for this request (from the cookie, or freshly made).
#[derive(Clone)]
struct AnonCsrf(String);

/// Makes sure every browser has a `credence_csrf` cookie before it sees a form.
pub async fn csrf_cookie(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let existing = CookieJar::from_headers(request.headers())
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (random_token(), true),
    };
    let secure = secure_request(request.headers(), &state.config);
    request.extensions_mut().insert(AnonCsrf(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let cookie = Cookie::build((CSRF_COOKIE, token))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Who is looking at a page: the session (if signed in), the acting profile, and the CSRF token
/// that forms on the page must carry.
pub struct Ctx {
    pub session: Option<Session>,
    pub profile: Option<Profile>,
    pub csrf: String,
    pub address: String,
    /// Whether cookies set in the answer must be Secure (see [`secure_request`]).
    pub secure: bool,
    /// Where this server's source code is offered (the page footer links to it).
    pub source_url: String,
}

impl Ctx {
    pub fn actor(&self) -> Option<&Actor> {
        self.session.as_ref().map(|s| &s.actor)
    }

    /// The signed-in actor, or an error page asking the person to sign in.
    pub fn require(&self) -> Result<&Actor, HtmlError> {
        self.actor().ok_or_else(HtmlError::sign_in_required)
    }

    /// Checks a submitted form's CSRF field.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), HtmlError> {
        if !submitted.is_empty() && constant_time_eq(submitted, &self.csrf) {
            Ok(())
        } else {
            Err(HtmlError::csrf())
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HtmlError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let anon = parts
            .extensions
            .get::<AnonCsrf>()
            .map(|a| a.0.clone())
            .unwrap_or_default();
        let address = client_address(parts, state);
        let secure = secure_request(&parts.headers, &state.config);
        let session = match jar.get(SESSION_COOKIE) {
            Some(cookie) => {
                match accounts::session_from_cookie(&state.core, cookie.value()).await {
                    Ok(session) => session,
                    // Expired (its row is already deleted). Reading a page just shows it signed
                    // out; a form sent with it gets a 401 saying so, because the person believes
                    // they are signed in and would otherwise lose their change without knowing.
                    Err(CoreError::Unauthenticated(_)) if parts.method.is_safe() => None,
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        let profile = match &session {
            Some(s) => Some(profiles::get(&state.core, s.actor.profile_id).await?),
            None => None,
        };
        let csrf = session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .unwrap_or(anon);
        Ok(Ctx {
            session,
            profile,
            csrf,
            address,
            secure,
            source_url: state.config.source_url.clone(),
        })
    }
}

/// The client's network address, for login throttling. Behind a trusted proxy it is the
/// right-most `X-Forwarded-For` entry, the one our proxy appended: entries to its left come from
/// the client and can say anything, so a client rotating made-up addresses there would escape the
/// per-address limit.
pub fn client_address(parts: &Parts, state: &AppState) -> String {
    if state.config.trust_proxy {
        if let Some(address) = last_forwarded(&parts.headers, "x-forwarded-for") {
            return address;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether cookies set for this request must be Secure: when the public URL is https, and
/// behind a trusted proxy when the proxy says the client came over https (`X-Forwarded-Proto`),
/// since the server itself then only ever sees plain http.
pub fn secure_request(headers: &HeaderMap, config: &WebConfig) -> bool {
    config.secure_cookies()
        || (config.trust_proxy
            && last_forwarded(headers, "x-forwarded-proto")
                .is_some_and(|proto| proto.eq_ignore_ascii_case("https")))
}

/// The right-most entry of a comma-separated forwarding header (of the last such header, when
/// several were sent): what the nearest proxy added.
fn last_forwarded(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let entry = value.rsplit(',').next()?.trim();
    (!entry.is_empty()).then(|| entry.to_string())
}

pub fn session_cookie(secure: bool, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}
