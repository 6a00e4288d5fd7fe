//! Sign up, sign in, sign out, change password.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use credence_core::accounts::{self, NewAccount};
use credence_core::{CoreError, Role};
use serde::Deserialize;

use crate::error::{public_message, status_of, HtmlError};
use crate::extract::{csrf_field, CsrfOnly, PublicForm, SignedInForm};
use crate::page::{render, safe_next, Layout};
use crate::session::{removal_cookie, session_cookie, Ctx};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    pub csrf: String,
    pub role: String,
    pub display_name: String,
    pub handle: String,
    pub email: String,
    pub password: String,
}

csrf_field!(SignupForm, SigninForm, PasswordForm);

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    l: Layout,
    error: Option<String>,
    form: &'a SignupForm,
}

pub async fn signup_page(ctx: Ctx) -> Response {
    if ctx.actor().is_some() {
        return Redirect::to("/").into_response();
    }
    render(&SignupPage {
        l: Layout::new(&ctx, "Join Credence"),
        error: None,
        form: &SignupForm::default(),
    })
}

pub async fn signup(
    State(state): State<AppState>,
    jar: CookieJar,
    PublicForm { ctx, form }: PublicForm<SignupForm>,
) -> Result<Response, HtmlError> {
    let result = async {
        let role = accounts::joining_role("role", &form.role)?;
        let (user, _) = accounts::register(
            &state.core,
            NewAccount {
                email: &form.email,
                handle: &form.handle,
                display_name: &form.display_name,
                password: &form.password,
                role,
            },
        )
        .await?;
        accounts::create_session(&state.core, &user).await
    }
    .await;
    match result {
        Ok((token, session)) => {
            let next = if session.actor.role == Role::Member {
                "/?notice=welcome_member"
            } else {
                "/settings/profile?notice=welcome"
            };
            Ok((
                jar.add(session_cookie(ctx.secure, token)),
                Redirect::to(next),
            )
                .into_response())
        }
        Err(e @ (CoreError::Invalid { .. } | CoreError::Conflict { .. })) => {
            let page = render(&SignupPage {
                l: Layout::new(&ctx, "Join Credence"),
                error: Some(public_message(&e)),
                form: &form,
            });
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SigninQuery {
    pub next: String,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    l: Layout,
    error: Option<String>,
    login: String,
    next: String,
}

pub async fn signin_page(ctx: Ctx, Query(q): Query<SigninQuery>) -> Response {
    if ctx.actor().is_some() {
        return Redirect::to(safe_next(&q.next)).into_response();
    }
    render(&SigninPage {
        l: Layout::new(&ctx, "Sign in"),
        error: None,
        login: String::new(),
        next: q.next,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SigninForm {
    pub csrf: String,
    pub login: String,
    pub password: String,
    pub next: String,
}

pub async fn signin(
    State(state): State<AppState>,
    jar: CookieJar,
    PublicForm { ctx, form }: PublicForm<SigninForm>,
) -> Result<Response, HtmlError> {
    let result = async {
        let user =
            accounts::authenticate(&state.core, &form.login, &form.password, &ctx.address).await?;
        accounts::create_session(&state.core, &user).await
    }
    .await;
    match result {
        Ok((token, _)) => {
            // Replace any older session of this browser.
            if let Some(old) = &ctx.session {
                accounts::delete_session(&state.core, old.id).await?;
            }
            let to = safe_next(&form.next).to_string();
            Ok((
                jar.add(session_cookie(ctx.secure, token)),
                Redirect::to(&to),
            )
                .into_response())
        }
        Err(e @ (CoreError::Unauthenticated(_) | CoreError::TooManyRequests(_))) => {
            let page = render(&SigninPage {
                l: Layout::new(&ctx, "Sign in"),
                error: Some(public_message(&e)),
                login: form.login.clone(),
                next: form.next.clone(),
            });
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn signout(
    State(state): State<AppState>,
    jar: CookieJar,
    PublicForm { ctx, .. }: PublicForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    if let Some(session) = &ctx.session {
        accounts::delete_session(&state.core, session.id).await?;
    }
    Ok((
        jar.add(removal_cookie()),
        Redirect::to("/?notice=signed_out"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    error: Option<String>,
}

pub async fn password_page(ctx: Ctx) -> Result<Response, HtmlError> {
    ctx.require()?;
    Ok(render(&PasswordPage {
        l: Layout::new(&ctx, "Change password"),
        error: None,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    pub csrf: String,
    pub current_password: String,
    pub new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    SignedInForm { ctx, actor, form }: SignedInForm<PasswordForm>,
) -> Result<Response, HtmlError> {
    let keep = ctx.session.as_ref().map(|s| s.id);
    match accounts::change_password(
        &state.core,
        &actor,
        &form.current_password,
        &form.new_password,
        keep,
        &ctx.address,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/settings/profile?notice=password").into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let page = render(&PasswordPage {
                l: Layout::new(&ctx, "Change password"),
                error: Some(public_message(&e)),
            });
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
