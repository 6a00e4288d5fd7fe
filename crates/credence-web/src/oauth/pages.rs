//! The OAuth sign-in and consent page (`/oauth/authorize`). The token endpoint is JSON (see
//! `api`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use credence_core::oauth::{self, AuthorizeQuery, OOB_REDIRECT};
use serde::Deserialize;

use crate::error::HtmlError;
use crate::extract::{csrf_field, SignedInForm};
use crate::page::{render, Layout};
use crate::session::Ctx;
use crate::state::AppState;

/// The authorize query, plus the consent form's own fields when posted back.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuthorizeParams {
    pub csrf: String,
    pub approve: String,
    #[serde(flatten)]
    pub query: AuthorizeQuery,
}

csrf_field!(AuthorizeParams);

#[derive(Template)]
#[template(path = "authorize.html")]
struct AuthorizePage {
    l: Layout,
    app_name: String,
    website: Option<String>,
    handle: String,
    scopes: Vec<String>,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

/// Shown when the person denies an out-of-band app: there is no redirect URI to send the
/// refusal to, and a redirect to the `urn:` would leave the browser on an error.
#[derive(Template)]
#[template(path = "oauth_denied.html")]
struct DeniedPage {
    l: Layout,
    app_name: String,
}

#[derive(Template)]
#[template(path = "oob.html")]
struct OobPage {
    l: Layout,
    app_name: String,
    code: String,
}

pub async fn authorize_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, HtmlError> {
    let request = oauth::check_authorization_request(&state.core, &params.query).await?;
    let Some(profile) = &ctx.profile else {
        // Sign in first, then come back to this very request.
        let back = format!("/oauth/authorize?{}", query_string(&params.query));
        let to = format!(
            "/signin?next={}",
            url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
        );
        return Ok(Redirect::to(&to).into_response());
    };
    Ok(render(&AuthorizePage {
        l: Layout::new(&ctx, "Authorise app"),
        app_name: request.app.name.clone(),
        website: request.app.website.clone(),
        handle: profile.handle.clone(),
        scopes: request.scopes.split(' ').map(describe_scope).collect(),
        client_id: params.query.client_id,
        redirect_uri: params.query.redirect_uri,
        scope: request.scopes.clone(),
        state: params.query.state,
        code_challenge: params.query.code_challenge,
        code_challenge_method: params.query.code_challenge_method,
    }))
}

fn query_string(p: &AuthorizeQuery) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", &p.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &p.scope)
        .append_pair("state", &p.state)
        .append_pair("code_challenge", &p.code_challenge)
        .append_pair("code_challenge_method", &p.code_challenge_method)
        .finish()
}

fn describe_scope(scope: &str) -> String {
    match scope.split(':').next().unwrap_or(scope) {
        "read" => format!("read your account data ({scope})"),
        "write" => format!("change your account data and post for you ({scope})"),
        "follow" => "manage who you follow".into(),
        "push" => "send you push notifications".into(),
        "profile" => "see your basic profile".into(),
        _ => scope.to_string(),
    }
}

pub async fn authorize(
    State(state): State<AppState>,
    SignedInForm {
        ctx,
        actor,
        form: params,
    }: SignedInForm<AuthorizeParams>,
) -> Result<Response, HtmlError> {
    let request = oauth::check_authorization_request(&state.core, &params.query).await?;
    let redirect = |pairs: &[(&str, &str)]| -> Result<Response, HtmlError> {
        let mut url = url::Url::parse(&request.redirect_uri).map_err(|_| {
            HtmlError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the redirect URI is invalid",
            )
        })?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
            if let Some(s) = &request.state {
                q.append_pair("state", s);
            }
        }
        Ok(Redirect::to(url.as_str()).into_response())
    };
    if params.approve != "yes" {
        if request.redirect_uri == OOB_REDIRECT {
            return Ok(render(&DeniedPage {
                l: Layout::new(&ctx, "Access denied"),
                app_name: request.app.name.clone(),
            }));
        }
        return redirect(&[("error", "access_denied")]);
    }
    let code = oauth::issue_code(&state.core, &actor, &request).await?;
    if request.redirect_uri == OOB_REDIRECT {
        return Ok(render(&OobPage {
            l: Layout::new(&ctx, "Authorisation code"),
            app_name: request.app.name.clone(),
            code,
        }));
    }
    redirect(&[("code", &code)])
}
